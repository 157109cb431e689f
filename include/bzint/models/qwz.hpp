#pragma once
#include "bzint/models/model_traits.hpp"

namespace bzint::models {

// Qi–Wu–Zhang Chern insulator on the square lattice (a = 1):
// H = sin kx σx + sin ky σy + (u + cos kx + cos ky) σz.
struct Qwz {
    static constexpr const char* name = "qwz";
    static constexpr int dim = 2;
    static constexpr bool lattice = true;
    static constexpr ParamSpec params[] = {{"u", -1.0, "mass u + cos kx + cos ky (hopping = 1)"}};
    double u;
    BZINT_HD explicit Qwz(const double* p) : u(p[0]) {}
    static void bravais(double A[3][3]) {
        set_rows(A, {{1, 0, 0}, {0, 1, 0}, {0, 0, 1}});
    }

    BZINT_HD void operator()(const double k[3], TwoBandPoint& h) const {
        clear(h);
        double sx, cx, sy, cy;
        sincos(k[0], &sx, &cx);
        sincos(k[1], &sy, &cy);
        h.d[0] = sx;
        h.d[1] = sy;
        h.d[2] = u + cx + cy;
        h.dd[0][0] = cx;
        h.dd[1][1] = cy;
        h.dd[0][2] = -sx;
        h.dd[1][2] = -sy;
    }
};

}  // namespace bzint::models
