// The linearised Boltzmann equation of dilute, identical, aligned scatterers, with the collision
// kernel the beams measure, in angular harmonics (docs/textures.md "Aligned scatterers" has the
// derivation).
//
// Parametrise the band's convex Fermi contour by the velocity's angle φ, with R(φ) = dk_t/dφ its
// radius of curvature (k_t the length along it): the states in dφ per area and energy are
// R dφ/((2π)² v). Write δf = (−f′) g(φ), g = Σ_{n≠0} c_n e^{inφ}. A packet heading at φ′ with
// impact parameter b leaves at φ′ + θ_{φ′}(b) at the rate n_i v db, so, the speed cancelling
// against the density of states, the collision integral's weak form against e^{−inφ} is
// (2π)⁻¹ ∫ dφ′ R g(φ′) n_i A_n(φ′) e^{−inφ′} with A_n(φ′) = ∫ db (e^{−inθ_{φ′}(b)} − 1):
// n_i Σ_m M_nm c_m with M_nm = (2π)⁻¹ ∫ dφ′ R(φ′) e^{−i(n−m)φ′} A_n(φ′). The drive F·v (−f′)(−1)
// weighs alike: −(2π)⁻¹ ∫ dφ R e^{−inφ} F·v̂. The constant harmonic is left out: a uniform change is
// stationary (Liouville's theorem, M_n0 = 0) and moves no charge (∮ R v̂ dφ = 0). The current
// j = −e ∫ d²k/(2π)² v δf = −e (2π)⁻² ∫ dφ R v̂ g, so with F = −eE, for E along x̂ or ŷ,
//     (σ_xj + i σ_yj) n_i = (e²/h) S_j,    S_j = Σ_m ρ_{−1−m} c_m,    c = −M⁻¹ f_j,
// f_{j,n} = (2π)⁻¹ ∫ dφ R v̂_j e^{−inφ} and ρ_p = (2π)⁻¹ ∫ dφ R e^{−ipφ}. On an isotropic band
// (R = k_F: ρ_p = k_F δ_p0, f_x = k_F (½, ½) and f_y = k_F (−i/2, i/2) at n = 1, −1) and a
// scatterer whose A_n does not depend on φ′, M is diagonal, M_11 = −k_F (σ_tr + i σ_⊥), and this is
// add_boltzmann_transport's (k_F/2)/w̄.
#include "aligned_transport.hpp"

#include <fmt/core.h>

#include <Eigen/Dense>
#include <algorithm>
#include <cmath>
#include <complex>
#include <optional>

#include "task_common.hpp"

namespace bzint {

namespace {

using Complex = std::complex<double>;

// A_n = ∫ (e^{−inθ} − 1) db for n = 1 … N over one beam (A_{−n} = conj A_n), by the trapezoid
// rule over its packets, and each one's estimate: its change from the rule over every other packet
// plus n times the cross-sections' own estimates (A_1 = −σ_tr − i σ_⊥, and |Δ e^{−inθ}| ≤ n |Δθ|;
// an estimate, as theirs are, not a bound).
struct Moments {
    std::vector<Complex> value;
    std::vector<double> error;
};
Moments collision_moments(const TaskResult& run, int harmonics) {
    const std::vector<double> b = run.results.at("impact_parameter").get<std::vector<double>>();
    const std::vector<double> theta = run.results.at("deflection").get<std::vector<double>>();
    const double own = run.errors.at(kBeamKeys[0]).get<double>() + run.errors.at(kBeamKeys[1]).get<double>();
    Moments out;
    for (int n = 1; n <= harmonics; ++n) {
        auto moment = [&](std::size_t stride) {
            // cos nθ − 1 = −2 sin²(nθ/2), without the cancellation at small angles.
            const double re = trapezoid(b, stride, [&](std::size_t i) { return -2.0 * std::pow(std::sin(n * theta[i] / 2), 2); });
            const double im = trapezoid(b, stride, [&](std::size_t i) { return -std::sin(n * theta[i]); });
            return Complex(re, im);
        };
        out.value.push_back(moment(1));
        out.error.push_back(std::abs(out.value.back() - moment(2)) + n * own);
    }
    return out;
}

// Harmonic n ∈ {−N … −1, 1 … N} as a row or column of M.
int slot(int n, int harmonics) { return n < 0 ? n + harmonics : n + harmonics - 1; }
Complex moment_at(const Moments& m, int n) { return n > 0 ? m.value[n - 1] : std::conj(m.value[-n - 1]); }

struct Solution {
    Matrix2 sigma;  // σ n_i / (e²/h)
    Matrix2 error;  // from the moments' and the radii's estimates
};

// The incoming measure at each direction: the contour's radius of curvature R_j (1/L) there and
// its estimate.
struct Measure {
    std::vector<double> radius, error;
};

// The solution from every `stride`-th direction with |n| ≤ N, its columns j = x, y; none where M
// is singular or (with estimates) their change could reach the solution.
std::optional<Solution> solve(const std::vector<double>& incidence, const std::vector<Moments>& moments, const Measure& measure,
                              std::size_t stride, int harmonics, bool estimate) {
    const int size = 2 * harmonics;
    std::vector<std::size_t> used;
    for (std::size_t j = 0; j < incidence.size(); j += stride) used.push_back(j);
    const double weight = 1.0 / static_cast<double>(used.size());
    Eigen::MatrixXcd M = Eigen::MatrixXcd::Zero(size, size);
    // Row n of ΔM is the discrete Fourier transform of Δ(R A_n) over the directions, its 2N entries
    // distinct harmonics (2N < D′/2), so by Parseval ‖ΔM_n·‖_2 ≤ r_n, the rms of R A_n's estimates.
    Eigen::VectorXd row_error = Eigen::VectorXd::Zero(size);
    for (int n = -harmonics; n <= harmonics; ++n) {
        if (n == 0) continue;
        for (std::size_t j : used) {
            const double e = measure.radius[j] * moments[j].error[std::abs(n) - 1] + measure.error[j] * std::abs(moment_at(moments[j], n));
            row_error(slot(n, harmonics)) += weight * e * e;
        }
        row_error(slot(n, harmonics)) = std::sqrt(row_error(slot(n, harmonics)));
        for (int m = -harmonics; m <= harmonics; ++m) {
            if (m == 0) continue;
            Complex sum = 0.0;  // the trapezoid rule on the circle of incidence angles
            for (std::size_t j : used) sum += std::polar(weight * measure.radius[j], -(n - m) * incidence[j]) * moment_at(moments[j], n);
            M(slot(n, harmonics), slot(m, harmonics)) = sum;
        }
    }
    const Eigen::FullPivLU<Eigen::MatrixXcd> lu(M);
    if (!lu.isInvertible()) return std::nullopt;
    const Eigen::MatrixXcd inverse = lu.inverse();
    // Componentwise: the perturbed c′ = c + Δc solves Δc = −M⁻¹ ΔM c′, so |Δc| ≤ u ‖c′‖_2 with
    // u = |M⁻¹| r; then ‖Δc‖_2 ≤ κ ‖c′‖_2 with κ = ‖u‖_2, and |Δc_k| ≤ u_k ‖c‖_2/(1 − κ). Refused
    // from κ = 1/2 on. (The high harmonics' rows, whose r_n grows with n, weigh by M⁻¹'s small
    // columns there.)
    const Eigen::VectorXd u = inverse.cwiseAbs() * row_error;
    const double kappa = u.norm();
    if (estimate && !(kappa < 0.5)) return std::nullopt;
    // ρ_p = (2π)⁻¹ ∫ dφ R e^{−ipφ} (p = −N − 1 … N − 1, the current's), the drive f_{j,n} =
    // (2π)⁻¹ ∫ dφ R v̂_j e^{−inφ}, and the radii's mean estimate ē, which bounds the change of either.
    std::vector<Complex> rho(2 * harmonics + 1);
    Eigen::VectorXcd drive[2] = {Eigen::VectorXcd::Zero(size), Eigen::VectorXcd::Zero(size)};
    double mean_error = 0.0;
    for (std::size_t j : used) {
        mean_error += weight * measure.error[j];
        for (int p = -harmonics - 1; p < harmonics; ++p) rho[p + harmonics + 1] += std::polar(weight * measure.radius[j], -p * incidence[j]);
        for (int n = -harmonics; n <= harmonics; ++n) {
            if (n == 0) continue;
            const Complex e = std::polar(weight * measure.radius[j], -n * incidence[j]);
            drive[0](slot(n, harmonics)) += e * std::cos(incidence[j]);
            drive[1](slot(n, harmonics)) += e * std::sin(incidence[j]);
        }
    }
    auto current_weight = [&](int m) { return rho[-1 - m + harmonics + 1]; };  // ρ_{−1−m}
    const Eigen::VectorXd spread = inverse.cwiseAbs() * Eigen::VectorXd::Ones(size);  // Σ_n |M⁻¹|_mn
    Solution out{};
    for (int j = 0; j < 2; ++j) {
        const Eigen::VectorXcd c = -(inverse * drive[j]);
        Complex current = 0.0;
        double error = 0.0;
        for (int m = -harmonics; m <= harmonics; ++m) {
            if (m == 0) continue;
            const int k = slot(m, harmonics);
            current += current_weight(m) * c(k);
            // ΔM through c; ΔR through the drive and through ρ.
            error += std::abs(current_weight(m)) * (u(k) * c.norm() / (1.0 - kappa) + mean_error * spread(k)) + mean_error * std::abs(c(k));
        }
        out.sigma[0][j] = current.real();
        out.sigma[1][j] = current.imag();
        out.error[0][j] = out.error[1][j] = error;
    }
    return out;
}

// Liouville's theorem: a uniform occupation is stationary (the scattering keeps the measure
// dk_t db = R dφ db), so the kernel's column m = 0, M_n0 = (2π)⁻¹ ∫ dφ′ R e^{−inφ′} A_n(φ′),
// vanishes. A warning where it exceeds its estimate (the directions' rms estimate of R A_n, as for a
// row of ΔM; rounding aside): the beams miss part of the scattering (narrower than the scatterer,
// packets not yet scattered), and the kernel is not one.
void check_liouville(const std::vector<double>& incidence, const std::vector<Moments>& moments, const Measure& measure, int harmonics,
                     TaskResult& out) {
    const double weight = 1.0 / static_cast<double>(incidence.size());
    for (int n = 1; n <= harmonics; ++n) {
        Complex column = 0.0;
        double estimate = 0.0, size = 0.0;
        for (std::size_t j = 0; j < incidence.size(); ++j) {
            const double r = measure.radius[j], a = std::abs(moments[j].value[n - 1]);
            column += std::polar(weight * r, -n * incidence[j]) * moments[j].value[n - 1];
            estimate += weight * std::pow(r * moments[j].error[n - 1] + measure.error[j] * a, 2);
            size += weight * r * a;
        }
        if (std::abs(column) > std::sqrt(estimate) + 1e-12 * size) {
            out.warnings.push_back(fmt::format(
                "the beams' collision kernel does not conserve the packets beyond its estimate (Liouville's theorem: the average "
                "over the directions of R e^(-in phi) A_n(phi), R the contour's radius of curvature and A_n the integral of "
                "e^(-in theta) - 1 over b, vanishes; at n = {} it is {:.3g} against an estimate of {:.3g}, the R A_n being {:.3g} "
                "in size): the beams miss part of the scattering, so aligned_conductivity_times_density may be wrong; widen "
                "[task] beam's width or raise steps",
                n, std::abs(column), std::sqrt(estimate), size));
            return;
        }
    }
}

}  // namespace

void add_aligned_transport(const std::vector<double>& incidence, const std::vector<TaskResult>& runs, const FermiContour& contour,
                           const ModelInfo& info, TaskResult& out) {
    // (Where the contour is not solved or not convex, add_boltzmann_transport's warning says so.)
    if (!contour.closed || !contour.convex || static_cast<int>(runs.size()) < kFewestAlignedDirections) return;
    const std::string not_reported = "aligned_conductivity_times_density is not reported: ";
    Measure measure;
    for (std::size_t j = 0; j < runs.size(); ++j) {
        const auto radius = runs[j].results.find("contour_curvature_radius");
        const auto estimate = runs[j].errors.find("contour_curvature_radius");
        if (radius == runs[j].results.end() || estimate == runs[j].errors.end()) {
            out.warnings.push_back(not_reported + fmt::format("beam direction {} has no contour_curvature_radius (a result logged "
                                                              "by an earlier version: run without --resume)",
                                                              j));
            return;
        }
        measure.radius.push_back(radius->get<double>());
        measure.error.push_back(estimate->get<double>());
        if (!(measure.radius.back() > 2 * measure.error.back())) {
            out.warnings.push_back(not_reported + fmt::format("the band's contour at beam direction {} has the radius of curvature "
                                                              "{:.3g} ± {:.3g} 1/{}: it does not bend towards k_0 there",
                                                              j, measure.radius.back(), measure.error.back(), length_unit(info)));
            return;
        }
    }
    const int directions = static_cast<int>(runs.size()), harmonics = std::min(directions / 4 - 1, kMostAlignedHarmonics);
    std::vector<Moments> moments;
    for (const TaskResult& r : runs) moments.push_back(collision_moments(r, harmonics));
    const std::optional<Solution> fine = solve(incidence, moments, measure, 1, harmonics, true);
    const std::optional<Solution> coarse =
        solve(incidence, moments, measure, 2, std::min(directions / 8 - 1, kMostAlignedHarmonics), false);
    if (!fine || !coarse) {
        out.warnings.push_back(not_reported + "the collision kernel's harmonics could not be solved for within their estimates "
                                              "(the cross-sections' estimates reach their size, or nothing scatters); raise "
                                              "[task] beam's packets or refine");
        return;
    }
    check_liouville(incidence, moments, measure, harmonics, out);
    // The estimate: the moments' and the radii's through the solve, and the change from every
    // other direction (half the harmonics).
    Matrix2 error = fine->error;
    for (int i = 0; i < 2; ++i)
        for (int j = 0; j < 2; ++j) error[i][j] += std::fabs(fine->sigma[i][j] - coarse->sigma[i][j]);
    put_aligned_transport(fine->sigma, error,
                          fmt::format("at T = 0 at the beam's energy: the collision kernel of the {} directions in harmonics "
                                      "|n| <= {}",
                                      directions, harmonics),
                          info, out);
}

void add_aligned_summed_transport(const NodeSum& sum, const std::vector<TaskResult>& runs, const ModelInfo& info, TaskResult& out) {
    const std::string key = "aligned_conductivity_times_density";
    list_by(sum, runs, "aligned_resistivity_per_density", out);
    out.units.erase(key);  // (merge_beams left each beam's; put_aligned_transport writes the sum's)
    out.units.erase("aligned_resistivity_per_density");
    if (!list_by(sum, runs, key, out)) {
        const auto has = [&](const TaskResult& r) { return r.results.contains(key); };
        if (std::any_of(runs.begin(), runs.end(), has)) {  // (none at all: fewer than 16 directions, or no contour)
            const std::size_t j = static_cast<std::size_t>(std::find_if_not(runs.begin(), runs.end(), has) - runs.begin());
            out.warnings.push_back(fmt::format("no summed aligned transport ({}): beam {} {} has none (its warnings say why)", key,
                                               sum.what, j));
        }
        return;
    }
    const ThermalAverage average = node_sum(sum, runs, key);
    put_aligned_transport(average.value, average.error, sum.aligned_conditions, info, out, sum.length_power);
}

void put_aligned_transport(const Matrix2& sigma_in, const Matrix2& error_in, const std::string& conditions, const ModelInfo& info,
                           TaskResult& out, int power) {
    const std::string lu = length_unit(info);
    Eigen::Matrix2d sigma, error;
    for (int i = 0; i < 2; ++i)
        for (int j = 0; j < 2; ++j) sigma(i, j) = sigma_in[i][j], error(i, j) = error_in[i][j];
    auto matrix = [](const Eigen::Matrix2d& a) { return nlohmann::json{{a(0, 0), a(0, 1)}, {a(1, 0), a(1, 1)}}; };
    out.results["aligned_conductivity_times_density"] = matrix(sigma);
    out.errors["aligned_conductivity_times_density"] = matrix(error);
    out.units["aligned_conductivity_times_density"] =
        fmt::format("e^2/h per {0}^{2}, [i][j] for i, j in x, y: the Boltzmann conductivity sigma_ij (e^2/h per {0}^{3}) of "
                    "dilute, identical, independent scatterers all oriented as the beam's texture, in this band's pocket about "
                    "k_0, times their density n_i (per {0}^2), {1}; other pockets add their own",
                    lu, conditions, power, power - 2);
    if (!(std::fabs(sigma.determinant()) > 0.0)) {
        out.warnings.push_back("aligned_resistivity_per_density is not reported: the aligned conductivity is singular");
        return;
    }
    const Eigen::Matrix2d rho = sigma.inverse(), size = rho.cwiseAbs();
    const double kappa = (size * error).rowwise().sum().maxCoeff();
    if (!(kappa < 0.5)) {
        out.warnings.push_back("aligned_resistivity_per_density is not reported: the aligned conductivity's error estimate "
                               "reaches its size, and the resistivity is its inverse");
        return;
    }
    out.results["aligned_resistivity_per_density"] = matrix(rho);
    out.errors["aligned_resistivity_per_density"] = matrix(size * error * size / (1.0 - kappa));
    out.units["aligned_resistivity_per_density"] =
        fmt::format("h/e^2 times {0}^{2}, [i][j] for i, j in x, y: the Boltzmann resistivity rho_ij of dilute, identical, "
                    "independent scatterers all oriented as the beam's texture, in this band's pocket about k_0 (alone), over "
                    "their density n_i (per {0}^2): the inverse of aligned_conductivity_times_density ({1})",
                    lu, conditions, power);
}

}  // namespace bzint
