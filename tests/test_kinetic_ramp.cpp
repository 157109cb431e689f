// The homogeneous kinetic equation under a ramp (include/bzint/kinetic_ramp.hpp, task
// kinetic_ramp; docs/textures.md): Eq. 44's field ramp against the Středa response of Eq. 45 and
// its even split between the bands, per k against the curvature change, and Eq. 50's mass ramp
// against its first-order closed form with the radial band flow of Fig. 7.
#include <fmt/core.h>
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "bzint/fermi.hpp"
#include "test_util.hpp"

using namespace bzint;

namespace {

// The run's JSON and its map <title>_kinetic_ramp.csv as rows of column → value.
struct RampRun {
    nlohmann::json doc;
    std::vector<std::map<std::string, double>> rows;
};

RampRun run_ramp(const std::string& text) {
    const test::TempDir dir;
    RampRun r;
    r.doc = run(RunFile::parse(text, "ramp.toml"), Backend::cpu, RunOptions{dir.path(), false, true});
    std::ifstream csv(dir / "ramp_kinetic_ramp.csv");
    std::string line;
    std::getline(csv, line);  // the description
    std::getline(csv, line);
    std::vector<std::string> columns;
    {
        std::stringstream header(line);
        std::string cell;
        while (std::getline(header, cell, ',')) columns.push_back(cell);
    }
    while (std::getline(csv, line)) {
        std::stringstream row(line);
        std::string cell;
        std::map<std::string, double> values;
        for (const std::string& c : columns) {
            std::getline(row, cell, ',');
            values[c] = std::strtod(cell.c_str(), nullptr);
        }
        r.rows.push_back(values);
    }
    return r;
}

}  // namespace

TEST(KineticRamp, FieldRampInAChernInsulatorGivesStredaSplitEvenlyBetweenTheBands) {
    // qwz at u = −1.2 (C_lower = +1, docs/conventions.md) with μ = 0 in its gap (|d| ≥ 0.8, so at
    // T = 0.02 every f is 0 or 1 to e^-40). B ramps from 0 to 1e-3. With n_z = −1 Eq. 36 gives each
    // band ∂_t n_s = −∂_t𝓕/4 (the Lorentz force moves no flat distribution), so Σ_s δn_s = −δ𝓕/2 =
    // B Ω_lower and ∂n/∂B = C e/h (Eq. 45) in all — half on each band (Eq. 44: the per-band Středa
    // response fails), where the equilibrium 𝒟_s f puts all of it on the lower band. 𝓕 is linear in
    // t, so Runge–Kutta is exact; the mesh sum of the smooth Ω converges exponentially (60² to 1e-10).
    const std::string chern_insulator = "[model]\nname = 'qwz'\nu = -1.2\n[mesh]\nn = [60, 60]\n";
    const auto doc = test::run_toml(chern_insulator + R"(
[texture]
kind = "uniform"
exchange = 0.0
direction = [0, 0, 1]
B = 0.001
[task]
kind = "kinetic_ramp"
mu = 0.0
T = 0.02
B_start = 0.0
duration = 20.0
steps = 20
)");
    const auto& r = doc["results"];
    EXPECT_NEAR(r["dn_dB"][2].get<double>(), 1.0, 1e-8);
    EXPECT_NEAR(r["dn_dB"][0].get<double>(), 0.5, 1e-8);
    EXPECT_NEAR(r["dn_dB"][1].get<double>(), 0.5, 1e-8);
    EXPECT_NEAR(r["dn_dB_equilibrium"][0].get<double>(), 1.0, 1e-8);
    EXPECT_NEAR(r["dn_dB_equilibrium"][1].get<double>(), 0.0, 1e-12);
    EXPECT_NEAR(r["density_change"][2].get<double>(), 1e-3 / (2 * kPi), 1e-12);
    for (int b = 0; b < 3; ++b) EXPECT_LT(doc["errors"]["density_change"][b].get<double>(), 1e-12) << b;
    // The same split by task streda's closed forms (an independent code path): its band-projected
    // ∂n/∂B (the SU(N) paper's Eq. 16) is the kinetic one, its wave-packet ∂n/∂B per band the
    // equilibrium's.
    const auto streda = test::results(chern_insulator + R"(
[task]
kind = "streda"
mu = 0.0
T = 0.02
)");
    for (int b = 0; b < 2; ++b) {
        EXPECT_NEAR(r["dn_dB"][b].get<double>(), streda["dn_dB_band_projected"][0][b].get<double>(), 1e-10) << b;
        EXPECT_NEAR(r["dn_dB_equilibrium"][b].get<double>(), streda["dn_dB_band"][0][b].get<double>(), 1e-10) << b;
    }
}

TEST(KineticRamp, FieldRampMovesEachStateByTheCurvatureChange) {
    // dirac2d (v = 1, m = 0.5) in a metal (μ = 1, T = 0.2), B ramped 0 → 2e-3 over t = 20. The
    // Lorentz force and the Berry terms of Eq. 24 move k around circles, along which every n_s, 𝓕
    // and ε is constant, so per k both bands gain (n_z/4) δ𝓕, n_z = f(E − μ) − f(−E − μ) unchanged,
    // and 𝓕 = −B m/E³ (docs/conventions.md: 𝒟_s = 1 + s𝓕/2 = 1 + B Ω_s, Ω_upper = −m/2E³): exactly
    // δn_s = −n_z B m/(4E³). The only error is the flow across the circles that the fourth-order
    // differences make on a Cartesian mesh, largest on the Fermi circle: it must fall as h⁴ — by
    // 2⁴ = 16 from 80² to 160² points (checked within [10, 25]) — and is below 1e-6 of the
    // 1.5e-4 largest change at 160².
    const double B = 2e-3, m = 0.5, mu = 1.0, T = 0.2;
    auto worst_at = [&](int n) {
        const RampRun run = run_ramp(fmt::format(R"(
[model]
name = "dirac2d"
v = 1.0
m = {}
kcut = 4.0
[mesh]
n = [{}, {}]
[texture]
kind = "uniform"
exchange = 0.0
direction = [0, 0, 1]
B = {}
[task]
kind = "kinetic_ramp"
mu = {}
T = {}
B_start = 0.0
duration = 20.0
steps = 20
map = true
)",
                                                 m, n, n, B, mu, T));
        EXPECT_EQ(run.rows.size(), static_cast<std::size_t>(n * n));
        double largest = 0.0, worst = 0.0;
        for (const auto& row : run.rows) {
            const double E = std::hypot(std::hypot(row.at("kx"), row.at("ky")), m);
            const double nz = fermi(E - mu, T) - fermi(-E - mu, T);
            const double expected = -nz * B * m / (4 * E * E * E);
            largest = std::max(largest, std::fabs(expected));
            for (const char* band : {"dn_lower", "dn_upper"}) worst = std::max(worst, std::fabs(row.at(band) - expected));
        }
        EXPECT_GT(largest, 1e-4);
        return worst;
    };
    const double coarse = worst_at(80), fine = worst_at(160);
    EXPECT_LT(fine, 1e-6);
    EXPECT_GT(coarse / fine, 10.0);
    EXPECT_LT(coarse / fine, 25.0);
}

TEST(KineticRamp, MassRampInAFieldFlowsRadiallyInOppositeDirectionsOnTheTwoBands) {
    // Sec. III B (Eq. 50, Fig. 7): dirac2d in a static B = 1e-5 with m ramped 0.5 → 1 (ṁ = 0.025,
    // t = 20), μ = 1.5, T = 0.3. The time-momentum curvature 𝓕_tk = −(ṁ/E³) ẑ × k (from d = (k, m):
    // 𝓕_IJ = d·(∂_I d × ∂_J d)/E³) gives band s the velocity q_s 𝓕_tk (Eq. 24), which the Lorentz
    // force −ṙ × B turns into the radial flow k̇_s = −(s/2) B ṁ k/E³ (s = −1 lower, +1 upper):
    // outwards on the lower band, inwards on the upper. Checked per k at the end, where the map's
    // flow_s is n_s k̇_s (the azimuthal Lorentz part drops out of k̂·flow): to 1e-9 of its largest value.
    // To first order in B, with ∫_0^t ṁ dt/E³ = [m/(k² E)] from m0 to m1, each n_s changes by the
    // flow's transport of ∂_k n_s = f′(ε_s − μ) s k/E0 and by Eq. 50's source (n_z/4) δ𝓕, 𝓕 = −B m/E³:
    //   δn_s = (B/2E0) [m/E] f′(ε_s − μ) − (n_z B/4) [m/E³],
    // both parts of the same size here. What remains is the second order (3e-4 of the largest change
    // at this B, 3e-3 at B = 1e-4) and the differences' flow across the circles as in the test above
    // (1e-3 at h = 0.05): checked to 3e-3 of the largest change.
    const double B = 1e-5, m0 = 0.5, mdot = 0.025, t = 20.0, m1 = m0 + mdot * t, mu = 1.5, T = 0.3;
    const RampRun run = run_ramp(fmt::format(R"(
[model]
name = "dirac2d"
v = 1.0
m = {}
kcut = 5.0
[mesh]
n = [200, 200]
[texture]
kind = "uniform"
exchange = 0.0
direction = [0, 0, 1]
mass_rate = {}
B = {}
[task]
kind = "kinetic_ramp"
mu = {}
T = {}
duration = {}
steps = 20
map = true
)",
                                             m0, mdot, B, mu, T, t));
    ASSERT_EQ(run.rows.size(), 200u * 200u);
    auto fermi_slope = [&](double e) {
        const double f = fermi(e - mu, T);
        return -f * (1 - f) / T;
    };
    double largest = 0.0, worst = 0.0, flow_worst = 0.0, flow_largest = 0.0;
    for (const auto& row : run.rows) {
        const double kx = row.at("kx"), ky = row.at("ky"), k = std::hypot(kx, ky);
        const double E0 = std::hypot(k, m0), E1 = std::hypot(k, m1);
        const double nz = fermi(E0 - mu, T) - fermi(-E0 - mu, T);
        const double source = -nz * B / 4 * (m1 / (E1 * E1 * E1) - m0 / (E0 * E0 * E0));
        const double transport = B / (2 * E0) * (m1 / E1 - m0 / E0);
        for (int s : {-1, 1}) {
            const std::string band = s < 0 ? "lower" : "upper";
            const double expected = transport * fermi_slope(s * E0) + source;
            largest = std::max(largest, std::fabs(expected));
            worst = std::max(worst, std::fabs(row.at("dn_" + band) - expected));
            const double radial = (kx * row.at("flow_" + band + "_x") + ky * row.at("flow_" + band + "_y")) / k;
            const double expected_flow = row.at("n_" + band) * (-0.5 * s * B * mdot * k / (E1 * E1 * E1));
            flow_largest = std::max(flow_largest, std::fabs(expected_flow));
            flow_worst = std::max(flow_worst, std::fabs(radial - expected_flow));
        }
    }
    EXPECT_GT(largest, 5e-7);
    EXPECT_LT(worst, 3e-3 * largest);
    EXPECT_GT(flow_largest, 1e-9);
    EXPECT_LT(flow_worst, 1e-9 * flow_largest);
    EXPECT_FALSE(run.doc.contains("warnings")) << run.doc.value("warnings", nlohmann::json()).dump();
}
