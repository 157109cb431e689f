// Phase-space geometry of an N-band Hamiltonian H(x) over the seven coordinates
// x = (x, y, z, px, py, pz, t) (nband_texture.hpp), by Kubo sums over states: the non-adiabatic
// paper's Abelian curvature (Eq. 44) for every pair of coordinates — its blocks Ω^KK, Ω^KX,
// Ω^XK, Ω^XX and the time rows — and the non-Abelian curvature of a manifold of bands, with the
// kinetic-equation paper's energy correction (Eq. 23), density-of-states factor (Eq. 28) and
// velocities (Eq. 24) in their N-band form. For N = 2 each equals phase_space.hpp's (checked in
// tests/test_nband_texture.cpp). Readings and derivations: docs/textures.md "N-band textured models".
//
//   Ω_n^IJ  = −2 Σ_{m∉G(n)} Im[v^I_nm v^J_mn] / (ε_n − ε_m)²,   v^I_nm = ⟨n|∂_I H|m⟩,
//   g_n^IJ  =    Σ_{m∉G(n)} Re[v^I_nm v^J_mn] / (ε_n − ε_m)²,
//   δε_n    = −Σ_l Im⟨∂_{r_l} u_n|(ε_n − H)|∂_{p_l} u_n⟩ = −Σ_l Σ_{m∉G(n)} Im[v^{r_l}_nm v^{p_l}_mn] / (ε_n − ε_m),
//   𝒟_n    = 1 − Σ_l Ω_n^{r_l p_l},
//
// G(n) the degenerate group of n (nband_geometry.hpp: pairs inside it are left out, so a
// group's totals are its gauge-invariant traces). Ω_n^IJ = ∂_I R_J − ∂_J R_I, R_I = i⟨u|∂_I u⟩,
// is Eq. 44 and the Ω of every other task (for (I, J) = (kx, ky) nband_geometry.hpp's Ω^z). For
// N = 2 it is q_s 𝓕_IJ, δε_n = −|d|𝓕/2 and 𝒟_n = 1 − q_s 𝓕; in a uniform B in the symmetric
// gauge δε_n = −m_n·B and 𝒟_n = 1 + B·Ω_n.
#pragma once
#include "bzint/nband_geometry.hpp"
#include "bzint/nband_texture.hpp"

namespace bzint {

// The eigen-decomposition of H(x) and the band-basis derivatives along the seven coordinates.
template <int N>
struct NBandPhaseEigen {
    double e[N];
    cplx U[N][N];                   // columns: eigenvectors (orbital basis)
    cplx v[kPhaseCoords][N][N];     // ⟨n|∂_I H|m⟩
    double degenerate;              // levels closer than this form a degenerate group
};

// Returns false if the eigensolver did not converge (the caller names the point).
template <int N>
BZINT_HD bool nband_phase_eigen(const NBandPhasePoint<N>& p, NBandPhaseEigen<N>& s) {
    cplx A[N][N];
    for (int i = 0; i < N; ++i)
        for (int j = 0; j < N; ++j) A[i][j] = p.H[i][j];
    const bool ok = hermitian_eigen<N>(A, s.e, s.U);
    for (int I = 0; I < kPhaseCoords; ++I) {
        // A coordinate H does not depend on (z and kz of a 2D model, t without E) needs no
        // transform: the test costs N² against the transform's 2N³.
        bool zero = true;
        for (int i = 0; i < N && zero; ++i)
            for (int j = 0; j < N && zero; ++j) zero = p.dH[I][i][j].re == 0.0 && p.dH[I][i][j].im == 0.0;
        if (zero) {
            for (int i = 0; i < N; ++i)
                for (int j = 0; j < N; ++j) s.v[I][i][j] = {0.0, 0.0};
        } else {
            to_band_basis<N>(p.dH[I], s.U, s.v[I]);
        }
    }
    s.degenerate = degenerate_threshold(N, s.e);
    return ok;
}

// The textured Hamiltonian `hamiltonian` (nband_texture.hpp) at x, decomposed as above.
template <class H>
BZINT_HD_INLINE bool nband_phase_eigen_at(const H& hamiltonian, const double x[kPhaseCoords], NBandPhaseEigen<H::N>& s) {
    NBandPhasePoint<H::N> p;
    hamiltonian(x, p);
    return nband_phase_eigen<H::N>(p, s);
}

// Σ_{m∉G(n)} v^I_nm v^J_mn / (ε_n − ε_m)^power: the sum the curvature, metric (power 2) and
// energy correction (power 1) take parts of.
template <int N>
BZINT_HD cplx interband_sum(const NBandPhaseEigen<N>& s, int n, int I, int J, int power) {
    cplx sum{0.0, 0.0};
    for (int m = 0; m < N; ++m) {
        const double gap = s.e[n] - s.e[m];
        if (m == n || fabs(gap) <= s.degenerate) continue;
        sum += (1.0 / (power == 2 ? gap * gap : gap)) * (s.v[I][n][m] * s.v[J][m][n]);
    }
    return sum;
}

// Band n's Berry curvature Ω_n^IJ in the (x^I, x^J) plane (Eq. 44).
template <int N>
BZINT_HD double phase_curvature(const NBandPhaseEigen<N>& s, int n, int I, int J) {
    return -2.0 * interband_sum<N>(s, n, I, J, 2).im;
}

// Band n's quantum metric g_n^IJ = Re⟨∂_I u_n|(1 − |u_n⟩⟨u_n|)|∂_J u_n⟩.
template <int N>
BZINT_HD double phase_metric(const NBandPhaseEigen<N>& s, int n, int I, int J) {
    return interband_sum<N>(s, n, I, J, 2).re;
}

// Band n's energy correction δε_n (Eq. 23's N-band form, Sundaram and Niu's gradient correction).
template <int N>
BZINT_HD double phase_energy_correction(const NBandPhaseEigen<N>& s, int n) {
    double sum = 0.0;
    for (int l = 0; l < 3; ++l) sum -= interband_sum<N>(s, n, kCoordX + l, kCoordKx + l, 1).im;
    return sum;
}

// Band n's density-of-states factor 𝒟_n = 1 − Σ_l Ω_n^{r_l p_l} (Eq. 28's N-band form).
template <int N>
BZINT_HD double phase_dos_factor(const NBandPhaseEigen<N>& s, int n) {
    double sum = 1.0;
    for (int l = 0; l < 3; ++l) sum -= phase_curvature<N>(s, n, kCoordX + l, kCoordKx + l);
    return sum;
}

// The non-Abelian curvature of the manifold M = {first, …, last} (the non-adiabatic paper's
// Eq. 42, second term) between its bands n, n′:
//   F^IJ_nn′ = i Σ_{m∉M} (v^I_nm v^J_mn′ − v^J_nm v^I_mn′) / ((ε_n − ε_m)(ε_n′ − ε_m)),
// the curvature of the connection projected on M, in the basis of H's eigenvectors. It is
// Hermitian and covariant (F → W†FW under a unitary W within M); its trace Σ_{n∈M} F^IJ_nn is
// Σ_{n∈M} Ω_n^IJ (the pairs inside M cancel in that sum), and for M = {n} F^IJ_nn = Ω_n^IJ.
template <int N>
BZINT_HD cplx manifold_curvature(const NBandPhaseEigen<N>& s, int first, int last, int n, int n2, int I, int J) {
    cplx sum{0.0, 0.0};
    for (int m = 0; m < N; ++m) {
        if (m >= first && m <= last) continue;
        const double w = 1.0 / ((s.e[n] - s.e[m]) * (s.e[n2] - s.e[m]));
        sum += w * (s.v[I][n][m] * s.v[J][m][n2] - s.v[J][n][m] * s.v[I][m][n2]);
    }
    return {-sum.im, sum.re};  // i · sum
}

// Band n's velocities of Eq. 24 with Ω_n for q_s 𝓕 (first order in the gradients):
//   ṙ_n = ∂_p ε̄_n + Ω_n^{tp} + Ω_n^{p p_l} ∂_{r_l} ε_n − Ω_n^{p r_l} ∂_{p_l} ε_n,
//   ṗ_n = −∂_r ε̄_n − (Ω_n^{tr} + Ω_n^{r p_l} ∂_{r_l} ε_n − Ω_n^{r r_l} ∂_{p_l} ε_n),
// ε̄_n = ε_n + δε_n, ∂_I ε_n = v^I_nn (Hellmann–Feynman), given grad_delta = ∂_I δε_n over
// (x, y, z, px, py, pz) (energy_correction_gradient). For N = 2 this is
// semiclassical_velocities (phase_space_motion.hpp).
template <int N>
BZINT_HD void phase_velocities(const NBandPhaseEigen<N>& s, int n, const double grad_delta[6], double r_dot[3],
                               double p_dot[3]) {
    double de[kPhaseCoords];
    for (int I = 0; I < kPhaseCoords; ++I) de[I] = s.v[I][n][n].re;
    for (int a = 0; a < 3; ++a) {
        const int R = kCoordX + a, P = kCoordKx + a;
        double berry_p = phase_curvature<N>(s, n, kCoordT, P), berry_r = phase_curvature<N>(s, n, kCoordT, R);
        for (int l = 0; l < 3; ++l) {
            berry_p += phase_curvature<N>(s, n, P, kCoordKx + l) * de[kCoordX + l] -
                       phase_curvature<N>(s, n, P, kCoordX + l) * de[kCoordKx + l];
            berry_r += phase_curvature<N>(s, n, R, kCoordKx + l) * de[kCoordX + l] -
                       phase_curvature<N>(s, n, R, kCoordX + l) * de[kCoordKx + l];
        }
        r_dot[a] = de[P] + grad_delta[3 + a] + berry_p;
        p_dot[a] = -(de[R] + grad_delta[a]) - berry_r;
    }
}

// ∂_I δε_n of every band n at x (whose decomposition the caller has: `centre`) for
// I = first … first + count − 1 (into grad[n][column + c]) by the fourth-order central difference
// of scalar_curvature_gradient (phase_space_motion.hpp): δε_n
// needs H's first derivatives, which the models give exactly, so its own derivative is taken
// numerically. Band n is the n-th level at each shifted point: were two levels to cross inside
// the stencil, the difference would mix them. So `stencil` gets, over the shifted points, the
// smallest gap between neighbouring levels and the largest move of any level from x; a gap not
// well above the move (the caller's test) means a crossing may lie within reach. Returns false if
// an eigensolver did not converge.
struct StencilGaps {
    double smallest_gap = INFINITY;  // min over the shifted points of ε_{n+1} − ε_n, all n
    double largest_move = 0.0;       // max over the shifted points and bands of |ε_n(y) − ε_n(x)|
};

template <class H>
BZINT_HD bool energy_correction_gradients(const H& hamiltonian, const double x[kPhaseCoords], const NBandPhaseEigen<H::N>& centre,
                                          int first, int count, double h, double (*grad)[6], int column, StencilGaps& stencil) {
    constexpr int N = H::N;
    const double steps[4] = {2 * h, h, -h, -2 * h}, weights[4] = {-1.0, 8.0, -8.0, 1.0};
    NBandPhasePoint<N> p;
    bool ok = true;
    for (int c = 0; c < count; ++c) {
        for (int n = 0; n < N; ++n) grad[n][column + c] = 0.0;
        for (int k = 0; k < 4; ++k) {
            double y[kPhaseCoords];
            for (int I = 0; I < kPhaseCoords; ++I) y[I] = x[I];
            y[first + c] += steps[k];
            hamiltonian(y, p);
            NBandPhaseEigen<N> s;
            ok = nband_phase_eigen<N>(p, s) && ok;
            for (int n = 0; n < N; ++n) {
                grad[n][column + c] += weights[k] * phase_energy_correction<N>(s, n);
                stencil.largest_move = fmax(stencil.largest_move, fabs(s.e[n] - centre.e[n]));
                if (n + 1 < N) stencil.smallest_gap = fmin(stencil.smallest_gap, s.e[n + 1] - s.e[n]);
            }
        }
        for (int n = 0; n < N; ++n) grad[n][column + c] /= 12 * h;
    }
    return ok;
}

}  // namespace bzint
