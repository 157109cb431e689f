// The equilibrium particle current of a textured two-band model at phase-space points (r, t), as
// an integral over momentum (kinetic-equation paper, Eq. 30; docs/textures.md):
//   j(r, t; μ) = Σ_s ∫ d^dp/(2π)^d n_s [∂_p ε_s − (Δ/4) ∂_p 𝓕
//                                        + q_s (𝓕_tp + 𝓕_{p p_l} ∂_{r_l} ε_s − 𝓕_{p r_l} ∂_{p_l} ε_s)],
// Δ = 2|d|, with the local equilibrium n_s = 𝒟_s f(ε̄_s − μ) of task texture_density. In a uniform
// electric field (texture.hpp: a(t) = −E t) the 𝓕_tp term is the anomalous velocity E × Ω_s of the
// Hall effect and of the Thouless pump.
#pragma once
#include "bzint/fermi.hpp"
#include "bzint/mesh.hpp"
#include "bzint/per_k.hpp"
#include "bzint/phase_space_motion.hpp"
#include "bzint/texture.hpp"
#include "bzint/texture_point.hpp"
#include "bzint/texture_density.hpp"

namespace bzint {

// Point idx = point · mesh.count() + mesh index; a point is (x, y, z, t). Keys 2·point + (on the
// coarse sub-mesh), as TextureDensityFn's; values [3j + c] = Σ_s n_s v_s,c for level μ_j (to be
// multiplied by the mesh's measure), and [3 levels] = 1 where |𝓕| ≥ kFirstOrderLimit; with by_band,
// then [3 levels + 1 + 3 (b levels + j) + c] = n_s v_s,c of the lower (b = 0) and upper (b = 1)
// band, whose sum is the first to rounding. The mesh is over the kinetic momentum k = p + a(r, t)
// (TextureDensityFn).
template <class Model>
struct TextureCurrentFn {
    TexturedTwoBand<Model> hamiltonian;
    Mesh mesh;
    const double* points;  // four numbers each: x, y, z, t
    const double* mu;      // levels
    int levels;            // at most (kMaxKeyedValues − 1) / 3, with by_band / 9
    int n_points;
    double T;
    double step;  // of ∂_p 𝓕's difference (momentum); 0 where 𝓕 vanishes identically (no difference taken)
    bool by_band;
    using Out = KeyedOutT<1>;
    BZINT_HD int n_values() const { return (by_band ? 9 : 3) * levels + 1; }
    BZINT_HD int n_keys() const { return 2 * n_points; }

    BZINT_HD bool operator()(long long idx, Out& out) const {
        double x[kPhaseCoords];
        out.key[0] = texture_point(hamiltonian, mesh, idx, points, 4, 0.0, x);
        PhaseSpacePoint p;
        hamiltonian(x, p);
        const double e = sqrt(dot3(p.d, p.d)), F = phase_space_scalar_curvature(p);
        double grad_F[3] = {0.0, 0.0, 0.0};  // along the model's momentum axes; H does not vary along the others
        if (step > 0.0) scalar_curvature_gradient(hamiltonian, x, kCoordKx, Model::dim, step, grad_F);
        double v[2][3];
        current_velocity(p, -1, grad_F, v[0]);
        current_velocity(p, +1, grad_F, v[1]);
        const double de = energy_correction(e, F);
        out.n = 1;
        bool finite = e > 0.0 && is_finite(de) && is_finite(grad_F[0] + grad_F[1] + grad_F[2]);
        for (int j = 0; j < levels; ++j) {
            for (int c = 0; c < 3; ++c) out.val[0][3 * j + c] = 0.0;
            for (int b = 0; b < 2; ++b) {
                const int s = 2 * b - 1;
                const double occupation = dos_factor(F, s) * fermi(p.d0 + s * e + de - mu[j], T);
                for (int c = 0; c < 3; ++c) out.val[0][3 * j + c] += occupation * v[b][c];
                if (by_band)
                    for (int c = 0; c < 3; ++c) out.val[0][3 * levels + 1 + 3 * (b * levels + j) + c] = occupation * v[b][c];
            }
            finite = finite && is_finite(out.val[0][3 * j] + out.val[0][3 * j + 1] + out.val[0][3 * j + 2]);
        }
        out.val[0][3 * levels] = fabs(F) >= kFirstOrderLimit ? 1.0 : 0.0;
        return finite;
    }
};

}  // namespace bzint
