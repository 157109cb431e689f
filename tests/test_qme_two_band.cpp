// The DC steady states of the two-band QME against the RTA/DPA paper: Landau–Zener
// probability, RTA linear response (S21, S22), the DPA's missing linear term, the
// D0-only DPA = RTA identity, the Hall response of a Chern insulator (S25 and quantised),
// and the periodic orbit against brute-force time evolution.
#include <fmt/core.h>
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>

#include "bzint/qme/two_band_dc.hpp"
#include "engine.hpp"
#include "model_registry.hpp"
#include "checkpoint.hpp"
#include "test_util.hpp"

using namespace bzint;
using bzint::test::results;

namespace {

std::string lz_run(const std::string& diss, const std::string& fields, const std::string& task) {
    return "[model]\nname='landau_zener'\nv=1.0\ndelta=1.0\n[field]\nE=" + fields + "\n[dissipation]\n" + diss +
           "\n[task]\nkind='dc_current'\n" + task + "\n";
}

}  // namespace

TEST(LandauZener, CoherentTransitionProbability) {
    // P = exp(−π δ²/(v E)) (Landau, Zener; the paper's Fig. 1 dotted line).
    const auto r = results(lz_run("kind='none'", "[1.0, 2.0]", "T=0.0\nwindow=100.0"));
    EXPECT_NEAR(r["lz_probability"][0].get<double>(), 0.0432139, 1e-6);
    EXPECT_NEAR(r["lz_probability"][1].get<double>(), 0.2078796, 1e-6);
    EXPECT_NEAR(r["lz_probability"][0].get<double>(), std::exp(-M_PI), 1e-6);
}

TEST(LandauZener, RtaInterbandLinearResponse) {
    // μ in the gap, T = 0: σ_inter (S22) = (v/2πγ)[2 − (4δ²/(aγ)) ln((a + γ)/(a − γ))],
    // a = √(γ² + 4δ²) = 1.0609481e-3 at γ = 1/τ2 = 0.02; σ_intra = 0 (no Fermi surface).
    const double g = 0.02, a = std::sqrt(g * g + 4);
    const double sigma = (1 / (2 * M_PI * g)) * (2 - (4 / (a * g)) * std::log((a + g) / (a - g)));
    EXPECT_NEAR(sigma, 1.0609481e-3, 1e-10);
    const auto r = results(lz_run("kind='rta'\ntau1=50.0", "[0.0005]", "T=0.0\nwindow=5.0"));
    const double E = 0.0005;
    EXPECT_NEAR(r["J_inter"][0].get<double>() / E, sigma, 1e-6 * sigma);
    EXPECT_NEAR(r["J_intra"][0].get<double>() / E, 0.0, 1e-3 * sigma);  // O(E): vanishes as E → 0
    EXPECT_LT(r["error_parts"]["time_step"]["J"][0].get<double>(), 1e-12);
}

TEST(LandauZener, RtaIntrabandLinearResponse) {
    // μ = 1.5 in the upper band: σ_intra (S21) = τ1 Σ_α ∫dk/2π (∂ε_α)² (−∂f/∂ε), by quadrature here.
    const double tau = 50, T = 0.05, mu = 1.5;
    double s21 = 0;
    const int n = 400000;
    for (int i = 0; i <= n; ++i) {
        const double k = -8 + 16.0 * i / n, e = std::sqrt(k * k + 1), v = k / e;
        for (int sgn : {1, -1}) {
            const double x = (sgn * e - mu) / T, ex = std::exp(-std::fabs(x));
            s21 += (i == 0 || i == n ? 0.5 : 1.0) * v * v * ex / ((1 + ex) * (1 + ex) * T) * (16.0 / n);
        }
    }
    s21 *= tau / (2 * M_PI);
    const auto r = results(lz_run("kind='rta'\ntau1=50.0", "[0.0002]", "T=0.05\nmu=1.5\nwindow=3.0"));
    EXPECT_NEAR(r["J_intra"][0].get<double>() / 0.0002, s21, 1e-4 * s21);
}

TEST(LandauZener, DpaHasNoLinearTerm) {
    // Fig. 3(b): |J_DPA| < 1e-7 δ for E < 0.06 E_th at T = 0.01δ, τ⁻¹ = 2Γ = 0.02δ, and it
    // vanishes faster than linearly (here ∝ E³), while the RTA is linear (metallic).
    const auto d = results(lz_run("kind='dpa'\ngamma=0.01", "[0.01, 0.02, 0.05]", "T=0.01\nwindow=5.0"));
    for (int i = 0; i < 3; ++i) EXPECT_LT(std::fabs(d["J"][i].get<double>()), 1e-7) << "E index " << i;
    EXPECT_GT(d["J"][1].get<double>() / d["J"][0].get<double>(), 6.0);  // E³ would give 8
    const auto r = results(lz_run("kind='rta'\ntau1=50.0", "[0.01, 0.02]", "T=0.01\nwindow=5.0"));
    EXPECT_NEAR(r["J"][1].get<double>() / r["J"][0].get<double>(), 2.0, 0.5);  // linear
    EXPECT_GT(r["J"][0].get<double>(), 1e3 * std::fabs(d["J"][0].get<double>()));
}

TEST(LandauZener, DpaWithoutD1D2IsRta) {
    // D0 (Eq. 16) is the RTA with τ1 = τ2 = 1/2Γ.
    const auto a = results(lz_run("kind='dpa'\ngamma=0.01\nd1=false\nd2=false", "[0.05, 0.3]", "T=0.01\nwindow=5.0\nsteps=200000"));
    const auto b = results(lz_run("kind='rta'\ntau1=50.0\ntau2=50.0", "[0.05, 0.3]", "T=0.01\nwindow=5.0\nsteps=200000"));
    for (int i = 0; i < 2; ++i) EXPECT_NEAR(a["J"][i].get<double>(), b["J"][i].get<double>(), 1e-14);
}

TEST(LandauZener, ZeroFieldIsEquilibrium) {
    const auto r = results(lz_run("kind='dpa'\ngamma=0.01", "[0.0, 0.1]", "T=0.01\nwindow=5.0"));
    EXPECT_EQ(r["J"][0].get<double>(), 0.0);
    EXPECT_NE(r["J"][1].get<double>(), 0.0);
}

namespace {

// The RTA-damped Berry curvature sum of S25 as the Hall response J_y/E_x in e²/h (our Ω
// sign): Σ_α ∫d²k/2π Δ²/(Δ² + τ2⁻²) Ω_α f_α, on a mesh fine along E.
double s25_hall(const ModelParams& mp, double tau2, double mu) {
    const ModelInfo& info = model_infos()[mp.id];
    const Mesh mesh = make_mesh(info, mp, {1024, 32, 1});
    const std::vector<BandGeometry> g = geometry_at_points(Backend::cpu, mp, test::mesh_points(mesh));
    double s = 0;
    for (long long i = 0; i < mesh.count(); ++i) {
        const double D = g[2 * i + 1].energy - g[2 * i].energy, w = D * D / (D * D + 1 / (tau2 * tau2));
        for (int n = 0; n < 2; ++n) s += w * g[2 * i + n].omega[2] * fermi(g[2 * i + n].energy - mu, 0.0);
    }
    return kTwoPi * s * mesh_weight(mesh);
}

}  // namespace

TEST(LatticeHall, ChernInsulatorRtaDampedDpaQuantised) {
    // qwz u = −1 (C_lower = +1), μ = 0 in the gap, E along x: J_y/E_x = −σ_xy = +1 e²/h for the
    // DPA; the RTA gives the weighted sum of S25; the Berry-curvature ahc on the same mesh
    // gives σ_xy = −1.
    const ModelParams mp{find_model("qwz")->id, {-1.0}};
    const std::string base = "[model]\nname='qwz'\nu=-1.0\n[mesh]\nn=[1,32]\n[field]\nE=[0.01]\ndirection=1\n";
    const auto dpa = results(base + "[dissipation]\nkind='dpa'\ngamma=0.1\n[task]\nkind='dc_current'\nT=0.0\nsteps=4000\n");
    const auto rta = results(base + "[dissipation]\nkind='rta'\ntau1=5.0\n[task]\nkind='dc_current'\nT=0.0\nsteps=4000\n");
    const auto ahc = results("[model]\nname='qwz'\nu=-1.0\n[mesh]\nn=[1024,32]\n[task]\nkind='ahc'\nmu=0.0\n");
    const double E = 0.01;
    const double hall_dpa = kTwoPi * dpa["J"][0][1].get<double>() / E, hall_rta = kTwoPi * rta["J"][0][1].get<double>() / E;
    EXPECT_NEAR(hall_dpa, 1.0, 1e-4);
    EXPECT_NEAR(hall_dpa, -ahc["sigma_xy"][0].get<double>(), 1e-4);
    const double s25 = s25_hall(mp, 5.0, 0.0);
    EXPECT_NEAR(s25, 0.99071, 1e-5);  // visibly below 1: the RTA's damping
    EXPECT_NEAR(hall_rta, s25, 1e-4 * std::fabs(s25));
    // Longitudinal: the DPA insulator carries no current at O(E); the RTA one does.
    EXPECT_LT(std::fabs(kTwoPi * dpa["J"][0][0].get<double>() / E), 1e-5);  // 3e-6: O(E), not a conductivity
    EXPECT_GT(kTwoPi * rta["J"][0][0].get<double>() / E, 0.05);
}

TEST(LatticeHall, PeriodicOrbitEqualsBruteForceEvolution) {
    // Start in equilibrium, evolve 40 periods (τ = 5 ≪ 40 t_p), average j over the last one.
    const models::Qwz model(std::array<double, 1>{-1.0}.data());
    QmeParams q{};
    q.kind = Dissipation::rta;
    q.tau1 = 5.0;
    q.tau2 = 3.0;
    q.mu = 0.3;
    q.T = 0.1;
    const double E = 0.2, period = kTwoPi / E;
    q.E[0] = E;
    const double k0[3] = {0.1, 0.7, 0.0};
    const int steps = 3000;
    const LineCurrent orbit = two_band_periodic_line(model, q, k0, period, steps);
    using namespace detail;
    // Brute force: the same integrator from the equilibrium state, 39 periods, then one more
    // period whose current integral is the answer.
    TwoBandPoint hp;
    model(k0, hp);
    double y[4];
    two_band_equilibrium_state(two_band_snapshot(hp, q), y);
    constexpr int D = 2;
    double z[1][aug_size<D>()][1] = {}, jeq[D][1] = {}, h[1] = {period / steps};
    for (int i = 0; i < 4; ++i) z[0][i][0] = y[i];
    const double k[1][3] = {{k0[0], k0[1], k0[2]}};
    ASSERT_TRUE((lane_evolve<1, D, 1>(model, &q, k, h, 39 * steps, z, 0, jeq, nullptr)));
    double J_before[D], k_shift[1][3] = {{k0[0], k0[1], k0[2]}};
    for (int a = 0; a < D; ++a) {
        J_before[a] = z[0][4 + a][0];
        jeq[a][0] = 0.0;
    }
    // The last period starts at t = 39 t_p, where κ is back at k0 (E t_p = G).
    ASSERT_TRUE((lane_evolve<1, D, 1>(model, &q, k_shift, h, steps, z, 0, jeq, nullptr)));
    for (int a = 0; a < 2; ++a) {
        const double brute = (z[0][4 + a][0] - J_before[a] - jeq[a][0]) / period;
        EXPECT_NEAR(orbit.J[a], brute, 1e-10 * (1 + std::fabs(brute))) << "component " << a;
    }
    EXPECT_GT(std::fabs(orbit.J[0]), 1e-3);  // a real current, not a trivial zero
}

TEST(Sweep, ResumeKeepsRecordedFieldsAndEqualsAFreshRun) {
    // A sweep interrupted after two field values: --resume recomputes only the rest, and the
    // final result equals an uninterrupted run.
    const test::TempDir dir;
    const std::string text = lz_run("kind='dpa'\ngamma=0.01", "[0.1, 0.2, 0.3]", "T=0.01\nwindow=4.0\nsteps=20000");
    const auto full = run(RunFile::parse(text, "sweep.toml"), Backend::cpu, RunOptions{dir.path(), false});
    // Keep the header and the first two rows of the log, as an interruption would, and mark the
    // rows (re-signed, so their checksums hold): a resume must take them as they are.
    const std::string log = dir / "sweep_sweep.jsonl";
    std::vector<std::string> lines;
    {
        std::ifstream in(log);
        for (std::string l; std::getline(in, l);) lines.push_back(l);
    }
    ASSERT_EQ(lines.size(), 5u);  // header + 3 rows + the completion mark
    EXPECT_EQ(nlohmann::json::parse(lines[4]), nlohmann::json({{"complete", true}}));
    {
        std::ofstream out(log, std::ios::trunc);
        out << lines[0] << "\n";
        for (int i = 1; i <= 2; ++i) {
            auto j = nlohmann::json::parse(lines[i]);
            j["row"]["marker"] = "kept";
            j["checksum"] = fmt::format("{:016x}", fingerprint_of(j["row"].dump()));
            out << j.dump() << "\n";
        }
        out << lines[3].substr(0, lines[3].size() / 2);  // a line cut mid-write
    }
    const auto resumed = run(RunFile::parse(text, "sweep.toml"), Backend::cpu, RunOptions{dir.path(), true});
    for (int i = 0; i < 3; ++i)
        EXPECT_EQ(resumed["results"]["J"][i].get<double>(), full["results"]["J"][i].get<double>()) << "field " << i;
    std::ifstream in(log);
    int kept = 0, rows = 0;
    for (std::string l; std::getline(in, l);) {
        const auto j = nlohmann::json::parse(l);  // every line parses
        if (!j.contains("row")) continue;  // the header and the completion mark
        ++rows;
        kept += j["row"].contains("marker");
    }
    EXPECT_EQ(kept, 2);  // not recomputed
    EXPECT_EQ(rows, 3);  // the cut line was replaced, not appended to
}

TEST(Lanes, EightLanesEqualOneLaneExactly) {
    // The lane stage runs each snapshot piece vectorised over 8 lanes and falls back to the
    // scalar Fermi function / trigamma only on lanes that need it (two_band_dc.hpp). With μ in
    // the band and T = 0.05 the 8 qwz lines mix saturated and unsaturated Fermi functions and
    // asymptotic and full Im ψ′; every lane must equal the L = 1 routine bit for bit (same IEEE
    // operations, no FMA contraction).
    const models::Qwz model(std::array<double, 1>{-1.0}.data());
    for (const Dissipation kind : {Dissipation::rta, Dissipation::dpa}) {  // `none` has no periodic orbit
        QmeParams q{};
        q.kind = kind;
        q.tau1 = 5.0;
        q.tau2 = 3.0;
        q.gamma = 0.1;
        q.d1 = q.d2 = true;
        q.mu = 0.4;
        q.T = 0.05;
        const double E = 0.2, period = kTwoPi / E;
        q.E[0] = E;
        double k0[8][3];
        for (int l = 0; l < 8; ++l) {
            k0[l][0] = 0.0;
            k0[l][1] = kTwoPi * (l + 0.5) / 8;
            k0[l][2] = 0.0;
        }
        LineCurrent lanes[8];
        two_band_periodic_lines<8>(model, q, k0, period, 400, lanes);
        for (int l = 0; l < 8; ++l) {
            const LineCurrent one = two_band_periodic_line(model, q, k0[l], period, 400);
            ASSERT_TRUE(lanes[l].ok && one.ok);
            for (int a = 0; a < 2; ++a) {
                EXPECT_EQ(lanes[l].J[a], one.J[a]) << "lane " << l << " kind " << int(kind);
                EXPECT_EQ(lanes[l].J_intra[a], one.J_intra[a]) << "lane " << l;
            }
        }
    }
    // Continuum trajectories, lanes at different fields (the only parameter lanes may not share).
    const models::LandauZener lz(std::array<double, 2>{1.0, 1.0}.data());
    for (const Dissipation kind : {Dissipation::rta, Dissipation::dpa, Dissipation::none}) {
        QmeParams q[8];
        for (int l = 0; l < 8; ++l) {
            q[l] = QmeParams{};
            q[l].kind = kind;
            q[l].tau1 = 5.0;
            q[l].tau2 = 3.0;
            q[l].gamma = 0.01;
            q[l].d1 = q[l].d2 = true;
            q[l].mu = 1.2;  // in the upper band: Fermi functions and ψ′ near μ need the exact forms
            q[l].T = 0.05;
            q[l].E[0] = 0.1 + 0.05 * l;
        }
        double y8[8][4];
        LineCurrent c8[8];
        two_band_trajectories<8>(lz, q, 6.0, 3000, y8, c8, nullptr);
        for (int l = 0; l < 8; ++l) {
            double y1[4];
            const LineCurrent c1 = two_band_trajectory(lz, q[l], 6.0, 3000, y1, nullptr);
            EXPECT_EQ(c8[l].J[0], c1.J[0]) << "lane " << l << " kind " << int(kind);
            EXPECT_EQ(c8[l].J_intra[0], c1.J_intra[0]) << "lane " << l;
            for (int i = 0; i < 4; ++i) EXPECT_EQ(y8[l][i], y1[i]) << "lane " << l;
        }
    }
}
