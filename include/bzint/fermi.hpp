// Fermi function f(x) = 1/(e^{x/T} + 1), x = ε − μ, and the derivatives the Fermi scan needs.
#pragma once
#include "bzint/hd.hpp"

namespace bzint {

// f and its x-derivatives f', f'', f''' at temperature T > 0 (overflow-safe).
struct FermiDerivs {
    double f, f1, f2, f3;
};

// f and its derivatives from f and g = f(1 − f) = −T f′ (a caller that steps e^{x/T} from bin to
// bin forms them without an exp of its own; engine.cpp).
BZINT_HD_INLINE FermiDerivs fermi_derivs_of(double f, double g, double T) {
    FermiDerivs r;
    r.f = f;
    r.f1 = -g / T;
    r.f2 = -r.f1 * (1.0 - 2.0 * f) / T;
    r.f3 = -(r.f2 * (1.0 - 2.0 * f) - 2.0 * r.f1 * r.f1) / T;
    return r;
}

BZINT_HD_INLINE FermiDerivs fermi_derivs(double x, double T) {
    const double y = x / T;
    if (fabs(y) > 50.0) return {y > 0 ? 0.0 : 1.0, 0.0, 0.0, 0.0};  // e^−50 ≈ 2e−22: below any use
    double f;
    if (y > 0) {
        const double e = exp(-y);
        f = e / (1.0 + e);
    } else {
        f = 1.0 / (1.0 + exp(y));
    }
    return fermi_derivs_of(f, f * (1.0 - f), T);
}

// T = 0 occupation: a state is occupied when ε < μ (so a level exactly at μ is empty).
BZINT_HD double fermi(double x, double T) {
    if (T == 0.0) return x < 0.0 ? 1.0 : 0.0;
    return fermi_derivs(x, T).f;
}

}  // namespace bzint
