// Digamma and trigamma of complex argument against known values, and the S49 factor of the
// DPA's D1 (dpa_d1.hpp) in the limits where it is known.
#include <gtest/gtest.h>

#include <cmath>

#include "bzint/qme/dpa_d1.hpp"

using namespace bzint;

TEST(Digamma, KnownValues) {
    const double euler = 0.57721566490153286;
    EXPECT_NEAR(digamma({1.0, 0.0}).re, -euler, 1e-15);
    EXPECT_NEAR(digamma({0.5, 0.0}).re, -euler - 2 * std::log(2.0), 1e-15);
    EXPECT_NEAR(digamma({3.0, 0.0}).re, 1.5 - euler, 1e-15);  // ψ(n) = H_{n−1} − γ
    for (double y : {0.05, 0.7, 3.0, 40.0}) {
        EXPECT_NEAR(digamma({0.5, y}).im, M_PI / 2 * std::tanh(M_PI * y), 1e-14) << y;          // DLMF 5.4.17
        EXPECT_NEAR(digamma({1.0, y}).im, -1 / (2 * y) + M_PI / 2 / std::tanh(M_PI * y), 1e-14) << y;  // DLMF 5.4.18
        // Re ψ(½ + iy) is even in y and ~ ln y for large y (the reservoir's level shift).
        EXPECT_NEAR(digamma({0.5, y}).re, digamma({0.5, -y}).re, 1e-15);
    }
    EXPECT_NEAR(digamma({0.5, 1e4}).re, std::log(1e4), 1e-8);
    EXPECT_NEAR(trigamma({1.0, 0.0}).re, M_PI * M_PI / 6, 1e-14);
    EXPECT_NEAR(trigamma({0.5, 0.0}).re, M_PI * M_PI / 2, 1e-14);
    // ψ′(z) against a central difference of ψ along the imaginary axis.
    for (double y : {0.3, 2.0}) {
        const double h = 1e-5;
        const cplx a = digamma({0.5, y + h}), b = digamma({0.5, y - h}), t = trigamma({0.5, y});
        EXPECT_NEAR(t.re, (a.im - b.im) / (2 * h), 1e-8);
        EXPECT_NEAR(t.im, -(a.re - b.re) / (2 * h), 1e-8);
    }
}

TEST(Digamma, HalfLineAsymptoticsMatchTheComplexTrigamma) {
    for (double y : {15.0, 17.3, 40.0, 1e3, -22.0})
        EXPECT_NEAR(im_trigamma_half_line(y), trigamma({0.5, y}).im, 1e-15 * std::fabs(trigamma({0.5, y}).im)) << y;
}

TEST(DpaD1, ReducesToEq17UnderParticleHoleSymmetry) {
    // ε_± = μ ± ε: c_+− = δf/Δ exactly (Eq. 17); shifted off μ the S49 terms appear.
    QmeParams q{};
    q.kind = Dissipation::dpa;
    q.gamma = 0.01;
    q.d1 = true;
    q.T = 0.05;
    q.mu = 0.3;
    const double e = 0.7, ep = q.mu + e, em = q.mu - e;
    auto f = [&](double x) { return fermi(x - q.mu, q.T); };
    auto fp = [&](double x) { return fermi_derivs(x - q.mu, q.T).f1; };
    const cplx c = dpa_d1_factor(q, ep, em, f(ep), f(em), fp(ep), fp(em));
    EXPECT_NEAR(c.re, (f(em) - f(ep)) / (2 * e), 1e-15);
    EXPECT_NEAR(c.im, 0.0, 1e-15);
    const cplx c2 = dpa_d1_factor(q, ep + 0.2, em + 0.2, f(ep + 0.2), f(em + 0.2), fp(ep + 0.2), fp(em + 0.2));
    EXPECT_GT(std::fabs(c2.im), 1e-3);
    // Hermiticity: c_−+ = conj(c_+−).
    const cplx c3 = dpa_d1_factor(q, em + 0.2, ep + 0.2, f(em + 0.2), f(ep + 0.2), fp(em + 0.2), fp(ep + 0.2));
    EXPECT_NEAR(c3.re, c2.re, 1e-15);
    EXPECT_NEAR(c3.im, -c2.im, 1e-15);
    // T → 0: Ψ̃′(ε) → 1/(ε − μ).
    q.T = 1e-6;
    EXPECT_NEAR(psi_slope(q.mu + 0.5, q), 2.0, 1e-9);
}
