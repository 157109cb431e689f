// The equilibrium density of a textured model at a position, as a phase-space integral over
// momentum (kinetic-equation paper, Eqs. 23 and 28; docs/textures.md):
//   n(r; μ) = Σ_s ∫ d^dp/(2π)^d 𝒟_s f(ε̄_s − μ),  ε̄_s = ε_s + δε,  𝒟_s = 1 − q_s 𝓕,
// and beside it the density without the gradient corrections, Σ_s ∫ f(ε_s − μ); for N-band
// models the same sum over their bands with δε_n and 𝒟_n of nband_phase_geometry.hpp.
#pragma once
#include "bzint/fermi.hpp"
#include "bzint/mesh.hpp"
#include "bzint/nband_phase_geometry.hpp"
#include "bzint/per_k.hpp"
#include "bzint/texture.hpp"
#include "bzint/texture_point.hpp"

namespace bzint {

// |𝓕| from which the first-order terms of Eqs. 23 and 28 miss ~𝓕²/8 > 1 % (docs/textures.md).
constexpr double kFirstOrderLimit = 0.3;

// A textured model's levels at one phase-space point: each band's plain energy ε_n, corrected
// energy ε̄_n = ε_n + δε_n and density-of-states factor 𝒟_n; whether they are finite; and whether
// the gradient expansion fails there (`beyond`: some band's 2|1 − 𝒟_n| ≥ kFirstOrderLimit, for
// two bands |𝓕| ≥ kFirstOrderLimit). Two bands by the closed forms of phase_space.hpp (Eqs. 23,
// 28); N bands by the Kubo sums of nband_phase_geometry.hpp. In a degenerate group the split of
// δε_n and 𝒟_n among its bands is not gauge invariant, their sum is; so is the group's term to the
// first order these equations keep (Σ 𝒟_n f(ε + δε_n) = Σ 𝒟_n f(ε) + f′(ε) Σ δε_n).
template <int N>
struct PhaseLevels {
    double plain[N], corrected[N], dos[N];
    bool finite, beyond;
};

template <class Model>
BZINT_HD_INLINE PhaseLevels<2> phase_levels(const TexturedTwoBand<Model>& hamiltonian, const double x[kPhaseCoords]) {
    PhaseSpacePoint p;
    hamiltonian(x, p);
    const double e = sqrt(dot3(p.d, p.d)), F = phase_space_scalar_curvature(p);
    const double de = energy_correction(e, F);
    PhaseLevels<2> L;
    for (int b = 0; b < 2; ++b) {
        const int s = 2 * b - 1;
        L.plain[b] = p.d0 + s * e;
        L.corrected[b] = L.plain[b] + de;
        L.dos[b] = dos_factor(F, s);
    }
    L.finite = is_finite(de) && e > 0.0;
    L.beyond = fabs(F) >= kFirstOrderLimit;
    return L;
}

template <class Model>
BZINT_HD_INLINE PhaseLevels<Model::bands> phase_levels(const TexturedNBand<Model>& hamiltonian, const double x[kPhaseCoords]) {
    constexpr int N = Model::bands;
    NBandPhaseEigen<N> s;
    PhaseLevels<N> L;
    L.finite = nband_phase_eigen_at(hamiltonian, x, s);
    L.beyond = false;
    for (int b = 0; b < N; ++b) {
        L.plain[b] = s.e[b];
        L.corrected[b] = s.e[b] + phase_energy_correction<N>(s, b);
        L.dos[b] = phase_dos_factor<N>(s, b);
        L.finite = L.finite && is_finite(L.corrected[b]) && is_finite(L.dos[b]);
        L.beyond = L.beyond || 2.0 * fabs(1.0 - L.dos[b]) >= kFirstOrderLimit;
    }
    return L;
}

// Point idx = position · mesh.count() + mesh index. Key 2·position + (on the coarse sub-mesh), as
// key_by_submesh's halves (docs/accuracy.md); values [j] = Σ_n 𝒟_n f(ε̄_n − μ_j) and
// [levels + j] = Σ_n f(ε_n − μ_j), to be multiplied by the mesh's measure d^dk/(2π)^d, and
// [2 levels] = 1 where the gradient expansion fails (PhaseLevels::beyond; counted, not weighted).
// With by_band, then [2 levels + 1 + n levels + j] = 𝒟_n f(ε̄_n − μ_j), band n's part of the first
// (bands in order of energy at each point; their sum is the first to rounding).
// The mesh is over the kinetic momentum k = p + a(r, t): at a fixed (r, t) the shift has unit
// Jacobian, and a continuum model's k-box then stays where its cutoff is. Two-band and N-band
// models alike (Textured<Model>).
template <class Model>
struct TextureDensityFn {
    Textured<Model> hamiltonian;
    Mesh mesh;              // over the canonical momentum p
    const double* r;        // positions, three numbers each
    double t;
    const double* mu;       // levels
    int levels;             // at most (kMaxKeyedValues − 1) / 2, with by_band / (2 + bands)
    int positions;
    double T;
    bool by_band;
    using Out = KeyedOutT<1>;
    BZINT_HD int n_values() const { return 2 * levels + 1 + (by_band ? texture_bands<Model>() * levels : 0); }
    BZINT_HD int n_keys() const { return 2 * positions; }

    BZINT_HD bool operator()(long long idx, Out& out) const {
        double x[kPhaseCoords];
        out.key[0] = texture_point(hamiltonian, mesh, idx, r, 3, t, x);
        const auto L = phase_levels(hamiltonian, x);
        constexpr int N = static_cast<int>(sizeof(L.plain) / sizeof(L.plain[0]));
        out.n = 1;
        bool finite = L.finite;
        for (int j = 0; j < levels; ++j) {
            double n_corrected = 0.0, n_plain = 0.0;
            for (int b = 0; b < N; ++b) {
                const double part = L.dos[b] * fermi(L.corrected[b] - mu[j], T);
                n_corrected += part;
                n_plain += fermi(L.plain[b] - mu[j], T);
                if (by_band) out.val[0][2 * levels + 1 + b * levels + j] = part;
            }
            out.val[0][j] = n_corrected;
            out.val[0][levels + j] = n_plain;
            finite = finite && is_finite(n_corrected);
        }
        out.val[0][2 * levels] = L.beyond ? 1.0 : 0.0;
        return finite;
    }
};

}  // namespace bzint
