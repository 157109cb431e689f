// The Fermi contour of a 2D two-band model on the integration mesh by the linear triangle
// method (include/bzint/fermi_contour.hpp): the mesh vertices of the triangles the contour
// crosses, with their weights, so that ∫ d²k/(2π)² g δ(ε_n − μ) ≈ Σ_i w_i g(k_i).
#pragma once
#include <vector>

#include "bzint/disorder.hpp"
#include "bzint/mesh.hpp"
#include "bzint/models/all.hpp"

namespace bzint {

struct ContourPoint {
    long long idx;  // mesh index of the vertex
    int band;       // 0 lower, 1 upper
    double w;       // weight (1/(energy × length²) × d²k/(2π)²)
};

// Every square cell is cut into two triangles along each of its diagonals (half weight per
// cut, so the contour keeps the mesh's mirror symmetries); lattice meshes
// wrap around the cell, continuum boxes do not: `touches_edge` reports a Fermi level that is not
// above the lower band and below the upper band all along the box edge (the contour would be
// cut by the box). Points come sorted by (band, idx).
std::vector<ContourPoint> fermi_contour(const ModelParams& model, const Mesh& mesh, double mu, bool lattice,
                                        bool& touches_edge);

// The states the Born response needs at each contour point (include/bzint/disorder.hpp).
std::vector<FsState> contour_states(const ModelParams& model, const Mesh& mesh, const std::vector<ContourPoint>& contour);

}  // namespace bzint
