// The exact lattice reference of a textured model (task texture_lattice, docs/textures.md "The
// exact lattice reference"): its two solvers against each other, against the zone integral of a
// uniform texture, and the semiclassical density of task texture_density (Eqs. 23, 28 of the
// kinetic-equation paper) against it as the texture grows smooth.
#include <fmt/core.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "test_util.hpp"

namespace {

// qwz (u = −1, a Chern insulator) with a skyrmion lattice
// of period L (radius L/2, J = 0.4, Bloch helicity).
std::string skyrmion_model(int L) {
    return fmt::format("[model]\nname = 'qwz'\nu = -1.0\n[texture]\nkind = 'skyrmion_lattice'\nexchange = 0.4\n"
                       "period = {0}.0\nradius = {1}\nhelicity = 1.5707963267948966\n",
                       L, 0.5 * L);
}

// Positions along y = L/2 from the cell's edge to the skyrmion's centre, every L/16 cells.
std::string line_positions(int L) {
    std::string r = "[";
    const int step = std::max(1, L / 16);
    for (int x = 0; x <= L / 2; x += step) r += fmt::format("{}[{}, {}, 0]", x == 0 ? "" : ", ", x, L / 2);
    return r + "]";
}

}  // namespace

TEST(TextureLattice, DenseAndKernelPolynomialAgree) {
    // The same box (8 × 8 cells, 4 × 4 twists) by full diagonalisation and by the Chebyshev series
    // of f(H): the series is truncated below 1e-13 per orbital, so the densities, the electrons
    // and the bound charge agree to 1e-11 (rounding over 64 cells). In the gap and in a band.
    const std::string task = "[task]\nkind = 'texture_lattice'\nbox = [8, 8]\ntwists = [4, 4]\nmu = [0.0, 0.8]\nT = 0.1\n"
                             "r = " + line_positions(8) + "\n";
    const auto dense = bzint::test::results(skyrmion_model(8) + task + "method = 'dense'\n");
    const auto kpm = bzint::test::results(skyrmion_model(8) + task + "method = 'kpm'\nbound_charge = true\n");
    EXPECT_EQ(dense["method"], "dense");
    EXPECT_EQ(kpm["method"], "kpm");
    EXPECT_LT(kpm["series_tail"].get<double>(), 1e-13);
    for (std::size_t a = 0; a < dense["density"].size(); ++a)
        for (int j = 0; j < 2; ++j)
            EXPECT_NEAR(kpm["density"][a][j].get<double>(), dense["density"][a][j].get<double>(), 1e-12) << a << " " << j;
    for (int j = 0; j < 2; ++j) {
        EXPECT_NEAR(kpm["electrons"][j].get<double>(), dense["electrons"][j].get<double>(), 1e-10);
        EXPECT_NEAR(kpm["bound_charge"][j].get<double>(), dense["bound_charge"][j].get<double>(), 1e-10);
    }
}

TEST(TextureLattice, UniformTextureIsTheZoneIntegral) {
    // A uniform exchange field: the box's spectrum over its twists is the model's on the k-mesh
    // k = (t_i/n_i + j_i)/S_i G_i, here the Γ-centred 24² mesh, so each cell's density is
    // texture_density's zone sum on that mesh (without gradients its two densities are equal) to
    // 1e-12, and nothing is bound (the background is the texture itself). Box 3 × 3 with hoppings
    // that wrap onto the box itself, and a tilted direction (σ_x, σ_y terms).
    const std::string model = "[model]\nname = 'qwz'\nu = -1.3\n[texture]\nkind = 'uniform'\nexchange = 0.3\n"
                              "direction = [0.6, -0.48, 0.64]\n";
    const auto lattice = bzint::test::results(model + "[task]\nkind = 'texture_lattice'\nbox = [3, 3]\ntwists = [8, 8]\n"
                                                      "mu = [-0.5, 0.0, 0.9]\nT = 0.07\nr = [[0, 0, 0], [2, 1, 0]]\n");
    const auto zone = bzint::test::results(model + "[mesh]\nn = [24, 24]\n[task]\nkind = 'texture_density'\n"
                                                   "mu = [-0.5, 0.0, 0.9]\nT = 0.07\n");
    for (int a = 0; a < 2; ++a)
        for (int j = 0; j < 3; ++j) EXPECT_NEAR(lattice["density"][a][j].get<double>(), zone["density"][0][j].get<double>(), 1e-12);
    for (int j = 0; j < 3; ++j) {
        EXPECT_NEAR(lattice["bound_charge"][j].get<double>(), 0.0, 1e-11);
        EXPECT_NEAR(lattice["electrons"][j].get<double>(), 9.0 * zone["density"][0][j].get<double>(), 1e-11);
    }
}

TEST(TextureLattice, SemiclassicalDensityConvergesToTheExactOne) {
    // The test: the semiclassical density n(r) = Σ_s ∫ 𝒟_s f(ε_s + δε − μ) (Eqs. 23, 28,
    // task texture_density) against the exact lattice density (this task, kpm) along a line through
    // the skyrmion, as the texture's size L grows: with μ in the gap the gradient expansion's
    // error falls as L^-2 (measured 0.031, 0.0085, 0.0015 at L = 8, 16, 32: ratios 3.7, 5.8),
    // while without the corrections (f(ε_s − μ) alone) it falls only as L^-1 (0.040, 0.030,
    // 0.018). Both sides are converged far below these differences (T = 0.1: the twist and k-mesh
    // estimates are ≤ 1e-9).
    std::vector<double> corrected, plain;
    for (int L : {8, 16, 32}) {
        const std::string r = line_positions(L);
        const auto exact = bzint::test::results(skyrmion_model(L) +
                                                fmt::format("[task]\nkind = 'texture_lattice'\nbox = [{0}, {0}]\ntwists = [{1}, {1}]\n"
                                                            "method = 'kpm'\nmu = 0.0\nT = 0.1\nr = {2}\n",
                                                            L, std::max(2, 64 / L), r));
        const auto semi = bzint::test::results(skyrmion_model(L) + "[mesh]\nn = [128, 128]\n[task]\nkind = 'texture_density'\n"
                                                                   "mu = 0.0\nT = 0.1\nr = " + r + "\n");
        double c = 0.0, p = 0.0;
        for (std::size_t a = 0; a < exact["density"].size(); ++a) {
            const double n = exact["density"][a][0].get<double>();
            c = std::max(c, std::fabs(semi["density"][a][0].get<double>() - n));
            p = std::max(p, std::fabs(semi["density_uncorrected"][a][0].get<double>() - n));
        }
        corrected.push_back(c);
        plain.push_back(p);
    }
    EXPECT_GT(corrected[0] / corrected[1], 3.2);
    EXPECT_GT(corrected[1] / corrected[2], 4.0);
    EXPECT_LT(plain[0] / plain[1], 2.0);
    EXPECT_LT(plain[1] / plain[2], 2.0);
    EXPECT_LT(corrected[2], 0.1 * plain[2]);
}

TEST(TextureLattice, GappedBoxBindsNoNetCharge) {
    // With μ in the gap and T = 0.02 ≪ the gap, the box holds exactly its L² lower-band states
    // (none crosses the gap when the texture is switched on: J = 0.4 < min |d_0|): the bound charge
    // is 0 to 1e-10, an integer, while the texture moves charge about locally by ±0.02 per cell
    // (the density on the line through the skyrmion, 1 electron per cell far from it).
    const auto r = bzint::test::results(skyrmion_model(16) + "[task]\nkind = 'texture_lattice'\nbox = [16, 16]\n"
                                                             "twists = [2, 2]\nmu = 0.0\nT = 0.02\nr = " + line_positions(16) + "\n");
    EXPECT_NEAR(r["bound_charge"][0].get<double>(), 0.0, 1e-10);
    EXPECT_NEAR(r["electrons"][0].get<double>(), 256.0, 1e-10);
    double lo = 1e9, hi = -1e9;
    for (const auto& n : r["density"]) {
        lo = std::min(lo, n[0].get<double>());
        hi = std::max(hi, n[0].get<double>());
    }
    EXPECT_LT(lo, 0.99);
    EXPECT_GT(hi, 1.01);
}
