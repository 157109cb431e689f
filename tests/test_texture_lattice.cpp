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

#include "lattice_test_util.hpp"
#include "stop.hpp"
#include "test_util.hpp"

namespace {

using bzint::test::line_positions;

// qwz (u = −1, a Chern insulator) with a skyrmion lattice
// of period L (radius L/2, J = 0.4, Bloch helicity).
std::string skyrmion_model(int L) { return "[model]\nname = 'qwz'\nu = -1.0\n" + bzint::test::skyrmion_lattice_texture(L); }

}  // namespace

TEST(TextureLattice, DenseAndKernelPolynomialAgree) {
    // The same box (8 × 8 cells, 4 × 4 twists) by full diagonalisation and by the Chebyshev series
    // of f(H): the series is truncated below 1e-13 per orbital, so the densities agree to 1e-12,
    // the electrons and the bound charge (sums over 128 orbitals) to 1e-10. In the gap and in a band.
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
    // 1e-12, and nothing is bound (the background is the texture itself). A box of 3 × 2 cells
    // with hoppings that wrap onto the box itself and 8 × 12 twists (both Γ-centred 24-point
    // meshes: a swap of the axes would not be), a tilted direction (σ_x, σ_y terms), levels in
    // the bands and the gap; by both solvers.
    const std::string model = "[model]\nname = 'qwz'\nu = -1.3\n[texture]\nkind = 'uniform'\nexchange = 0.3\n"
                              "direction = [0.6, -0.48, 0.64]\n";
    const auto zone = bzint::test::results(model + "[mesh]\nn = [24, 24]\n[task]\nkind = 'texture_density'\n"
                                                   "mu = [-0.5, 0.0, 0.9]\nT = 0.07\n");
    for (const char* method : {"dense", "kpm"}) {
        const auto lattice = bzint::test::results(model + fmt::format("[task]\nkind = 'texture_lattice'\nbox = [3, 2]\n"
                                                                      "twists = [8, 12]\nmethod = '{}'\nbound_charge = true\n"
                                                                      "mu = [-0.5, 0.0, 0.9]\nT = 0.07\nr = [[0, 0, 0], [2, 1, 0]]\n",
                                                                      method));
        for (int a = 0; a < 2; ++a)
            for (int j = 0; j < 3; ++j)
                EXPECT_NEAR(lattice["density"][a][j].get<double>(), zone["density"][0][j].get<double>(), 1e-12) << method;
        for (int j = 0; j < 3; ++j) {
            EXPECT_NEAR(lattice["bound_charge"][j].get<double>(), 0.0, 1e-11) << method;
            EXPECT_NEAR(lattice["electrons"][j].get<double>(), 6.0 * zone["density"][0][j].get<double>(), 1e-11) << method;
        }
    }
}

TEST(TextureLattice, SemiclassicalDensityConvergesToTheExactOne) {
    // The test: the semiclassical density n(r) = Σ_s ∫ 𝒟_s f(ε_s + δε − μ) (Eqs. 23, 28,
    // task texture_density) against the exact lattice density (this task, kpm) along a line through
    // the skyrmion, as the texture's size L grows: with μ in the gap the gradient expansion's
    // error falls at least as L^-2 (0.031, 0.0085, 0.0015 at L = 8, 16, 32: ratios 3.7, 5.8; L^-2.9
    // from L = 32 to 128, docs/textures.md),
    // while without the corrections (f(ε_s − μ) alone) it falls only as L^-1 (0.041, 0.030,
    // 0.018). Both sides are converged far below these differences (T = 0.1: their own estimates,
    // from the twists' and the k-mesh's sub-meshes, are asserted below 1 % of the difference). A sign error in the hoppings' orientation or the texture's position would
    // spoil the L^-2: the corrections would then carry the wrong sign.
    std::vector<double> corrected, plain;
    for (int L : {8, 16, 32}) {
        const bzint::test::DensityDifference d = bzint::test::semiclassical_against_exact(skyrmion_model(L), L);
        EXPECT_LT(d.estimate, 0.01 * d.corrected) << L;
        corrected.push_back(d.corrected);
        plain.push_back(d.plain);
    }
    EXPECT_GT(corrected[0] / corrected[1], 3.2);
    EXPECT_GT(corrected[1] / corrected[2], 4.0);
    EXPECT_LT(plain[0] / plain[1], 2.0);
    EXPECT_LT(plain[1] / plain[2], 2.0);
    EXPECT_LT(corrected[2], 0.1 * plain[2]);
}

TEST(TextureLattice, ZeroTemperatureIsTheZoneSumsStep) {
    // T = 0 (dense): each state below μ is filled, as texture_density fills the k-points of its
    // mesh, so a uniform texture's box (3 × 2 cells, 8 × 12 twists: the Γ-centred 24² mesh, as in
    // UniformTextureIsTheZoneIntegral) has texture_density's T = 0 zone sum on that mesh as each
    // cell's density, to 1e-12, in the bands and in the gap; nothing is bound. The kernel
    // polynomial method at T = 0 needs `smoothing` (tests/test_texture_lattice_step.cpp).
    const std::string model = "[model]\nname = 'qwz'\nu = -1.3\n[texture]\nkind = 'uniform'\nexchange = 0.3\n"
                              "direction = [0.6, -0.48, 0.64]\n";
    const auto zone = bzint::test::results(model + "[mesh]\nn = [24, 24]\n[task]\nkind = 'texture_density'\n"
                                                   "mu = [-0.5, 0.0, 0.9]\nT = 0.0\n");
    const auto lattice = bzint::test::results(model + "[task]\nkind = 'texture_lattice'\nbox = [3, 2]\ntwists = [8, 12]\n"
                                                      "mu = [-0.5, 0.0, 0.9]\nT = 0.0\nr = [[0, 0, 0], [2, 1, 0]]\n");
    EXPECT_EQ(lattice["method"], "dense");
    for (int a = 0; a < 2; ++a)
        for (int j = 0; j < 3; ++j) EXPECT_NEAR(lattice["density"][a][j].get<double>(), zone["density"][0][j].get<double>(), 1e-12);
    for (int j = 0; j < 3; ++j) EXPECT_NEAR(lattice["bound_charge"][j].get<double>(), 0.0, 1e-12);
    EXPECT_NEAR(lattice["electrons"][1].get<double>(), 6.0, 1e-12);  // the gap: one state per cell
}

TEST(TextureLattice, ZeroTemperatureCountsAreWhole) {
    // At T = 0 the gapped box's counts are integers with no thermal pairs: the weakly coupled
    // skyrmion lattice (J = 0.4) binds exactly 0 electrons, the strongly coupled one (J = 1.5,
    // test SkyrmionLatticeHallResponse) exactly −7 (137 states below μ = 0 against the background's
    // 144), to 1e-10.
    const std::string task = "[task]\nkind = 'texture_lattice'\nbox = [12, 12]\ntwists = [2, 2]\nmu = 0.0\nT = 0.0\n";
    const auto weak = bzint::test::results(skyrmion_model(12) + task);
    EXPECT_NEAR(weak["bound_charge"][0].get<double>(), 0.0, 1e-10);
    EXPECT_NEAR(weak["electrons"][0].get<double>(), 144.0, 1e-10);
    std::string strong = skyrmion_model(12);
    strong.replace(strong.find("exchange = 0.4"), 14, "exchange = 1.5");
    const auto r = bzint::test::results(strong + task);
    EXPECT_NEAR(r["bound_charge"][0].get<double>(), -7.0, 1e-10);
    EXPECT_NEAR(r["electrons"][0].get<double>(), 137.0, 1e-10);
}

TEST(TextureLattice, ZeroTemperatureLevelAtMuIsHalfFilled) {
    // A level on μ at T = 0 is counted half filled, the limit T → 0+ of f(0) = 1/2, with a
    // warning: a 1 × 1 box of qwz (u = 0.5) with 2 × 2 twists has the levels of H(k) at k = 0,
    // (π, 0), (0, π), (π, π): ±2.5, ±0.5, ±0.5, ±1.5. At μ = 0.5 the two levels at +0.5 are half
    // filled: (1 + 1.5 + 1.5 + 1)/4 = 1.25 electrons in the box (the mean over the twists); just
    // above, 1.5.
    const auto doc = bzint::test::run_toml("[model]\nname = 'qwz'\nu = 0.5\n[texture]\nkind = 'uniform'\nexchange = 0.0\n"
                                           "direction = [0, 0, 1]\n[task]\nkind = 'texture_lattice'\nbox = [1, 1]\n"
                                           "twists = [2, 2]\nmu = [0.5, 0.6]\nT = 0.0\n");
    EXPECT_NEAR(doc["results"]["electrons"][0].get<double>(), 1.25, 1e-12);
    EXPECT_NEAR(doc["results"]["electrons"][1].get<double>(), 1.5, 1e-12);
    bool warned = false;
    for (const auto& w : doc["warnings"]) warned = warned || w.get<std::string>().find("mu = 0.5 lies on") != std::string::npos;
    EXPECT_TRUE(warned);
}

TEST(TextureLattice, GappedBoxBindsNoNetCharge) {
    // With μ in the gap and T = 0.02 ≪ the gap, the box holds exactly its L² lower-band states
    // (none crosses the gap when the texture is switched on: J = 0.4 < min_k |d_0(k)| = 1): the bound charge
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

TEST(TextureLattice, HallResponseOfAUniformTextureIsTaskChern) {
    // The twists' Chern number of the states below μ (Niu–Thouless–Wu, by the link method) for a
    // uniform exchange field along z, which shifts qwz's mass: u = −1.3 + 0.3 = −1.0, whose filled
    // band has C = +1 (task chern, the closed form sgn-rule of QWZ for −2 < u < 0; the same sign
    // convention). A box of 3 × 2 cells (its 6 filled states carry C = +1 together), μ in the gap;
    // below the spectrum C = 0; in a band the count of states below μ changes with the twist and
    // there is no number (null, with a warning). The 4 × 6 sub-mesh agrees: estimate ≤ 1e-10.
    const std::string model = "[model]\nname = 'qwz'\nu = -1.3\n[texture]\nkind = 'uniform'\nexchange = 0.3\n"
                              "direction = [0, 0, 1]\n";
    const auto doc = bzint::test::run_toml(model + "[task]\nkind = 'texture_lattice'\nbox = [3, 2]\ntwists = [8, 12]\n"
                                                   "hall = true\nmu = [-10.0, 0.0, 2.0]\nT = 0.05\n");
    const auto chern = bzint::test::results("[model]\nname = 'qwz'\nu = -1.0\n[mesh]\nn = [48, 48]\n[task]\nkind = 'chern'\n");
    const auto& r = doc["results"];
    EXPECT_NEAR(r["hall_chern"][0].get<double>(), 0.0, 1e-12);
    EXPECT_NEAR(r["hall_chern"][1].get<double>(), chern["chern"][0].get<double>(), 1e-10);
    EXPECT_NEAR(r["hall_chern"][1].get<double>(), 1.0, 1e-10);
    EXPECT_LT(doc["errors"]["hall_chern"][1].get<double>(), 1e-10);
    EXPECT_EQ(r["filled_states"][1].get<long long>(), 6);
    EXPECT_TRUE(r["hall_chern"][2].is_null());
    EXPECT_TRUE(r["filled_states"][2].is_null());
    EXPECT_TRUE(r["box_gap"][2].is_null());
    ASSERT_TRUE(doc.contains("warnings"));
    bool named = false;
    for (const auto& w : doc["warnings"]) named = named || w.get<std::string>().find("mu = 2 is not in a gap of the box") != std::string::npos;
    EXPECT_TRUE(named);
}

TEST(TextureLattice, SkyrmionLatticeHallResponse) {
    // The texture's Hall response, exactly: qwz (u = −1, C = +1) with one skyrmion (Q = −1) per
    // 12 × 12 cells. At J = 0.4 < min|d_0| = 1 the box's gap stays open (0.61) and C stays +1;
    // at J = 1.5, where |d_0(k)| < J on part of the zone, 7 states have crossed the gap (137
    // filled, bound charge → −7 as T → 0) and C = −1: the topological Hall response of the
    // strongly coupled texture. Measured here, with no independent value: the test holds the
    // integers, that the 4 × 4 twist sub-mesh gives the same (estimates ≤ 1e-10), and the crossing.
    const std::string task = "[task]\nkind = 'texture_lattice'\nbox = [12, 12]\ntwists = [8, 8]\nhall = true\nmu = 0.0\nT = 0.05\n";
    const auto weak = bzint::test::run_toml(skyrmion_model(12) + task);
    EXPECT_NEAR(weak["results"]["hall_chern"][0].get<double>(), 1.0, 1e-10);
    EXPECT_EQ(weak["results"]["filled_states"][0].get<long long>(), 144);
    EXPECT_GT(weak["results"]["box_gap"][0].get<double>(), 0.5);
    EXPECT_LT(weak["errors"]["hall_chern"][0].get<double>(), 1e-10);
    std::string strong_model = skyrmion_model(12);
    strong_model.replace(strong_model.find("exchange = 0.4"), 14, "exchange = 1.5");
    const auto strong = bzint::test::run_toml(strong_model + task);
    EXPECT_NEAR(strong["results"]["hall_chern"][0].get<double>(), -1.0, 1e-10);
    EXPECT_EQ(strong["results"]["filled_states"][0].get<long long>(), 137);
    EXPECT_LT(strong["errors"]["hall_chern"][0].get<double>(), 1e-10);
    EXPECT_NEAR(strong["results"]["bound_charge"][0].get<double>(), -7.0, 0.1);
    // The Kubo formula's σ_xy on the same twists (twist_kubo.hpp): −C, up to the thermal tails —
    // below 1e-6 across the weak box's gap of 0.61 at T = 0.05 (measured −1.0000005, estimate
    // 2.6e-6), 2e-3 across the strong box's 0.052 (measured +0.99797, estimate 3.2e-5).
    EXPECT_NEAR(weak["results"]["sigma_xy"][0].get<double>(), -1.0, 1e-5);
    EXPECT_NEAR(strong["results"]["sigma_xy"][0].get<double>(), 1.0, 3e-3);
    EXPECT_LT(strong["errors"]["sigma_xy"][0].get<double>(), 1e-4);
}

TEST(TextureLattice, CtrlCStopsEachStage) {
    // A stop requested after a few units (one per diagonalisation, kernel-polynomial job or Hall
    // link; stop.hpp) ends the run with Interrupted in each stage — the dense twists, the kpm
    // jobs, the Hall links (after the 16 diagonalisations), the kpm Hall's start vectors (after the
    // 32 density jobs), the electrons' probing vectors (after the same 32), the densities' probing
    // vectors (after 5 of them), the pump's tori (after the 16 twists' diagonalisations) — and a
    // new run starts clear.
    const std::string base = skyrmion_model(8) + "[task]\nkind = 'texture_lattice'\nbox = [8, 8]\ntwists = [4, 4]\nmu = 0.0\nT = 0.1\n";
    for (const auto& [extra, units] : std::vector<std::pair<std::string, long long>>{
             {"method = 'dense'\n", 3}, {"method = 'kpm'\nbound_charge = true\n", 5}, {"hall = true\n", 20},
             {"method = 'kpm'\nhall = true\nbroadening = 0.4\nrandom_vectors = 4\n", 40},
             {"method = 'kpm'\nbound_charge = true\nbound_charge_trace = 'probing'\nprobing_distance = [4, 4]\n", 40},
             {"method = 'kpm'\nmap = true\ndensity_trace = 'probing'\nprobing_distance = [4, 4]\n", 5}}) {
        bzint::stop_after(units);
        EXPECT_THROW(bzint::test::run_toml(base + extra), bzint::Interrupted) << extra;
        bzint::stop_after(-1);
        bzint::clear_stop();
    }
    bzint::stop_after(20);
    EXPECT_THROW(bzint::test::run_toml(skyrmion_model(8) + "velocity = [0.05, 0.0]\n[task]\nkind = 'texture_lattice'\nbox = [8, 8]\n"
                                                           "twists = [4, 4]\nmu = 0.0\nT = 0.1\npump = true\n"),
                 bzint::Interrupted)
        << "pump";
    bzint::stop_after(-1);
    bzint::clear_stop();
    EXPECT_NO_THROW(bzint::test::run_toml(base));
}
