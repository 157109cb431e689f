// Host-side view of the built-in models: names, dimensions, parameters, lattices, and
// the k-meshes they are integrated on.
#pragma once
#include <array>
#include <string>
#include <vector>

#include "bzint/mesh.hpp"
#include "bzint/models/all.hpp"

namespace bzint {

struct ModelInfo {
    std::string name;
    int id;
    int dim;
    bool lattice;
    int bands;  // 2 for the two-band models, N for N-band models
    std::vector<ParamSpec> params;
    double bravais[3][3];  // lattices: real-space Bravais vectors (rows); 2D models use A3 = ẑ
};

const std::vector<ModelInfo>& model_infos();
// nullptr when unknown.
const ModelInfo* find_model(const std::string& name);
std::string model_names();  // "a, b, c" for error messages

// The integration mesh of a model: Γ-centred over the reciprocal basis (lattices), moved by
// shift[i] mesh spacings along G_i ([mesh] shift), or the midpoint rule on |k_a| ≤ kcut
// (continuum; kcut is the model's last parameter; shift must be zero).
Mesh make_mesh(const ModelInfo& info, const ModelParams& params, const std::array<long long, 3>& n,
               const std::array<double, 3>& shift = {0.0, 0.0, 0.0});

// The measure d^dk/(2π)^d of one mesh point.
double mesh_weight(const Mesh& mesh);

// Reciprocal basis rows G_i with G_i·A_j = 2π δ_ij.
void reciprocal_basis(const double A[3][3], double G[3][3]);

// Reduced coordinates → Cartesian k (lattices); continuum models take Cartesian k as is.
std::array<double, 3> cartesian_k(const ModelInfo& info, const std::array<double, 3>& reduced);
// Its inverse: Cartesian k → reduced coordinates k·A_i/2π (lattices); continuum models keep k.
std::array<double, 3> reduced_k(const ModelInfo& info, const std::array<double, 3>& k);

}  // namespace bzint
