// The N-band engine's eigensolver (linalg/hermitian_eigen.hpp: Householder reduction and
// implicit QL) against its definition (A U = U diag(e), U†U = 1, ascending e) and against the
// independent Jacobi solver (linalg/hermitian_jacobi.hpp), on random, degenerate, diagonal,
// block-diagonal and widely scaled matrices; and the band geometry it feeds, against the
// geometry on Jacobi's eigenbasis (gauge-invariant Kubo sums, nband_geometry.hpp).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <random>

#include "bzint/linalg/hermitian_eigen.hpp"
#include "bzint/models/all.hpp"
#include "bzint/nband_geometry.hpp"
#include "wannier/wannier_model.hpp"

using namespace bzint;

namespace {

template <int N>
void random_hermitian(std::mt19937& g, double scale, cplx (&A)[N][N]) {
    std::normal_distribution<double> u(0.0, scale);
    for (int i = 0; i < N; ++i) {
        A[i][i] = {u(g), 0.0};
        for (int j = 0; j < i; ++j) {
            A[i][j] = {u(g), u(g)};
            A[j][i] = conj(A[i][j]);
        }
    }
}

// A random unitary: the eigenvectors of a random Hermitian matrix (by Jacobi).
template <int N>
void random_unitary(std::mt19937& g, cplx (&V)[N][N]) {
    cplx A[N][N];
    double e[N];
    random_hermitian<N>(g, 1.0, A);
    ASSERT_TRUE(jacobi_eigen<N>(A, e, V));
}

// V diag(lambda) V†.
template <int N>
void with_spectrum(const cplx (&V)[N][N], const double (&lambda)[N], cplx (&A)[N][N]) {
    for (int i = 0; i < N; ++i)
        for (int j = 0; j < N; ++j) {
            cplx s{0.0, 0.0};
            for (int k = 0; k < N; ++k) s += lambda[k] * (V[i][k] * conj(V[j][k]));
            A[i][j] = s;
        }
}

template <int N>
double frobenius(const cplx (&A)[N][N]) {
    double s = 0.0;
    for (int i = 0; i < N; ++i)
        for (int j = 0; j < N; ++j) s += norm2(A[i][j]);
    return std::sqrt(s);
}

// The definition: residual ‖AU − U diag(e)‖ and ‖U†U − 1‖ within `tol` (relative to ‖A‖ for
// the first), e ascending.
template <int N>
void expect_eigen_decomposition(const cplx (&A)[N][N], const double (&e)[N], const cplx (&U)[N][N], double tol) {
    const double norm = std::max(frobenius<N>(A), 1e-300);
    double residual = 0.0, orth = 0.0;
    for (int i = 0; i < N; ++i)
        for (int j = 0; j < N; ++j) {
            cplx au{0.0, 0.0}, uu{0.0, 0.0};
            for (int k = 0; k < N; ++k) {
                au += A[i][k] * U[k][j];
                uu += conj(U[k][i]) * U[k][j];
            }
            residual += norm2(au - e[j] * U[i][j]);
            orth += norm2(uu - cplx{i == j ? 1.0 : 0.0, 0.0});
        }
    EXPECT_LE(std::sqrt(residual) / norm, tol);
    EXPECT_LE(std::sqrt(orth), tol);
    for (int i = 0; i + 1 < N; ++i) EXPECT_LE(e[i], e[i + 1]);
}

// The band geometry of H and ∂H on Jacobi's eigenbasis (the independent solver), with
// nband_eigen's degeneracy threshold.
template <int N>
void jacobi_geometry(const NBandPoint<N>& p, BandGeometry (&g)[N]) {
    NBandEigen<N> s;
    cplx A[N][N];
    std::copy(&p.H[0][0], &p.H[0][0] + N * N, &A[0][0]);
    ASSERT_TRUE(jacobi_eigen<N>(A, s.e, s.U));
    for (int d = 0; d < 3; ++d) to_band_basis<N>(p.dH[d], s.U, s.v[d]);
    double scale = 1.0;
    for (int n = 0; n < N; ++n) scale = std::max(scale, 1.0 + std::fabs(s.e[n]));
    s.degenerate = kDegenerateRelative * scale;
    kubo_geometry<N>(s, g);
}

template <int N>
void random_matrices_agree_with_jacobi(int trials, unsigned seed) {
    std::mt19937 g(seed);
    for (int t = 0; t < trials; ++t) {
        cplx A[N][N], B[N][N], C[N][N], U[N][N], V[N][N];
        double e[N], f[N];
        random_hermitian<N>(g, 1.0, A);
        std::copy(&A[0][0], &A[0][0] + N * N, &B[0][0]);
        std::copy(&A[0][0], &A[0][0] + N * N, &C[0][0]);
        ASSERT_TRUE(hermitian_eigen<N>(B, e, U));
        ASSERT_TRUE(jacobi_eigen<N>(C, f, V));
        expect_eigen_decomposition<N>(A, e, U, 1e-13 * N);
        // Both backward stable: eigenvalues agree to a few ulps of ‖A‖.
        for (int n = 0; n < N; ++n) EXPECT_NEAR(e[n], f[n], 1e-13 * frobenius<N>(A)) << N << " " << n;
    }
}

}  // namespace

TEST(HermitianEigen, RandomMatricesOfEverySize) {
    random_matrices_agree_with_jacobi<2>(200, 1);
    random_matrices_agree_with_jacobi<3>(200, 2);
    random_matrices_agree_with_jacobi<4>(100, 3);
    random_matrices_agree_with_jacobi<5>(100, 4);
    random_matrices_agree_with_jacobi<8>(50, 5);
    random_matrices_agree_with_jacobi<16>(20, 6);
    random_matrices_agree_with_jacobi<32>(5, 7);
}

TEST(HermitianEigen, DegenerateSpectraGiveAnOrthonormalBasisOfEachEigenspace) {
    // Spectra with 2-, 3- and 4-fold levels (Kramers pairs, cubic multiplets) in a random basis:
    // every eigenvalue to 1e-13, and the eigenvectors of a level span its space (residual).
    std::mt19937 g(11);
    for (int t = 0; t < 20; ++t) {
        cplx V[8][8], A[8][8], B[8][8], U[8][8];
        random_unitary<8>(g, V);
        const double lambda[8] = {-1.5, -1.5, 0.25, 0.25, 0.25, 2.0, 2.0, 2.0};
        double shuffled[8];
        std::copy(lambda, lambda + 8, shuffled);
        std::shuffle(shuffled, shuffled + 8, g);
        with_spectrum<8>(V, shuffled, A);
        std::copy(&A[0][0], &A[0][0] + 64, &B[0][0]);
        double e[8];
        ASSERT_TRUE(hermitian_eigen<8>(B, e, U));
        expect_eigen_decomposition<8>(A, e, U, 1e-13);
        for (int n = 0; n < 8; ++n) EXPECT_NEAR(e[n], lambda[n], 1e-13);
    }
}

TEST(HermitianEigen, DiagonalAndBlockDiagonalMatricesAreNotMixed) {
    // Diagonal: the identity's columns, sorted, exactly. Block diagonal (hybrid_bands.hpp relies
    // on it): every eigenvector is exactly zero outside its block, even where levels of
    // different blocks coincide.
    cplx D[5][5] = {}, U[5][5];
    const double diag[5] = {3.0, -1.0, 2.0, -1.0, 0.5};
    for (int i = 0; i < 5; ++i) D[i][i] = {diag[i], 0.0};
    double e[5];
    ASSERT_TRUE(hermitian_eigen<5>(D, e, U));
    const int order[5] = {1, 3, 4, 2, 0};
    for (int c = 0; c < 5; ++c) {
        EXPECT_EQ(e[c], diag[order[c]]);
        for (int r = 0; r < 5; ++r) EXPECT_EQ(norm2(U[r][c]), r == order[c] ? 1.0 : 0.0) << r << " " << c;
    }
    std::mt19937 g(3);
    for (int t = 0; t < 20; ++t) {
        cplx A[6][6] = {}, B[6][6], V[6][6];
        cplx block[3][3];
        random_hermitian<3>(g, 1.0, block);
        for (int i = 0; i < 3; ++i)
            for (int j = 0; j < 3; ++j) A[2 + i][2 + j] = block[i][j];  // rows 2–4 coupled
        A[0][0] = {0.3, 0.0};
        A[1][1] = {-0.7, 0.0};
        A[5][5] = {A[2][2].re, 0.0};  // a singleton level equal to a diagonal entry of the block
        std::copy(&A[0][0], &A[0][0] + 36, &B[0][0]);
        double f[6];
        ASSERT_TRUE(hermitian_eigen<6>(B, f, V));
        expect_eigen_decomposition<6>(A, f, V, 1e-13);
        for (int c = 0; c < 6; ++c) {
            double inside = 0.0, outside = 0.0;
            for (int r = 0; r < 6; ++r) (r >= 2 && r <= 4 ? inside : outside) += norm2(V[r][c]);
            EXPECT_TRUE(inside == 0.0 || outside == 0.0) << "column " << c << " mixes blocks";
        }
    }
}

TEST(HermitianEigen, WidelySpreadScalesAndPaddedLevels) {
    // A Wannier model's padding puts uncoupled levels far above the bands (models/wannier.hpp),
    // and real spectra spread over 1e-6…1e3 eV: the decomposition stays backward stable.
    std::mt19937 g(5);
    for (int t = 0; t < 20; ++t) {
        cplx A[16][16] = {}, B[16][16], U[16][16], block[12][12];
        random_hermitian<12>(g, 1.0, block);
        for (int i = 0; i < 12; ++i)
            for (int j = 0; j < 12; ++j) A[i][j] = (i < 6 && j < 6 ? 1e-6 : 1.0) * block[i][j];
        for (int i = 12; i < 16; ++i) A[i][i] = {1e3, 0.0};
        std::copy(&A[0][0], &A[0][0] + 256, &B[0][0]);
        double e[16];
        ASSERT_TRUE(hermitian_eigen<16>(B, e, U));
        expect_eigen_decomposition<16>(A, e, U, 1e-13);
        for (int i = 12; i < 16; ++i) EXPECT_EQ(e[i], 1e3);
    }
}

TEST(HermitianEigen, BandGeometryEqualsTheJacobiBasis) {
    // The Kubo sums are gauge invariant: on random 8-band H and ∂H, energies to 1e-12 and Ω, m
    // to 1e-9 relative (Ω ∝ 1/gap²: a gap of 1e-2 turns the eigenvectors' ~1e-14 error into
    // ~1e-10).
    std::mt19937 g(9);
    for (int t = 0; t < 50; ++t) {
        NBandPoint<8> p;
        random_hermitian<8>(g, 1.0, p.H);
        for (int a = 0; a < 3; ++a) random_hermitian<8>(g, 1.0, p.dH[a]);
        BandGeometry a[8], b[8];
        ASSERT_TRUE(nband_geometry<8>(p, a));
        jacobi_geometry<8>(p, b);
        for (int n = 0; n < 8; ++n) {
            EXPECT_NEAR(a[n].energy, b[n].energy, 1e-12);
            for (int c = 0; c < 3; ++c) {
                EXPECT_NEAR(a[n].v[c], b[n].v[c], 1e-11);
                EXPECT_NEAR(a[n].omega[c], b[n].omega[c], 1e-9 * (1 + std::fabs(b[n].omega[c])));
                EXPECT_NEAR(a[n].m[c], b[n].m[c], 1e-9 * (1 + std::fabs(b[n].m[c])));
            }
        }
    }
}

TEST(HermitianEigen, IronPerKPointEqualsTheJacobiPath) {
    // bcc Fe from its Wannier90 file (16 orbitals, spin–orbit split d bands with avoided
    // crossings down to meV): at 200 random k, the eigenvalues of both solvers to 1e-12 eV and
    // the Berry curvature to 1e-9 relative (measured 1.7e-13 eV and 4.9e-11; the curvature's
    // error grows as 1/gap², docs/wannier.md).
    const std::string path = std::string(BZINT_SOURCE_DIR) + "/../shared/data/wannier/Fe_hr.dat";
    if (!std::filesystem::exists(path)) GTEST_SKIP() << "no ../shared/data/wannier (clone without data)";
    const double lattice[3][3] = {{1.435, 1.435, -1.435}, {-1.435, 1.435, 1.435}, {1.435, -1.435, 1.435}};
    const auto w = make_wannier(read_hr(path), lattice, PositionTerms::none);
    const models::Wannier<16> fe{w->view()};
    std::mt19937 g(17);
    std::uniform_real_distribution<double> u(-2.2, 2.2);
    double worst_e = 0.0, worst_omega = 0.0;
    for (int t = 0; t < 200; ++t) {
        const double k[3] = {u(g), u(g), u(g)};
        NBandPoint<16> p;
        fe(k, p);
        BandGeometry a[16], b[16];
        ASSERT_TRUE(nband_geometry<16>(p, a));
        jacobi_geometry<16>(p, b);
        for (int n = 0; n < 16; ++n) {
            worst_e = std::max(worst_e, std::fabs(a[n].energy - b[n].energy));
            for (int c = 0; c < 3; ++c)
                worst_omega = std::max(worst_omega, std::fabs(a[n].omega[c] - b[n].omega[c]) / (1 + std::fabs(b[n].omega[c])));
        }
    }
    EXPECT_LE(worst_e, 1e-12);
    EXPECT_LE(worst_omega, 1e-9);
    std::printf("Fe, 200 k: max |Δε| = %.2e eV, max |ΔΩ|/(1 + |Ω|) = %.2e\n", worst_e, worst_omega);
}
