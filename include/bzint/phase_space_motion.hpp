// Semiclassical motion in a textured phase space (the kinetic-equation paper, Eqs. 24 and 30;
// docs/textures.md): band s's phase-space velocities ṙ_s, ṗ_s at a point, the velocity in the
// current's bracket, and the difference of the scalar curvature 𝓕 they need.
#pragma once
#include "bzint/phase_space.hpp"

namespace bzint {

// ∂_I ε_s = ∂_I d0 + s d·∂_I d/|d| for every coordinate I (s = −1 lower, +1 upper).
BZINT_HD void band_energy_gradient(const PhaseSpacePoint& p, int s, double de[kPhaseCoords]) {
    const double e = sqrt(dot3(p.d, p.d));
    for (int I = 0; I < kPhaseCoords; ++I) de[I] = p.dd0[I] + s * dot3(p.d, p.dd[I]) / e;
}

// Eq. 24's Berry terms along coordinate I (a momentum for ṙ, a position for ṗ):
// q_s (𝓕_tI + 𝓕_{I p_l} ∂_{r_l} ε_s − 𝓕_{I r_l} ∂_{p_l} ε_s), q_s = −s/2, given ∂ε_s.
BZINT_HD double berry_terms(const PhaseSpacePoint& p, int s, const double de[kPhaseCoords], int I) {
    double sum = texture_curvature(p, kCoordT, I);
    for (int l = 0; l < 3; ++l)
        sum += texture_curvature(p, I, kCoordKx + l) * de[kCoordX + l] - texture_curvature(p, I, kCoordX + l) * de[kCoordKx + l];
    return -0.5 * s * sum;
}

// Band s's velocities of Eq. 24 (first order in the gradients):
//   ṙ_s = ∂_p ε̄_s + q_s (𝓕_tp + 𝓕_{p p_l} ∂_{r_l} ε_s − 𝓕_{p r_l} ∂_{p_l} ε_s),
//   ṗ_s = −∂_r ε̄_s − q_s (𝓕_tr + 𝓕_{r p_l} ∂_{r_l} ε_s − 𝓕_{r r_l} ∂_{p_l} ε_s),
// ε̄_s = ε_s + δε, ∂_I δε = −(∂_I|d| 𝓕 + |d| ∂_I 𝓕)/2 (Eq. 23), given grad_F = ∂_I 𝓕 over
// (x, y, z, px, py, pz).
BZINT_HD void semiclassical_velocities(const PhaseSpacePoint& p, int s, const double grad_F[6], double r_dot[3],
                                       double p_dot[3]) {
    double de[kPhaseCoords];
    band_energy_gradient(p, s, de);
    const double e = sqrt(dot3(p.d, p.d)), F = phase_space_scalar_curvature(p);
    for (int a = 0; a < 3; ++a) {
        const int R = kCoordX + a, P = kCoordKx + a;
        const double d_delta_r = -0.5 * (dot3(p.d, p.dd[R]) / e * F + e * grad_F[a]);
        const double d_delta_p = -0.5 * (dot3(p.d, p.dd[P]) / e * F + e * grad_F[3 + a]);
        r_dot[a] = de[P] + d_delta_p + berry_terms(p, s, de, P);
        p_dot[a] = -(de[R] + d_delta_r) - berry_terms(p, s, de, R);
    }
}

// The velocity in Eq. 30's bracket: ∂_p ε_s − (Δ/4) ∂_p 𝓕 + the Berry terms, Δ = 2|d| — ṙ_s
// with only part of the energy correction's gradient (the paper, below Eq. 30), given ∂_p 𝓕.
BZINT_HD void current_velocity(const PhaseSpacePoint& p, int s, const double grad_pF[3], double v[3]) {
    double de[kPhaseCoords];
    band_energy_gradient(p, s, de);
    const double e = sqrt(dot3(p.d, p.d));
    for (int a = 0; a < 3; ++a) {
        const int P = kCoordKx + a;
        v[a] = de[P] - 0.5 * e * grad_pF[a] + berry_terms(p, s, de, P);
    }
}

// ∂_I 𝓕 at x for I = first … first + count − 1 by a fourth-order central difference with step h
// (error ~h⁴ ∂⁵𝓕/30): 𝓕 needs d's first derivatives, which the models give exactly, so its own
// derivative is taken numerically (the models carry no second derivatives).
template <class H>
BZINT_HD void scalar_curvature_gradient(const H& hamiltonian, const double x[kPhaseCoords], int first, int count, double h,
                                        double* out) {
    const double steps[4] = {2 * h, h, -h, -2 * h}, weights[4] = {-1.0, 8.0, -8.0, 1.0};
    for (int c = 0; c < count; ++c) {
        out[c] = 0.0;
        for (int n = 0; n < 4; ++n) {
            double y[kPhaseCoords];
            for (int I = 0; I < kPhaseCoords; ++I) y[I] = x[I];
            y[first + c] += steps[n];
            PhaseSpacePoint q;
            hamiltonian(y, q);
            out[c] += weights[n] * phase_space_scalar_curvature(q);
        }
        out[c] /= 12 * h;
    }
}

}  // namespace bzint
