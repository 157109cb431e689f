#include "irreducible_mesh.hpp"

#include <fmt/core.h>

#include <algorithm>
#include <array>

#include "../input_error.hpp"
#include "../stop.hpp"

namespace bzint {

namespace {

// A weight per mesh point (one byte) and a visited bit: beyond this the run is refused rather
// than allowed to take the machine's memory.
constexpr long long kMaxSymmetricMeshPoints = 1LL << 32;

using IndexMap = std::array<long long, 9>;

// Each operation as an integer map of mesh indices, i′_a = Σ_b Q_ab i_b mod n_a, after the checks
// irreducible_mesh.hpp names.
std::vector<IndexMap> index_maps(const Mesh& mesh, const double bravais[3][3], const std::vector<PointOp>& group,
                                 const std::string& where) {
    if (mesh.shift != 0.0 || mesh.origin[0] != 0.0 || mesh.origin[1] != 0.0 || mesh.origin[2] != 0.0)
        throw InputError(fmt::format("{}: symmetry needs the Γ-centred mesh of a lattice model ([mesh] shift = 0); a shifted "
                                     "mesh is not mapped onto itself by the point group",
                                     where));
    const long long n = mesh.count();
    if (n > kMaxSymmetricMeshPoints)
        throw InputError(fmt::format("{}: a mesh of {} points is too large for symmetry reduction (at most 2^32: one byte "
                                     "per point); use a smaller mesh or leave out symmetry",
                                     where, n));
    // Each operation as an integer map of mesh indices: i′_a = Σ_b Q_ab i_b mod n_a, Q_ab = M_ab n_a / n_b.
    std::vector<IndexMap> Q;
    for (const PointOp& g : group) {
        int M[3][3];
        if (!reduced_matrix(g, bravais, mesh.basis, M))
            throw InputError(fmt::format("{}: '{}' is not a symmetry of the lattice (it does not map the reciprocal "
                                         "lattice onto itself); check the generators' axes against the lattice vectors",
                                         where, g.name));
        std::array<long long, 9> q{};
        for (int a = 0; a < 3; ++a)
            for (int b = 0; b < 3; ++b) {
                const long long num = M[a][b] * mesh.n[a];
                if (mesh.n[b] > 1 && num % mesh.n[b] != 0)
                    throw InputError(fmt::format(
                        "{}: '{}' does not map the mesh n = [{}, {}, {}] onto itself (it takes axis {} into axis {}); give "
                        "the axes it relates the same number of points",
                        where, g.name, mesh.n[0], mesh.n[1], mesh.n[2], b, a));
                q[3 * a + b] = mesh.n[b] > 1 ? num / mesh.n[b] : 0;
            }
        // Coarse points are i_b = s_b j_b (s the sub-mesh's steps, offset 0 on a Γ-centred mesh); Q keeps
        // them together exactly when every Q_ab s_b is a multiple of s_a (take j = ê_b), and, a bijection
        // of the mesh, then keeps the others together too.
        for (int a = 0; mesh.coarse_factor() > 0 && a < 3; ++a)
            for (int b = 0; b < 3; ++b)
                if ((q[3 * a + b] * mesh.coarse_step(b)) % mesh.coarse_step(a) != 0)
                    throw InputError(fmt::format("{}: '{}' mixes the points of the error estimate's coarse sub-mesh with "
                                                 "the others on the mesh n = [{}, {}, {}]; give the axes it relates the "
                                                 "same number of points",
                                                 where, g.name, mesh.n[0], mesh.n[1], mesh.n[2]));
        Q.push_back(q);
    }
    return Q;
}

}  // namespace

void check_symmetric_mesh(const Mesh& mesh, const double bravais[3][3], const std::vector<PointOp>& group,
                          const std::string& where) {
    index_maps(mesh, bravais, group, where);
}

IrreducibleMesh irreducible_mesh(const Mesh& mesh, const double bravais[3][3], const std::vector<PointOp>& group,
                                 const std::string& where) {
    const std::vector<IndexMap> Q = index_maps(mesh, bravais, group, where);
    const long long n = mesh.count();
    IrreducibleMesh out;
    out.group = group;
    for (int a = 0; a < 3; ++a) out.n[a] = mesh.n[a];
    out.weight.assign(static_cast<std::size_t>(n), 0);
    std::vector<bool> seen(static_cast<std::size_t>(n), false);
    std::vector<long long> star;
    for (long long idx = 0; idx < n; ++idx) {
        if (seen[static_cast<std::size_t>(idx)]) continue;
        if ((idx & 0xffff) == 0) throw_if_stopped();
        long long i[3];
        mesh.indices(idx, i);
        star.clear();
        for (const auto& q : Q) {
            long long j[3];
            for (int a = 0; a < 3; ++a) {
                long long s = q[3 * a] * i[0] + q[3 * a + 1] * i[1] + q[3 * a + 2] * i[2];
                s %= mesh.n[a];
                j[a] = s < 0 ? s + mesh.n[a] : s;
            }
            star.push_back((j[0] * mesh.n[1] + j[1]) * mesh.n[2] + j[2]);
        }
        std::sort(star.begin(), star.end());
        star.erase(std::unique(star.begin(), star.end()), star.end());
        for (long long s : star) seen[static_cast<std::size_t>(s)] = true;
        out.weight[static_cast<std::size_t>(idx)] = static_cast<std::uint8_t>(star.size());
        ++out.points;
    }
    return out;
}

}  // namespace bzint
