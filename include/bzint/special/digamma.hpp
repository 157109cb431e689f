// Digamma ψ(z) and trigamma ψ′(z) of complex argument (host and device): upward recurrence
// until |z| ≥ 12, then the asymptotic (Stirling) series with Bernoulli numbers B2..B16, valid
// for |arg z| < π; ~1e-15 relative for Re z > 0. Far up the line Re z = ½ (the Fermi-level
// distances of the DPA) no recurrence step is needed.
#pragma once
#include "bzint/linalg/complex.hpp"

namespace bzint {

// ψ(z) for Re z > 0.
BZINT_HD cplx digamma(cplx z) {
    cplx acc = {0.0, 0.0};
    while (norm2(z) < 144.0) {  // ψ(z) = ψ(z + 1) − 1/z, until |z| ≥ 12
        acc -= cdiv({1.0, 0.0}, z);
        z.re += 1.0;
    }
    // ψ(z) ~ ln z − 1/(2z) − Σ_n B_2n / (2n z^2n)
    const double c[8] = {1.0 / 12, -1.0 / 120, 1.0 / 252, -1.0 / 240, 1.0 / 132, -691.0 / 32760, 1.0 / 12, -3617.0 / 8160};
    const cplx iz = cdiv({1.0, 0.0}, z), iz2 = iz * iz;
    cplx series = {0.0, 0.0}, p = iz2;
    for (int n = 0; n < 8; ++n) {
        series += c[n] * p;
        p = p * iz2;
    }
    return acc + clog(z) - 0.5 * iz - series;
}

// ψ′(z) for Re z > 0.
BZINT_HD cplx trigamma(cplx z) {
    cplx acc = {0.0, 0.0};
    while (norm2(z) < 144.0) {  // ψ′(z) = ψ′(z + 1) + 1/z², until |z| ≥ 12
        acc += cdiv({1.0, 0.0}, z * z);
        z.re += 1.0;
    }
    // ψ′(z) ~ 1/z + 1/(2z²) + Σ_n B_2n / z^(2n+1)
    const double b[8] = {1.0 / 6, -1.0 / 30, 1.0 / 42, -1.0 / 30, 5.0 / 66, -691.0 / 2730, 7.0 / 6, -3617.0 / 510};
    const cplx iz = cdiv({1.0, 0.0}, z), iz2 = iz * iz;
    cplx series = {0.0, 0.0}, p = iz2 * iz;
    for (int n = 0; n < 8; ++n) {
        series += b[n] * p;
        p = p * iz2;
    }
    return acc + iz + 0.5 * iz2 + series;
}

}  // namespace bzint
