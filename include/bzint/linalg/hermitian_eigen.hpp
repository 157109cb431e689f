// Eigen-decomposition of a small complex Hermitian matrix, as plain host/device code (the same
// arithmetic in both backends): Householder reduction to a real symmetric tridiagonal matrix,
// then the implicit QL iteration with Wilkinson shifts on it, then the reflectors applied to
// its (real) eigenvectors. About (16/3 + 3·k + 8) N³ flops with k ≈ 1.5 QL sweeps per
// eigenvalue, against ~40 N³ per Jacobi sweep (hermitian_jacobi.hpp, 6–10 sweeps): the
// N-band engine's solver. Jacobi stays for matrices already nearly diagonal
// (hermitian_eigen_near), where it needs one or two sweeps.
//
// Reduction: LAPACK's zhetd2 (lower triangle) with zlarfg's reflectors, H_k = I − τ_k v v†,
// v = (0…0, 1, v_{k+2}…), chosen so that H_k†(A_{k+1,k}, …, A_{N−1,k}) = (β_k, 0, …) with β_k
// real; after the N − 1 reflectors Q†AQ = T with Q = H_0 H_1 ⋯ H_{N−2}, its diagonal in e (then
// overwritten by the eigenvalues) and its real sub-diagonal β in off. QL: Numerical Recipes' tqli (2nd ed., §11.3) on T = Z diag(e) Zᵀ, Z stored
// transposed so that each rotation runs over contiguous rows. Then U = Q Z.
// Eigenvalues come out ascending, eigenvectors as the columns of U (A = U diag(e) U†). Only
// A's lower triangle is read; A is overwritten.
#pragma once
#include "bzint/linalg/hermitian_jacobi.hpp"

namespace bzint {

// Returns false if an eigenvalue took more than 60 QL iterations (e is then not reliable).
template <int N>
BZINT_HD bool hermitian_eigen(cplx (&A)[N][N], double (&e)[N], cplx (&U)[N][N]) {
    double off[N];  // T's sub-diagonal, off[k] = T_{k+1,k}; off[N−1] = 0
    cplx tau[N];
    // 1. Q†AQ = T. Reflector k's v lives in column k below the diagonal (v_{k+1} = 1).
    for (int k = 0; k < N - 1; ++k) {
        e[k] = A[k][k].re;
        const cplx alpha = A[k + 1][k];
        double x2 = 0.0;
        for (int i = k + 2; i < N; ++i) x2 += norm2(A[i][k]);
        if (x2 == 0.0 && alpha.im == 0.0) {  // already reduced: H_k = I
            tau[k] = {0.0, 0.0};
            off[k] = alpha.re;
            continue;
        }
        const double beta = -copysign(sqrt(norm2(alpha) + x2), alpha.re);
        tau[k] = {(beta - alpha.re) / beta, -alpha.im / beta};
        const cplx scale = cdiv({1.0, 0.0}, {alpha.re - beta, alpha.im});
        for (int i = k + 2; i < N; ++i) A[i][k] = scale * A[i][k];
        A[k + 1][k] = {1.0, 0.0};
        off[k] = beta;
        // The trailing block B ← H_k† B H_k = B − v w† − w v†, w = x − ½τ(x†v)v, x = τBv. The loops
        // read v from a contiguous copy so that they vectorise on the host.
        cplx v[N], w[N];
        for (int i = k + 1; i < N; ++i) {
            v[i] = A[i][k];
            w[i] = {0.0, 0.0};
        }
        for (int i = k + 1; i < N; ++i) {  // Bv from the lower triangle
            const cplx vi = v[i];
            cplx s = A[i][i].re * vi;
            for (int j = k + 1; j < i; ++j) {
                s += A[i][j] * v[j];
                w[j] += conj(A[i][j]) * vi;
            }
            w[i] += s;
        }
        cplx xv = {0.0, 0.0};
        for (int i = k + 1; i < N; ++i) {
            w[i] = tau[k] * w[i];
            xv += conj(w[i]) * v[i];
        }
        const cplx c = -0.5 * (tau[k] * xv);
        for (int i = k + 1; i < N; ++i) w[i] += c * v[i];
        for (int i = k + 1; i < N; ++i) {
            const cplx vi = v[i], wi = w[i];
            for (int j = k + 1; j <= i; ++j) A[i][j] -= vi * conj(w[j]) + wi * conj(v[j]);
        }
    }
    e[N - 1] = A[N - 1][N - 1].re;
    off[N - 1] = 0.0;

    // 2. T = Z diag(e) Zᵀ by implicit QL; Zt[j] is eigenvector j (Z's column j).
    double Zt[N][N];
    for (int i = 0; i < N; ++i)
        for (int j = 0; j < N; ++j) Zt[i][j] = i == j ? 1.0 : 0.0;
    bool converged = true;
    for (int l = 0; l < N; ++l) {
        for (int iter = 0;; ++iter) {
            int m = l;
            for (; m < N - 1; ++m) {
                const double dd = fabs(e[m]) + fabs(e[m + 1]);
                if (fabs(off[m]) <= 2.2204460492503131e-16 * dd) break;
            }
            if (m == l) break;
            if (iter == 60) {
                converged = false;
                break;
            }
            // sqrt(x² + y²) rather than hypot (15 % of a Fermi scan in glibc's careful hypot): every
            // argument is bounded by ‖A‖/ε, far from overflow for matrices in eV.
            double g = (e[l + 1] - e[l]) / (2.0 * off[l]);
            double r = sqrt(g * g + 1.0);
            g = e[m] - e[l] + off[l] / (g + copysign(r, g));
            double s = 1.0, c = 1.0, p = 0.0;
            int i = m - 1;
            for (; i >= l; --i) {
                const double f = s * off[i], b = c * off[i];
                r = sqrt(f * f + g * g);
                off[i + 1] = r;
                if (r == 0.0) {  // underflow: deflate and start again
                    e[i + 1] -= p;
                    off[m] = 0.0;
                    break;
                }
                const double inv = 1.0 / r;  // one division on the recurrence's critical path
                s = f * inv;
                c = g * inv;
                g = e[i + 1] - p;
                r = (e[i] - g) * s + 2.0 * c * b;
                p = s * r;
                e[i + 1] = g + p;
                g = c * r - b;
                for (int q = 0; q < N; ++q) {
                    const double zi = Zt[i][q], zi1 = Zt[i + 1][q];
                    Zt[i + 1][q] = s * zi + c * zi1;
                    Zt[i][q] = c * zi - s * zi1;
                }
            }
            if (r == 0.0 && i >= l) continue;
            e[l] -= p;
            off[l] = g;
            off[m] = 0.0;
        }
    }

    // 3. Ascending order (before the back-transform: swapping Z's rows is cheaper than U's columns).
    sort_ascending<N>(e, [&](int i, int m) {
        for (int q = 0; q < N; ++q) {
            const double z = Zt[i][q];
            Zt[i][q] = Zt[m][q];
            Zt[m][q] = z;
        }
    });

    // 4. U = Q Z = H_0 (H_1 (⋯ (H_{N−2} Z))): each H_k = I − τ_k v v† acts on rows k+1… .
    for (int r = 0; r < N; ++r)
        for (int j = 0; j < N; ++j) U[r][j] = {Zt[j][r], 0.0};
    for (int k = N - 2; k >= 0; --k) {
        if (tau[k].re == 0.0 && tau[k].im == 0.0) continue;
        cplx s[N];  // v†U, row by row so that the inner loops run over contiguous rows of U
        for (int j = 0; j < N; ++j) s[j] = {0.0, 0.0};
        for (int r = k + 1; r < N; ++r) {
            const cplx vr = conj(A[r][k]);
            for (int j = 0; j < N; ++j) s[j] += vr * U[r][j];
        }
        for (int j = 0; j < N; ++j) s[j] = tau[k] * s[j];
        for (int r = k + 1; r < N; ++r) {
            const cplx vr = A[r][k];
            for (int j = 0; j < N; ++j) U[r][j] -= vr * s[j];
        }
    }
    return converged;
}

}  // namespace bzint
