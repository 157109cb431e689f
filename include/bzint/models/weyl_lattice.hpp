#pragma once
#include "bzint/models/model_traits.hpp"

namespace bzint::models {

// Two-node Weyl semimetal on the cubic lattice (a = 1):
// H = t (sin kx σx + sin ky σy) + [m (2 − cos kx − cos ky) + cos kz − cos k0] σz + b0 sin kz.
// Nodes at (0, 0, ±k0), at energies ±b0 sin k0 (b0 breaks inversion and shifts them apart).
struct WeylLattice {
    static constexpr const char* name = "weyl_lattice";
    static constexpr int dim = 3;
    static constexpr bool lattice = true;
    static constexpr ParamSpec params[] = {{"t", 1.0, "hopping in sin kx σx + sin ky σy"}, {"m", 1.0, "mass term m (2 − cos kx − cos ky)"}, {"k0", 1.0, "node position (0, 0, ±k0) (1/a)", -1e6, 1e6}, {"b0", 0.0, "inversion breaking b0 sin kz"}};
    double t, m, ck0, b0;
    BZINT_HD explicit WeylLattice(const double* p) : t(p[0]), m(p[1]), ck0(cos(p[2])), b0(p[3]) {}
    static void bravais(double A[3][3]) {
        set_rows(A, {{1, 0, 0}, {0, 1, 0}, {0, 0, 1}});
    }

    BZINT_HD void operator()(const double k[3], TwoBandPoint& h) const {
        double sx, cx, sy, cy, sz, cz;
        sincos(k[0], &sx, &cx);
        sincos(k[1], &sy, &cy);
        sincos(k[2], &sz, &cz);
        clear(h);
        h.d0 = b0 * sz;
        h.dd0[2] = b0 * cz;
        h.d[0] = t * sx;
        h.d[1] = t * sy;
        h.d[2] = m * (2.0 - cx - cy) + cz - ck0;
        h.dd[0][0] = t * cx;
        h.dd[1][1] = t * cy;
        h.dd[0][2] = m * sx;
        h.dd[1][2] = m * sy;
        h.dd[2][2] = -sz;
    }
};

}  // namespace bzint::models
