// The Boltzmann transport of tubes along z in a 3D pocket ([task.beam] slices; docs/textures.md
// "Tubes along z"): a tube conserves k_z, so each k_z slice of the pocket scatters in its own plane
// and the 3D conductivity is ∫ dk_z/2π of the slices' 2D ones. Checked on weyl_lattice (t = 1, m =
// 0, k0 = π/2) about its node at (0, 0, π/2), whose pocket at μ = 0.05 is a small, nearly round
// Weyl cone, in a weak round gaussian tube U = A exp(−ρ²/2w²) (A = 1e-5, w = 5).
#include <fmt/core.h>
#include <gtest/gtest.h>

#include <cmath>
#include <string>

#include "test_util.hpp"

using namespace bzint;

namespace {

constexpr double kA = 1e-5, kW = 5.0, kMu = 0.05;

std::string weyl_tube_beam(int slices, double mu = kMu, double kx = 0.0, const std::string& more = "", double t = 1.0,
                           const std::string& steps = "dt = 0.2\nsteps = 2000") {
    return fmt::format("[model]\nname = 'weyl_lattice'\nt = {}\nm = 0.0\nk0 = 1.5707963267948966\n[texture]\nkind = 'uniform'\n"
                       "exchange = 0.0\ndirection = [0, 0, 1]\npotential = 'gaussian'\npotential_amplitude = {}\n"
                       "potential_width = {}\n[task]\nkind = 'trajectories'\nband = 'upper'\nk = [[{}, 0, 0.25]]\n{}\n"
                       "samples = 4\n[task.beam]\nenergy = {}\ndirection = [1, 0]\ncentre = [-60, 0]\nwidth = 60\n"
                       "packets = 33\nslices = {}\n{}",
                       t, kA, kW, kx, steps, mu, slices, more);
}

// A slice's small-angle conductivity (tests/test_packet_beam.cpp's closed form on the lattice):
// the packets head along x with t² sin²p + cos²k_z = μ² (the band t²(sin²k_x + sin²k_y) + cos²k_z
// at m = 0), speed v = t² sin p cos p/μ; a transverse kick δp turns the velocity by δp/R, R = sin p
// cos p the contour's radius of curvature there; so σ_tr = π^{3/2} A² w/(2 R² v²) and σ n_i =
// (p/2)/σ_tr.
double slice_conductivity(double kz, double mu = kMu, double t = 1.0) {
    const double s = std::sqrt(mu * mu - std::cos(kz) * std::cos(kz)) / t, p = std::asin(s), c = std::cos(p);
    const double v = t * t * s * c / mu, R = s * c;
    return (p / 2) / (std::pow(kPi, 1.5) * kA * kA * kW / (2 * R * R * v * v));
}

// The tube's conductivity at energy μ > 0: ∫ dk_z/2π of the slices' closed form over the pocket's
// extent π/2 ∓ asin μ, by Simpson's rule in θ (k_z = π/2 + asin(μ) sin θ) on n intervals.
double tube_conductivity(double mu, int n = 2000) {
    if (!(mu > 0.0)) return 0.0;
    const double half = std::asin(mu);
    double integral = 0.0;
    for (int j = 1; j < n; ++j) {
        const double theta = kPi * (static_cast<double>(j) / n - 0.5), kz = kPi / 2 + half * std::sin(theta);
        integral += half * std::cos(theta) * slice_conductivity(kz, mu) / (2 * kPi) * (j % 2 ? 4 : 2) * (kPi / n) / 3;
    }
    return integral;
}

}  // namespace

TEST(TubeTransport, AWeylPocketsTubeConductivityIsTheIntegralOfItsSlices) {
    const auto doc = test::run_toml(weyl_tube_beam(8));
    const auto& r = doc["results"];
    // The extent along k_z: the band |cos k_z| at k_x = k_y = 0 reaches μ at k_z = π/2 ∓ asin μ (to
    // the bisection's 1e-13 k_F).
    EXPECT_NEAR(r["pocket_kz_extent"][0].get<double>(), std::acos(kMu), 1e-14);
    EXPECT_NEAR(r["pocket_kz_extent"][1].get<double>(), kPi - std::acos(kMu), 1e-14);
    // 8 intervals: 7 slices with carriers at k_z = π/2 + asin(μ) sin θ_j, weights asin(μ) cos θ_j/16.
    ASSERT_EQ(r["slice_kz"].size(), 7u);
    const double half = std::asin(kMu);
    double sum = 0.0;
    for (int j = 1; j < 8; ++j) {
        const double theta = kPi * (j / 8.0 - 0.5), kz = kPi / 2 + half * std::sin(theta);
        EXPECT_NEAR(r["slice_kz"][j - 1].get<double>(), kz, 1e-14) << j;
        EXPECT_NEAR(r["slice_weight"][j - 1].get<double>(), half * std::cos(theta) / 16, 1e-16) << j;
        // Each slice's conductivity against its closed form, within the next order A/(p v) (at
        // most 1.4e-3, at the end slices) and the contour's anisotropy (6e-4): 2e-3, measured 9e-4.
        const double closed = slice_conductivity(kz);
        EXPECT_NEAR(r["conductivity_times_density_by_slice"][j - 1][0][0].get<double>(), closed, 2e-3 * closed) << j;
        sum += half * std::cos(theta) / 16 * closed;
    }
    const double sigma = r["conductivity_times_density"][0][0].get<double>();
    const double estimate = doc["errors"]["conductivity_times_density"][0][0].get<double>();
    EXPECT_NEAR(sigma, sum, 2e-3 * sum);
    // Against the integral itself, ∫ dk_z/2π of the slices' closed form (Simpson's rule in θ on
    // 2000 intervals, independent of the rule's 8): within the estimate (the rule over 4 intervals,
    // the slices' own) plus the slices' 2e-3.
    double integral = 0.0;
    for (int j = 0; j <= 2000; ++j) {
        const double theta = kPi * (j / 2000.0 - 0.5), kz = kPi / 2 + half * std::sin(theta);
        const double f = j == 0 || j == 2000 ? 0.0 : half * std::cos(theta) * slice_conductivity(kz) / (2 * kPi);
        integral += f * (j == 0 || j == 2000 ? 1 : (j % 2 ? 4 : 2)) * (kPi / 2000) / 3;
    }
    EXPECT_LT(std::fabs(sigma - integral), estimate + 2e-3 * integral) << sigma << " " << integral << " " << estimate;
    EXPECT_LT(estimate, 2e-3 * sigma);
    // Against the isotropic Weyl cone's closed form: p_⊥ = (μ² − q²)^{1/2}, v_⊥ = p_⊥/μ, so σ n_i =
    // ∫ dq/2π p_⊥³ v_⊥²/(π^{3/2} A² w) = (5/32) μ⁴/(π^{3/2} A² w) (∫(1 − x²)^{5/2} dx = 5π/16; in θ
    // the integrand cos⁶θ, which the rule integrates exactly from 4 intervals on); the lattice's
    // curvature and speed (about 1.5 μ² together) make 0.39 % of it, measured.
    const double isotropic = 5.0 / 32.0 * std::pow(kMu, 4) / (std::pow(kPi, 1.5) * kA * kA * kW);
    EXPECT_NEAR(sigma, isotropic, 1e-2 * isotropic);
    // No skew from a round tube: the Hall angle 0, ρ the inverse of σ.
    EXPECT_LT(std::fabs(r["tube_hall_angle"].get<double>()), 1e-9);
    EXPECT_NEAR(r["resistivity_per_density"][0][0].get<double>() * sigma, 1.0, 1e-12);
    EXPECT_NE(doc["units"]["conductivity_times_density"].get<std::string>().find("per a^3"), std::string::npos);
    EXPECT_EQ(r["packet_slice"].size(), 7u * 33u);
    // The scan for other carriers, in space (32³ momenta over the zone): the band's 7 other nodes,
    // at (0 or π, 0 or π, ±π/2), each hold a pocket at μ (radius 0.05, below the scan's step: each
    // seen at its node's momentum alone, ε there 0 to rounding).
    std::string other;
    for (const auto& w : doc["warnings"])
        if (w.get<std::string>().find("carriers outside") != std::string::npos) other = w.get<std::string>();
    EXPECT_NE(other.find("another pocket of band 1 (7 momenta of the scan, the lowest 1.22465e-16 at k = [0, 0.5, 0.25])"),
              std::string::npos)
        << other;
    EXPECT_NE(other.find("on a scan of 32³ momenta over the zone"), std::string::npos) << other;
}

TEST(TubeTransport, AtATemperatureTheTubesConductivityIsTheThermalAverageOfEachEnergysSlices) {
    // μ = 0.05, k_B T = 0.005, 9 energies: the window's lowest, μ − 10 k_B T = 0, is the node's
    // energy, the pocket's bottom (a cone's tip in space at k_0): no carriers there. Each of the 8
    // others (0.0125 j) sums its own pocket's 7 slices.
    const double T = 0.005;
    const auto doc = test::run_toml(weyl_tube_beam(8, kMu, 0.0, fmt::format("temperature = {}\nenergies = 9\n", T)));
    const auto& r = doc["results"];
    const auto& e = doc["errors"];
    // The bottom: the node, ε = 0 at reduced k = (0, 0, 1/4), by the cone's extrapolation (its
    // estimate the quadratic terms' 1e-12 ρ² and the rounding).
    EXPECT_LE(std::fabs(r["pocket_bottom"].get<double>()), e["pocket_bottom"].get<double>() + 1e-15);
    EXPECT_LT(e["pocket_bottom"].get<double>(), 1e-12);
    ASSERT_EQ(r["pocket_bottom_momentum"].size(), 3u);
    EXPECT_EQ(r["pocket_bottom_momentum"][2].get<double>(), 0.25);
    // The weight below it: (−∂f/∂x)(−10) over the 9 nodes' sum.
    double total = 0.0;
    for (int j = 0; j < 9; ++j) total += 1 / (4 * std::pow(std::cosh((-10 + 2.5 * j) / 2), 2));
    EXPECT_NEAR(r["thermal_weight_below_bottom"].get<double>(), 1 / (4 * std::pow(std::cosh(5.0), 2)) / total, 1e-16);
    ASSERT_EQ(r["beam_energy"].size(), 8u);
    ASSERT_EQ(r["slice_kz"].size(), 8u);
    double rule = 0.0;
    for (int j = 0; j < 8; ++j) {
        const double energy = 0.0125 * (j + 1);
        EXPECT_NEAR(r["beam_energy"][j].get<double>(), energy, 1e-15) << j;
        EXPECT_EQ(r["slice_kz"][j].size(), 7u) << j;
        // Each energy's pocket: the extent π/2 ∓ asin ε, and its tube conductivity against the
        // slices' closed form integrated (the T = 0 test's: its rule's estimate plus the slices'
        // own 2e-3; measured 4e-4).
        EXPECT_NEAR(r["pocket_kz_extent"][j][1].get<double>(), kPi - std::acos(energy), 1e-14) << j;
        const double closed = tube_conductivity(energy);
        const double sigma = r["conductivity_times_density_by_energy"][j][0][0].get<double>();
        EXPECT_NEAR(sigma, closed, e["conductivity_times_density_by_energy"][j][0][0].get<double>() + 2e-3 * closed) << j;
        rule += r["thermal_weight"][j].get<double>() * closed;
    }
    const double sigma = r["conductivity_times_density"][0][0].get<double>();
    const double estimate = e["conductivity_times_density"][0][0].get<double>();
    // The thermal rule on the closed forms (measured 1.5e-4 apart).
    EXPECT_NEAR(sigma, rule, 2e-3 * rule);
    // Against the integral ∫ dε (−∂f/∂ε) σ(ε) from the node (Simpson's rule on 4000 intervals over
    // [0, μ + 40 k_B T], each σ(ε) on 400): 419.48, within the estimate (the rule over every other
    // energy, at 5 k_B T, is coarse: 40, 10 %; the rule's own error is 0.65 %). (The isotropic cone's
    // σ ∝ ε⁴ would give Sommerfeld's μ⁴(1 + 2π²(T/μ)² + 7π⁴/15 (T/μ)⁴) = 1.2018 μ⁴ times 350.76,
    // 421.6: the lattice's curvature and speed take 0.5 % off.)
    const int n = 4000;
    const double top = kMu + 40 * T, h = top / n;
    double integral = 0.0;
    for (int j = 0; j <= n; ++j) {
        const double energy = j * h, c = std::cosh((energy - kMu) / (2 * T));
        integral += tube_conductivity(energy, 400) / (4 * T * c * c) * (j == 0 || j == n ? 1 : (j % 2 ? 4 : 2)) * h / 3;
    }
    EXPECT_LT(std::fabs(sigma - integral), estimate + 2e-3 * integral) << sigma << " " << integral << " " << estimate;
    EXPECT_LT(estimate, 0.15 * sigma);
    EXPECT_LT(std::fabs(r["thermal_hall_angle"].get<double>()), 1e-9);
    EXPECT_NE(doc["units"]["conductivity_times_density"].get<std::string>().find("per a^3"), std::string::npos);
    EXPECT_EQ(r["packet_energy"].size(), 8u * 7u * 33u);
}

TEST(TubeTransport, AnOpenPocketsSlicesSpanThePeriodOfKz) {
    // t = 40 at μ = 1.2: along the line k_x = k_y = 0 the band |cos k_z| ≤ 1 stays below μ, so the
    // pocket is open along z (a corrugated cylinder about the line), and each slice's in-plane
    // pocket is small (t sin p = (μ² − cos²k_z)^{1/2}: p from 0.017 to 0.030) and round (anisotropy
    // s²/4, below 2.3e-4). 16 slices equally spaced over the period 2π about k_0's k_z = π/2, each of
    // weight 1/16; the fast packets (v = t² sin p cos p/μ, 22 to 40) take dt = 0.005.
    const double t = 40.0, mu = 1.2;
    const auto doc = test::run_toml(weyl_tube_beam(16, mu, 0.0, "", t, "dt = 0.005\nsteps = 1600"));
    const auto& r = doc["results"];
    EXPECT_EQ(r["pocket_kz_open"].get<int>(), 1);
    EXPECT_NEAR(r["pocket_kz_extent"][0].get<double>(), -kPi / 2, 1e-15);
    EXPECT_NEAR(r["pocket_kz_extent"][1].get<double>(), 3 * kPi / 2, 1e-15);
    ASSERT_EQ(r["slice_kz"].size(), 16u);
    double sum = 0.0;
    for (int j = 0; j < 16; ++j) {
        const double kz = -kPi / 2 + 2 * kPi * j / 16;
        EXPECT_NEAR(r["slice_kz"][j].get<double>(), kz, 1e-14) << j;
        EXPECT_NEAR(r["slice_weight"][j].get<double>(), 1.0 / 16, 1e-16) << j;
        // Each slice against its closed form within the next order A/(p v) (below 3e-5) and the
        // contour's anisotropy: 2e-3, measured 4e-5.
        const double closed = slice_conductivity(kz, mu, t);
        EXPECT_NEAR(r["conductivity_times_density_by_slice"][j][0][0].get<double>(), closed, 2e-3 * closed) << j;
        sum += closed / 16;
    }
    const double sigma = r["conductivity_times_density"][0][0].get<double>();
    const double estimate = doc["errors"]["conductivity_times_density"][0][0].get<double>();
    EXPECT_NEAR(sigma, sum, 2e-3 * sum);
    // Against ∫_{−π}^{π} dk_z/2π of the closed form (Simpson on 2000 intervals; 6.7431e6 (e²/h)/a³):
    // within the estimate (the rule over 8 slices against 16) plus the slices' 2e-3. The integrand
    // varies 20-fold over k_z, smoothly and periodically: the trapezoid rule converges exponentially.
    double integral = 0.0;
    for (int j = 0; j <= 2000; ++j) {
        const double kz = -kPi + 2 * kPi * j / 2000;
        integral += slice_conductivity(kz, mu, t) / (2 * kPi) * (j == 0 || j == 2000 ? 1 : (j % 2 ? 4 : 2)) * (2 * kPi / 2000) / 3;
    }
    EXPECT_LT(std::fabs(sigma - integral), estimate + 2e-3 * integral) << sigma << " " << integral << " " << estimate;
    EXPECT_LT(estimate, 2e-3 * sigma);
    EXPECT_LT(std::fabs(r["tube_hall_angle"].get<double>()), 1e-9);
    // At m = 0 the lines through (π, 0), (0, π) and (π, π) hold the same open pockets: the scan
    // for other carriers meets each line's 32 momenta (their pockets narrower than its step).
    std::string other;
    for (const auto& w : doc["warnings"])
        if (w.get<std::string>().find("carriers outside") != std::string::npos) other = w.get<std::string>();
    EXPECT_NE(other.find("another pocket of band 1 (96 momenta of the scan"), std::string::npos) << other;
}

TEST(TubeTransport, ALineOffThePocketsCentreIsRefused) {
    // k_0 at reduced k_x = 0.004 (0.025 1/a, half the pocket's radius): the line through it parallel
    // to k_z ends inside the pocket's k_z range, where the slice still holds carriers about k = 0.
    try {
        test::run_toml(weyl_tube_beam(8, kMu, 0.004));
        FAIL() << "not refused";
    } catch (const std::exception& e) {
        EXPECT_NE(std::string(e.what()).find("the pocket reaches beyond its extent along the line through k_0"), std::string::npos)
            << e.what();
    }
}
