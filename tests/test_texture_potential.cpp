// A static scalar potential U(r) in a textured model ([texture] potential; the kinetic-equation
// paper's φ of Eq. 32; docs/textures.md): the density follows the local chemical potential μ − U,
// a potential's gradient in a gap drives the Hall current of the equivalent uniform field, a packet
// conserves ε̄ + U, and the exact lattice reference with U on its sites converges to the
// semiclassical density as L^-2.
#include <fmt/core.h>
#include <gtest/gtest.h>

#include <cmath>
#include <string>

#include "bzint/hd.hpp"
#include "test_util.hpp"

using namespace bzint;

namespace {

std::string qwz_with(const std::string& texture_extra, double u = -1.2) {
    return fmt::format("[model]\nname = 'qwz'\nu = {}\n[texture]\nkind = 'uniform'\nexchange = 0.0\ndirection = [0, 0, 1]\n{}\n",
                       u, texture_extra);
}

}  // namespace

TEST(TexturePotential, DensityFollowsTheLocalChemicalPotential) {
    // A scalar potential moves both bands by U(r) and leaves m(r) alone, so 𝓕 = 0 and Eqs. 23, 28
    // add nothing: n(r; μ) is the uniform model's n(μ − U(r)) on the same mesh, to rounding. qwz in
    // its lower band (μ = −1.5, T = 0.1) with U = 0.2 cos(2πx/40) at four positions.
    const double A = 0.2, L = 40.0, mu = -1.5;
    const auto with = test::results(qwz_with(fmt::format("potential = 'cosine'\npotential_amplitude = {}\npotential_period = {}", A, L)) +
                                    fmt::format("[mesh]\nn = [64, 64]\n[task]\nkind = 'texture_density'\nmu = {}\nT = 0.1\n"
                                                "r = [[0, 0, 0], [5, 3, 0], [10, -2, 0], [20, 0, 0]]\n",
                                                mu));
    int i = 0;
    for (double x : {0.0, 5.0, 10.0, 20.0}) {
        const double U = A * std::cos(2 * kPi * x / L);
        const auto plain = test::results(qwz_with("") + fmt::format("[mesh]\nn = [64, 64]\n[task]\nkind = 'texture_density'\n"
                                                                    "mu = {}\nT = 0.1\n",
                                                                    mu - U));
        EXPECT_NEAR(with["density"][i][0].get<double>(), plain["density"][0][0].get<double>(), 1e-13) << x;
        ++i;
    }
    EXPECT_GT(std::fabs(with["density"][0][0].get<double>() - with["density"][3][0].get<double>()), 0.01);
}

TEST(TexturePotential, GradientInAGapDrivesTheHallCurrentOfTheEquivalentField) {
    // qwz at u = −1.2 (C_lower = +1) with μ = 0 in its gap and U = A cos(2πx/L): at x = L/4, U = 0,
    // U'' = 0 and ∂_x U = −2πA/L. The force −∇U on an electron is that of a uniform field with
    // −E = −∇U (bzint's [texture] E moves k as k̇ = −E, docs/conventions.md), so Eq. 30's current
    // there is the Hall current of E = ∇U: j_y = σ_xy-driven, the same to first order in the
    // gradient (U''' ~ (2π/L)³ A enters only at third order: 1e-9 here). It is the equilibrium
    // magnetisation current ∇ × M(μ − U) of a Chern insulator (Středa: ∂M/∂μ = ∂n/∂B).
    const double A = 0.05, L = 200.0, slope = -2 * kPi * A / L;
    const std::string task = "[mesh]\nn = [96, 96]\n[task]\nkind = 'texture_current'\nmu = 0.0\nT = 0.02\n";
    const auto with = test::results(qwz_with(fmt::format("potential = 'cosine'\npotential_amplitude = {}\npotential_period = {}", A, L)) +
                                    task + fmt::format("r = [[{}, 0, 0]]\n", L / 4));
    const auto field = test::results(qwz_with(fmt::format("E = [{}, 0]", slope)) + task);
    const double jy = field["current"][0][0][1].get<double>();
    EXPECT_NEAR(std::fabs(jy), std::fabs(slope) / (2 * kPi), 1e-9);  // |σ_xy| = e²/h, C = 1
    EXPECT_NEAR(with["current"][0][0][1].get<double>(), jy, 1e-9);
    EXPECT_NEAR(with["current"][0][0][0].get<double>(), 0.0, 1e-12);
}

TEST(TexturePotential, PacketConservesItsEnergyInAPotentialWell) {
    // dirac2d (m = 0.5) in U = 0.1 cos(2πx/40): a packet of the upper band at the well's bottom
    // (x = 20, U = −0.1) with kinetic energy E(k) − m = 0.01 < 2A oscillates in the well; ε̄ + U is
    // conserved by Eq. 24 (static H, no Berry terms: 𝓕 = 0) to the Runge–Kutta error, and the packet
    // stays between the turning points, where U = −0.1 + 0.01.
    const double k0 = std::sqrt(0.51 * 0.51 - 0.25);
    const auto r = test::results(fmt::format(
        "[model]\nname = 'dirac2d'\nv = 1.0\nm = 0.5\n[texture]\nkind = 'uniform'\nexchange = 0.0\ndirection = [0, 0, 1]\n"
        "potential = 'cosine'\npotential_amplitude = 0.1\npotential_period = 40.0\n[task]\nkind = 'trajectories'\n"
        "r = [[20, 0, 0]]\nk = [[{}, 0]]\nband = 'upper'\ndt = 0.05\nsteps = 4000\nsamples = 100\n",
        k0));
    EXPECT_LT(r["energy_drift"][0].get<double>(), 1e-9);
    const double turning = 40.0 / (2 * kPi) * std::acos(-0.09 / 0.1);  // U(x) = −0.09
    EXPECT_LT(std::fabs(r["final_position"][0][0].get<double>() - 20.0), 20.0 - turning + 1e-6);
}

TEST(TexturePotential, LatticeReferenceConvergesToTheLocalDensity) {
    // The exact lattice reference with U(r_c) on each cell's two orbitals (texture_lattice, dense)
    // against texture_density's n(μ − U(r)) along x, for qwz in its lower band (μ = −1.5, T = 0.2)
    // with U = 0.2 cos(2πx/L) on a box of L × 1 cells (twists sample k_y): the semiclassics drop
    // the quantum corrections of second order in the gradient (∝ U''/…, the Wigner–Kirkwood terms),
    // so the difference falls as L^-2 — by 4 per doubling, checked within [3, 5.5] — while a
    // potential put on the wrong sites or with the wrong sign would leave an O(A) difference.
    std::vector<double> worst;
    for (int L : {8, 16, 32}) {
        std::string r = "[";
        for (int x = 0; x < L; x += L / 8) r += fmt::format("{}[{}, 0, 0]", x ? ", " : "", x);
        r += "]";
        const std::string model = qwz_with(fmt::format("potential = 'cosine'\npotential_amplitude = 0.2\npotential_period = {}", L));
        const auto exact = test::run_toml(model + fmt::format("[task]\nkind = 'texture_lattice'\nbox = [{}, 1]\ntwists = [{}, 64]\n"
                                                              "method = 'dense'\nmu = -1.5\nT = 0.2\nr = {}\n",
                                                              L, std::max(2, 64 / L), r));
        const auto semi = test::run_toml(model + "[mesh]\nn = [128, 128]\n[task]\nkind = 'texture_density'\nmu = -1.5\nT = 0.2\n"
                                                 "r = " + r + "\n");
        double w = 0.0;
        for (std::size_t a = 0; a < exact["results"]["density"].size(); ++a)
            w = std::max(w, std::fabs(semi["results"]["density"][a][0].get<double>() - exact["results"]["density"][a][0].get<double>()));
        worst.push_back(w);
    }
    EXPECT_LT(worst[0], 0.05);
    EXPECT_GT(worst[0] / worst[1], 3.0);
    EXPECT_LT(worst[0] / worst[1], 5.5);
    EXPECT_GT(worst[1] / worst[2], 3.0);
    EXPECT_LT(worst[1] / worst[2], 5.5);
}
