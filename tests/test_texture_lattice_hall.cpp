// The exact lattice reference's Hall conductivity by the Kubo formula on the twists
// (texture_lattice, hall = true: sigma_xy; host/lattice/twist_kubo.hpp, docs/textures.md "The exact
// lattice reference"): the Fermi-sea Berry curvature of the superlattice's bands, at any μ and T.
#include <gtest/gtest.h>

#include <string>

#include "test_util.hpp"

namespace {

std::string lattice_task(const std::string& box, const std::string& twists, const std::string& mu, double T) {
    return "[task]\nkind = 'texture_lattice'\nbox = " + box + "\ntwists = " + twists + "\nhall = true\nbound_charge = false\nmu = " + mu +
           "\nT = " + std::to_string(T) + "\n";
}

const char* kNoTexture = "[texture]\nkind = 'uniform'\nexchange = 0.0\ndirection = [0, 0, 1]\n";

}  // namespace

TEST(TwistKubo, OneCellBoxIsTaskAhc) {
    // A 1 × 1 box has H(θ) = H_0(k = θ), so the Kubo sum on a 48 × 48 twist mesh is task ahc's
    // Fermi-sea integral on the same 48 × 48 mesh — an independent code (per-k Berry curvature,
    // energy bins with moment corrections, docs/fermi-scan.md, ~1e-6 relative at most). qwz at
    // u = −1.2 and T = 0.1 with μ in the lower band, in the gap (σ → −C = −1) and in the upper band.
    // Measured: equal to 2e-10.
    const std::string model = "[model]\nname = 'qwz'\nu = -1.2\n";
    const std::string mu = "[-1.5, -0.5, 0.0, 1.0]";
    const auto box = bzint::test::results(model + kNoTexture + lattice_task("[1, 1]", "[48, 48]", mu, 0.1));
    const auto ahc = bzint::test::results(model + "[mesh]\nn = [48, 48]\n[task]\nkind = 'ahc'\nmu = " + mu + "\nT = 0.1\n");
    for (std::size_t j = 0; j < 4; ++j)
        EXPECT_NEAR(box["sigma_xy"][j].get<double>(), ahc["sigma_xy"][j].get<double>(), 1e-8) << j;
    EXPECT_NEAR(box["sigma_xy"][2].get<double>(), -1.0, 2e-4);  // thermal: T = 0.1 against a gap of 0.4
    EXPECT_NEAR(box["hall_chern"][2].get<double>(), 1.0, 1e-10);
}

TEST(TwistKubo, AFoldedBoxIsTheOneCellBox) {
    // haldane (orbitals apart in the cell, so the twist's derivative carries their positions,
    // box_twist_derivatives) on a box of 2 × 3 cells with 12 × 8 twists samples the same momenta as
    // a 1 × 1 box with 24 × 24 twists, (t/n + j)/S, and its bands are those folded: the same
    // σ_xy to rounding (measured 3e-16), in the lower band, the gap and the upper band. Both are
    // task ahc's on that mesh (measured 2e-9: its energy bins) — which puts the orbitals at their
    // positions too, so a derivative that dropped τ would differ in a band.
    const std::string model = "[model]\nname = 'haldane'\nt2 = 0.15\nM = 0.2\nphi = 1.2\n";
    const std::string mu = "[-1.0, 0.0, 0.6]";
    const auto folded = bzint::test::results(model + kNoTexture + lattice_task("[2, 3]", "[12, 8]", mu, 0.05));
    const auto one = bzint::test::results(model + kNoTexture + lattice_task("[1, 1]", "[24, 24]", mu, 0.05));
    const auto ahc = bzint::test::results(model + "[mesh]\nn = [24, 24]\n[task]\nkind = 'ahc'\nmu = " + mu + "\nT = 0.05\n");
    for (std::size_t j = 0; j < 3; ++j) {
        EXPECT_NEAR(folded["sigma_xy"][j].get<double>(), one["sigma_xy"][j].get<double>(), 1e-12) << j;
        EXPECT_NEAR(one["sigma_xy"][j].get<double>(), ahc["sigma_xy"][j].get<double>(), 1e-7) << j;
    }
    EXPECT_NEAR(folded["hall_chern"][1].get<double>(), 1.0, 1e-10);
    EXPECT_NEAR(folded["sigma_xy"][1].get<double>(), -1.0, 1e-4);
}

TEST(TwistKubo, ABandNeedsTwistsThatResolveTheBoxsMinigaps) {
    // In a band of a textured box the superlattice's minibands anticross at μ with gaps far below
    // T, where the curvature is a spike the twist mesh must resolve: qwz (u = −1) with a skyrmion
    // per 8 × 8 cells (J = 0.4) at μ = −1 and T = 0.1 moves by 0.14 from 8 × 8 to 16 × 16 twists
    // (measured), and the sub-mesh estimate says so (0.53 at 8 × 8): the result carries the
    // accuracy warning rather than a silent number. Without the texture the same box is task
    // ahc's on its 64 × 64 momenta to 1e-7 (measured 1e-8).
    const std::string model = "[model]\nname = 'qwz'\nu = -1.0\n";
    const std::string skyrmion = "[texture]\nkind = 'skyrmion_lattice'\nexchange = 0.4\nperiod = 8.0\nradius = 4.0\n"
                                 "helicity = 1.5707963267948966\n";
    const auto coarse = bzint::test::run_toml(model + skyrmion + lattice_task("[8, 8]", "[8, 8]", "-1.0", 0.1));
    const auto fine = bzint::test::results(model + skyrmion + lattice_task("[8, 8]", "[16, 16]", "-1.0", 0.1));
    const double moved = std::abs(fine["sigma_xy"][0].get<double>() - coarse["results"]["sigma_xy"][0].get<double>());
    EXPECT_GT(moved, 0.01);
    EXPECT_GT(coarse["errors"]["sigma_xy"][0].get<double>(), moved);
    bool warned = false;
    for (const auto& w : coarse["warnings"])
        warned = warned || w.get<std::string>().find("sigma_xy[0]") != std::string::npos;
    EXPECT_TRUE(warned);
    const auto plain = bzint::test::results(model + kNoTexture + lattice_task("[8, 8]", "[8, 8]", "[-1.8, -1.0]", 0.1));
    const auto ahc = bzint::test::results(model + "[mesh]\nn = [64, 64]\n[task]\nkind = 'ahc'\nmu = [-1.8, -1.0]\nT = 0.1\n");
    for (std::size_t j = 0; j < 2; ++j) EXPECT_NEAR(plain["sigma_xy"][j].get<double>(), ahc["sigma_xy"][j].get<double>(), 1e-7) << j;
}
