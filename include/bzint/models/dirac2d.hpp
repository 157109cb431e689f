#pragma once
#include "bzint/models/model_traits.hpp"

namespace bzint::models {

// Massive 2D Dirac cone: H = v (kx σx + ky σy) + m σz (the SU(N) paper's Eq. 37).
struct Dirac2d {
    static constexpr const char* name = "dirac2d";
    static constexpr int dim = 2;
    static constexpr bool lattice = false;
    static constexpr ParamSpec params[] = {{"v", 1.0, "velocity (energy × L)"}, {"m", 0.5, "mass"}, {"kcut", 10.0, "half-width of the k-box |k_a| ≤ kcut (1/L)", 0.0, 1e6, true}};
    double v, m;
    BZINT_HD explicit Dirac2d(const double* p) : v(p[0]), m(p[1]) {}
    static void bravais(double[3][3]) {}

    BZINT_HD void operator()(const double k[3], TwoBandPoint& h) const {
        clear(h);
        h.d[0] = v * k[0];
        h.d[1] = v * k[1];
        h.d[2] = m;
        h.dd[0][0] = v;
        h.dd[1][1] = v;
    }
};

}  // namespace bzint::models
