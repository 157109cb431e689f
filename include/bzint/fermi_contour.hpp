// The linear triangle method in 2D: ∫ d²k/(2π)² g(k) δ(ε(k) − μ) over one triangle on which
// ε and g are linear, as weights on the triangle's corners: Σ_c w_c g_c, exact for linear g.
// The contour segment runs between the two edge points where ε = μ; along it the corner's
// barycentric coordinate is linear, so its integral is the segment length times the mean
// of its two end values, divided by |∇ε| (the delta function's Jacobian).
#pragma once
#include "bzint/hd.hpp"

namespace bzint {

// p[c] = corner positions (k-space, 2D), e[c] = energies; adds the weights to w[c].
BZINT_HD void triangle_delta_weights(const double p[3][2], const double e[3], double mu, double w[3]) {
    double ends[2][2], bary[2][3];
    int n = 0;
    for (int a = 0; a < 3 && n < 2; ++a) {
        const int b = (a + 1) % 3;
        const bool above_a = e[a] >= mu, above_b = e[b] >= mu;
        if (above_a == above_b) continue;
        const double t = (mu - e[a]) / (e[b] - e[a]);
        ends[n][0] = p[a][0] + t * (p[b][0] - p[a][0]);
        ends[n][1] = p[a][1] + t * (p[b][1] - p[a][1]);
        for (int c = 0; c < 3; ++c) bary[n][c] = 0.0;
        bary[n][a] = 1.0 - t;
        bary[n][b] = t;
        ++n;
    }
    if (n < 2) return;
    // ∇ε of the plane through the corners: g·d1 = de1, g·d2 = de2.
    const double d1x = p[1][0] - p[0][0], d1y = p[1][1] - p[0][1];
    const double d2x = p[2][0] - p[0][0], d2y = p[2][1] - p[0][1];
    const double de1 = e[1] - e[0], de2 = e[2] - e[0];
    const double det = d1x * d2y - d1y * d2x;
    const double gx = (de1 * d2y - de2 * d1y) / det, gy = (d1x * de2 - d2x * de1) / det;
    const double grad = sqrt(gx * gx + gy * gy);
    if (!(grad > 0.0)) return;
    const double dx = ends[1][0] - ends[0][0], dy = ends[1][1] - ends[0][1];
    const double scale = sqrt(dx * dx + dy * dy) / grad / (4.0 * kPi * kPi);
    for (int c = 0; c < 3; ++c) w[c] += scale * 0.5 * (bary[0][c] + bary[1][c]);
}

}  // namespace bzint
