// A sliding texture m(r − v t) ([texture] velocity; include/bzint/texture.hpp's texture_at;
// docs/textures.md "A sliding texture"): its H is the static one's at r − v t, so every curvature
// with t is the chain rule's 𝓕_tI = −v_a 𝓕_{r_a I}; the plane (t, k1) of a spiral sliding along x
// has the Chern number of the plane (x, k1) times −sgn v; and in a gap the slide's current carries
// the density the texture drags along: ∇·j = −∂_t n = v·∇n at first order in the gradients.
#include <fmt/core.h>
#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "bzint/models/all.hpp"
#include "bzint/nband_phase_geometry.hpp"
#include "bzint/nband_texture.hpp"
#include "test_util.hpp"
#include "texture_helpers.hpp"

using namespace bzint;
using bzint::test::skyrmion_lattice;

namespace {

TextureTerms sliding_skyrmions(double vx, double vy) {
    TextureTerms t;
    t.texture = skyrmion_lattice(8.0, 3.5, 1.0, 1.0, 0.4);
    t.exchange = 0.8;
    t.velocity[0] = vx;
    t.velocity[1] = vy;
    t.potential.shape = PotentialShape::cosine;  // static: it does not slide
    t.potential.amplitude = 0.1;
    t.potential.period = 8.0;
    return t;
}

// Phase-space points (r, p, t), r and p in the cell and the zone, t ≠ 0.
std::vector<std::vector<double>> sample_points() {
    return {{1.3, 2.9, 0.0, 0.4, -1.1, 0.0, 0.7}, {5.2, 4.1, 0.0, 2.2, 0.3, 0.0, -3.1}, {3.9, 6.6, 0.0, -2.7, 2.5, 0.0, 2.0}};
}

}  // namespace

TEST(SlidingTexture, TwoBandIsTheStaticTextureAtRMinusVtAndItsTimeCurvaturesTheChainRule) {
    // texture.hpp: H(r, p, t) = H_0(p) + J m(r − v t)·σ + U(r). By hand: d(r, p, t) is the static
    // texture's d at (r − v t, p) plus the static U(r) in d0, its r and p derivatives are the static
    // ones there (U's at r), and ∂_t d = −v_a ∂_{r_a}(J m) is −v_a times the r derivative of the
    // exchange part. Every 𝓕_IJ is bilinear and antisymmetric in (∂_I d, ∂_J d), so 𝓕_tI =
    // −v_a 𝓕_{r_a I} exactly (here U adds to d0 alone, which no 𝓕 sees). To rounding: 1e-15 for
    // d, 1e-13 for the curvatures (products of O(1) derivatives).
    const double v[2] = {0.23, -0.17};
    const double params[kMaxModelParams] = {-1.2};
    const TexturedTwoBand<models::Qwz> sliding{models::Qwz(params), sliding_skyrmions(v[0], v[1])};
    TexturedTwoBand<models::Qwz> frozen = sliding;
    for (double& c : frozen.terms.velocity) c = 0.0;
    frozen.terms.potential = ScalarPotential{};
    for (const auto& x : sample_points()) {
        PhaseSpacePoint p, q;
        sliding(x.data(), p);
        double y[kPhaseCoords];
        std::copy(x.begin(), x.end(), y);
        y[kCoordX] -= v[0] * x[kCoordT];
        y[kCoordY] -= v[1] * x[kCoordT];
        frozen(y, q);
        for (int i = 0; i < 3; ++i) {
            EXPECT_NEAR(p.d[i], q.d[i], 1e-15);
            for (int I = kCoordKx; I < kCoordT; ++I) EXPECT_NEAR(p.dd[I][i], q.dd[I][i], 1e-15);
            for (int a = 0; a < 2; ++a) EXPECT_NEAR(p.dd[kCoordX + a][i], q.dd[kCoordX + a][i], 1e-15);
            EXPECT_NEAR(p.dd[kCoordT][i], -v[0] * q.dd[kCoordX][i] - v[1] * q.dd[kCoordY][i], 1e-15);
        }
        for (int I = 0; I < kPhaseCoords; ++I) {
            const double expected = -v[0] * texture_curvature(p, kCoordX, I) - v[1] * texture_curvature(p, kCoordY, I);
            EXPECT_NEAR(texture_curvature(p, kCoordT, I), expected, 1e-13) << "I " << I;
        }
        EXPECT_NE(texture_curvature(p, kCoordT, kCoordKx), 0.0);  // the texture does move
    }
}

TEST(SlidingTexture, NBandTimeCurvaturesAreTheChainRule) {
    // The N-band model adds J ∂_t m·S to ∂_t H (nband_texture.hpp), so ∂_t H = −v_a ∂_{r_a} H
    // (no E, a static U that enters ∂_r H only through its diagonal): per band, Ω_n^{tI} =
    // −v_a Ω_n^{r_a I} for every I, where U's gradient is absent from both sides' Kubo sums'
    // interband elements (the identity is diagonal). qwz_pair coupled (g = 0.3), all four bands,
    // to 1e-12 (Kubo sums of O(1) elements over gaps ≥ 0.1).
    const double v[2] = {0.23, -0.17};
    const double params[kMaxModelParams] = {-1.2, 0.9, 0.3};
    TextureTerms terms = sliding_skyrmions(v[0], v[1]);
    const TexturedNBand<models::QwzPair> h{models::QwzPair(params), terms};
    for (const auto& x : sample_points()) {
        NBandPhasePoint<4> p;
        h(x.data(), p);
        NBandPhaseEigen<4> s;
        ASSERT_TRUE(nband_phase_eigen(p, s));
        for (int n = 0; n < 4; ++n)
            for (int I = 0; I <= kCoordT; ++I) {
                const double expected = -v[0] * phase_curvature(s, n, kCoordX, I) - v[1] * phase_curvature(s, n, kCoordY, I);
                EXPECT_NEAR(phase_curvature(s, n, kCoordT, I), expected, 1e-12) << "band " << n << " I " << I;
            }
    }
}

TEST(SlidingTexture, SlidingSpiralPlaneWithTimeHasTheChernNumberOfItsPositionPlane) {
    // qwz (u = −1.5) with the spiral of examples/texture/spiral_x_k_torus.toml (J = 1, L = 8,
    // helicity π/2), whose plane (x, k1) at k2 = 0 has C_lower = −1 (docs/textures.md). Sliding
    // along x at v, H(x, k, t) = H(x − v t, k): over one period T = L/|v| the plane (t, k1) at
    // fixed x sweeps x' = x − v t once, backwards for v > 0, so by hand its Chern number is
    // −sgn(v) times the (x, k1) plane's: +1 for v > 0, −1 for v < 0, at every x. The link method
    // is exact (an integer to rounding, 1e-12) and the integral converges spectrally (1e-8).
    const std::string model = "[model]\nname = 'qwz'\nu = -1.5\n";
    const std::string spiral = "[texture]\nkind = 'spiral'\nexchange = 1.0\nperiod = 8.0\nhelicity = 1.5707963267948966\n";
    const auto still = bzint::test::results(model + spiral + "[task]\nkind = 'phase_space_chern'\nplane = ['x', 'k1']\nn = [64, 64]\nk = [0.0, 0.0]\n");
    const double C_x = still["chern_fhs"][0].get<double>();
    EXPECT_NEAR(C_x, -1.0, 1e-12);
    for (double v : {0.05, -0.3})
        for (double x : {0.0, 2.7}) {
            const auto plane = bzint::test::results(
                model + spiral + fmt::format("velocity = [{}, 0.0]\n[task]\nkind = 'phase_space_chern'\nplane = ['t', 'k1']\n"
                                             "n = [64, 64]\nk = [0.0, 0.0]\nr = [{}, 0.0, 0.0]\n",
                                             v, x));
            const double link = plane["chern_fhs"][0].get<double>();
            EXPECT_NEAR(link, -(v > 0 ? 1.0 : -1.0) * C_x, 1e-12) << "v " << v << " x " << x;
            EXPECT_NEAR(plane["chern"][0].get<double>(), link, 1e-8) << "v " << v << " x " << x;
        }
}

TEST(SlidingTexture, AtFirstOrderTheCurrentCarriesTheDensityTheTextureDrags) {
    // Continuity, ∂_t n + ∇·j = 0, with n(r, t) = n(r − v t), so ∇·j = v·∇n. In qwz's gap (u = −1.2,
    // J = 0.3: |d| ≥ 0.5) the lower band alone is filled, n = ∫ (1 − q𝓕) with q = 1/2, and the slide
    // adds Eq. 30's j_v = ∫ q 𝓕_tp. By the Bianchi identity of the closed form 𝓕,
    // ∂_{r_i} 𝓕_{r_a p_i} = ∂_{r_a} 𝓕_{r_i p_i} − ∂_{p_i} 𝓕_{r_i r_a}, whose last term sums to 0 over the
    // zone, ∇·j_v = v·∇n at first order (f = 1). Checked with the sliding model's own 𝓕_tp on a 64²
    // mesh (spectral for these periodic integrands) at three positions of a skyrmion lattice, the
    // derivatives by fourth-order differences (h = 0.01: error ~1e-9 of the terms): 1e-6 of the
    // largest term. (Eq. 30 weights j_v by n_s = 𝒟_s f: that product is second order, and
    // docs/textures.md says how large it is here.)
    const double v[2] = {0.1, 0.05}, L = 12.0, h = 0.01;
    const double params[kMaxModelParams] = {-1.2};
    TextureTerms terms;
    terms.texture = skyrmion_lattice(L, 0.45 * L);
    terms.exchange = 0.3;
    terms.velocity[0] = v[0];
    terms.velocity[1] = v[1];
    const TexturedTwoBand<models::Qwz> H{models::Qwz(params), terms};
    constexpr int N = 64;
    // The lower band's first-order n − 1 and j_v at r (t = 0), zone averages.
    auto first_order = [&](double x, double y, double j[2]) {
        double n = 0.0;
        j[0] = j[1] = 0.0;
        for (int a = 0; a < N; ++a)
            for (int b = 0; b < N; ++b) {
                const double X[kPhaseCoords] = {x, y, 0.0, kTwoPi * a / N, kTwoPi * b / N, 0.0, 0.0};
                PhaseSpacePoint p;
                H(X, p);
                n -= band_curvature(p, -1, kCoordX, kCoordKx) + band_curvature(p, -1, kCoordY, kCoordKy);
                for (int i = 0; i < 2; ++i) j[i] += band_curvature(p, -1, kCoordT, kCoordKx + i);
            }
        j[0] /= N * N;
        j[1] /= N * N;
        return n / (N * N);
    };
    const double offsets[4] = {-2.0, -1.0, 1.0, 2.0}, weights[4] = {1.0 / 12.0, -2.0 / 3.0, 2.0 / 3.0, -1.0 / 12.0};
    for (const auto& at : std::vector<std::vector<double>>{{3.6, 5.4}, {6.6, 3.6}, {7.4, 7.2}}) {
        double div = 0.0, drag = 0.0, largest = 0.0;
        for (int a = 0; a < 2; ++a)
            for (int o = 0; o < 4; ++o) {
                double j[2];
                const double n = first_order(at[0] + (a == 0 ? offsets[o] * h : 0.0), at[1] + (a == 1 ? offsets[o] * h : 0.0), j);
                div += weights[o] * j[a] / h;
                drag += v[a] * weights[o] * n / h;
                largest = std::max(largest, std::fabs(weights[o] * j[a] / h));
            }
        EXPECT_NEAR(div, drag, 1e-6 * largest) << at[0] << ", " << at[1];
        EXPECT_GT(std::fabs(drag), 1e-7);  // the texture does drag charge
    }
}

TEST(SlidingTexture, BoundChargePerCellDoesNotChangeAsTheLatticeSlides) {
    // A cell's integral over one whole period is the same wherever the texture has slid: at t = 8
    // with v = (0.5, 0.5) a skyrmion lattice (L = 8) has moved by (4, 4), half a cell, so the grid
    // of 16² points sees the same texture values (a skyrmion core now at r = 0), and the reference
    // stays the texture's own far field (its point r = 0 before it slid; docs/textures.md). qwz in
    // its gap (where this texture, |d_0(k)| > J, binds none) and in a band: the same bound charge to
    // 1e-12 (summation order).
    const std::string head = "[model]\nname = 'qwz'\nu = -1.2\n[mesh]\nn = [32, 32]\n[texture]\nkind = 'skyrmion_lattice'\n"
                             "exchange = 0.4\nperiod = 8.0\nradius = 3.5\nvelocity = [0.5, 0.5]\n[task]\nkind = 'texture_density'\n"
                             "mu = [0.0, 1.5]\nT = 0.1\nbound_charge = true\n";
    const auto rest = bzint::test::results(head + "t = 0.0\n");
    const auto slid = bzint::test::results(head + "t = 8.0\n");
    for (int j = 0; j < 2; ++j)
        EXPECT_NEAR(slid["bound_charge"][j].get<double>(), rest["bound_charge"][j].get<double>(), 1e-12) << "mu " << j;
    EXPECT_GT(std::fabs(rest["bound_charge"][1].get<double>()), 1e-3);  // in the band the texture binds charge
    for (int c = 0; c < 3; ++c) EXPECT_EQ(slid["background"][c].get<double>(), rest["background"][c].get<double>());
}

TEST(SlidingTexture, PacketsConserveTheEnergyOfTheTexturesFrame) {
    // With nothing else depending on r or t, a sliding texture is static in its own frame
    // r' = r − v t, whose Hamiltonian is ε̄ − v·p; Eq. 24 (with 𝓕_tI = −v_a 𝓕_{r_a I}) is that
    // frame's static sEOM, so it conserves ε̄ − v·p up to the terms it drops — the same second-order
    // terms as the texture at rest, whose ε̄ it conserves as well (docs/textures.md). Two dirac2d
    // packets crossing an isolated skyrmion (R = 10, J = 0.3) that slides towards them at
    // v = −0.2: frame_energy_drift stays within 1.25 times the resting texture's energy_drift
    // (measured 1.05 and 1.15), while energy_drift, the slide's work on the packets, is over 5 times
    // larger (measured 18 and 10).
    auto run = [](double v) {
        return bzint::test::results(fmt::format("[model]\nname = 'dirac2d'\n[texture]\nkind = 'skyrmion'\nexchange = 0.3\n"
                                                "radius = 10.0\nvelocity = [{}, 0.0]\n[task]\nkind = 'trajectories'\n"
                                                "r = [[-30, -4, 0], [-30, 4, 0]]\nk = [[0.5, 0]]\ndt = 0.1\nsteps = 800\n"
                                                "samples = 40\n",
                                                v));
    };
    const auto rest = run(0.0), sliding = run(-0.2);
    EXPECT_FALSE(rest.contains("frame_energy_drift"));
    for (int i = 0; i < 2; ++i) {
        const double at_rest = rest["energy_drift"][i].get<double>(), frame = sliding["frame_energy_drift"][i].get<double>();
        EXPECT_GT(at_rest, 0.0);
        EXPECT_LT(frame, 1.25 * at_rest) << "packet " << i;
        EXPECT_GT(sliding["energy_drift"][i].get<double>(), 5.0 * frame) << "packet " << i;
    }
}

TEST(SlidingTexture, ADiagonalSlideRepeatsAfterTheCommonPeriodOfItsAxes) {
    // v = (0.1, 0.05) across a square skyrmion lattice (L = 8) repeats along x after 80 and along y
    // after 160, so H(t + 160) = H(t) (host/texture_input.cpp: the least common multiple). Over that
    // torus the link method's phases sum to an integer (1e-12, as on any closed torus), and with the
    // gap open along it (smallest gap ≥ 0.5 at the three starting points below) the number is the
    // same wherever the plane starts (homotopy): −1 for this lattice (qwz u = −1.5, J = 1.2, R = 4,
    // helicity π/2, k = 0). A spiral's slide may have a component along y, which changes nothing:
    // its plane (t, k1) is then −sgn(v_x) times its (x, k1) one, +1 (as for a slide along x alone).
    const std::string lattice = "[model]\nname = 'qwz'\nu = -1.5\n[texture]\nkind = 'skyrmion_lattice'\nexchange = 1.2\n"
                                "period = 8.0\nradius = 4.0\nhelicity = 1.5707963267948966\nvelocity = [0.1, 0.05]\n[task]\n"
                                "kind = 'phase_space_chern'\nplane = ['t', 'k1']\nn = [64, 64]\nk = [0.0, 0.0]\n";
    for (const char* r : {"[2.0, 2.0, 0.0]", "[4.0, 4.0, 0.0]", "[1.0, 6.5, 0.0]"}) {
        const auto plane = bzint::test::results(lattice + "r = " + r + "\n");
        EXPECT_NEAR(plane["chern_fhs"][0].get<double>(), -1.0, 1e-12) << r;
        EXPECT_GT(plane["smallest_gap"][0].get<double>(), 0.5) << r;
    }
    const auto spiral = bzint::test::results("[model]\nname = 'qwz'\nu = -1.5\n[texture]\nkind = 'spiral'\nexchange = 1.0\n"
                                             "period = 8.0\nhelicity = 1.5707963267948966\nvelocity = [0.05, 0.3]\n[task]\n"
                                             "kind = 'phase_space_chern'\nplane = ['t', 'k1']\nn = [64, 64]\nk = [0.0, 0.0]\n");
    EXPECT_NEAR(spiral["chern_fhs"][0].get<double>(), 1.0, 1e-12);
}
