// Dense solves for the small systems of the periodic-orbit construction (host and device).
#pragma once
#include "bzint/hd.hpp"

namespace bzint {

// Solves A x = b in place (A is n×n row-major, overwritten; b becomes x) by Gaussian
// elimination with partial pivoting. Returns false when A is singular to working precision.
BZINT_HD bool solve_dense(int n, double* A, double* b) {
    for (int col = 0; col < n; ++col) {
        int piv = col;
        for (int r = col + 1; r < n; ++r)
            if (fabs(A[r * n + col]) > fabs(A[piv * n + col])) piv = r;
        if (!(fabs(A[piv * n + col]) > 1e-300)) return false;
        if (piv != col) {
            for (int c = 0; c < n; ++c) {
                const double t = A[col * n + c];
                A[col * n + c] = A[piv * n + c];
                A[piv * n + c] = t;
            }
            const double t = b[col];
            b[col] = b[piv];
            b[piv] = t;
        }
        for (int r = col + 1; r < n; ++r) {
            const double f = A[r * n + col] / A[col * n + col];
            for (int c = col; c < n; ++c) A[r * n + c] -= f * A[col * n + c];
            b[r] -= f * b[col];
        }
    }
    for (int r = n - 1; r >= 0; --r) {
        double s = b[r];
        for (int c = r + 1; c < n; ++c) s -= A[r * n + c] * b[c];
        b[r] = s / A[r * n + r];
    }
    return true;
}

}  // namespace bzint
