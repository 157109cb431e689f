// The kernel polynomial recursion from a general start vector (include/bzint/kpm_moments.hpp's
// start_from and add_at_support, through host/lattice/kpm.hpp's vector_fermi_sums and
// vector_fermi_diagonal): against ⟨r|f(H)|r⟩ and Re(r_o* (f(H)r)_o) from a dense eigendecomposition
// of the same matrix, Σ_k f(λ_k) ψ_k ψ_k†, an independent method.
#include <gtest/gtest.h>

#include <Eigen/Eigenvalues>
#include <cmath>
#include <complex>
#include <vector>

#include "bzint/fermi.hpp"
#include "lattice/kpm.hpp"
#include "lattice/random_trace.hpp"

namespace {

using cd = std::complex<double>;
constexpr long long kDim = 16;

// A 16 × 16 Hermitian matrix with every element nonzero and a spread diagonal, in compressed rows.
bzint::SparseHamiltonian dense_as_sparse(Eigen::MatrixXcd& A) {
    A.resize(kDim, kDim);
    for (long long i = 0; i < kDim; ++i)
        for (long long j = 0; j <= i; ++j) {
            const cd a = i == j ? cd(0.25 * double(i) - 2.0, 0.0) : cd(0.3 * std::sin(1.0 + i + 3.0 * j), 0.2 * std::cos(2.0 * i - j));
            A(i, j) = a;
            A(j, i) = std::conj(a);
        }
    bzint::SparseHamiltonian H;
    H.dim = kDim;
    H.row_start.push_back(0);
    for (long long i = 0; i < kDim; ++i) {
        for (long long j = 0; j < kDim; ++j) {
            H.column.push_back(j);
            H.value.push_back(A(i, j));
        }
        H.row_start.push_back(static_cast<long long>(H.column.size()));
    }
    return H;
}

}  // namespace

TEST(KpmVectors, ColourVectorSumsAndDiagonalAreTheDenseFermiOperators) {
    // A colour vector (random phases on the orbitals o ≡ 1 mod 3, zeros elsewhere) at μ = −0.7 and
    // 0.4, T = 0.15: the series is cut where its tail is below 1e-14 (moments_needed), so both
    // estimates equal the dense f(H)'s to 1e-11 (the recursion's rounding over ~400 moments of
    // order 1 each, |μ_n| ≤ ⟨r|r⟩ = 6).
    Eigen::MatrixXcd A;
    const bzint::SparseHamiltonian H = dense_as_sparse(A);
    const bzint::ChebyshevScale scale = bzint::chebyshev_scale(H);
    const std::vector<double> mu{-0.7, 0.4};
    const double T = 0.15;
    const auto moments = static_cast<long long>(bzint::moments_needed(scale, mu, T, 1e-14));
    const bzint::FermiSeries series = bzint::fermi_series(scale, mu, T, moments);
    std::vector<cd> r = bzint::random_phase_vector(3, 0, 1, kDim);
    std::vector<long long> support;
    for (long long o = 0; o < kDim; ++o)
        if (o % 3 == 1)
            support.push_back(o);
        else
            r[static_cast<std::size_t>(o)] = 0.0;
    const std::vector<double> sums = bzint::vector_fermi_sums(H, scale, series, r);
    const std::vector<double> diagonal = bzint::vector_fermi_diagonal(H, scale, series, r, support);
    ASSERT_EQ(sums.size(), 2u);
    ASSERT_EQ(diagonal.size(), support.size() * 2);
    const Eigen::SelfAdjointEigenSolver<Eigen::MatrixXcd> eig(A);
    const Eigen::VectorXcd rv = Eigen::Map<const Eigen::VectorXcd>(r.data(), kDim);
    for (std::size_t l = 0; l < mu.size(); ++l) {
        Eigen::VectorXd f(kDim);
        for (long long k = 0; k < kDim; ++k) f(k) = bzint::fermi(eig.eigenvalues()(k) - mu[l], T);
        const Eigen::MatrixXcd F = eig.eigenvectors() * f.asDiagonal() * eig.eigenvectors().adjoint();
        const Eigen::VectorXcd Fr = F * rv;
        EXPECT_NEAR(sums[l], rv.dot(Fr).real(), 1e-11) << "mu = " << mu[l];
        double along = 0.0;  // the diagonal's sum over the support is the trace's estimate
        for (std::size_t i = 0; i < support.size(); ++i) {
            const long long o = support[i];
            const double expected = (std::conj(r[static_cast<std::size_t>(o)]) * Fr(o)).real();
            EXPECT_NEAR(diagonal[i * 2 + l], expected, 1e-11) << "mu = " << mu[l] << ", orbital " << o;
            along += diagonal[i * 2 + l];
        }
        EXPECT_NEAR(along, sums[l], 1e-11) << "mu = " << mu[l];
    }
}
