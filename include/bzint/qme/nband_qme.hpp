// The QME of the RTA/DPA paper for N bands, in the orbital basis (docs/qme.md):
//   dρ/dt = −i[H(κ(t)), ρ] + U D′(U†ρU) U†,
// with H(κ) = U diag(ε) U† and the dissipator D′ written in the instantaneous eigenbasis:
//   RTA:  D′_αα = −(ρ′_αα − f_α)/τ1,  D′_αβ = −ρ′_αβ/τ2;
//   DPA:  D0′ = −2Γ(ρ′ − diag f),
//         D1′_αβ = −2Γ W_αβ c_αβ, c_αβ = (f_β − f_α)/(ε_α − ε_β) + (S49 terms, dpa_d1.hpp)  (α ≠ β),
//         D2′_αα = 2Γ Σ_{β≠α} |W_αβ|²/(ε_α − ε_β)² [(f_β − f_α) + (ε_α − ε_β) f′(ε_β)],
//   W_αβ = E·A_αβ = i⟨u_α|E·∂H|u_β⟩/(ε_β − ε_α)  (interband Berry connection).
// For N = 2 these are Eqs. 16–18 exactly (two_band_qme.hpp is the same equation in Bloch
// form). Pairs closer than kDegenerateGap are treated as decoupled (W = 0): exact for
// symmetry-decoupled blocks, documented as a limitation for true degeneracies.
#pragma once
#include "bzint/fermi.hpp"
#include "bzint/linalg/hermitian_eigen.hpp"
#include "bzint/models/nband_traits.hpp"
#include "bzint/qme/dissipation.hpp"
#include "bzint/qme/dpa_d1.hpp"

namespace bzint {

constexpr double kDegenerateGap = 1e-9;

template <int N>
struct NBandSnapshot {
    NBandPoint<N> p;
    double e[N];
    cplx U[N][N];
    double f[N], fp[N];
    double v[3][N];      // band velocities ⟨u|∂_a H|u⟩
    cplx W[N][N];        // E·A in the eigenbasis, zero diagonal
    double g1, g2;       // population and coherence relaxation rates (0 for `none`)
    cplx src[N][N];      // the ρ-independent part of the RHS, orbital basis
    cplx vop[3][N][N];   // Σ_α v_aα P_α (orbital), for the intraband current
    bool ok;
};

// B = U X U† for a matrix X given in the eigenbasis.
template <int N>
BZINT_HD void from_eigenbasis(const cplx (&U)[N][N], const cplx (&X)[N][N], cplx (&B)[N][N]) {
    for (int i = 0; i < N; ++i)
        for (int j = 0; j < N; ++j) {
            cplx x = {0.0, 0.0};
            for (int al = 0; al < N; ++al) {
                cplx row = {0.0, 0.0};
                for (int be = 0; be < N; ++be) row += X[al][be] * conj(U[j][be]);
                x += U[i][al] * row;
            }
            B[i][j] = x;
        }
}

// `guess` (may be null): a snapshot at a nearby k whose eigenvectors start the Jacobi solver.
template <int N, class Model>
BZINT_HD void nband_snapshot(const Model& model, const QmeParams& q, const double k[3], NBandSnapshot<N>& s,
                             const NBandSnapshot<N>* guess = nullptr) {
    model(k, s.p);
    cplx A[N][N];
    for (int i = 0; i < N; ++i)
        for (int j = 0; j < N; ++j) A[i][j] = s.p.H[i][j];
    s.ok = guess ? hermitian_eigen_near<N>(A, s.e, s.U, guess->U) : hermitian_eigen<N>(A, s.e, s.U);
    for (int al = 0; al < N; ++al) {
        if (q.T > 0) {
            const FermiDerivs d = fermi_derivs(s.e[al] - q.mu, q.T);
            s.f[al] = d.f;
            s.fp[al] = d.f1;
        } else {
            s.f[al] = fermi(s.e[al] - q.mu, 0.0);
            s.fp[al] = 0.0;
        }
    }
    // X_a = U† ∂_a H U: band velocities, and W = i (E·X)_αβ/(ε_β − ε_α).
    for (int al = 0; al < N; ++al)
        for (int be = 0; be < N; ++be) s.W[al][be] = {0.0, 0.0};
    for (int a = 0; a < 3; ++a) {
        bool zero = true;  // a direction in which H does not vary (a 1D or 2D model): nothing to transform
        for (int i = 0; i < N; ++i)
            for (int j = 0; j < N; ++j) zero = zero && s.p.dH[a][i][j].re == 0.0 && s.p.dH[a][i][j].im == 0.0;
        if (zero) {
            for (int al = 0; al < N; ++al) {
                s.v[a][al] = 0.0;
                for (int be = 0; be < N; ++be) s.vop[a][al][be] = {0.0, 0.0};
            }
            continue;
        }
        for (int al = 0; al < N; ++al)
            for (int be = 0; be < N; ++be) {
                cplx x = {0.0, 0.0};
                for (int i = 0; i < N; ++i) {
                    cplx row = {0.0, 0.0};
                    for (int j = 0; j < N; ++j) row += s.p.dH[a][i][j] * s.U[j][be];
                    x += conj(s.U[i][al]) * row;
                }
                if (al == be) s.v[a][al] = x.re;
                const double gap = s.e[be] - s.e[al];
                if (al != be && fabs(gap) > kDegenerateGap) s.W[al][be] += (q.E[a] / gap) * times_i(x);
            }
        cplx D[N][N];
        for (int al = 0; al < N; ++al)
            for (int be = 0; be < N; ++be) D[al][be] = {al == be ? s.v[a][al] : 0.0, 0.0};
        from_eigenbasis<N>(s.U, D, s.vop[a]);
    }
    s.g1 = q.kind == Dissipation::rta ? 1.0 / q.tau1 : q.kind == Dissipation::dpa ? 2.0 * q.gamma : 0.0;
    s.g2 = q.kind == Dissipation::rta ? 1.0 / q.tau2 : q.kind == Dissipation::dpa ? 2.0 * q.gamma : 0.0;
    // ρ-independent part in the eigenbasis: g1 diag(f) + D1′ + D2′ (DPA).
    cplx S[N][N];
    for (int al = 0; al < N; ++al)
        for (int be = 0; be < N; ++be) S[al][be] = {al == be ? s.g1 * s.f[al] : 0.0, 0.0};
    if (q.kind == Dissipation::dpa) {
        for (int al = 0; al < N; ++al)
            for (int be = 0; be < N; ++be) {
                if (al == be || (s.W[al][be].re == 0.0 && s.W[al][be].im == 0.0)) continue;
                const double de = s.e[al] - s.e[be];
                if (q.d1)
                    S[al][be] -= (2.0 * q.gamma) * (s.W[al][be] *
                                                    dpa_d1_factor(q, s.e[al], s.e[be], s.f[al], s.f[be], s.fp[al], s.fp[be]));
                if (q.d2)
                    S[al][al].re += 2.0 * q.gamma * norm2(s.W[al][be]) / (de * de) * ((s.f[be] - s.f[al]) + de * s.fp[be]);
            }
    }
    from_eigenbasis<N>(s.U, S, s.src);
}

template <int N>
BZINT_HD void to_eigenbasis(const NBandSnapshot<N>& s, const cplx (&rho)[N][N], cplx (&out)[N][N]) {
    cplx t[N][N];
    for (int i = 0; i < N; ++i)
        for (int be = 0; be < N; ++be) {
            cplx x = {0.0, 0.0};
            for (int j = 0; j < N; ++j) x += rho[i][j] * s.U[j][be];
            t[i][be] = x;
        }
    for (int al = 0; al < N; ++al)
        for (int be = 0; be < N; ++be) {
            cplx x = {0.0, 0.0};
            for (int i = 0; i < N; ++i) x += conj(s.U[i][al]) * t[i][be];
            out[al][be] = x;
        }
}

// drho = −i[H, ρ] − g2 ρ − (g1 − g2) Σ_α ρ′_αα P_α + src: the eigenbasis dissipator D′ with its
// ρ-independent part precomputed in the snapshot. `homogeneous` drops src.
template <int N>
BZINT_HD void nband_qme_rhs(const QmeParams&, const NBandSnapshot<N>& s, const cplx (&rho)[N][N], cplx (&drho)[N][N],
                            bool homogeneous) {
    const double on = homogeneous ? 0.0 : 1.0;
    for (int i = 0; i < N; ++i)
        for (int j = 0; j < N; ++j) {
            cplx c = {0.0, 0.0};
            for (int k = 0; k < N; ++k) c += s.p.H[i][k] * rho[k][j] - rho[i][k] * s.p.H[k][j];
            drho[i][j] = cplx{c.im, -c.re} - s.g2 * rho[i][j] + on * s.src[i][j];  // −i c
        }
    if (s.g1 != s.g2) {  // populations relax at g1, coherences at g2
        for (int al = 0; al < N; ++al) {
            double pop = 0.0;  // ρ′_αα = u_α† ρ u_α
            for (int i = 0; i < N; ++i) {
                cplx row = {0.0, 0.0};
                for (int j = 0; j < N; ++j) row += rho[i][j] * s.U[j][al];
                pop += (conj(s.U[i][al]) * row).re;
            }
            const double w = -(s.g1 - s.g2) * pop;
            for (int i = 0; i < N; ++i)
                for (int j = 0; j < N; ++j) drho[i][j] += w * (s.U[i][al] * conj(s.U[j][al]));
        }
    }
}

// j_a = −Re Tr[∂_a H ρ] and its intraband part −Σ_α v_aα ρ′_αα = −Re Tr[V_a ρ].
template <int N>
BZINT_HD void nband_current(const NBandSnapshot<N>& s, const cplx (&rho)[N][N], double j[3], double j_intra[3]) {
    for (int a = 0; a < 3; ++a) {
        double t = 0.0, ti = 0.0;
        for (int i = 0; i < N; ++i)
            for (int k = 0; k < N; ++k) {
                t += (s.p.dH[a][i][k] * rho[k][i]).re;
                ti += (s.vop[a][i][k] * rho[k][i]).re;
            }
        j[a] = -t;
        j_intra[a] = -ti;
    }
}

template <int N>
BZINT_HD void nband_equilibrium_current(const NBandSnapshot<N>& s, double j[3]) {
    for (int a = 0; a < 3; ++a) {
        double t = 0.0;
        for (int al = 0; al < N; ++al) t += s.f[al] * s.v[a][al];
        j[a] = -t;
    }
}

// The first-order steady state: ρ′ = diag(f) + coherences W_αβ m_αβ (dpa_d1.hpp
// first_order_coherence: Eq. 8 for the RTA, Eq. 19 for the DPA).
template <int N>
BZINT_HD void nband_adiabatic_state(const QmeParams& q, const NBandSnapshot<N>& s, cplx (&rho)[N][N]) {
    cplx r[N][N];
    for (int al = 0; al < N; ++al)
        for (int be = 0; be < N; ++be)
            r[al][be] = al == be ? cplx{s.f[al], 0.0}
                                 : s.W[al][be] * first_order_coherence(q, s.e[al], s.e[be], s.f[al], s.f[be], s.fp[al], s.fp[be]);
    from_eigenbasis<N>(s.U, r, rho);
}

}  // namespace bzint
