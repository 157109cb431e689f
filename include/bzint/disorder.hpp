// Born-approximation transport with scalar Gaussian white-noise disorder for two-band
// models, on Fermi-surface points (the disorder paper: Atencia, Niu, Culcer; Eqs. 27–63).
// Plain per-point functions shared by every backend; derivations in docs/disorder.md.
//
// The kernel of every pair sum is built from the spinor overlaps ⟨u_k|u_k′⟩, so each sum
// over the partner point k′ factors through a 2×2 matrix accumulated once over the Fermi
// surface (an "aggregate", e.g. Σ_k′ w_k′ |u_k′⟩⟨u_k′|): the collision operator of Eq. 28
// is rank 4, and every per-point quantity (β of Eq. 47, γ of Eq. 61, the side-jump and
// skew drivers of Eqs. 36–38) is a matrix element of an aggregate. ħ = e = 1, charge −e.
#pragma once
#include "bzint/linalg/complex.hpp"
#include "bzint/two_band.hpp"

namespace bzint {

// A 2×2 complex matrix.
struct Mat2 {
    cplx m[2][2];
};

BZINT_HD Mat2 mat2_zero() {
    Mat2 a;
    for (int i = 0; i < 2; ++i)
        for (int j = 0; j < 2; ++j) a.m[i][j] = {0.0, 0.0};
    return a;
}

// a += s |x⟩⟨y|
BZINT_HD void add_outer(Mat2& a, cplx s, const cplx x[2], const cplx y[2]) {
    for (int i = 0; i < 2; ++i)
        for (int j = 0; j < 2; ++j) a.m[i][j] += s * (x[i] * conj(y[j]));
}

BZINT_HD void add_scaled(Mat2& a, double s, const Mat2& b) {
    for (int i = 0; i < 2; ++i)
        for (int j = 0; j < 2; ++j) a.m[i][j] += s * b.m[i][j];
}

// ⟨x|A|y⟩
BZINT_HD cplx sandwich(const cplx x[2], const Mat2& a, const cplx y[2]) {
    cplx s{0.0, 0.0};
    for (int i = 0; i < 2; ++i)
        for (int j = 0; j < 2; ++j) s += conj(x[i]) * (a.m[i][j] * y[j]);
    return s;
}

BZINT_HD cplx inner2(const cplx x[2], const cplx y[2]) { return conj(x[0]) * y[0] + conj(x[1]) * y[1]; }

// (c0 + c·σ)|x⟩ for real c0, c.
BZINT_HD void pauli_apply(double c0, const double c[3], const cplx x[2], cplx out[2]) {
    // σx = [[0,1],[1,0]], σy = [[0,−i],[i,0]], σz = diag(1,−1)
    const cplx a{c0 + c[2], 0.0}, b{c[0], -c[1]}, bc{c[0], c[1]}, d{c0 - c[2], 0.0};
    out[0] = a * x[0] + b * x[1];
    out[1] = bc * x[0] + d * x[1];
}

// One Fermi-surface point: k with the Fermi-level band `band` (0 lower, 1 upper) and the
// other band, and its contour weight w (∫ d²k/(2π)² g δ(ε − μ) ≈ Σ w g, triangle method).
struct FsState {
    int band;
    double w;
    double e[2];      // ε_0 ≤ ε_1
    cplx u[2][2];     // u[n] = eigenvector of band n
    double v[2][3];   // ∂ε_n/∂k
    double s[2][3];   // ⟨u_n|σ|u_n⟩
    cplx R[3];        // R^{bo}_a = i⟨u_b|∂_a u_o⟩ = i⟨b|∂_aH|o⟩/(ε_o − ε_b)   (b = band, o = other)
    cplx T[3];        // 𝒯^{bo}_c = ⟨u_b|σ_c|u_o⟩ / (i(ε_b − ε_o))              (Eq. 56)
    double mirror_d0; // d0 at k: the skew term's second energy shell is exact only for d0 = 0
};

BZINT_HD FsState fs_state(const TwoBandPoint& h, int band, double w) {
    FsState f;
    f.band = band;
    f.w = w;
    f.mirror_d0 = h.d0;
    BandGeometry g[2];
    two_band_geometry(h, g);
    for (int n = 0; n < 2; ++n) {
        f.e[n] = g[n].energy;
        for (int a = 0; a < 3; ++a) f.v[n][a] = g[n].v[a];
        const Spinor sp = two_band_eigenvector(h.d, n == 0 ? -1 : 1);
        for (int i = 0; i < 2; ++i) f.u[n][i] = {sp.re[i], sp.im[i]};
        for (int c = 0; c < 3; ++c) {
            double unit[3] = {0, 0, 0};
            unit[c] = 1.0;
            cplx su[2];
            pauli_apply(0.0, unit, f.u[n], su);
            f.s[n][c] = inner2(f.u[n], su).re;
        }
    }
    const int b = band, o = 1 - band;
    for (int a = 0; a < 3; ++a) {
        cplx dHu[2];
        pauli_apply(h.dd0[a], h.dd[a], f.u[o], dHu);
        const cplx vbo = inner2(f.u[b], dHu);
        f.R[a] = (1.0 / (f.e[o] - f.e[b])) * times_i(vbo);
        double unit[3] = {0, 0, 0};
        unit[a] = 1.0;
        cplx su[2];
        pauli_apply(0.0, unit, f.u[o], su);
        const cplx sbo = inner2(f.u[b], su);
        f.T[a] = (-1.0 / (f.e[b] - f.e[o])) * times_i(sbo);  // 1/i = −i
    }
    return f;
}

// The aggregates of the Fermi surface that the per-point formulas need.
struct FsAggregates {
    Mat2 P;         // Σ_j w_j |u_j⟩⟨u_j|                 (u_j: the Fermi-level state of point j)
    Mat2 Pm;        // Σ_j w_j |ū_j⟩⟨ū_j|                 (ū_j: the other band at k_j, the mirror shell)
    Mat2 QR[3];     // Σ_j w_j |u_j⟩ R_j^{bo} ⟨ū_j|      (β, Eq. 47)
    Mat2 QT[3];     // Σ_j w_j |u_j⟩ 𝒯_j^{bo} ⟨ū_j|      (γ, Eq. 61)
};

BZINT_HD void accumulate(FsAggregates& a, const FsState& f) {
    const cplx* u = f.u[f.band];
    const cplx* ub = f.u[1 - f.band];
    const cplx one{1.0, 0.0};
    add_outer(a.P, f.w * one, u, u);
    add_outer(a.Pm, f.w * one, ub, ub);
    for (int c = 0; c < 3; ++c) {
        add_outer(a.QR[c], f.w * f.R[c], u, ub);
        add_outer(a.QT[c], f.w * f.T[c], u, ub);
    }
}

// Extrinsic vertex of an interband quantity Q (Q = R gives β of Eq. 47, Q = 𝒯 gives γ of
// Eq. 61), per unit 2π u0²: Σ_j w_j (Y_ij − Y_ji), Y_ij = Re[Q_i^{bo} ⟨ū_i|u_j⟩⟨u_j|u_i⟩]
// (docs/disorder.md §3).
BZINT_HD double extrinsic_vertex(const FsState& f, cplx Q, const FsAggregates& a, const Mat2& Qagg) {
    const cplx* u = f.u[f.band];
    const cplx* ub = f.u[1 - f.band];
    return (Q * sandwich(ub, a.P, u)).re - sandwich(u, Qagg, u).re;
}

// ⟨u_i|A|u_i⟩ (real for Hermitian A): the overlap-weighted sum Σ_j w_j |⟨u_i|u_j⟩|² for A = P.
BZINT_HD double diagonal_element(const FsState& f, const Mat2& a) {
    const cplx* u = f.u[f.band];
    return sandwich(u, a, u).re;
}

}  // namespace bzint
