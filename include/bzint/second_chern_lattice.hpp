// The lattice method of the second Chern number (docs/second-chern.md "The lattice method"): an
// integer by construction, from the filled states at the grid points alone. By Chern–Weil, with
// F the Hermitian Berry curvature (docs/conventions.md) the Chern forms are c₁ = tr F/2π,
// c₂ = [(tr F)² − tr F∧F]/8π² and ch₂ = tr F∧F/8π², so
//
//   C₂ = ∫ ch₂ = ½∫c₁∧c₁ − ∫c₂ = (c₀₁c₂₃ − c₀₂c₁₃ + c₀₃c₁₂) − Z.
//
// c_ab: the first Chern number of the filled bundle E on the coordinate plane (s_a, s_b) (c₁'s
// cohomology class on T⁴ is Σ c_ab ds_a∧ds_b; the ε-sum of the wedge gives the three products).
// Each comes from the Fukui–Hatsugai–Suzuki plaquettes of the plane, an integer on every slice
// at fixed other coordinates when every plaquette's flux is below π. The task sums the slices
// twice, plainly and with weights 1 + (slice index)/(slices), so that slices that disagree show as
// a fraction in one of the two means, and counts the plaquettes whose flux exceeds π/2.
//
// Z = ∫c₂, counted on the smaller of E and E⊥ (counts_complement below). Of rank r, E splits as
// the trivial bundle spanned by the sections Pχ₁ … Pχ_{r−2} (r its rank,
// χ_j fixed generic vectors of Cᴺ; independent everywhere, as their dependence has codimension 6)
// plus a rank-2 remainder E′ with c₂(E′) = c₂(E), the Euler class of E′ with its complex
// orientation. Z is then the signed count of the zeros of τ = P_E′ χ_{r−1}, a section of E′
// whose zeros are isolated points for generic χ (P χ reaches every fibre), each with the sign
// of det ∂τ/∂s in any frame of E′ (a complex frame keeps the orientation). cube_zero_count finds
// them cube by cube and gives each to the one cell that holds it. The count is done for
// kSectionSets independent sets χ, whose zeros lie at unrelated places, and the task trusts Z
// only when they agree.
#pragma once
#include "bzint/linalg/hermitian_eigen.hpp"
#include "bzint/per_k.hpp"
#include "bzint/splitmix64.hpp"

namespace bzint {

// Independent sets of section vectors χ whose zero counts must agree.
constexpr int kSectionSets = 4;

// Whether the zeros are counted for the empty bands' bundle E⊥ instead of the filled E: the one of
// smaller rank (c(E)c(E⊥) = 1 gives c₂(E⊥) = c₁(E)² − c₂(E), so C₂(E) = c₂(E⊥) − ½∫c₁(E)², and
// ch₂(E) = −ch₂(E⊥)). Ranks 1 and 2 need no splitting off of sections: τ = Pχ itself, or no zeros.
// Above rank 2 the split E = span(Pχ₁ …) ⊕ E′ turns sharp wherever Pχ₁ nearly vanishes, and a
// zero of τ there can be narrower than a cell: the count is then not certified (the task warns).
BZINT_HD bool counts_complement(int bands, int filled) { return bands - filled < filled; }
BZINT_HD int section_bundle_rank(int bands, int filled) { return counts_complement(bands, filled) ? bands - filled : filled; }

// det(X_f† Y_f), X_f, Y_f the first f columns: the U(1) link of the filled subspaces.
template <int N>
BZINT_HD cplx link_determinant(const cplx (&X)[N][N], const cplx (&Y)[N][N], int f) {
    cplx M[N][N];
    for (int r = 0; r < f; ++r)
        for (int c = 0; c < f; ++c) {
            cplx s{0.0, 0.0};
            for (int i = 0; i < N; ++i) s += conj(X[i][r]) * Y[i][c];
            M[r][c] = s;
        }
    return leading_determinant<N>(M, f);
}

// The FHS flux of plane (a, b) through the plaquette at a cube's base corner, in units of 2π:
// −arg of the product of the four links (the link phase is −∮A·dl, docs/conventions.md), from
// the corner states C (corner v at offset bit a of v). False if a link vanishes.
template <int N>
BZINT_HD bool plaquette_flux(const cplx (&C)[16][N][N], int f, int a, int b, double& flux) {
    const int A = 1 << a, B = 1 << b;
    const cplx l[4] = {link_determinant<N>(C[0], C[A], f), link_determinant<N>(C[A], C[A | B], f),
                       link_determinant<N>(C[A | B], C[B], f), link_determinant<N>(C[B], C[0], f)};
    cplx product{1.0, 0.0};
    for (const cplx& x : l) {
        if (!(norm2(x) > 1e-24)) return false;
        product = product * ((1.0 / sqrt(norm2(x))) * x);
    }
    flux = -atan2(product.im, product.re) / kTwoPi;
    return true;
}

// Component i of the fixed vector χ_j of section set `set`: two outputs of splitmix64 seeded by
// the mixed index (set, j, i), mapped to the square [−1, 1)², generic for every model (no
// symmetry of a model singles it out; mixing the seed keeps neighbouring components' streams
// apart).
BZINT_HD cplx section_vector(int set, int j, int i) {
    unsigned long long z =
        splitmix64_mix(kSplitmix64Increment * (1ULL + static_cast<unsigned long long>((set * 64 + j) * 64 + i)));
    const double re = 2.0 * splitmix64_unit(z) - 1.0;
    return {re, 2.0 * splitmix64_unit(z) - 1.0};
}

// In the filled basis U (f columns) at one point: τ's coefficients t (τ = U t), and, when `frame`
// is asked for, an orthonormal basis E of E′ (two columns, coefficients in the filled basis).
// E′ = the filled subspace minus the span of Pχ₁ … Pχ_{f−2} (Gram–Schmidt in coefficients, U
// being orthonormal). False if those sections are numerically dependent.
template <int N>
BZINT_HD bool remainder_section(const cplx (&U)[N][N], int f, int set, cplx (&t)[N], cplx (*frame)[2]) {
    cplx q[N][N];  // q[j]: the orthonormalised coefficients of Pχ_{j+1}, j < f − 2
    const int split = f - 2;
    for (int j = 0; j <= split; ++j) {
        cplx a[N];
        for (int m = 0; m < f; ++m) {
            cplx s{0.0, 0.0};
            for (int i = 0; i < N; ++i) s += conj(U[i][m]) * section_vector(set, j, i);
            a[m] = s;
        }
        for (int p = 0; p < j; ++p) {
            cplx overlap{0.0, 0.0};
            for (int m = 0; m < f; ++m) overlap += conj(q[p][m]) * a[m];
            for (int m = 0; m < f; ++m) a[m] -= overlap * q[p][m];
        }
        if (j == split) {
            for (int m = 0; m < f; ++m) t[m] = a[m];
            break;
        }
        double n2 = 0.0;
        for (int m = 0; m < f; ++m) n2 += norm2(a[m]);
        if (!(n2 > 1e-24)) return false;
        for (int m = 0; m < f; ++m) q[j][m] = (1.0 / sqrt(n2)) * a[m];
    }
    if (!frame) return true;
    // E′'s basis: the unit vectors e_m with q's (and the first chosen column) projected out,
    // twice taking the longest (its squared length is at least 1/f of the two that remain).
    for (int col = 0; col < 2; ++col) {
        double best = -1.0;
        cplx chosen[N];
        for (int e = 0; e < f; ++e) {
            cplx v[N];
            for (int m = 0; m < f; ++m) v[m] = {m == e ? 1.0 : 0.0, 0.0};
            for (int p = 0; p < split + col; ++p) {
                const cplx* w = p < split ? q[p] : nullptr;
                cplx overlap{0.0, 0.0};
                for (int m = 0; m < f; ++m) overlap += conj(w ? w[m] : frame[m][0]) * v[m];
                for (int m = 0; m < f; ++m) v[m] -= overlap * (w ? w[m] : frame[m][0]);
            }
            double n2 = 0.0;
            for (int m = 0; m < f; ++m) n2 += norm2(v[m]);
            if (n2 > best) {
                best = n2;
                for (int m = 0; m < f; ++m) chosen[m] = v[m];
            }
        }
        for (int m = 0; m < f; ++m) frame[m][col] = (1.0 / sqrt(best)) * chosen[m];
    }
    return true;
}

// τ at a point whose filled states are U, in the chart G (N × 2): g = (Re, Im) of G†τ, and |τ|².
template <int N>
BZINT_HD bool section_image(const cplx (&U)[N][N], int f, int set, const cplx (&G)[N][2], double (&g)[4], double& tau2) {
    cplx t[N];
    if (!remainder_section<N>(U, f, set, t, nullptr)) return false;
    cplx tau[N];
    tau2 = 0.0;
    for (int i = 0; i < N; ++i) {
        cplx s{0.0, 0.0};
        for (int m = 0; m < f; ++m) s += U[i][m] * t[m];
        tau[i] = s;
        tau2 += norm2(s);
    }
    for (int col = 0; col < 2; ++col) {
        cplx s{0.0, 0.0};
        for (int i = 0; i < N; ++i) s += conj(G[i][col]) * tau[i];
        g[2 * col] = s.re;
        g[2 * col + 1] = s.im;
    }
    return true;
}

// Solves the real 4×4 system A x = A[·][4] (Gaussian elimination with partial pivoting; A is
// overwritten) and gives det A. False if A is singular.
BZINT_HD bool solve_four(double (&A)[4][5], double (&x)[4], double& det) {
    det = 1.0;
    for (int c = 0; c < 4; ++c) {
        int pivot = c;
        for (int r = c + 1; r < 4; ++r)
            if (fabs(A[r][c]) > fabs(A[pivot][c])) pivot = r;
        if (A[pivot][c] == 0.0) return false;
        if (pivot != c) {
            for (int j = 0; j < 5; ++j) {
                const double y = A[c][j];
                A[c][j] = A[pivot][j];
                A[pivot][j] = y;
            }
            det = -det;
        }
        det *= A[c][c];
        for (int r = c + 1; r < 4; ++r) {
            const double factor = A[r][c] / A[c][c];
            for (int j = c; j < 5; ++j) A[r][j] -= factor * A[c][j];
        }
    }
    for (int r = 3; r >= 0; --r) {
        double y = A[r][4];
        for (int j = r + 1; j < 4; ++j) y -= A[r][j] * x[j];
        x[r] = y / A[r][r];
    }
    return is_finite(x[0] + x[1] + x[2] + x[3]);
}

// The zeros of τ the cube owns: at most this many distinct ones per cube (a finer grid has fewer).
constexpr int kZerosPerCube = 8;

// The signed number of the zeros of τ (section set `set`) in the half-open grid cell
// [base, base + 1)/n of the torus, whose corner states are C; states_at(s, U) gives the filled
// states at any torus point s (fractions). τ at the 16 corners is projected on a frame of E′ at the
// base corner (a chart of E′ over the cube) and interpolated linearly on the 24 Kuhn simplices
// (vertices 0, e_π1, e_π1 + e_π2, … in the order of the permutation π). Where the interpolation
// vanishes within a simplex's width of one (barycentric coordinates above −1: the charts of
// neighbouring cubes differ by O(h), so a zero near a face is looked for from both sides),
// Newton's method on τ itself (its chart image; Jacobian by forward differences of 10⁻⁷ grid
// units; steps of at most half a cell), from there and then from the cube's centre, finds the
// zero, and the cube counts it, with the sign of the Jacobian's determinant,
// only if it lies in the cube's own cell, once: every zero belongs to exactly one cube whatever
// the charts. A Newton run from an interpolated zero inside its simplex that does not converge
// (a singular Jacobian, 30 steps, or a walk beyond three cells) adds 1 to `unresolved`: a zero
// may be lost there. False if the sections Pχ are dependent at a corner, a Newton step's states
// fail, or more than kZerosPerCube zeros fall in the cell.
template <int N, class StatesAt>
BZINT_HD bool cube_zero_count(const cplx (&C)[16][N][N], int f, int set, const long long (&base)[4], const long long (&n)[4],
                              const StatesAt& states_at, int& count, int& unresolved) {
    unresolved = 0;
    count = 0;
    if (f < 2) return true;  // a line bundle: c₂ = 0
    cplx t[N], frame[N][2];
    if (!remainder_section<N>(C[0], f, set, t, frame)) return false;
    // G = U₀ · frame (N × 2): the chart of E′ over the cube.
    cplx G[N][2];
    for (int i = 0; i < N; ++i)
        for (int col = 0; col < 2; ++col) {
            cplx s{0.0, 0.0};
            for (int m = 0; m < f; ++m) s += C[0][i][m] * frame[m][col];
            G[i][col] = s;
        }
    double image[16][4], tau2;
    for (int v = 0; v < 16; ++v)
        if (!section_image<N>(C[v], f, set, G, image[v], tau2)) return false;
    double found[kZerosPerCube][4];
    int n_found = 0;
    bool flagged = false;
    for (int p = 0; p <= 24; ++p) {
        // Starts: the interpolated zeros of the 24 simplices, then, if any was near, the cube's
        // centre (a pair of zeros closer than a cell can cancel in the interpolation).
        double x[4] = {0.5, 0.5, 0.5, 0.5};  // grid units from the cube's base corner
        bool inside = false;
        if (p == 24 && !flagged) break;
        if (p < 24) {
            // The p-th permutation of (0, 1, 2, 3) from its factorial digits.
            int left[4] = {0, 1, 2, 3}, perm[4], code = p;
            for (int k = 0; k < 4; ++k) {
                const int radix = 4 - k, digit = code % radix;
                code /= radix;
                perm[k] = left[digit];
                for (int m = digit; m < 3 - k; ++m) left[m] = left[m + 1];
            }
            // A μ = −c₀ with A's columns c(w_k) − c(w₀), k = 1 … 4; λ₀ = 1 − Σμ.
            double A[4][5], mu[4], det;
            int w[5] = {0, 0, 0, 0, 0};
            for (int k = 0; k < 4; ++k) {
                w[k + 1] = w[k] | (1 << perm[k]);
                for (int r = 0; r < 4; ++r) A[r][k] = image[w[k + 1]][r] - image[0][r];
            }
            for (int r = 0; r < 4; ++r) A[r][4] = -image[0][r];
            if (!solve_four(A, mu, det)) continue;  // a flat image (H repeats at two corners): no zero
            const double lambda0 = 1.0 - mu[0] - mu[1] - mu[2] - mu[3];
            if (!(lambda0 > -1.0 && mu[0] > -1.0 && mu[1] > -1.0 && mu[2] > -1.0 && mu[3] > -1.0)) continue;
            flagged = true;
            inside = lambda0 >= 0.0 && mu[0] >= 0.0 && mu[1] >= 0.0 && mu[2] >= 0.0 && mu[3] >= 0.0;
            for (int a = 0; a < 4; ++a) x[a] = 0.0;
            for (int k = 0; k < 4; ++k)
                for (int a = 0; a < 4; ++a) x[a] += mu[k] * ((w[k + 1] >> a) & 1);
        }
        bool converged = false;
        double sign = 0.0;
        for (int iteration = 0; iteration < 30 && !converged; ++iteration) {
            double s[4], g[4], J[4][5];
            for (int a = 0; a < 4; ++a) s[a] = (static_cast<double>(base[a]) + x[a]) / static_cast<double>(n[a]);
            cplx U[N][N];
            if (!states_at(s, U) || !section_image<N>(U, f, set, G, g, tau2)) return false;
            constexpr double step = 1e-7;  // grid units
            for (int a = 0; a < 4; ++a) {
                double shifted[4] = {s[0], s[1], s[2], s[3]}, ga[4], unused;
                shifted[a] += step / static_cast<double>(n[a]);
                if (!states_at(shifted, U) || !section_image<N>(U, f, set, G, ga, unused)) return false;
                for (int r = 0; r < 4; ++r) J[r][a] = (ga[r] - g[r]) / step;
            }
            for (int r = 0; r < 4; ++r) J[r][4] = -g[r];
            double dx[4], jdet;
            if (!solve_four(J, dx, jdet)) break;
            // Steps of at most half a cell, so that a poor start walks towards its own zero.
            double largest = 0.0;
            for (int a = 0; a < 4; ++a) largest = fmax(largest, fabs(dx[a]));
            const double damping = largest > 0.5 ? 0.5 / largest : 1.0;
            for (int a = 0; a < 4; ++a) x[a] += damping * dx[a];
            if (fabs(x[0]) > 3.0 || fabs(x[1]) > 3.0 || fabs(x[2]) > 3.0 || fabs(x[3]) > 3.0) break;  // gone to another cube's zero
            if (largest < 1e-10) {
                converged = tau2 < 1e-16;  // τ itself vanishes, not only its chart image
                sign = jdet > 0.0 ? 1.0 : -1.0;
                break;
            }
        }
        if (!converged) {
            if (inside) ++unresolved;
            continue;
        }
        // The cell owns the zero if 0 ≤ x_a < 1 for every a.
        if (!(x[0] >= 0.0 && x[0] < 1.0 && x[1] >= 0.0 && x[1] < 1.0 && x[2] >= 0.0 && x[2] < 1.0 && x[3] >= 0.0 &&
              x[3] < 1.0))
            continue;
        bool seen = false;
        for (int z = 0; z < n_found; ++z)
            seen = seen || (fabs(found[z][0] - x[0]) + fabs(found[z][1] - x[1]) + fabs(found[z][2] - x[2]) +
                                fabs(found[z][3] - x[3]) <
                            1e-6);
        if (seen) continue;
        if (n_found == kZerosPerCube) return false;
        for (int a = 0; a < 4; ++a) found[n_found][a] = x[a];
        ++n_found;
        count += static_cast<int>(sign);
    }
    return true;
}

}  // namespace bzint
