// The kernel polynomial method at T = 0 (task texture_lattice, method = "kpm", smoothing;
// docs/textures.md "T = 0 by the kernel polynomial method"): the step expanded as a Fermi
// function at k_B T_s, against the dense solver's exact T = 0 step on the same box — in a gap,
// where the two agree to the series' tolerance and the bound says so, and in a band, where the
// bound must hold the difference.
#include <fmt/core.h>
#include <gtest/gtest.h>

#include <cmath>
#include <string>

#include "lattice_test_util.hpp"
#include "test_util.hpp"

namespace {

// qwz (u = −1, gap 2) with the skyrmion lattice of period 8 (J = 0.4, radius 4) on its 8 × 8 box,
// 2 × 2 twists, at T = 0, the electrons counted.
std::string step_box(const std::string& method, const std::string& mu) {
    return "[model]\nname = 'qwz'\nu = -1.0\n" + bzint::test::skyrmion_lattice_texture(8) +
           "[task]\nkind = 'texture_lattice'\nbox = [8, 8]\ntwists = [2, 2]\nT = 0\nbound_charge = true\nr = " +
           bzint::test::line_positions(8) + "\nmu = " + mu + "\n" + method;
}

}  // namespace

TEST(KernelPolynomialStep, InAGapItIsTheDenseStep) {
    // μ = 0 in the box's gap (about 1.2 wide about μ): no level lies within 38 T_s = 0.19 of μ, so
    // the Fermi function at T_s = 0.005 is the step on every level to e^{-0.6/0.005}; the densities
    // agree with the dense solver's T = 0 ones to 1e-11, the electrons (a sum over 128 orbitals) and
    // the bound charge to 1e-9, and the bound (density_step_error, electrons_step_error) is below
    // 1e-12: the series' tolerance, 1e-13 per orbital, is all that is left (measured 2e-16 per
    // cell and 1.4e-14 for the box's 128 orbitals, where the worst case is 2 × 128 × 1e-13).
    const auto dense = bzint::test::run_toml(step_box("method = 'dense'\n", "0.0"));
    const auto kpm = bzint::test::run_toml(step_box("method = 'kpm'\nsmoothing = 0.005\n", "0.0"));
    const auto &d = dense["results"], &k = kpm["results"];
    EXPECT_NEAR(k["step_smoothing"].get<double>(), 0.005, 1e-15);
    EXPECT_NEAR(k["step_window"].get<double>(), 0.04, 1e-15);
    for (std::size_t a = 0; a < d["density"].size(); ++a) {
        EXPECT_NEAR(k["density"][a][0].get<double>(), d["density"][a][0].get<double>(), 1e-11) << a;
        EXPECT_LT(k["density_step_error"][a][0].get<double>(), 1e-12) << a;
    }
    EXPECT_NEAR(k["electrons"][0].get<double>(), 64.0, 1e-9);  // one state per cell below the gap
    EXPECT_NEAR(k["bound_charge"][0].get<double>(), d["bound_charge"][0].get<double>(), 1e-9);
    EXPECT_LT(k["electrons_step_error"][0].get<double>(), 1e-12);
    EXPECT_FALSE(bzint::test::warns_about(kpm, "levels within"));
}

TEST(KernelPolynomialStep, InABandTheBoundHoldsTheDifference) {
    // μ = 0.8 and 1.0 in the upper band, where the box's levels lie within T_s of μ: the smoothed
    // step counts them partly, and each density, the electrons and the bound charge differ from the
    // dense T = 0 values — by at most their bound (add_step_errors: each level's error is at most its
    // change across μ ∓ 8 T_s, over 1 − 2 f(8)), which the estimates hold and a warning names.
    // Measured: differences up to 0.28 electrons in the box and 0.04 per area in a cell, the bounds 3
    // to 60 times them (asserted: below 100 times, so that the bound stays informative).
    const auto dense = bzint::test::run_toml(step_box("method = 'dense'\n", "[0.8, 1.0]"));
    const auto kpm = bzint::test::run_toml(step_box("method = 'kpm'\nsmoothing = 0.01\n", "[0.8, 1.0]"));
    const auto &d = dense["results"], &k = kpm["results"];
    for (int j = 0; j < 2; ++j) {
        for (std::size_t a = 0; a < d["density"].size(); ++a) {
            const double difference = std::fabs(k["density"][a][j].get<double>() - d["density"][a][j].get<double>());
            EXPECT_LE(difference, k["density_step_error"][a][j].get<double>() + 1e-11) << a << " " << j;
            EXPECT_LE(k["density_step_error"][a][j].get<double>(), kpm["errors"]["density"][a][j].get<double>()) << a << " " << j;
        }
        const double difference = std::fabs(k["electrons"][j].get<double>() - d["electrons"][j].get<double>());
        EXPECT_LE(difference, k["electrons_step_error"][j].get<double>() + 1e-9) << j;
        EXPECT_LE(std::fabs(k["bound_charge"][j].get<double>() - d["bound_charge"][j].get<double>()),
                  kpm["errors"]["bound_charge"][j].get<double>())
            << j;
        EXPECT_GT(k["electrons_step_error"][j].get<double>(), 1e-3) << j;
        EXPECT_LT(k["electrons_step_error"][j].get<double>(), 100.0 * difference) << j;
    }
    EXPECT_TRUE(bzint::test::warns_about(kpm, "mu = 0.8: the box has levels within"));
}

TEST(KernelPolynomialStep, StredasCountInAGap) {
    // Středa's count at T = 0 (qwz u = −1 on an 8 × 8 box with one flux quantum, 2 × 2 twists): in
    // the gap the field adds one electron per flux quantum, qwz's Hall number +1 at u = −1 (as
    // hall_chern gives it in test_texture_lattice_field.cpp), by the dense step and by kpm at
    // T_s = 0.005 alike, to 1e-9, with a bound (the two boxes' changes) below 1e-12 (as measured
    // in the gap above; the worst case of the series' tolerance is 2.6e-11 per box) — where at
    // T = 0.05 the thermal pairs across the gap left 5e-5 (StredaCountOfASkyrmionLatticeIsItsHallNumber).
    const std::string box = fmt::format("[model]\nname = 'qwz'\nu = -1.0\n[texture]\nkind = 'uniform'\nexchange = 0.0\n"
                                        "direction = [0, 0, 1]\nB = {:.17g}\n[task]\nkind = 'texture_lattice'\nbox = [8, 8]\n"
                                        "twists = [2, 2]\nstreda = true\nbound_charge = true\nmu = 0.0\nT = 0\n"
                                        "r = [[0, 0, 0], [2, 5, 0]]\n",
                                        2.0 * 3.14159265358979323846 / 64.0);
    const auto dense = bzint::test::results(box + "method = 'dense'\n");
    const auto kpm = bzint::test::results(box + "method = 'kpm'\nsmoothing = 0.005\n");
    EXPECT_NEAR(dense["streda_hall"][0].get<double>(), kpm["streda_hall"][0].get<double>(), 1e-9);
    EXPECT_NEAR(kpm["streda_hall"][0].get<double>(), 1.0, 1e-9);
    EXPECT_LT(kpm["streda_hall_step_error"][0].get<double>(), 1e-12);
    for (int a = 0; a < 2; ++a)
        EXPECT_NEAR(dense["streda_local"][a][0].get<double>(), kpm["streda_local"][a][0].get<double>(), 1e-9) << a;
}

TEST(KernelPolynomialStep, ProbedInAGapTheWindowStaysEmpty) {
    // The same box in the gap with the densities and the electrons by probing (colours 2 cells
    // apart): the smoothed step's window sums come from the same draws, and in the gap the operator
    // f_s(H − μ + w) − f_s(H − μ − w) vanishes on every level to e^{−(0.6 − 0.04)/0.005}, so its
    // estimate is the series' rounding (below 1e-12) whatever the draws; the probed values lie within
    // their estimates (twice the standard error, plus the sub-mesh's) of the dense T = 0 ones.
    const auto dense = bzint::test::results(step_box("method = 'dense'\n", "0.0"));
    const auto kpm = bzint::test::run_toml(step_box("method = 'kpm'\nsmoothing = 0.005\ndensity_trace = 'probing'\n"
                                                    "bound_charge_trace = 'probing'\nprobing_distance = [2, 2]\n",
                                                    "0.0"));
    const auto& k = kpm["results"];
    for (std::size_t a = 0; a < dense["density"].size(); ++a) {
        EXPECT_LT(k["density_step_error"][a][0].get<double>(), 1e-12) << a;
        EXPECT_LE(std::fabs(k["density"][a][0].get<double>() - dense["density"][a][0].get<double>()),
                  kpm["errors"]["density"][a][0].get<double>())
            << a;
    }
    EXPECT_LT(k["electrons_step_error"][0].get<double>(), 1e-12);
    EXPECT_LE(std::fabs(k["electrons"][0].get<double>() - 64.0), kpm["errors"]["electrons"][0].get<double>());
}
