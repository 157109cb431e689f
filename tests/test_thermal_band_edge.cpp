// The transport at T > 0 whose thermal window reaches the bottom of the beam's pocket
// (host/tasks/pocket_bottom.hpp, docs/textures.md "The transport at T > 0"): the bottom found by
// descent (a smooth minimum) or as a cone's tip, against closed forms; and the thermal average with
// σ = 0 below it against the integral of each energy's closed form over the Fermi window.
#include <fmt/core.h>
#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <limits>
#include <string>

#include "tasks/pocket_bottom.hpp"
#include "test_util.hpp"

using namespace bzint;

namespace {


// A tilted massive cone ε = t k_x + sqrt(|k|² + Δ²) (t < 1): its minimum lies at k_x = −tΔ/sqrt(1 − t²),
// k_y = k_z = 0, where ε = Δ sqrt(1 − t²) (∂ε/∂k_x = t + k_x/sqrt(k_x² + Δ²) = 0).
double tilted_cone(const Momentum& k, double t, double gap) {
    return t * k[0] + std::sqrt(k[0] * k[0] + k[1] * k[1] + k[2] * k[2] + gap * gap);
}

// ∫ dε (−∂f/∂ε) σ(ε) over [bottom, μ + 40 k_B T] by Simpson's rule on 400 000 intervals: an
// independent quadrature of the thermal average (the weight beyond 40 k_B T is e^{−40}).
double fermi_window_integral(double mu, double T, double bottom, const std::function<double(double)>& sigma) {
    const int n = 400000;
    const double a = std::max(bottom, mu - 40 * T), b = mu + 40 * T, h = (b - a) / n;
    double sum = 0.0;
    for (int j = 0; j <= n; ++j) {
        const double e = a + j * h, c = std::cosh((e - mu) / (2 * T));
        const double f = sigma(e) / (4 * T * c * c);
        sum += f * (j == 0 || j == n ? 1 : (j % 2 ? 4 : 2));
    }
    return sum * h / 3;
}

// Massless or massive dirac2d (v = 1) with a round gaussian A exp(−r²/2w²), A = 1e-3, w = 5 (the
// Sommerfeld test's, tests/test_packet_beam.cpp), under a beam along +x from x = −60 at
// temperature T, k_0 = 0.
nlohmann::json gaussian_beam_at(double mass, double mu, double T, double dt, int steps) {
    return test::run_toml(fmt::format("[model]\nname = 'dirac2d'\nv = 1.0\nm = {}\n[texture]\nkind = 'uniform'\nexchange = 0.0\n"
                                      "direction = [0, 0, 1]\npotential = 'gaussian'\npotential_amplitude = 1e-3\n"
                                      "potential_width = 5.0\n[task]\nkind = 'trajectories'\nband = 'upper'\ndt = {}\nsteps = {}\n"
                                      "samples = 4\n[task.beam]\nenergy = {}\ndirection = [1, 0]\ncentre = [-60, 0]\nwidth = 60\n"
                                      "packets = 33\ntemperature = {}\n",
                                      mass, dt, steps, mu, T));
}

// The gaussian's small-angle transport at energy ε of a band with k_F = p and speed v (classical
// deflection first order in A, docs/textures.md): σ_tr = π^{3/2} A² w/(2 p² v²), so σ_xx n_i =
// (p/2)/σ_tr = p³ v²/(π^{3/2} A² w).
double gaussian_conductivity(double p, double v) { return p * p * p * v * v / (std::pow(kPi, 1.5) * 1e-6 * 5.0); }

// The summed normalised weight of the window's energies at or below `bottom` (21 energies).
double weight_below(double mu, double T, double bottom) {
    double total = 0.0, below = 0.0;
    for (int j = -10; j <= 10; ++j) {
        const double w = 1 / (4 * std::pow(std::cosh(j / 2.0), 2));
        total += w;
        if (mu + T * j <= bottom + 1e-12) below += w;
    }
    return below / total;
}

}  // namespace

TEST(PocketBottom, ATiltedMassiveConesMinimumIsItsClosedForm) {
    // From k_0 = (0.3, 0.2) off the minimum: Newton's steps on central differences (h = 5e-5) end
    // h² ε‴/6ε″ = 9e-10 from it, and the last step on the Richardson gradient takes that away (to its
    // rounding, 4 ulp/h/ε″ ~ 1e-11); the minimum's energy is quadratic in the momentum's error.
    const double t = 0.4, gap = 0.5;
    const PocketBottom b = pocket_bottom({0.3, 0.2, 0.0}, 2, 0.5, [&](const Momentum& k) { return tilted_cone(k, t, gap); });
    ASSERT_TRUE(b.found) << b.reason;
    EXPECT_FALSE(b.tip);
    const double kx = -t * gap / std::sqrt(1 - t * t);
    EXPECT_NEAR(b.k[0], kx, 1e-10);
    EXPECT_NEAR(b.k[1], 0.0, 1e-10);
    EXPECT_LT(std::hypot(b.k[0] - kx, b.k[1]), b.k_error + 1e-11);
    EXPECT_LT(b.k_error, 2e-9);
    EXPECT_NEAR(b.energy, gap * std::sqrt(1 - t * t), 1e-14);
    EXPECT_LT(b.error, 1e-14);
    EXPECT_LE(std::fabs(b.energy - gap * std::sqrt(1 - t * t)), b.error + 1e-15);
}

TEST(PocketBottom, InSpaceATiltedMassiveConesMinimumIsItsClosedForm) {
    // The same cone in 3D, from k_0 = (0.3, 0.2, −0.15): the descent over all three components ends
    // at its minimum as in the plane; in the plane k_z = −0.15 alone (dim 2) the minimum is that
    // plane's, k_x = −tΔ'/sqrt(1 − t²) with Δ'² = Δ² + k_z², its k_z left as k_0's.
    const double t = 0.4, gap = 0.5;
    auto band = [&](const Momentum& k) { return tilted_cone(k, t, gap); };
    const PocketBottom b = pocket_bottom({0.3, 0.2, -0.15}, 3, 0.5, band);
    ASSERT_TRUE(b.found) << b.reason;
    const double kx = -t * gap / std::sqrt(1 - t * t);
    EXPECT_NEAR(b.k[0], kx, 1e-9);  // (within its estimate, below: measured 2.7e-10 off)
    EXPECT_LT(b.k_error, 2e-9);
    EXPECT_EQ(b.k[1], 0.0);  // (below the momentum's resolution: read as 0)
    EXPECT_EQ(b.k[2], 0.0);
    EXPECT_LT(std::hypot(b.k[0] - kx, b.k[1], b.k[2]), b.k_error + 1e-11);
    EXPECT_NEAR(b.energy, gap * std::sqrt(1 - t * t), 1e-14);
    EXPECT_LE(std::fabs(b.energy - gap * std::sqrt(1 - t * t)), b.error + 1e-15);
    const PocketBottom plane = pocket_bottom({0.3, 0.2, -0.15}, 2, 0.5, band);
    ASSERT_TRUE(plane.found) << plane.reason;
    const double gap_in_plane = std::hypot(gap, 0.15);
    EXPECT_NEAR(plane.k[0], -t * gap_in_plane / std::sqrt(1 - t * t), 1e-10);
    EXPECT_EQ(plane.k[2], -0.15);
    EXPECT_NEAR(plane.energy, gap_in_plane * std::sqrt(1 - t * t), 1e-14);
}

TEST(PocketBottom, ATouchingIsItsConesTipWhereTheBandRisesAlongEveryDirection) {
    // ε = 0.2 + |k − k_0|(1 + 0.3 cos θ) + |k − k_0|²: not finite at k_0 itself (a touching); the
    // tip's energy by linear extrapolation leaves the quadratic term's 2ρ² (ρ = 1e-6 scale), which
    // the estimate holds (the change from the extrapolation at 2ρ, 4ρ).
    const Momentum k0 = {0.1, -0.2, 0.0};
    auto band = [&](const Momentum& k) {
        const double dx = k[0] - k0[0], dy = k[1] - k0[1], r = std::hypot(dx, dy);
        return r == 0.0 ? std::numeric_limits<double>::quiet_NaN() : 0.2 + r * (1 + 0.3 * dx / r) + r * r;
    };
    const PocketBottom b = pocket_bottom(k0, 2, 1.0, band);
    ASSERT_TRUE(b.found) << b.reason;
    EXPECT_TRUE(b.tip);
    EXPECT_EQ(b.k, k0);
    EXPECT_NEAR(b.energy, 0.2, 1e-11);
    EXPECT_LE(std::fabs(b.energy - 0.2), b.error);
    // A touching the band does not rise from along one direction is no bottom.
    const PocketBottom tilted = pocket_bottom(k0, 2, 1.0, [&](const Momentum& k) {
        const double dx = k[0] - k0[0], dy = k[1] - k0[1], r = std::hypot(dx, dy);
        return r == 0.0 ? std::numeric_limits<double>::quiet_NaN() : 0.2 + r + 1.5 * dx;
    });
    EXPECT_FALSE(tilted.found);
    EXPECT_NE(tilted.reason.find("no cone's tip"), std::string::npos) << tilted.reason;
    // In space (a Weyl node's): ε = 0.2 + |q|(1 + 0.3 q_z/|q|) + |q|², q = k − k_0, rises along each
    // of the 14 directions of the star; tilted along z by 1.5 it falls along −z.
    const Momentum node = {0.1, -0.2, 0.3};
    auto cone = [&](double tilt) {
        return [&node, tilt](const Momentum& k) {
            const double dx = k[0] - node[0], dy = k[1] - node[1], dz = k[2] - node[2], r = std::hypot(dx, dy, dz);
            return r == 0.0 ? std::numeric_limits<double>::quiet_NaN() : 0.2 + r + tilt * dz + r * r;
        };
    };
    const PocketBottom weyl = pocket_bottom(node, 3, 1.0, cone(0.3));
    ASSERT_TRUE(weyl.found) << weyl.reason;
    EXPECT_TRUE(weyl.tip);
    EXPECT_EQ(weyl.k, node);
    EXPECT_NEAR(weyl.energy, 0.2, 1e-11);
    EXPECT_LE(std::fabs(weyl.energy - 0.2), weyl.error);
    const PocketBottom over = pocket_bottom(node, 3, 1.0, cone(1.5));
    EXPECT_FALSE(over.found);
    EXPECT_NE(over.reason.find("does not rise from it along [0, 0, -1]"), std::string::npos) << over.reason;
    // A cone tilted over (type II) between the star's directions, ε = 0.2 + |q| + τ·q with |τ| = 1.2
    // along (1, 0.73, 0) (36° from the nearest of the 14, where it rises by 1 − 1.2 cos 36° > 0), is
    // caught along −τ̂, the tilt read off the axes; in the plane likewise |τ| = 1.05 at 22.5° (1 −
    // 1.05 cos 22.5° > 0 along the 8).
    auto tilted_over = [&](const Momentum& t) {
        return [&node, t](const Momentum& k) {
            const double dx = k[0] - node[0], dy = k[1] - node[1], dz = k[2] - node[2], r = std::hypot(dx, dy, dz);
            return r == 0.0 ? std::numeric_limits<double>::quiet_NaN() : 0.2 + r + t[0] * dx + t[1] * dy + t[2] * dz;
        };
    };
    const double c = 1.2 / std::hypot(1.0, 0.73);
    const PocketBottom type_two = pocket_bottom(node, 3, 1.0, tilted_over({c, 0.73 * c, 0.0}));
    EXPECT_FALSE(type_two.found);
    EXPECT_NE(type_two.reason.find("no cone's tip"), std::string::npos) << type_two.reason;
    const double a = std::acos(-1.0) / 8;
    const PocketBottom type_two_plane = pocket_bottom(node, 2, 1.0, tilted_over({1.05 * std::cos(a), 1.05 * std::sin(a), 0.0}));
    EXPECT_FALSE(type_two_plane.found);
    EXPECT_NE(type_two_plane.reason.find("no cone's tip"), std::string::npos) << type_two_plane.reason;
}

TEST(PocketBottom, ASaddleOrABandWithoutMinimumIsNotABottom) {
    const PocketBottom saddle = pocket_bottom({0.0, 0.0, 0.0}, 2, 1.0, [](const Momentum& k) { return k[0] * k[0] - k[1] * k[1]; });
    EXPECT_FALSE(saddle.found);
    EXPECT_NE(saddle.reason.find("saddle"), std::string::npos) << saddle.reason;
    const PocketBottom falling = pocket_bottom({0.1, 0.05, 0.0}, 2, 1.0, [](const Momentum& k) { return -(k[0] * k[0] + k[1] * k[1]); });
    EXPECT_FALSE(falling.found);
    EXPECT_NE(falling.reason.find("more than 200 steps"), std::string::npos) << falling.reason;
    const PocketBottom hole = pocket_bottom({0.5, 0.0, 0.0}, 2, 1.0, [](const Momentum& k) {
        const double r2 = k[0] * k[0] + k[1] * k[1];
        return r2 < 1e-2 ? std::numeric_limits<double>::quiet_NaN() : r2;
    });
    EXPECT_FALSE(hole.found);
    EXPECT_NE(hole.reason.find("not finite"), std::string::npos) << hole.reason;
}

TEST(ThermalBandEdge, AConesWindowBelowItsTipHasNoCarriersThereAndAveragesTheRestAsTheClosedFormSays) {
    // Massless dirac2d at μ = 0.3, k_B T = 0.05: the window reaches −0.2, below the upper band's
    // tip at k_0 = 0 (energy 0). σ(ε) = ε³/(π^{3/2} A² w) above it (p = ε, v = 1), 0 below: the
    // thermal average is the Fermi window's integral of it from 0 (independent Simpson quadrature;
    // −6 T³ Li_3(−e^{μ/T}) in closed form), within the estimate plus the closed form's own first
    // order in A, 2e-3 (the Sommerfeld test's allowance).
    const double mu = 0.3, T = 0.05;
    const auto doc = gaussian_beam_at(0.0, mu, T, 0.1, 1200);
    const auto& r = doc["results"];
    EXPECT_NEAR(r["pocket_bottom"].get<double>(), 0.0, 1e-12);
    EXPECT_EQ(r["pocket_bottom_momentum"], nlohmann::json({0.0, 0.0}));
    EXPECT_NE(doc["units"]["pocket_bottom"].get<std::string>().find("tip"), std::string::npos);
    // The energies −0.2, …, 0 (x ≤ −6) have no beams: 16 of the 21 run.
    EXPECT_NEAR(r["thermal_weight_below_bottom"].get<double>(), weight_below(mu, T, 0.0), 1e-15);
    ASSERT_EQ(r["beam_energy"].size(), 16u);
    EXPECT_NEAR(r["beam_energy"][0].get<double>(), 0.05, 1e-12);
    ASSERT_EQ(r["conductivity_times_density_by_energy"].size(), 16u);
    double listed = r["thermal_weight_below_bottom"].get<double>();
    for (const auto& w : r["thermal_weight"]) listed += w.get<double>();
    EXPECT_NEAR(listed, 1.0, 1e-14);
    const double exact = fermi_window_integral(mu, T, 0.0, [](double e) { return gaussian_conductivity(e, 1.0); });
    const double sigma = r["conductivity_times_density"][0][0].get<double>();
    const double estimate = doc["errors"]["conductivity_times_density"][0][0].get<double>();
    EXPECT_LT(std::fabs(sigma - exact), estimate + 2e-3 * exact) << sigma << " " << exact << " " << estimate;
    EXPECT_LT(estimate, 5e-3 * exact);
    // The window's energies below the tip hold the lower band's holes, which this pocket's transport
    // leaves out: a warning names them (host/tasks/other_carriers.hpp).
    ASSERT_TRUE(doc.contains("warnings"));
    std::string other;
    for (const auto& w : doc["warnings"])
        if (w.get<std::string>().find("carriers outside") != std::string::npos) other = w.get<std::string>();
    EXPECT_NE(other.find("carriers outside the band's pocket about k_0 in the thermal window [-0.2, 0.8]"), std::string::npos) << other;
    EXPECT_NE(other.find("band 0 (its values span ["), std::string::npos) << other;
    // Sommerfeld's μ³ + π² μ T² is the same integral from −∞ (the cubic continued below the tip):
    // the tip leaves out ∫_{−∞}^0 (−∂f/∂ε) ε³ dε < 0, 5.4e-5 of it here.
    const double sommerfeld = gaussian_conductivity(mu, 1.0) * (1 + kPi * kPi * T * T / (mu * mu));
    EXPECT_NEAR(exact / sommerfeld - 1, 5.4e-5, 1e-6);
}

TEST(ThermalBandEdge, AMassiveBandsWindowBelowItsMinimumAveragesItsEnergiesAboveIt) {
    // dirac2d m = 0.5 at μ = 0.65, k_B T = 0.02: the window reaches 0.45, below the upper band's
    // minimum ε = m at k_0 = 0 (found by descent). Above it p = sqrt(ε² − m²), v = p/ε, and σ(ε) =
    // p³ v²/(π^{3/2} A² w) ∝ (ε − m)^{5/2} from the onset; the slowest packets (v = 0.2 at ε = 0.51)
    // need steps of 0.5 over 800. The closed form is first order in A/(p v), which is 0.05 at ε =
    // 0.51 (a speed that changes with energy makes a next order of 0.45 to 0.75 A/(p v), measured
    // 3.8 % at 0.51 and 0.17 % at μ; A/(p v) is allowed, per energy and at μ for the average).
    const double mu = 0.65, T = 0.02, m = 0.5;
    const auto doc = gaussian_beam_at(m, mu, T, 0.5, 1600);
    const auto& r = doc["results"];
    EXPECT_NEAR(r["pocket_bottom"].get<double>(), m, 1e-14);
    EXPECT_LT(doc["errors"]["pocket_bottom"].get<double>(), 1e-14);
    EXPECT_EQ(r["pocket_bottom_momentum"], nlohmann::json({0.0, 0.0}));
    EXPECT_NEAR(r["thermal_weight_below_bottom"].get<double>(), weight_below(mu, T, m), 1e-15);
    ASSERT_EQ(r["beam_energy"].size(), 18u);  // 0.45, 0.47, 0.49 have none
    auto closed = [&](double e) {
        const double p = std::sqrt(e * e - m * m);
        return gaussian_conductivity(p, p / e);
    };
    for (std::size_t j = 0; j < 18; ++j) {
        const double e = r["beam_energy"][j].get<double>();
        const double p = std::sqrt(e * e - m * m), order = 1e-3 / (p * p / e);
        EXPECT_NEAR(r["conductivity_times_density_by_energy"][j][0][0].get<double>(), closed(e), order * closed(e)) << e;
    }
    const double p = std::sqrt(mu * mu - m * m), order = 1e-3 / (p * p / mu);  // 3.8e-3
    const double exact = fermi_window_integral(mu, T, m, closed);
    const double sigma = r["conductivity_times_density"][0][0].get<double>();
    const double estimate = doc["errors"]["conductivity_times_density"][0][0].get<double>();
    EXPECT_LT(std::fabs(sigma - exact), estimate + order * exact) << sigma << " " << exact << " " << estimate;
    EXPECT_LT(estimate, 5e-3 * exact);
    EXPECT_LT(std::fabs(r["conductivity_times_density"][1][0].get<double>()), 1e-6 * sigma);  // no skew
    // The lower band ends at −m, far below the window: no other carriers.
    for (const auto& w : doc.value("warnings", nlohmann::json::array()))
        EXPECT_EQ(w.get<std::string>().find("carriers outside"), std::string::npos) << w;
}
