// Band geometry of an N-band Bloch Hamiltonian H(k) (orbital basis, NBandPoint<N>) by the
// Kubo sums over states, on the eigenbasis of linalg/hermitian_eigen.hpp (the same code on
// every backend). Conventions: docs/conventions.md.
//
//   ε_n, v_n = Re⟨n|∂H|n⟩,
//   Ω_n^c = −2 Σ_{m∉G(n)} Im[⟨n|∂_aH|m⟩⟨m|∂_bH|n⟩] / (ε_n − ε_m)²,
//   m_n^c =    Σ_{m∉G(n)} Im[⟨n|∂_aH|m⟩⟨m|∂_bH|n⟩] / (ε_m − ε_n),        (a, b, c) cyclic,
//
// where G(n) is the degenerate group of n: the bands within `degenerate` of ε_n. Leaving the
// pairs inside a group out makes the group's totals — Σ_{n∈G} Ω_n, Σ_{n∈G} m_n, Σ_{n∈G} v_n, all
// a Fermi scan needs, since a group shares one energy — the gauge-invariant non-Abelian traces;
// the split among the group's bands is not meaningful there. For a non-degenerate band these
// are the two-band formulas of two_band.hpp (checked in tests/test_nband_geometry.cpp).
#pragma once
#include "bzint/linalg/hermitian_eigen.hpp"
#include "bzint/models/nband_traits.hpp"
#include "bzint/two_band.hpp"

namespace bzint {

// The threshold below which two levels count as degenerate, relative to the local energy
// scale 1 + max|ε|.
constexpr double kDegenerateRelative = 1e-9;

// The Kubo sums above for N bands of energies e (ascending) and band-basis velocity matrices
// v[(a ld + n) ld + m] = ⟨n|∂_a H|m⟩ (row-major, leading dimension ld ≥ N): shared by the
// fixed-size engine (kubo_geometry) and the run-time-sized one of large Wannier models.
BZINT_HD_INLINE void kubo_sums(int N, const double* e, const cplx* v, int ld, double degenerate, BandGeometry* g) {
    const long long plane = static_cast<long long>(ld) * ld;
    for (int n = 0; n < N; ++n) {
        g[n].energy = e[n];
        for (int a = 0; a < 3; ++a) {
            g[n].v[a] = v[a * plane + n * ld + n].re;
            g[n].omega[a] = 0.0;
            g[n].m[a] = 0.0;
        }
        for (int m = 0; m < N; ++m) {
            const double gap = e[n] - e[m];
            if (m == n || fabs(gap) <= degenerate) continue;
            for (int c = 0; c < 3; ++c) {
                const int a = (c + 1) % 3, b = (c + 2) % 3;
                const double im = (v[a * plane + n * ld + m] * v[b * plane + m * ld + n]).im;
                g[n].omega[c] -= 2.0 * im / (gap * gap);
                g[n].m[c] -= im / gap;
            }
        }
    }
}

// The scale of kDegenerateRelative: 1 + the largest |ε|.
BZINT_HD_INLINE double degenerate_threshold(int N, const double* e) {
    double scale = 1.0;
    for (int n = 0; n < N; ++n) scale = fmax(scale, 1.0 + fabs(e[n]));
    return kDegenerateRelative * scale;
}

// An orbital-basis matrix in the band basis, (U† X U)_nm, U the eigenvectors: for X = ∂_a H the
// velocity matrix ⟨n|∂_a H|m⟩; for X = A_a the Wannier connection of position_curvature.hpp.
template <int N>
BZINT_HD void to_band_basis(const cplx (&dH)[N][N], const cplx (&U)[N][N], cplx (&v)[N][N]) {
    cplx dU[N][N];  // X · U
    for (int i = 0; i < N; ++i)
        for (int m = 0; m < N; ++m) {
            cplx s{0.0, 0.0};
            for (int j = 0; j < N; ++j) s += dH[i][j] * U[j][m];
            dU[i][m] = s;
        }
    for (int n = 0; n < N; ++n)
        for (int m = 0; m < N; ++m) {
            cplx s{0.0, 0.0};
            for (int i = 0; i < N; ++i) s += conj(U[i][n]) * dU[i][m];
            v[n][m] = s;
        }
}

// The eigen-decomposition of H(k) and the band-basis velocity matrices: what the Kubo sums
// (below) and the position-matrix terms of Wannier models (position_curvature.hpp) share.
template <int N>
struct NBandEigen {
    double e[N];
    cplx U[N][N];     // columns: eigenvectors (orbital basis)
    cplx v[3][N][N];  // ⟨n|∂_a H|m⟩
    double degenerate;  // levels closer than this form a degenerate group
};

// Returns false if the eigensolver did not converge (the caller names the k-point).
template <int N>
BZINT_HD bool nband_eigen(const NBandPoint<N>& p, NBandEigen<N>& s) {
    cplx A[N][N];
    for (int i = 0; i < N; ++i)
        for (int j = 0; j < N; ++j) A[i][j] = p.H[i][j];
    const bool ok = hermitian_eigen<N>(A, s.e, s.U);
    for (int a = 0; a < 3; ++a) to_band_basis<N>(p.dH[a], s.U, s.v[a]);
    s.degenerate = degenerate_threshold(N, s.e);
    return ok;
}

template <int N>
BZINT_HD void kubo_geometry(const NBandEigen<N>& s, BandGeometry (&g)[N]) {
    kubo_sums(N, s.e, &s.v[0][0][0], N, s.degenerate, g);
}

// Returns false if the eigensolver did not converge (the caller names the k-point).
template <int N>
BZINT_HD bool nband_geometry(const NBandPoint<N>& p, BandGeometry (&g)[N]) {
    NBandEigen<N> s;
    const bool ok = nband_eigen<N>(p, s);
    kubo_geometry<N>(s, g);
    return ok;
}

}  // namespace bzint
