#include "model_registry.hpp"

#include <cmath>

namespace bzint {

namespace {

template <class M>
constexpr int bands_of() {
    if constexpr (requires { M::bands; }) return M::bands;
    else return 2;
}

template <class M>
ModelInfo info_of(int id) {
    ModelInfo info;
    info.name = M::name;
    info.id = id;
    info.dim = M::dim;
    info.lattice = M::lattice;
    info.bands = bands_of<M>();
    for (const ParamSpec& p : M::params) info.params.push_back(p);
    for (int i = 0; i < 3; ++i)
        for (int j = 0; j < 3; ++j) info.bravais[i][j] = (i == j) ? 1.0 : 0.0;
    M::bravais(info.bravais);
    return info;
}

template <class... M>
void collect(ModelList<M...>, std::vector<ModelInfo>& out) {
    int id = static_cast<int>(out.size());
    (out.push_back(info_of<M>(id++)), ...);
}

}  // namespace

const std::vector<ModelInfo>& model_infos() {
    static const std::vector<ModelInfo> infos = [] {
        std::vector<ModelInfo> v;
        collect(AllModels{}, v);
        collect(AllNBandModels{}, v);
        return v;
    }();
    return infos;
}

const ModelInfo* find_model(const std::string& name) {
    for (const ModelInfo& m : model_infos())
        if (m.name == name) return &m;
    return nullptr;
}

std::string model_names() {
    std::string s;
    for (const ModelInfo& m : model_infos()) s += (s.empty() ? "" : ", ") + m.name;
    return s;
}

void reciprocal_basis(const double A[3][3], double G[3][3]) {
    double c[3][3];
    cross3(A[1], A[2], c[0]);
    cross3(A[2], A[0], c[1]);
    cross3(A[0], A[1], c[2]);
    const double vol = dot3(A[0], c[0]);
    for (int i = 0; i < 3; ++i)
        for (int j = 0; j < 3; ++j) G[i][j] = kTwoPi * c[i][j] / vol;
}

Mesh make_mesh(const ModelInfo& info, const ModelParams& params, const std::array<long long, 3>& n,
               const std::array<double, 3>& shift) {
    Mesh mesh{};
    mesh.dim = info.dim;
    const std::array<long long, 3> counts{n[0], info.dim > 1 ? n[1] : 1, info.dim > 2 ? n[2] : 1};
    // A lattice mesh moved by half a spacing along every axis is the cell's midpoint rule. With the
    // ½ in the mesh itself (not in the origin) its error-estimate sub-mesh takes an odd factor and the
    // centred offset (Mesh::coarse_step_of): a midpoint mesh too, keeping the mesh's inversion
    // symmetry — the even sub-mesh would sit a quarter of its spacing off and give components that
    // vanish by symmetry spurious estimates (docs/accuracy.md). Only where every axis has an odd
    // factor; otherwise the shift goes into the origin and the sub-mesh is the even one. The points
    // are the same either way.
    bool midpoint = info.lattice;
    for (int i = 0; i < info.dim; ++i) midpoint = midpoint && shift[i] == 0.5 && Mesh::coarse_step_of(counts[i], 0.5) > 1;
    mesh.shift = !info.lattice || midpoint ? 0.5 : 0.0;
    for (int a = 0; a < 3; ++a) {
        mesh.origin[a] = 0.0;
        for (int b = 0; b < 3; ++b) mesh.basis[a][b] = 0.0;
    }
    const double kcut = info.lattice ? 0.0 : params.p[info.params.size() - 1];
    if (info.lattice)
        reciprocal_basis(info.bravais, mesh.basis);
    else
        for (int a = 0; a < info.dim; ++a) mesh.basis[a][a] = 2.0 * kcut;
    mesh.set_counts(counts[0], counts[1], counts[2]);
    if (info.lattice) {
        for (int i = 0; i < info.dim && !midpoint; ++i)
            for (int a = 0; a < 3; ++a) mesh.origin[a] += shift[i] * mesh.inv_n[i] * mesh.basis[i][a];
    } else {
        for (int a = 0; a < info.dim; ++a) mesh.origin[a] = -kcut;
    }
    return mesh;
}

double mesh_weight(const Mesh& mesh) {
    double vol;
    const auto& G = mesh.basis;
    if (mesh.dim == 1) {
        vol = std::fabs(G[0][0]);
    } else if (mesh.dim == 2) {
        vol = std::fabs(G[0][0] * G[1][1] - G[0][1] * G[1][0]);
    } else {
        double c[3];
        cross3(G[1], G[2], c);
        vol = std::fabs(dot3(G[0], c));
    }
    return vol / (static_cast<double>(mesh.count()) * std::pow(kTwoPi, mesh.dim));
}

std::array<double, 3> cartesian_k(const ModelInfo& info, const std::array<double, 3>& reduced) {
    if (!info.lattice) return reduced;
    double G[3][3];
    reciprocal_basis(info.bravais, G);
    std::array<double, 3> k{0, 0, 0};
    for (int i = 0; i < info.dim; ++i)
        for (int a = 0; a < 3; ++a) k[a] += reduced[i] * G[i][a];
    return k;
}

std::array<double, 3> reduced_k(const ModelInfo& info, const std::array<double, 3>& k) {
    if (!info.lattice) return k;
    std::array<double, 3> reduced{0, 0, 0};
    for (int i = 0; i < info.dim; ++i)
        for (int a = 0; a < 3; ++a) reduced[i] += k[a] * info.bravais[i][a] / (2 * std::acos(-1.0));
    return reduced;
}

}  // namespace bzint
