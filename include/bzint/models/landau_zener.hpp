#pragma once
#include "bzint/models/model_traits.hpp"

namespace bzint::models {

// 1D Landau–Zener crossing: H = [[v k, delta], [delta, −v k]] = delta σx + v k σz.
struct LandauZener {
    static constexpr const char* name = "landau_zener";
    static constexpr int dim = 1;
    static constexpr bool lattice = false;
    static constexpr ParamSpec params[] = {{"v", 1.0, "slope v k of the diabatic levels (energy × L)"}, {"delta", 1.0, "coupling (half the minimal gap)"}};
    double v, delta;
    BZINT_HD explicit LandauZener(const double* p) : v(p[0]), delta(p[1]) {}
    static void bravais(double[3][3]) {}

    BZINT_HD void operator()(const double k[3], TwoBandPoint& h) const {
        clear(h);
        h.d[0] = delta;
        h.d[2] = v * k[0];
        h.dd[0][2] = v;
    }
};

}  // namespace bzint::models
