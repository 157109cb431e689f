// The DPA's first-order dissipator D1 (RTA/DPA paper, Eq. 17 and its general form S49) as a
// factor per band pair: D1_αβ = −2Γ W_αβ c_αβ (α ≠ β), with
//   c_αβ = (f_β − f_α)/(ε_α − ε_β) + ½[f′(ε_hi) − f′(ε_lo)] + (i s_αβ/2π)[Ψ̃′(ε_lo) + Ψ̃′(ε_hi)],
// where (ε_lo, ε_hi) are the pair's energies, s_αβ = +1 when α is the upper one,
// Ψ̃(ε) = Re ψ(½ + i(ε − μ)/(2πT)) and Ψ̃′ = dΨ̃/dε = −Im ψ′(z)/(2πT) (→ 1/(ε − μ) as T → 0).
// Reading of S49 (docs/qme.md): "∂/∂ε" differentiates with respect to the pair's half-gap,
// ε_± = ε̄ ± ε; this is the reading under which, as the paper states, the extra terms vanish
// for a particle–hole-symmetric pair (ε_+ + ε_− = 2μ): then f′ is even and Ψ̃′ odd about μ.
// For two bands the first term is δf/Δ, Eq. 17.
#pragma once
#include "bzint/fermi.hpp"
#include "bzint/qme/dissipation.hpp"
#include "bzint/special/digamma.hpp"

namespace bzint {

// Im ψ′(½ + iy) for |y| ≥ 15 from ψ′(w + ½) ~ 1/w − Σ_k (1 − 2^{1−2k}) B_2k / w^{2k+1} at w = iy
// (DLMF 5.15.8 with B_k(½)): −1/y + Σ_k c_k / y^{2k+1}, c_k = (1 − 2^{1−2k})(−1)^k B_2k; seven
// terms leave < 1e-16 relative. Real arithmetic, a polynomial in 1/y², branch-free, so the
// two-band lane stage evaluates it for all lanes at once (vectorised).
BZINT_HD_INLINE double im_trigamma_half_line(double y) {
    // c_k for k = 1..7: (1 − 2^{1−2k})(−1)^k B_2k
    constexpr double c1 = -(1.0 - 0.5) / 6, c2 = -(1.0 - 0.125) / 30, c3 = -(1.0 - 0.5 / 16) / 42,
                     c4 = -(1.0 - 0.5 / 64) / 30, c5 = -(1.0 - 0.5 / 256) * 5.0 / 66,
                     c6 = -(1.0 - 0.5 / 1024) * 691.0 / 2730, c7 = -(1.0 - 0.5 / 4096) * 7.0 / 6;
    const double iy = 1.0 / y, u = iy * iy, u2 = u * u;
    // Estrin's scheme for Σ_k c_k u^{k−1}: a dependency chain of depth 4 instead of Horner's 12.
    const double series = (c1 + c2 * u) + u2 * ((c3 + c4 * u) + u2 * ((c5 + c6 * u) + u2 * c7));
    return -iy + iy * u * series;
}

// Ψ̃′(ε) = −Im ψ′(½ + i(ε − μ)/2πT)/(2πT) (1/(ε − μ) at T = 0), from the asymptotic series:
// returns false, leaving `slope` unset, where |y| < 15 needs the full trigamma (psi_slope).
BZINT_HD_INLINE bool psi_slope_asymptotic(double e, const QmeParams& q, double& slope) {
    const double x = e - q.mu;
    const bool zero_T = q.T == 0.0;  // both branches are computed: no control flow in lane loops
    const double inv_w = zero_T ? 1.0 : 1.0 / (kTwoPi * q.T), y = x * inv_w;
    const double series = -im_trigamma_half_line(y) * inv_w;
    slope = zero_T ? 1.0 / x : series;
    return zero_T | (fabs(y) >= 15.0);
}

BZINT_HD double psi_slope(double e, const QmeParams& q) {
    double slope;
    if (psi_slope_asymptotic(e, q, slope)) return slope;
    const double w = kTwoPi * q.T;
    return -trigamma({0.5, (e - q.mu) / w}).im / w;
}

// c_αβ given 1/(ε_α − ε_β) and Ψ̃′ at the two energies (psi_a, psi_b).
BZINT_HD_INLINE cplx dpa_d1_factor(double e_a, double e_b, double inv_de, double f_a, double f_b, double fp_a,
                                   double fp_b, double psi_a, double psi_b) {
    const bool a_hi = e_a > e_b;
    const double fp_hi = a_hi ? fp_a : fp_b, fp_lo = a_hi ? fp_b : fp_a;
    return {(f_b - f_a) * inv_de + 0.5 * (fp_hi - fp_lo), (a_hi ? 1.0 : -1.0) * (psi_a + psi_b) * (1.0 / kTwoPi)};
}

BZINT_HD cplx dpa_d1_factor(const QmeParams& q, double e_a, double e_b, double f_a, double f_b, double fp_a,
                            double fp_b) {
    return dpa_d1_factor(e_a, e_b, 1.0 / (e_a - e_b), f_a, f_b, fp_a, fp_b, psi_slope(e_a, q), psi_slope(e_b, q));
}

// The first-order coherence ρ′_αβ = W_αβ m_αβ, m = (−i (f_β − f_α) − 2Γ c_αβ [DPA with D1])/(i(ε_α − ε_β) + γ2),
// γ2 the coherence damping (1/τ2, 2Γ, or 0): Eq. 8 for the RTA, Eq. 19 for the DPA.
BZINT_HD cplx first_order_coherence(const QmeParams& q, double e_a, double e_b, double f_a, double f_b, double fp_a,
                                    double fp_b) {
    const double g2 = q.kind == Dissipation::rta ? 1.0 / q.tau2 : q.kind == Dissipation::dpa ? 2.0 * q.gamma : 0.0;
    cplx num = {0.0, -(f_b - f_a)};
    if (q.kind == Dissipation::dpa && q.d1) num -= (2.0 * q.gamma) * dpa_d1_factor(q, e_a, e_b, f_a, f_b, fp_a, fp_b);
    return cdiv(num, {g2, e_a - e_b});
}

}  // namespace bzint
