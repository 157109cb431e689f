// A modulated magnetic field B_z(x) = B1 cos(2πx/L) through a periodic vector potential
// (include/bzint/texture.hpp FieldModulation; docs/textures.md): its gauge against the field it
// describes, the density against a uniform field of the local strength (task streda's n(μ, B)),
// the velocity's gauge invariance, and the force of the orbital moment in the field's gradient.
#include <fmt/core.h>
#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "bzint/models/all.hpp"
#include "bzint/phase_space_motion.hpp"
#include "bzint/texture.hpp"
#include "test_util.hpp"

using namespace bzint;

namespace {

TexturedTwoBand<models::Qwz> qwz_in(double B_uniform, double B1, double L, int axis) {
    std::vector<double> params{-1.2};
    params.resize(kMaxModelParams, 0.0);
    TextureTerms terms{};
    terms.texture.kind = TextureKind::uniform;
    terms.texture.direction[2] = 1.0;
    terms.field[2] = B_uniform;
    terms.modulation.amplitude = B1;
    terms.modulation.period = L;
    terms.modulation.axis = axis;
    return TexturedTwoBand<models::Qwz>{models::Qwz(params.data()), terms};
}

}  // namespace

TEST(FieldModulation, VectorPotentialGivesTheModulatedField) {
    // B_z = ∂_x a_y − ∂_y a_x = B1 cos(2π r_axis/L) for either axis, with the analytic gradient
    // against a central difference of a (h = 1e-5 L: error (hq)²/6 ≈ 7e-10 of B1 for q = 2π/L),
    // and a periodic with L.
    for (int axis : {0, 1}) {
        FieldModulation b;
        b.amplitude = 0.3;
        b.period = 7.0;
        b.axis = axis;
        for (double u : {0.0, 1.3, 4.1, -2.2}) {
            double r[3] = {0.4, -0.9, 0.0};
            r[axis] = u;
            const ModulationGauge g = b(r);
            EXPECT_NEAR(g.dx_ay - g.dy_ax, 0.3 * std::cos(kTwoPi * u / 7.0), 1e-15);
            const double h = 1e-5 * 7.0;
            auto at = [&](int c, double step) {
                double s[3] = {r[0], r[1], r[2]};
                s[c] += step;
                return b(s);
            };
            // ∂_x a_y and ∂_y a_x by differences; a_x does not vary along x, nor a_y along y.
            EXPECT_NEAR(g.dx_ay, (at(0, h).ay - at(0, -h).ay) / (2 * h), 1e-9);
            EXPECT_NEAR(g.dy_ax, (at(1, h).ax - at(1, -h).ax) / (2 * h), 1e-9);
            EXPECT_EQ(at(0, h).ax, g.ax);
            EXPECT_EQ(at(1, h).ay, g.ay);
            const ModulationGauge shifted = at(axis, 7.0);
            EXPECT_NEAR(shifted.ax, g.ax, 1e-14);
            EXPECT_NEAR(shifted.ay, g.ay, 1e-14);
        }
    }
}

TEST(FieldModulation, DensityIsTheLocalFieldsStredaDensity) {
    // At first order in the gradients only the local B_z(x) enters a point: 𝓕 = Σ_l 𝓕_{r_l k_l} =
    // −B_z(x) 𝓕_{kx ky} in either gauge, and the mesh is over the kinetic momentum. So the density
    // at x in the modulated field is texture_density's in a uniform B = B1 cos(2πx/L), which its own
    // test ties to task streda's n(μ, B) (tests/test_textures.cpp): qwz and haldane, in the gap and
    // in a band, four positions along either axis of the modulation, to 1e-12 (the two sums differ
    // only by rounding).
    const double B1 = 2e-3, L = 40.0;
    const std::vector<double> us{0.0, 7.0, 12.5, 31.0};
    for (const char* model : {"name = 'qwz'\nu = -1.2", "name = 'haldane'\nt2 = 0.15\nM = 0.2"})
        for (const char* axis : {"x", "y"}) {
            const std::string mesh = "[mesh]\nn = [96, 96]\n", task = "kind = 'texture_density'\nmu = [-0.9, 0.05, 0.6]\nT = 0.05\n";
            std::string r;
            for (double u : us)
                r += fmt::format("{}[{}, {}, 0.0]", r.empty() ? "" : ", ", axis[0] == 'x' ? u : 3.0, axis[0] == 'x' ? 3.0 : u);
            const auto modulated = bzint::test::results(fmt::format(
                "[model]\n{}\n{}[texture]\nkind = 'uniform'\nexchange = 0.0\ndirection = [0, 0, 1]\nB_modulation = {}\n"
                "B_modulation_period = {}\nB_modulation_axis = '{}'\n[task]\n{}r = [{}]\n",
                model, mesh, B1, L, axis, task, r));
            for (std::size_t i = 0; i < us.size(); ++i) {
                const double B = B1 * std::cos(kTwoPi * us[i] / L);
                const auto uniform = bzint::test::results(fmt::format(
                    "[model]\n{}\n{}[texture]\nkind = 'uniform'\nexchange = 0.0\ndirection = [0, 0, 1]\nB = {:.17g}\n[task]\n{}",
                    model, mesh, B, task));
                for (int j = 0; j < 3; ++j)
                    EXPECT_NEAR(modulated["density"][i][j].get<double>(), uniform["density"][0][j].get<double>(), 1e-12)
                        << model << " axis " << axis << " at " << us[i] << " mu " << j;
            }
        }
}

TEST(FieldModulation, ChernInsulatorsDensityFollowsTheLocalField) {
    // By hand (Středa): with the lower band full, n = ∫ (1 + B Ω_lower) = 1 + C B/2π per cell
    // (ħ = e = 1, ∫ Ω_lower d²k = 2πC), so across a superlattice n(x) − 1 = C B_z(x)/2π. qwz at
    // u = −1.2 (C = +1), μ = 0 mid-gap (bands at |d| ≥ 0.8), T = 0.02 (thermal tails e^{−40}): the
    // ratio is C to 1e-9 at every position where B_z is not near zero.
    const double B1 = 0.01, L = 40.0;
    const auto got = bzint::test::results(fmt::format(
        "[model]\nname = 'qwz'\nu = -1.2\n[mesh]\nn = [96, 96]\n[texture]\nkind = 'uniform'\nexchange = 0.0\n"
        "direction = [0, 0, 1]\nB_modulation = {}\nB_modulation_period = {}\n[task]\nkind = 'texture_density'\nmu = 0.0\n"
        "T = 0.02\nr = [[0, 0, 0], [4, 0, 0], [16, 0, 0], [20, 0, 0], [33, 0, 0]]\n",
        B1, L));
    for (std::size_t i = 0; i < got["r"].size(); ++i) {
        const double x = got["r"][i][0].get<double>(), B = B1 * std::cos(kTwoPi * x / L);
        EXPECT_NEAR((got["density"][i][0].get<double>() - 1.0) * kTwoPi / B, 1.0, 1e-9) << "x " << x;
    }
}

TEST(FieldModulation, VelocityIsGaugeInvariantAndTheMomentFeelsTheGradient) {
    // Where B_z(x) is extremal (x = 0: B = B1, B' = 0) the modulated field is locally a uniform one in
    // another gauge: Eq. 24's ṙ_s (gauge invariant) equals the symmetric gauge's at r = 0 for the
    // same kinetic momentum, to 1e-9 (∂𝓕 by differences). Where B_z = 0 and B' = −2πB1/L (x = L/4)
    // the Berry terms vanish (∂_r d = 0) and the only force is the orbital moment's energy δε =
    // −m_z B_z(x) in the gradient: ħk̇_x = ṗ_x = −∂_x δε = m_z B'(x), with m_z of two_band_geometry
    // (both bands carry the same moment in a two-band model), to 1e-9.
    const double B1 = 0.01, L = 30.0;
    const auto modulated = qwz_in(0.0, B1, L, 0), uniform = qwz_in(B1, 0.0, 1.0, 0);
    for (const auto& kk : std::vector<std::vector<double>>{{0.3, -0.4}, {1.9, 0.7}, {-2.6, 2.2}}) {
        const double k[3] = {kk[0], kk[1], 0.0}, r0[3] = {0.0, 0.0, 0.0};
        double xm[kPhaseCoords], xu[kPhaseCoords];
        modulated.canonical_point(r0, 0.0, k, xm);
        uniform.canonical_point(r0, 0.0, k, xu);
        PhaseSpacePoint pm, pu;
        modulated(xm, pm);
        uniform(xu, pu);
        double gm[6], gu[6];
        scalar_curvature_gradient(modulated, xm, kCoordX, 3, 1e-4, gm);
        scalar_curvature_gradient(modulated, xm, kCoordKx, 3, 1e-4, gm + 3);
        scalar_curvature_gradient(uniform, xu, kCoordX, 3, 1e-4, gu);
        scalar_curvature_gradient(uniform, xu, kCoordKx, 3, 1e-4, gu + 3);
        for (int s : {-1, 1}) {
            double rm[3], qm[3], ru[3], qu[3];
            semiclassical_velocities(pm, s, gm, rm, qm);
            semiclassical_velocities(pu, s, gu, ru, qu);
            for (int a = 0; a < 2; ++a) EXPECT_NEAR(rm[a], ru[a], 1e-9) << "s " << s;
            EXPECT_GT(std::fabs(rm[0]) + std::fabs(rm[1]), 1e-3);
        }
        // x = L/4: B_z = 0, B' = −2πB1/L.
        const double r4[3] = {L / 4, 0.0, 0.0};
        double x4[kPhaseCoords];
        modulated.canonical_point(r4, 0.0, k, x4);
        PhaseSpacePoint p4;
        modulated(x4, p4);
        double g4[6];
        scalar_curvature_gradient(modulated, x4, kCoordX, 3, 1e-4 * L, g4);
        scalar_curvature_gradient(modulated, x4, kCoordKx, 3, 1e-4, g4 + 3);
        TwoBandPoint h;
        modulated.model(k, h);
        BandGeometry g[2];
        two_band_geometry(h, g);
        const double dB = -kTwoPi * B1 / L;
        for (int s : {-1, 1}) {
            double r_dot[3], p_dot[3];
            semiclassical_velocities(p4, s, g4, r_dot, p_dot);
            EXPECT_NEAR(p_dot[0], g[(s + 1) / 2].m[2] * dB, 1e-9) << "s " << s;
            EXPECT_NEAR(p_dot[1], 0.0, 1e-12);
            EXPECT_GT(std::fabs(p_dot[0]), 1e-5);
        }
    }
}

TEST(FieldModulation, ItsGaugeIsPeriodicSoRealSpacePlanesRunAlongIt) {
    // The modulation's a(r) is periodic with L, so phase_space_chern takes a real-space axis along
    // it (a uniform B's is refused). The plane (x, k1) of a uniform texture maps (x, k_x) to
    // d(k_x, k_y + a_y(x)), whose curvature 𝓕_{x kx} = B_z(x) 𝓕_{ky kx} is not zero pointwise; the
    // homotopy a → 0 deforms the map into one that ignores x without closing qwz's gap (it only
    // shifts k_y), so its Chern numbers are 0: by the link method to rounding (1e-12) and by the
    // integral to 1e-12.
    const auto got = bzint::test::results(
        "[model]\nname = 'qwz'\nu = -1.2\n[texture]\nkind = 'uniform'\nexchange = 0.0\ndirection = [0, 0, 1]\n"
        "B_modulation = 0.05\nB_modulation_period = 20.0\n[task]\nkind = 'phase_space_chern'\nplane = ['x', 'k1']\n"
        "n = [64, 64]\nk = [0.1, 0.0]\n");
    for (int band = 0; band < 2; ++band) {
        EXPECT_NEAR(got["chern_fhs"][band].get<double>(), 0.0, 1e-12);
        EXPECT_NEAR(got["chern"][band].get<double>(), 0.0, 1e-12);
    }
}

TEST(FieldModulation, EquilibriumCurrentVanishesAtFirstOrder) {
    // Eq. 30 at a point involves the field only through the local B_z(x) (the chain rule through
    // a(r) and ∂_p 𝓕 at fixed r: no ∂_x B_z enters), and a uniform field carries no current
    // (tests/test_texture_current.cpp, NoCurrentInAUniformMagneticField). So at first order a
    // superlattice carries none either; its magnetisation current −χ ∂_x B_z is of higher order.
    // qwz, four positions, three levels: |j| to 1e-12 (rounding), with the ∂_p 𝓕 differences on.
    const auto got = bzint::test::results(
        "[model]\nname = 'qwz'\nu = -1.2\n[mesh]\nn = [96, 96]\n[texture]\nkind = 'uniform'\nexchange = 0.0\n"
        "direction = [0, 0, 1]\nB_modulation = 0.01\nB_modulation_period = 40.0\n[task]\nkind = 'texture_current'\n"
        "mu = [-0.9, 0.0, 0.6]\nT = 0.05\nr = [[0, 0, 0], [7, 0, 0], [10, 0, 0], [23, 0, 0]]\n");
    for (const auto& point : got["current"])
        for (const auto& level : point)
            for (const auto& c : level) EXPECT_NEAR(c.get<double>(), 0.0, 1e-12);
}

TEST(FieldModulation, ExactLatticeReferenceConvergesToTheLocalStredaDensity) {
    // The exact lattice reference with the modulation's Peierls phases (box_hamiltonian.hpp: the hop
    // from r to r + R gains exp(i ∫ a·dl)) against the semiclassical density in qwz's gap,
    // n(x) = 1 + C B_z(x)/2π (C = +1: ChernInsulatorsDensityFollowsTheLocalField). A superlattice
    // has no net flux, so a periodic box of one period needs no flux quantum. The difference is
    // the gradient expansion's next order, ∝ B1 (2π/L)²: over L = 8, 16, 32 (box L × 1 cells,
    // 4 × 32 twists, dense) it falls by more than 3.5 per doubling (measured 3.7, 3.9) and ends
    // below 1.5 % of the modulation's amplitude B1/2π. A wrong sign of the phases would give
    // n − 1 ≈ −C B_z/2π, an error of twice the amplitude that does not fall.
    const double B1 = 0.02;
    std::vector<double> error;
    for (int L : {8, 16, 32}) {
        std::string r;
        for (int x = 0; x < L; x += L / 8) r += fmt::format("{}[{}, 0, 0]", r.empty() ? "" : ", ", x);
        const auto got = bzint::test::results(fmt::format(
            "[model]\nname = 'qwz'\nu = -1.2\n[texture]\nkind = 'uniform'\nexchange = 0.0\ndirection = [0, 0, 1]\n"
            "B_modulation = {}\nB_modulation_period = {}\n[task]\nkind = 'texture_lattice'\nbox = [{}, 1]\ntwists = [4, 32]\n"
            "method = 'dense'\nmu = 0.0\nT = 0.05\nr = [{}]\n",
            B1, L, L, r));
        double worst = 0.0;
        for (std::size_t i = 0; i < got["r"].size(); ++i) {
            const double x = got["r"][i][0].get<double>(), B = B1 * std::cos(kTwoPi * x / L);
            worst = std::max(worst, std::fabs(got["density"][i][0].get<double>() - (1.0 + B / kTwoPi)));
        }
        EXPECT_GT(got["density"][0][0].get<double>() - 1.0, 0.5 * B1 / kTwoPi) << "L " << L;  // x = 0: B_z = B1 > 0
        error.push_back(worst);
    }
    EXPECT_GT(error[0] / error[1], 3.5);
    EXPECT_GT(error[1] / error[2], 3.5);
    EXPECT_LT(error[2], 0.015 * B1 / kTwoPi);
}
