#include "model_check.hpp"

#include <fmt/core.h>

#include <array>
#include <cmath>

#include "../engine.hpp"
#include "../input_error.hpp"

namespace bzint {

SymmetryDefect symmetry_defect(const ModelParams& model, const PointOp& g, const double reciprocal[3][3], int dim, int count) {
    // k and g·k side by side: a fixed sequence of fractional coordinates (an additive recurrence
    // with the golden ratio's fractional parts: well spread, and the same on every run).
    std::vector<std::array<double, 3>> k;
    const double alpha[3] = {0.6180339887498949, 0.4142135623730951, 0.7320508075688772};
    for (int i = 0; i < count; ++i) {
        std::array<double, 3> kc{}, gk{};
        for (int j = 0; j < dim; ++j) {
            const double f = std::fmod(0.1234 + (i + 1) * alpha[j], 1.0);
            for (int a = 0; a < 3; ++a) kc[a] += f * reciprocal[j][a];
        }
        for (int a = 0; a < 3; ++a)
            for (int b = 0; b < 3; ++b) gk[a] += g.k_sign() * g.R[a][b] * kc[b];
        k.push_back(kc);
        k.push_back(gk);
    }
    const std::vector<BandGeometry> geo = geometry_at_points(Backend::cpu, model, k);
    const int B = static_cast<int>(geo.size() / k.size());
    double emax = 0.0;
    for (const BandGeometry& x : geo) emax = std::fmax(emax, std::fabs(x.energy));
    const double degenerate = kEnergyTolerance * (1.0 + emax);
    double G2 = 0.0;  // the floors of the scales: a² for Ω, a²(1 + max|ε|) for m, a = 2π/max|G_j|
    for (int j = 0; j < dim; ++j)
        G2 = std::fmax(G2, reciprocal[j][0] * reciprocal[j][0] + reciprocal[j][1] * reciprocal[j][1] + reciprocal[j][2] * reciprocal[j][2]);
    const double a2 = G2 > 0.0 ? kTwoPi * kTwoPi / G2 : 0.0;
    // Per point, the largest |S_n(g·k) − D S_n(k)| over the gaps above n at both points, S_n = Σ_{m≤n}
    // of the axial vector `x` (Ω or m, both s det(R) R); `scale` grows to the largest |S_n| met.
    const double f = g.k_sign() * g.det();
    auto deviation = [&](int i, double (BandGeometry::*x)[3], double& scale) {
        const BandGeometry* p = &geo[static_cast<std::size_t>(2 * i) * B];
        const BandGeometry* q = &geo[static_cast<std::size_t>(2 * i + 1) * B];
        double S[3] = {0, 0, 0}, T[3] = {0, 0, 0}, worst = 0.0;
        for (int n = 0; n < B; ++n) {
            for (int a = 0; a < 3; ++a) {
                S[a] += (p[n].*x)[a];
                T[a] += (q[n].*x)[a];
            }
            const bool gap = n + 1 == B || (p[n + 1].energy - p[n].energy > degenerate && q[n + 1].energy - q[n].energy > degenerate);
            if (!gap) continue;
            double diff2 = 0.0;
            for (int a = 0; a < 3; ++a) {
                double DS = 0.0;
                for (int b = 0; b < 3; ++b) DS += f * g.R[a][b] * S[b];
                diff2 += (T[a] - DS) * (T[a] - DS);
                scale = std::fmax(scale, std::fmax(std::fabs(S[a]), std::fabs(T[a])));
            }
            worst = std::fmax(worst, std::sqrt(diff2));
        }
        return worst;
    };
    std::vector<double> de(static_cast<std::size_t>(count), 0.0), dO(de), dm(de);
    double omega_scale = a2, moment_scale = a2 * (1.0 + emax);
    for (int i = 0; i < count; ++i) {
        for (int n = 0; n < B; ++n)
            de[i] = std::fmax(de[i], std::fabs(geo[static_cast<std::size_t>(2 * i + 1) * B + n].energy -
                                               geo[static_cast<std::size_t>(2 * i) * B + n].energy));
        dO[i] = deviation(i, &BandGeometry::omega, omega_scale);
        dm[i] = deviation(i, &BandGeometry::m, moment_scale);
    }
    SymmetryDefect d;
    double worst_rel = -1.0;
    for (int i = 0; i < count; ++i) {
        const double e_rel = de[i] / (1.0 + emax), o_rel = omega_scale > 0.0 ? dO[i] / omega_scale : 0.0;
        const double m_rel = moment_scale > 0.0 ? dm[i] / moment_scale : 0.0;
        d.energy = std::fmax(d.energy, de[i]);
        d.energy_rel = std::fmax(d.energy_rel, e_rel);
        d.curvature_rel = std::fmax(d.curvature_rel, o_rel);
        d.moment_rel = std::fmax(d.moment_rel, m_rel);
        const double rel = std::fmax(e_rel, std::fmax(o_rel, m_rel));
        if (rel > worst_rel) {
            worst_rel = rel;
            for (int a = 0; a < 3; ++a) d.k[a] = k[static_cast<std::size_t>(2 * i)][a];
        }
    }
    return d;
}

SymmetryDefect check_model_symmetry(const ModelParams& model, const std::vector<PointOp>& generators,
                                    const double reciprocal[3][3], int dim, const std::string& energy_unit,
                                    const std::string& where) {
    SymmetryDefect worst;
    for (const PointOp& g : generators) {
        const SymmetryDefect d = symmetry_defect(model, g, reciprocal, dim);
        worst.energy = std::fmax(worst.energy, d.energy);
        worst.energy_rel = std::fmax(worst.energy_rel, d.energy_rel);
        worst.curvature_rel = std::fmax(worst.curvature_rel, d.curvature_rel);
        worst.moment_rel = std::fmax(worst.moment_rel, d.moment_rel);
        if (d.energy_rel <= kEnergyTolerance && d.curvature_rel <= kCurvatureTolerance && d.moment_rel <= kCurvatureTolerance)
            continue;
        throw InputError(fmt::format(
            "{}: the model does not have '{}': at k = ({:.6g}, {:.6g}, {:.6g}) and its image the band energies differ by up "
            "to {:.3g} {} ({:.3g} of 1 + max|ε|, at most {:g}), the Berry curvature by {:.3g} and the orbital moment by "
            "{:.3g} of their largest values (at most {:g}). A Wannier model has the symmetry of its crystal only if its Wannier functions do (e.g. symmetry-"
            "adapted Wannier functions); leave the operation out (docs/symmetry.md)",
            where, g.name, d.k[0], d.k[1], d.k[2], d.energy, energy_unit, d.energy_rel, kEnergyTolerance, d.curvature_rel,
            d.moment_rel, kCurvatureTolerance));
    }
    return worst;
}

}  // namespace bzint
