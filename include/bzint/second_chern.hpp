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
// integrand, so the error falls exponentially with n), and the lattice method of
// second_chern_lattice.hpp, C₂ = ½∫c₁² − ∫c₂ from the six coordinate planes' first Chern numbers
// (FHS links) and the signed zeros of a generic section: an integer by construction.
#pragma once
#include "bzint/models/all.hpp"
#include "bzint/nband_geometry.hpp"
#include "bzint/per_k.hpp"
#include "bzint/second_chern_lattice.hpp"

namespace bzint {

// The grid of a 4D torus, s_a ∈ [0, 1) on n[a] points per axis, and what SecondChernFn computes on
// it: shared by the torus of momenta and parameters (FourTorus) and that of phase space
// (phase_four_torus.hpp).
struct FourGrid {
    long long n[4];
    int filled;    // the number of filled bands, 1 ≤ filled < N
    bool lattice;  // also the lattice method (sixteen more eigen-decompositions per point)

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

// Per grid point, one key, kSecondChernValues values: the integral's density / count and the same
// on the coarse sub-mesh (the points with every index even; density × 16 / count, 0 elsewhere),
// the powers of the gap ε_filled − ε_{filled−1} (per_k.hpp gap_powers), and with `lattice` the
// lattice method's terms at the cube whose base corner the point is (second_chern_lattice.hpp),
// from kPlaneFlux on: the six planes' FHS fluxes / the number of their slices; the same weighted
// by 1 + (slice index)/(slices) / the weights' sum; the signed zero counts of the kSectionSets
// sections; the number of plaquettes whose flux exceeds π/2; the Newton runs that did not converge
// from inside a simplex; and 1 if a link vanished, the sections were dependent or a cell held too
// many zeros (the lattice method is then not available; the integral stands). The sub-mesh gives
// the integral's estimate.
// Torus: FourTorus, or any type with FourGrid's members and the same H(s), H(i) and ∂H/∂s_a
// (phase_four_torus.hpp).
constexpr int kPlaneFlux = 4;
constexpr int kPlaneFluxWeighted = kPlaneFlux + kPlanes;
constexpr int kSectionZeros = kPlaneFluxWeighted + kPlanes;
constexpr int kLargeFlux = kSectionZeros + kSectionSets;
constexpr int kUnresolvedZeros = kLargeFlux + 1;
constexpr int kLatticeFailed = kUnresolvedZeros + 1;
constexpr int kSecondChernValues = kLatticeFailed + 1;
template <class Model, class Torus = FourTorus>
struct SecondChernFn {
    static constexpr int N = Model::bands;
    Torus torus;
    using Out = KeyedOutT<1, kSecondChernValues>;
    BZINT_HD int n_values() const { return kSecondChernValues; }
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

    // The lattice method's terms (val[kPlaneFlux … kLatticeFailed − 1]) at the cube with base corner
    // i. Every corner's states come from filled_states, so that a point shared by several cubes has
    // the same states (bit for bit, whatever the degeneracy) in each: the FHS links telescope.
    // False if a link vanished, the sections were dependent or a cell held too many zeros.
    BZINT_HD bool lattice_terms(const long long (&i)[4], double* val) const {
        const int f = torus.filled;
        cplx C[16][N][N];
        double e[N];
        for (int v = 0; v < 16; ++v) {
            long long j[4];
            for (int a = 0; a < 4; ++a) j[a] = i[a] + ((v >> a) & 1);
            if (!filled_states(j, C[v], e)) return false;
        }
        const double count = static_cast<double>(torus.count());
        for (int pl = 0; pl < kPlanes; ++pl) {
            int a, b;
            plane_axes(pl, a, b);
            double flux;
            if (!plaquette_flux<N>(C, f, a, b, flux)) return false;
            // The slice (i_c, i_d) of the plane's complement, c < d the other two axes.
            int other[2], k = 0;
            for (int c = 0; c < 4; ++c)
                if (c != a && c != b) other[k++] = c;
            const double slices = count / static_cast<double>(torus.n[a] * torus.n[b]);
            const double slice = static_cast<double>(i[other[0]] + torus.n[other[0]] * i[other[1]]);
            val[kPlaneFlux + pl] = flux / slices;
            val[kPlaneFluxWeighted + pl] = flux * (1.0 + slice / slices) / (slices + 0.5 * (slices - 1.0));
            if (fabs(flux) > 0.25) val[kLargeFlux] += 1.0;
        }
        // The zeros are those of a section of the smaller of E and E⊥ (counts_complement), whose
        // states move to the first columns.
        const bool complement = counts_complement(N, f);
        const int rank = complement ? N - f : f;
        if (complement)
            for (int v = 0; v < 16; ++v)
                for (int r = 0; r < N; ++r)
                    for (int m = 0; m < rank; ++m) C[v][r][m] = C[v][r][f + m];
        auto states_at = [this, complement, f, rank](const double (&s)[4], cplx (&U)[N][N]) {
            NBandPoint<N> p;
            torus.template at<Model, N>(s, p);
            cplx A[N][N];
            double w[N];
            for (int r = 0; r < N; ++r)
                for (int c = 0; c < N; ++c) A[r][c] = p.H[r][c];
            const bool ok = hermitian_eigen<N>(A, w, U);
            if (complement)
                for (int r = 0; r < N; ++r)
                    for (int m = 0; m < rank; ++m) U[r][m] = U[r][f + m];
            return ok;
        };
        for (int set = 0; set < kSectionSets; ++set) {
            int zeros, unresolved;
            if (!cube_zero_count<N>(C, rank, set, i, torus.n, states_at, zeros, unresolved)) return false;
            val[kSectionZeros + set] = zeros;
            val[kUnresolvedZeros] += unresolved;
        }
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
        out.n = 1;
        out.key[0] = 0;
        double* val = out.val[0];
        for (int j = 0; j < kSecondChernValues; ++j) val[j] = 0.0;
        val[0] = density / count;
        val[1] = coarse ? 16.0 * density / count : 0.0;
        gap_powers(e[f] - e[f - 1], val[2], val[3]);
        if (torus.lattice && !lattice_terms(i, val)) {
            for (int j = kPlaneFlux; j < kLatticeFailed; ++j) val[j] = 0.0;
            val[kLatticeFailed] = 1.0;
        }
        for (int j = 0; j < 2; ++j) ok = ok && is_finite(val[j]);
        return ok;
    }
};

}  // namespace bzint
