// A Wannier90 tight-binding model as an N-band model: H(k) and ∂H(k) by the direct Fourier sum
//   H_mn(k) = Σ_R e^{ik·(R + τ_n − τ_m)} H_mn(R) / ndegen(R),   ∂_a H_mn = Σ_R i(R + τ_n − τ_m)_a (…),
// R Cartesian. τ = 0 unless orbital positions are switched on (docs/wannier.md). The file's
// W orbitals are padded to the compile-time size N with uncoupled orbitals at `pad_energy`
// (far above every band), so that one instantiation per N ∈ {2, 4, 8, 16} serves any W up to
// 16; the padded bands are dropped from every output. Models above 16 orbitals take the
// run-time-sized engine of host/wannier/runtime_wannier.hpp instead, through the same Fourier sum
// (add_wannier_sum).
#pragma once
#include "bzint/models/nband_traits.hpp"
#include "bzint/position_curvature.hpp"

namespace bzint {

// Plain data (host pointers for the CPU backend).
struct WannierData {
    int num_wann;
    int n_R;
    const double* R;          // [n_R][3] Cartesian lattice vectors
    const double* inv_degen;  // [n_R] 1/ndegen
    const cplx* H;            // [n_R][W][W]
    const double* tau;        // [W][3] orbital positions (zeros when off)
    double pad_energy;
    const cplx* r;            // [n_R][3][W][W] ⟨0m|r_a|Rn⟩ (Å) when the full position matrix is on, else null
};

// The size-generic parts, on row-major storage with leading dimension ld ≥ W: H[m ld + n] and
// ∂_a H at dH[(a ld + m) ld + n]. models::Wannier<N> calls them with ld = N on its fixed-size
// arrays; the run-time-sized engine (host/wannier/runtime_wannier.hpp) with ld = W on heap
// workspaces.

// Adds the Fourier sums Σ_R e^{ik·R} H(R)/ndegen and Σ_R iR e^{ik·R} H(R)/ndegen.
BZINT_HD_INLINE void add_wannier_sum(const WannierData& d, const double k[3], cplx* H, cplx* dH, int ld) {
    const int W = d.num_wann;
    const long long plane = static_cast<long long>(ld) * ld;
    for (int r = 0; r < d.n_R; ++r) {
        const double* R = d.R + 3 * r;
        const double phase = k[0] * R[0] + k[1] * R[1] + k[2] * R[2];
        const cplx e = d.inv_degen[r] * cplx{cos(phase), sin(phase)};
        const cplx* h = d.H + static_cast<long long>(r) * W * W;
        for (int m = 0; m < W; ++m)
            for (int n = 0; n < W; ++n) {
                const cplx t = e * h[m * W + n];
                H[m * ld + n] += t;
                const cplx it = times_i(t);
                for (int a = 0; a < 3; ++a) dH[a * plane + m * ld + n] += R[a] * it;
            }
    }
}

// The orbital-position phases: H → D† H D, D = diag(e^{ik·τ}), and ∂H with them.
BZINT_HD_INLINE void apply_orbital_phases(const WannierData& d, const double k[3], cplx* H, cplx* dH, int ld) {
    const int W = d.num_wann;
    const long long plane = static_cast<long long>(ld) * ld;
    for (int m = 0; m < W; ++m)
        for (int n = 0; n < W; ++n) {
            double dt[3], ph = 0.0;
            for (int a = 0; a < 3; ++a) {
                dt[a] = d.tau[3 * n + a] - d.tau[3 * m + a];
                ph += k[a] * dt[a];
            }
            if (ph == 0.0 && dt[0] == 0.0 && dt[1] == 0.0 && dt[2] == 0.0) continue;
            const cplx e{cos(ph), sin(ph)}, h = H[m * ld + n];
            H[m * ld + n] = e * h;
            for (int a = 0; a < 3; ++a) {
                cplx& x = dH[a * plane + m * ld + n];
                x = e * (x + dt[a] * times_i(h));
            }
        }
}

// The Wannier-gauge connection A_a(k) = Σ_R e^{ik·R} ⟨0m|r_a|Rn⟩/ndegen and its curl
// (∇×A)_c = ∂_a A_b − ∂_b A_a = Σ_R i(R_a r_b − R_b r_a) e^{ik·R}/ndegen, (a, b, c) cyclic, added
// to A[(a ld + m) ld + n] and curl[(c ld + m) ld + n] (position_curvature.hpp). Needs d.r.
BZINT_HD_INLINE void add_position_connection(const WannierData& d, const double k[3], cplx* A, cplx* curl, int ld) {
    const int W = d.num_wann;
    const long long plane = static_cast<long long>(ld) * ld;
    for (int r = 0; r < d.n_R; ++r) {
        const double* R = d.R + 3 * r;
        const double phase = k[0] * R[0] + k[1] * R[1] + k[2] * R[2];
        const cplx e = d.inv_degen[r] * cplx{cos(phase), sin(phase)};
        const cplx* x = d.r + static_cast<long long>(r) * 3 * W * W;
        for (int m = 0; m < W; ++m)
            for (int n = 0; n < W; ++n) {
                cplx t[3];
                for (int a = 0; a < 3; ++a) {
                    t[a] = e * x[(a * W + m) * W + n];
                    A[a * plane + m * ld + n] += t[a];
                }
                for (int cc = 0; cc < 3; ++cc) {
                    const int a = (cc + 1) % 3, b = (cc + 2) % 3;
                    curl[cc * plane + m * ld + n] += times_i(R[a] * t[b] - R[b] * t[a]);
                }
            }
    }
}

namespace models {

template <int N>
struct Wannier {
    static constexpr int bands = N;
    static constexpr int dim = 3;
    static constexpr bool lattice = true;
    WannierData d;

    BZINT_HD void operator()(const double k[3], NBandPoint<N>& p) const {
        clear(p);
        add_wannier_sum(d, k, &p.H[0][0], &p.dH[0][0][0], N);
        finish(k, p);
    }

    // The Wannier-gauge connection and its curl (add_position_connection); zero on the padding
    // orbitals. Only when d.r is set.
    BZINT_HD void position_connection(const double k[3], PositionConnection<N>& c) const {
        for (int a = 0; a < 3; ++a)
            for (int m = 0; m < N; ++m)
                for (int n = 0; n < N; ++n) c.A[a][m][n] = c.curl[a][m][n] = {0.0, 0.0};
        add_position_connection(d, k, &c.A[0][0][0], &c.curl[0][0][0], N);
    }

    // What follows the Fourier sum of H(R)/ndegen and i R H(R)/ndegen (done here or by the FFT
    // path, host/wannier/wannier_fft.hpp): the orbital-position phases and the padding.
    BZINT_HD void finish(const double k[3], NBandPoint<N>& p) const {
        apply_orbital_phases(d, k, &p.H[0][0], &p.dH[0][0][0], N);
        for (int m = d.num_wann; m < N; ++m) p.H[m][m] = {d.pad_energy, 0.0};
    }
};

}  // namespace models

// The FFT path's table (host/wannier/wannier_fft.hpp) holds the orbital pairs m ≤ n of the
// Hermitian H(k) and ∂_a H(k), numbered row by row: pair(m, n) = m W − m(m − 1)/2 + n − m, P =
// W(W + 1)/2 of them; table c (0: H, 1..3: ∂_a H) of pair p is row c P + p, `ld` apart.
// hermitian_pair gives (m, n) of a pair's number.
inline void hermitian_pair(int pair, int W, int& m, int& n) {
    m = 0;
    while (pair >= W - m) pair -= W - m++;
    n = m + pair;
}

// Point i of such a table as the orbital-basis H and ∂H (row-major, leading dimension ldm, as
// add_wannier_sum), the lower triangle by conjugation and the diagonal real, as it is for the
// Hermitised model. Entries beyond W are left as they are.
BZINT_HD_INLINE void read_tabulated(const cplx* table, long long ld, int W, long long i, cplx* H, cplx* dH, int ldm) {
    const long long P = static_cast<long long>(W) * (W + 1) / 2, plane = static_cast<long long>(ldm) * ldm;
    const cplx* t = table + i;
    for (int m = 0; m < W; ++m)
        for (int n = m; n < W; ++n, t += ld) {
            const cplx x = t[0];
            H[m * ldm + n] = m == n ? cplx{x.re, 0.0} : x;
            H[n * ldm + m] = conj(H[m * ldm + n]);
            for (int a = 0; a < 3; ++a) {
                const cplx y = t[(1 + a) * P * ld];
                cplx* da = dH + a * plane;
                da[m * ldm + n] = m == n ? cplx{y.re, 0.0} : y;
                da[n * ldm + m] = conj(da[m * ldm + n]);
            }
        }
}
// The same into an NBandPoint (the rest cleared).
template <int N>
BZINT_HD void read_tabulated(const cplx* table, long long ld, int W, long long i, NBandPoint<N>& h) {
    clear(h);
    read_tabulated(table, ld, W, i, &h.H[0][0], &h.dH[0][0][0], N);
}

// Whether a model carries a Wannier position matrix (per_k.hpp evaluates its WYSV terms).
template <class Model>
struct HasPositionConnection {
    static constexpr bool value = false;
};
template <int N>
struct HasPositionConnection<models::Wannier<N>> {
    static constexpr bool value = true;
};

}  // namespace bzint
