// The [texture] section of a run file (docs/textures.md, keys in docs/run-file.md): the spin
// texture m(r), its exchange coupling J, the mass ramp ṁ and the uniform field B of the textured
// Hamiltonian H(r, p, t) = H_0(p + a(r)) + J m(r)·σ + ṁ t σ_z (include/bzint/texture.hpp).
#pragma once
#include "bzint/texture.hpp"
#include "task_registry.hpp"

namespace bzint {

using TextureSetup = TextureTerms;

// Reads and validates [texture] (an InputError naming file, line and key).
TextureSetup read_texture(const TaskContext& ctx);

// Whether H is periodic in k with the texture's exchange field: a model with orbital-position
// phases (model_traits.hpp) has H_0(k + G) = V H_0(k) V† with a V that does not commute with an
// in-plane exchange field, so only an exchange along z (or none) keeps H(k + G) ~ H(k).
bool periodic_in_k(const TaskContext& ctx, const TextureTerms& t);

// The texture's period along Cartesian axis a (0, 1, 2): the square cell's side L for a skyrmion
// lattice (x, y) and a spiral (x); 0 where it has none — the walls and isolated skyrmions, and the
// axes a texture does not vary along, whose period is any length (returned as −1).
double texture_period(const SpinTexture& t, int axis);

}  // namespace bzint
