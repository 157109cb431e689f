// The Weyl nodes of a 3D lattice model — a two-band one's zeros of d, or an N-band one's touchings
// of bands m and m + 1, built in or from Wannier90 files — and the chiral (ABJ) anomaly of each (include/bzint/weyl_nodes.hpp,
// docs/textures.md "The chiral anomaly"), optionally with a uniform [texture]'s exchange field
// J m·S (a magnetic Weyl semimetal): the nodes found by a damped Newton iteration from the search
// mesh's points near a zero of d (pair_crossing's effective d for N bands); per node its position,
// energy and chirality sign det(∂d/∂k); the Berry flux through a sphere around it (χ by an
// independent quadrature); and Eq. 52's anomaly rate from that sphere's boundary flux, beside
// Eq. 53's Landau-level value −χ e²/4π².
#include <fmt/core.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <map>
#include <optional>
#include <type_traits>
#include <utility>
#include <vector>

#include "../engine.hpp"
#include "../input_error.hpp"
#include "../stop.hpp"
#include "../texture_input.hpp"
#include "../wannier/runtime_wannier.hpp"
#include "../wannier/wannier_model.hpp"
#include "../workers.hpp"
#include "bzint/models/all.hpp"
#include "bzint/nband_texture.hpp"
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
    int band = 0;  // the crossing of bands band and band + 1 (0 for a two-band model)
    std::optional<std::array<double, 3>> exchange;  // J m of a uniform [texture]
};

struct Node {
    double k[3];        // Cartesian
    double reduced[3];  // along G_i, in [0, 1)
    double energy, det, step;
    bool regular;   // det ∂d/∂k away from 0 (well_conditioned): a simple Weyl node
    bool multiple;  // another band touches the pair there too (other_band_distance)
};

// A [texture] here is a uniform exchange field and nothing else: H_0(k) + J m·S is then a Bloch
// Hamiltonian (WithExchange), the same in every cell, whose nodes are the magnetic Weyl
// semimetal's. A texture that varies in r, a field, a potential or a mass ramp leaves none.
std::array<double, 3> read_uniform_exchange(const TaskContext& ctx) {
    const TextureSetup t = read_texture(ctx);
    const Section texture = task_section(ctx, "texture");
    if (t.texture.kind != TextureKind::uniform)
        texture.fail("kind", "task 'weyl_nodes' takes a uniform texture only (kind = \"uniform\": the exchange field J m·S "
                             "of a ferromagnet); a texture that varies in r has no Bloch nodes");
    const std::pair<const char*, bool> extras[] = {
        {"B", t.field[0] != 0.0 || t.field[1] != 0.0 || t.field[2] != 0.0},
        {"B_modulation", t.modulation.amplitude != 0.0},
        {"E", t.electric[0] != 0.0 || t.electric[1] != 0.0 || t.electric[2] != 0.0},
        {"potential", t.potential.shape != PotentialShape::none},
        {"mass_rate", t.mass_rate != 0.0}};
    for (const auto& [key, present] : extras)
        if (present)
            texture.fail(key, "task 'weyl_nodes' takes the uniform texture's exchange field alone: this term makes H depend "
                              "on r or t, and leaves no Bloch nodes");
    require_periodic_lattice(ctx, t);
    const double x[kPhaseCoords] = {};
    double m[3], dm[3][3];
    t.texture(x, m, dm);
    return {t.exchange * m[0], t.exchange * m[1], t.exchange * m[2]};
}

NodeSetup read_nodes(const TaskContext& ctx) {
    require_dim(ctx, 3, 3);
    const Section& task = ctx.task;
    task.only();
    const ModelInfo& info = *ctx.cfg.model;
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
    // The pair at half filling unless named: bands N/2 − 1 and N/2.
    s.band = static_cast<int>(task.integer("band", info.bands / 2 - 1));
    if (s.band < 0 || s.band > info.bands - 2)
        task.fail("band", fmt::format("band {} names no crossing: the crossing of bands band and band + 1 needs band in 0 … {} "
                                      "for '{}' ({} bands)",
                                      s.band, info.bands - 2, info.name, info.bands));
    if (is_wannier(ctx.cfg.params)) {
        if (ctx.file.root()["texture"].as_table())
            task_section(ctx, "texture").fail("kind", "a Wannier model takes no [texture]: its files do not name which "
                                                      "orbitals carry which spin, so J m·S has no matrix");
    } else if (ctx.file.root()["texture"].as_table()) {
        s.exchange = read_uniform_exchange(ctx);
    }
    return s;
}

// A Wannier model above the compiled sizes as a Bloch Hamiltonian: its bands come from the
// run-time-sized engine (runtime_wannier.hpp), not from a fixed-size NBandPoint.
struct RuntimeWannierBloch {
    WannierData model;
};

// Calls f(bloch) with the model as a Bloch Hamiltonian k → H(k) (TwoBandPoint or NBandPoint<N>):
// the model itself, or with the texture's uniform exchange field; a Wannier model at its compiled
// size (its padding orbitals sit far above every band, so bands 0 … W − 1 are the file's), or
// above those sizes as a RuntimeWannierBloch. Only 3D lattice models compile here (read_nodes
// refuses the others).
template <class F>
void visit_bloch(const TaskContext& ctx, const NodeSetup& s, F&& f) {
    if (is_wannier(ctx.cfg.params)) {
        const LoadedWannier& w = wannier_of(ctx.cfg.params);
        if (w.runtime_sized())
            f(RuntimeWannierBloch{w.view()});
        else
            visit_wannier(ctx.cfg.params, [&](auto model) { f(model); });
        return;
    }
    visit_any_model(ctx.cfg.params, [&](auto model) {
        using Model = decltype(model);
        if constexpr (Model::dim == 3 && Model::lattice) {
            if (s.exchange)
                f(WithExchange<Model>{model, {(*s.exchange)[0], (*s.exchange)[1], (*s.exchange)[2]}});
            else
                f(model);
        }
    });
}

// An N-band Bloch Hamiltonian names its bands (nband_traits.hpp), as Textured<Model> decides, or
// is a run-time-sized Wannier model.
template <class Bloch>
constexpr bool is_nband_bloch = requires { Bloch::bands; } || std::is_same_v<Bloch, RuntimeWannierBloch>;

template <class Bloch>
struct IsWannierBloch : std::is_same<Bloch, RuntimeWannierBloch> {};
template <int N>
struct IsWannierBloch<models::Wannier<N>> : std::true_type {};

// A Bloch Hamiltonian's own bands: a compiled Wannier model's first num_wann (its padding
// orbitals' bands sit above them all), every band of any other.
template <class Bloch>
int own_bands(const Bloch& bloch) {
    if constexpr (std::is_same_v<Bloch, RuntimeWannierBloch>)
        return bloch.model.num_wann;
    else if constexpr (IsWannierBloch<Bloch>::value)
        return bloch.d.num_wann;
    else
        return Bloch::bands;
}

// An N-band Bloch Hamiltonian's own bands at a point, whatever the kind of its size: W energies
// ascending, the velocity matrices v[(a W + n) W + m] = ⟨n|∂_a H|m⟩ and the degeneracy threshold
// over those W levels (the layout pair_crossing and kubo_sums read). A compiled Wannier model's
// padding is left out: its bands are empty, uncoupled, and would raise the threshold's scale.
struct BandsAt {
    int W = 0;
    std::vector<double> e;
    std::vector<cplx> v;
    double degenerate = 0.0;
};

// One BandsAt per thread, reused from point to point (a run-time-sized model's 3W² velocities
// are allocated once, within the 32 W² of runtime_workspace_bytes' memory check).
BandsAt& thread_bands() {
    thread_local BandsAt b;
    return b;
}

// The bands at k into b; false when the eigensolver did not converge.
template <class Bloch>
bool bands_at(const Bloch& bloch, const double k[3], BandsAt& b) {
    bool solved;
    const int W = own_bands(bloch);
    b.W = W;
    b.e.resize(static_cast<std::size_t>(W));
    b.v.resize(3 * b.e.size() * b.e.size());
    if constexpr (std::is_same_v<Bloch, RuntimeWannierBloch>) {
        solved = runtime_wannier_bands(bloch.model, k, b.e.data(), b.v.data());
    } else {
        constexpr int N = Bloch::bands;
        NBandPoint<N> p;
        bloch(k, p);
        NBandEigen<N> s;
        solved = nband_eigen<N>(p, s);
        std::copy(s.e, s.e + W, b.e.begin());
        for (int a = 0; a < 3; ++a)
            for (int n = 0; n < W; ++n)
                for (int m = 0; m < W; ++m) b.v[(static_cast<std::size_t>(a) * W + n) * W + m] = s.v[a][n][m];
    }
    b.degenerate = degenerate_threshold(W, b.e.data());
    return solved;
}

NonFiniteError eigensolver_failed(const double k[3]) {
    return NonFiniteError(fmt::format("weyl_nodes: the eigensolver did not converge at k = ({:.17g}, {:.17g}, {:.17g})",
                                      k[0], k[1], k[2]));
}

// The crossing as a two-band point at k: the model's d, or pair_crossing's effective d of bands
// band and band + 1; false when the eigensolver did not converge.
template <class Bloch>
bool crossing_at(const Bloch& bloch, int band, const double k[3], TwoBandPoint& h) {
    if constexpr (is_nband_bloch<Bloch>) {
        BandsAt& b = thread_bands();
        if (!bands_at(bloch, k, b)) return false;
        pair_crossing(b.W, b.e.data(), b.v.data(), band, h);
    } else {
        bloch(k, h);
    }
    return true;
}

// How close another band comes to the pair's mean energy in bands b, relative to the degeneracy
// threshold's scale: a node where it vanishes is a touching of three or more bands (a Dirac point
// of Kramers pairs), not a Weyl node of the pair.
double other_band_distance(const BandsAt& b, int band) {
    const double mean = 0.5 * (b.e[band] + b.e[band + 1]);
    double distance = 1e300;
    if (band > 0) distance = std::min(distance, mean - b.e[band - 1]);
    if (band + 2 < b.W) distance = std::min(distance, b.e[band + 2] - mean);
    return distance / (b.degenerate / kDegenerateRelative);
}

// A Wannier90 file keeps time reversal and inversion only to its printed digits (H(R) to 1e-6 eV)
// and to its Wannierisation's accuracy: a Kramers pair there is split by ~1e-6–1e-4 eV. Its levels
// closer than this, relative to 1 + max|ε|, are read as degenerate when the pair is checked.
constexpr double kWannierDegenerateRelative = 1e-5;

// The pair and its neighbours at generic k: bands band and band + 1 that touch at three unrelated
// points touch everywhere (e.g. a Kramers pair, by inversion and time reversal), and a neighbour
// degenerate with one of them there makes the pair's crossings touchings of more bands. Either way
// they are not Weyl nodes (every mesh point would be one), and the input names another pair or a
// field that splits them.
template <class Bloch>
void require_split_pair(const Section& task, const std::string& model_name, const Bloch& bloch, int band) {
    if constexpr (is_nband_bloch<Bloch>) {
        constexpr bool wannier = IsWannierBloch<Bloch>::value;
        const double points[3][3] = {{0.1234, 0.5678, 0.9123}, {1.7071, -0.3141, 2.2360}, {-2.6457, 1.4142, 0.5772}};
        int pair = 0, below = 0, above = 0;
        double tolerance = 0.0;
        for (const auto& k : points) {
            BandsAt& b = thread_bands();
            if (!bands_at(bloch, k, b)) throw eigensolver_failed(k);
            tolerance = wannier ? b.degenerate / kDegenerateRelative * kWannierDegenerateRelative : b.degenerate;
            pair += b.e[band + 1] - b.e[band] <= tolerance;
            below += band > 0 && b.e[band] - b.e[band - 1] <= tolerance;
            above += band + 2 < b.W && b.e[band + 2] - b.e[band + 1] <= tolerance;
        }
        const auto refuse = [&](int a, int b, const char* what) {
            if (wannier)
                task.fail("band", fmt::format("bands {} and {} of the Wannier model are degenerate to within {:.3g} (its energy "
                                              "unit) at generic k (a Kramers pair: time reversal and inversion, kept to the "
                                              "file's precision): {}; choose another pair",
                                              a, b, tolerance, what));
            task.fail("band", fmt::format("bands {} and {} of '{}' are degenerate at generic k (e.g. a Kramers pair: inversion "
                                          "and time reversal together): {}; choose another pair, or split them with a "
                                          "[texture] exchange field",
                                          a, b, model_name, what));
        };
        if (pair == 3) refuse(band, band + 1, "they touch everywhere, not at Weyl nodes");
        if (below == 3) refuse(band - 1, band, "the pair's crossings would be touchings of more than two bands");
        if (above == 3) refuse(band + 1, band + 2, "the pair's crossings would be touchings of more than two bands");
    }
}

// A node's sphere, integrated: the lower band's flux (χ) and Eq. 52's bracket; the range of n_z
// met on it, the other bands' largest departure from filled below and empty above the pair, and
// the points where the pair's gap was not resolved (N bands).
struct SphereIntegrals {
    double flux = 0.0, bracket = 0.0;
    double nz_lo = 1e300, nz_hi = -1e300, others = 0.0;
    long long unresolved = 0;
};

// Runs body(i) for i in [0, n) on the worker threads and stops after the points under way on Ctrl-C
// (Interrupted; a block of 16 points is one unit of stop.hpp's count, for tests). Each body writes only its own slot, so what the caller sums in index order does
// not depend on the thread count.
template <class Body>
void for_each_point(long long n, Body&& body) {
    workers::parallel_for(
        n, 16,
        [&](long long begin, long long end) {
            for (long long i = begin; i < end && !stop_requested(); ++i) body(i);
            count_stop_unit();
        },
        [] { return !stop_requested(); });
    throw_if_stopped();
}

// The integrals with `points` × 2·points nodes (Gauss–Legendre in u, trapezoid in φ). Two-band
// models take boundary_flux_density (the flux of d̂), N-band ones pair_sphere_sample (Ω_n by
// Kubo). The samples are taken in parallel and summed in a fixed order.
template <class Bloch>
SphereIntegrals sphere_integrals(const Bloch& bloch, const NodeSetup& s, const Node& node, double R, int points) {
    std::vector<double> u, w;
    gauss_legendre(points, u, w);
    const int nphi = 2 * points;
    const double K[3] = {node.k[0], node.k[1], node.k[2]};
    std::vector<SphereSample> samples(static_cast<std::size_t>(points) * nphi);
    for_each_point(static_cast<long long>(samples.size()), [&](long long at) {
        const int i = static_cast<int>(at / nphi), j = static_cast<int>(at % nphi);
        const double phi = kTwoPi * j / nphi;
        if constexpr (is_nband_bloch<Bloch>) {
            const SpherePoint q = sphere_point(K, R, u[i], phi);
            BandsAt& b = thread_bands();
            const bool solved = bands_at(bloch, q.k, b);
            thread_local std::vector<BandGeometry> g;
            g.resize(b.e.size());
            samples[at] = pair_sphere_sample(b.W, b.e.data(), b.v.data(), solved, b.degenerate, s.band, q, R, s.mu, s.T, g.data());
        } else {
            samples[at] = boundary_flux_density(bloch, K, R, u[i], phi, s.mu, s.T);
        }
    });
    SphereIntegrals out;
    for (std::size_t at = 0; at < samples.size(); ++at) {
        const SphereSample& q = samples[at];
        const double weight = w[at / nphi] * kTwoPi / nphi;
        out.flux += weight * q.flux;
        out.bracket += weight * q.bracket;
        out.nz_lo = std::min(out.nz_lo, q.nz);
        out.nz_hi = std::max(out.nz_hi, q.nz);
        out.others = std::max(out.others, q.others);
        out.unresolved += !q.resolved;
    }
    return out;
}

// Nodes: damped Newton from every mesh point within reach of a zero — |d| ≤ ‖∂d/∂k‖ h, h the mesh's
// longest step, which every point of a node's cell satisfies to first order — kept once (mod G).
// Points that straddle a mirror plane (where ∂d/∂k_z = 0 and |d| is smallest between two nodes)
// are among them along with their neighbours, from which Newton reaches the nodes. The mesh and
// the Newton runs are spread over the worker threads; the nodes are collected in mesh order.
template <class Bloch>
std::vector<Node> find_nodes(const Bloch& bloch, const ModelInfo& info, const NodeSetup& s, double& scale,
                             double& smallest, double (&smallest_at)[3]) {
    double G[3][3];
    reciprocal_basis(info.bravais, G);
    const long long n0 = s.n[0], n1 = s.n[1], n2 = s.n[2];
    auto reduced_of = [&](long long p, double r[3]) {
        r[0] = double(p / (n1 * n2)) / n0;
        r[1] = double((p / n2) % n1) / n1;
        r[2] = double(p % n2) / n2;
    };
    auto cartesian = [&](const double r[3], double k[3]) {
        for (int c = 0; c < 3; ++c) k[c] = r[0] * G[0][c] + r[1] * G[1][c] + r[2] * G[2][c];
    };
    double h_mesh = 0.0;
    for (int a = 0; a < 3; ++a) h_mesh = std::max(h_mesh, std::sqrt(dot3(G[a], G[a])) / static_cast<double>(s.n[a]));
    // An eigensolver failure is an error naming its k: the lowest index's, whatever the threads.
    std::vector<double> gap(static_cast<std::size_t>(n0 * n1 * n2)), reach(gap.size());
    std::vector<char> failed(gap.size(), 0);
    for_each_point(static_cast<long long>(gap.size()), [&](long long p) {
        double r[3], k[3];
        reduced_of(p, r);
        cartesian(r, k);
        TwoBandPoint h;
        if (!crossing_at(bloch, s.band, k, h)) {
            failed[p] = 1;
            return;
        }
        double jacobian = 0.0;
        for (int a = 0; a < 3; ++a) jacobian += dot3(h.dd[a], h.dd[a]);
        gap[p] = std::sqrt(dot3(h.d, h.d));
        reach[p] = std::sqrt(jacobian) * h_mesh;
    });
    scale = 0.0;
    smallest = 1e300;
    std::vector<long long> candidates;
    for (std::size_t p = 0; p < gap.size(); ++p) {
        if (failed[p]) {
            double r[3], k[3];
            reduced_of(static_cast<long long>(p), r);
            cartesian(r, k);
            throw eigensolver_failed(k);
        }
        if (gap[p] <= reach[p]) candidates.push_back(static_cast<long long>(p));
        scale = std::max(scale, gap[p]);
        if (gap[p] < smallest) {
            smallest = gap[p];
            reduced_of(static_cast<long long>(p), smallest_at);
        }
    }
    // |G| sets the scale of k: the Newton steps are capped at one mesh step, and converge when the
    // step falls below 1e-14 |G| (k itself is periodic, so its own size is no scale).
    const double g_scale = h_mesh * static_cast<double>(std::max({n0, n1, n2}));
    std::vector<std::optional<Node>> found(candidates.size());
    std::vector<std::optional<std::array<double, 3>>> failed_at(candidates.size());
    for_each_point(static_cast<long long>(candidates.size()), [&](long long c) {
        double r[3];
        reduced_of(candidates[c], r);
        Node node{};
        cartesian(r, node.k);
        TwoBandPoint h;
        bool converged = false;
        const auto fail = [&] { failed_at[c] = std::array<double, 3>{node.k[0], node.k[1], node.k[2]}; };
        for (int it = 0; it < 100; ++it) {
            if (stop_requested()) return;  // a run of a large model's eigen-decompositions: answer Ctrl-C
            if (!crossing_at(bloch, s.band, node.k, h)) return fail();
            double delta[3];
            if (!damped_newton_step(h, delta)) break;
            const double length = std::sqrt(dot3(delta, delta));
            const double cap = length > h_mesh ? h_mesh / length : 1.0;
            for (int a = 0; a < 3; ++a) node.k[a] += cap * delta[a];
            node.step = cap * length;
            if (node.step < 1e-14 * g_scale) {
                converged = true;
                break;
            }
        }
        if (!crossing_at(bloch, s.band, node.k, h)) return fail();
        if (!converged || !(std::sqrt(dot3(h.d, h.d)) <= 1e-10 * scale)) return;
        node.energy = h.d0;
        node.det = jacobian_det(h.dd);
        node.regular = well_conditioned(h.dd, 1e-8);
        // crossing_at left the node's bands in thread_bands() (N bands; two have no other band).
        if constexpr (is_nband_bloch<Bloch>) node.multiple = other_band_distance(thread_bands(), s.band) < 1e-6;
        // Reduced coordinates r_i = k·A_i/2π, wrapped into [0, 1); within 1e-12 of a zone face
        // (rounding's reach) the face itself, so that the order below is the same for any H(k) equal
        // to rounding.
        for (int a = 0; a < 3; ++a) {
            const double x = dot3(node.k, info.bravais[a]) / kTwoPi;
            node.reduced[a] = std::fabs(x - std::round(x)) < 1e-12 ? 0.0 : x - std::floor(x);
        }
        cartesian(node.reduced, node.k);
        found[c] = node;
    });
    for (const auto& k : failed_at)
        if (k) throw eigensolver_failed(k->data());
    std::vector<Node> nodes;
    for (const std::optional<Node>& node : found) {
        if (!node) continue;
        bool seen = false;
        for (const Node& m : nodes) {
            double apart = 0.0;
            for (int a = 0; a < 3; ++a) {
                const double d = m.reduced[a] - node->reduced[a];
                apart = std::max(apart, std::fabs(d - std::round(d)));
            }
            if (apart < 1e-7) seen = true;
        }
        if (!seen) nodes.push_back(*node);
    }
    std::sort(nodes.begin(), nodes.end(), [](const Node& a, const Node& b) {
        return std::lexicographical_compare(a.reduced, a.reduced + 3, b.reduced, b.reduced + 3);
    });
    return nodes;
}

// What a node can be warned about (task_weyl_nodes).
enum class NodeWarning { touching, near_other, pocket, other_band, unresolved, not_weyl, flux };

// Per-node warnings by kind, each kind's first three in full and the rest counted: a material
// with hundreds of nodes (bcc Fe) would otherwise bury the run's other warnings under its nodes'
// (every node's radius, flux and rate are in the results).
class NodeWarnings {
public:
    void add(NodeWarning kind, std::string message) { by_kind_[kind].push_back(std::move(message)); }
    void append_to(std::vector<std::string>& out) const {
        for (const auto& [kind, messages] : by_kind_) {
            for (std::size_t i = 0; i < messages.size() && i < 3; ++i) out.push_back(messages[i]);
            if (messages.size() > 3)
                out.push_back(fmt::format("… and {} more nodes with the warning above (the results list every node's "
                                          "radius, flux and rate)",
                                          messages.size() - 3));
        }
    }

private:
    std::map<NodeWarning, std::vector<std::string>> by_kind_;
};

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

void check_weyl_nodes(TaskContext& ctx) {
    const NodeSetup s = read_nodes(ctx);
    visit_bloch(ctx, s, [&](const auto& bloch) { require_split_pair(ctx.task, ctx.cfg.model->name, bloch, s.band); });
}

TaskResult task_weyl_nodes(TaskContext& ctx) {
    const NodeSetup s = read_nodes(ctx);
    const ModelInfo& info = *ctx.cfg.model;
    double G[3][3];
    reciprocal_basis(info.bravais, G);
    TaskResult out;
    out.kpoints = s.n[0] * s.n[1] * s.n[2];
    const std::string unit = energy_unit(info);
    out.units = {{"nodes", "count"},
                 {"position", "1/" + length_unit(info) + " (Cartesian k)"},
                 {"position_reduced", "reduced (along G_i)"},
                 {"energy", unit},
                 {"chirality", "sign det(∂d/∂k) (N bands: the pair's d, include/bzint/weyl_nodes.hpp)"},
                 {"monopole_flux", "(1/2π)∮Ω·dS of the pair's lower band: the chirality by quadrature"},
                 {"radius", "1/" + length_unit(info)},
                 {"abj_rate", "e²/ħ² (∂_t ρ per E·B, Eq. 52)"},
                 {"abj_rate_landau", "e²/ħ² (Eq. 53: −χ/4π²)"},
                 {"total_abj_rate", "e²/ħ²"}};
    out.principal = {"abj_rate", "monopole_flux"};
    out.remedy = "raise [task] points, or choose a radius that encloses the node's Fermi pocket and no other node "
                 "(docs/textures.md)";
    visit_bloch(ctx, s, [&](const auto& bloch) {
        double scale = 0.0, smallest = 0.0, smallest_at[3] = {0.0, 0.0, 0.0};
        const std::vector<Node> nodes = find_nodes(bloch, info, s, scale, smallest, smallest_at);
        nlohmann::json pos = nlohmann::json::array(), red = nlohmann::json::array(), energy = nlohmann::json::array(),
                       chi = nlohmann::json::array(), flux = nlohmann::json::array(), rate = nlohmann::json::array(),
                       landau = nlohmann::json::array(), radius = nlohmann::json::array(), e_flux = nlohmann::json::array(),
                       e_rate = nlohmann::json::array(), e_pos = nlohmann::json::array();
        double total = 0.0, total_error = 0.0;
        int chirality_sum = 0;
        NodeWarnings per_node;
        for (std::size_t a = 0; a < nodes.size(); ++a) {
            const Node& node = nodes[a];
            if (node.multiple) {
                per_node.add(NodeWarning::touching, fmt::format("bands {} and {} touch at reduced k = ({:.6f}, {:.6f}, {:.6f}) together with "
                                                   "another band (a Dirac point, or a touching of more bands): not a Weyl "
                                                   "node of the pair; left out",
                                                   s.band, s.band + 1, node.reduced[0], node.reduced[1], node.reduced[2]));
                continue;
            }
            double nearest = node_distance(node, node, G, true);
            for (std::size_t b = 0; b < nodes.size(); ++b)
                if (b != a) nearest = std::min(nearest, node_distance(node, nodes[b], G, false));
            const double R = s.radius > 0.0 ? s.radius : 0.25 * nearest;
            if (R >= 0.5 * nearest)
                per_node.add(NodeWarning::near_other, fmt::format("the sphere of radius {:g} around the node at reduced k = ({:.6f}, {:.6f}, "
                                                   "{:.6f}) reaches half-way to the nearest other node ({:g} away): it may "
                                                   "enclose it; lower radius",
                                                   R, node.reduced[0], node.reduced[1], node.reduced[2], nearest));
            const SphereIntegrals fine = sphere_integrals(bloch, s, node, R, s.points);
            const SphereIntegrals coarse = sphere_integrals(bloch, s, node, R, s.points / 2);
            const std::string where =
                fmt::format("the sphere of radius {:g} around the node at reduced k = ({:.6f}, {:.6f}, {:.6f})", R,
                            node.reduced[0], node.reduced[1], node.reduced[2]);
            // Eq. 52's bracket is the anomaly only when the sphere encloses the node's Fermi pocket:
            // the lower band filled and the upper empty all over it, n_z = −1 — and, for N bands, the
            // bands below the pair filled and those above empty, so that only the node's flux counts.
            if (fine.nz_hi > -1.0 + 1e-6)
                per_node.add(NodeWarning::pocket, fmt::format("n_z = f(ε_upper) − f(ε_lower) of the pair is not −1 all over {} (it ranges "
                                                   "over [{:.3g}, {:.3g}]): the sphere does not enclose the node's Fermi "
                                                   "pocket, so Eq. 52's abj_rate there is not the anomaly; choose a radius "
                                                   "that encloses the pocket",
                                                   where, fine.nz_lo, fine.nz_hi));
            if (fine.others > 1e-6)
                per_node.add(NodeWarning::other_band, fmt::format("another band is partly occupied on {} (its occupation departs from filled "
                                                   "below the pair or empty above it by up to {:.3g}): a Fermi pocket of that "
                                                   "band crosses the sphere and its flux enters Eq. 52's abj_rate; choose mu "
                                                   "in the pair's bands, or another radius",
                                                   where, fine.others));
            if (fine.unresolved > 0)
                per_node.add(NodeWarning::unresolved, fmt::format("the pair's gap on {} is below its degeneracy threshold at {} of its points "
                                                   "(or the eigensolver failed there): the Kubo curvatures there miss the "
                                                   "pair's coupling; raise radius",
                                                   where, fine.unresolved));
            // The chirality is the node's topological charge: sign det ∂d/∂k at a simple node; where the
            // determinant nearly vanishes (two nodes merged, or a multi-Weyl node), the flux through the
            // sphere decides — 0 is no node at all, ±2 a double-Weyl node.
            int c = node.det > 0.0 ? 1 : -1;
            if (!node.regular) {
                const double charge = std::round(fine.flux);
                if (std::fabs(fine.flux - charge) > 0.05 || charge == 0.0) {
                    per_node.add(NodeWarning::not_weyl, fmt::format("the band touching at reduced k = ({:.6f}, {:.6f}, {:.6f}) has det(∂d/∂k) "
                                                       "≈ 0 and a Berry flux of {:.3g} through the sphere around it: {}; left out",
                                                       node.reduced[0], node.reduced[1], node.reduced[2], fine.flux,
                                                       charge == 0.0 && std::fabs(fine.flux) <= 0.05
                                                           ? "not a Weyl node (no topological charge: e.g. two nodes merged)"
                                                           : "its charge is not resolved (raise points, or lower radius)"));
                    continue;
                }
                c = static_cast<int>(charge);
            }
            if (std::fabs(fine.flux - c) > 0.01)
                per_node.add(NodeWarning::flux, fmt::format("the Berry flux through the sphere around the node at reduced k = ({:.6f}, "
                                                   "{:.6f}, {:.6f}) is {:.4g}, not its chirality {}: another node lies inside "
                                                   "the sphere (lower radius, or raise [task] n to find it), or the node is too "
                                                   "anisotropic for the sphere's points (raise points)",
                                                   node.reduced[0], node.reduced[1], node.reduced[2], fine.flux, c));
            chirality_sum += c;
            const double r = fine.bracket / (4.0 * kPi * kPi);
            total += r;
            total_error += std::fabs(fine.bracket - coarse.bracket) / (4.0 * kPi * kPi);
            pos.push_back({node.k[0], node.k[1], node.k[2]});
            red.push_back({node.reduced[0], node.reduced[1], node.reduced[2]});
            e_pos.push_back({node.step, node.step, node.step});
            energy.push_back(node.energy);
            chi.push_back(c);
            flux.push_back(fine.flux);
            e_flux.push_back(std::fabs(fine.flux - coarse.flux));
            rate.push_back(r);
            e_rate.push_back(std::fabs(fine.bracket - coarse.bracket) / (4.0 * kPi * kPi));
            landau.push_back(-c / (4.0 * kPi * kPi));
            radius.push_back(R);
        }
        per_node.append_to(out.warnings);
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
