// Chern numbers of a 2D plane of phase space and time (texture.hpp's textured models, two-band
// and N-band): the band's Berry flux through a closed plane — a real-space cell of a periodic
// texture at fixed k, a Brillouin zone at fixed r, or a mixed (x, k) torus — by the integral and by
// the link method.
#pragma once
#include "bzint/nband_phase_geometry.hpp"
#include "bzint/per_k.hpp"
#include "bzint/texture.hpp"

namespace bzint {

// The plane x(s, u) = at + s e_0 + u e_1, s, u ∈ [0, 1), on an n[0] × n[1] grid of plaquettes; the
// edge vectors e_a (seven components each, phase_space.hpp) are periods of the Hamiltonian, so
// the plane is a torus (the texture's cell side L x̂, or a reciprocal vector G_i in k).
struct PhaseSlice {
    double at[kPhaseCoords];
    double edge[2][kPhaseCoords];
    long long n[2];

    BZINT_HD long long count() const { return n[0] * n[1]; }
    // The point (s, u) = (i/n[0], j/n[1]).
    BZINT_HD void point(long long i, long long j, double x[kPhaseCoords]) const {
        const double s = static_cast<double>(i) / static_cast<double>(n[0]);
        const double u = static_cast<double>(j) / static_cast<double>(n[1]);
        for (int I = 0; I < kPhaseCoords; ++I) x[I] = at[I] + s * edge[0][I] + u * edge[1][I];
    }
};

// ChernFn's six values per plaquette (per_k.hpp two_band_plaquette) for the plane: the bands'
// flux q_s 𝓕_01/(2π n[0] n[1]) at the plaquette's corner, 𝓕_01 the texture's curvature along the
// edge vectors (phase_space.hpp; (1/2π) ∫ ds du q_s 𝓕_01 is the band's Chern number on the torus),
// their link phases, and the gap 2|d|'s powers. One key.
template <class Model>
struct PhaseSliceChernFn {
    TexturedTwoBand<Model> hamiltonian;
    PhaseSlice slice;
    using Out = KeyedOutT<1, 6>;
    BZINT_HD int n_values() const { return 6; }
    BZINT_HD int n_keys() const { return 1; }

    BZINT_HD bool operator()(long long idx, Out& out) const {
        const long long i = idx % slice.n[0], j = idx / slice.n[0];
        const int corner[4][2] = {{0, 0}, {1, 0}, {1, 1}, {0, 1}};
        Spinor u[2][4];
        double f = 0.0, gap = 0.0;
        for (int c = 0; c < 4; ++c) {
            double x[kPhaseCoords];
            slice.point(i + corner[c][0], j + corner[c][1], x);
            PhaseSpacePoint p;
            hamiltonian(x, p);
            u[0][c] = two_band_eigenvector(p.d, -1);
            u[1][c] = two_band_eigenvector(p.d, +1);
            if (c == 0) {
                gap = 2.0 * sqrt(dot3(p.d, p.d));
                double da[3], db[3];
                derivative_along(p, slice.edge[0], da);
                derivative_along(p, slice.edge[1], db);
                f = solid_angle_density(p.d, da, db) / (kTwoPi * static_cast<double>(slice.count()));
            }
        }
        out.n = 1;
        out.key[0] = 0;
        const double flux[2] = {0.5 * f, -0.5 * f};  // q_s = −s/2: lower band (s = −1) +𝓕/2
        return two_band_plaquette(u, flux, gap, out.val[0]);
    }
};

// NBandChernFn's 5N − 2 values per plaquette (per_k.hpp) for the plane of a textured N-band model
// (nband_texture.hpp): each band's flux (1/2π n[0] n[1]) Ω_n(e_0, e_1) at the plaquette's corner,
// Ω_n(e_0, e_1) = Σ_IJ e_0^I e_1^J Ω_n^IJ by the Kubo sum of H's derivatives along the two edge
// vectors (kubo_sums' planes 1 and 2, whose curvature component 0 it is), each band's link phase,
// the link phase of the manifold of bands 0..n, and the powers of the gap above band n. One key.
template <class Model>
struct NBandPhaseSliceChernFn {
    static constexpr int N = Model::bands;
    TexturedNBand<Model> hamiltonian;
    PhaseSlice slice;
    using Out = KeyedOutT<1, 5 * N - 2>;
    BZINT_HD int n_values() const { return 5 * N - 2; }
    BZINT_HD int n_keys() const { return 1; }

    BZINT_HD bool operator()(long long idx, Out& out) const {
        const long long i = idx % slice.n[0], j = idx / slice.n[0];
        const int corner[4][2] = {{0, 0}, {1, 0}, {1, 1}, {0, 1}};
        cplx U[4][N][N];
        double energy[N], other[N], flux[N];  // energy: corner 0's levels
        bool ok = true;
        for (int c = 0; c < 4; ++c) {
            double x[kPhaseCoords];
            slice.point(i + corner[c][0], j + corner[c][1], x);
            NBandPhasePoint<N> p;
            hamiltonian(x, p);
            cplx A[N][N];
            for (int a = 0; a < N; ++a)
                for (int b = 0; b < N; ++b) A[a][b] = p.H[a][b];
            double(&levels)[N] = c == 0 ? energy : other;
            ok = hermitian_eigen<N>(A, levels, U[c]) && ok;
            if (c != 0) continue;
            cplx v[3][N][N], along[N][N];  // plane 0 unused; planes 1, 2 the edges' derivatives
            for (int a = 0; a < N; ++a)
                for (int b = 0; b < N; ++b) v[0][a][b] = {0.0, 0.0};
            for (int e = 0; e < 2; ++e) {
                for (int a = 0; a < N; ++a)
                    for (int b = 0; b < N; ++b) {
                        cplx s{0.0, 0.0};
                        for (int I = 0; I < kPhaseCoords; ++I) s += slice.edge[e][I] * p.dH[I][a][b];
                        along[a][b] = s;
                    }
                to_band_basis<N>(along, U[0], v[1 + e]);
            }
            BandGeometry g[N];
            kubo_sums(N, energy, &v[0][0][0], N, degenerate_threshold(N, energy), g);
            for (int n = 0; n < N; ++n) flux[n] = g[n].omega[0] / (kTwoPi * static_cast<double>(slice.count()));
        }
        cplx link[N], manifold[N];
        plaquette_links<N>(U, link, manifold);
        out.n = 1;
        out.key[0] = 0;
        return plaquette_values(N, ArrayValues{flux}, ArrayValues{energy}, link, manifold, out.val[0]) && ok;
    }
};

}  // namespace bzint
