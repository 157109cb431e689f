// The equilibrium current of Eq. 30 of the kinetic-equation paper (include/bzint/texture_current.hpp)
// and the Thouless pump of a uniform electric field (docs/textures.md): the anomalous velocity per
// point against the band geometry of two_band.hpp, the Hall current against task ahc's Kubo
// formula, no current in a uniform B, the charge pumped per period against the Chern number of the
// (t, k) plane and of task chern.
#include <fmt/core.h>
#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "bzint/models/all.hpp"
#include "bzint/texture_current.hpp"
#include "test_util.hpp"

using namespace bzint;

namespace {

template <class Model>
TexturedTwoBand<Model> in_fields(std::vector<double> params, const double B[3], const double E[3]) {
    params.resize(kMaxModelParams, 0.0);
    TextureTerms terms{};
    terms.texture.kind = TextureKind::uniform;
    terms.texture.direction[2] = 1.0;
    for (int a = 0; a < 3; ++a) {
        terms.field[a] = B[a];
        terms.electric[a] = E[a];
    }
    return TexturedTwoBand<Model>{Model(params.data()), terms};
}

// A run file's results for a textured model with no texture and the given fields.
nlohmann::json run(const std::string& model, const std::string& fields, const std::string& mesh, const std::string& task) {
    return bzint::test::results(fmt::format("[model]\n{}\n{}[texture]\nkind = 'uniform'\nexchange = 0.0\ndirection = [0, 0, 1]\n"
                                            "{}\n[task]\n{}\n",
                                            model, mesh, fields, task));
}

}  // namespace

TEST(TextureCurrent, VelocityInAnElectricFieldIsTheAnomalousOne) {
    // With E alone (a(t) = −E t) Eq. 30's bracket is v_s + E × Ω_s (the q_s 𝓕_tp term: 𝓕_tp =
    // −E_b 𝓕_{k_b p}), the textbook anomalous velocity for charge −e (k̇ = −E); per point against
    // two_band_geometry's v and Ω to 1e-13. In B alone ∂_p 𝓕 = 2B ∂_k Ω_+ (Eq. 28 read with
    // 𝒟_s = 1 + B·Ω_s): the difference step against a separate difference of two_band_geometry's Ω.
    const double none[3] = {0.0, 0.0, 0.0}, E[3] = {0.13, -0.27, 0.0}, B[3] = {0.0, 0.0, 0.02};
    const auto h = in_fields<models::Qwz>({-1.2}, none, E);
    const auto hb = in_fields<models::Qwz>({-1.2}, B, none);
    for (const auto& pt : std::vector<std::vector<double>>{{0.3, -1.1}, {2.0, 0.4}, {-2.9, 2.2}}) {
        const double t = 0.7;
        double x[kPhaseCoords], k[3] = {pt[0], pt[1], 0.0};
        h.canonical_point(none, t, k, x);
        PhaseSpacePoint p;
        h(x, p);
        TwoBandPoint u;
        h.model(k, u);
        BandGeometry g[2];
        two_band_geometry(u, g);
        const double zero[3] = {0.0, 0.0, 0.0};
        for (int n = 0; n < 2; ++n) {
            double v[3];
            current_velocity(p, 2 * n - 1, zero, v);
            const double Om = g[n].omega[2];
            EXPECT_NEAR(v[0], g[n].v[0] + E[1] * Om, 1e-13);
            EXPECT_NEAR(v[1], g[n].v[1] - E[0] * Om, 1e-13);
        }
        // ∂_p 𝓕 in a uniform B at r = 0 (p = k there).
        double y[kPhaseCoords], grad[3];
        hb.canonical_point(none, 0.0, k, y);
        scalar_curvature_gradient(hb, y, kCoordKx, 2, 1e-4, grad);
        for (int a = 0; a < 2; ++a) {
            auto omega_up = [&](double s) {
                double kk[3] = {k[0], k[1], 0.0};
                kk[a] += s;
                TwoBandPoint w;
                hb.model(kk, w);
                BandGeometry gg[2];
                two_band_geometry(w, gg);
                return gg[1].omega[2];
            };
            const double d = 1e-3;
            const double dOmega = (-omega_up(2 * d) + 8 * omega_up(d) - 8 * omega_up(-d) + omega_up(-2 * d)) / (12 * d);
            EXPECT_NEAR(grad[a], 2 * B[2] * dOmega, 1e-9);
        }
    }
}

TEST(TextureCurrent, HallCurrentOfAUniformFieldIsAhcs) {
    // j = Σ_s ∫ f v_s + E × Σ_s ∫ f Ω_s; the band velocity integrates to zero over the zone, so the
    // particle current is −J/e with J_a = σ_ab E_b: j_x = −σ_xy E_y, j_y = σ_xy E_x (e = ħ = 1), with
    // σ_xy of task ahc (in e²/h = 1/2π; docs/conventions.md). In the gap and in a band, for qwz and
    // haldane (orbital-position phases), at two times (the mesh is over the kinetic momentum, so
    // the Bloch oscillation's drift does not change the sum). Both tasks sum over the same mesh
    // points; ahc's finite-T energy bins round at ~1e-11.
    for (const char* model : {"name = 'qwz'\nu = -1.2", "name = 'haldane'\nt2 = 0.15\nM = 0.2"}) {
        const std::string mesh = "[mesh]\nn = [96, 96]\n";
        const auto cur = run(model, "E = [0.11, -0.23]", mesh, "kind = 'texture_current'\nmu = [-0.9, 0.05, 0.6]\nT = 0.05\nt = [0.0, 2.7]");
        const auto ahc = bzint::test::results(fmt::format("[model]\n{}\n{}[task]\nkind = 'ahc'\nmu = [-0.9, 0.05, 0.6]\nT = 0.05\n",
                                                          model, mesh));
        for (int at = 0; at < 2; ++at)
            for (int j = 0; j < 3; ++j) {
                const double sigma = ahc["sigma_xy"][j].get<double>() / (2 * kPi);
                const auto& c = cur["current"][at][j];
                EXPECT_NEAR(c[0].get<double>(), -sigma * -0.23, 1e-9) << model << " mu " << j;
                EXPECT_NEAR(c[1].get<double>(), sigma * 0.11, 1e-9) << model << " mu " << j;
                EXPECT_EQ(c[2].get<double>(), 0.0);
            }
    }
}

TEST(TextureCurrent, NoCurrentInAUniformMagneticField) {
    // A uniform B leaves the system translation invariant (up to gauge): its equilibrium current
    // density vanishes, j = ∇ × M of a uniform M. Eq. 30's terms cancel only together — the
    // band velocity weighted by 𝒟_s, the −(Δ/4)∂_p𝓕 term and the 𝓕_{p r}, 𝓕_{p p} terms at fixed
    // canonical p — at any position and level, in the gap and in a band: to 1e-12 (rounding).
    for (const char* model : {"name = 'qwz'\nu = -1.2", "name = 'haldane'\nt2 = 0.15\nM = 0.2"}) {
        const auto cur = run(model, "B = 0.01", "[mesh]\nn = [96, 96]\n",
                             "kind = 'texture_current'\nmu = [-0.9, 0.0, 0.6]\nT = 0.05\nr = [[0, 0, 0], [3.0, -2.0, 0]]");
        for (const auto& point : cur["current"])
            for (const auto& level : point)
                for (const auto& c : level) EXPECT_NEAR(c.get<double>(), 0.0, 1e-12) << model;
    }
}

TEST(TextureCurrent, PumpedChargePerChainIsTheTimeMomentumChernNumber) {
    // A uniform E = e G_i sweeps k_i through the zone in a Bloch period T = 1/|e|, so each chain
    // along the other lattice vector is a periodic adiabatic pump (a 1D two-band lattice). By hand
    // (docs/textures.md): the Chern number of the plane (t, k_o) is sgn(E_y) C for E along y and
    // −sgn(E_x) C for E along x, C the lower band's Chern number of task chern; and the particles
    // pumped per period through one chain, from the sEOM current of Eq. 30, are that Chern number.
    // qwz in its three phases (C = ±1 for 0 < |u| < 2, 0 beyond). The link method is exact; the
    // integral and the pumped charge converge spectrally (smooth periodic integrands): 1e-8; the
    // link sum is an integer up to rounding (1e-12).
    const std::string mesh = "[mesh]\nn = [64, 64]\n";
    for (double u : {-1.2, 1.2, 2.5}) {
        const std::string model = fmt::format("name = 'qwz'\nu = {}", u);
        const double C = bzint::test::results(fmt::format("[model]\n{}\n{}[task]\nkind = 'chern'\n", model, mesh))["chern"][0].get<double>();
        EXPECT_NEAR(C, std::round(C), 1e-8);
        struct Field {
            const char* E;
            const char* other_axis;
            double sign;
        };
        for (const Field& f : {Field{"[0.0, 0.25]", "k1", 1.0}, Field{"[0.0, -0.4]", "k1", -1.0}, Field{"[-0.3, 0.0]", "k2", 1.0}}) {
            const std::string fields = fmt::format("E = {}", f.E);
            const auto plane = run(model, fields, "", fmt::format("kind = 'phase_space_chern'\nplane = ['t', '{}']\nn = [64, 64]\n"
                                                                  "k = [0.1, 0.3]",
                                                                  f.other_axis));
            const double link = plane["chern_fhs"][0].get<double>();
            // The link method's phases sum to an integer up to rounding.
            EXPECT_NEAR(link, f.sign * std::round(C), 1e-12) << "u " << u << " E " << f.E;
            EXPECT_NEAR(plane["chern"][0].get<double>(), link, 1e-8);
            const auto pump = run(model, fields, mesh, "kind = 'texture_current'\nmu = [0.0]\npump = true\nt = 0.4");
            EXPECT_NEAR(pump["pumped_per_chain"][0][0].get<double>(), link, 1e-8) << "u " << u << " E " << f.E;
        }
    }
}

TEST(TextureCurrent, SemiclassicalVelocitiesInAUniformFieldAreTheLorentzMotion) {
    // Eq. 24 in a uniform B_z, no texture, at r ≠ 0 and canonical p: with k = p + a(r),
    // ∂_r k = A, A_ab = (B/2) ε_ab, the chain rule gives 𝓕_{p_a p_b} = 𝓕^k_ab, 𝓕_{r_a p_b} =
    // A_ac 𝓕^k_cb, 𝓕_rr = A 𝓕^k Aᵀ, and by hand (ε² = −1 in 2D) the Berry terms sum to
    //   ṙ_s = ∂_k ε̄_s − B Ω_s v_s,   ṗ_s = −(ṙ_s × B)/2,
    // i.e. ṙ = v(1 − B·Ω_s) + ∂_k δε (the first order of ṽ/𝒟_s) and the kinetic k̇ = ṗ + A ṙ =
    // −ṙ × B, the Lorentz force on charge −e. Against two_band_geometry's v, Ω and m (δε = −m_z B,
    // its k-derivative by a separate difference): ṙ to 1e-9, ṗ = −(ṙ × B)/2 to 1e-13. The task
    // texture_geometry reports the same velocities.
    const double none[3] = {0.0, 0.0, 0.0}, B[3] = {0.0, 0.0, 0.01}, r[3] = {3.0, -2.0, 0.0};
    const auto h = in_fields<models::Qwz>({-1.2}, B, none);
    auto geometry_at = [&](const double k[3], BandGeometry g[2]) {
        TwoBandPoint u;
        h.model(k, u);
        two_band_geometry(u, g);
    };
    const std::vector<std::vector<double>> momenta{{0.1, 0.2}, {0.4, -0.3}, {-2.2, 0.35}};
    // The task takes k in reduced coordinates (qwz: k / 2π).
    std::string reduced;
    for (const auto& m : momenta) reduced += fmt::format("{}[{:.17g}, {:.17g}]", reduced.empty() ? "" : ", ", m[0] / (2 * kPi), m[1] / (2 * kPi));
    const nlohmann::json task = run("name = 'qwz'\nu = -1.2", "B = 0.01", "",
                                    fmt::format("kind = 'texture_geometry'\nr = [[3.0, -2.0, 0.0]]\nk = [{}]", reduced));
    for (std::size_t i = 0; i < momenta.size(); ++i) {
        double x[kPhaseCoords] = {r[0], r[1], r[2], momenta[i][0], momenta[i][1], 0.0, 0.0};
        const double k[3] = {x[3] - 0.5 * B[2] * r[1], x[4] + 0.5 * B[2] * r[0], 0.0};  // p + (B × r)/2
        PhaseSpacePoint p;
        h(x, p);
        double grad_F[6];
        scalar_curvature_gradient(h, x, kCoordX, 3, 1e-4, grad_F);
        scalar_curvature_gradient(h, x, kCoordKx, 3, 1e-4, grad_F + 3);
        BandGeometry g[2];
        geometry_at(k, g);
        for (int n = 0; n < 2; ++n) {
            double r_dot[3], p_dot[3];
            semiclassical_velocities(p, 2 * n - 1, grad_F, r_dot, p_dot);
            for (int a = 0; a < 2; ++a) {
                auto delta_e = [&](double s) {
                    double kk[3] = {k[0], k[1], 0.0};
                    kk[a] += s;
                    BandGeometry gg[2];
                    geometry_at(kk, gg);
                    return -gg[n].m[2] * B[2];
                };
                const double d = 1e-3;
                const double d_delta = (-delta_e(2 * d) + 8 * delta_e(d) - 8 * delta_e(-d) + delta_e(-2 * d)) / (12 * d);
                EXPECT_NEAR(r_dot[a], g[n].v[a] * (1 - B[2] * g[n].omega[2]) + d_delta, 1e-9) << "point " << i << " band " << n;
                EXPECT_NEAR(task["velocity"][i][n][a].get<double>(), r_dot[a], 1e-9);
                EXPECT_NEAR(task["force"][i][n][a].get<double>(), p_dot[a], 1e-9);
            }
            EXPECT_NEAR(p_dot[0], -0.5 * r_dot[1] * B[2], 1e-13);
            EXPECT_NEAR(p_dot[1], 0.5 * r_dot[0] * B[2], 1e-13);
        }
    }
}

TEST(TextureCurrent, EachFilledBandPumpsItsOwnChernNumber) {
    // band_resolved: the lower and upper band's parts of the pumped charge. Each band's anomalous
    // velocity E × Ω_n integrates over the zone to its own Chern number (Thouless 1983; for two bands
    // Ω_upper = −Ω_lower, so C_upper = −C_lower). qwz at u = −1.2 (C_lower = +1; bands within
    // |d| ≤ 3.2): with μ = 0 in the gap the lower band pumps the plane's Chern number and the empty
    // upper band nothing (its occupation e^{−0.8/0.05} ≈ 1e-7 at the gap's edge); with μ = 5 above
    // both, the lower pumps +1 and the upper −1, and the total is 0. Spectral convergence on 64²:
    // 1e-6 (the gap's thermal tail dominates at μ = 0). The parts sum to the total to rounding.
    const std::string model = "name = 'qwz'\nu = -1.2";
    const auto pump = run(model, "E = [0.0, 0.25]", "[mesh]\nn = [64, 64]\n",
                          "kind = 'texture_current'\nmu = [0.0, 5.0]\nT = 0.05\npump = true\nband_resolved = true\nt = 0.4");
    const auto& chains = pump["pumped_per_chain_bands"][0];
    EXPECT_NEAR(chains[0][0].get<double>(), 1.0, 1e-6);
    EXPECT_NEAR(chains[0][1].get<double>(), 0.0, 1e-6);
    EXPECT_NEAR(chains[1][0].get<double>(), 1.0, 1e-6);
    EXPECT_NEAR(chains[1][1].get<double>(), -1.0, 1e-6);
    EXPECT_NEAR(pump["pumped_per_chain"][0][1].get<double>(), 0.0, 1e-6);
    for (int l = 0; l < 2; ++l)
        for (int c = 0; c < 3; ++c) {
            const auto& parts = pump["current_bands"][0][l];
            EXPECT_NEAR(parts[0][c].get<double>() + parts[1][c].get<double>(), pump["current"][0][l][c].get<double>(), 1e-15);
            EXPECT_NEAR(pump["pumped_bands"][0][l][0][c].get<double>() + pump["pumped_bands"][0][l][1][c].get<double>(),
                        pump["pumped"][0][l][c].get<double>(), 1e-13);
        }
}
