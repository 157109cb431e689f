#pragma once
#include "bzint/models/model_traits.hpp"

namespace bzint::models {

// Magnetic topological-insulator surface: H = v (kx σy − ky σx) + M σz
// (the disorder paper's worked example, Sec. V).
struct TiSurface {
    static constexpr const char* name = "ti_surface";
    static constexpr int dim = 2;
    static constexpr bool lattice = false;
    static constexpr ParamSpec params[] = {{"v", 1.0, "velocity (energy × L)"}, {"M", 0.5, "exchange gap M σz"}, {"kcut", 10.0, "half-width of the k-box |k_a| ≤ kcut (1/L)", 0.0, 1e6, true}};
    double v, M;
    BZINT_HD explicit TiSurface(const double* p) : v(p[0]), M(p[1]) {}
    static void bravais(double[3][3]) {}

    BZINT_HD void operator()(const double k[3], TwoBandPoint& h) const {
        clear(h);
        h.d[0] = -v * k[1];
        h.d[1] = v * k[0];
        h.d[2] = M;
        h.dd[1][0] = -v;
        h.dd[0][1] = v;
    }
};

}  // namespace bzint::models
