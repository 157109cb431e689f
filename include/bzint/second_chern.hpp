// The second Chern number of the lowest `filled` bands of an N-band model over a 4D torus of
// momenta and model parameters (docs/second-chern.md):
//
//   C₂ = (1/8π²) ∫ tr F∧F = (1/32π²) ∫ d⁴s ε^{abcd} tr(F_ab F_cd)
//      = (1/4π²) ∫ d⁴s tr(F_01 F_23 − F_02 F_13 + F_03 F_12),
//
// F_ab the non-Abelian Berry curvature of the filled subspace along the torus coordinates s_a ∈
// [0, 1) (Hermitian, F = ∂A − ∂A − i[A, A], A^{ab} = i⟨a|∂b⟩), here in its gauge-covariant Kubo
// form over the empty bands c:
//
//   F_ab^{mn} = i Σ_c [⟨m|∂_aH|c⟩⟨c|∂_bH|n⟩ − (a ↔ b)] / ((ε_m − ε_c)(ε_n − ε_c)).
//
// Two methods, one pass: the integral (the mean of the density over the grid: a periodic smooth
// integrand, so the error falls exponentially with n), and the 4D lattice-gauge extension of the
// Fukui–Hatsugai–Suzuki link method: U(filled) link matrices between neighbouring grid points,
// made unitary by their polar decomposition, plaquettes P_ab = exp(−i h² F_ab + …) (the link
// phase is −∮A·dl, docs/conventions.md), so that (P_ab − P_ab†)/2i ≈ −h² F_ab — gauge covariant at
// the plaquettes' common corner, so tr(F F) is gauge invariant, and the sign drops out of the
// quadratic form — summed with the same ε contraction. Unlike the 2D link method this sum is not an integer on a finite grid: it
// approaches C₂ as 1/n² (measured in docs/second-chern.md).
#pragma once
#include "bzint/models/all.hpp"
#include "bzint/nband_geometry.hpp"
#include "bzint/per_k.hpp"

namespace bzint {

// The grid of a 4D torus, s_a ∈ [0, 1) on n[a] points per axis, and what SecondChernFn computes on
// it: shared by the torus of momenta and parameters (FourTorus) and that of phase space
// (phase_four_torus.hpp).
struct FourGrid {
    long long n[4];
    int filled;    // the number of filled bands, 1 ≤ filled < N
    bool lattice;  // also the link method (ten more eigen-decompositions per point)

    BZINT_HD long long count() const { return n[0] * n[1] * n[2] * n[3]; }
    BZINT_HD void grid_index(long long idx, long long i[4]) const {
        for (int a = 0; a < 4; ++a) {
            i[a] = idx % n[a];
            idx /= n[a];
        }
    }
    // The torus coordinates s_a = i_a/n_a of grid point i, taken modulo n, so that a point and its
    // periodic image are the same.
    BZINT_HD void fractions(const long long (&i)[4], double (&s)[4]) const {
        for (int a = 0; a < 4; ++a) s[a] = static_cast<double>(((i[a] % n[a]) + n[a]) % n[a]) / static_cast<double>(n[a]);
    }
};

// The torus of momenta and parameters: a k axis (axis[a] = i < 3) moves the reduced momentum κ_i
// by s_a (k = Σ κ_i G_i), a parameter axis (axis[a] = 3 + j) moves model parameter j by
// s_a · period[a] from its value in `params`.
struct FourTorus : FourGrid {
    int axis[4];
    double period[4];
    double G[3][3];
    double params[kMaxModelParams];
    // H at grid point i.
    template <class Model, int N>
    BZINT_HD void hamiltonian(const long long (&i)[4], NBandPoint<N>& p) const {
        double s[4];
        fractions(i, s);
        at<Model, N>(s, p);
    }
    template <class Model, int N>
    BZINT_HD void at(const double (&s)[4], NBandPoint<N>& p) const {
        double q[kMaxModelParams], kappa[3] = {0.0, 0.0, 0.0}, k[3];
        for (int j = 0; j < kMaxModelParams; ++j) q[j] = params[j];
        for (int a = 0; a < 4; ++a) {
            if (axis[a] < 3) kappa[axis[a]] = s[a];
            else q[axis[a] - 3] += s[a] * period[a];
        }
        for (int c = 0; c < 3; ++c) k[c] = kappa[0] * G[0][c] + kappa[1] * G[1][c] + kappa[2] * G[2][c];
        const Model model(q);
        model(k, p);
    }
    // ∂H/∂s_a at s: a k axis from the model's ∂H/∂k (∂/∂κ_i = G_i·∇_k); a parameter axis, whose
    // derivative the models do not carry, by the fourth-order central difference with step
    // h = 10⁻³ (error ~h⁴ ∂⁵H/30 ≈ 3·10⁻¹⁴ of the fifth derivative's scale; round-off ~10⁻¹³).
    template <class Model, int N>
    BZINT_HD void derivative(const double (&s)[4], const NBandPoint<N>& p, int a, cplx (&dH)[N][N]) const {
        if (axis[a] < 3) {
            const double* g = G[axis[a]];
            for (int r = 0; r < N; ++r)
                for (int c = 0; c < N; ++c) dH[r][c] = g[0] * p.dH[0][r][c] + g[1] * p.dH[1][r][c] + g[2] * p.dH[2][r][c];
            return;
        }
        constexpr double h = 1e-3;
        const double weight[4] = {1.0 / (12.0 * h), -8.0 / (12.0 * h), 8.0 / (12.0 * h), -1.0 / (12.0 * h)};
        const double shift[4] = {-2.0 * h, -h, h, 2.0 * h};
        for (int r = 0; r < N; ++r)
            for (int c = 0; c < N; ++c) dH[r][c] = {0.0, 0.0};
        for (int t = 0; t < 4; ++t) {
            double x[4] = {s[0], s[1], s[2], s[3]};
            x[a] += shift[t];
            NBandPoint<N> shifted;
            at<Model, N>(x, shifted);
            for (int r = 0; r < N; ++r)
                for (int c = 0; c < N; ++c) dH[r][c] += weight[t] * shifted.H[r][c];
        }
    }
};

// tr(A B) of two f×f blocks.
template <int N>
BZINT_HD cplx trace_product(const cplx (&A)[N][N], const cplx (&B)[N][N], int f) {
    cplx t{0.0, 0.0};
    for (int m = 0; m < f; ++m)
        for (int n = 0; n < f; ++n) t += A[m][n] * B[n][m];
    return t;
}

// The six planes (a, b), a < b, of the torus, in the order F[p] is stored.
constexpr int kPlanes = 6;
BZINT_HD void plane_axes(int p, int& a, int& b) {
    const int first[kPlanes] = {0, 0, 0, 1, 1, 2}, second[kPlanes] = {1, 2, 3, 2, 3, 3};
    a = first[p];
    b = second[p];
}

// (1/4π²) tr(F_01 F_23 − F_02 F_13 + F_03 F_12) from the planes' F: the density of C₂ (the
// ε^{abcd} sum's 24 terms are 8 copies of these three).
template <int N>
BZINT_HD double second_chern_density(const cplx (&F)[kPlanes][N][N], int f) {
    const cplx t = trace_product<N>(F[0], F[5], f) - trace_product<N>(F[1], F[4], f) + trace_product<N>(F[2], F[3], f);
    return t.re / (4.0 * kPi * kPi);
}

// The filled-subspace curvature F_ab (a < b) by the Kubo form above, from the eigen-decomposition
// (e, U) and the band-basis derivatives v[a] = U† ∂_aH U.
template <int N>
BZINT_HD void filled_curvature(const double (&e)[N], const cplx (&v)[4][N][N], int f, cplx (&F)[kPlanes][N][N]) {
    for (int pl = 0; pl < kPlanes; ++pl) {
        int a, b;
        plane_axes(pl, a, b);
        for (int m = 0; m < f; ++m)
                for (int n = 0; n < f; ++n) {
                    cplx s{0.0, 0.0};
                    for (int c = f; c < N; ++c) {
                        const cplx x = v[a][m][c] * v[b][c][n] - v[b][m][c] * v[a][c][n];
                        s += (1.0 / ((e[m] - e[c]) * (e[n] - e[c]))) * x;
                    }
                    F[pl][m][n] = times_i(s);
                }
    }
}

// The link matrix ψ(x)†ψ(y) of the filled columns, made unitary: W = M (M†M)^{−1/2} (polar
// decomposition, on the f×f block; W's rows and columns past f are 0). False when a singular
// value of M is below 10⁻⁶ (the filled subspaces at the two points are orthogonal in some
// direction: the bands cross between them, or the grid is far too coarse).
template <int N>
BZINT_HD bool unitary_link(const cplx (&X)[N][N], const cplx (&Y)[N][N], int f, cplx (&W)[N][N]) {
    cplx M[N][N], A[N][N], V[N][N];
    double w[N];
    for (int r = 0; r < N; ++r)
        for (int c = 0; c < N; ++c) {
            cplx s{0.0, 0.0};
            if (r < f && c < f)
                for (int i = 0; i < N; ++i) s += conj(X[i][r]) * Y[i][c];
            M[r][c] = s;
        }
    for (int r = 0; r < N; ++r)
        for (int c = 0; c < N; ++c) {
            cplx s{(r == c && r >= f) ? 1.0 : 0.0, 0.0};
            if (r < f && c < f)
                for (int i = 0; i < f; ++i) s += conj(M[i][r]) * M[i][c];
            A[r][c] = s;
        }
    if (!hermitian_eigen<N>(A, w, V) || !(w[0] > 1e-12)) return false;  // w = σ², σ < 1e-6
    // (M†M)^{−1/2} = V diag(w^{−1/2}) V†, then W = M · that.
    cplx R[N][N];
    for (int r = 0; r < N; ++r)
        for (int c = 0; c < N; ++c) {
            cplx s{0.0, 0.0};
            for (int i = 0; i < N; ++i) s += (1.0 / sqrt(w[i])) * (V[r][i] * conj(V[c][i]));
            R[r][c] = s;
        }
    for (int r = 0; r < N; ++r)
        for (int c = 0; c < N; ++c) {
            cplx s{0.0, 0.0};
            for (int i = 0; i < f; ++i) s += M[r][i] * R[i][c];
            W[r][c] = (r < f && c < f) ? s : cplx{0.0, 0.0};
        }
    return true;
}

// C = A B (f×f blocks); `adjoint_b`: A B†.
template <int N>
BZINT_HD void block_product(const cplx (&A)[N][N], const cplx (&B)[N][N], int f, bool adjoint_b, cplx (&C)[N][N]) {
    for (int r = 0; r < f; ++r)
        for (int c = 0; c < f; ++c) {
            cplx s{0.0, 0.0};
            for (int i = 0; i < f; ++i) s += A[r][i] * (adjoint_b ? conj(B[c][i]) : B[i][c]);
            C[r][c] = s;
        }
}

// Per grid point, one key, eight values: the integral's density / count, the link method's
// contribution at spacing 1, the same two on the coarse sub-mesh (the points with every index
// even; density × 16 / count and the links at spacing 2; 0 elsewhere), the powers of the gap
// ε_filled − ε_{filled−1} (per_k.hpp gap_powers), and the number of points whose links failed
// (unitary_link) at spacing 1 and at spacing 2: the link method is then not available (or has no
// estimate), while the integral stands. The sub-mesh gives the error estimates.
// Torus: FourTorus, or any type with FourGrid's members and the same H(s), H(i) and ∂H/∂s_a
// (phase_four_torus.hpp).
template <class Model, class Torus = FourTorus>
struct SecondChernFn {
    static constexpr int N = Model::bands;
    Torus torus;
    using Out = KeyedOutT<1, 8>;
    BZINT_HD int n_values() const { return 8; }
    BZINT_HD int n_keys() const { return 1; }

    // The filled eigenvectors at grid point i (columns of U); false if the solver failed.
    BZINT_HD bool filled_states(const long long (&i)[4], cplx (&U)[N][N], double (&e)[N]) const {
        NBandPoint<N> p;
        torus.template hamiltonian<Model, N>(i, p);
        cplx A[N][N];
        for (int r = 0; r < N; ++r)
            for (int c = 0; c < N; ++c) A[r][c] = p.H[r][c];
        return hermitian_eigen<N>(A, e, U);
    }

    // The link method's density at grid point i with spacing h, from the states U0 there.
    BZINT_HD bool lattice_density(const long long (&i)[4], long long h, const cplx (&U0)[N][N], double& out) const {
        const int f = torus.filled;
        cplx Ua[4][N][N];  // the states at i + h â
        double e[N];
        for (int a = 0; a < 4; ++a) {
            long long j[4] = {i[0], i[1], i[2], i[3]};
            j[a] += h;
            if (!filled_states(j, Ua[a], e)) return false;
        }
        cplx F[kPlanes][N][N];
        for (int pl = 0; pl < kPlanes; ++pl) {
            int a, b;
            plane_axes(pl, a, b);
            long long j[4] = {i[0], i[1], i[2], i[3]};
            j[a] += h;
            j[b] += h;
            cplx Uab[N][N], L0[N][N], L1[N][N], L2[N][N], L3[N][N], half[N][N], three[N][N], P[N][N];
            if (!filled_states(j, Uab, e)) return false;
            // P = U_a(i) U_b(i + a) U_a(i + b)† U_b(i)†, all unitary f×f links.
            if (!unitary_link<N>(U0, Ua[a], f, L0) || !unitary_link<N>(Ua[a], Uab, f, L1) ||
                !unitary_link<N>(Ua[b], Uab, f, L2) || !unitary_link<N>(U0, Ua[b], f, L3))
                return false;
            block_product<N>(L0, L1, f, false, half);
            block_product<N>(half, L2, f, true, three);
            block_product<N>(three, L3, f, true, P);
            for (int r = 0; r < f; ++r)
                for (int c = 0; c < f; ++c) {
                    const cplx d = P[r][c] - conj(P[c][r]);
                    F[pl][r][c] = {0.5 * d.im, -0.5 * d.re};  // (P − P†)/2i
                }
        }
        out = second_chern_density<N>(F, f);
        return true;
    }

    BZINT_HD bool operator()(long long idx, Out& out) const {
        const int f = torus.filled;
        long long i[4];
        torus.grid_index(idx, i);
        double s[4];
        for (int a = 0; a < 4; ++a) s[a] = static_cast<double>(i[a]) / static_cast<double>(torus.n[a]);
        NBandPoint<N> p;
        torus.template at<Model, N>(s, p);
        cplx A[N][N], U[N][N];
        double e[N];
        for (int r = 0; r < N; ++r)
            for (int c = 0; c < N; ++c) A[r][c] = p.H[r][c];
        bool ok = hermitian_eigen<N>(A, e, U);
        cplx v[4][N][N];
        for (int a = 0; a < 4; ++a) {
            cplx dH[N][N];
            torus.template derivative<Model, N>(s, p, a, dH);
            to_band_basis<N>(dH, U, v[a]);
        }
        cplx F[kPlanes][N][N];
        filled_curvature<N>(e, v, f, F);
        const double density = second_chern_density<N>(F, f);
        const bool coarse = i[0] % 2 == 0 && i[1] % 2 == 0 && i[2] % 2 == 0 && i[3] % 2 == 0;
        const double count = static_cast<double>(torus.count());
        double fine_link = 0.0, coarse_link = 0.0, fine_failed = 0.0, coarse_failed = 0.0;
        if (torus.lattice) {
            if (!lattice_density(i, 1, U, fine_link)) {
                fine_link = 0.0;
                fine_failed = 1.0;
            }
            if (coarse && !lattice_density(i, 2, U, coarse_link)) {
                coarse_link = 0.0;
                coarse_failed = 1.0;
            }
        }
        out.n = 1;
        out.key[0] = 0;
        double* val = out.val[0];
        val[0] = density / count;
        val[1] = fine_link;
        val[2] = coarse ? 16.0 * density / count : 0.0;
        val[3] = coarse_link;
        gap_powers(e[f] - e[f - 1], val[4], val[5]);
        val[6] = fine_failed;
        val[7] = coarse_failed;
        for (int j = 0; j < 4; ++j) ok = ok && is_finite(val[j]);
        return ok;
    }
};

}  // namespace bzint
