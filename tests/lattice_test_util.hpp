// Run files and measurements the lattice-reference tests share (task texture_lattice against the
// semiclassical tasks, docs/textures.md "The exact lattice reference").
#pragma once
#include <fmt/core.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "test_util.hpp"

namespace bzint::test {

// A skyrmion lattice of period L (radius L/2, J = 0.4, Bloch helicity): its [texture] section.
inline std::string skyrmion_lattice_texture(int L) {
    return fmt::format("[texture]\nkind = 'skyrmion_lattice'\nexchange = 0.4\nperiod = {0}.0\nradius = {1}\n"
                       "helicity = 1.5707963267948966\n",
                       L, 0.5 * L);
}

// Positions along y = L/2 from the cell's edge to the skyrmion's centre, every L/16 cells.
inline std::string line_positions(int L) {
    std::string r = "[";
    const int step = std::max(1, L / 16);
    for (int x = 0; x <= L / 2; x += step) r += fmt::format("{}[{}, {}, 0]", x == 0 ? "" : ", ", x, L / 2);
    return r + "]";
}

// The semiclassical density (task texture_density, 128² mesh) against the exact one (kpm, L × L box,
// max(2, 64/L) twists per axis) along line_positions(L) at μ = 0, T = 0.1, for a textured model
// (`model`: its [model] and [texture] sections): the largest difference with Eqs. 23, 28 and
// without them, and the largest of both sides' own estimates.
struct DensityDifference {
    double corrected = 0.0, plain = 0.0, estimate = 0.0;
};
inline DensityDifference semiclassical_against_exact(const std::string& model, int L) {
    const std::string r = line_positions(L);
    const auto exact = run_toml(model + fmt::format("[task]\nkind = 'texture_lattice'\nbox = [{0}, {0}]\ntwists = [{1}, {1}]\n"
                                                    "method = 'kpm'\nmu = 0.0\nT = 0.1\nr = {2}\n",
                                                    L, std::max(2, 64 / L), r));
    const auto semi = run_toml(model + "[mesh]\nn = [128, 128]\n[task]\nkind = 'texture_density'\nmu = 0.0\nT = 0.1\nr = " + r + "\n");
    DensityDifference d;
    for (std::size_t a = 0; a < exact["results"]["density"].size(); ++a) {
        d.estimate = std::max({d.estimate, exact["errors"]["density"][a][0].get<double>(), semi["errors"]["density"][a][0].get<double>()});
        const double n = exact["results"]["density"][a][0].get<double>();
        d.corrected = std::max(d.corrected, std::fabs(semi["results"]["density"][a][0].get<double>() - n));
        d.plain = std::max(d.plain, std::fabs(semi["results"]["density_uncorrected"][a][0].get<double>() - n));
    }
    return d;
}

// |Středa's exact local response − the semiclassical dn/dB| per level: the box of L × L cells with
// one flux quantum (`model_in_field`: its [model] and [texture] sections), 4 × 4 twists, kpm at one
// cell, at the levels and T of `levels` (run-file text), against task streda's `dn_dB` (in e/h =
// 1/2π with ħ = e = 1: 2π dn/dB in it is its number).
inline std::vector<double> streda_difference(const std::string& model_in_field, int L, const std::string& levels,
                                             const nlohmann::json& semiclassical) {
    const auto exact = results(model_in_field +
                               fmt::format("[task]\nkind = 'texture_lattice'\nbox = [{0}, {0}]\ntwists = [4, 4]\nmethod = 'kpm'\n"
                                           "bound_charge = false\nstreda = true\n",
                                           L) +
                               levels);
    std::vector<double> e;
    for (std::size_t j = 0; j < semiclassical["dn_dB"].size(); ++j)
        e.push_back(std::fabs(exact["streda_local"][0][j].get<double>() - semiclassical["dn_dB"][j].get<double>()));
    return e;
}

}  // namespace bzint::test
