// A periodic tensor-product cubic B-spline of a field of `Components` numbers (3: a texture's m,
// 1: a potential U) on an n₀ × n₁ grid of the plane:
// s(x, y) = Σ_ij c_ij B((x − x₀)/h₀ − i) B((y − y₀)/h₁ − j), indices modulo n, with B the centred
// cubic B-spline. It is C² (value, gradient and second derivatives continuous), so a texture read
// from a table has the smooth first derivatives the phase-space curvature needs and the second
// derivatives that differences of them (the current's curl) see. The coefficients c interpolate
// the table (host/texture_table.cpp solves for them); an axis with n = 1 is constant along it.
// The weights are ≥ 0 and sum to 1, so |s_k| ≤ max_ij |c_ij,k| everywhere.
#pragma once
#include "bzint/hd.hpp"

namespace bzint {

// The cubic B-spline's four weights at fraction f ∈ [0, 1) past knot i, for knots i − 1 … i + 2,
// and their derivatives in f.
BZINT_HD void cubic_bspline_weights(double f, double w[4], double dw[4]) {
    const double g = 1.0 - f, f2 = f * f;
    w[0] = g * g * g / 6.0;
    w[1] = (3.0 * f2 * f - 6.0 * f2 + 4.0) / 6.0;
    w[2] = (-3.0 * f2 * f + 3.0 * f2 + 3.0 * f + 1.0) / 6.0;
    w[3] = f2 * f / 6.0;
    dw[0] = -0.5 * g * g;
    dw[1] = 0.5 * (3.0 * f2 - 4.0 * f);
    dw[2] = 0.5 * (-3.0 * f2 + 2.0 * f + 1.0);
    dw[3] = 0.5 * f2;
}

template <int Components>
struct PeriodicSpline {
    int n[2] = {1, 1};                // grid points along x and y
    double origin[2] = {0.0, 0.0};    // (x₀, y₀): the grid point (0, 0)
    double spacing[2] = {1.0, 1.0};   // (h₀, h₁); the period along axis a is n[a] h[a]
    const double* coeff = nullptr;    // c[(j n₀ + i) Components + component]

    // s(x, y) and its gradient ds[a][i] = ∂_a s_i (a = x, y).
    BZINT_HD void operator()(double x, double y, double s[Components], double ds[2][Components]) const {
        double w[2][4], dw[2][4];
        long long first[2];
        const double r[2] = {x, y};
        for (int i = 0; i < Components; ++i) s[i] = ds[0][i] = ds[1][i] = 0.0;
        for (int a = 0; a < 2; ++a) {
            // u in [0, n) by fmod (exact; far from the cell the position itself has lost digits)
            double u = fmod((r[a] - origin[a]) / spacing[a], static_cast<double>(n[a]));
            if (!(u - u == 0.0)) {  // a non-finite position: a non-finite value, never an index
                for (int i = 0; i < Components; ++i) s[i] = ds[0][i] = ds[1][i] = r[a] - r[a];
                return;
            }
            if (u < 0.0) u += n[a];
            const double cell = fmin(floor(u), n[a] - 1.0);  // (u + n rounds to n for u just below 0)
            cubic_bspline_weights(fmin(u - cell, 1.0), w[a], dw[a]);
            for (int q = 0; q < 4; ++q) dw[a][q] /= spacing[a];
            first[a] = (static_cast<long long>(cell) + n[a] - 1) % n[a];  // knot cell − 1, modulo n
        }
        for (int q1 = 0; q1 < 4; ++q1) {
            const long long j = (first[1] + q1) % n[1];
            for (int q0 = 0; q0 < 4; ++q0) {
                const long long i = (first[0] + q0) % n[0];
                const double* c = coeff + Components * (j * n[0] + i);
                const double v = w[0][q0] * w[1][q1], vx = dw[0][q0] * w[1][q1], vy = w[0][q0] * dw[1][q1];
                for (int k = 0; k < Components; ++k) {
                    s[k] += v * c[k];
                    ds[0][k] += vx * c[k];
                    ds[1][k] += vy * c[k];
                }
            }
        }
    }
};

}  // namespace bzint
