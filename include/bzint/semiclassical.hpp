// The semiclassical density matrix of the SU(N) kinetic theory (Valet & Raimondi, the
// SU(N) paper): the generalised Berry curvature tensor Ω^n_m (Eq. 13), the spectral
// weights Z of a weak uniform B (Eqs. 14–16), and the per-k pieces of the spin density
// (Eqs. 25–28). Readings, sign translations and derivations: docs/semiclassical.md.
//
// Our units and signs (docs/conventions.md): ħ = e = 1, electron charge −e. The paper
// writes e < 0 for the charge, so its "e B·Ω" is −B·Ω here.
#pragma once
#include "bzint/hybrid_bands.hpp"
#include "bzint/linalg/complex.hpp"
#include "bzint/two_band.hpp"

namespace bzint {

// Ω^n_m as an axial vector in k-space, Ω^n_m,c = i Tr(P_n [∂_a P_m, ∂_b P_m]), (a, b, c)
// cyclic — Eq. 13 with b_n the generalised Bloch vectors. Ω^n_n is the Berry curvature
// Ω_n of band n; for n ≠ m, from the eigenvectors,
//   Ω^n_m,c = −2 Im(⟨n|∂_a H|m⟩⟨m|∂_b H|n⟩) / (ε_n − ε_m)².
// Sum rules: Σ_n Ω^n_m = 0 (Σ_n P_n = 1), hence Σ_{n≠m} Ω^n_m = −Ω^m_m, and Σ_n Ω^n_n = 0.
// (The paper prints the first as Σ_{m≠n} Ω^n_m = −Ω^n_n; with Eq. 13 as printed the sum
// runs over the projector index, see docs/semiclassical.md.)
//
// Two bands: b_± = ±u (u = d/|d|), so Ω^n_m = Ω_n for both m — the paper's
// "Ω^σ_σ = Ω^σ_{−σ} = σΩ".
BZINT_HD void two_band_curvature_tensor(const BandGeometry g[2], double omega[2][2][3]) {
    for (int n = 0; n < 2; ++n)
        for (int m = 0; m < 2; ++m)
            for (int c = 0; c < 3; ++c) omega[n][m][c] = g[n].omega[c];
}

// Ω^n_m for N bands from the eigenvalues e (ascending) and the band-basis velocity matrices
// v[(a ld + n) ld + m] = ⟨n|∂_a H|m⟩ (kubo_sums' layout), into omega[(n N + m) 3 + c]: any N
// (the run-time-sized Wannier engine calls it directly). Pairs closer than `degenerate` in
// energy contribute NaN (the tensor is not defined at a degeneracy; the caller's finiteness
// check names the k-point).
BZINT_HD_INLINE void curvature_tensor_from_velocities(int N, const double* e, const cplx* v, int ld, double degenerate,
                                                      double* omega) {
    const long long plane = static_cast<long long>(ld) * ld;
    for (int n = 0; n < N; ++n)
        for (int c = 0; c < 3; ++c) omega[(n * N + n) * 3 + c] = 0.0;
    for (int n = 0; n < N; ++n)
        for (int m = 0; m < N; ++m) {
            if (m == n) continue;
            const double gap = e[n] - e[m];
            const double inv = fabs(gap) > degenerate ? 1.0 / (gap * gap) : nan("");
            for (int c = 0; c < 3; ++c) {
                const int a = (c + 1) % 3, b = (c + 2) % 3;
                omega[(n * N + m) * 3 + c] = -2.0 * (v[a * plane + n * ld + m] * v[b * plane + m * ld + n]).im * inv;
            }
        }
    // Ω^m_m = −Σ_{n≠m} Ω^n_m: the Kubo sum of band m.
    for (int m = 0; m < N; ++m)
        for (int n = 0; n < N; ++n)
            if (n != m)
                for (int c = 0; c < 3; ++c) omega[(m * N + m) * 3 + c] -= omega[(n * N + m) * 3 + c];
}

// The degeneracy threshold of the tensor: kDegenerateRelative × (1 + |ε_0| + |ε_{N−1}|), e ascending.
BZINT_HD_INLINE double tensor_degenerate_threshold(int N, const double* e) {
    return kDegenerateRelative * (1.0 + fabs(e[0]) + fabs(e[N - 1]));
}

// The same from the eigenvalues e (ascending) and eigenvectors (columns of U) of H(k) and the
// derivatives dH, for a compiled N.
template <int N>
BZINT_HD void nband_curvature_tensor(const cplx (&dH)[3][N][N], const double (&e)[N], const cplx (&U)[N][N],
                                     double degenerate, double (&omega)[N][N][3]) {
    cplx v[3][N][N];  // ⟨n|∂_a H|m⟩
    for (int a = 0; a < 3; ++a)
        for (int n = 0; n < N; ++n)
            for (int m = 0; m < N; ++m) {
                cplx s{0.0, 0.0};
                for (int i = 0; i < N; ++i) {
                    cplx row{0.0, 0.0};
                    for (int j = 0; j < N; ++j) row += dH[a][i][j] * U[j][m];
                    s += conj(U[i][n]) * row;
                }
                v[a][n][m] = s;
            }
    curvature_tensor_from_velocities(N, e, &v[0][0][0], N, degenerate, &omega[0][0][0]);
}

// Spectral weights in a weak uniform B (Eq. 14, energy-integrated): the quasiparticle of
// band n carries weight Z[n][m] on the eigenprojector P_m,
//   Z[n][n] = 1 + ½ B·Ω^n_n,   Z[n][m] = −½ B·Ω^m_n  (m ≠ n),
// and in total Z_tot^n = Σ_m Z[n][m] = 1 + B·Ω_n (Eq. 15; the Xiao–Shi–Niu density of
// states), so Σ_n Z_tot^n = N. (The paper's "e B·Ω" is −B·Ω for charge −e; its Eq. 14
// prints the weight on P_m as Ω^n_m, Eqs. 16 and 19 as Ω^m_n — the reading consistent
// with Eqs. 15, 17 and 25, docs/semiclassical.md.)
// Any N: omega[(n N + m) 3 + c], Z[n N + m].
BZINT_HD_INLINE void spectral_weights(int N, const double* omega, const double B[3], double* Z) {
    for (int n = 0; n < N; ++n)
        for (int m = 0; m < N; ++m)
            Z[n * N + m] = m == n ? 1.0 + 0.5 * dot3(B, omega + (n * N + n) * 3) : -0.5 * dot3(B, omega + (m * N + n) * 3);
}
template <int N>
BZINT_HD void spectral_weights(const double (&omega)[N][N][3], const double B[3], double (&Z)[N][N]) {
    spectral_weights(N, &omega[0][0][0], B, &Z[0][0]);
}

// Band-projected densities for occupations f_n of the quasiparticles (f_n = f(ε̄_n) in
// equilibrium, Eq. 20): the kinetic theory's ρ̄^m = Σ_n Z[n][m] f_n (Eqs. 16, 19; for two
// bands this is Eq. 25), and the wave-packet ρ_WP^n = Z_tot^n f_n (Eq. 24). Their traces
// agree, Σ_m ρ̄^m = Σ_n Z_tot^n f_n (Eq. 28a = 27a); band by band they differ unless all f
// are equal.
template <int N>
BZINT_HD void band_projected_density(const double (&Z)[N][N], const double (&f)[N], double (&rho)[N]) {
    for (int m = 0; m < N; ++m) {
        rho[m] = 0.0;
        for (int n = 0; n < N; ++n) rho[m] += Z[n][m] * f[n];
    }
}

template <int N>
BZINT_HD void wave_packet_density(const double (&Z)[N][N], const double (&f)[N], double (&rho)[N]) {
    for (int n = 0; n < N; ++n) {
        double z = 0.0;
        for (int m = 0; m < N; ++m) z += Z[n][m];
        rho[n] = z * f[n];
    }
}

// The fields of a semiclassical scan: a weak uniform B (ħ/(e a²) units; it shifts the
// energies to ε̄ = ε − m·B, Eq. 12) and the displacement of the relaxation-time distribution
// f̄(k) = f0(ε̄(k + τE)) — for charge −e, k̇ = −E and f0 + τE·∂_k f0 to first order in E.
struct ScanFields {
    double B[3];
    double E[3];
    double shift[3];  // τE
    HybridSetup hybrid;  // kind hybrid (hybrid_bands.hpp)
};

// Spin-density channels of band n (0 lower, 1 upper) at k, for s = ∫ d^dk/(2π)^d Tr[ρ̂ σ]
// (Pauli matrices: 2⟨S⟩/ħ). h, g: H and band geometry at k; vs: the velocity of band n at
// the shifted point k + τE (where f̄ is evaluated). With σ_n = ∓1 and u = d/|d|:
//   sea[0..2]  = σ_n u                          band part of Eq. 28b, ∫(f↑ − f↓) u
//   sea[3..5]  = −½ σ_n u × {λ̄⁰, u} / |d|      first term of ρ̄⊥ (Eq. 26)
//   sea[6..8]  = (B·Ω_+) u                      the second term of Eq. 27b, −∫ Ω(f↑ + f↓) u
//   surf[0..2] = −½ u × C, C_i = B·(v_n × ∂u_i)  second term of ρ̄⊥, weighted by −∂f/∂ε
// where, for charge −e, {λ̄⁰, u_i} = −(E·∂)u_i + B·(∂d0 × ∂u_i) and
// {f_n, u_i} = (−∂f/∂ε) B·(v_n × ∂u_i) (docs/semiclassical.md derives both from Eqs. 9–10).
BZINT_HD void spin_density_channels(const TwoBandPoint& h, const BandGeometry g[2], const double vs[3], int n,
                                    const ScanFields& f, double sea[9], double surf[3]) {
    const double dn = sqrt(dot3(h.d, h.d));
    const double sigma = n == 0 ? -1.0 : 1.0;
    double u[3], du[3][3];  // du[a][i] = ∂_a u_i
    for (int i = 0; i < 3; ++i) u[i] = h.d[i] / dn;
    for (int a = 0; a < 3; ++a) {
        const double along = dot3(u, h.dd[a]);
        for (int i = 0; i < 3; ++i) du[a][i] = (h.dd[a][i] - u[i] * along) / dn;
    }
    double L[3], C[3];
    for (int i = 0; i < 3; ++i) {
        const double grad_u[3] = {du[0][i], du[1][i], du[2][i]};
        double t[3];
        cross3(h.dd0, grad_u, t);
        L[i] = -dot3(f.E, grad_u) + dot3(f.B, t);
        cross3(vs, grad_u, t);
        C[i] = dot3(f.B, t);
    }
    double uL[3], uC[3];
    cross3(u, L, uL);
    cross3(u, C, uC);
    const double w = dot3(f.B, g[1].omega);
    for (int i = 0; i < 3; ++i) {
        sea[i] = sigma * u[i];
        sea[3 + i] = -0.5 * sigma * uL[i] / dn;
        sea[6 + i] = w * u[i];
        surf[i] = -0.5 * uC[i];
    }
}

}  // namespace bzint
