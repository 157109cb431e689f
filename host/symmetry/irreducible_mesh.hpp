// The irreducible part of a Γ-centred mesh under a magnetic point group (docs/symmetry.md): each
// star {g·k} of mesh points is represented by its first point (lowest index), which carries the
// star's size as its weight; every other point weighs 0. A Fermi scan then evaluates the
// representatives only (per_k.hpp ScanFn::orbit) and symmetrises its sums (symmetrise.hpp):
// Σ_{k′∈star} q(k′) = |star| · (1/|G|) Σ_g D(g) q(k) for a model that has the group.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "bzint/mesh.hpp"
#include "point_group.hpp"

namespace bzint {

struct IrreducibleMesh {
    std::vector<PointOp> group;
    std::vector<std::uint8_t> weight;  // per mesh point: its star's size on the representative, else 0
    long long points = 0;               // the representatives
    long long n[3] = {0, 0, 0};         // the mesh's counts
    bool of(const Mesh& mesh) const { return n[0] == mesh.n[0] && n[1] == mesh.n[1] && n[2] == mesh.n[2]; }
};

// The mesh's stars. Throws InputError (naming `where` and the operation) when the mesh is not
// Γ-centred, an operation is not a symmetry of the lattice, does not map the mesh onto itself
// (e.g. C4z with n0 ≠ n1), or mixes the points of the error estimate's coarse sub-mesh with the
// others. `bravais` are the lattice rows (mesh.basis the reciprocal ones).
IrreducibleMesh irreducible_mesh(const Mesh& mesh, const double bravais[3][3], const std::vector<PointOp>& group,
                                 const std::string& where);
// The same checks alone, without the stars (for the run file's check, before any work).
void check_symmetric_mesh(const Mesh& mesh, const double bravais[3][3], const std::vector<PointOp>& group,
                          const std::string& where);

}  // namespace bzint
