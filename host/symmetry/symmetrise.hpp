// The symmetrisation of a Fermi scan's sums over the irreducible mesh (irreducible_mesh.hpp):
// per level and band, each block of channels q becomes (1/|G|) Σ_g D(g) q, D(g) its law under
// g = (R, θ), s = −1 with θ (point_group.hpp):
//   the count 1 and the energy: invariant;   v (velocity, polar, odd under θ): s R;
//   Ω, m (axial, odd under θ): s det(R) R;   v·Ω: det(R);   v_a Ω_b, v_a m_b: det(R) R ⊗ R.
// A 2D scan keeps the z components of Ω and m, which a group of operations that map the mesh's
// plane onto itself (R_zz = ±1) does not mix with the others.
#pragma once
#include <vector>

#include "../engine.hpp"
#include "point_group.hpp"

namespace bzint {

// Whether the scan kind has laws here: ahc, cme, anomaly, dipole (not streda, spin_density or
// hybrid: their states sit in a field or carry the model's spin, which the group need not keep).
bool symmetrises(ScanKind kind);

// Symmetrises r (and its coarse sub-mesh and without-touching parts) in place.
void symmetrise(ScanResult& r, ScanKind kind, int dim, const std::vector<PointOp>& group);

}  // namespace bzint
