// The QME of the RTA/DPA paper (Eq. 1) for a two-band model, in the orbital basis and in
// Bloch form: ρ = (a + r·σ)/2, so a = tr ρ and the band populations are n_± = (a ± r·d̂)/2.
//
// In the orbital basis the coherent part is −i[H(κ(t)), ρ], i.e. ṙ = 2 d × r: it contains
// the snapshot-basis term −i[W, ρ] of Eq. 1 (W_αβ = E·A_αβ) through the motion of the
// basis, with no gauge to fix. The dissipators of the paper are written in the snapshot
// basis; their orbital form uses the projectors P_± = (1 ± d̂·σ)/2 (docs/qme.md):
//   RTA (Eq. 2):   ȧ = −(a − f_+ − f_−)/τ1,
//                  ṙ = −(r·d̂ − (f_+ − f_−)) d̂/τ1 − (r − (r·d̂)d̂)/τ2;
//   DPA D0 (Eq. 16, S48): the RTA with τ1 = τ2 = 1/2Γ;
//   DPA D1 (Eq. 17, S49): −2Γ Σ_{α≠β} W_αβ c_αβ |u_α⟩⟨u_β| (dpa_d1.hpp), where
//                  W = Σ_{α≠β} W_αβ |u_α⟩⟨u_β| = ½ (d̂ × ∂_E d̂)·σ, ∂_E = E·∇_k, and
//                  c_+− = δf/Δ + …, δf = f_− − f_+, Δ = ε_+ − ε_− = 2|d|; multiplying W_+− by i
//                  turns its Bloch vector w into −d̂ × w;
//   DPA D2 (Eq. 18): diagonal, D2_±± = ±2Γ (|W|²/Δ²)(δf + Δ f′(ε_∓)), |W|² = |∂_E d̂|²/4.
// The whole right-hand side is affine in y = (a, r). This header computes the snapshot (d̂,
// Fermi functions, the y-independent source); two_band_dc.hpp (detail::lane_rhs) evaluates
// the right-hand side and the current j_a = −Tr[∂_a H ρ] (Eqs. 3–5) on L k-points at once.
#pragma once
#include "bzint/fermi.hpp"
#include "bzint/qme/dissipation.hpp"
#include "bzint/qme/dpa_d1.hpp"
#include "bzint/two_band.hpp"

namespace bzint {

// Occupations and band data of one snapshot H(κ), and the ρ-independent part of the
// right-hand side (computed once per snapshot and shared by every solution and RK stage).
struct TwoBandSnapshot {
    double dn;         // |d|
    double dhat[3];
    double dE_dhat[3]; // ∂_E d̂ = (E·∇) d̂
    double f_plus, f_minus;
    double fp_plus, fp_minus;  // ∂f/∂ε at ε_±
    double g1, g2;             // population and coherence relaxation rates (0 for `none`)
    double src[4];             // the y-independent terms of dy/dt
};

BZINT_HD_INLINE void fermi_and_slope(double x, double T, double& f, double& fp) {
    if (T > 0.0) {
        const FermiDerivs d = fermi_derivs(x, T);
        f = d.f;
        fp = d.f1;
    } else {
        f = fermi(x, 0.0);
        fp = 0.0;
    }
}

// Population and coherence relaxation rates of a dissipator (0 for `none`).
struct QmeRates {
    double g1, g2;
};

BZINT_HD QmeRates qme_rates(const QmeParams& q) {
    if (q.kind == Dissipation::rta) return {1.0 / q.tau1, 1.0 / q.tau2};
    if (q.kind == Dissipation::dpa || q.kind == Dissipation::exact) return {2.0 * q.gamma, 2.0 * q.gamma};
    return {0.0, 0.0};
}

// `field_derivative`: also compute ∂_E d̂, which only the DPA's D1, D2 and the adiabatic
// coherence use (the lane solvers skip it for the RTA and the coherent case; then it is 0).
BZINT_HD_INLINE TwoBandSnapshot two_band_snapshot(const TwoBandPoint& h, const QmeParams& q, const QmeRates& rates,
                                                  bool field_derivative = true) {
    TwoBandSnapshot s;
    s.dn = sqrt(dot3(h.d, h.d));
    const double inv_dn = 1.0 / s.dn;
    for (int i = 0; i < 3; ++i) s.dhat[i] = h.d[i] * inv_dn;
    field_derivative = field_derivative || q.kind == Dissipation::dpa;
    for (int i = 0; i < 3; ++i) s.dE_dhat[i] = 0.0;
    if (field_derivative) {
        double dEd[3] = {0, 0, 0};
        for (int a = 0; a < 3; ++a)
            for (int i = 0; i < 3; ++i) dEd[i] += q.E[a] * h.dd[a][i];
        const double par = dot3(s.dhat, dEd);
        for (int i = 0; i < 3; ++i) s.dE_dhat[i] = (dEd[i] - par * s.dhat[i]) * inv_dn;
    }
    const double ep = h.d0 + s.dn, em = h.d0 - s.dn;
    fermi_and_slope(ep - q.mu, q.T, s.f_plus, s.fp_plus);
    fermi_and_slope(em - q.mu, q.T, s.f_minus, s.fp_minus);
    s.g1 = rates.g1;
    s.g2 = rates.g2;
    // Relaxation towards f (RTA, DPA D0).
    s.src[0] = s.g1 * (s.f_plus + s.f_minus);
    for (int i = 0; i < 3; ++i) s.src[1 + i] = s.g1 * (s.f_plus - s.f_minus) * s.dhat[i];
    if (q.kind == Dissipation::dpa) {
        const double delta = 2.0 * s.dn, df = s.f_minus - s.f_plus;
        if (q.d1) {  // −2Γ (Re c · w2 − Im c · d̂ × w2), w2 = d̂ × ∂_E d̂ the Bloch vector of 2W
            double w2[3], rot[3];
            cross3(s.dhat, s.dE_dhat, w2);
            cross3(s.dhat, w2, rot);
            const cplx c = dpa_d1_factor(q, ep, em, s.f_plus, s.f_minus, s.fp_plus, s.fp_minus);
            for (int i = 0; i < 3; ++i) s.src[1 + i] -= 2.0 * q.gamma * (c.re * w2[i] - c.im * rot[i]);
        }
        if (q.d2) {
            const double g = 0.25 * dot3(s.dE_dhat, s.dE_dhat) / (delta * delta);
            const double dpp = 2.0 * q.gamma * g * (df + delta * s.fp_minus);
            const double dmm = -2.0 * q.gamma * g * (df + delta * s.fp_plus);
            s.src[0] += dpp + dmm;
            for (int i = 0; i < 3; ++i) s.src[1 + i] += (dpp - dmm) * s.dhat[i];
        }
    }
    return s;
}

BZINT_HD_INLINE TwoBandSnapshot two_band_snapshot(const TwoBandPoint& h, const QmeParams& q) {
    return two_band_snapshot(h, q, qme_rates(q));
}

// The equilibrium state y = (f_+ + f_−, (f_+ − f_−) d̂).
BZINT_HD void two_band_equilibrium_state(const TwoBandSnapshot& s, double y[4]) {
    y[0] = s.f_plus + s.f_minus;
    for (int i = 0; i < 3; ++i) y[1 + i] = (s.f_plus - s.f_minus) * s.dhat[i];
}

}  // namespace bzint
