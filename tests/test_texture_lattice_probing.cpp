// The electrons in a box by probing (texture_lattice, method = "kpm", bound_charge_trace =
// "probing"; host/lattice/random_trace.hpp, docs/textures.md "The trace"): Tr f(H) from random-phase
// draws split by colours, against the trace over every orbital.
#include <gtest/gtest.h>

#include <cmath>
#include <string>

#include "lattice_test_util.hpp"
#include "test_util.hpp"

namespace {

// qwz (u = −1) with a skyrmion lattice of period 6 on a 6 × 6 box (72 orbitals), 2 × 2 twists, at
// T = 0.3 in the lower band, the gap and the upper band.
std::string six_box(const std::string& extra) {
    return "[model]\nname = 'qwz'\nu = -1.0\n" + bzint::test::skyrmion_lattice_texture(6) +
           "[task]\nkind = 'texture_lattice'\nbox = [6, 6]\ntwists = [2, 2]\nmu = [-1.0, 0.0, 1.0]\nT = 0.3\nmethod = 'kpm'\n"
           "bound_charge = true\n" +
           extra;
}

}  // namespace

TEST(ElectronsByProbing, EveryOrbitalItsOwnColourIsTheExactTrace) {
    // probing_distance = the box: each colour one orbital, its vector a unit vector times a phase of
    // modulus 1, so each draw is the exact trace (measured 1e-14 apart) with a spread of rounding
    // (2e-16 measured); asserted 1e-10 and 1e-12. The task warns that the exact trace costs less
    // (144 vectors per twist against 72).
    const auto exact = bzint::test::results(six_box(""));
    const auto every = bzint::test::run_toml(six_box("bound_charge_trace = 'probing'\nprobing_distance = [6, 6]\n"));
    EXPECT_EQ(every["results"]["bound_charge_trace"], "probing");
    EXPECT_EQ(every["results"]["probing_colours"].get<long long>(), 72);
    for (std::size_t j = 0; j < 3; ++j) {
        EXPECT_NEAR(every["results"]["electrons"][j].get<double>(), exact["electrons"][j].get<double>(), 1e-10) << j;
        EXPECT_NEAR(every["results"]["bound_charge"][j].get<double>(), exact["bound_charge"][j].get<double>(), 1e-10) << j;
        EXPECT_LT(every["results"]["electrons_stochastic_error"][j].get<double>(), 1e-12) << j;
    }
    bool warned = false;
    for (const auto& w : every["warnings"]) warned = warned || w.get<std::string>().find("costs less") != std::string::npos;
    EXPECT_TRUE(warned);
}

TEST(ElectronsByProbing, AgreesWithTheExactTraceWithinItsError) {
    // d = (3, 3): 18 colours × 2 draws = 36 vectors per twist for the electrons' trace. Its mean is
    // unbiased and its standard error comes from each colour's spread over the draws: the bound
    // charge lies within 4 of them of the exact trace's for seeds 1 and 2 (measured for seed 1:
    // standard errors 0.039, 0.014, 0.042 and deviations 0.027, 0.015, 0.016), and the estimate of
    // electrons and bound_charge holds twice the standard error.
    const auto exact = bzint::test::results(six_box(""));
    for (const char* seed : {"1", "2"}) {
        const auto doc = bzint::test::run_toml(six_box("bound_charge_trace = 'probing'\nprobing_distance = [3, 3]\nseed = " +
                                                      std::string(seed) + "\n"));
        const auto& r = doc["results"];
        EXPECT_EQ(r["electron_draws"].get<long long>(), 2);
        for (std::size_t j = 0; j < 3; ++j) {
            const double se = r["electrons_stochastic_error"][j].get<double>();
            EXPECT_GT(se, 1e-3) << seed << " " << j;
            EXPECT_LT(std::fabs(r["bound_charge"][j].get<double>() - exact["bound_charge"][j].get<double>()), 4.0 * se) << seed << " " << j;
            EXPECT_GE(doc["errors"]["bound_charge"][j].get<double>(), 2.0 * se) << seed << " " << j;
            EXPECT_GE(doc["errors"]["electrons"][j].get<double>(), 2.0 * se) << seed << " " << j;
        }
    }
}
