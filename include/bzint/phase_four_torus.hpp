// A 4D torus of phase space and time for the second Chern number of a textured N-band model
// (nband_texture.hpp, second_chern.hpp; docs/textures.md "Second Chern numbers of phase space"):
// x(s) = origin + Σ_a s_a e_a, s_a ∈ [0, 1), with each edge vector e_a (seven components, as
// PhaseSlice's) a period of H — a texture's cell side along x or y, a reciprocal vector along k, a
// Bloch period along t. H and ∂H/∂s_a = Σ_I e_a^I ∂_I H come from the textured model, analytic.
#pragma once
#include "bzint/nband_texture.hpp"
#include "bzint/second_chern.hpp"

namespace bzint {

struct PhaseFourTorus : FourGrid {
    double origin[kPhaseCoords];
    double edge[4][kPhaseCoords];
    double params[kMaxModelParams];
    TextureTerms terms;

    template <class Model, int N>
    BZINT_HD void phase_point(const double (&s)[4], NBandPhasePoint<N>& p) const {
        double x[kPhaseCoords];
        for (int I = 0; I < kPhaseCoords; ++I) {
            x[I] = origin[I];
            for (int a = 0; a < 4; ++a) x[I] += s[a] * edge[a][I];
        }
        const TexturedNBand<Model> h{Model(params), terms};
        h(x, p);
    }
    template <class Model, int N>
    BZINT_HD void at(const double (&s)[4], NBandPoint<N>& p) const {
        NBandPhasePoint<N> q;
        phase_point<Model, N>(s, q);
        for (int r = 0; r < N; ++r)
            for (int c = 0; c < N; ++c) p.H[r][c] = q.H[r][c];
    }
    // H at grid point i.
    template <class Model, int N>
    BZINT_HD void hamiltonian(const long long (&i)[4], NBandPoint<N>& p) const {
        double s[4];
        fractions(i, s);
        at<Model, N>(s, p);
    }
    // ∂H/∂s_a = Σ_I e_a^I ∂_I H at s (the point's H is recomputed: SecondChernFn passes only H).
    template <class Model, int N>
    BZINT_HD void derivative(const double (&s)[4], const NBandPoint<N>&, int a, cplx (&dH)[N][N]) const {
        NBandPhasePoint<N> q;
        phase_point<Model, N>(s, q);
        for (int r = 0; r < N; ++r)
            for (int c = 0; c < N; ++c) {
                cplx sum{0.0, 0.0};
                for (int I = 0; I < kPhaseCoords; ++I) sum += edge[a][I] * q.dH[I][r][c];
                dH[r][c] = sum;
            }
    }
};

}  // namespace bzint
