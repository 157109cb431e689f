// Transport through a static texture (include/bzint/texture_transport.hpp, the non-adiabatic
// paper's Eqs. 57–70; docs/textures.md): the velocities of Eq. 68 against the sEOM of the
// kinetic-equation paper's Eq. 24 (an independent code path, temporal gauge), the relaxation drives
// of Eqs. 64 and 65 against the field's work −E·ẋ, the Hall and Drude currents of a uniform
// texture against task ahc and an integration by parts, and the two theories at E = 0.
#include <fmt/core.h>
#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "bzint/models/all.hpp"
#include "bzint/texture_transport.hpp"
#include "test_util.hpp"
#include "texture_helpers.hpp"

using namespace bzint;

namespace {

// A rough texture on purpose (|𝓕| up to ~1.2, beyond the gradient expansion's range): the
// identities checked with it are exact algebra at any gradient.
TexturedTwoBand<models::Qwz> qwz_skyrmions(double u, const double E[3]) {
    std::vector<double> params{u};
    params.resize(kMaxModelParams, 0.0);
    TextureTerms terms{};
    terms.texture = bzint::test::skyrmion_lattice(12.0, 5.0, 1.0, 1.0, 0.4);
    terms.exchange = 0.6;
    terms.potential.shape = PotentialShape::cosine;  // a force of its own on the bands (Eq. 66)
    terms.potential.amplitude = 0.15;
    terms.potential.period = 12.0;
    for (int a = 0; a < 3; ++a) terms.electric[a] = E[a];
    return TexturedTwoBand<models::Qwz>{models::Qwz(params.data()), terms};
}


}  // namespace

TEST(TextureTransport, VelocitiesAreTheSemiclassicalEquationsOfMotion) {
    // Eq. 68 is Eq. 43 solved to first order in the gradients. The kinetic-equation paper's Eq. 24
    // is the same motion written with the phase-space curvature, and with [texture] E in the
    // temporal gauge (a = −E t) its 𝓕_tp and 𝓕_tr terms are the anomalous velocity Ω^KK E and the
    // anomalous force −Ω^XK E (docs/textures.md). At t = 0, k = p, and without the energy
    // correction δε (the non-adiabatic paper has none): ẋ = ṙ_s − ∂_p δε and ħk̇ = ṗ_s + ∂_r δε − E,
    // ṗ being the canonical momentum's rate (p = k + E t). semiclassical_velocities computes them
    // from berry_terms, a separate code path. With ∂𝓕 set to zero, ∂_I δε = −(d·∂_I d/|d|) 𝓕/2.
    // Per point to 1e-13 (rounding). The drives of Eqs. 64 and 65 are then both the field's work
    // −E·ẋ (Eq. 43 conserves ε_s at E = 0: the Berry terms do no work), which by hand is
    // −E·v_b − F_b·v_h + v_b·F_h for both once the antisymmetry of Ω is used (docs/textures.md).
    const double E[3] = {0.037, -0.052, 0.0}, zero[6] = {0, 0, 0, 0, 0, 0};
    const auto h = qwz_skyrmions(-1.2, E);
    const std::vector<std::vector<double>> points{{3.1, 4.7, 0.4, -0.9}, {8.2, 2.5, -2.2, 1.3}, {6.6, 9.9, 1.7, 2.8}};
    for (const auto& pt : points) {
        const double r[3] = {pt[0], pt[1], 0.0}, k[3] = {pt[2], pt[3], 0.0};
        double x[kPhaseCoords];
        h.canonical_point(r, 0.0, k, x);
        PhaseSpacePoint p;
        h(x, p);
        const double e = std::sqrt(dot3(p.d, p.d)), F = phase_space_scalar_curvature(p);
        for (int s : {-1, 1}) {
            PositionMomentumCurvature curv;
            position_momentum_curvature(p, curv);
            BandTransport b;
            band_transport(p, curv, s, E, b);
            double r_dot[3], p_dot[3];
            semiclassical_velocities(p, s, zero, r_dot, p_dot);
            double de[kPhaseCoords];
            band_energy_gradient(p, s, de);
            double work = 0.0, drive24 = 0.0;
            for (int a = 0; a < 2; ++a) {
                const double d_delta_p = -0.5 * dot3(p.d, p.dd[kCoordKx + a]) / e * F;
                const double d_delta_r = -0.5 * dot3(p.d, p.dd[kCoordX + a]) / e * F;
                EXPECT_NEAR(b.x_dot[a], r_dot[a] - d_delta_p, 1e-13) << "s " << s;
                // Eq. 65's brace −F_b·ẋ + v_b·ħk̇ with Eq. 24's ħk̇ = ṗ_s + ∂_r δε − E.
                const double k_dot = p_dot[a] + d_delta_r - E[a];
                drive24 += de[kCoordX + a] * b.x_dot[a] + de[kCoordKx + a] * k_dot;
                work -= E[a] * b.x_dot[a];
            }
            EXPECT_NEAR(b.drive_single, drive24, 1e-13) << "s " << s;
            EXPECT_NEAR(b.drive_single, work, 1e-14) << "s " << s;
            EXPECT_NEAR(b.drive_hybrid, work, 1e-14) << "s " << s;
            EXPECT_GT(std::fabs(work), 1e-4);  // the test is not vacuous
        }
    }
    // At E = 0 neither distribution moves: δg_s vanishes term by term (exactly) and δf_s by the
    // antisymmetry of Ω (to rounding), though ẋ_s ≠ ṽ_s.
    const double none[3] = {0.0, 0.0, 0.0};
    const auto h0 = qwz_skyrmions(-1.2, none);
    for (const auto& pt : points) {
        const double r[3] = {pt[0], pt[1], 0.0}, k[3] = {pt[2], pt[3], 0.0};
        double x[kPhaseCoords];
        h0.canonical_point(r, 0.0, k, x);
        PhaseSpacePoint p;
        h0(x, p);
        for (int s : {-1, 1}) {
            PositionMomentumCurvature curv;
            position_momentum_curvature(p, curv);
            BandTransport b;
            band_transport(p, curv, s, none, b);
            EXPECT_NEAR(b.drive_hybrid, 0.0, 1e-16);
            EXPECT_NEAR(b.drive_single, 0.0, 1e-15);
            EXPECT_GT(std::hypot(b.x_dot[0] - b.v_tilde[0], b.x_dot[1] - b.v_tilde[1]), 1e-4);
        }
    }
}

TEST(TextureTransport, UniformTextureGivesTheHallAndDrudeCurrents) {
    // Without gradients the two theories are one: ṽ = ẋ = v + Ω^KK E = v + E × Ω, δg = δf =
    // τ f′ E·v. Over the zone Σ∫ f v = 0, so the equilibrium part is E × Σ∫ f Ω = the Hall current
    // −J/e of task ahc (j_x = −σ_xy E_y, j_y = σ_xy E_x, σ_xy in e²/h = 1/2π), on the same mesh
    // points: 1e-10 (ahc's finite-T energy bins round at ~1e-11). The relaxation part is
    // τ Σ∫ f′ (E·v)(v + E × Ω); its τE² part τ Σ∫ f′ (E·v)(E × Ω) vanishes here, since qwz's ε and
    // Ω are even under k → −k and v odd. By parts the rest is τ Σ∫ f′ (E·v) v =
    // −τ Σ_b E_b Σ∫ f ∂_a∂_b ε, summed here on the same 128² mesh with ∂_a∂_b ε by fourth-order
    // differences of the model's bands (h = 1e-3; their rounding, ~1e-9 per point, leaves ~1e-11 in
    // the sum, and the smooth periodic integrands at T = 0.1 converge spectrally): 1e-7 relative.
    // qwz (u = −1.2) with a uniform exchange J ẑ is qwz at u + J; μ in the gap and in a band.
    const std::string mesh = "[mesh]\nn = [128, 128]\n";
    const auto got = bzint::test::results(fmt::format(
        "[model]\nname = 'qwz'\nu = -1.2\n{}[texture]\nkind = 'uniform'\nexchange = 0.3\ndirection = [0, 0, 1]\n"
        "[task]\nkind = 'texture_transport'\nmu = [0.1, 1.0]\nT = 0.1\ntau = 3.0\nE = [0.02, -0.013]\n",
        mesh));
    const auto ahc = bzint::test::results(fmt::format("[model]\nname = 'qwz'\nu = -0.9\n{}[task]\nkind = 'ahc'\nmu = [0.1, 1.0]\nT = 0.1\n", mesh));
    const double E[2] = {0.02, -0.013}, tau = 3.0, T = 0.1;
    std::vector<double> params{-0.9};
    params.resize(kMaxModelParams, 0.0);
    const models::Qwz qwz(params.data());
    auto band = [&](double kx, double ky, int n) {
        const double k[3] = {kx, ky, 0.0};
        TwoBandPoint u;
        qwz(k, u);
        const double e = std::sqrt(u.d[0] * u.d[0] + u.d[1] * u.d[1] + u.d[2] * u.d[2]);
        return u.d0 + (2 * n - 1) * e;
    };
    const std::vector<double> mus{0.1, 1.0};
    for (std::size_t j = 0; j < mus.size(); ++j) {
        const double sigma = ahc["sigma_xy"][j].get<double>() / (2 * kPi);
        const auto& g = got["current_hybridised"][0][j];
        const auto& dg = got["relaxation_hybridised"][0][j];
        EXPECT_NEAR(g[0].get<double>() - dg[0].get<double>(), -sigma * E[1], 1e-10) << "mu " << mus[j];
        EXPECT_NEAR(g[1].get<double>() - dg[1].get<double>(), sigma * E[0], 1e-10) << "mu " << mus[j];
        // −τ Σ_b E_b ∫ f ∂_a∂_b ε on the 128² mesh.
        const int n = 128;
        const double hstep = 1e-3, w[5] = {-1.0 / 12, 4.0 / 3, -5.0 / 2, 4.0 / 3, -1.0 / 12};
        double drude[2] = {0.0, 0.0};
        for (int i = 0; i < n; ++i)
            for (int l = 0; l < n; ++l) {
                const double kx = 2 * kPi * i / n, ky = 2 * kPi * l / n;
                for (int b = 0; b < 2; ++b) {
                    const double f = fermi(band(kx, ky, b) - mus[j], T);
                    double hxx = 0.0, hyy = 0.0, hxy = 0.0;
                    for (int m = 0; m < 5; ++m) {
                        hxx += w[m] * band(kx + (m - 2) * hstep, ky, b);
                        hyy += w[m] * band(kx, ky + (m - 2) * hstep, b);
                    }
                    const double c[4] = {-1.0 / 12, 2.0 / 3, -2.0 / 3, 1.0 / 12}, o[4] = {2, 1, -1, -2};
                    for (int m = 0; m < 4; ++m)
                        for (int q = 0; q < 4; ++q) hxy += c[m] * c[q] * band(kx + o[m] * hstep, ky + o[q] * hstep, b);
                    hxx /= hstep * hstep;
                    hyy /= hstep * hstep;
                    hxy /= hstep * hstep;
                    drude[0] += f * (hxx * E[0] + hxy * E[1]);
                    drude[1] += f * (hxy * E[0] + hyy * E[1]);
                }
            }
        const double measure = 1.0 / (n * n);  // d²k/(2π)² over the zone of area (2π)², per point
        for (int a = 0; a < 2; ++a) {
            const double expected = -tau * drude[a] * measure;
            EXPECT_NEAR(dg[a].get<double>(), expected, 1e-9 + 1e-7 * std::fabs(expected)) << "mu " << mus[j] << " axis " << a;
            // Without gradients the single-band theory is the same.
            EXPECT_NEAR(got["current_single_band"][0][j][a].get<double>(), g[a].get<double>(), 1e-15);
            EXPECT_NEAR(got["relaxation_single_band"][0][j][a].get<double>(), dg[a].get<double>(), 1e-15);
        }
        if (j == 1) EXPECT_GT(std::fabs(dg[0].get<double>()), 1e-3);  // in the band: a Drude current flows
    }
}

TEST(TextureTransport, AtZeroFieldOnlyTheSingleBandCurrentFlows) {
    // The paper's point (Sec. III C 3): at E = 0 in a texture, Eqs. 57–60 give J = 0 (δg = 0 and
    // Σ∫ f v_b = 0 over the zone), while the single-band theory does not. Its δf vanishes too
    // (energy conservation, above), so what flows is its equilibrium part Σ∫ f ẋ = Σ∫ f δṽ, the
    // Berry terms' drift along the texture's gradients. qwz with a skyrmion lattice and a cosine
    // potential, smooth enough that the task does not warn (|𝓕| < 0.3), on the skyrmion's rim, in
    // the gap and in a band: the hybridised current and both relaxation parts to 1e-13 (rounding
    // and the spectrally small mesh error of a smooth periodic sum), the single-band current above
    // 1e-5. The same for the four-band qwz_pair (g = 0.2), each of its bands its own manifold (at E = 0
    // both relaxation parts vanish point by point whatever Ω_n is; the hybridised current's zero is
    // Σ_n ∫ f_n v_n over the zone, a total derivative, and the single-band current's size is the
    // N-band curvatures' drift). Its two lower bands (one of each copy) nearly cross where
    // |d_1| = |d_2|, split only by g, and there the texture couples them: the first-order warning
    // (not the degenerate one) is raised at the rim position, and the identities still hold.
    for (const char* model : {"name = 'qwz'\nu = -1.2\n", "name = 'qwz_pair'\nu1 = -1.0\nu2 = 1.0\ng = 0.2\n"}) {
        const auto doc = bzint::test::run_toml(
            std::string("[model]\n") + model +
            "[mesh]\nn = [128, 128]\n[texture]\nkind = 'skyrmion_lattice'\nexchange = 0.3\n"
            "period = 24.0\nradius = 10.0\nhelicity = 0.4\npotential = 'cosine'\npotential_amplitude = 0.15\n"
            "potential_period = 24.0\n[task]\nkind = 'texture_transport'\nmu = [0.1, 1.0]\nT = 0.1\ntau = 3.0\n"
            "r = [[6.0, 12.0, 0.0], [12.0, 5.0, 0.0]]\n");
        if (std::string(model).find("pair") == std::string::npos) {
            EXPECT_TRUE(!doc.contains("warnings") || doc["warnings"].empty()) << doc["warnings"].dump();
        } else {
            ASSERT_TRUE(doc.contains("warnings"));
            const std::string w = doc["warnings"].dump();
            EXPECT_NE(w.find("at position 0 (r = (6, 12, 0)) the scalar curvature |F|"), std::string::npos) << w;
            EXPECT_EQ(w.find("degenerate"), std::string::npos) << w;
        }
        const auto& got = doc["results"];
        for (int at = 0; at < 2; ++at)
            for (int j = 0; j < 2; ++j) {
                for (int a = 0; a < 2; ++a) {
                    EXPECT_NEAR(got["current_hybridised"][at][j][a].get<double>(), 0.0, 1e-13) << model;
                    EXPECT_NEAR(got["relaxation_hybridised"][at][j][a].get<double>(), 0.0, 1e-13) << model;
                    EXPECT_NEAR(got["relaxation_single_band"][at][j][a].get<double>(), 0.0, 1e-13) << model;
                }
                const auto& f = got["current_single_band"][at][j];
                EXPECT_GT(std::hypot(f[0].get<double>(), f[1].get<double>()), 1e-5) << model << " position " << at << " mu " << j;
            }
    }
}

TEST(TextureTransport, ThreeDimensionalHallCurrentIsAhcs) {
    // A 3D lattice (weyl_lattice, a Weyl semimetal: σ_xy ≠ 0 from the nodes' separation) with E
    // along all three axes and τ = 0: j = E × Σ∫ f Ω = −J/e with J_a = σ_ab E_b and task ahc's
    // σ = [σ_yz, σ_zx, σ_xy] (in e²/(h a) = 1/2π), on the same 40³ mesh: 1e-10 (ahc's bins).
    const std::string mesh = "[mesh]\nn = [40, 40, 40]\n";
    const double E[3] = {0.01, 0.02, -0.03};
    const auto got = bzint::test::results(fmt::format(
        "[model]\nname = 'weyl_lattice'\n{}[texture]\nkind = 'uniform'\nexchange = 0.0\ndirection = [0, 0, 1]\n"
        "[task]\nkind = 'texture_transport'\nmu = 0.05\nT = 0.1\ntau = 0.0\nE = [0.01, 0.02, -0.03]\n",
        mesh));
    const auto ahc = bzint::test::results(fmt::format("[model]\nname = 'weyl_lattice'\n{}[task]\nkind = 'ahc'\nmu = 0.05\nT = 0.1\n", mesh));
    const double yz = ahc["sigma"][0][0].get<double>() / (2 * kPi), zx = ahc["sigma"][0][1].get<double>() / (2 * kPi),
                 xy = ahc["sigma"][0][2].get<double>() / (2 * kPi);
    const double S[3][3] = {{0.0, xy, -zx}, {-xy, 0.0, yz}, {zx, -yz, 0.0}};
    for (int a = 0; a < 3; ++a) {
        const double J = S[a][0] * E[0] + S[a][1] * E[1] + S[a][2] * E[2];
        EXPECT_NEAR(got["current_hybridised"][0][0][a].get<double>(), -J, 1e-10) << "axis " << a;
        EXPECT_NEAR(got["current_single_band"][0][0][a].get<double>(), -J, 1e-10) << "axis " << a;
    }
    EXPECT_GT(std::fabs(xy), 0.05);  // the test is not vacuous
}
