// The electrons in a box and the densities of its cells by probing (texture_lattice, method = "kpm",
// bound_charge_trace = "probing", density_trace = "probing"; host/lattice/random_trace.hpp,
// docs/textures.md "The trace"): Tr f(H) and each cell's ⟨o|f(H)|o⟩ from random-phase draws split by
// colours, against the exact trace and every orbital's own recursion.
#include <gtest/gtest.h>

#include <algorithm>
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

TEST(DensitiesByProbing, EveryOrbitalItsOwnColourIsExact) {
    // density_trace = "probing" with d = the box: each colour one orbital, so each draw's estimate of
    // an orbital is r_o* (f(H) r)_o = f(H)_oo exactly — the map of every cell (map = true) is the
    // exact recursion's to 1e-10 (rounding: measured 1e-15) with no spread (below 1e-12), and the same
    // vectors' sums the exact electrons to 1e-10. With 2 × 2 twists the draws default to 4, for 12
    // degrees of freedom per position.
    const auto exact = bzint::test::results(six_box("map = true\n"));
    const auto every = bzint::test::run_toml(six_box("map = true\ndensity_trace = 'probing'\nbound_charge_trace = 'probing'\n"
                                                     "probing_distance = [6, 6]\n"));
    const auto& r = every["results"];
    EXPECT_EQ(r["density_trace"], "probing");
    EXPECT_EQ(r["density_draws"].get<long long>(), 4);
    EXPECT_EQ(r["electron_draws"].get<long long>(), 4);
    ASSERT_EQ(r["density"].size(), 36u);
    ASSERT_EQ(exact["density"].size(), 36u);
    for (std::size_t a = 0; a < 36; ++a) {
        EXPECT_EQ(r["r"][a], exact["r"][a]) << a;
        for (std::size_t j = 0; j < 3; ++j) {
            EXPECT_NEAR(r["density"][a][j].get<double>(), exact["density"][a][j].get<double>(), 1e-10) << a << " " << j;
            EXPECT_LT(r["density_stochastic_error"][a][j].get<double>(), 1e-12) << a << " " << j;
        }
    }
    for (std::size_t j = 0; j < 3; ++j) EXPECT_NEAR(r["electrons"][j].get<double>(), exact["electrons"][j].get<double>(), 1e-10) << j;
}

TEST(DensitiesByProbing, AgreeWithEachOrbitalsRecursionWithinTheirErrors) {
    // d = (2, 2): 8 colours × 4 draws per twist give every cell's density. Each estimate is
    // unbiased; its standard error comes from its spread over the draws (at most 12 degrees of
    // freedom over the twists), so the deviations from the exact densities over the 36 cells × 3
    // levels, in units of it, have an rms near 1 (a t-distribution with 12 degrees of freedom:
    // 1.10) and no large tail: for seeds 1 and 2 the rms lies in [0.8, 1.4] (measured 1.13, 1.02)
    // and the largest below 5 (measured 3.2, 3.2). (At d = 3, half the box, a colour partner is the
    // orbital's own image from both sides, whose elements add with the twist's phase: the twists'
    // variances differ, the degrees of freedom fall toward 3, and seeds 1–4 measured rms 0.83–1.30,
    // largest 5.1 — the task warns there.) The estimate of density holds twice the standard error.
    const auto exact = bzint::test::results(six_box("map = true\n"));
    for (const char* seed : {"1", "2"}) {
        const auto doc = bzint::test::run_toml(six_box("map = true\ndensity_trace = 'probing'\nbound_charge_trace = 'probing'\n"
                                                       "probing_distance = [2, 2]\nseed = " +
                                                       std::string(seed) + "\n"));
        const auto& r = doc["results"];
        double square = 0.0, largest = 0.0;
        for (std::size_t a = 0; a < 36; ++a)
            for (std::size_t j = 0; j < 3; ++j) {
                const double se = r["density_stochastic_error"][a][j].get<double>();
                ASSERT_GT(se, 1e-6) << seed << " " << a << " " << j;
                const double z = (r["density"][a][j].get<double>() - exact["density"][a][j].get<double>()) / se;
                square += z * z;
                largest = std::max(largest, std::fabs(z));
                EXPECT_GE(doc["errors"]["density"][a][j].get<double>(), 2.0 * se) << seed << " " << a << " " << j;
            }
        const double rms = std::sqrt(square / 108.0);
        EXPECT_GT(rms, 0.8) << seed;
        EXPECT_LT(rms, 1.4) << seed;
        EXPECT_LT(largest, 5.0) << seed;
        // The electrons from the same vectors: within 4 standard errors of the exact trace.
        for (std::size_t j = 0; j < 3; ++j)
            EXPECT_LT(std::fabs(r["bound_charge"][j].get<double>() - exact["bound_charge"][j].get<double>()),
                      4.0 * r["electrons_stochastic_error"][j].get<double>())
                << seed << " " << j;
    }
}

TEST(DensitiesByProbing, ElectronsAreTheTracesOfTheSameVectors) {
    // With the draws given (random_vectors = 2) both ways start from the same colour vectors, and the
    // electrons summed from the densities' diagonal (one product per moment) are the trace's
    // ⟨r_c|f(H)|r_c⟩ (two moments per product), the same sum rearranged: 1e-10 (rounding).
    const std::string probing = "bound_charge_trace = 'probing'\nprobing_distance = [3, 3]\nrandom_vectors = 2\n";
    const auto trace = bzint::test::results(six_box(probing));
    const auto both = bzint::test::results(six_box(probing + "density_trace = 'probing'\n"));
    for (std::size_t j = 0; j < 3; ++j) {
        EXPECT_NEAR(both["electrons"][j].get<double>(), trace["electrons"][j].get<double>(), 1e-10) << j;
        EXPECT_NEAR(both["electrons_stochastic_error"][j].get<double>(), trace["electrons_stochastic_error"][j].get<double>(), 1e-10) << j;
    }
}

TEST(DensitiesByProbing, DrawsDefaultToTenDegreesOfFreedom) {
    // 1 + ceil(10/twists): 4 draws with 2 × 2 twists (at most 12 degrees of freedom), 2 with 4 × 4
    // (16); below 10 the task warns, and at half the box (d = 3) it warns that fewer hold.
    const auto four = bzint::test::run_toml(six_box("density_trace = 'probing'\nbound_charge_trace = 'probing'\nprobing_distance = [2, 2]\n"));
    EXPECT_EQ(four["results"]["density_draws"].get<long long>(), 4);
    // (without bound_charge: the densities alone)
    std::string sixteen_twists = six_box("density_trace = 'probing'\nprobing_distance = [2, 2]\n");
    sixteen_twists.replace(sixteen_twists.find("twists = [2, 2]"), 15, "twists = [4, 4]");
    sixteen_twists.replace(sixteen_twists.find("bound_charge = true"), 19, "bound_charge = false");
    const auto two = bzint::test::run_toml(sixteen_twists);
    EXPECT_EQ(two["results"]["density_draws"].get<long long>(), 2);
    auto warns = [](const nlohmann::json& doc) {
        for (const auto& w : doc["warnings"])
            if (w.get<std::string>().find("density_stochastic_error rests on") != std::string::npos) return true;
        return false;
    };
    EXPECT_FALSE(warns(four));
    EXPECT_FALSE(warns(two));
    EXPECT_TRUE(warns(bzint::test::run_toml(
        six_box("density_trace = 'probing'\nbound_charge_trace = 'probing'\nprobing_distance = [2, 2]\nrandom_vectors = 2\n"))));
    const auto half_box = bzint::test::run_toml(six_box("density_trace = 'probing'\nbound_charge_trace = 'probing'\nprobing_distance = [3, 3]\n"));
    bool half = false;
    for (const auto& w : half_box["warnings"]) half = half || w.get<std::string>().find("half the box") != std::string::npos;
    EXPECT_TRUE(half);
}
