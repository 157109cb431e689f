// The WYSV Berry curvature of Wannier models with their full position matrix
// (include/bzint/position_curvature.hpp), per k-point, against three references:
//  - orbital positions only (⟨0m|r|Rn⟩ = τ_m δ_mn δ_R0): it equals the Kubo curvature of the
//    position-phased H(k) (`orbital_positions`), exactly (Haldane, exported tb.dat);
//  - a unitary rotation of the orbitals (H(R) → V†H(R)V, r(R) → V†r(R)V) leaves it unchanged,
//    while the diagonal-positions approach changes;
//  - an independent discretisation: the Berry phase of a small plaquette, built from the
//    eigenvectors at its corners and the parallel transporters exp(−i b·A(k + b/2)) of the
//    Wannier-gauge connection (no D matrices, no derivative of A), → Ω h² as h → 0, on a random
//    3-orbital model with off-site, off-diagonal position elements.
#include <fmt/core.h>
#include <gtest/gtest.h>

#include <cmath>
#include <complex>
#include <random>
#include <vector>

#include "bzint/models/wannier.hpp"
#include "run_file.hpp"
#include "wannier/export_model.hpp"
#include "wannier/runtime_wannier.hpp"
#include "wannier/wannier_model.hpp"

using namespace bzint;

namespace {

template <int N>
void curvature_with_positions(const models::Wannier<N>& m, const double k[3], BandGeometry (&g)[N]) {
    NBandPoint<N> h;
    m(k, h);
    NBandEigen<N> s;
    ASSERT_TRUE(nband_eigen<N>(h, s));
    kubo_geometry<N>(s, g);
    PositionConnection<N> c;
    m.position_connection(k, c);
    add_position_curvature<N>(s, c, g);
}

template <int N>
void kubo_curvature(const models::Wannier<N>& m, const double k[3], BandGeometry (&g)[N]) {
    NBandPoint<N> h;
    m(k, h);
    ASSERT_TRUE(nband_geometry<N>(h, g));
}

TbModel exported_haldane() {
    const auto rf = RunFile::parse("[model]\nname='haldane'\nt2=0.15\nphi=1.0\nM=0.2\n[task]\nkind='bands'\n", "h.toml");
    const RunConfig cfg = read_model_section(rf);
    return export_model(*cfg.model, cfg.params);
}

// Rotates the orbitals: X(R) → V† X(R) V for H and the three position matrices.
void rotate_orbitals(TbModel& tb, const std::complex<double> V[2][2]) {
    const int W = tb.num_wann;
    auto rotate = [&](std::vector<std::complex<double>>& X) {
        for (std::size_t r = 0; r < tb.R.size(); ++r) {
            std::complex<double> out[2][2] = {};
            for (int i = 0; i < 2; ++i)
                for (int j = 0; j < 2; ++j)
                    for (int p = 0; p < 2; ++p)
                        for (int q = 0; q < 2; ++q) out[i][j] += std::conj(V[p][i]) * X[(r * W + p) * W + q] * V[q][j];
            for (int i = 0; i < 2; ++i)
                for (int j = 0; j < 2; ++j) X[(r * W + i) * W + j] = out[i][j];
        }
    };
    rotate(tb.H);
    for (auto& x : tb.r) rotate(x);
}

const double kPoints[4][3] = {{0.1, 0.2, 0.0}, {0.9, -0.4, 0.0}, {2.1, 0.7, 0.0}, {-1.3, 1.9, 0.0}};

}  // namespace

TEST(PositionCurvature, DiagonalPositionsEqualThePhasedKuboCurvature) {
    const TbModel tb = exported_haldane();
    ASSERT_TRUE(tb.has_positions);
    const double(*L)[3] = tb.lattice;
    const auto full = make_wannier(tb, L, PositionTerms::full);
    const auto phased = make_wannier(tb, L, PositionTerms::diagonal);
    const models::Wannier<2> a{full->view()}, b{phased->view()};
    for (const auto& k : kPoints) {
        BandGeometry ga[2], gb[2];
        curvature_with_positions<2>(a, k, ga);
        kubo_curvature<2>(b, k, gb);
        for (int n = 0; n < 2; ++n) {
            EXPECT_NEAR(ga[n].energy, gb[n].energy, 1e-13);
            const double w = gb[n].omega[2];
            EXPECT_NEAR(ga[n].omega[2], w, 1e-11 * (1 + std::fabs(w))) << "k = " << k[0] << ", " << k[1] << " band " << n;
        }
    }
}

TEST(PositionCurvature, InvariantUnderRotationsOfTheOrbitals) {
    TbModel tb = exported_haldane();
    const double(*L)[3] = tb.lattice;
    const auto plain = make_wannier(tb, L, PositionTerms::full);
    const double th = 0.7, ph = 0.4;  // a generic U(2) rotation
    const std::complex<double> V[2][2] = {{std::cos(th), -std::sin(th) * std::polar(1.0, -ph)},
                                          {std::sin(th) * std::polar(1.0, ph), std::cos(th)}};
    rotate_orbitals(tb, V);
    const auto rotated = make_wannier(tb, L, PositionTerms::full);
    const auto rotated_diagonal = make_wannier(tb, L, PositionTerms::diagonal);
    const models::Wannier<2> a{plain->view()}, b{rotated->view()}, c{rotated_diagonal->view()};
    double diagonal_change = 0.0;
    for (const auto& k : kPoints) {
        BandGeometry ga[2], gb[2], gc[2];
        curvature_with_positions<2>(a, k, ga);
        curvature_with_positions<2>(b, k, gb);
        kubo_curvature<2>(c, k, gc);
        for (int n = 0; n < 2; ++n) {
            const double w = ga[n].omega[2];
            EXPECT_NEAR(gb[n].energy, ga[n].energy, 1e-12);
            EXPECT_NEAR(gb[n].omega[2], w, 1e-10 * (1 + std::fabs(w))) << "k = " << k[0] << ", " << k[1] << " band " << n;
            diagonal_change = std::fmax(diagonal_change, std::fabs(gc[n].omega[2] - w));
        }
    }
    EXPECT_GT(diagonal_change, 1e-2);  // the diagonal-only approach is not rotation invariant
}

// The run-time-sized engine (wannier/runtime_wannier.hpp) adds the same terms: 10 coupled copies of
// the rotated Haldane model (20 orbitals, off-diagonal position elements) against
// models::Wannier<32>, per k-point; energies to 1e-12, Ω to 1e-9 of its scale (the two
// eigensolvers' vectors differ at rounding level, amplified by 1/gap²).
TEST(PositionCurvature, RunTimeSizedEngineAddsTheSameTerms) {
    TbModel one = exported_haldane();
    const double th = 0.7, ph = 0.4;
    const std::complex<double> V[2][2] = {{std::cos(th), -std::sin(th) * std::polar(1.0, -ph)},
                                          {std::sin(th) * std::polar(1.0, ph), std::cos(th)}};
    rotate_orbitals(one, V);
    const TbModel tb = stacked_copies(one, 10, 0.1, 0.05);
    const auto w = make_wannier(tb, tb.lattice, PositionTerms::full);
    ASSERT_TRUE(w->runtime_sized());
    const WannierData d = w->view();
    const models::Wannier<32> compiled{d};
    std::vector<BandGeometry> g(20);
    for (const auto& k : kPoints) {
        BandGeometry a[32];
        curvature_with_positions<32>(compiled, k, a);
        ASSERT_TRUE(runtime_wannier_geometry(d, k, g.data(), true));
        double scale = 1.0, position_terms = 0.0;
        for (int n = 0; n < 20; ++n) scale = std::fmax(scale, std::fabs(a[n].omega[2]));
        std::vector<BandGeometry> kubo(20);
        ASSERT_TRUE(runtime_wannier_geometry(d, k, kubo.data(), false));
        for (int n = 0; n < 20; ++n) {
            EXPECT_NEAR(g[n].energy, a[n].energy, 1e-12 * (1.0 + std::fabs(a[n].energy)));
            for (int c = 0; c < 3; ++c) EXPECT_NEAR(g[n].omega[c], a[n].omega[c], 1e-9 * scale) << n << " " << c;
            position_terms = std::fmax(position_terms, std::fabs(g[n].omega[2] - kubo[n].omega[2]));
        }
        EXPECT_GT(position_terms, 1e-3 * scale);  // the terms are there, and not small
    }
}

TEST(PositionCurvature, EqualsThePlaquetteBerryPhaseOfTheWannierConnection) {
    // A random 3-orbital model on a triclinic lattice: H(R) and ⟨0m|r|Rn⟩ on R = 0 and six
    // neighbours, with H(−R) = H(R)† and r_nm(−R) = conj r_mn(R) (Hermitian A(k)).
    constexpr int W = 3, N = 4;
    TbModel tb;
    tb.source = "random";
    tb.num_wann = W;
    const double lat[3][3] = {{1.0, 0.0, 0.0}, {0.3, 1.1, 0.0}, {0.2, -0.1, 0.9}};
    for (int i = 0; i < 3; ++i)
        for (int a = 0; a < 3; ++a) tb.lattice[i][a] = lat[i][a];
    tb.has_lattice = tb.has_positions = true;
    const std::array<int, 3> half[3] = {{1, 0, 0}, {0, 1, 0}, {1, 1, -1}};
    tb.R.push_back({0, 0, 0});
    for (const auto& R : half) {
        tb.R.push_back(R);
        tb.R.push_back({-R[0], -R[1], -R[2]});
    }
    tb.ndegen.assign(tb.R.size(), 1);
    std::mt19937_64 rng(7);
    std::uniform_real_distribution<double> u(-0.5, 0.5);
    auto fill = [&](std::vector<std::complex<double>>& X, double diag_scale) {
        X.assign(tb.R.size() * W * W, 0.0);
        for (int m = 0; m < W; ++m)  // R = 0: Hermitian
            for (int n = m; n < W; ++n) {
                const std::complex<double> z = m == n ? std::complex<double>(diag_scale * (m + u(rng)), 0.0)
                                                      : std::complex<double>(u(rng), u(rng));
                X[m * W + n] = z;
                X[n * W + m] = std::conj(z);
            }
        for (std::size_t r = 1; r < tb.R.size(); r += 2)  // X(−R) = X(R)†
            for (int m = 0; m < W; ++m)
                for (int n = 0; n < W; ++n) {
                    const std::complex<double> z(u(rng), u(rng));
                    X[(r * W + m) * W + n] = z;
                    X[((r + 1) * W + n) * W + m] = std::conj(z);
                }
    };
    fill(tb.H, 1.5);
    for (auto& x : tb.r) fill(x, 0.4);
    const auto w = make_wannier(tb, lat, PositionTerms::full);
    const models::Wannier<N> model{w->view()};

    // exp(−i b·A(k)) for the transporter along b, from the eigen-decomposition of b·A.
    auto transporter = [&](const double k[3], const double b[3], cplx (&T)[N][N]) {
        PositionConnection<N> c;
        model.position_connection(k, c);
        cplx X[N][N], Q[N][N];
        double lam[N];
        for (int i = 0; i < N; ++i)
            for (int j = 0; j < N; ++j) X[i][j] = b[0] * c.A[0][i][j] + (b[1] * c.A[1][i][j] + b[2] * c.A[2][i][j]);
        ASSERT_TRUE(hermitian_eigen<N>(X, lam, Q));
        for (int i = 0; i < N; ++i)
            for (int j = 0; j < N; ++j) {
                cplx s{0.0, 0.0};
                for (int l = 0; l < N; ++l) s += Q[i][l] * cplx{std::cos(lam[l]), -std::sin(lam[l])} * conj(Q[j][l]);
                T[i][j] = s;
            }
    };
    const double h = 1e-3;
    const double k0[2][3] = {{0.3, -0.8, 0.5}, {1.7, 0.4, -2.2}};
    for (const auto& k : k0)
        for (int cc = 0; cc < 3; ++cc) {  // plaquette in the (a, b) plane, normal c
            const int a = (cc + 1) % 3, b = (cc + 2) % 3;
            BandGeometry g[N];
            curvature_with_positions<N>(model, k, g);
            // corners k + (±h/2) ê_a + (±h/2) ê_b, counter-clockwise in (a, b)
            const double sa[4] = {-0.5, 0.5, 0.5, -0.5}, sb[4] = {-0.5, -0.5, 0.5, 0.5};
            cplx U[4][N][N];
            for (int i = 0; i < 4; ++i) {
                double kc[3] = {k[0], k[1], k[2]};
                kc[a] += sa[i] * h;
                kc[b] += sb[i] * h;
                NBandPoint<N> p;
                model(kc, p);
                double e[N];
                ASSERT_TRUE(hermitian_eigen<N>(p.H, e, U[i]));
            }
            cplx loop[N];
            for (int n = 0; n < N; ++n) loop[n] = {1.0, 0.0};
            for (int i = 0; i < 4; ++i) {
                const int j = (i + 1) % 4;
                double kc[3] = {k[0], k[1], k[2]}, step[3] = {0.0, 0.0, 0.0};
                kc[a] += 0.5 * (sa[i] + sa[j]) * h;  // the edge's midpoint
                kc[b] += 0.5 * (sb[i] + sb[j]) * h;
                step[a] = (sa[j] - sa[i]) * h;
                step[b] = (sb[j] - sb[i]) * h;
                cplx T[N][N];
                transporter(kc, step, T);
                for (int n = 0; n < W; ++n) {  // ⟨u_n(k_i)| T |u_n(k_j)⟩
                    cplx s{0.0, 0.0};
                    for (int p = 0; p < N; ++p)
                        for (int q = 0; q < N; ++q) s += conj(U[i][p][n]) * T[p][q] * U[j][q][n];
                    loop[n] = loop[n] * s;
                }
            }
            for (int n = 0; n < W; ++n) {
                const double phase = -std::atan2(loop[n].im, loop[n].re);  // ∮ A·dk = Ω_c h²
                const double want = phase / (h * h);
                EXPECT_NEAR(g[n].omega[cc], want, 1e-5 * (1 + std::fabs(want)))
                    << "k = (" << k[0] << ", " << k[1] << ", " << k[2] << ") component " << cc << " band " << n;
            }
        }
}
