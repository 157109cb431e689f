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
// terms leave < 1e-16 relative. Real arithmetic: the DPA evaluates it twice per snapshot.
BZINT_HD double im_trigamma_half_line(double y) {
    const double B[7] = {1.0 / 6, -1.0 / 30, 1.0 / 42, -1.0 / 30, 5.0 / 66, -691.0 / 2730, 7.0 / 6};
    const double iy = 1.0 / y, iy2 = iy * iy;
    double sum = -iy, p = iy * iy2, pow2 = 0.5, sign = -1.0;  // pow2 = 2^{1−2k}
    for (int k = 1; k <= 7; ++k) {
        sum += (1.0 - pow2) * sign * B[k - 1] * p;
        p *= iy2;
        pow2 *= 0.25;
        sign = -sign;
    }
    return sum;
}

BZINT_HD double psi_slope(double e, const QmeParams& q) {
    const double x = e - q.mu;
    if (q.T == 0.0) return 1.0 / x;
    const double w = kTwoPi * q.T, y = x / w;
    return -(fabs(y) >= 15.0 ? im_trigamma_half_line(y) : trigamma({0.5, y}).im) / w;
}

BZINT_HD cplx dpa_d1_factor(const QmeParams& q, double e_a, double e_b, double f_a, double f_b, double fp_a,
                            double fp_b) {
    const bool a_hi = e_a > e_b;
    const double fp_hi = a_hi ? fp_a : fp_b, fp_lo = a_hi ? fp_b : fp_a;
    cplx c = {(f_b - f_a) / (e_a - e_b) + 0.5 * (fp_hi - fp_lo), 0.0};
    c.im = (a_hi ? 1.0 : -1.0) * (psi_slope(e_a, q) + psi_slope(e_b, q)) / kTwoPi;
    return c;
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
