// Band geometry of a two-band Bloch Hamiltonian H(k) = d0(k) + d(k)·σ, from
// d0, d and their analytic k-derivatives. Conventions: docs/conventions.md.
#pragma once
#include "bzint/hd.hpp"

namespace bzint {

// H(k) = d0 + d·σ and its first k-derivatives: dd0[a] = ∂_a d0, dd[a][i] = ∂_a d_i
// (a = x, y, z Cartesian; a model of lower dimension leaves the extra rows zero).
struct TwoBandPoint {
    double d0;
    double d[3];
    double dd0[3];
    double dd[3][3];
};

BZINT_HD void clear(TwoBandPoint& p) {
    p.d0 = 0.0;
    for (int a = 0; a < 3; ++a) {
        p.d[a] = 0.0;
        p.dd0[a] = 0.0;
        for (int i = 0; i < 3; ++i) p.dd[a][i] = 0.0;
    }
}

// Per-band quantities at one k (ħ = e = 1, electron charge −e):
//   energy  ε_n,
//   v_n     = ∂_k ε_n,
//   omega_n = Ω_n = ∇_k × A_n, A_n = i⟨u_n|∇_k u_n⟩  (Ω^z = −2 Im⟨∂_x u|∂_y u⟩),
//   m_n     = orbital moment −(i/2)⟨∇u_n| × (H − ε_n)|∇u_n⟩ (Xiao, Chang, Niu, RMP 82, 1959 (2010), Sec. VII)
struct BandGeometry {
    double energy;
    double v[3];
    double omega[3];
    double m[3];
};

// The largest Cartesian component of |Ω_n| (the adaptive-refinement criterion).
BZINT_HD double max_abs_curvature(const BandGeometry& g) {
    return fmax(fabs(g.omega[0]), fmax(fabs(g.omega[1]), fabs(g.omega[2])));
}

// Band n = 0 (lower, ε = d0 − |d|) and n = 1 (upper, ε = d0 + |d|).
// Ω_± = ∓ d·(∂_a d × ∂_b d) / (2|d|³) for (a, b, c) cyclic (the solid-angle form of
// the momentum sector of Eq. 13 of the SU(N) paper, N = 2; Eq. 38 for the Dirac model).
// For two bands m_n = −(1/2)(ε_m − ε_n) Ω_n, which is |d| Ω_+ for both bands.
// At a degeneracy (|d| ≤ 1e-12 of the local energy/velocity scale) Ω and m are undefined:
// they are returned as NaN so that the caller's finiteness check names the k-point.
BZINT_HD void two_band_geometry(const TwoBandPoint& p, BandGeometry g[2]) {
    const double dn = sqrt(dot3(p.d, p.d));
    double scale = fabs(p.d0);
    for (int a = 0; a < 3; ++a)
        for (int i = 0; i < 3; ++i) scale += fabs(p.dd[a][i]);
    const double undefined = dn > 1e-12 * scale ? 0.0 : nan("");
    const double inv_dn = 1.0 / dn;
    const double half_inv_dn3 = 0.5 * inv_dn * inv_dn * inv_dn;
    double omega_plus[3];
    for (int c = 0; c < 3; ++c) {
        const int a = (c + 1) % 3, b = (c + 2) % 3;
        double cr[3];
        cross3(p.dd[a], p.dd[b], cr);
        omega_plus[c] = -dot3(p.d, cr) * half_inv_dn3 + undefined;
    }
    double dn_grad[3];  // ∂_a |d| = d·∂_a d / |d|
    for (int a = 0; a < 3; ++a) dn_grad[a] = dot3(p.d, p.dd[a]) * inv_dn;
    for (int s = 0; s < 2; ++s) {
        const double sign = s == 0 ? -1.0 : 1.0;
        BandGeometry& out = g[s];
        out.energy = p.d0 + sign * dn;
        for (int a = 0; a < 3; ++a) {
            out.v[a] = p.dd0[a] + sign * dn_grad[a];
            out.omega[a] = sign * omega_plus[a];
            out.m[a] = dn * omega_plus[a];
        }
    }
}

// Two-component complex vector (plain data, host and device).
struct Spinor {
    double re[2];
    double im[2];
};

// Eigenvector of d·σ with eigenvalue s|d| (s = ±1), normalised, in whichever of the two
// standard gauges is regular at this d; the link method (chern.hpp) is gauge invariant,
// so the choice may jump between neighbouring points.
BZINT_HD Spinor two_band_eigenvector(const double d[3], int s) {
    const double dn = sqrt(dot3(d, d));
    Spinor u;
    if (s * d[2] >= 0.0) {  // (d_z + s|d|, d_x + i d_y)
        u.re[0] = d[2] + s * dn; u.im[0] = 0.0;
        u.re[1] = d[0];          u.im[1] = d[1];
    } else {                  // (d_x − i d_y, s|d| − d_z)
        u.re[0] = d[0];          u.im[0] = -d[1];
        u.re[1] = s * dn - d[2]; u.im[1] = 0.0;
    }
    const double norm = sqrt(u.re[0] * u.re[0] + u.im[0] * u.im[0] + u.re[1] * u.re[1] + u.im[1] * u.im[1]);
    for (int i = 0; i < 2; ++i) { u.re[i] /= norm; u.im[i] /= norm; }
    return u;
}

// ⟨a|b⟩ as (re, im).
BZINT_HD void spinor_overlap(const Spinor& a, const Spinor& b, double& re, double& im) {
    re = 0.0; im = 0.0;
    for (int i = 0; i < 2; ++i) {
        re += a.re[i] * b.re[i] + a.im[i] * b.im[i];
        im += a.re[i] * b.im[i] - a.im[i] * b.re[i];
    }
}

}  // namespace bzint
