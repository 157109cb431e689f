// The exact lattice reference of a sliding texture's pump (task texture_lattice, pump = true,
// docs/textures.md "The pump of a sliding texture on the box"): the Chern numbers of the tori (t,
// twist) against the semiclassical pump of each chain (task phase_space_chern's plane (t, k1), a
// separate method on the continuum of phase space), and against the box's own bound charge, which
// the slide carries along (the electrons counted, not a Berry phase).
#include <fmt/core.h>
#include <gtest/gtest.h>

#include <cmath>
#include <string>

#include "test_util.hpp"

namespace {

// qwz (u = −1.5) with the spiral of examples/texture/spiral_sliding_pump.toml (J = 1, L = 8,
// helicity π/2) sliding along x at v.
std::string sliding_spiral(double v) {
    return fmt::format("[model]\nname = 'qwz'\nu = -1.5\n[texture]\nkind = 'spiral'\nexchange = 1.0\nperiod = 8.0\n"
                       "helicity = 1.5707963267948966\nvelocity = [{}, 0.0]\n",
                       v);
}

// qwz in its Chern gap (u = −1.2; or another model's section) with a skyrmion lattice (J = 1,
// L = 8, R = 4, Bloch helicity) sliding at v, on its 8 × 8 box at μ = 0, T = 0, with the bound
// charge.
nlohmann::json sliding_skyrmions(double vx, double vy, const std::string& model = "[model]\nname = 'qwz'\nu = -1.2\n") {
    return bzint::test::results(model + fmt::format(
        "[texture]\nkind = 'skyrmion_lattice'\nexchange = 1.0\nperiod = 8.0\nradius = 4.0\n"
        "helicity = 1.5707963267948966\nvelocity = [{}, {}]\n[task]\nkind = 'texture_lattice'\nbox = [8, 8]\ntwists = [4, 4]\n"
        "method = 'dense'\nmu = 0.0\nT = 0\nbound_charge = true\nr = [[0, 0, 0]]\npump = true\n",
        vx, vy));
}

}  // namespace

TEST(TextureLatticePump, EachChainOfASlidingSpiralPumpsItsPhaseSpaceChernNumber) {
    // The spiral varies along x alone, so the box of 8 × 1 cells at the twist θ_2 is the chain at
    // k_2 = θ_2: its torus (t, θ_1) over the period T = L/v = 160 counts the particles that chain
    // pumps along +x, the Chern number of phase_space_chern's plane (t, k1) at the same k2 (a
    // topological number, the same at every x where the gap stays open): +1 at k2 = 0 and 0 at
    // k2 = 1/4, 1/2, 3/4 (reduced). Exact integers from the link method (1e-10); the plane's
    // integral on 64² points to 1e-3 (measured 5e-4 at k2 = 1/4, where the chain's gap is 0.24).
    // Slid backwards (v = −0.3) the chain at k2 = 0 pumps −1.
    for (double v : {0.05, -0.3}) {
        const nlohmann::json box = bzint::test::results(sliding_spiral(v) +
                                                        "[task]\nkind = 'texture_lattice'\nbox = [8, 1]\ntwists = [8, 4]\n"
                                                        "method = 'dense'\nmu = 0.0\nT = 0\nr = [[0, 0, 0]]\npump = true\n");
        EXPECT_NEAR(box["pump_period"].get<double>(), 8.0 / std::fabs(v), 1e-9);
        EXPECT_TRUE(box["pump_gap"][1][0].is_null()) << "a chain one cell wide: along a_2 a level crosses mu";
        for (int p = 0; p < 4; ++p) {
            const nlohmann::json plane = bzint::test::results(
                sliding_spiral(v) +
                fmt::format("[task]\nkind = 'phase_space_chern'\nplane = ['t', 'k1']\nn = [64, 64]\nk = [0.0, {}]\n", 0.25 * p));
            const double semiclassical = plane["chern"][0].get<double>();
            const double exact = box["pump_chern"][0][p][0].get<double>();
            EXPECT_NEAR(exact, std::round(semiclassical), 1e-10) << "v = " << v << ", k2 = " << 0.25 * p;
            EXPECT_NEAR(semiclassical, std::round(semiclassical), 1e-3) << "v = " << v << ", k2 = " << 0.25 * p;
            if (p == 0) EXPECT_NEAR(exact, v > 0 ? 1.0 : -1.0, 1e-10);
        }
    }
}

TEST(TextureLatticePump, ASlidingSkyrmionLatticeCarriesItsBoundCharge) {
    // In qwz's Chern gap the skyrmion binds −1 electron (the box's electrons against the uniform
    // texture's, counted from the densities: an integer to 1e-9). Slid by one period L along +x it
    // carries that charge once through every cut of the box: the torus (t, θ_1) gives −1 at each
    // twist θ_2, and (t, θ_2) gives 0 (1e-10, the link method); per row of cells −1/8. Slid along
    // −x, +1; slid along +y, the roles of the axes swap.
    const nlohmann::json along_x = sliding_skyrmions(0.05, 0.0);
    const double bound = along_x["bound_charge"][0].get<double>();
    EXPECT_NEAR(bound, -1.0, 1e-9);
    for (int p = 0; p < 4; ++p) {
        EXPECT_NEAR(along_x["pump_chern"][0][p][0].get<double>(), bound, 1e-9) << "theta_2 index " << p;
        EXPECT_NEAR(along_x["pump_chern"][1][p][0].get<double>(), 0.0, 1e-10) << "theta_1 index " << p;
    }
    EXPECT_NEAR(along_x["pumped_per_chain"][0][0].get<double>(), bound / 8.0, 1e-9);
    // The box keeps a gap at μ over every torus (pump_gap: the nearest level, measured 0.06).
    EXPECT_GT(along_x["pump_gap"][0][0].get<double>(), 0.01);
    const nlohmann::json back = sliding_skyrmions(-0.05, 0.0), along_y = sliding_skyrmions(0.0, 0.05);
    for (int p = 0; p < 4; ++p) {
        EXPECT_NEAR(back["pump_chern"][0][p][0].get<double>(), -bound, 1e-9) << "theta_2 index " << p;
        EXPECT_NEAR(along_y["pump_chern"][1][p][0].get<double>(), bound, 1e-9) << "theta_1 index " << p;
        EXPECT_NEAR(along_y["pump_chern"][0][p][0].get<double>(), 0.0, 1e-10) << "theta_2 index " << p;
    }
}

TEST(TextureLatticePump, TwoCopiesOfAChernInsulatorPumpTwice) {
    // qwz_pair at g = 0 with equal masses is two uncoupled qwz copies, each with the exchange on its
    // own spin (an N-band model's box, 4 orbitals a cell): it binds −2 electrons and pumps −2 along
    // +x at every twist, 0 along a_2 (1e-9).
    const nlohmann::json pair = sliding_skyrmions(0.05, 0.0, "[model]\nname = 'qwz_pair'\nu1 = -1.2\nu2 = -1.2\ng = 0.0\n");
    EXPECT_NEAR(pair["bound_charge"][0].get<double>(), -2.0, 1e-9);
    for (int p = 0; p < 4; ++p) {
        EXPECT_NEAR(pair["pump_chern"][0][p][0].get<double>(), -2.0, 1e-9) << "theta_2 index " << p;
        EXPECT_NEAR(pair["pump_chern"][1][p][0].get<double>(), 0.0, 1e-10) << "theta_1 index " << p;
    }
}
