// Geometry of a two-band Hamiltonian that varies in phase space and time, H(r, k, t) = d0 + d·σ
// (the kinetic-equation paper's Eq. 12, ε̂_p(r, t) = [ε + Δ·τ]/2, with ε = 2 d0 and Δ = 2d).
// Its seven coordinates x^I are I = 0..6 = (x, y, z, kx, ky, kz, t); every quantity here is
// built from d and its first derivatives ∂_I d at one point. Conventions: docs/conventions.md,
// docs/textures.md.
#pragma once
#include "bzint/hd.hpp"

namespace bzint {

constexpr int kPhaseCoords = 7;
enum PhaseCoord : int { kCoordX = 0, kCoordY, kCoordZ, kCoordKx, kCoordKy, kCoordKz, kCoordT };

// d0, d and their derivatives along every phase-space coordinate: dd[I][i] = ∂_I d_i.
struct PhaseSpacePoint {
    double d0;
    double d[3];
    double dd0[kPhaseCoords];
    double dd[kPhaseCoords][3];
};

BZINT_HD void clear(PhaseSpacePoint& p) {
    p.d0 = 0.0;
    for (int i = 0; i < 3; ++i) p.d[i] = 0.0;
    for (int I = 0; I < kPhaseCoords; ++I) {
        p.dd0[I] = 0.0;
        for (int i = 0; i < 3; ++i) p.dd[I][i] = 0.0;
    }
}

// d·(a × b)/|d|³: the solid angle that m = d/|d| sweeps per unit area when d moves by a and b.
BZINT_HD double solid_angle_density(const double d[3], const double a[3], const double b[3]) {
    double c[3];
    cross3(a, b, c);
    const double n2 = dot3(d, d);
    return dot3(d, c) / (n2 * sqrt(n2));
}

// The texture's curvature 𝓕_IJ = m·(∂_I m × ∂_J m), m = d/|d| (Eq. 18, Fig. 1): the solid angle the
// spin texture sweeps per unit area of the (x^I, x^J) plane. Since ∂_I m = (∂_I d − m (m·∂_I d))/|d|
// and the parts along m drop out of the triple product, 𝓕_IJ = d·(∂_I d × ∂_J d)/|d|³. Band
// s = ∓1 (lower, upper) carries the Berry curvature q_s 𝓕_IJ with q_s = −s/2 (Fig. 2); for
// (I, J) = (kx, ky) that is the Ω_n^z of every other task.
BZINT_HD double texture_curvature(const PhaseSpacePoint& p, int I, int J) { return solid_angle_density(p.d, p.dd[I], p.dd[J]); }

// The derivative of d along a phase-space vector e (seven components): Σ_I e^I ∂_I d.
BZINT_HD void derivative_along(const PhaseSpacePoint& p, const double e[kPhaseCoords], double out[3]) {
    for (int i = 0; i < 3; ++i) {
        out[i] = 0.0;
        for (int I = 0; I < kPhaseCoords; ++I) out[i] += e[I] * p.dd[I][i];
    }
}

// The spin-space metric 𝓖_IJ = ∂_I m · ∂_J m (Eq. 17, the real part of A_I^+ A_J^-):
// (∂_I d·∂_J d − (m·∂_I d)(m·∂_J d))/|d|². Each band's quantum metric is 𝓖_IJ/4.
BZINT_HD double texture_metric(const PhaseSpacePoint& p, int I, int J) {
    const double n2 = dot3(p.d, p.d);
    return (dot3(p.dd[I], p.dd[J]) - dot3(p.d, p.dd[I]) * dot3(p.d, p.dd[J]) / n2) / n2;
}

// The scalar 𝓕 = Σ_l 𝓕_{r_l k_l} (ħ = 1; below Eq. 21): the texture's curvature between each
// position and its momentum.
BZINT_HD double phase_space_scalar_curvature(const PhaseSpacePoint& p) {
    double f = 0.0;
    for (int l = 0; l < 3; ++l) f += texture_curvature(p, kCoordX + l, kCoordKx + l);
    return f;
}

// The energy correction δε = −Δ𝓕/4 = −|d|𝓕/2 (Eq. 23, Δ = 2|d|), the same for both bands: in a
// uniform magnetic field it is the orbital moment's −m_n·B. Takes |d| and the scalar 𝓕, which the
// callers compute once per point.
BZINT_HD double energy_correction(double d_norm, double F) { return -0.5 * d_norm * F; }

// Band s's density-of-states factor 𝒟_s = 1 − q_s 𝓕 = 1 + s𝓕/2 (Eq. 28, to first order in the
// gradients): in a uniform magnetic field 1 + B·Ω_s.
BZINT_HD double dos_factor(double F, int s) { return 1.0 + 0.5 * s * F; }

// Band s's Berry curvature in the (I, J) plane: q_s 𝓕_IJ, q_s = −s/2.
BZINT_HD double band_curvature(const PhaseSpacePoint& p, int s, int I, int J) { return -0.5 * s * texture_curvature(p, I, J); }

}  // namespace bzint
