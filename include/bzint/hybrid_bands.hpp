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
};

template <int N>
struct HybridBands {
    double energy[N];  // E_i: slot s in [lo, hi] holds the (s − lo)-th hybridised energy, others ε_s
    double v_band[N][3], v_hybrid[N][3], v_remote[N][3];
};

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
    for (int n = 0; n < N; ++n)
        for (int m = 0; m < N; ++m) {
            cplx t{0.0, 0.0};
            for (int a = 0; a < 3; ++a)
                if (s.E[a] != 0.0) t += s.E[a] * vel[a][n][m];
            ve[n][m] = t;
        }
    // H̄: block diagonal over the manifolds (the singletons are 1×1 blocks ε_n).
    cplx Hb[N][N];
    for (int n = 0; n < N; ++n)
        for (int m = 0; m < N; ++m) {
            Hb[n][m] = {n == m ? eps[n] : 0.0, 0.0};
            const bool coupled = n != m && n >= s.lo && n <= s.hi && m >= s.lo && m <= s.hi;
            if (!coupled) continue;
            const double gap = eps[m] - eps[n];
            // A degeneracy inside the coupled manifold: the point is reported as non-finite, and
            // the outputs below are still filled (uncoupled there) so that every backend sums the
            // same defined values.
            if (fabs(gap) < s.degenerate) {
                ok = false;
                continue;
            }
            Hb[n][m] = (1.0 / gap) * times_i(ve[n][m]);  // E·A_nm
        }
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
    for (int slot = 0; slot < N; ++slot) {
        const bool active = slot >= s.lo && slot <= s.hi;
        const int first = active ? s.lo : slot, last = active ? s.hi : slot;
        for (int a = 0; a < 3; ++a) {
            double vb = 0.0, vh = 0.0, vr = 0.0;
            for (int n = first; n <= last; ++n)
                for (int m = first; m <= last; ++m) {
                    const cplx w = conj(eta[n][slot]) * eta[m][slot];
                    if (n == m) {
                        vb += norm2(eta[n][slot]) * vel[a][n][n].re;
                    } else {
                        vh += (w * vel[a][n][m]).re;
                    }
                    // (F·E)^a_nm over the bands l outside the manifold (Eq. 40).
                    cplx fe{0.0, 0.0};
                    for (int l = 0; l < N; ++l) {
                        if (l >= first && l <= last) continue;
                        const double dn = eps[n] - eps[l], dm = eps[m] - eps[l];
                        if (fabs(dn) < s.degenerate || fabs(dm) < s.degenerate) {
                            ok = false;
                            continue;
                        }
                        fe += (1.0 / (dn * dm)) * (vel[a][n][l] * ve[l][m] - ve[n][l] * vel[a][l][m]);
                    }
                    vr += (w * times_i(fe)).re;
                }
            out.v_band[slot][a] = vb;
            out.v_hybrid[slot][a] = vh;
            out.v_remote[slot][a] = vr;
        }
    }
    return ok;
}

}  // namespace bzint
