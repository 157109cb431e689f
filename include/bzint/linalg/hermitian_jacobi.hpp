// Eigen-decomposition of a small complex Hermitian matrix by cyclic Jacobi rotations, as
// plain host/device code (the same arithmetic in both backends). Each rotation removes
// the phase of A_pq and then applies the real Jacobi rotation (Numerical Recipes' t, c, s).
// Eigenvalues come out ascending, eigenvectors as the columns of U (A = U diag(e) U†).
// Used for matrices that are already nearly diagonal (hermitian_eigen_near, and the tests'
// independent check of hermitian_eigen.hpp); a general matrix goes to hermitian_eigen.
#pragma once
#include "bzint/linalg/complex.hpp"

namespace bzint {

// Sorts e ascending by selection (at most N − 1 exchanges); swap(i, m) exchanges the caller's
// eigenvectors i and m alike.
template <int N, class Swap>
BZINT_HD void sort_ascending(double (&e)[N], Swap&& swap) {
    for (int i = 0; i < N - 1; ++i) {
        int m = i;
        for (int j = i + 1; j < N; ++j)
            if (e[j] < e[m]) m = j;
        if (m != i) {
            const double t = e[i];
            e[i] = e[m];
            e[m] = t;
            swap(i, m);
        }
    }
}

// A is overwritten. Returns false if it did not converge in 60 sweeps.
template <int N>
BZINT_HD bool jacobi_eigen(cplx (&A)[N][N], double (&e)[N], cplx (&U)[N][N]) {
    for (int i = 0; i < N; ++i)
        for (int j = 0; j < N; ++j) U[i][j] = {i == j ? 1.0 : 0.0, 0.0};
    double scale = 0.0;
    for (int i = 0; i < N; ++i)
        for (int j = 0; j < N; ++j) scale += norm2(A[i][j]);
    bool converged = N < 2;
    for (int sweep = 0; sweep < 60 && !converged; ++sweep) {
        double off = 0.0;
        for (int p = 0; p < N; ++p)
            for (int q = p + 1; q < N; ++q) off += norm2(A[p][q]);
        if (off <= 1e-32 * scale || off == 0.0) {
            converged = true;
            break;
        }
        for (int p = 0; p < N - 1; ++p)
            for (int q = p + 1; q < N; ++q) {
                const double apq = sqrt(norm2(A[p][q]));
                if (apq == 0.0) continue;
                const cplx ph = {A[p][q].re / apq, -A[p][q].im / apq};  // e^{−iφ}
                const double tau = (A[q][q].re - A[p][p].re) / (2.0 * apq);
                const double t = (tau >= 0 ? 1.0 : -1.0) / (fabs(tau) + sqrt(1.0 + tau * tau));
                const double c = 1.0 / sqrt(1.0 + t * t), s = t * c;
                // V: column p = c e_p − s e^{−iφ} e_q, column q = s e_p + c e^{−iφ} e_q.
                const cplx vqp = -s * ph, vqq = c * ph;
                for (int k = 0; k < N; ++k) {  // A ← A V
                    const cplx akp = A[k][p], akq = A[k][q];
                    A[k][p] = c * akp + akq * vqp;
                    A[k][q] = s * akp + akq * vqq;
                }
                for (int k = 0; k < N; ++k) {  // A ← V† A
                    const cplx apk = A[p][k], aqk = A[q][k];
                    A[p][k] = c * apk + conj(vqp) * aqk;
                    A[q][k] = s * apk + conj(vqq) * aqk;
                }
                A[p][q] = {0.0, 0.0};
                A[q][p] = {0.0, 0.0};
                A[p][p].im = 0.0;
                A[q][q].im = 0.0;
                for (int k = 0; k < N; ++k) {  // U ← U V
                    const cplx ukp = U[k][p], ukq = U[k][q];
                    U[k][p] = c * ukp + ukq * vqp;
                    U[k][q] = s * ukp + ukq * vqq;
                }
            }
    }
    for (int i = 0; i < N; ++i) e[i] = A[i][i].re;
    sort_ascending<N>(e, [&](int i, int m) {
        for (int k = 0; k < N; ++k) {
            const cplx u = U[k][i];
            U[k][i] = U[k][m];
            U[k][m] = u;
        }
    });
    return converged;
}

// The same, started from a unitary guess G of the eigenvectors (e.g. those of a nearby H
// along a trajectory): A′ = G† A G is nearly diagonal, so one or two sweeps suffice; U = G V.
template <int N>
BZINT_HD bool hermitian_eigen_near(cplx (&A)[N][N], double (&e)[N], cplx (&U)[N][N], const cplx (&G)[N][N]) {
    cplx T[N][N], Ap[N][N], V[N][N];
    for (int i = 0; i < N; ++i)
        for (int j = 0; j < N; ++j) {
            cplx x = {0.0, 0.0};
            for (int k = 0; k < N; ++k) x += A[i][k] * G[k][j];
            T[i][j] = x;
        }
    for (int i = 0; i < N; ++i)
        for (int j = 0; j < N; ++j) {
            cplx x = {0.0, 0.0};
            for (int k = 0; k < N; ++k) x += conj(G[k][i]) * T[k][j];
            Ap[i][j] = x;
        }
    const bool ok = jacobi_eigen<N>(Ap, e, V);
    for (int i = 0; i < N; ++i)
        for (int j = 0; j < N; ++j) {
            cplx x = {0.0, 0.0};
            for (int k = 0; k < N; ++k) x += G[i][k] * V[k][j];
            U[i][j] = x;
        }
    return ok;
}

}  // namespace bzint
