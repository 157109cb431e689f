// N-band textured models and their phase-space geometry (include/bzint/nband_texture.hpp,
// nband_phase_geometry.hpp; docs/textures.md "N-band textured models"): against the two-band
// closed forms of phase_space.hpp (a two-band model seen as N = 2, and two decoupled copies in a
// 4-band one), against the orbital moment and Berry curvature of nband_geometry.hpp in a uniform
// field, against Berry phases around small plaquettes (an independent method), and the real-space
// Chern number of a skyrmion lattice in a coupled 4-band model.
#include <fmt/core.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <complex>
#include <type_traits>
#include <vector>

#include "../host/cpu_launch.hpp"
#include "bzint/models/all.hpp"
#include "bzint/nband_packet_motion.hpp"
#include "bzint/nband_phase_geometry.hpp"
#include "bzint/phase_four_torus.hpp"
#include "bzint/phase_space_motion.hpp"
#include "bzint/texture_density.hpp"
#include "bzint/texture_magnetisation.hpp"
#include "nband_test_models.hpp"
#include "test_util.hpp"
#include "texture_helpers.hpp"

using namespace bzint;
using bzint::test::skyrmion_lattice;

namespace {

using bzint::test::QwzAsNBand;
using bzint::test::TwoBandAsNBand;

// h_qwz(k) ⊗ 1 on (orbital, spin) with spin the fast index (index 2a + σ): a texture's J m(r)·σ
// acts on the spin alone, so H = h_qwz(k) ⊗ 1 + 1 ⊗ J m(r)·σ and its states are products.
struct QwzTimesSpin {
    static constexpr const char* name = "qwz_times_spin";
    static constexpr int bands = 4;
    static constexpr int spin_stride = 1;
    models::Qwz model;
    BZINT_HD explicit QwzTimesSpin(const double* p) : model(p) {}
    BZINT_HD void operator()(const double k[3], NBandPoint<4>& p) const {
        TwoBandPoint t;
        model(k, t);
        NBandPoint<2> h;
        clear(h);
        add_two_band_block(t, 0, h);
        clear(p);
        for (int a = 0; a < 2; ++a)
            for (int b = 0; b < 2; ++b)
                for (int spin = 0; spin < 2; ++spin) {
                    p.H[2 * a + spin][2 * b + spin] = h.H[a][b];
                    for (int c = 0; c < 3; ++c) p.dH[c][2 * a + spin][2 * b + spin] = h.dH[c][a][b];
                }
    }
};

// Every field at once: a skyrmion lattice, a uniform B and E, a cosine potential.
TextureTerms all_terms(double J) {
    TextureTerms t;
    t.texture = skyrmion_lattice(6.0, 2.5, 1.0, 1.0, 0.4);
    t.exchange = J;
    t.field[2] = 0.05;
    t.electric[0] = 0.02;
    t.electric[1] = -0.01;
    t.potential.shape = PotentialShape::cosine;
    t.potential.amplitude = 0.1;
    t.potential.period = 6.0;
    return t;
}

template <class H>
NBandPhaseEigen<H::N> eigen_at(const H& h, const double x[kPhaseCoords]) {
    NBandPhasePoint<H::N> p;
    h(x, p);
    NBandPhaseEigen<H::N> e;
    EXPECT_TRUE(nband_phase_eigen<H::N>(p, e));
    return e;
}

using Vec = std::vector<std::complex<double>>;

// The eigenvectors (columns of U) at x, as std::complex columns.
template <class H>
std::vector<Vec> states_at(const H& h, const double x[kPhaseCoords]) {
    const auto e = eigen_at(h, x);
    std::vector<Vec> u(H::N, Vec(H::N));
    for (int n = 0; n < H::N; ++n)
        for (int i = 0; i < H::N; ++i) u[n][i] = {e.U[i][n].re, e.U[i][n].im};
    return u;
}

// The Berry flux of the bands first…last through a square of side h in the (I, J) plane centred at
// x, divided by h²: −arg Π det⟨u_n(c)|u_n′(c′)⟩ around the corners (the link method, gauge
// invariant; error O(h²)). For one band it is Ω_n^IJ, for several their manifold's trace.
template <class H>
double plaquette_flux(const H& h, const double x[kPhaseCoords], int I, int J, int first, int last, double step) {
    const int corner[4][2] = {{-1, -1}, {1, -1}, {1, 1}, {-1, 1}};
    std::vector<std::vector<Vec>> u;
    for (const auto& c : corner) {
        double y[kPhaseCoords];
        std::copy(x, x + kPhaseCoords, y);
        y[I] += 0.5 * step * c[0];
        y[J] += 0.5 * step * c[1];
        u.push_back(states_at(h, y));
    }
    std::complex<double> product = 1.0;
    const int k = last - first + 1;
    for (int c = 0; c < 4; ++c) {
        // det of the k × k overlap matrix by Gaussian elimination (k ≤ 4).
        std::vector<std::vector<std::complex<double>>> M(k, std::vector<std::complex<double>>(k));
        for (int a = 0; a < k; ++a)
            for (int b = 0; b < k; ++b) {
                std::complex<double> s = 0.0;
                for (int i = 0; i < H::N; ++i) s += std::conj(u[c][first + a][i]) * u[(c + 1) % 4][first + b][i];
                M[a][b] = s;
            }
        std::complex<double> det = 1.0;
        for (int col = 0; col < k; ++col) {
            int pivot = col;
            for (int r = col + 1; r < k; ++r)
                if (std::abs(M[r][col]) > std::abs(M[pivot][col])) pivot = r;
            if (pivot != col) {
                std::swap(M[pivot], M[col]);
                det = -det;
            }
            det *= M[col][col];
            for (int r = col + 1; r < k; ++r) {
                const std::complex<double> f = M[r][col] / M[col][col];
                for (int c2 = col; c2 < k; ++c2) M[r][c2] -= f * M[col][c2];
            }
        }
        product *= det;
    }
    return -std::arg(product) / (step * step);
}

}  // namespace

TEST(NBandTexture, TwoBandModelAsNEquals2IsThePhaseSpaceClosedForms) {
    // The same qwz with every texture term, once as TexturedTwoBand (phase_space.hpp's closed forms
    // in d) and once as an N = 2 TexturedNBand (Kubo sums over states): band s = ∓1 is n = 0, 1;
    // Ω_n^IJ = q_s 𝓕_IJ, g_n^IJ = 𝓖_IJ/4, δε_n = −|d|𝓕/2, 𝒟_n = 1 − q_s 𝓕 (nband_phase_geometry.hpp)
    // to rounding; the velocities of Eq. 24 (differences of δε against differences of 𝓕) to 1e-8.
    const double u = -1.3;
    const TextureTerms terms = all_terms(0.7);
    const TexturedTwoBand<models::Qwz> two{models::Qwz(&u), terms};
    const TexturedNBand<QwzAsNBand> nband{QwzAsNBand{models::Qwz(&u)}, terms};
    for (const auto& point : std::vector<std::vector<double>>{{0.7, 1.1, 0.0, 0.4, -0.9, 0.0, 0.3},
                                                              {3.2, 2.6, 0.0, 2.0, 0.5, 0.0, -1.0},
                                                              {1.9, 4.4, 0.0, -2.5, 1.7, 0.0, 0.0}}) {
        const double* x = point.data();
        PhaseSpacePoint p;
        two(x, p);
        const auto e = eigen_at(nband, x);
        const double d = std::sqrt(dot3(p.d, p.d)), F = phase_space_scalar_curvature(p);
        double grad_F[6], grad_delta[2][6] = {};
        scalar_curvature_gradient(two, x, kCoordX, 3, 1e-3, grad_F);
        scalar_curvature_gradient(two, x, kCoordKx, 3, 1e-3, grad_F + 3);
        StencilGaps stencil;
        ASSERT_TRUE(energy_correction_gradients(nband, x, e, kCoordX, 3, 1e-3, grad_delta, 0, stencil));
        ASSERT_TRUE(energy_correction_gradients(nband, x, e, kCoordKx, 3, 1e-3, grad_delta, 3, stencil));
        EXPECT_GT(stencil.smallest_gap, 4.0 * stencil.largest_move);  // no crossing in reach: the bands are 2|d| apart
        for (int n = 0; n < 2; ++n) {
            const int s = 2 * n - 1;
            EXPECT_NEAR(e.e[n], p.d0 + s * d, 1e-13);
            for (int I = 0; I < kPhaseCoords; ++I)
                for (int J = 0; J < kPhaseCoords; ++J) {
                    EXPECT_NEAR(phase_curvature<2>(e, n, I, J), band_curvature(p, s, I, J), 1e-12) << n << " " << I << " " << J;
                    EXPECT_NEAR(phase_metric<2>(e, n, I, J), 0.25 * texture_metric(p, I, J), 1e-12) << n << " " << I << " " << J;
                }
            EXPECT_NEAR(phase_energy_correction<2>(e, n), energy_correction(d, F), 1e-13);
            EXPECT_NEAR(phase_dos_factor<2>(e, n), dos_factor(F, s), 1e-13);
            double r2[3], p2[3], rn[3], pn[3];
            semiclassical_velocities(p, s, grad_F, r2, p2);
            phase_velocities<2>(e, n, grad_delta[n], rn, pn);
            for (int a = 0; a < 3; ++a) {
                EXPECT_NEAR(rn[a], r2[a], 1e-8) << n << " " << a;
                EXPECT_NEAR(pn[a], p2[a], 1e-8) << n << " " << a;
            }
        }
    }
}

TEST(NBandTexture, DecoupledQwzPairIsTwoTexturedQwzCopies) {
    // qwz_pair at g = 0 is diag(qwz(u1), qwz(u2)), and its texture J m·(1 ⊗ σ) couples to each
    // copy's σ (spin_stride 1): its four levels and their curvatures are the two textured copies'
    // (phase_space.hpp), matched by energy.
    const double pair[3] = {-1.4, 0.8, 0.0};
    const TextureTerms terms = all_terms(0.6);
    const TexturedNBand<models::QwzPair> h{models::QwzPair(pair), terms};
    const TexturedTwoBand<models::Qwz> copy[2] = {{models::Qwz(&pair[0]), terms}, {models::Qwz(&pair[1]), terms}};
    const double x[kPhaseCoords] = {1.3, 0.4, 0.0, 0.9, -2.1, 0.0, 0.2};
    const auto e = eigen_at(h, x);
    int matched = 0;
    for (const auto& c : copy) {
        PhaseSpacePoint p;
        c(x, p);
        const double d = std::sqrt(dot3(p.d, p.d));
        for (int s : {-1, 1}) {
            const double level = p.d0 + s * d;
            int n = 0;
            for (int m = 1; m < 4; ++m)
                if (std::fabs(e.e[m] - level) < std::fabs(e.e[n] - level)) n = m;
            EXPECT_NEAR(e.e[n], level, 1e-12);
            for (int I = 0; I < kPhaseCoords; ++I)
                for (int J = 0; J < kPhaseCoords; ++J)
                    EXPECT_NEAR(phase_curvature<4>(e, n, I, J), band_curvature(p, s, I, J), 1e-11) << n << " " << I << " " << J;
            ++matched;
        }
    }
    EXPECT_EQ(matched, 4);
}

TEST(NBandTexture, UniformFieldGivesTheOrbitalMomentEnergyAndTheStredaDensityOfStates) {
    // A uniform B in the symmetric gauge a = (B × r)/2: ∂_{r_a} H = Σ_b ∂_a a_b ∂_{k_b} H, so
    // δε_n = −m_n·B and 𝒟_n = 1 + B·Ω_n with m_n and Ω_n the Kubo sums of nband_geometry.hpp at the
    // kinetic momentum — the N-band form of the kinetic-equation paper's Sec. III A (task streda's
    // energies and ∂n/∂B, SU(N) paper Eq. 16). qhz with a uniform exchange (which splits its Kramers
    // pairs) and coupled qwz_pair, at points away from the origin.
    SpinTexture tilted;
    tilted.direction[0] = 0.3;
    tilted.direction[1] = -0.5;
    tilted.direction[2] = std::sqrt(1.0 - 0.34);
    const double qhz_params[2] = {-1.2, 0.4}, pair_params[3] = {-1.4, 0.8, 0.3};
    const double k[3] = {0.6, -1.1, 0.35}, r[3] = {2.0, -1.5, 0.7};
    auto check = [&](auto model, const double B[3]) {
        using Model = decltype(model);
        constexpr int N = Model::bands;
        TextureTerms terms;
        terms.texture = tilted;
        terms.exchange = 0.45;
        std::copy(B, B + 3, terms.field);
        const TexturedNBand<Model> h{model, terms};
        double x[kPhaseCoords];
        h.canonical_point(r, 0.0, k, x);
        const auto e = eigen_at(h, x);
        // The field-free H at k: H_0(k) + J m·S and its k-derivatives.
        TextureTerms plain = terms;
        plain.field[0] = plain.field[1] = plain.field[2] = 0.0;
        NBandPhasePoint<N> q;
        TexturedNBand<Model>{model, plain}(std::vector<double>{0, 0, 0, k[0], k[1], k[2], 0}.data(), q);
        NBandPoint<N> at_k;
        for (int i = 0; i < N; ++i)
            for (int j = 0; j < N; ++j) {
                at_k.H[i][j] = q.H[i][j];
                for (int a = 0; a < 3; ++a) at_k.dH[a][i][j] = q.dH[kCoordKx + a][i][j];
            }
        BandGeometry g[N];
        ASSERT_TRUE(nband_geometry<N>(at_k, g));
        for (int n = 0; n < N; ++n) {
            EXPECT_NEAR(e.e[n], g[n].energy, 1e-12);
            EXPECT_NEAR(phase_energy_correction<N>(e, n), -dot3(g[n].m, B), 1e-12) << Model::name << " band " << n;
            EXPECT_NEAR(phase_dos_factor<N>(e, n), 1.0 + dot3(g[n].omega, B), 1e-12) << Model::name << " band " << n;
        }
    };
    const double B3[3] = {0.1, -0.2, 0.3}, Bz[3] = {0.0, 0.0, 0.25};
    check(models::Qhz(qhz_params), B3);
    check(models::QwzPair(pair_params), Bz);
}

TEST(NBandTexture, CurvaturesAreTheBerryPhasesOfSmallPlaquettes) {
    // An independent method: the Berry phase around a square of side h in the (x^I, x^J) plane,
    // from the eigenvectors alone (no derivative of H), is Ω_n^IJ h² + O(h⁴) (Eq. 44's curvature is
    // the phase per area). qhz in a skyrmion lattice with B, E and a potential: every block —
    // KK, KX, XX and the time rows — for each band, and the two-band manifold's trace by the
    // determinants of its overlap matrices.
    const double params[2] = {-1.2, 0.4};
    const TexturedNBand<models::Qhz> h{models::Qhz(params), all_terms(0.8)};
    const double x[kPhaseCoords] = {1.1, 2.3, 0.0, 0.5, -0.8, 0.3, 0.4};
    const auto e = eigen_at(h, x);
    const std::pair<int, int> planes[] = {{kCoordKx, kCoordKy}, {kCoordKy, kCoordKz}, {kCoordX, kCoordKx}, {kCoordKy, kCoordX},
                                          {kCoordX, kCoordY},   {kCoordY, kCoordKz},  {kCoordT, kCoordKx}, {kCoordT, kCoordY}};
    const double step = 1e-3;
    for (const auto& [I, J] : planes) {
        for (int n = 0; n < 4; ++n)
            EXPECT_NEAR(phase_curvature<4>(e, n, I, J), plaquette_flux(h, x, I, J, n, n, step), 2e-6) << n << " " << I << " " << J;
        double trace = 0.0;
        for (int n = 0; n < 2; ++n) trace += manifold_curvature<4>(e, 0, 1, n, n, I, J).re;
        EXPECT_NEAR(trace, plaquette_flux(h, x, I, J, 0, 1, step), 2e-6) << I << " " << J;
        EXPECT_NEAR(trace, phase_curvature<4>(e, 0, I, J) + phase_curvature<4>(e, 1, I, J), 1e-12);
    }
}

TEST(NBandTexture, ManifoldCurvatureIsHermitianAndOneBandsIsItsCurvature) {
    // F^IJ_nn′ = conj F^IJ_n′n and F^IJ = −F^JI (the curvature two-form of a unitary connection); a
    // manifold of one band is that band's Ω_n^IJ.
    const double params[3] = {-1.4, 0.8, 0.3};
    const TexturedNBand<models::QwzPair> h{models::QwzPair(params), all_terms(0.6)};
    const double x[kPhaseCoords] = {0.4, 1.9, 0.0, -0.6, 1.2, 0.0, 0.1};
    const auto e = eigen_at(h, x);
    for (int I = 0; I < kPhaseCoords; ++I)
        for (int J = 0; J < kPhaseCoords; ++J) {
            for (int n = 1; n <= 3; ++n)
                for (int n2 = 1; n2 <= 3; ++n2) {
                    const cplx a = manifold_curvature<4>(e, 1, 3, n, n2, I, J), b = manifold_curvature<4>(e, 1, 3, n2, n, I, J),
                               c = manifold_curvature<4>(e, 1, 3, n, n2, J, I);
                    EXPECT_NEAR(a.re, b.re, 1e-13);
                    EXPECT_NEAR(a.im, -b.im, 1e-13);
                    EXPECT_NEAR(a.re, -c.re, 1e-13);
                    EXPECT_NEAR(a.im, -c.im, 1e-13);
                }
            for (int n = 0; n < 4; ++n) {
                const cplx one = manifold_curvature<4>(e, n, n, n, n, I, J);
                EXPECT_NEAR(one.re, phase_curvature<4>(e, n, I, J), 1e-13);
                EXPECT_NEAR(one.im, 0.0, 1e-13);
            }
        }
}

TEST(NBandTexture, RealSpaceChernNumberOfCoupledCopiesInASkyrmionLattice) {
    // qwz_pair in a skyrmion lattice of Q = −pW = −1 per cell, at k = (π, 0) where each copy's
    // d_0 = (0, 0, u): copy 1 (|u1| = 0.3 < J) wraps the sphere and its lower band carries a
    // real-space flux 2πQ (test_textures.cpp's invariant), copy 2 (|u2| = 1.2 > J) carries none.
    // The two lowest bands stay a gap (≥ 0.3 at g = 0) below the others; their manifold's flux
    // (1/2π) ∫_cell tr Ω^xy d²r is that topological integer, Q + 0 = −1 — at g = 0, where it is the
    // two-band sum, and with the copies coupled (g = 0.25), where no two-band form exists. The
    // trapezoid rule on the periodic, C∞ integrand converges faster than any power.
    for (double g : {0.0, 0.25}) {
        const double params[3] = {-0.3, 1.2, g};
        TextureTerms terms;
        terms.texture = skyrmion_lattice(10.0, 4.5, 1.0, 1.0, 0.2);
        terms.exchange = 0.6;
        const TexturedNBand<models::QwzPair> h{models::QwzPair(params), terms};
        const int n = 256;
        const double L = 10.0, cell = L / n;
        double flux = 0.0, smallest_gap = INFINITY;
        for (int i = 0; i < n; ++i)
            for (int j = 0; j < n; ++j) {
                const double x[kPhaseCoords] = {i * cell, j * cell, 0.0, kPi, 0.0, 0.0, 0.0};
                const auto e = eigen_at(h, x);
                smallest_gap = std::min(smallest_gap, e.e[2] - e.e[1]);
                for (int b = 0; b < 2; ++b) flux += manifold_curvature<4>(e, 0, 1, b, b, kCoordX, kCoordY).re * cell * cell;
            }
        EXPECT_GT(smallest_gap, 0.1) << g;
        EXPECT_NEAR(flux / kTwoPi, -1.0, 1e-8) << g;
    }
}

TEST(NBandTexture, GeometryTaskForAnNBandModel) {
    // Task texture_geometry with qwz_pair: each band's Ω_n^IJ as the header computes it, the
    // manifold's trace the sum of its bands', and the manifold's matrix Hermitian.
    const auto r = bzint::test::results(R"(
[model]
name = "qwz_pair"
u1 = -1.4
u2 = 0.8
g = 0.3
[texture]
kind = "skyrmion_lattice"
exchange = 0.6
period = 6.0
radius = 2.5
[task]
kind = "texture_geometry"
r = [[1.3, 0.4, 0.0], [2.0, 3.0, 0.0]]
k = [[0.15, -0.3], [0.1, 0.2]]
manifold = [1, 2]
)");
    const double params[3] = {-1.4, 0.8, 0.3};
    TextureTerms terms;
    terms.texture = skyrmion_lattice(6.0, 2.5, 1.0, 1.0, 0.0);
    terms.exchange = 0.6;
    const TexturedNBand<models::QwzPair> h{models::QwzPair(params), terms};
    ASSERT_EQ(r["band_curvature"].size(), 2u);
    for (int i = 0; i < 2; ++i) {
        std::vector<double> x = r["points"][i].get<std::vector<double>>();
        const auto e = eigen_at(h, x.data());
        for (int n = 0; n < 4; ++n) {
            EXPECT_NEAR(r["energies"][i][n].get<double>(), e.e[n], 1e-13);
            EXPECT_NEAR(r["band_curvature"][i][n][kCoordX][kCoordKx].get<double>(), phase_curvature<4>(e, n, kCoordX, kCoordKx), 1e-13);
            EXPECT_NEAR(r["dos_factor"][i][n].get<double>(), phase_dos_factor<4>(e, n), 1e-13);
            EXPECT_NEAR(r["energy_correction"][i][n].get<double>(), phase_energy_correction<4>(e, n), 1e-13);
            for (int I = 0; I < kPhaseCoords; ++I)
                for (int J = 0; J < kPhaseCoords; ++J) {
                    EXPECT_NEAR(r["band_curvature"][i][n][I][J].get<double>(), phase_curvature<4>(e, n, I, J), 1e-12);
                    EXPECT_NEAR(r["band_metric"][i][n][I][J].get<double>(), phase_metric<4>(e, n, I, J), 1e-12);
                }
        }
        for (int I = 0; I < kPhaseCoords; ++I)
            for (int J = 0; J < kPhaseCoords; ++J) {
                const double sum = r["band_curvature"][i][1][I][J].get<double>() + r["band_curvature"][i][2][I][J].get<double>();
                EXPECT_NEAR(r["manifold_curvature_trace"][i][I][J].get<double>(), sum, 1e-12);
                const auto& M = r["manifold_curvature"][i][I][J];
                EXPECT_NEAR(M[0][1][0].get<double>(), M[1][0][0].get<double>(), 1e-13);
                EXPECT_NEAR(M[0][1][1].get<double>(), -M[1][0][1].get<double>(), 1e-13);
            }
    }
    EXPECT_EQ(r["velocity"][0].size(), 4u);
}

TEST(NBandTexture, PhaseSpaceChernOfARealSpaceCell) {
    // Task phase_space_chern on the (x, y) cell of the coupled copies above at k = (π, 0) (reduced
    // (0.5, 0)): the two lowest bands' Chern number is Q = −1 by the manifold's link method and by
    // the sum of their integrals, as RealSpaceChernNumberOfCoupledCopiesInASkyrmionLattice finds
    // with the header's functions; the upper pair carries +1, the whole set 0.
    const auto r = bzint::test::results(R"(
[model]
name = "qwz_pair"
u1 = -0.3
u2 = 1.2
g = 0.25
[texture]
kind = "skyrmion_lattice"
exchange = 0.6
period = 10.0
radius = 4.5
helicity = 0.2
[task]
kind = "phase_space_chern"
plane = ["x", "y"]
n = [128, 128]
k = [0.5, 0.0]
map = true
)");
    EXPECT_NEAR(r["chern_manifold"][1].get<double>(), -1.0, 1e-12);
    EXPECT_NEAR(r["chern"][0].get<double>() + r["chern"][1].get<double>(), -1.0, 1e-8);
    EXPECT_NEAR(r["chern"][2].get<double>() + r["chern"][3].get<double>(), 1.0, 1e-8);
    EXPECT_NEAR(r["chern_manifold"][3].get<double>(), 0.0, 1e-12);
    EXPECT_GT(r["smallest_gap"][1].get<double>(), 0.1);
}

TEST(NBandTexture, BrillouinZonePlaneOfAUniformExchangeIsTaskChern) {
    // A uniform exchange J ẑ adds J σ_z to each qwz copy of qwz_pair, i.e. shifts both masses by J:
    // phase_space_chern's (k1, k2) plane (at an r that, with nothing varying in space, does not
    // matter) equals task chern of qwz_pair(u1 + J, u2 + J, g) on the same grid — two codes
    // (NBandPhaseSliceChernFn, NBandChernFn), the same sums to rounding.
    const auto plane = bzint::test::results(R"(
[model]
name = "qwz_pair"
u1 = -1.6
u2 = 2.1
g = 0.3
[texture]
kind = "uniform"
exchange = 0.5
direction = [0, 0, 1]
[task]
kind = "phase_space_chern"
plane = ["k1", "k2"]
n = [48, 48]
r = [3.0, -2.0, 0.0]
)");
    const auto chern = bzint::test::results(R"(
[model]
name = "qwz_pair"
u1 = -1.1
u2 = 2.6
g = 0.3
[mesh]
n = [48, 48]
[task]
kind = "chern"
)");
    for (int n = 0; n < 4; ++n) {
        EXPECT_NEAR(plane["chern"][n].get<double>(), chern["chern"][n].get<double>(), 1e-12) << n;
        EXPECT_NEAR(plane["chern_manifold"][n].get<double>(), chern["chern_manifold"][n].get<double>(), 1e-12) << n;
    }
    // Copy 1 (−2 < u < 0) is a Chern insulator, copy 2 (u > 2) trivial: the filled pair carries |C| = 1.
    EXPECT_NEAR(std::fabs(plane["chern_manifold"][1].get<double>()), 1.0, 1e-12);
}

TEST(NBandTexture, DensityIntegrandOfATwoBandModelAsNEquals2) {
    // TextureDensityFn on qwz as an N = 2 model (Kubo sums) sums the same integrand as on qwz (the
    // two-band closed forms; per point equal to rounding, test above), with every texture term on:
    // the reduced sums agree to 1e-12 relative, each band's part (band_resolved) among them, and the
    // first-order flags count the same points.
    const double u = -1.3;
    const TextureTerms terms = all_terms(0.7);
    const ModelInfo& info = *find_model("qwz");
    const Mesh mesh = make_mesh(info, bzint::test::defaults(info), {24, 24, 1});
    const std::vector<double> r{0.7, 1.1, 0.0, 3.0, 2.0, 0.0}, mu{-0.8, 0.1, 0.9};
    std::vector<Neumaier> two, nband;
    const TextureDensityFn<models::Qwz> f2{{models::Qwz(&u), terms}, mesh, r.data(), 0.3, mu.data(), 3, 2, 0.05, true};
    const TextureDensityFn<QwzAsNBand> fn{{QwzAsNBand{models::Qwz(&u)}, terms}, mesh, r.data(), 0.3, mu.data(), 3, 2, 0.05, true};
    ASSERT_LT(cpu::keyed_reduce(f2, 2 * mesh.count(), two, nullptr), 0);
    ASSERT_LT(cpu::keyed_reduce(fn, 2 * mesh.count(), nband, nullptr), 0);
    ASSERT_EQ(two.size(), nband.size());
    for (std::size_t v = 0; v < two.size(); ++v)
        EXPECT_NEAR(nband[v].value(), two[v].value(), 1e-12 * (1.0 + std::fabs(two[v].value()))) << v;
}

TEST(NBandTexture, MagnetisationIntegrandOfATwoBandModelAsNEquals2) {
    // TextureMagnetisationFn's local M (texture_magnetisation.hpp) by the Kubo sums of a two-band
    // model seen as N = 2 against the two-band closed forms, every texture term on: qwz (M_z, 2D)
    // and weyl_lattice (b0 = 0.4; the vector M on a 3D mesh, whose in-plane skyrmion field gives
    // every component), the reduced sums and each band's part to 1e-12 relative.
    const TextureTerms terms = all_terms(0.7);
    const std::vector<double> points{0.7, 1.1, 0.0, 0.3, 3.0, 2.0, 0.5, 0.3}, mu{-0.8, 0.1, 0.9};
    auto compare = [&](const auto& model, const char* name, std::array<long long, 3> n) {
        using Model = std::decay_t<decltype(model)>;
        const ModelInfo& info = *find_model(name);
        const Mesh mesh = make_mesh(info, bzint::test::defaults(info), n);
        std::vector<Neumaier> two, nband;
        const TextureMagnetisationFn<Model> f2{{model, terms}, mesh, points.data(), mu.data(), 3, 2, 0.05, true};
        const TextureMagnetisationFn<TwoBandAsNBand<Model>> fn{{{model}, terms}, mesh, points.data(), mu.data(), 3, 2, 0.05, true};
        ASSERT_EQ(f2.n_values(), (Model::dim == 3 ? 3 : 1) * 3 * 3);  // the sum and each band's part
        ASSERT_LT(cpu::keyed_reduce(f2, 2 * mesh.count(), two, nullptr), 0);
        ASSERT_LT(cpu::keyed_reduce(fn, 2 * mesh.count(), nband, nullptr), 0);
        ASSERT_EQ(two.size(), nband.size());
        double largest = 0.0;
        for (const auto& v : two) largest = std::max(largest, std::fabs(v.value()));
        ASSERT_GT(largest, 1e-3) << name;
        for (std::size_t v = 0; v < two.size(); ++v)
            EXPECT_NEAR(nband[v].value(), two[v].value(), 1e-12 * largest) << name << " " << v;
    };
    const double u = -1.3, weyl[4] = {1.0, 1.0, 1.0, 0.4};
    compare(models::Qwz(&u), "qwz", {24, 24, 1});
    compare(models::WeylLattice(weyl), "weyl_lattice", {12, 12, 12});
}

TEST(NBandTexture, DensityOfDecoupledCopiesIsTheSumOfTheCopies) {
    // Task texture_density on qwz_pair at g = 0 in a skyrmion lattice is the sum of the two textured
    // qwz copies' (the previous tests' equivalence, through the task): the density, its uncorrected
    // part and the bound charge per cell, to 1e-10.
    const std::string texture = R"(
[mesh]
n = [32, 32]
[texture]
kind = "skyrmion_lattice"
exchange = 0.6
period = 8.0
radius = 3.5
[task]
kind = "texture_density"
mu = [-0.5, 0.3]
T = 0.1
r = [[4.0, 2.5, 0.0], [1.0, 1.0, 0.0]]
bound_charge = true
cell_points = [8, 8]
)";
    const auto pair = bzint::test::results("[model]\nname = 'qwz_pair'\nu1 = -1.4\nu2 = 0.8\ng = 0.0\n" + texture);
    const auto one = bzint::test::results("[model]\nname = 'qwz'\nu = -1.4\n" + texture);
    const auto two = bzint::test::results("[model]\nname = 'qwz'\nu = 0.8\n" + texture);
    for (const char* key : {"density", "density_uncorrected"})
        for (int a = 0; a < 2; ++a)
            for (int j = 0; j < 2; ++j)
                EXPECT_NEAR(pair[key][a][j].get<double>(), one[key][a][j].get<double>() + two[key][a][j].get<double>(), 1e-10)
                    << key << " " << a << " " << j;
    for (int j = 0; j < 2; ++j)
        EXPECT_NEAR(pair["bound_charge"][j].get<double>(),
                    one["bound_charge"][j].get<double>() + two["bound_charge"][j].get<double>(), 1e-10);
}

TEST(NBandTexture, DensityInAUniformFieldIsStredas) {
    // As Textures.DensityInAUniformFieldIsStredas for coupled qwz_pair: with a uniform B through
    // a(r) = (B × r)/2, Σ_n ∫ 𝒟_n f(ε_n + δε_n − μ) is task streda's Σ_n ∫ (1 + B·Ω_n) f(ε_n − m_n·B − μ)
    // (per point equal, UniformFieldGivesTheOrbitalMomentEnergyAndTheStredaDensityOfStates), to the
    // rounding of streda's bins; (n(B) − n(−B))/2B is its ∂n/∂B up to O(B²).
    const double B = 1e-4;
    const std::string model = "[model]\nname = 'qwz_pair'\nu1 = -1.4\nu2 = 0.8\ng = 0.3\n[mesh]\nn = [96, 96]\n";
    auto density = [&](double b) {
        return bzint::test::results(fmt::format("{}[texture]\nkind = 'uniform'\nexchange = 0.0\ndirection = [0, 0, 1]\nB = {}\n"
                                                "[task]\nkind = 'texture_density'\nmu = [-0.9, 0.05, 0.6]\nT = 0.05\n"
                                                "r = [[0, 0, 0], [2.5, -1.0, 0]]\n",
                                                model, b));
    };
    const auto plus = density(B), minus = density(-B);
    const auto streda = bzint::test::results(
        fmt::format("{}[task]\nkind = 'streda'\nmu = [-0.9, 0.05, 0.6]\nT = 0.05\nB = [{}, {}]\n", model, -B, B));
    for (int a = 0; a < 2; ++a)
        for (int j = 0; j < 3; ++j) {
            EXPECT_NEAR(minus["density"][a][j].get<double>(), streda["density_B"][0][j].get<double>(), 1e-9);
            EXPECT_NEAR(plus["density"][a][j].get<double>(), streda["density_B"][1][j].get<double>(), 1e-9);
            const double dn = (plus["density"][a][j].get<double>() - minus["density"][a][j].get<double>()) / (2 * B);
            EXPECT_NEAR(2 * kPi * dn, streda["dn_dB"][j].get<double>(), 1e-6) << j;  // docs/conventions.md: 2π × (ħ = e = 1)
        }
}

TEST(NBandTexture, SecondChernNumberOfAMomentumTimesRealSpaceProduct) {
    // H = h_qwz(k) ⊗ 1 + 1 ⊗ J m(r)·σ (QwzTimesSpin in a skyrmion lattice) on the phase-space torus
    // (k1, k2, x, y): its lowest band is the product of qwz's lower band and the spin's lower band,
    // always isolated (gaps 2J and 2|d_qwz|), a line bundle whose c₁ = a + b is the sum of the two
    // factors' (pulled back); ch₂ = c₁²/2 = ab (a² = b² = 0 on each 2D factor), so
    // C₂ = (1/8π²)∫ tr F∧F = C_qwz · C_r: qwz's lower-band Chern number (+1 for −2 < u < 0, 0 for
    // |u| > 2; test_textures.cpp) times the spin's real-space one, Q = −pW per cell
    // (RealSpaceFluxOfASkyrmionLatticeIsTopological). The integral on 16² (k) × 32² (r) points to
    // 3e-4 (measured 6e-5, 1.2e-4, 2.2e-5: the integrand factorises, and the k-sum's error, which
    // falls exponentially with n — 3.5e-4 at 12², 2.2e-5 at 16² for u = −3 — dominates), and the
    // lattice method on 8² × 16² exactly: the planes (k1, k2) and (x, y) carry C_qwz and C_r on every
    // slice, the others 0, and a line bundle has no c₂ (second_chern_lattice.hpp).
    struct Case {
        double u, W, p, c_qwz, c_r, expected;
    };
    auto second_chern = [](const Case& c, long long nk, long long nr, bool lattice, double& link, double* planes) {
        PhaseFourTorus t{};
        t.n[0] = t.n[1] = nk;
        t.n[2] = t.n[3] = nr;
        t.filled = 1;
        t.lattice = lattice;
        t.params[0] = c.u;
        t.edge[0][kCoordKx] = kTwoPi;
        t.edge[1][kCoordKy] = kTwoPi;
        t.edge[2][kCoordX] = 10.0;
        t.edge[3][kCoordY] = 10.0;
        t.terms.texture = skyrmion_lattice(10.0, 4.5, c.W, c.p, 0.3);
        t.terms.exchange = 0.5;
        const SecondChernFn<QwzTimesSpin, PhaseFourTorus> fn{t};
        std::vector<double> sum(kSecondChernValues, 0.0);
        for (long long i = 0; i < t.count(); ++i) {
            SecondChernFn<QwzTimesSpin, PhaseFourTorus>::Out out;
            EXPECT_TRUE(fn(i, out));
            for (int j = 0; j < kSecondChernValues; ++j) sum[j] += out.val[0][j];
        }
        EXPECT_EQ(sum[kLatticeFailed], 0.0);  // no failed cube
        EXPECT_EQ(sum[kLargeFlux], 0.0);
        for (int p = 0; p < kPlanes; ++p) {
            planes[p] = std::round(sum[kPlaneFlux + p]);
            EXPECT_NEAR(sum[kPlaneFlux + p], planes[p], 1e-9) << p;  // every slice gives the same integer
            EXPECT_NEAR(sum[kPlaneFluxWeighted + p], planes[p], 1e-9) << p;
        }
        link = planes[0] * planes[5] - planes[1] * planes[4] + planes[2] * planes[3] - sum[kSectionZeros];
        return sum[0];
    };
    // Planes in second_chern.hpp's order: (k1,k2), (k1,x), (k1,y), (k2,x), (k2,y), (x,y).
    for (const Case& c : {Case{-1.0, 1.0, 1.0, 1.0, -1.0, -1.0}, Case{-1.0, 2.0, -1.0, 1.0, 2.0, 2.0},
                          Case{-3.0, 1.0, 1.0, 0.0, -1.0, 0.0}}) {
        double link, planes[kPlanes];
        EXPECT_NEAR(second_chern(c, 16, 32, false, link, planes), c.expected, 3e-4) << c.u << " " << c.W << " " << c.p;
        second_chern(c, 8, 16, true, link, planes);
        EXPECT_EQ(link, c.expected);
        EXPECT_EQ(planes[0], c.c_qwz) << c.u;  // the momentum plane: qwz's lower band
        EXPECT_EQ(planes[5], c.c_r) << c.W << " " << c.p;  // the real-space cell: −pW
        for (int p = 1; p < 5; ++p) EXPECT_EQ(planes[p], 0.0) << p;  // mixed planes: the factors do not mix
    }
}

TEST(NBandTexture, SecondChernTaskOnAPhaseSpaceTorusOfQhz) {
    // Task second_chern with a [texture]: the torus (k1, k2, x, y) of qhz (m = −2.5, k3 = 0) in a
    // skyrmion lattice. At J = 0 the filled pair does not depend on r, so C₂ = 0; the gap between it
    // and the empty pair stays open while J < min|d| = 0.5 (2(|d| − J) ≥ 0.6 at J = 0.2, reported as
    // smallest_gap), so C₂ stays 0 — by the integral to 1e-10 and by the lattice method
    // exactly. (A nonzero C₂ needs the gap to close on the way: SecondChernNumberOfAMomentumTimes-
    // RealSpaceProduct.)
    const auto doc = bzint::test::run_toml(R"(
[model]
name = "qhz"
m = -2.5
[texture]
kind = "skyrmion_lattice"
exchange = 0.2
period = 10.0
radius = 4.5
[task]
kind = "second_chern"
axes = ["k1", "k2", "x", "y"]
n = [12, 12, 16, 16]
)");
    const auto& r = doc["results"];
    EXPECT_NEAR(r["second_chern"].get<double>(), 0.0, 1e-10);
    EXPECT_EQ(r["second_chern_lattice"].get<double>(), 0.0);
    EXPECT_EQ(doc["errors"]["second_chern_lattice"].get<double>(), 0.0);
    EXPECT_NEAR(r["smallest_gap"].get<double>(), 0.6, 1e-3);
    EXPECT_FALSE(doc.contains("warnings")) << doc["warnings"].dump();
}

TEST(NBandTexture, PacketOfATwoBandModelAsNEquals2FollowsTheTwoBandPath) {
    // qwz with every field (a skyrmion lattice, B, E, U), its packets once as a two-band model
    // (packet_motion.hpp: ∂δε from the difference of 𝓕, Eq. 23) and once as N = 2
    // (nband_packet_motion.hpp: the difference of δε_n itself, Kubo sums): the same Eq. 24, so the
    // same paths. The differences (h = 1e-3) agree to ~h⁴ ∂⁵δε ≈ 1e-12; 1e-9 over 200 steps.
    const double u = -1.3;
    const TextureTerms terms = all_terms(0.5);
    const double start[2 * kPacketStart] = {1.0, 0.5, 0.0, 0.4, -0.3, 0.0, 0.0, 2.0, -1.0, 0.0, -0.7, 0.9, 0.0, 1.0};
    const long long steps = 200, stride = 50;
    const int samples = static_cast<int>(steps / stride) + 1;
    std::vector<double> out[2], state[2];
    PacketRun run[2];
    for (int c = 0; c < 2; ++c) {
        out[c].assign(2 * samples * kPacketSample, 0.0);
        state[c].assign(2 * kPhaseCoords, 0.0);
        run[c] = {start, 0.3, 0.02, steps, stride, 1e-3, 1e-3, out[c].data(), state[c].data()};
        run[c].to = steps;
    }
    // The N = 2 run in two slices (as the host runs them, resuming from the saved state), the
    // two-band run in one.
    const PacketTrajectoryFn<models::Qwz> two{{models::Qwz(&u), terms}, run[0]};
    NBandPacketTrajectoryFn<QwzAsNBand> nband{{QwzAsNBand{models::Qwz(&u)}, terms}, run[1]};
    for (int i = 0; i < 2; ++i) EXPECT_TRUE(two(i));
    for (const auto& [from, to] : {std::pair{0LL, 70LL}, std::pair{70LL, steps}}) {
        nband.run.from = from;
        nband.run.to = to;
        for (int i = 0; i < 2; ++i) EXPECT_TRUE(nband(i));
    }
    for (std::size_t j = 0; j < out[0].size(); ++j) EXPECT_NEAR(out[1][j], out[0][j], 1e-9) << j;
    const double* last = out[0].data() + (samples - 1) * kPacketSample;  // packet 0 at the end
    EXPECT_GT(std::hypot(last[0] - start[0], last[1] - start[1]), 0.1);   // it went somewhere
}

TEST(NBandTexture, PacketsOfDecoupledCopiesFollowTheirCopy) {
    // qwz_pair at g = 0 with u1 = 5, u2 = 0.5: |d₁| ≥ 3 − J and |d₂| ≤ 2.5 + J, so with J = 0.2
    // its top level is copy 1's upper band and its bottom level copy 1's lower band everywhere, 0.1
    // or more from the others. Packets of bands 3 and 0 in a skyrmion lattice follow task
    // trajectories' packets of qwz (u = 5) in its upper and lower band: the same Eq. 24 (tested per
    // point above), through the task (the N-band band key, dispatch and samples).
    const std::string texture =
        "[texture]\nkind = 'skyrmion_lattice'\nexchange = 0.2\nperiod = 8.0\nradius = 3.0\n"
        "[task]\nkind = 'trajectories'\nr = [[1.0, 2.0, 0.0], [-2.0, 0.5, 0.0]]\nk = [[0.3, -0.2], [-0.4, 0.6]]\n"
        "dt = 0.05\nsteps = 400\nsamples = 4\n";
    // The copy's band by name and by index (a two-band model takes either).
    for (const auto& [band, name] : {std::pair{3, "'upper'"}, std::pair{0, "0"}}) {
        const auto pair = bzint::test::results(fmt::format("[model]\nname = 'qwz_pair'\nu1 = 5.0\nu2 = 0.5\ng = 0.0\n{}band = {}\n",
                                                           texture, band));
        const auto copy = bzint::test::results(fmt::format("[model]\nname = 'qwz'\nu = 5.0\n{}band = {}\n", texture, name));
        for (int i = 0; i < 2; ++i) {
            for (int c = 0; c < 3; ++c) {
                EXPECT_NEAR(pair["final_position"][i][c].get<double>(), copy["final_position"][i][c].get<double>(), 1e-9) << band;
                EXPECT_NEAR(pair["final_momentum"][i][c].get<double>(), copy["final_momentum"][i][c].get<double>(), 1e-9) << band;
            }
            EXPECT_NEAR(pair["final_energy"][i].get<double>(), copy["final_energy"][i].get<double>(), 1e-10) << band;
            EXPECT_NEAR(pair["deflection"][i].get<double>(), copy["deflection"][i].get<double>(), 1e-9) << band;
        }
    }
}

TEST(NBandTexture, PacketStopsWhereItsBandCrossesAnother) {
    // qwz_pair at g = 0 in a uniform E along x: the kinetic momentum runs along kx (Bloch), and
    // the copies' lower bands −|d₁|, −|d₂| cross where |d₁|² − |d₂|² = (u1 − u2)(u1 + u2 +
    // 2 cos kx + 2 cos ky) vanishes: from k = (0, π/2) with u1 = −1, u2 = 1.2 at cos kx = −0.1,
    // after t_c = arccos(−0.1)/E. The lowest level is copy 2's band before and copy 1's after, so
    // Eq. 24 for "band 0" does not hold across it: the packet stops within a few steps before t_c
    // (its gap closing within two steps, gap_closes). With the copies coupled (g = 0.3) the
    // crossing is avoided by a gap ~g and the packet goes on (adiabatic at this E).
    const double E = 0.1, dt = 0.05, t_c = std::acos(-0.1) / E;
    TextureTerms terms;
    terms.electric[0] = E;
    const double start[kPacketStart] = {0.0, 0.0, 0.0, 0.0, kPi / 2, 0.0, 0.0};
    const long long steps = 600;  // t = 30 > t_c ≈ 16.7
    for (const double g : {0.0, 0.3}) {
        const double params[3] = {-1.0, 1.2, g};
        std::vector<double> out((steps + 1) * kPacketSample), state(kPhaseCoords);
        PacketRun run{start, 0.0, dt, steps, 1, 1e-3, 1e-3, out.data(), state.data()};
        run.to = steps;
        const NBandPacketTrajectoryFn<models::QwzPair> fn{{models::QwzPair(params), terms}, run};
        if (g == 0.0) {
            EXPECT_FALSE(fn(0));
            const double stopped = state[kCoordT];  // the time of the step in which the rate failed
            EXPECT_LT(stopped, t_c);
            EXPECT_GT(stopped, t_c - 4 * dt);
        } else {
            EXPECT_TRUE(fn(0));
            EXPECT_NEAR(state[kCoordT], steps * dt, 1e-12);
        }
    }
}
