// The local orbital magnetisation of a textured model at points (r, t): that of the uniform
// Hamiltonian H(r, ·, t) the point sees, to zeroth order in the gradients,
//   M(r; μ) = Σ_n ∫ d^dk/(2π)^d [m_n f(ε_n − μ) + Ω_n T ln(1 + e^{(μ − ε_n)/T})]
// (its z component in 2D, the vector in 3D),
// the modern theory's finite-temperature form (Xiao, Yao, Fang and Niu, PRL 97, 026603 (2006),
// Eq. 5 with bzint's Ω_n and orbital moment m_n of two_band.hpp and nband_geometry.hpp). Its
// μ-derivative is Σ∫ [f Ω_n + m_n (−f′)], task streda's ∂n/∂B (Maxwell's relation
// ∂M/∂μ = ∂n/∂B), which fixes M's sign as bzint's B enters H. The particle current j = −∇ × M,
// in 2D (−∂_y M_z, ∂_x M_z, 0) (its electric current −e j is the curl of the moment density), is
// the equilibrium magnetisation current to first order in the gradients (docs/textures.md "What Eq.
// 30's current is"). Two-band models by the closed forms, N-band ones by the Kubo sums: in a
// degenerate group (a Kramers pair) only the group's sums of m_n and Ω_n are gauge invariant, and
// a group shares one energy, so M takes exactly those sums.
#pragma once
#include "bzint/fermi.hpp"
#include "bzint/mesh.hpp"
#include "bzint/nband_geometry.hpp"
#include "bzint/nband_texture.hpp"
#include "bzint/per_k.hpp"
#include "bzint/texture.hpp"
#include "bzint/texture_point.hpp"
#include "bzint/two_band.hpp"

namespace bzint {

// T ln(1 + e^{−x/T}) for x = ε − μ, without overflow; its T → 0 limit max(−x, 0) at T = 0.
BZINT_HD double grand_occupation(double x, double T) {
    if (T <= 0.0) return x < 0.0 ? -x : 0.0;
    const double y = -x / T;
    return y > 0.0 ? T * (y + log1p(exp(-y))) : T * log1p(exp(y));
}

// The bands' geometry (energies, Ω_n, m_n) of the uniform Hamiltonian H(r, ·, t) that phase-space
// point x sees, at the kinetic momentum k = p + a(r, t); false where an N-band eigensolver did not
// converge (the two-band closed forms always return true: where |d| = 0 their sums are not finite,
// which the caller's finiteness check catches).
template <class Model>
BZINT_HD_INLINE bool local_geometry(const TexturedTwoBand<Model>& hamiltonian, const double x[kPhaseCoords], BandGeometry (&g)[2]) {
    PhaseSpacePoint p;
    hamiltonian(x, p);
    TwoBandPoint h;  // H and its momentum derivatives at this point
    h.d0 = p.d0;
    for (int a = 0; a < 3; ++a) {
        h.d[a] = p.d[a];
        h.dd0[a] = p.dd0[kCoordKx + a];
        for (int c = 0; c < 3; ++c) h.dd[a][c] = p.dd[kCoordKx + a][c];
    }
    two_band_geometry(h, g);
    return true;
}

template <class Model>
BZINT_HD_INLINE bool local_geometry(const TexturedNBand<Model>& hamiltonian, const double x[kPhaseCoords],
                                    BandGeometry (&g)[Model::bands]) {
    NBandPoint<Model::bands> h;
    hamiltonian.bloch_at(x, h);
    return nband_geometry<Model::bands>(h, g);
}

// Point idx = point · mesh.count() + mesh index; a point is (x, y, z, t). Keys 2·point + (on the
// coarse sub-mesh), as TextureDensityFn's; values [j] = M_z's integrand at level μ_j for a 2D mesh,
// [3j + c] = M_c's for a 3D one (to be multiplied by the mesh's measure); with by_band, then band
// n's part at [(1 + n) C L + C j + c] (C components, L levels; bands in order of energy at each
// point, their parts summing to the whole to rounding; within a degenerate group only their sum is
// gauge invariant). Two-band and N-band models alike (Textured<Model>). The mesh is over the
// kinetic momentum (TextureDensityFn), so a uniform B leaves M as it is at B = 0.
template <class Model>
struct TextureMagnetisationFn {
    Textured<Model> hamiltonian;
    Mesh mesh;
    const double* points;  // four numbers each: x, y, z, t
    const double* mu;      // levels
    int levels;
    int n_points;
    double T;
    bool by_band;
    using Out = KeyedOutT<1>;
    BZINT_HD int components() const { return mesh.dim == 3 ? 3 : 1; }
    BZINT_HD int n_values() const { return components() * levels * (by_band ? 1 + texture_bands<Model>() : 1); }
    BZINT_HD int n_keys() const { return 2 * n_points; }

    BZINT_HD bool operator()(long long idx, Out& out) const {
        double x[kPhaseCoords];
        out.key[0] = texture_point(hamiltonian, mesh, idx, points, 4, 0.0, x);
        constexpr int N = texture_bands<Model>();
        BandGeometry g[N];
        bool finite = local_geometry(hamiltonian, x, g);
        out.n = 1;
        const int nc = components(), first = 3 - nc;  // z alone, or x, y, z
        for (int j = 0; j < levels; ++j) {
            double f[N], grand[N];
            for (int b = 0; b < N; ++b) {
                f[b] = fermi(g[b].energy - mu[j], T);
                grand[b] = grand_occupation(g[b].energy - mu[j], T);
            }
            for (int c = 0; c < nc; ++c) {
                double sum = 0.0;
                for (int b = 0; b < N; ++b) {
                    const double part = g[b].m[first + c] * f[b] + g[b].omega[first + c] * grand[b];
                    sum += part;
                    if (by_band) out.val[0][(1 + b) * nc * levels + nc * j + c] = part;
                }
                out.val[0][nc * j + c] = sum;
                finite = finite && is_finite(sum);
            }
        }
        return finite;
    }
};

}  // namespace bzint
