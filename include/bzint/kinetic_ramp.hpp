// The homogeneous kinetic equation of a two-band model under a slow ramp (the kinetic-equation
// paper, Eq. 36 with ∂_r n = 0; Eq. 44 for a ramped field b(t), Eq. 50 for a ramped mass m(t);
// docs/textures.md "The kinetic equation under a ramp"): the coefficients of band s's equation
//   ∂_t n_s = −k̇_s·∂_k n_s + n_z (∂_t + f_s·∂_k)𝓕/4 − (𝓕/4) (f_+ − f_−)·∂_k n_{−s}      (*)
// at a kinetic momentum k and a time t. n_s is the density of band s per phase-space volume
// (the paper's n_s = 𝒟_s f_s), n_z = n_+ − n_−, 𝓕 the scalar phase-space curvature (Eq. 18; for a
// uniform field 𝓕 = b·𝓑_k, Eq. 35), f_s = −v_s × B the zeroth-order force on band s, and k̇_s the
// kinetic momentum's rate from Eq. 24's velocities (which carry the fictitious electric field
// 𝓔_k = 𝓕_tk of Sec. III B). The ∂_t of (*) is at fixed k.
//
// Reading of the paper: Eq. 36 moves its second line to the right with a plus sign; Eq. 44 prints
// the same source as (e/2c) Σ_s′ q_s′ n_s′ ∂_t(B·𝓑) = −(n_z/4) ∂_t(b·𝓑), the opposite sign.
// Eq. 36's sign (and Eq. 50's, which agrees with it) is the one that gives Eq. 45: with the lower
// band full, Σ_s δn_s = (n_z/2) δ𝓕 = −δ𝓕/2 is the change of the equilibrium 𝒟_− f_− = 1 − 𝓕/2 of
// Eq. 28, the Středa response; Eq. 44's sign would give its negative. The charge conventions:
// every vector in (*) is the physical one (f_s the actual force, k̇_s the actual rate), and 𝓕 is
// the curvature of 𝒟_s = 1 − q_s 𝓕 and δε = −Δ𝓕/4 (docs/conventions.md), so no sign of e or b enters.
#pragma once
#include "bzint/fermi.hpp"
#include "bzint/phase_space_motion.hpp"
#include "bzint/texture.hpp"

namespace bzint {

// The coefficients of (*) at one k and t, bands [lower, upper].
struct KineticCoefficients {
    double k_dot[2][3];   // k̇_s
    double source[2];     // (∂_t + f_s·∂_k)𝓕 / 4
    double cross[3];      // (𝓕/4)(f_+ − f_−)
    double F;             // 𝓕
};

// A two-band model with a uniform texture (J m·σ), its mass ramp m(t) = m + ṁ t and a field
// B(t) = B_0 + Ḃ t (terms.field is B_0), at the origin r = 0, where the ramped field's
// circulating electric field −Ḃ × r/2 vanishes (the paper's homogeneous reduction above Eq. 44).
template <class Model>
struct HomogeneousKinetics {
    Model model;
    TextureTerms terms;
    double field_rate[3];  // Ḃ
    double step_p;         // of ∂_k 𝓕's differences
    double step_t;         // of ∂_t 𝓕's difference

    BZINT_HD TexturedTwoBand<Model> at(double t) const {
        TexturedTwoBand<Model> h{model, terms};
        for (int a = 0; a < 3; ++a) h.terms.field[a] = terms.field[a] + field_rate[a] * t;
        return h;
    }

    // The phase-space point of kinetic momentum k at r = 0 and time t.
    BZINT_HD void point(const TexturedTwoBand<Model>& h, const double k[3], double t, double x[kPhaseCoords]) const {
        const double origin[3] = {0.0, 0.0, 0.0};
        h.canonical_point(origin, t, k, x);
    }

    // 𝓕 at (k, t) with the field of time t.
    BZINT_HD double curvature(const double k[3], double t) const {
        const TexturedTwoBand<Model> h = at(t);
        double x[kPhaseCoords];
        point(h, k, t, x);
        PhaseSpacePoint p;
        h(x, p);
        return phase_space_scalar_curvature(p);
    }

    // n_s in equilibrium at (k, t): 𝒟_s f(ε̄_s − μ) (Eqs. 23, 28), bands [lower, upper].
    BZINT_HD bool equilibrium(const double k[3], double t, double mu, double T, double n[2]) const {
        const TexturedTwoBand<Model> h = at(t);
        double x[kPhaseCoords];
        point(h, k, t, x);
        PhaseSpacePoint p;
        h(x, p);
        const double e = sqrt(dot3(p.d, p.d)), F = phase_space_scalar_curvature(p), de = energy_correction(e, F);
        for (int b = 0; b < 2; ++b) n[b] = dos_factor(F, 2 * b - 1) * fermi(p.d0 + (2 * b - 1) * e + de - mu, T);
        return e > 0.0 && is_finite(n[0]) && is_finite(n[1]);
    }

    BZINT_HD bool operator()(const double k[3], double t, KineticCoefficients& c) const {
        const TexturedTwoBand<Model> h = at(t);
        double x[kPhaseCoords];
        point(h, k, t, x);
        PhaseSpacePoint p;
        h(x, p);
        c.F = phase_space_scalar_curvature(p);
        // ∂_p 𝓕 (= ∂_k 𝓕), and ∂_r 𝓕 at fixed p: 𝓕 depends on r only through k = p + a(r),
        // a = B × r/2, so ∂_{r_a} 𝓕 = Σ_b ∂_a a_b ∂_{k_b} 𝓕.
        double grad_F[6] = {0.0, 0.0, 0.0, 0.0, 0.0, 0.0};
        scalar_curvature_gradient(h, x, kCoordKx, Model::dim, step_p, grad_F + 3);
        const double* B = h.terms.field;
        const double da[3][3] = {{0.0, 0.5 * B[2], -0.5 * B[1]}, {-0.5 * B[2], 0.0, 0.5 * B[0]}, {0.5 * B[1], -0.5 * B[0], 0.0}};
        for (int a = 0; a < 3; ++a)
            for (int b = 0; b < 3; ++b) grad_F[a] += da[a][b] * grad_F[3 + b];
        // ∂_t 𝓕 at fixed k, the field ramping with t: a fourth-order central difference.
        const double dFdt = (-curvature(k, t + 2 * step_t) + 8 * curvature(k, t + step_t) - 8 * curvature(k, t - step_t) +
                             curvature(k, t - 2 * step_t)) /
                            (12 * step_t);
        double force[2][3];
        bool finite = is_finite(c.F) && is_finite(dFdt);
        for (int b = 0; b < 2; ++b) {
            const int s = 2 * b - 1;
            double r_dot[3], p_dot[3], de[kPhaseCoords];
            semiclassical_velocities(p, s, grad_F, r_dot, p_dot);
            band_energy_gradient(p, s, de);
            const double v[3] = {de[kCoordKx], de[kCoordKy], de[kCoordKz]};
            // k = p + a(r) − E t: k̇ = ṗ + (ṙ·∂_r) a − E = ṗ + B × ṙ/2 − E; f_s = −v_s × B − E.
            for (int a = 0; a < 3; ++a) {
                const int a1 = (a + 1) % 3, a2 = (a + 2) % 3;
                c.k_dot[b][a] = p_dot[a] + 0.5 * (B[a1] * r_dot[a2] - B[a2] * r_dot[a1]) - h.terms.electric[a];
                force[b][a] = -(v[a1] * B[a2] - v[a2] * B[a1]) - h.terms.electric[a];
                finite = finite && is_finite(c.k_dot[b][a]);
            }
            c.source[b] = 0.25 * (dFdt + force[b][0] * grad_F[3] + force[b][1] * grad_F[4] + force[b][2] * grad_F[5]);
            finite = finite && is_finite(c.source[b]);
        }
        for (int a = 0; a < 3; ++a) c.cross[a] = 0.25 * c.F * (force[1][a] - force[0][a]);
        return finite;
    }
};

}  // namespace bzint
