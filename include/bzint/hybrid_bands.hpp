// Hybridised bands of the non-adiabatic semiclassical transport theory
// (nonadiabatic-semiclassical-hybridised-bands, Sec. III C, Eqs. 54–63), for a uniform system
// (no spatial textures: ∂/∂x terms and F̃ vanish).
//
// The bands are split into manifolds: the active manifold [lo, hi] and every other band on its
// own. In each manifold the field couples the bands through the moving-frame Hamiltonian
// (Eqs. 27, 28 with Eq. 55; charge −e, ħ = e = 1, k̇ = −E):
//     H̄_nm = ε_n δ_nm + (1 − δ_nm) E·A_nm,   A_nm = i⟨u_n|∂_k u_m⟩ = i v_nm/(ε_m − ε_n),
// whose eigenvectors |u_i⟩ = Σ_n η_n^(i)|u_n⟩ and energies E_i are the hybridised bands (Eq. 61;
// H̄ transforms covariantly under band phases, so E_i and |u_i⟩ are gauge invariant). Each
// has the velocity of Eq. 62a,
//     ṽ_i^α = ⟨u_i|∂_α H|u_i⟩ + Σ_β ⟨F^{αβ}⟩^(i) E_β,
// split as v_band = Σ_n |η_n|² v_nn, v_hybrid = Σ_{n≠m} η_n* v_nm η_m (the non-adiabatic
// anomalous velocity within the manifold) and v_remote = η†(F·E)η, with the non-Abelian
// curvature of the manifold from the bands outside it (Eqs. 40, 41, 63):
//     F^{αβ}_nm = i Σ_{l∉a} [v^α_nl v^β_lm − v^β_nl v^α_lm] / ((ε_n − ε_l)(ε_m − ε_l)).
// For a one-band manifold F^{xy}_nn = Ω^z_n (docs/conventions.md), so ṽ = v + E×Ω: Eq. 43a with
// ħk̇ = −eE. (The paper's Eq. 67c prints v_h = −(e/ħ) Ω^{KK} E, the opposite sign of its own
// Eqs. 43a and 62a; we follow Eqs. 43a/62a, which give σ_xy = −(e²/ħ)∫fΩ, docs/hybrid.md.)
#pragma once
#include "bzint/hd.hpp"
#include "bzint/linalg/hermitian_eigen.hpp"
#include "bzint/models/nband_traits.hpp"
#include "bzint/nband_geometry.hpp"

namespace bzint {

struct HybridSetup {
    double E[3];        // the field (e = 1)
    int lo, hi;         // the active manifold: bands lo..hi (inclusive, ascending-energy indices)
    double tau;         // relaxation time of δg (Eq. 57c)
    double fd_step;     // k step of the central difference for E·∇E_i
    double degenerate;  // |ε_n − ε_m| below this in a coupling or curvature: not finite
    int bands;          // the model's bands (0: all N); the padding of a Wannier model above them
                        // (uncoupled, at one energy: models/wannier.hpp) is left out of the remote
                        // sums, where its degeneracy would flag every point
};

template <int N>
struct HybridBands {
    double energy[N];  // E_i: slot s in [lo, hi] holds the (s − lo)-th hybridised energy, others ε_s
    double v_band[N][3], v_hybrid[N][3], v_remote[N][3];
};

// E·v_nm of the band-basis velocity matrices vel (three planes of ld × ld, kubo_sums' layout) into
// ve (ld × ld): the field's coupling of bands n and m.
BZINT_HD_INLINE void field_velocity(int N, const double E[3], const cplx* vel, int ld, cplx* ve) {
    const long long plane = static_cast<long long>(ld) * ld;
    for (int n = 0; n < N; ++n)
        for (int m = 0; m < N; ++m) {
            cplx t{0.0, 0.0};
            for (int a = 0; a < 3; ++a)
                if (E[a] != 0.0) t += E[a] * vel[a * plane + n * ld + m];
            ve[n * ld + m] = t;
        }
}

// The active manifold's block of H̄ (rows and columns lo..hi) into Hb[(n − lo) ldb + (m − lo)]:
// ε_n on the diagonal, E·A_nm off it. False at a degeneracy inside the manifold; that coupling is
// then left out (the point is reported as non-finite, and every backend sums the same defined
// values).
BZINT_HD_INLINE bool moving_frame_block(int lo, int hi, const double* eps, const cplx* ve, int ld, double degenerate,
                                        cplx* Hb, int ldb) {
    bool ok = true;
    for (int n = lo; n <= hi; ++n)
        for (int m = lo; m <= hi; ++m) {
            cplx& h = Hb[(n - lo) * ldb + (m - lo)];
            h = {n == m ? eps[n] : 0.0, 0.0};
            if (n == m) continue;
            const double gap = eps[m] - eps[n];
            if (fabs(gap) < degenerate) {
                ok = false;
                continue;
            }
            h = (1.0 / gap) * times_i(ve[n * ld + m]);  // E·A_nm
        }
    return ok;
}

// The three parts of ṽ_i (Eq. 62a) of a hybridised band of the manifold first..last with
// coefficients η_n = eta[(n − first) stride], the remote sum over the bands 0..N−1 outside it; vel
// and ve as field_velocity's. False at a degeneracy with a band outside the manifold (that term
// left out).
BZINT_HD_INLINE bool hybrid_velocity(int N, int first, int last, const double* eps, const cplx* vel, const cplx* ve,
                                     int ld, const cplx* eta, int stride, double degenerate, double v_band[3],
                                     double v_hybrid[3], double v_remote[3]) {
    const long long plane = static_cast<long long>(ld) * ld;
    bool ok = true;
    for (int a = 0; a < 3; ++a) {
        const cplx* va = vel + a * plane;
        double vb = 0.0, vh = 0.0, vr = 0.0;
        for (int n = first; n <= last; ++n)
            for (int m = first; m <= last; ++m) {
                const cplx en = eta[(n - first) * stride], em = eta[(m - first) * stride];
                const cplx w = conj(en) * em;
                if (n == m) {
                    vb += norm2(en) * va[n * ld + n].re;
                } else {
                    vh += (w * va[n * ld + m]).re;
                }
                // (F·E)^a_nm over the bands l outside the manifold (Eq. 40).
                cplx fe{0.0, 0.0};
                for (int l = 0; l < N; ++l) {
                    if (l >= first && l <= last) continue;
                    const double dn = eps[n] - eps[l], dm = eps[m] - eps[l];
                    if (fabs(dn) < degenerate || fabs(dm) < degenerate) {
                        ok = false;
                        continue;
                    }
                    fe += (1.0 / (dn * dm)) * (va[n * ld + l] * ve[l * ld + m] - ve[n * ld + l] * va[l * ld + m]);
                }
                vr += (w * times_i(fe)).re;
            }
        v_band[a] = vb;
        v_hybrid[a] = vh;
        v_remote[a] = vr;
    }
    return ok;
}

// The points k ± h Ê of the central difference of E·∇E_i; returns |E| (0: no difference taken).
BZINT_HD_INLINE double field_step_points(const HybridSetup& s, const double k[3], double kp[3], double km[3]) {
    const double En = sqrt(dot3(s.E, s.E));
    if (!(s.tau > 0.0 && En > 0.0)) return 0.0;
    for (int a = 0; a < 3; ++a) {
        kp[a] = k[a] + s.fd_step * s.E[a] / En;
        km[a] = k[a] - s.fd_step * s.E[a] / En;
    }
    return En;
}

// E·∇E_i = |E| dE_i/ds along Ê from the hybridised energies at k ± h Ê.
BZINT_HD_INLINE double field_slope(const HybridSetup& s, double En, double e_plus, double e_minus) {
    return En * (e_plus - e_minus) / (2.0 * s.fd_step);
}

namespace detail {

// Band energies and eigenvectors of H(k), and the hybridised energies with η (columns of eta
// in slot order). Returns false at a degeneracy within a coupling or a failed eigensolve.
template <int N>
BZINT_HD bool hybridise(const NBandPoint<N>& h, const HybridSetup& s, double (&eps)[N], cplx (&U)[N][N],
                        cplx (&vel)[3][N][N], cplx (&ve)[N][N], double (&energy)[N], cplx (&eta)[N][N], bool velocities) {
    cplx A[N][N];
    for (int i = 0; i < N; ++i)
        for (int j = 0; j < N; ++j) A[i][j] = h.H[i][j];
    bool ok = hermitian_eigen<N>(A, eps, U);
    // Band-basis velocity matrices v^a = U† ∂_a H U (only E·v when the velocities are not needed).
    for (int a = 0; a < 3; ++a)
        if (velocities || s.E[a] != 0.0) to_band_basis<N>(h.dH[a], U, vel[a]);
    field_velocity(N, s.E, &vel[0][0][0], N, &ve[0][0]);
    // H̄: block diagonal over the manifolds (the singletons are 1×1 blocks ε_n).
    cplx Hb[N][N];
    for (int n = 0; n < N; ++n)
        for (int m = 0; m < N; ++m) Hb[n][m] = {n == m ? eps[n] : 0.0, 0.0};
    ok = moving_frame_block(s.lo, s.hi, eps, &ve[0][0], N, s.degenerate, &Hb[s.lo][s.lo], N) && ok;
    double e[N];
    cplx V[N][N];
    ok = hermitian_eigen<N>(Hb, e, V) && ok;
    // The solver never mixes blocks (their couplings are exactly zero, so the reflectors and the QL
    // rotations of hermitian_eigen.hpp act inside one block), so each column of V lies in one
    // manifold: active columns fill slots lo..hi in ascending order, a singleton's column is e_n
    // and fills slot n.
    int next_active = s.lo;
    for (int c = 0; c < N; ++c) {
        double w_active = 0.0;
        int top = 0;
        for (int n = 0; n < N; ++n) {
            if (n >= s.lo && n <= s.hi) w_active += norm2(V[n][c]);
            if (norm2(V[n][c]) > norm2(V[top][c])) top = n;
        }
        const int slot = w_active > 0.5 ? next_active++ : top;
        energy[slot] = e[c];
        for (int n = 0; n < N; ++n) eta[n][slot] = V[n][c];
    }
    return ok;
}

}  // namespace detail

// The hybridised energies only (for the central difference of E·∇E_i).
template <int N>
BZINT_HD bool hybrid_energies(const NBandPoint<N>& h, const HybridSetup& s, double (&energy)[N]) {
    double eps[N];
    cplx U[N][N], vel[3][N][N], ve[N][N], eta[N][N];
    return detail::hybridise<N>(h, s, eps, U, vel, ve, energy, eta, false);
}

// Energies and the three parts of ṽ_i (Eq. 62a) of every slot.
template <int N>
BZINT_HD bool hybrid_bands(const NBandPoint<N>& h, const HybridSetup& s, HybridBands<N>& out) {
    double eps[N];
    cplx U[N][N], vel[3][N][N], ve[N][N], eta[N][N];
    bool ok = detail::hybridise<N>(h, s, eps, U, vel, ve, out.energy, eta, true);
    const int bands = s.bands > 0 && s.bands < N ? s.bands : N;
    for (int slot = 0; slot < N; ++slot) {
        const bool active = slot >= s.lo && slot <= s.hi;
        const int first = active ? s.lo : slot, last = active ? s.hi : slot;
        ok = hybrid_velocity(bands, first, last, eps, &vel[0][0][0], &ve[0][0], N, &eta[first][slot], N, s.degenerate,
                             out.v_band[slot], out.v_hybrid[slot], out.v_remote[slot]) &&
             ok;
    }
    return ok;
}

}  // namespace bzint
