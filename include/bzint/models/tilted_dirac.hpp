#pragma once
#include "bzint/models/model_traits.hpp"

namespace bzint::models {

// Tilted massive Dirac cone: H = t kx + v (kx σx + s ky σy) + Delta σz, s = ±1 the valley
// chirality. The tilt breaks the rotation symmetry so the Berry-curvature dipole is finite.
struct TiltedDirac {
    static constexpr const char* name = "tilted_dirac";
    static constexpr int dim = 2;
    static constexpr bool lattice = false;
    static constexpr ParamSpec params[] = {{"t", 0.1, "tilt t kx (energy × L)"}, {"v", 1.0, "velocity (energy × L)"}, {"s", 1.0, "chirality ±1"}, {"Delta", 0.1, "mass"}, {"kcut", 10.0, "half-width of the k-box |k_a| ≤ kcut (1/L)", 0.0, 1e6, true}};
    double t, v, s, Delta;
    BZINT_HD explicit TiltedDirac(const double* p) : t(p[0]), v(p[1]), s(p[2]), Delta(p[3]) {}
    static void bravais(double[3][3]) {}

    BZINT_HD void operator()(const double k[3], TwoBandPoint& h) const {
        clear(h);
        h.d0 = t * k[0];
        h.dd0[0] = t;
        h.d[0] = v * k[0];
        h.d[1] = s * v * k[1];
        h.d[2] = Delta;
        h.dd[0][0] = v;
        h.dd[1][1] = s * v;
    }
};

}  // namespace bzint::models
