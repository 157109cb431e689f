// The Berry curvature of a Wannier model with its full position matrix ⟨0m|r|Rn⟩: the terms of
// Wang, Yates, Souza and Vanderbilt, PRB 74, 195118 (2006) (WYSV), Eq. (27) of that paper in
// the Hamiltonian gauge,
//
//   Ω_n,ab = Ω̄_nn,ab − [D_a, Ā_b]_nn + [D_b, Ā_a]_nn − i[D_a, D_b]_nn,
//
// with, in the band basis (U the eigenvectors of H(k) = Σ_R e^{ik·R} H(R), no orbital phases):
//   Ā_a = U† A_a U,   A_a,mn(k) = Σ_R e^{ik·R} ⟨0m|r_a|Rn⟩            (the Wannier-gauge connection),
//   Ω̄_ab = U† (∂_a A_b − ∂_b A_a) U,   ∂_a A_b = Σ_R i R_a e^{ik·R} ⟨0m|r_b|Rn⟩,
//   D_a,nm = ⟨n|∂_a H|m⟩ / (ε_m − ε_n) for n ≠ m (pairs inside a degenerate group left out, as
//            in nband_geometry.hpp: the group totals stay gauge invariant), D_a,nn = 0.
// The last term is the Kubo sum of nband_geometry.hpp. D is anti-Hermitian and Ā Hermitian, so
// [D_a, Ā_b]_nn = 2 Re Σ_m D_a,nm Ā_b,mn. Derivation of the middle terms (docs/wannier.md):
// Ω_n = ∂_a Ā_b,nn − ∂_b Ā_a,nn + (Kubo), and ∂_a U = U D_a gives ∂_a Ā_b = U† ∂_a A_b U − [D_a, Ā_b].
// With ⟨0m|r|Rn⟩ = τ_m δ_mn δ_R0 this equals the Kubo curvature of the orbital-position phased
// H(k) (the `orbital_positions` option); unlike that, it is invariant under any unitary rotation
// of the orbitals (tests/test_position_curvature.cpp).
#pragma once
#include "bzint/nband_geometry.hpp"

namespace bzint {

// The Wannier-gauge connection at k: A_a (a = x, y, z) and its curl (∇×A)_c = ∂_a A_b − ∂_b A_a,
// (a, b, c) cyclic.
template <int N>
struct PositionConnection {
    cplx A[3][N][N];
    cplx curl[3][N][N];
};

// Adds the position-matrix terms Ω̄_nn − [D_a, Ā_b]_nn + [D_b, Ā_a]_nn to g[n].omega (which holds
// the Kubo term from kubo_sums), for any N: from the energies e, the band-basis velocities v and
// connection Ā (planes of ld × ld as kubo_sums' v), and curl_diag[c N + n] = Re (U† (∇×A)_c U)_nn.
BZINT_HD_INLINE void add_position_terms(int N, const double* e, const cplx* v, const cplx* Abar, int ld, double degenerate,
                                        const double* curl_diag, BandGeometry* g) {
    const long long plane = static_cast<long long>(ld) * ld;
    for (int cc = 0; cc < 3; ++cc) {
        const int a = (cc + 1) % 3, b = (cc + 2) % 3;
        for (int n = 0; n < N; ++n) {
            double commutators = 0.0;
            for (int m = 0; m < N; ++m) {
                const double de = e[m] - e[n];
                if (m == n || fabs(de) <= degenerate) continue;
                const cplx Da = (1.0 / de) * v[a * plane + n * ld + m], Db = (1.0 / de) * v[b * plane + n * ld + m];
                commutators += -2.0 * (Da * Abar[b * plane + m * ld + n]).re + 2.0 * (Db * Abar[a * plane + m * ld + n]).re;
            }
            g[n].omega[cc] += curl_diag[cc * N + n] + commutators;
        }
    }
}

// The same for a compiled N, from the eigen-decomposition and the orbital-basis connection.
template <int N>
BZINT_HD void add_position_curvature(const NBandEigen<N>& s, const PositionConnection<N>& c, BandGeometry (&g)[N]) {
    cplx Abar[3][N][N];
    for (int a = 0; a < 3; ++a) to_band_basis<N>(c.A[a], s.U, Abar[a]);
    double curl_diag[3][N];
    for (int cc = 0; cc < 3; ++cc)
        for (int n = 0; n < N; ++n) {
            double curl_nn = 0.0;  // Re (U† curl U)_nn
            for (int i = 0; i < N; ++i)
                for (int j = 0; j < N; ++j) curl_nn += (conj(s.U[i][n]) * c.curl[cc][i][j] * s.U[j][n]).re;
            curl_diag[cc][n] = curl_nn;
        }
    add_position_terms(N, s.e, &s.v[0][0][0], &Abar[0][0][0], N, s.degenerate, &curl_diag[0][0], g);
}

}  // namespace bzint
