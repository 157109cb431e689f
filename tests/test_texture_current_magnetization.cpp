// What Eq. 30's current is, against the equilibrium current thermodynamics gives (docs/textures.md
// "What Eq. 30's current is"). The paper extracts Eq. 30 from the continuity equation (Sec. II C:
// "the curl-free part of the particle current"), which fixes a current only up to a
// divergence-free part, and in equilibrium every current is divergence-free: the magnetisation
// current of the local orbital magnetisation M, j_y = ∂_x M and j_x = −∂_y M in bzint's conventions (the sign that makes Eq. 30's gap current below the Středa Hall current),
// with ∂M/∂μ = ∂n/∂B (Maxwell's relation, task streda's dn_dB / 2π, in e/h). These tests pin where
// the two agree and where they do not.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <string>

#include "bzint/hd.hpp"
#include "test_util.hpp"

namespace {

// Task streda's [dn_dB, dn_dB_sea] at μ for qwz at u, T = 0.05, 256² mesh, per 2π (e/h = 1/2π).
std::pair<double, double> streda(double u, double mu) {
    const auto r = bzint::test::results(fmt::format("[model]\nname = 'qwz'\nu = {:.17g}\n[mesh]\nn = [256, 256]\n[task]\n"
                                                    "kind = 'streda'\nmu = {:.17g}\nT = 0.05\n",
                                                    u, mu));
    return {r["dn_dB"][0].get<double>() / (2.0 * bzint::kPi), r["dn_dB_sea"][0].get<double>() / (2.0 * bzint::kPi)};
}

// The cosine potential U = A cos(2πx/L) of the tests in a potential (A = 0.1, L = 200), at x = 37:
// U, U′ there, and its [texture] section (a uniform texture without exchange).
constexpr double kA = 0.1, kL = 200.0, kX = 37.0;
const double kU = kA * std::cos(2 * bzint::kPi * kX / kL), kdU = -kA * 2 * bzint::kPi / kL * std::sin(2 * bzint::kPi * kX / kL);
const std::string kCosinePotential = fmt::format("[texture]\nkind = 'uniform'\nexchange = 0.0\ndirection = [0, 0, 1]\n"
                                                 "potential = 'cosine'\npotential_amplitude = {}\npotential_period = {}\n",
                                                 kA, kL);

}  // namespace

TEST(Eq30Current, InAPotentialItIsTheBerryPartOfTheMagnetisationCurrent) {
    // qwz (u = −1.2) in U = A cos(2πx/L) (A = 0.1, L = 200), at x = 37: 𝓕 = 0 and Eq. 30 keeps
    // q_s 𝓕_{p p_l} ∂_{r_l} ε_s, the anomalous velocity of the force −∇U, so j_y = −U′ Σ_s ∫ f Ω_s:
    // task streda's Fermi-sea part, to 1e-8 relative (measured 1.2e-9), at every μ (the local μ − U(x)). The
    // magnetisation current is j_y = ∂_x M(μ − U) = −U′ ∂n/∂B, whose Fermi-surface part, the orbital
    // moments' Σ∫ m (−f′), Eq. 30 does not hold: equal in the gap (μ = 0), off by −74 % and a sign
    // at μ = 0.9, by a factor −10 at μ = 1.3 (measured: 3.764e-4 against −3.389e-4, 6.28e-5 against
    // −6.357e-4).
    const double U = kU, dU = kdU;
    for (const double mu : {0.0, 0.9, 1.3}) {
        const auto r = bzint::test::results(fmt::format(
            "[model]\nname = 'qwz'\nu = -1.2\n[mesh]\nn = [256, 256]\n{}[task]\nkind = 'texture_current'\nmu = {}\nT = 0.05\n"
            "r = [[{}, 0, 0]]\n",
            kCosinePotential, mu, kX));
        const double jy = r["current"][0][0][1].get<double>();
        const auto [dn_dB, sea] = streda(-1.2, mu - U);
        EXPECT_NEAR(jy, -sea * dU, 1e-8 * std::fabs(sea * dU)) << mu;
        // magnetisation_current, the curl of the local M by differences, is the whole −U′ ∂n/∂B
        // (measured to 3e-9 relative), and has no x part.
        const auto& jm = r["magnetisation_current"][0][0];
        EXPECT_NEAR(jm[1].get<double>(), -dn_dB * dU, 1e-7 * std::fabs(dn_dB * dU)) << mu;
        EXPECT_NEAR(jm[0].get<double>(), 0.0, 1e-12) << mu;
        if (mu == 0.0) EXPECT_NEAR(jy, -dn_dB * dU, 1e-6 * std::fabs(dn_dB * dU));  // no Fermi surface
        else EXPECT_GT(std::fabs(jy + dn_dB * dU), 0.5 * std::fabs(dn_dB * dU)) << mu;
    }
}

TEST(Eq30Current, ADomainWallsCurrentAgainstTheFarFieldsMagnetisationStep) {
    // Across a Néel wall of qwz (u = −1.2, J = 0.3) the equilibrium current along it integrates to
    // the step of the magnetisation between the far fields, M(u − J) − M(u + J), whatever happens
    // inside. M(μ) = ∫_{−∞}^{μ} ∂n/∂B dμ′ from task streda (steps of 0.005 from −4, below both
    // bands, by the trapezoid rule: T = 0.05 smooths the integrand). In the gap (μ = 0) both far
    // fields have the same M (qwz's particle–hole symmetry σ_x H*(−k) σ_x = −H(k) makes it 0 at
    // μ = 0): no net current, |ΔM| < 1e-6. Eq. 30's current, integrated on 128 points of
    // [−40w, 40w], carries −0.01226 per unit length at w = 5, 10 and 20 alike (first order in the
    // gradients, not a higher-order remainder), and in the band (μ = 0.9) −0.03295 where ΔM =
    // −0.0564. A static 1D current's j_x must vanish (∂_x j_x = 0, j_x(±∞) = 0): Eq. 30's does to its
    // order, its j_x being second order in the gradients (measured 4.0e-6, 1.0e-6 at the centre for
    // w = 5, 10, against j_y = −1.4e-3, −6.9e-4).
    // Eq. 30's and the magnetisation current's ∫ j_y dx at both levels, and the largest |j_x| of each.
    auto integrated = [](double w) {
        const double X = 40.0 * w, h = 2.0 * X / 128;
        std::string r = "r = [";
        for (int i = 0; i < 128; ++i) r += fmt::format("{}[{:.17g}, 0, 0]", i ? ", " : "", -X + h * i);
        const auto out = bzint::test::results(fmt::format(
            "[model]\nname = 'qwz'\nu = -1.2\n[mesh]\nn = [128, 128]\n[texture]\nkind = 'domain_wall'\nwidth = {}\n"
            "exchange = 0.3\n[task]\nkind = 'texture_current'\nmu = [0.0, 0.9]\nT = 0.05\n{}]\n",
            w, r));
        std::array<double, 8> q{};  // Eq. 30: ∫ j_y dx [2], max |j_x|; magnetisation current: the same;
                                    // the band level's magnetisation at the first and last position
        for (int m = 0; m < 2; ++m)
            for (const auto& p : out[m == 0 ? "current" : "magnetisation_current"])
                for (std::size_t l = 0; l < 2; ++l) {
                    q[3 * m + l] += h * p[l][1].get<double>();
                    q[3 * m + 2] = std::max(q[3 * m + 2], std::fabs(p[l][0].get<double>()));
                }
        q[6] = out["magnetisation"][0][1].get<double>();
        q[7] = out["magnetisation"][127][1].get<double>();
        return q;
    };
    const auto q5 = integrated(5.0), q10 = integrated(10.0);
    // M of the far fields (u + J on the left, u − J on the right) at μ = 0 and 0.9 from streda's ∂n/∂B.
    auto far_fields = [](double mu) {
        std::string levels = "mu = [";
        const int n = static_cast<int>(std::lround((mu + 4.0) / 0.005));
        for (int i = 0; i <= n; ++i) levels += fmt::format("{}{:.17g}", i ? ", " : "", -4.0 + 0.005 * i);
        std::array<double, 2> far{};  // left, right
        for (const double u : {-1.5, -0.9}) {
            const auto r = bzint::test::results(fmt::format("[model]\nname = 'qwz'\nu = {}\n[mesh]\nn = [128, 128]\n[task]\n"
                                                            "kind = 'streda'\n{}]\nT = 0.05\n",
                                                            u, levels));
            double M = 0.0;
            for (int i = 1; i <= n; ++i)
                M += 0.0025 * (r["dn_dB"][i].get<double>() + r["dn_dB"][i - 1].get<double>()) / (2.0 * bzint::kPi);
            far[u == -1.5 ? 1 : 0] = M;
        }
        return far;
    };
    const auto far_gap = far_fields(0.0), far_band = far_fields(0.9);
    EXPECT_LT(std::fabs(far_gap[1] - far_gap[0]), 1e-6);
    const double step_band = far_band[1] - far_band[0];
    EXPECT_NEAR(step_band, -0.0564, 1e-3);
    // magnetisation_current: its integral is the far fields' step (a trapezoid sum of M's
    // differences, spectrally accurate; measured 7e-15 in the gap, −0.0564187 in the band against −0.0563972 from
    // streda's ∂n/∂B, whose μ integral by the trapezoid rule rounds at 4e-4), and j_x = 0.
    // The magnetisation itself in the far fields is streda's integrated ∂n/∂B (to 2e-4: the μ
    // integral's trapezoid rule), and their difference, exact where the current's sum over the 128
    // positions is not (in a band the Fermi function's poles narrow M(x)'s strip of analyticity to
    // ~πT/|du/dx|, which the positions' spacing does not resolve to better than ~1e-3), is streda's
    // step to 2e-4 (measured 1.0e-4) and the current's integral to 1e-3 (measured 2.8e-4).
    EXPECT_NEAR(q5[6], far_band[0], 2e-4);
    EXPECT_NEAR(q5[7], far_band[1], 2e-4);
    EXPECT_NEAR(q5[7] - q5[6], step_band, 2e-4 * std::fabs(step_band));
    EXPECT_NEAR(q5[7] - q5[6], q5[4], 1e-3 * std::fabs(step_band));
    EXPECT_NEAR(q5[3], 0.0, 1e-12);
    EXPECT_NEAR(q5[4], step_band, 1e-3 * std::fabs(step_band));
    EXPECT_NEAR(q10[4], q5[4], 1e-10);
    EXPECT_LT(q5[5], 1e-12);
    EXPECT_NEAR(q5[0], -0.01226, 1e-4);
    EXPECT_NEAR(q5[0], q10[0], 1e-9);  // first order in the gradients
    EXPECT_NEAR(q5[1], -0.03295, 1e-4);
    // j_x: second order in the gradients (a quarter when w doubles), below 1e-2 of j_y.
    EXPECT_NEAR(q5[2] / q10[2], 4.0, 0.2);
    EXPECT_LT(q10[2], 1e-2 * std::fabs(q10[0]) / 10.0);
}

TEST(Eq30Current, NoMagnetisationCurrentAtZeroTemperatureInABand) {
    // At T = 0 the orbital moments' term m f of M is a step on the mesh, which the stencil's
    // differences cannot resolve: with a level in a band the result is left out and a warning says
    // why; in the gap (no Fermi surface) it is computed. Nor is it computed where M is uniform (a
    // uniform texture, no potential) or out of equilibrium (E).
    const std::string model = "[model]\nname = 'qwz'\nu = -1.2\n[mesh]\nn = [64, 64]\n";
    const std::string wall = "[texture]\nkind = 'domain_wall'\nwidth = 5.0\nexchange = 0.3\n";
    auto run = [](const std::string& text) { return bzint::test::run_toml(text, bzint::Backend::cpu); };
    const auto band = run(model + wall + "[task]\nkind = 'texture_current'\nmu = [0.0, 0.9]\nr = [[0, 0, 0]]\n");
    EXPECT_FALSE(band["results"].contains("magnetisation_current"));
    bool warned = false;
    for (const auto& w : band["warnings"]) warned = warned || w.get<std::string>().find("no magnetisation_current: at T = 0") != std::string::npos;
    EXPECT_TRUE(warned);
    EXPECT_TRUE(run(model + wall + "[task]\nkind = 'texture_current'\nmu = 0.0\nr = [[0, 0, 0]]\n")["results"].contains(
        "magnetisation_current"));
    EXPECT_FALSE(run(model + "[texture]\nkind = 'uniform'\nexchange = 0.3\ndirection = [0, 0, 1]\n[task]\nkind = "
                             "'texture_current'\nmu = 0.9\nT = 0.05\n")["results"]
                     .contains("magnetisation_current"));
    EXPECT_FALSE(run(model + wall + "E = [0.01, 0.0]\n[task]\nkind = 'texture_current'\nmu = 0.9\nT = 0.05\n")["results"].contains(
        "magnetisation_current"));
}

// An N-band model's texture_current is the magnetisation current alone (Eq. 30 is the two-band
// form): M of texture_magnetisation.hpp from the Kubo sums of nband_geometry.hpp.
namespace {

// magnetisation_current [point][level][x, y, z] of a skyrmion lattice (qwz's example's, on a 64²
// mesh) for a model section.
nlohmann::json skyrmion_magnetisation_current(const std::string& model) {
    return bzint::test::results(model + "\n[mesh]\nn = [64, 64]\n[texture]\nkind = 'skyrmion_lattice'\nexchange = 0.5\n"
                                        "period = 160.0\nradius = 80.0\nhelicity = 1.5707963267948966\n[task]\n"
                                        "kind = 'texture_current'\nmu = [0.0, 1.0]\nT = 0.05\nr = [[40, 80, 0], [60, 70, 0]]\n")
        ["magnetisation_current"];
}

}  // namespace

TEST(NBandMagnetisationCurrent, UncoupledQwzCopiesCarryTheSumOfTheirCurrents) {
    // qwz_pair at g = 0 is two qwz models, each coupled to the texture through its own σ: its M is
    // the sum of theirs, and so is the current — the Kubo sums of four bands against the two-band
    // closed forms, to 1e-9 of the largest value (measured 2e-16). With u1 = u2 every level is a
    // degenerate pair at every point, whose group sums alone the Kubo sums keep: twice one copy.
    const auto one = skyrmion_magnetisation_current("[model]\nname = 'qwz'\nu = -1.2");
    const auto other = skyrmion_magnetisation_current("[model]\nname = 'qwz'\nu = 0.7");
    const auto pair = skyrmion_magnetisation_current("[model]\nname = 'qwz_pair'\nu1 = -1.2\nu2 = 0.7\ng = 0.0");
    const auto twins = skyrmion_magnetisation_current("[model]\nname = 'qwz_pair'\nu1 = -1.2\nu2 = -1.2\ng = 0.0");
    double largest = 0.0;
    for (std::size_t a = 0; a < 2; ++a)
        for (std::size_t l = 0; l < 2; ++l)
            for (std::size_t c = 0; c < 3; ++c) largest = std::max(largest, std::fabs(one[a][l][c].get<double>()));
    ASSERT_GT(largest, 1e-4);
    for (std::size_t a = 0; a < 2; ++a)
        for (std::size_t l = 0; l < 2; ++l)
            for (std::size_t c = 0; c < 3; ++c) {
                const double j1 = one[a][l][c].get<double>(), j2 = other[a][l][c].get<double>();
                EXPECT_NEAR(pair[a][l][c].get<double>(), j1 + j2, 1e-9 * largest) << a << " " << l << " " << c;
                EXPECT_NEAR(twins[a][l][c].get<double>(), 2.0 * j1, 1e-9 * largest) << a << " " << l << " " << c;
            }
}

TEST(NBandMagnetisationCurrent, InAPotentialItIsStredasResponse) {
    // Coupled copies of equal Chern number (qwz_pair, u1 = −1, u2 = −1.5, g = 0.2; the gap's ∂n/∂B is
    // then C/2π ≠ 0) in U = A cos(2πx/L): M at x is
    // M(μ − U(x)), so j_y = ∂_x M = −U′ ∂n/∂B with task streda's N-band ∂n/∂B at μ − U (Maxwell's
    // relation), in the gap and in the bands; to 1e-7 relative as the two-band check (the stencil's
    // fourth-order differences at step 1e-4 of the cell against L = 200; measured 3.5e-11 in the gap,
    // 3.5e-9 and 1.3e-9 in the bands).
    const double U = kU, dU = kdU;
    const std::string model = "[model]\nname = 'qwz_pair'\nu1 = -1.0\nu2 = -1.5\ng = 0.2\n[mesh]\nn = [256, 256]\n";
    const auto r = bzint::test::run_toml(fmt::format(
        "{}{}[task]\nkind = 'texture_current'\nmu = [0.0, 0.9, 1.6]\nT = 0.05\nr = [[{}, 0, 0]]\n", model, kCosinePotential, kX));
    EXPECT_FALSE(r["results"].contains("current"));  // no Eq. 30 for four bands
    EXPECT_TRUE(r["errors"].contains("magnetisation_current"));  // with its error estimate
    const double levels[3] = {0.0, 0.9, 1.6};
    for (std::size_t l = 0; l < 3; ++l) {
        const auto s = bzint::test::results(fmt::format("{}[task]\nkind = 'streda'\nmu = {:.17g}\nT = 0.05\n", model, levels[l] - U));
        const double dn_dB = s["dn_dB"][0].get<double>() / (2.0 * bzint::kPi);
        const auto& j = r["results"]["magnetisation_current"][0][l];
        EXPECT_NEAR(j[1].get<double>(), -dn_dB * dU, 1e-7 * std::fabs(dn_dB * dU)) << levels[l];
        EXPECT_NEAR(j[0].get<double>(), 0.0, 1e-12) << levels[l];
    }
}

TEST(MagnetisationCurrent3D, InAPotentialItIsMinusTheCurlOfTheMagnetisationVector) {
    // In 3D M is a vector, M_c = Σ_n ∫ d³k/(2π)³ [m_n^c f + Ω_n^c T ln(1 + e^{(μ − ε_n)/T})], and
    // j = −∇ × M. In U(x) = A cos(2πx/L), M(x) = M(μ − U(x)) and ∂M_c/∂μ = ∂n/∂B_c (task streda's
    // 3D dn_dB, one per field direction), so j = (0, −U′ ∂n/∂B_z, U′ ∂n/∂B_y): for weyl_lattice
    // with inversion broken (b0 = 0.4), to 1e-7 relative of the largest component (measured
    // 1.1e-8; its M lies along z, so j_z is 0 to rounding), and j_x = 0 to 1e-12 (measured 1.4e-14).
    // (The N-band Kubo sums' vector M, every component: NBandTexture.MagnetisationIntegrandOfATwoBandModelAsNEquals2.)
    const double U = kU, dU = kdU;
    const std::string model = "[model]\nname = 'weyl_lattice'\nb0 = 0.4\n[mesh]\nn = [48, 48, 48]\n";
    const auto r = bzint::test::results(fmt::format("{}{}[task]\nkind = 'texture_current'\nmu = [0.2, 0.9]\nT = 0.1\n"
                                                    "r = [[{}, 0, 0], [{}, 0, 0], [{}, 0, 0]]\n",
                                                    model, kCosinePotential, kX, kX - 0.5, kX + 0.5));
    const double levels[2] = {0.2, 0.9};
    for (std::size_t l = 0; l < 2; ++l) {
        const auto s = bzint::test::results(fmt::format("{}[task]\nkind = 'streda'\nmu = {:.17g}\nT = 0.1\n", model, levels[l] - U));
        const auto& dn = s["dn_dB"][0];  // e/h: 2π × the ħ = e = 1 value
        const double expected[3] = {0.0, -dU * dn[2].get<double>() / (2.0 * bzint::kPi), dU * dn[1].get<double>() / (2.0 * bzint::kPi)};
        const auto& j = r["magnetisation_current"][0][l];
        const double scale = std::max(std::fabs(expected[1]), std::fabs(expected[2]));
        ASSERT_GT(scale, 1e-6) << levels[l];
        EXPECT_NEAR(j[0].get<double>(), 0.0, 1e-12) << levels[l];
        for (int c = 1; c < 3; ++c) EXPECT_NEAR(j[c].get<double>(), expected[c], 1e-7 * scale) << levels[l] << " " << c;
        // The vector M at the positions x ∓ 1/2: j_y = ∂_x M_z by their central difference, to its
        // error (1/24) M''' ~ 4e-5 relative.
        const auto& M = r["magnetisation"];
        ASSERT_EQ(M[1][l].size(), 3u);
        EXPECT_NEAR(M[2][l][2].get<double>() - M[1][l][2].get<double>(), j[1].get<double>(), 1e-4 * scale) << levels[l];
    }
}

TEST(MagnetisationCurrent3D, ItsComponentsAreMinusTheCurlOfTheMagnetisationItReports) {
    // qhz (four bands, 3D) magnetised by a uniform exchange J m·S with an in-plane part, in a cosine
    // potential along x or y: M has all three components and varies along the potential's axis
    // alone. At the centre position, j = −∇ × M against the central differences of the reported M
    // at ±0.1 along that axis (their error, (δU/T)²/6 ~ 2e-4 relative in a band, δU = U′ · 0.1):
    // along x, j = (0, ∂_x M_z, −∂_x M_y); along y, j = (−∂_y M_z, 0, ∂_y M_x) — each component's
    // sign, to 2e-3 of the largest (measured 5e-4).
    struct Case {
        const char* axis;
        const char* direction;
        int along;
    };
    for (const Case& c : {Case{"x", "[0, 0.6, 0.8]", 0}, Case{"y", "[0.6, 0, 0.8]", 1}}) {
        double r[3][3] = {{3, 1, 0}, {3, 1, 0}, {3, 1, 0}};  // centre, −0.1, +0.1 along the axis
        r[1][c.along] -= 0.1;
        r[2][c.along] += 0.1;
        const auto out = bzint::test::results(fmt::format(
            "[model]\nname = 'qhz'\nm = -1.0\n[mesh]\nn = [16, 16, 16]\n[texture]\nkind = 'uniform'\nexchange = 0.4\n"
            "direction = {}\npotential = 'cosine'\npotential_amplitude = 0.1\npotential_period = 20.0\npotential_axis = '{}'\n"
            "[task]\nkind = 'texture_current'\nmu = [0.0, 1.5]\nT = 0.1\nr = [[{}, {}, 0], [{}, {}, 0], [{}, {}, 0]]\n",
            c.direction, c.axis, r[0][0], r[0][1], r[1][0], r[1][1], r[2][0], r[2][1]));
        for (std::size_t l = 0; l < 2; ++l) {
            const auto& j = out["magnetisation_current"][0][l];
            double dM[3];  // ∂M_c along the axis
            for (int k = 0; k < 3; ++k)
                dM[k] = (out["magnetisation"][2][l][k].get<double>() - out["magnetisation"][1][l][k].get<double>()) / 0.2;
            const double expected[2][3] = {{0.0, dM[2], -dM[1]}, {-dM[2], 0.0, dM[0]}};
            const double scale = std::max({std::fabs(dM[0]), std::fabs(dM[1]), std::fabs(dM[2])});
            // The in-plane component's derivative is not small: the sign of its term is tested.
            ASSERT_GT(std::fabs(dM[1 - c.along]), 0.05 * scale) << c.axis << " " << l;
            for (int k = 0; k < 3; ++k)
                EXPECT_NEAR(j[k].get<double>(), expected[c.along][k], 2e-3 * scale) << c.axis << " " << l << " " << k;
        }
    }
}

TEST(NBandMagnetisationCurrent, EachBandsPartOfTheMagnetisationAndItsCurrent) {
    // band_resolved: each band's part of M and of −∇ × M (magnetisation_bands,
    // magnetisation_current_bands). The parts sum to the whole (1e-10 of the largest: the
    // differences divide the sums' rounding by 12h; measured 1.4e-12), and for
    // qwz_pair at g = 0 — where at every point the copies' lower bands lie below both upper bands
    // (±|d|) — the pair's two lowest bands together are the two qwz copies' lower parts, the two
    // highest their upper parts (the Kubo sums against the closed forms; 1e-9 of the largest).
    auto run = [](const std::string& model) {
        return bzint::test::results(model + "\n[mesh]\nn = [64, 64]\n[texture]\nkind = 'skyrmion_lattice'\nexchange = 0.5\n"
                                            "period = 160.0\nradius = 80.0\nhelicity = 1.5707963267948966\n[task]\n"
                                            "kind = 'texture_current'\nmu = [0.0, 1.0]\nT = 0.05\nr = [[40, 80, 0], [60, 70, 0]]\n"
                                            "band_resolved = true\n");
    };
    const auto one = run("[model]\nname = 'qwz'\nu = -1.2"), other = run("[model]\nname = 'qwz'\nu = 0.7");
    const auto pair = run("[model]\nname = 'qwz_pair'\nu1 = -1.2\nu2 = 0.7\ng = 0.0");
    // Component c of a result's value at (point a, level l): M is a number in 2D, the current a vector.
    auto at = [](const nlohmann::json& v, int c) { return v.is_array() ? v[c].get<double>() : (c == 0 ? v.get<double>() : 0.0); };
    for (const char* key : {"magnetisation_current", "magnetisation"}) {
        const std::string bands = std::string(key) + "_bands";
        double largest = 0.0;
        for (std::size_t a = 0; a < 2; ++a)
            for (std::size_t l = 0; l < 2; ++l)
                for (int c = 0; c < 3; ++c) largest = std::max(largest, std::fabs(at(pair[key][a][l], c)));
        ASSERT_GT(largest, 1e-5) << key;
        for (std::size_t a = 0; a < 2; ++a)
            for (std::size_t l = 0; l < 2; ++l)
                for (int c = 0; c < 3; ++c) {
                    for (const auto* r : {&one, &other, &pair}) {
                        double sum = 0.0;
                        for (const auto& part : (*r)[bands][a][l]) sum += at(part, c);
                        EXPECT_NEAR(sum, at((*r)[key][a][l], c), 1e-10 * largest) << key << " " << a << " " << l << " " << c;
                    }
                    const auto& p = pair[bands][a][l];
                    for (int half = 0; half < 2; ++half)
                        EXPECT_NEAR(at(p[2 * half], c) + at(p[2 * half + 1], c),
                                    at(one[bands][a][l][half], c) + at(other[bands][a][l][half], c), 1e-9 * largest)
                            << key << " " << a << " " << l << " " << c << " half " << half;
                }
    }
}
