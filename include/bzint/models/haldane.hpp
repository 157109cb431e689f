#pragma once
#include "bzint/models/model_traits.hpp"

namespace bzint::models {

// Haldane model on the honeycomb lattice, nearest-neighbour distance 1:
// δ1 = (0, 1), δ2 = (−√3/2, −1/2), δ3 = (√3/2, −1/2); b1 = δ2 − δ3, b2 = δ3 − δ1, b3 = δ1 − δ2;
// H = 2 t2 cos φ Σ_i cos(k·b_i) + t1 Σ_i [cos(k·δ_i) σx + sin(k·δ_i) σy]
//     + [M − 2 t2 sin φ Σ_i sin(k·b_i)] σz.
// The b_i terms come from the δ_i phases by angle differences: three sincos per k.
struct Haldane {
    static constexpr const char* name = "haldane";
    static constexpr int dim = 2;
    static constexpr bool lattice = true;
    static constexpr ParamSpec params[] = {{"t1", 1.0, "nearest-neighbour hopping"}, {"t2", 0.1, "next-nearest-neighbour hopping"}, {"phi", 1.5707963267948966, "phase of t2 (radians)", -1e6, 1e6}, {"M", 0.0, "sublattice mass"}};
    double t1, t2c, t2s, M;  // t2c = 2 t2 cos φ, t2s = 2 t2 sin φ
    BZINT_HD explicit Haldane(const double* p) : t1(p[0]), t2c(2 * p[1] * cos(p[2])), t2s(2 * p[1] * sin(p[2])), M(p[3]) {}
    static void bravais(double A[3][3]) {
        const double r3 = 1.7320508075688772;
        set_rows(A, {{r3, 0, 0}, {r3 / 2, 1.5, 0}, {0, 0, 1}});
    }
    // The δ_i phases place the orbitals: H_AB = t1 Σ_i e^{−ik·δ_i} = Σ_R e^{ik·(R + τ_B − τ_A)} t1
    // with τ_A = 0, τ_B = −δ1 (then R ∈ {0, A2, A2 − A1}). Used by `bzint export-hr`.
    static void orbital_positions(double tau[2][3]) {
        set_rows2(tau, {{0, 0, 0}, {0, -1, 0}});
    }

    BZINT_HD void operator()(const double k[3], TwoBandPoint& h) const {
        const double r3h = 0.8660254037844386;  // √3/2
        const double delta[3][2] = {{0.0, 1.0}, {-r3h, -0.5}, {r3h, -0.5}};
        double s[3], c[3];
        for (int i = 0; i < 3; ++i) sincos(k[0] * delta[i][0] + k[1] * delta[i][1], &s[i], &c[i]);
        clear(h);
        for (int i = 0; i < 3; ++i) {
            h.d[0] += t1 * c[i];
            h.d[1] += t1 * s[i];
            for (int a = 0; a < 2; ++a) {
                h.dd[a][0] -= t1 * delta[i][a] * s[i];
                h.dd[a][1] += t1 * delta[i][a] * c[i];
            }
        }
        h.d[2] = M;
        for (int i = 0; i < 3; ++i) {  // b_i = δ_j − δ_l with (i, j, l) cyclic
            const int j = (i + 1) % 3, l = (i + 2) % 3;
            const double cb = c[j] * c[l] + s[j] * s[l];  // cos(k·b_i)
            const double sb = s[j] * c[l] - c[j] * s[l];  // sin(k·b_i)
            h.d0 += t2c * cb;
            h.d[2] -= t2s * sb;
            for (int a = 0; a < 2; ++a) {
                const double b = delta[j][a] - delta[l][a];
                h.dd0[a] -= t2c * b * sb;
                h.dd[a][2] -= t2s * b * cb;
            }
        }
    }
};

}  // namespace bzint::models
