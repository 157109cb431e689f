// The Weyl nodes of a 3D two-band lattice model and the chiral (ABJ) anomaly of each
// (include/bzint/weyl_nodes.hpp, docs/textures.md "The chiral anomaly"): the nodes found by a damped
// Newton iteration from the search mesh's points near a zero of d; per node its position,
// energy and chirality sign det(∂d/∂k); the Berry flux of d̂ through a sphere around it (χ by an
// independent quadrature); and Eq. 52's anomaly rate from that sphere's boundary flux, beside
// Eq. 53's Landau-level value −χ e²/4π².
#include <fmt/core.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <vector>

#include "../engine.hpp"
#include "../input_error.hpp"
#include "bzint/special/gauss_legendre.hpp"
#include "bzint/weyl_nodes.hpp"
#include "task_common.hpp"

namespace bzint {

namespace {

struct NodeSetup {
    long long n[3];
    double radius = 0.0;  // 0: a quarter of the distance to the nearest other node
    int points;           // Gauss–Legendre points in u = cos θ (φ: twice as many)
    double mu, T;
};

struct Node {
    double k[3];        // Cartesian
    double reduced[3];  // along G_i, in [0, 1)
    double energy, det, step;
    bool regular;  // det ∂d/∂k away from 0 (well_conditioned): a simple Weyl node
};

NodeSetup read_nodes(const TaskContext& ctx) {
    require_dim(ctx, 3, 3);
    const Section& task = ctx.task;
    task.only();
    const ModelInfo& info = *ctx.cfg.model;
    if (info.bands != 2)
        task.fail("kind", fmt::format("task 'weyl_nodes' needs a two-band model; '{}' has {} bands", info.name, info.bands));
    if (!info.lattice)
        task.fail("kind", fmt::format("task 'weyl_nodes' needs a lattice model; '{}' is a continuum model", info.name));
    NodeSetup s;
    const std::vector<double> n = task.node("n") ? task.numbers("n", 3) : std::vector<double>{24, 24, 24};
    if (n.size() != 3) task.fail("n", "n needs three integers, the search mesh along G_1, G_2, G_3");
    for (int i = 0; i < 3; ++i) {
        s.n[i] = static_cast<long long>(n[i]);
        if (static_cast<double>(s.n[i]) != n[i]) task.fail("n", "n must be three integers");
    }
    s.radius = task.number("radius", 0.0);
    s.points = static_cast<int>(task.integer("points", 48));
    if (s.points % 2 != 0) task.fail("points", fmt::format("points must be even (the estimate halves it); got {}", s.points));
    s.mu = task.number("mu", 0.0);
    s.T = read_temperature(ctx);
    return s;
}

// The sphere's two integrals, (1/4π)∮𝓑·dS (χ) and Eq. 52's bracket, with `points` × 2·points
// nodes; nz gets the smallest and largest n_z met on the sphere.
template <class Model>
std::array<double, 2> sphere_integrals(const Model& model, const Node& node, double R, int points, double mu, double T,
                                       double* nz) {
    std::vector<double> u, w;
    gauss_legendre(points, u, w);
    const int nphi = 2 * points;
    double flux = 0.0, bracket = 0.0, lo = 1e300, hi = -1e300;
    const double K[3] = {node.k[0], node.k[1], node.k[2]};
    for (int i = 0; i < points; ++i)
        for (int j = 0; j < nphi; ++j) {
            double f, nz_here;
            const double b = boundary_flux_density(model, K, R, u[i], kTwoPi * j / nphi, mu, T, f, nz_here);
            const double weight = w[i] * kTwoPi / nphi;
            flux += weight * f;
            bracket += weight * b;
            lo = std::min(lo, nz_here);
            hi = std::max(hi, nz_here);
        }
    if (nz) {
        nz[0] = lo;
        nz[1] = hi;
    }
    return {flux, bracket};
}

// Nodes: damped Newton from every mesh point within reach of a zero — |d| ≤ ‖∂d/∂k‖ h, h the mesh's
// longest step, which every point of a node's cell satisfies to first order — kept once (mod G).
// Points that straddle a mirror plane (where ∂d/∂k_z = 0 and |d| is smallest between two nodes)
// are among them along with their neighbours, from which Newton reaches the nodes.
template <class Model>
std::vector<Node> find_nodes(const Model& model, const ModelInfo& info, const NodeSetup& s, double& scale,
                             double& smallest, double (&smallest_at)[3]) {
    double G[3][3];
    reciprocal_basis(info.bravais, G);
    const long long n0 = s.n[0], n1 = s.n[1], n2 = s.n[2];
    std::vector<char> candidate(static_cast<std::size_t>(n0 * n1 * n2), 0);
    auto cartesian = [&](const double r[3], double k[3]) {
        for (int c = 0; c < 3; ++c) k[c] = r[0] * G[0][c] + r[1] * G[1][c] + r[2] * G[2][c];
    };
    double h_mesh = 0.0;
    for (int a = 0; a < 3; ++a) h_mesh = std::max(h_mesh, std::sqrt(dot3(G[a], G[a])) / static_cast<double>(s.n[a]));
    scale = 0.0;
    smallest = 1e300;
    for (long long i = 0; i < n0; ++i)
        for (long long j = 0; j < n1; ++j)
            for (long long l = 0; l < n2; ++l) {
                const double r[3] = {double(i) / n0, double(j) / n1, double(l) / n2};
                double k[3];
                cartesian(r, k);
                TwoBandPoint h;
                model(k, h);
                const double d = std::sqrt(dot3(h.d, h.d));
                double jacobian = 0.0;
                for (int a = 0; a < 3; ++a) jacobian += dot3(h.dd[a], h.dd[a]);
                candidate[static_cast<std::size_t>((i * n1 + j) * n2 + l)] = d <= std::sqrt(jacobian) * h_mesh;
                scale = std::max(scale, d);
                if (d < smallest) {
                    smallest = d;
                    std::copy(r, r + 3, smallest_at);
                }
            }
    // |G| sets the scale of k: the Newton steps are capped at one mesh step, and converge when the
    // step falls below 1e-14 |G| (k itself is periodic, so its own size is no scale).
    const double g_scale = h_mesh * static_cast<double>(std::max({n0, n1, n2}));
    std::vector<Node> nodes;
    for (long long i = 0; i < n0; ++i)
        for (long long j = 0; j < n1; ++j)
            for (long long l = 0; l < n2; ++l) {
                if (!candidate[static_cast<std::size_t>((i * n1 + j) * n2 + l)]) continue;
                const double r[3] = {double(i) / n0, double(j) / n1, double(l) / n2};
                Node node{};
                cartesian(r, node.k);
                TwoBandPoint h;
                bool converged = false;
                for (int it = 0; it < 100; ++it) {
                    model(node.k, h);
                    double delta[3];
                    if (!damped_newton_step(h, delta)) break;
                    const double length = std::sqrt(dot3(delta, delta));
                    const double cap = length > h_mesh ? h_mesh / length : 1.0;
                    for (int c = 0; c < 3; ++c) node.k[c] += cap * delta[c];
                    node.step = cap * length;
                    if (node.step < 1e-14 * g_scale) {
                        converged = true;
                        break;
                    }
                }
                model(node.k, h);
                if (!converged || !(std::sqrt(dot3(h.d, h.d)) <= 1e-10 * scale)) continue;
                node.energy = h.d0;
                node.det = jacobian_det(h.dd);
                node.regular = well_conditioned(h.dd, 1e-8);
                // Reduced coordinates r_i = k·A_i/2π, wrapped into [0, 1).
                for (int a = 0; a < 3; ++a) {
                    const double x = dot3(node.k, info.bravais[a]) / kTwoPi;
                    node.reduced[a] = x - std::floor(x);
                    if (node.reduced[a] >= 1.0 - 1e-12) node.reduced[a] = 0.0;
                }
                cartesian(node.reduced, node.k);
                bool seen = false;
                for (const Node& m : nodes) {
                    double gap = 0.0;
                    for (int a = 0; a < 3; ++a) {
                        const double d = m.reduced[a] - node.reduced[a];
                        gap = std::max(gap, std::fabs(d - std::round(d)));
                    }
                    if (gap < 1e-7) seen = true;
                }
                if (!seen) nodes.push_back(node);
            }
    std::sort(nodes.begin(), nodes.end(), [](const Node& a, const Node& b) {
        return std::lexicographical_compare(a.reduced, a.reduced + 3, b.reduced, b.reduced + 3);
    });
    return nodes;
}

// The Cartesian distance from node a to the nearest image of node b (b = a: to a's own nearest
// image, the shortest reciprocal vector).
double node_distance(const Node& a, const Node& b, const double G[3][3], bool self) {
    double best = 1e300;
    for (int x = -1; x <= 1; ++x)
        for (int y = -1; y <= 1; ++y)
            for (int z = -1; z <= 1; ++z) {
                if (self && !x && !y && !z) continue;
                double d[3];
                for (int c = 0; c < 3; ++c) d[c] = b.k[c] + x * G[0][c] + y * G[1][c] + z * G[2][c] - a.k[c];
                best = std::min(best, std::sqrt(dot3(d, d)));
            }
    return best;
}

}  // namespace

void check_weyl_nodes(TaskContext& ctx) { read_nodes(ctx); }

TaskResult task_weyl_nodes(TaskContext& ctx) {
    const NodeSetup s = read_nodes(ctx);
    const ModelInfo& info = *ctx.cfg.model;
    double G[3][3];
    reciprocal_basis(info.bravais, G);
    TaskResult out;
    out.kpoints = s.n[0] * s.n[1] * s.n[2];
    const std::string unit = energy_unit(info);
    out.units = {{"nodes", "count"},
                 {"position", "1/a (Cartesian k)"},
                 {"position_reduced", "reduced (along G_i)"},
                 {"energy", unit},
                 {"chirality", "sign det(∂d/∂k)"},
                 {"monopole_flux", "(1/4π)∮𝓑·dS: the chirality by quadrature"},
                 {"radius", "1/a"},
                 {"abj_rate", "e²/ħ² (∂_t ρ per E·B, Eq. 52)"},
                 {"abj_rate_landau", "e²/ħ² (Eq. 53: −χ/4π²)"},
                 {"total_abj_rate", "e²/ħ²"}};
    out.principal = {"abj_rate", "monopole_flux"};
    out.remedy = "raise [task] points, or choose a radius that encloses the node's Fermi pocket and no other node "
                 "(docs/textures.md)";
    visit_model(ctx.cfg.params, [&](auto model) {
        double scale = 0.0, smallest = 0.0, smallest_at[3] = {0.0, 0.0, 0.0};
        const std::vector<Node> nodes = find_nodes(model, info, s, scale, smallest, smallest_at);
        nlohmann::json pos = nlohmann::json::array(), red = nlohmann::json::array(), energy = nlohmann::json::array(),
                       chi = nlohmann::json::array(), flux = nlohmann::json::array(), rate = nlohmann::json::array(),
                       landau = nlohmann::json::array(), radius = nlohmann::json::array(), e_flux = nlohmann::json::array(),
                       e_rate = nlohmann::json::array(), e_pos = nlohmann::json::array();
        double total = 0.0, total_error = 0.0;
        int chirality_sum = 0;
        for (std::size_t a = 0; a < nodes.size(); ++a) {
            const Node& node = nodes[a];
            double nearest = node_distance(node, node, G, true);
            for (std::size_t b = 0; b < nodes.size(); ++b)
                if (b != a) nearest = std::min(nearest, node_distance(node, nodes[b], G, false));
            const double R = s.radius > 0.0 ? s.radius : 0.25 * nearest;
            if (R >= 0.5 * nearest)
                out.warnings.push_back(fmt::format("the sphere of radius {:g} around the node at reduced k = ({:.6f}, {:.6f}, "
                                                   "{:.6f}) reaches half-way to the nearest other node ({:g} away): it may "
                                                   "enclose it; lower radius",
                                                   R, node.reduced[0], node.reduced[1], node.reduced[2], nearest));
            double nz[2];
            const auto fine = sphere_integrals(model, node, R, s.points, s.mu, s.T, nz);
            const auto coarse = sphere_integrals(model, node, R, s.points / 2, s.mu, s.T, nullptr);
            // Eq. 52's bracket is the anomaly only when the sphere encloses the node's Fermi pocket:
            // the lower band filled and the upper empty all over it, n_z = −1.
            if (nz[1] > -1.0 + 1e-6)
                out.warnings.push_back(fmt::format("n_z = f(ε₊) − f(ε₋) is not −1 all over the sphere of radius {:g} around the "
                                                   "node at reduced k = ({:.6f}, {:.6f}, {:.6f}) (it ranges over [{:.3g}, "
                                                   "{:.3g}]): the sphere does not enclose the node's Fermi pocket, so Eq. 52's "
                                                   "abj_rate there is not the anomaly; choose a radius that encloses the pocket",
                                                   R, node.reduced[0], node.reduced[1], node.reduced[2], nz[0], nz[1]));
            // The chirality is the node's topological charge: sign det ∂d/∂k at a simple node; where the
            // determinant nearly vanishes (two nodes merged, or a multi-Weyl node), the flux through the
            // sphere decides — 0 is no node at all, ±2 a double-Weyl node.
            int c = node.det > 0.0 ? 1 : -1;
            if (!node.regular) {
                const double charge = std::round(fine[0]);
                if (std::fabs(fine[0] - charge) > 0.05 || charge == 0.0) {
                    out.warnings.push_back(fmt::format("the band touching at reduced k = ({:.6f}, {:.6f}, {:.6f}) has det(∂d/∂k) "
                                                       "≈ 0 and a Berry flux of {:.3g} through the sphere around it: {}; left out",
                                                       node.reduced[0], node.reduced[1], node.reduced[2], fine[0],
                                                       charge == 0.0 && std::fabs(fine[0]) <= 0.05
                                                           ? "not a Weyl node (no topological charge: e.g. two nodes merged)"
                                                           : "its charge is not resolved (raise points, or lower radius)"));
                    continue;
                }
                c = static_cast<int>(charge);
            }
            if (std::fabs(fine[0] - c) > 0.01)
                out.warnings.push_back(fmt::format("the Berry flux through the sphere around the node at reduced k = ({:.6f}, "
                                                   "{:.6f}, {:.6f}) is {:.4g}, not its chirality {}: another node lies inside "
                                                   "the sphere (lower radius, or raise [task] n to find it), or the node is too "
                                                   "anisotropic for the sphere's points (raise points)",
                                                   node.reduced[0], node.reduced[1], node.reduced[2], fine[0], c));
            chirality_sum += c;
            const double r = fine[1] / (4.0 * kPi * kPi);
            total += r;
            total_error += std::fabs(fine[1] - coarse[1]) / (4.0 * kPi * kPi);
            pos.push_back({node.k[0], node.k[1], node.k[2]});
            red.push_back({node.reduced[0], node.reduced[1], node.reduced[2]});
            e_pos.push_back({node.step, node.step, node.step});
            energy.push_back(node.energy);
            chi.push_back(c);
            flux.push_back(fine[0]);
            e_flux.push_back(std::fabs(fine[0] - coarse[0]));
            rate.push_back(r);
            e_rate.push_back(std::fabs(fine[1] - coarse[1]) / (4.0 * kPi * kPi));
            landau.push_back(-c / (4.0 * kPi * kPi));
            radius.push_back(R);
        }
        if (chirality_sum != 0)
            out.warnings.push_back(fmt::format("the chiralities sum to {}, not 0 as on every lattice (Nielsen–Ninomiya): a node "
                                               "was missed; raise [task] n",
                                               chirality_sum));
        if (pos.empty())
            out.warnings.push_back(fmt::format("no Weyl node found on the search mesh; its smallest gap 2|d| is {:.3g} {} at "
                                               "reduced k = ({:.4f}, {:.4f}, {:.4f}): a gapped model, or raise [task] n",
                                               2.0 * smallest, unit, smallest_at[0], smallest_at[1], smallest_at[2]));
        out.results = {{"nodes", pos.size()}, {"position", pos},     {"position_reduced", red}, {"energy", energy},
                       {"chirality", chi},    {"monopole_flux", flux}, {"radius", radius},     {"abj_rate", rate},
                       {"abj_rate_landau", landau}, {"total_abj_rate", total}};
        out.errors = {{"position", e_pos}, {"monopole_flux", e_flux}, {"abj_rate", e_rate}, {"total_abj_rate", total_error}};
    });
    return out;
}

}  // namespace bzint
