// Fourth-order exponential time differencing (Cox & Matthews, J. Comput. Phys. 176, 430
// (2002); coefficients as in Kassam & Trefethen, SIAM J. Sci. Comput. 26, 1214 (2005)) for
// du/dt = λ u + N(u, t) with a scalar (possibly complex) λ per block of the state. The
// exponential is exact, so stiff decay (a high Matsubara pole, a fast oscillation e^{iωt})
// costs nothing in step size; λ = 0 reduces it to classical RK4.
#pragma once
#include "bzint/linalg/complex.hpp"

namespace bzint {

struct EtdCoefficients {
    cplx E, E2;        // e^{λh}, e^{λh/2}
    cplx Q;            // (e^{λh/2} − 1)/λ
    cplx f1, f2, f3;   // weights of N(u_n), N(a_n) + N(b_n), N(c_n)
};

BZINT_HD cplx cexp(cplx z) {
    const double m = exp(z.re);
    return {m * cos(z.im), m * sin(z.im)};
}

// By the contour mean of Kassam & Trefethen (32 points on the unit circle about λh), which is
// free of the cancellation of the closed forms near λh = 0.
BZINT_HD EtdCoefficients etd_coefficients(cplx lambda, double h) {
    const int M = 32;
    const cplx z0 = h * lambda;
    cplx q = {0, 0}, g1 = {0, 0}, g2 = {0, 0}, g3 = {0, 0};
    for (int k = 0; k < M; ++k) {
        const double th = kPi * (k + 0.5) / M;  // upper half; the lower half contributes conjugates for real z0
        for (int s = -1; s <= 1; s += 2) {
            const cplx z = z0 + cplx{cos(th), s * sin(th)};
            const cplx ez = cexp(z), ez2 = cexp(0.5 * z), z2 = z * z, z3 = z2 * z;
            q += cdiv(ez2 - cplx{1, 0}, z);
            g1 += cdiv(cplx{-4, 0} - z + ez * (cplx{4, 0} - 3.0 * z + z2), z3);
            g2 += cdiv(cplx{2, 0} + z + ez * (cplx{-2, 0} + z), z3);
            g3 += cdiv(cplx{-4, 0} - 3.0 * z - z2 + ez * (cplx{4, 0} - z), z3);
        }
    }
    const double w = 1.0 / (2 * M);
    EtdCoefficients c;
    c.E = cexp(z0);
    c.E2 = cexp(0.5 * z0);
    c.Q = (h * w) * q;
    c.f1 = (h * w) * g1;
    c.f2 = (h * w) * g2;
    c.f3 = (h * w) * g3;
    return c;
}

}  // namespace bzint
