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

// Occupation f and slope f′ where no exponential is needed (T = 0, or |ε − μ| > 50T, where
// fermi_derivs saturates); returns false where it is (then f, f′ are to be overwritten).
// Branch-free, so the lane stage evaluates it on all lanes at once.
BZINT_HD_INLINE bool fermi_and_slope_saturated(double x, double T, double& f, double& fp) {
    f = x < 0.0 ? 1.0 : 0.0;
    fp = 0.0;
    return (T == 0.0) | (fabs(x) > 50.0 * T);
}

BZINT_HD_INLINE void fermi_and_slope(double x, double T, double& f, double& fp) {
    if (fermi_and_slope_saturated(x, T, f, fp)) return;
    const FermiDerivs d = fermi_derivs(x, T);
    f = d.f;
    fp = d.f1;
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

// The pieces of a snapshot, on scalars, so that the scalar snapshot below and the lane stage
// of two_band_dc.hpp (which runs each piece over all lanes) share one formula.

// |d|, 1/|d|, d̂ and ∂_E d̂ = (∂_E d − (d̂·∂_E d) d̂)/|d| from d and ∂_E d = Σ_a E_a ∂_a d.
BZINT_HD_INLINE void snapshot_geometry(const double d[3], const double dEd[3], double& dn, double& inv_dn,
                                       double dhat[3], double dE_dhat[3]) {
    dn = sqrt(dot3(d, d));
    inv_dn = 1.0 / dn;
    for (int i = 0; i < 3; ++i) dhat[i] = d[i] * inv_dn;
    const double par = dot3(dhat, dEd);
    for (int i = 0; i < 3; ++i) dE_dhat[i] = (dEd[i] - par * dhat[i]) * inv_dn;
}

// Relaxation towards f (RTA, DPA D0): the source g1 (f_+ + f_−, (f_+ − f_−) d̂).
BZINT_HD_INLINE void relaxation_source(double g1, double f_plus, double f_minus, const double dhat[3],
                                       double src[4]) {
    src[0] = g1 * (f_plus + f_minus);
    for (int i = 0; i < 3; ++i) src[1 + i] = g1 * (f_plus - f_minus) * dhat[i];
}

// Adds the DPA's D1 and D2 sources (switches q.d1, q.d2); psi_± = Ψ̃′(ε_±) (dpa_d1.hpp); the gap
// Δ = ε_+ − ε_− = 2|d| enters through 1/|d|.
// Branch-free (a switched-off term is multiplied by 0), so that lane loops vectorise.
BZINT_HD_INLINE void dpa_source(const QmeParams& q, double dn, double inv_dn, const double dhat[3], const double dE_dhat[3],
                                double ep, double em, double f_plus, double f_minus, double fp_plus,
                                double fp_minus, double psi_plus, double psi_minus, double src[4]) {
    const double delta = 2.0 * dn, inv_delta = 0.5 * inv_dn, df = f_minus - f_plus;
    // D1: −2Γ (Re c · w2 − Im c · d̂ × w2), w2 = d̂ × ∂_E d̂ the Bloch vector of 2W.
    double w2[3], rot[3];
    cross3(dhat, dE_dhat, w2);
    cross3(dhat, w2, rot);
    const cplx c = dpa_d1_factor(ep, em, inv_delta, f_plus, f_minus, fp_plus, fp_minus, psi_plus, psi_minus);
    const double g_d1 = q.d1 ? 2.0 * q.gamma : 0.0;
    // D2: diagonal, D2_±± = ±2Γ (|∂_E d̂|²/4Δ²)(δf + Δ f′(ε_∓)).
    const double g = (q.d2 ? 2.0 * q.gamma : 0.0) * 0.25 * dot3(dE_dhat, dE_dhat) * (inv_delta * inv_delta);
    const double dpp = g * (df + delta * fp_minus), dmm = -g * (df + delta * fp_plus);
    src[0] += dpp + dmm;
    for (int i = 0; i < 3; ++i) src[1 + i] += (dpp - dmm) * dhat[i] - g_d1 * (c.re * w2[i] - c.im * rot[i]);
}

BZINT_HD_INLINE TwoBandSnapshot two_band_snapshot(const TwoBandPoint& h, const QmeParams& q, const QmeRates& rates) {
    TwoBandSnapshot s;
    double dEd[3] = {0, 0, 0};
    for (int a = 0; a < 3; ++a)
        for (int i = 0; i < 3; ++i) dEd[i] += q.E[a] * h.dd[a][i];
    double inv_dn;
    snapshot_geometry(h.d, dEd, s.dn, inv_dn, s.dhat, s.dE_dhat);
    const double ep = h.d0 + s.dn, em = h.d0 - s.dn;
    fermi_and_slope(ep - q.mu, q.T, s.f_plus, s.fp_plus);
    fermi_and_slope(em - q.mu, q.T, s.f_minus, s.fp_minus);
    s.g1 = rates.g1;
    s.g2 = rates.g2;
    relaxation_source(s.g1, s.f_plus, s.f_minus, s.dhat, s.src);
    if (q.kind == Dissipation::dpa)
        dpa_source(q, s.dn, inv_dn, s.dhat, s.dE_dhat, ep, em, s.f_plus, s.f_minus, s.fp_plus, s.fp_minus,
                   psi_slope(ep, q), psi_slope(em, q), s.src);
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
