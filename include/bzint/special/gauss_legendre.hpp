// Gauss–Legendre quadrature (host code): the exact-reservoir reference's frequency integral
// (qme/reservoir_reference.hpp) and the spheres of task weyl_nodes.
#pragma once
#include <cmath>
#include <vector>

#include "bzint/hd.hpp"

namespace bzint {

// Gauss–Legendre nodes and weights on (−1, 1) (Newton on P_n, Tricomi initial guesses).
inline void gauss_legendre(int n, std::vector<double>& x, std::vector<double>& w) {
    x.resize(n);
    w.resize(n);
    for (int i = 0; i < n; ++i) {
        double z = std::cos(kPi * (i + 0.75) / (n + 0.5)), dp = 0.0;
        for (int it = 0; it < 100; ++it) {
            double p0 = 1.0, p1 = z;
            for (int k = 2; k <= n; ++k) {
                const double p2 = ((2.0 * k - 1.0) * z * p1 - (k - 1.0) * p0) / k;
                p0 = p1;
                p1 = p2;
            }
            dp = n * (z * p1 - p0) / (z * z - 1.0);
            const double dz = p1 / dp;
            z -= dz;
            if (std::fabs(dz) < 1e-16) break;
        }
        x[i] = z;
        w[i] = 2.0 / ((1.0 - z * z) * dp * dp);
    }
}

}  // namespace bzint
