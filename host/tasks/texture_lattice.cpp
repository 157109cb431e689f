// The exact lattice reference of a textured lattice model, two-band or N-band (docs/textures.md
// "The exact lattice reference"): the model's hoppings on a periodic box of cells with the exchange
// field J m(r)·S of the texture in each cell, solved without any gradient expansion — by full diagonalisation
// (small boxes) or the kernel polynomial method (large ones) — for the local density at given
// cells, the electrons in the box and the charge the texture binds. Twisted boundary conditions
// make the box one cell of a superlattice; their mesh's every-other sub-mesh gives the error
// estimate, as a k-mesh's coarse sub-mesh does for the semiclassical tasks (docs/accuracy.md).
#include <fmt/core.h>

#include <Eigen/Eigenvalues>
#include <algorithm>
#include <array>
#include <cmath>
#include <functional>
#include <optional>
#include <type_traits>
#include <vector>

#include "../input_error.hpp"
#include "../error_estimate.hpp"
#include "../lattice/dense_density.hpp"
#include "../lattice/kpm.hpp"
#include "../lattice/kpm_hall.hpp"
#include "../lattice/twist_chern.hpp"
#include "../lattice/twist_kubo.hpp"
#include "../progress.hpp"
#include "../stop.hpp"
#include "../texture_input.hpp"
#include "../workers.hpp"
#include "bzint/fermi.hpp"
#include "bzint/models/all.hpp"
#include "bzint/nband_texture.hpp"
#include "task_common.hpp"

namespace bzint {

namespace {

constexpr long long kDenseOrbitals = 800;  // one diagonalisation ≲ 1 s on a 2.3 GHz core (Ctrl-C), 10 MiB
constexpr long long kMaxOrbitals = 1LL << 26;     // kpm: 1 GiB per vector set at most
constexpr long long kMaxMoments = 1LL << 20;
constexpr double kSeriesTolerance = 1e-13;         // the Chebyshev tail per orbital
constexpr long long kMaxLatticeLevels = 17;
constexpr long long kMaxLatticePositions = 10000;
constexpr long long kMaxMapCells = 1LL << 18;  // map = true: 512 × 512 cells, the JSON three numbers a cell and level
constexpr long long kMaxHallMoments = 4096;     // kpm Hall: the moments' M × M matrix, 256 MiB per worker (two with the exact trace)
constexpr double kHallSeriesError = 1e-8;       // kpm Hall: the series' bound on σ_xy (e²/h)

enum class Method { dense, kpm };

// The model as the box sees it: N orbitals per cell, its Bloch Hamiltonian H_0(k) in the periodic
// gauge (N × N by rows), and the exchange term J m·S of a cell (nband_texture.hpp's add_spin_term:
// S = σ on an N-band model's spin index, σ itself for a two-band model).
struct CellModel {
    int orbitals = 2;
    std::function<void(const double k[3], std::complex<double>* H)> bloch;
    std::function<void(const double m[3], double J, std::complex<double>* block)> add_exchange;
};

template <class Model, class = void>
struct CellShape {  // a two-band model: two orbitals, σ its spin
    static constexpr int orbitals = 2, spin_stride = 1;
};
template <class Model>
struct CellShape<Model, std::void_t<decltype(Model::bands)>> {
    static constexpr int orbitals = Model::bands, spin_stride = Model::spin_stride;
};

struct LatticeSetup {
    TextureSetup texture;
    CellModel cell_model;
    std::vector<Hopping> hoppings;
    int box[2] = {1, 1};
    int twists[2] = {2, 2};
    Method method = Method::dense;
    bool bound_charge = true;
    bool hall = false;  // the Kubo σ_xy at each level; dense: also the twists' Chern number
    double broadening = 0.0;  // η of the Kubo–Bastin sum (kpm: required; dense: 0, the clean formula)
    long long random_vectors = 0;  // kpm Hall: random-phase draws per twist (0: the exact trace)
    long long electron_draws = 0;  // kpm, bound_charge_trace = "probing": draws per twist (0: the exact trace)
    long long density_draws = 0;   // kpm, density_trace = "probing": draws per twist (0: each orbital's own recursion)
    bool map = false;              // the positions are every cell of the box
    unsigned long long seed = 1;
    int probing_distance[2] = {0, 0};  // cells between orbitals of one colour (random_trace.hpp)
    bool probed_hall = false;          // the Hall sum's random trace by probing (else plain vectors)
    // A random trace's sampling (random_trace.hpp): `draws` per twist, in colours where `probed`.
    TraceSampling sampling(long long draws, bool probed) const {
        TraceSampling t{draws, seed, 1, {}};
        if (probed) {
            t.colour = probing_colours(orbitals(), box, probing_distance);
            t.colours = probing_colour_count();
        }
        return t;
    }
    long long probing_colour_count() const {
        return static_cast<long long>(orbitals()) * probing_distance[0] * probing_distance[1];
    }
    long long hall_colour_count() const { return probed_hall ? probing_colour_count() : 1; }
    long long hall_moments_limit = 0;
    bool streda = false;  // also solve without the uniform B: Středa's ΔN/ΔN_φ
    std::vector<double> r;        // three per position
    std::vector<long long> cell;  // the box cell of each position
    std::vector<double> mu;
    double T = 0.0;
    // kpm at T = 0: the step expanded as a Fermi function at k_B T_s = smoothing, and checked at
    // mu ± step_window (the bound of add_step_errors).
    double smoothing = 0.0;
    double step_window() const { return 8.0 * smoothing; }
    double series_T() const { return smoothing > 0.0 ? smoothing : T; }
    // The levels the kpm series is summed at: mu, then (with smoothing) mu − window and mu + window.
    std::vector<double> series_levels() const {
        std::vector<double> levels = mu;
        if (smoothing > 0.0) {
            for (double m : mu) levels.push_back(m - step_window());
            for (double m : mu) levels.push_back(m + step_window());
        }
        return levels;
    }
    double background[3] = {0.0, 0.0, 1.0};
    double A[2][3] = {};  // a_1, a_2
    // The orbitals' in-plane positions in the cell, one per orbital (zero in the periodic gauge).
    std::vector<std::array<double, 2>> tau;
    int orbitals() const { return cell_model.orbitals; }
    long long box_orbitals() const { return static_cast<long long>(orbitals()) * box[0] * box[1]; }
    // Orbitals at different points: the exchange field must then lie along z.
    bool orbitals_apart() const {
        for (const auto& t : tau)
            if (t != tau.front()) return true;
        return false;
    }
    // τ_α along a_1 and a_2 (lattice units), for the twist's derivatives (box_twist_derivatives).
    std::vector<std::array<double, 2>> tau_fraction() const {
        const double det = A[0][0] * A[1][1] - A[0][1] * A[1][0];
        std::vector<std::array<double, 2>> f;
        for (const auto& t : tau) f.push_back({(t[0] * A[1][1] - t[1] * A[1][0]) / det, (A[0][0] * t[1] - A[0][1] * t[0]) / det});
        return f;
    }
    double cell_area = 1.0;
    OnSiteBlocks on_site;  // U(r_c + τ_α) and J m(r_c)·S per box cell (at t = 0)
    // A sliding texture's pump (`pump`, dense): the Chern numbers of the tori (twist, t) over its
    // period, at pump_steps times.
    bool pump = false;
    bool potential_slides = false;  // U(r − v t): the potential slides with the texture
    int pump_steps = 0;
    double pump_period = 0.0;
    PeierlsField peierls{};       // the Peierls phases of a uniform and a modulated B_z
    const PeierlsField* field() const { return peierls.any() ? &peierls : nullptr; }
    long long moments_limit = 0;                // kpm: the bound the input was checked against
};

// The model's CellModel. A model that carries its orbitals' phases (two-band models with
// orbital_positions: τ), H_αβ(k) = Σ_R e^{ik·(R + τ_β − τ_α)} t_αβ(R), is brought to the periodic
// gauge e^{ik·(τ_α − τ_β)} H_αβ(k) = Σ_R e^{ik·R} t_αβ(R): its off-diagonal d_x − i d_y turns by
// k·(τ_1 − τ_2). The hoppings t_αβ(R) then run between orbital α at r_c + τ_α and β at r_c + R + τ_β.
CellModel cell_model(const TaskContext& ctx, const std::vector<std::array<double, 2>>& tau) {
    CellModel cell;
    visit_any_model(ctx.cfg.params, [&](auto model) {
        using Model = decltype(model);
        constexpr int N = CellShape<Model>::orbitals, stride = CellShape<Model>::spin_stride;
        cell.orbitals = N;
        if constexpr (std::is_invocable_v<Model, const double*, TwoBandPoint&>) {
            const double shift[2] = {tau[0][0] - tau[1][0], tau[0][1] - tau[1][1]};
            cell.bloch = [model, shift](const double k[3], std::complex<double>* H) {
                TwoBandPoint p;
                model(k, p);
                const std::complex<double> off = std::complex<double>(p.d[0], -p.d[1]) * std::polar(1.0, k[0] * shift[0] + k[1] * shift[1]);
                H[0] = p.d0 + p.d[2];
                H[1] = off;
                H[2] = std::conj(off);
                H[3] = p.d0 - p.d[2];
            };
        } else {
            cell.bloch = [model](const double k[3], std::complex<double>* H) {
                NBandPoint<N> p;
                model(k, p);
                for (int i = 0; i < N; ++i)
                    for (int j = 0; j < N; ++j) H[i * N + j] = {p.H[i][j].re, p.H[i][j].im};
            };
        }
        cell.add_exchange = [](const double m[3], double J, std::complex<double>* block) {
            cplx M[N][N] = {};
            add_spin_term<N>(stride, m, J, M);
            for (int i = 0; i < N; ++i)
                for (int j = 0; j < N; ++j) block[i * N + j] += std::complex<double>(M[i][j].re, M[i][j].im);
        };
    });
    return cell;
}

std::vector<Hopping> model_hoppings(const TaskContext& ctx, const CellModel& cell) {
    const ModelInfo& info = *ctx.cfg.model;
    double G[3][3];
    reciprocal_basis(info.bravais, G);
    std::string why;
    std::vector<Hopping> hoppings = real_space_hoppings(cell.orbitals, cell.bloch, G, why);
    if (hoppings.empty())
        ctx.task.fail("kind", fmt::format("task 'texture_lattice' needs the real-space hoppings of '{}', but {}", info.name, why));
    return hoppings;
}

// Two integers at `key` (default `fallback`), each in the key's range, and even where `even`.
void read_integers(const Section& task, const char* key, int fallback, bool even, int out[2]) {
    const std::vector<double> v = task.node(key) ? task.numbers(key, 2) : std::vector<double>{double(fallback), double(fallback)};
    if (v.size() != 2) task.fail(key, fmt::format("{} needs two integers, along a_1 and a_2", key));
    for (int i = 0; i < 2; ++i) {
        if (v[static_cast<std::size_t>(i)] != std::floor(v[static_cast<std::size_t>(i)]))
            task.fail(key, fmt::format("{} must be two integers; got {:g}", key, v[static_cast<std::size_t>(i)]));
        task.check_range(key, v[static_cast<std::size_t>(i)]);
        out[i] = static_cast<int>(v[static_cast<std::size_t>(i)]);
        if (even && out[i] % 2 != 0)
            task.fail(key, fmt::format("{} must be even (the error estimate takes every other one); got {}", key, out[i]));
    }
}

// The kernel polynomial method's traces over the box: the Hall sum's (`trace`: exact, stochastic or
// probing) and, with bound_charge, the electrons' (`bound_charge_trace`: exact or probing), their
// random phases' draws per twist (`random_vectors`, one count for both), `seed` and
// `probing_distance` (random_trace.hpp).
void read_traces(const Section& task, LatticeSetup& s) {
    const bool kpm = s.method == Method::kpm;
    const std::string electrons = task.string("bound_charge_trace", "exact");
    if (electrons != "exact" && electrons != "probing")
        task.fail("bound_charge_trace", fmt::format("bound_charge_trace '{}' is not one of exact, probing", electrons));
    if (task.node("bound_charge_trace") && !(kpm && s.bound_charge))
        task.fail("bound_charge_trace", "bound_charge_trace belongs to method = \"kpm\" with bound_charge = true (the dense "
                                        "solver's trace is exact)");
    const bool probed_electrons = kpm && s.bound_charge && electrons == "probing";
    const std::string densities = task.string("density_trace", "exact");
    if (densities != "exact" && densities != "probing")
        task.fail("density_trace", fmt::format("density_trace '{}' is not one of exact, probing", densities));
    if (task.node("density_trace") && !kpm)
        task.fail("density_trace", "density_trace belongs to method = \"kpm\" (the dense solver's densities are exact)");
    const bool probed_density = kpm && densities == "probing";
    if (probed_density && s.bound_charge && !probed_electrons)
        task.fail("density_trace", "density_trace = \"probing\" with bound_charge = true needs bound_charge_trace = \"probing\" too: "
                                   "with the exact trace every orbital's density is computed exactly already, and probing would "
                                   "only add noise (with both, one set of start vectors gives the densities and the electrons)");
    const std::string trace = task.string("trace", "stochastic");
    if (trace != "stochastic" && trace != "exact" && trace != "probing")
        task.fail("trace", fmt::format("trace '{}' is not one of stochastic, probing, exact", trace));
    if (task.node("trace") && !kpm) task.fail("trace", "trace belongs to method = \"kpm\" (the dense solver's trace is exact)");
    const bool random_hall = kpm && s.hall && trace != "exact", probed_hall = kpm && s.hall && trace == "probing";
    const char* belongs = "belongs to method = \"kpm\" with hall and trace = \"stochastic\" or \"probing\", or with bound_charge_trace = "
                          "\"probing\" or density_trace = \"probing\"";
    const bool probed_box = probed_electrons || probed_density;  // the electrons' and densities' one set of vectors
    for (const char* key : {"random_vectors", "seed"})
        if (task.node(key) && !random_hall && !probed_box) task.fail(key, fmt::format("{} {}", key, belongs));
    // One count when given; else the Hall trace's default (8 plain vectors, 2 probing draws), 2
    // draws for the electrons alone, and with the densities (whose draws the electrons then share)
    // enough that each position's standard error, from its spread over the draws of every twist,
    // may rest on 10 degrees of freedom (at most: fewer where the twists' variances differ).
    const double R = task.number("random_vectors", probed_hall ? 2.0 : 8.0);
    if (R != std::floor(R)) task.fail("random_vectors", fmt::format("random_vectors must be an integer; got {:g}", R));
    task.check_range("random_vectors", R);
    s.random_vectors = random_hall ? static_cast<long long>(R) : 0;
    const long long twists = static_cast<long long>(s.twists[0]) * s.twists[1];
    const long long box_draws = task.node("random_vectors") ? static_cast<long long>(R)
                                : probed_density            ? 1 + (10 + twists - 1) / twists
                                                            : 2;
    s.electron_draws = probed_electrons ? box_draws : 0;
    s.density_draws = probed_density ? box_draws : 0;
    const double seed = task.number("seed", 1.0);
    if (seed != std::floor(seed)) task.fail("seed", fmt::format("seed must be an integer; got {:g}", seed));
    task.check_range("seed", seed);
    s.seed = static_cast<unsigned long long>(seed);
    if (task.node("probing_distance") && !probed_hall && !probed_box)
        task.fail("probing_distance", "probing_distance belongs to method = \"kpm\" with hall and trace = \"probing\", or with "
                                      "bound_charge_trace = \"probing\" or density_trace = \"probing\"");
    if (!probed_hall && !probed_box) return;
    if (!task.node("probing_distance"))
        task.fail("probing_distance",
                  fmt::format("{} = \"probing\" needs probing_distance = [d1, d2]: the cells along a_1, a_2 between orbitals that "
                              "share a colour, each dividing the box (the traced operator's elements between them are the noise "
                              "that is left; their range grows as T and the broadening fall, and is shortest in a gap)",
                              probed_hall ? "trace" : probed_electrons ? "bound_charge_trace" : "density_trace"));
    read_integers(task, "probing_distance", 1, false, s.probing_distance);
    for (int i = 0; i < 2; ++i) {
        if (s.probing_distance[i] > s.box[i])
            task.fail("probing_distance", fmt::format("probing_distance {} along a_{} is more than the box's {} cells: its colours "
                                                      "beyond the box would hold no orbital (probing_distance = box already makes "
                                                      "every orbital its own colour, the exact trace)",
                                                      s.probing_distance[i], i + 1, s.box[i]));
        if (s.box[i] % s.probing_distance[i] != 0) {
            std::string divisors;
            for (int d = 1; d <= s.box[i]; ++d)
                if (s.box[i] % d == 0) divisors += fmt::format("{}{}", divisors.empty() ? "" : ", ", d);
            task.fail("probing_distance", fmt::format("probing_distance {} along a_{} does not divide the box's {} cells, so orbitals "
                                                      "of one colour would meet closer across its boundary; valid: {}",
                                                      s.probing_distance[i], i + 1, s.box[i], divisors));
        }
    }
    s.probed_hall = probed_hall;
}

// Every box cell's on-site block at time `time`: the potential at each orbital's own position
// r_c + τ_α (static, or with potential_slides U(r_c + τ_α − v time)), and J m(r_c − v time)·S of the
// texture slid rigidly at [texture] velocity v (the exchange field is uniform where the orbitals sit
// apart).
OnSiteBlocks on_site_blocks(const LatticeSetup& s, double time) {
    const TextureTerms& t = s.texture;
    const int N = s.orbitals();
    OnSiteBlocks blocks(static_cast<std::size_t>(s.box[0]) * static_cast<std::size_t>(s.box[1]) * static_cast<std::size_t>(N * N));
    std::complex<double>* block = blocks.data();
    for (int n1 = 0; n1 < s.box[0]; ++n1)
        for (int n2 = 0; n2 < s.box[1]; ++n2, block += N * N) {
            const double rc[2] = {n1 * s.A[0][0] + n2 * s.A[1][0], n1 * s.A[0][1] + n2 * s.A[1][1]};
            for (int a = 0; a < N; ++a) {
                const std::array<double, 2>& tau = s.tau[static_cast<std::size_t>(a)];
                const double shift = s.potential_slides ? time : 0.0;
                const double r[3] = {rc[0] + tau[0] - t.velocity[0] * shift, rc[1] + tau[1] - t.velocity[1] * shift, 0.0};
                double U = 0.0, du[3];
                t.potential(r, U, du);
                block[a * N + a] += U;
            }
            const double slid[3] = {rc[0] - t.velocity[0] * time, rc[1] - t.velocity[1] * time, -t.velocity[2] * time};
            double v[6] = {}, dm[3][3];
            t.texture(slid, v, dm);
            s.cell_model.add_exchange(v, t.exchange, block);
        }
    return blocks;
}

LatticeSetup read_texture_lattice(const TaskContext& ctx) {
    require_dim(ctx, 2, 2);
    const ModelInfo& info = *ctx.cfg.model;
    const Section& task = ctx.task;
    task.only();
    if (!info.lattice)
        task.fail("kind", fmt::format("task 'texture_lattice' needs a lattice model (its hoppings); '{}' is a continuum model", info.name));
    LatticeSetup s;
    s.texture = read_texture(ctx);
    {
        const Section tex = task_section(ctx, "texture");
        const TextureTerms& t = s.texture;
        const char* fields = "the lattice reference takes the exchange texture, a scalar potential, a uniform B_z and a "
                             "modulated B_z (an in-plane B, E and a mass ramp are not implemented: it is an equilibrium of a "
                             "static H, or with pump = true the adiabatic pump of a sliding texture)";
        if (t.field[0] != 0.0 || t.field[1] != 0.0) tex.fail("B", fields);
        if (t.electric[0] != 0.0 || t.electric[1] != 0.0 || t.electric[2] != 0.0) tex.fail("E", fields);
        if (t.mass_rate != 0.0) tex.fail("mass_rate", fields);
        s.pump = task.boolean("pump", false);
        if (is_sliding(t) && !s.pump)
            tex.fail("velocity", "a sliding texture's box gives its adiabatic pump alone: set [task] pump = true (the densities "
                                 "and the rest are then those of the box at t = 0)");
        if (s.pump && !is_sliding(t))
            task.fail("pump", "pump = true needs a sliding texture ([texture] velocity): the charge it pumps per period");
        s.potential_slides = tex.boolean("potential_slides", false);
        if (s.potential_slides && !s.pump)
            tex.fail("potential_slides", "potential_slides belongs to a sliding texture's pump ([texture] velocity with [task] "
                                         "pump = true)");
        if (s.potential_slides && t.potential.shape == PotentialShape::none)
            tex.fail("potential_slides", "potential_slides needs a potential to slide ([texture] potential: cosine or table)");
        if (s.pump) s.pump_period = require_time_period(ctx, t, tex, "velocity", s.potential_slides);
    }
    if (task.node("pump_steps") && !s.pump) task.fail("pump_steps", "pump_steps belongs to pump = true");
    if (s.pump) {
        const long long steps = task.integer("pump_steps", 16);
        if (steps < 4 || steps > 1024 || steps % 2 != 0)
            task.fail("pump_steps", fmt::format("pump_steps must be even, from 4 to 1024 (the estimate takes every other); got {}", steps));
        s.pump_steps = static_cast<int>(steps);
    }
    if (!task.node("box")) task.fail("box", "box is required: the periodic box's cells along a_1 and a_2");
    read_integers(task, "box", 0, false, s.box);
    read_integers(task, "twists", 2, true, s.twists);
    {
        double tau[2][3];
        orbital_positions(ctx, tau);  // two-band models' (N-band models' orbitals sit at the origin)
        s.cell_model = cell_model(ctx, {{tau[0][0], tau[0][1]}, {tau[1][0], tau[1][1]}});
        s.tau.assign(static_cast<std::size_t>(s.orbitals()), {0.0, 0.0});
        for (int a = 0; a < 2; ++a) s.tau[static_cast<std::size_t>(a)] = {tau[a][0], tau[a][1]};
    }
    const long long orbitals = s.box_orbitals();
    const std::string method = task.string("method", "auto");
    if (method == "auto")
        s.method = orbitals <= kDenseOrbitals ? Method::dense : Method::kpm;
    else if (method == "dense")
        s.method = Method::dense;
    else if (method == "kpm")
        s.method = Method::kpm;
    else
        task.fail("method", fmt::format("method '{}' is not one of auto, dense, kpm", method));
    if (s.method == Method::dense && orbitals > kDenseOrbitals)
        task.fail("box", fmt::format("{} orbitals are more than the {} of a dense diagonalisation (each would take "
                                     "longer than a Ctrl-C may wait); use method = \"kpm\"",
                                     orbitals, kDenseOrbitals));
    if (orbitals > kMaxOrbitals) task.fail("box", fmt::format("{} orbitals are more than {}", orbitals, kMaxOrbitals));
    s.bound_charge = task.boolean("bound_charge", s.method == Method::dense);
    s.hall = task.boolean("hall", false);
    s.map = task.boolean("map", false);
    if (s.map && task.node("r")) task.fail("map", "map = true reports the density at every cell of the box: give map or r, not both");
    if (s.map && double(s.box[0]) * s.box[1] > double(kMaxMapCells))
        task.fail("map", fmt::format("map = true over {} × {} cells: more than the {} cells a map may hold; give the cells you need "
                                     "as r (at most {})",
                                     s.box[0], s.box[1], kMaxMapCells, kMaxLatticePositions));
    if (s.pump && s.method != Method::dense)
        task.fail("method", fmt::format("pump = true needs the box's eigenstates (the link method): method = \"dense\", on a box "
                                        "of at most {} orbitals",
                                        kDenseOrbitals));
    if (s.pump && (s.twists[0] < 4 || s.twists[1] < 4))
        task.fail("twists", fmt::format("the pump needs at least 4 twists per axis (its estimate takes every other, and a 1 × 1 "
                                        "sub-mesh has no plaquette); got [{}, {}]",
                                        s.twists[0], s.twists[1]));
    if (s.hall && s.method == Method::dense && (s.twists[0] < 4 || s.twists[1] < 4))
        task.fail("twists", fmt::format("the Hall response needs at least 4 twists per axis (its estimate takes every other, and "
                                        "a 1 × 1 sub-mesh has no plaquette); got [{}, {}]",
                                        s.twists[0], s.twists[1]));
    for (const char* key : {"broadening", "trace"})
        if (task.node(key) && !s.hall) task.fail(key, fmt::format("{} belongs to the Hall response: set hall = true", key));
    if (s.hall && s.method == Method::kpm && !task.node("broadening"))
        task.fail("broadening", "the Hall response by the kernel polynomial method is the Kubo–Bastin formula with a Lorentzian "
                                "broadening: give broadening = η > 0 (energy; the error estimate compares it with 2η)");
    s.broadening = task.number("broadening", 0.0);
    task.check_range("broadening", s.broadening);
    if (s.method == Method::kpm && s.hall && !(s.broadening > 0.0))
        task.fail("broadening", fmt::format("broadening must be > 0 with method = \"kpm\"; got {:g}", s.broadening));
    read_traces(task, s);
    s.streda = task.boolean("streda", false);
    if (s.streda && s.texture.field[2] == 0.0)
        task.fail("streda", "streda needs a uniform field, [texture] B: it counts the electrons the field's flux quanta add");
    s.mu = read_levels(task, "mu", kMaxLatticeLevels);
    if (!task.node("T")) task.fail("T", "T is required (T = 0 fills the states below mu; with method = \"kpm\" give smoothing too)");
    s.T = read_temperature(ctx);
    const bool step = s.T == 0.0 && s.method == Method::kpm;
    if (task.node("smoothing") && !step)
        task.fail("smoothing", "smoothing belongs to T = 0 with method = \"kpm\" (the width its step is expanded at)");
    if (step) {
        // The step's Chebyshev series converges only as 1/moments (Gibbs): it is expanded as a Fermi
        // function at k_B T_s = smoothing instead, and the levels that smoothing counts differently
        // from the step are bounded by the change across mu ± 8 T_s (step_window).
        if (!task.node("smoothing"))
            task.fail("T", "T = 0 with method = \"kpm\" needs [task] smoothing = k_B T_s > 0: the step is expanded as a Fermi "
                           "function at T_s, exact to 1e-13 where the box has no level within about 38 T_s of mu, and the estimate "
                           "bounds what levels nearer change (docs/textures.md); or use method = \"dense\" on a box of at most "
                           "800 orbitals");
        s.smoothing = task.number("smoothing");
        if (!(s.smoothing > 0.0)) task.fail("smoothing", fmt::format("smoothing must be > 0; got {:g}", s.smoothing));
        if (s.hall)
            task.fail("hall", "hall with method = \"kpm\" needs T > 0: the Kubo-Bastin sum's levels enter with either sign, so "
                              "the smoothing of a T = 0 step has no bound there (the densities' has); give T > 0, or use "
                              "method = \"dense\"");
    }
    {
        const TextureTerms& t = s.texture;
        const SpinTexture& m = t.texture;
        if (s.orbitals_apart() && t.exchange != 0.0 && !(m.kind == TextureKind::uniform && m.direction[0] == 0.0 && m.direction[1] == 0.0))
            task_section(ctx, "texture")
                .fail("kind", fmt::format("'{}' places its two orbitals apart in the cell, so the exchange field's in-plane "
                                          "components J(m_x σ_x + m_y σ_y) would couple orbitals at different positions, which "
                                          "J m(r)·σ does not define; here the exchange field must be uniform along z "
                                          "(kind = \"uniform\", direction = [0, 0, 1]); a potential and B fields may vary",
                                          info.name));
    }
    s.hoppings = model_hoppings(ctx, s.cell_model);
    const int N = s.orbitals();
    if (s.method == Method::kpm) {
        // The series' length from a bound on the spectrum: every row's Σ|H_ij| (Gershgorin) is at
        // most Σ_R Σ_β |H(R)_αβ| + |U| + |J|(|m_z| + |m_x − i m_y|) ≤ that + |A| + √2|J| (J m·S puts
        // one diagonal and one off-diagonal entry in each row).
        double radius = 0.0;
        for (int a = 0; a < N; ++a) {
            double row = std::sqrt(2.0) * std::fabs(s.texture.exchange) + std::fabs(s.texture.potential.amplitude);
            for (const Hopping& h : s.hoppings)
                for (int b = 0; b < N; ++b) row += std::abs(h.at(N, a, b));
            radius = std::max(radius, row);
        }
        const double moments = moments_bound(1.01 * std::max(radius, 1e-300), s.series_T(), kSeriesTolerance);
        if (moments > double(kMaxMoments))
            task.fail(step ? "smoothing" : "T",
                      fmt::format("{} = {:g} needs about {} Chebyshev moments over a spectrum of half-width {:.3g} (at most "
                                  "{}); raise it, or use method = \"dense\" on a smaller box",
                                  step ? "smoothing" : "T", s.series_T(), moments, radius, kMaxMoments));
        s.moments_limit = static_cast<long long>(moments);
        if (s.hall) {
            // Bastin's series falls as e^{−M asinh(η/a)} and with the Fermi function's poles
            // (kpm_hall.hpp), a ≤ the Gershgorin radius; ln(1e6/1e-12) ≈ 41 per unit rate.
            const ChebyshevScale bound{0.0, 1.01 * std::max(radius, 1e-300)};
            const double needed = bastin_moments_needed(bound, s.mu, s.T, s.broadening, 1e6, 1e-12);
            if (needed > double(kMaxHallMoments)) {
                // The rate the limit allows, and what each parameter must reach for it (η = a sinh
                // rate; πT ≥ a sinh rate bounds the poles' rate from below).
                const BastinRates rates = bastin_rates(bound, s.mu, s.T, s.broadening);
                const double rate = std::log(1e18) / double(kMaxHallMoments - 16), least = 1.01 * bound.half_width * std::sinh(rate);
                std::string remedy;
                if (rates.broadening < rate) remedy += fmt::format("give broadening ≥ {:.3g}", least);
                if (rates.fermi < rate)
                    remedy += fmt::format("{}T ≥ {:.3g} (the Fermi function's poles at mu ± iπT limit the series too)",
                                          remedy.empty() ? "give " : " and ", least / kPi);
                task.fail(rates.broadening < rate ? "broadening" : "T",
                          fmt::format("broadening = {:g} with T = {:g} needs about {:.0f} Chebyshev moments per index over a spectrum "
                                      "of half-width {:.3g} (at most {}; the work grows as their square): {}, or use method = "
                                      "\"dense\" on a box of at most 800 orbitals",
                                      s.broadening, s.T, needed, radius, kMaxHallMoments, remedy));
            }
            s.hall_moments_limit = std::min(kMaxHallMoments, 2 * static_cast<long long>(needed));
        }
    }
    // Memory: the on-site terms (an N × N block a cell); dense: three matrices per worker (with hall
    // three more and the Kubo pairs' real matrix, twist_kubo.cpp) and each twist's cell
    // densities; kpm: every twist's sparse matrix (at most N × hoppings + N entries a row, 24 bytes
    // each), two vectors per worker (kpm_moments.hpp; with probing the start vector beside them,
    // counted as four) and the densities of each (twist, orbital) job;
    // with density_trace = "probing" the start vectors' estimates per (twist, draw, requested orbital)
    // and per (twist, colour, draw), their cells' sums per draw, the draws' fold, the variances and
    // densities per twist, and the colours' orbital lists.
    // (With --backend cuda the device holds its batches within its own free memory, and the host
    // stages a batch's start vectors and results within 2 GiB: kernels/cuda_kpm.cu.)
    const double cells = double(s.box[0]) * s.box[1], twists = double(s.twists[0]) * s.twists[1];
    const double levels = static_cast<double>(s.series_levels().size()), workers_n = double(workers::count());
    const double nnz = double(orbitals) * (double(N) * static_cast<double>(s.hoppings.size()) + double(N));
    const double positions = s.map ? cells : static_cast<double>(read_positions(task, kMaxLatticePositions).size() / 3);
    const double jobs = twists * (s.bound_charge && s.electron_draws == 0 ? double(orbitals)
                                  : s.density_draws > 0                   ? 0.0
                                                                          : double(N) * positions);
    const double probed_densities =
        s.density_draws > 0
            ? 8.0 * twists * double(s.density_draws) * ((double(N) + 1.0) * positions + double(s.probing_colour_count())) * levels +
                  40.0 * twists * positions * levels + 16.0 * double(N) * positions + 8.0 * double(orbitals) +
                  16.0 * levels * double(orbitals) / double(s.probing_colour_count()) * workers_n
            : 0.0;
    // With streda the setup is copied and, for kpm, the zero-field matrices held beside the others;
    // kpm at T = 0 runs its series on one more copy at a time (series_setup), its on-site blocks too.
    const double copies = s.streda ? 2.0 : 1.0;
    const double setups = copies + (s.smoothing > 0.0 ? 1.0 : 0.0);
    // kpm Hall: each worker's T_a V_1|r⟩ (orbitals × moments), a block of at most 64 right vectors and the
    // moments' matrix (with the exact trace, their sum beside it); every twist's two derivatives.
    const double hall_M = double(s.hall_moments_limit);
    const double hall_bytes = s.method == Method::kpm && s.hall
                                  ? 16.0 * workers_n * (hall_M * double(orbitals) + 64.0 * double(orbitals) + 2.0 * hall_M * hall_M) +
                                        2.0 * twists * nnz * 24.0
                                  : 0.0;
    // dense with pump: one torus's states at a time, pump_steps × the twists along its axis, and the
    // densities at every other time: each state's positions, and their two folds.
    const double pump_bytes =
        s.pump ? 16.0 * std::max(s.twists[0], s.twists[1]) * s.pump_steps * double(orbitals) * double(orbitals) +
                     8.0 * (s.pump_steps / 2) * (double(s.twists[0]) + 2.0) * positions * levels
               : 0.0;
    const double bytes = hall_bytes + setups * 16.0 * double(N * N) * cells +
                         (s.method == Method::dense
                              ? (s.hall ? 104.0 : 48.0) * double(orbitals) * double(orbitals) * workers_n +
                                    copies * 8.0 * twists * cells * levels +
                                    (s.hall ? 16.0 * twists * double(orbitals) * double(orbitals) : 0.0) + pump_bytes
                              : copies * (twists * nnz * 24.0 + probed_densities) +
                                    (s.electron_draws > 0 || s.density_draws > 0 ? 64.0 : 32.0) * double(orbitals) * workers_n +
                                    8.0 * jobs * levels);
    if (hall_bytes > 0.5 * bytes)
        require_memory(task, "broadening", hall_bytes,
                       fmt::format("the Kubo-Bastin series' {} moments per index on {} orbitals (a larger broadening or T needs fewer)",
                                   s.hall_moments_limit, orbitals));
    if (pump_bytes > 0.5 * bytes)
        require_memory(task, "pump_steps", bytes,
                       fmt::format("the pump's {} × {} eigenstates of {} orbitals on each torus (fewer pump_steps or twists need "
                                   "less)",
                                   s.pump_steps, std::max(s.twists[0], s.twists[1]), orbitals));
    require_memory(task, "box", bytes, fmt::format("a box of {} orbitals", orbitals));
    for (int i = 0; i < 2; ++i)
        for (int c = 0; c < 3; ++c) s.A[i][c] = info.bravais[i][c];
    s.cell_area = std::fabs(s.A[0][0] * s.A[1][1] - s.A[0][1] * s.A[1][0]);
    // The texture on the box's cells r_c = n_1 a_1 + n_2 a_2 — m, the potential in units of its
    // amplitude and a modulated B_z's vector potential in units of its largest, |B1| L/2π:
    // v = (m, U/|A|, a_x/|a|, a_y/|a|) — and its period: v(r + S_i a_i) = v(r).
    const TextureTerms& t = s.texture;
    const double scale = t.potential.amplitude != 0.0 ? std::fabs(t.potential.amplitude) : 1.0;
    const double a_scale = t.modulation.amplitude != 0.0 ? std::fabs(t.modulation.amplitude) * t.modulation.period / (2 * kPi) : 1.0;
    auto cell_texture = [&](double n1, double n2, double v[6]) {
        const double r[3] = {n1 * s.A[0][0] + n2 * s.A[1][0], n1 * s.A[0][1] + n2 * s.A[1][1], 0.0};
        double dm[3][3], du[3];
        t.texture(r, v, dm);
        t.potential(r, v[3], du);
        v[3] /= scale;
        const ModulationGauge g = t.modulation(r);
        v[4] = g.ax / a_scale;
        v[5] = g.ay / a_scale;
    };
    s.peierls = {t.modulation, {s.A[0][0], s.A[0][1]}, {s.A[1][0], s.A[1][1]}, 0.0, 0, {s.box[0], s.box[1]}, s.tau};
    if (t.field[2] != 0.0) {
        // A uniform B_z on the magnetic torus (box_hamiltonian.hpp): a whole number of flux quanta.
        const double box_area = double(s.box[0]) * double(s.box[1]) * (s.A[0][0] * s.A[1][1] - s.A[0][1] * s.A[1][0]);
        const double flux = t.field[2] * box_area / (2 * kPi), quanta = std::round(flux), cells = double(s.box[0]) * s.box[1];
        const Section tex = task_section(ctx, "texture");
        // Beyond half a quantum per cell the Peierls phases of short hops alias to a weaker field
        // (a whole quantum per cell is no field for nearest neighbours).
        if (std::fabs(flux) > 0.5 * cells + 1e-9)
            tex.fail("B", fmt::format("B_z = {:.10g} puts {:.10g} flux quanta through the {} cells of the box, more than half a quantum "
                                      "per cell, where the lattice's Peierls phases alias to a weaker field; |B_z| ≤ π/{:.10g}",
                                      t.field[2], flux, cells, std::fabs(box_area) / cells));
        // Absolute: the seam carries the flux's fractional part, 2π(flux − N), unseen by a relative test.
        if (std::fabs(flux - quanta) > 1e-9 || quanta == 0.0)
            tex.fail("B", fmt::format("B_z = {:.10g} puts {:.10g} flux quanta through the {} × {} box; a periodic box holds a whole "
                                      "nonzero number N of them: B_z = 2πN/{:.10g} = N × {:.10g} (signed box area "
                                      "(S_1 a_1 × S_2 a_2)_z = {:.10g})",
                                      t.field[2], flux, s.box[0], s.box[1], box_area, 2 * kPi / box_area, box_area));
        s.peierls.flux_quanta = static_cast<long long>(quanta);
        s.peierls.uniform_bz = 2 * kPi * quanta / box_area;  // the torus's own field, exactly whole
    }
    double worst = 0.0, worst_at[2] = {0, 0};
    for (int n1 = 0; n1 < s.box[0]; ++n1) {
        throw_if_stopped();
        for (int n2 = 0; n2 < s.box[1]; ++n2) {
            double v[6], v1[6], v2[6];
            cell_texture(n1, n2, v);
            cell_texture(n1 + s.box[0], n2, v1);
            cell_texture(n1, n2 + s.box[1], v2);
            for (int c = 0; c < 6; ++c) {
                const double d = std::max(std::fabs(v1[c] - v[c]), std::fabs(v2[c] - v[c]));
                if (d > worst) {
                    worst = d;
                    worst_at[0] = n1;
                    worst_at[1] = n2;
                }
            }
        }
    }
    s.on_site = on_site_blocks(s, 0.0);
    if (s.pump) {
        // The tori close: H(T) = H(0) on every cell (the box holds whole periods of the texture along
        // the slide; the link from the last time to the first assumes it).
        const OnSiteBlocks later = on_site_blocks(s, s.pump_period);
        double largest = 0.0, difference = 0.0;
        for (std::size_t i = 0; i < later.size(); ++i) {
            largest = std::max(largest, std::abs(s.on_site[i]));
            difference = std::max(difference, std::abs(later[i] - s.on_site[i]));
        }
        if (difference > 1e-9 * std::max(largest, 1e-300))
            task_section(ctx, "texture")
                .fail("velocity", fmt::format("slid for its period T = {:g} the texture{} does not return to itself on the box's cells "
                                              "(their on-site terms differ by {:.3g}): the box must hold whole periods of the "
                                              "texture along the slide",
                                              s.pump_period, s.potential_slides ? " with its potential" : "", difference));
    }
    // Sampled at the cells alone, a(r) could vanish at every cell of a box that is not periodic (cells
    // on the zeros of sin, a box side an odd multiple of L/2 along the axis): the box's sides must
    // hold whole periods along the modulation's axis.
    if (t.modulation.amplitude != 0.0)
        for (int i = 0; i < 2; ++i) {
            const double periods = double(s.box[i]) * s.A[i][t.modulation.axis] / t.modulation.period;
            if (std::fabs(periods - std::round(periods)) > 1e-9 * std::max(1.0, std::fabs(periods))) {
                worst = std::max(worst, 1.0);
                worst_at[0] = worst_at[1] = 0;
            }
        }
    if (worst > 1e-9)
        task.fail("box", fmt::format("the texture is not periodic over the box ({} × {} cells): m(r + S_i a_i), U(r + S_i a_i)/A "
                                     "or a modulated B_z's a(r + S_i a_i) differs from its value at r by {:.3g} (relative) at the "
                                     "cell ({}, {}); choose a box that holds whole periods of the texture (a skyrmion lattice's "
                                     "period, a spiral's, a cosine potential's or a potential table's, B_modulation's)",
                                     s.box[0], s.box[1], worst, worst_at[0], worst_at[1]));
    // Positions: lattice points in the plane, mapped into the box (with map, every cell).
    if (s.map) {
        s.r.clear();
        for (int n1 = 0; n1 < s.box[0]; ++n1)
            for (int n2 = 0; n2 < s.box[1]; ++n2)
                s.r.insert(s.r.end(), {n1 * s.A[0][0] + n2 * s.A[1][0], n1 * s.A[0][1] + n2 * s.A[1][1], 0.0});
    } else {
        s.r = read_positions(task, kMaxLatticePositions);
    }
    for (std::size_t a = 0; a < s.r.size() / 3; ++a) {
        const double x = s.r[3 * a], y = s.r[3 * a + 1];
        const double det = s.A[0][0] * s.A[1][1] - s.A[0][1] * s.A[1][0];
        const double f1 = (x * s.A[1][1] - y * s.A[1][0]) / det, f2 = (s.A[0][0] * y - s.A[0][1] * x) / det;
        const double n1 = std::round(f1), n2 = std::round(f2);
        if (std::fabs(f1) > 1e9 || std::fabs(f2) > 1e9)
            task.fail("r", fmt::format("r = ({:g}, {:g}, {:g}) is more than 1e9 cells from the origin", x, y, s.r[3 * a + 2]));
        if (std::fabs(f1 - n1) > 1e-9 || std::fabs(f2 - n2) > 1e-9 || s.r[3 * a + 2] != 0.0)
            task.fail("r", fmt::format("r = ({:g}, {:g}, {:g}) is not a lattice point n_1 a_1 + n_2 a_2 of '{}' (the lattice "
                                       "reference has its densities on the cells)",
                                       x, y, s.r[3 * a + 2], info.name));
        auto wrap = [](double n, int S) {
            const long long i = static_cast<long long>(n) % S;
            return i < 0 ? i + S : i;
        };
        s.cell.push_back(wrap(n1, s.box[0]) * s.box[1] + wrap(n2, s.box[1]));
    }
    // The bound charge's reference: the uniform texture m = background (default m at r = 0).
    if (task.node("background")) {
        const std::vector<double> b = task.numbers("background", 3);
        const double norm = b.size() == 3 ? std::sqrt(b[0] * b[0] + b[1] * b[1] + b[2] * b[2]) : 0.0;
        if (!(norm > 0.0)) task.fail("background", "background needs three numbers, a nonzero direction");
        for (int c = 0; c < 3; ++c) s.background[c] = b[static_cast<std::size_t>(c)] / norm;
        if (s.orbitals_apart() && (b[0] != 0.0 || b[1] != 0.0))
            task.fail("background", fmt::format("'{}' places its two orbitals apart in the cell: the reference's exchange field must "
                                                "lie along z, as the texture's ([0, 0, ±1])",
                                                info.name));
    } else {
        double v[6];
        cell_texture(0.0, 0.0, v);
        for (int c = 0; c < 3; ++c) s.background[c] = v[c];
    }
    return s;
}

// The twist θ = 2π(t_1/n_1, t_2/n_2) of index t = t_1 n_2 + t_2.
void twist_of(const LatticeSetup& s, int t, double theta[2]) {
    constexpr double kTwoPi = 6.283185307179586476925286766559;
    theta[0] = kTwoPi * (t / s.twists[1]) / s.twists[0];
    theta[1] = kTwoPi * (t % s.twists[1]) / s.twists[1];
}

// Rows of `width` numbers, one per twist, summed over every twist ([0]) and over the every-other
// sub-mesh ([1]), in the twists' order: the result does not depend on the threads.
std::array<std::vector<double>, 2> fold_twists(const LatticeSetup& s, const std::vector<double>& per_twist, std::size_t width) {
    std::array<std::vector<double>, 2> sum{std::vector<double>(width, 0.0), std::vector<double>(width, 0.0)};
    for (int t = 0; t < s.twists[0] * s.twists[1]; ++t) {
        const bool sub = (t / s.twists[1]) % 2 == 0 && (t % s.twists[1]) % 2 == 0;
        for (int k = 0; k < (sub ? 2 : 1); ++k)
            for (std::size_t i = 0; i < width; ++i) sum[static_cast<std::size_t>(k)][i] += per_twist[static_cast<std::size_t>(t) * width + i];
    }
    return sum;
}

// A random trace's draws, fold_draws' input [twist][colour][draw][width], folded: each twist's mean
// over the draws [twist][width], and the variance of the twists' sum (fold_twists of each twist's
// variance of its mean).
struct FoldedDraws {
    std::vector<double> mean;
    std::array<std::vector<double>, 2> variance;
};
FoldedDraws fold_twist_draws(const LatticeSetup& s, long long colours, long long draws, std::size_t width, const std::vector<double>& jobs) {
    const long long twists = static_cast<long long>(s.twists[0]) * s.twists[1];
    const std::vector<double> rows = fold_draws(twists, colours, draws, width, width, jobs);
    FoldedDraws f{std::vector<double>(static_cast<std::size_t>(twists) * width), {}};
    std::vector<double> variance(static_cast<std::size_t>(twists) * width);
    for (std::size_t t = 0; t < static_cast<std::size_t>(twists); ++t)
        for (std::size_t i = 0; i < width; ++i) {
            f.mean[t * width + i] = rows[t * 2 * width + i];
            variance[t * width + i] = rows[t * 2 * width + width + i];
        }
    f.variance = fold_twists(s, variance, width);
    return f;
}

// The Hall response's broadenings: η alone where it is 0 (the clean Kubo formula), else η and 2η
// (the estimate of what η changes).
std::vector<double> broadenings(const LatticeSetup& s) {
    return s.broadening > 0.0 ? std::vector<double>{s.broadening, 2.0 * s.broadening} : std::vector<double>{0.0};
}

// What a solver gives, folded over the twists (fold_twists): the density of each requested
// position's cell [position × levels + level] and the electrons in the box [level].
struct TwistSums {
    std::array<std::vector<double>, 2> density, electrons;
    std::array<std::vector<double>, 2> electrons_variance;  // kpm, bound_charge_trace = "probing": of the twists' sum
    std::array<std::vector<double>, 2> density_variance;    // kpm, density_trace = "probing": of the twists' sum
    // The probing's draws before their fold (fold_draws' input), for Středa's differences of two
    // boxes drawn with the same phases: the electrons' [twist][colour][draw][level] and the
    // positions' [twist][draw][position × levels + level].
    std::vector<double> electron_jobs, density_jobs;
    long long moments = 0;
    double tail = 0.0;
    std::vector<TwistChern> hall;  // dense with `hall`: per level
    // With `hall`: Σ_θ S(θ) per level, S = Σ_n f_n Ω_n (twist_kubo.hpp) or its broadened Bastin form
    // (kpm_hall.hpp) at η, then at 2η (η > 0), then (kpm, random vectors) the variance of the mean.
    std::array<std::vector<double>, 2> berry;
    long long hall_moments = 0;
    double hall_tail = 0.0, hall_error = 0.0;  // kpm: the series' tail and its bound on σ_xy (e²/h)
    bool hall_limited = false;                 // kpm: the series stopped at its limit above its tolerance
    std::vector<long long> on_level;  // dense at T = 0: the (twist, level) pairs on each μ
};

TwistSums dense_sums(const LatticeSetup& s, Progress& progress) {
    const std::size_t levels = s.mu.size(), cells = static_cast<std::size_t>(s.box[0]) * s.box[1], P = s.cell.size();
    const int twists = s.twists[0] * s.twists[1];
    std::vector<double> density(static_cast<std::size_t>(twists) * P * levels), electrons(static_cast<std::size_t>(twists) * levels);
    std::vector<Eigenstates> states(s.hall ? static_cast<std::size_t>(twists) : 0);
    std::vector<double> berry(s.hall ? static_cast<std::size_t>(twists) * levels * broadenings(s).size() : 0);
    std::vector<long long> on_level(static_cast<std::size_t>(twists) * levels, 0);
    const std::vector<std::array<double, 2>> tau_fraction = s.tau_fraction();
    workers::parallel_for(
        twists, 1,
        [&](long long b, long long e) {
            for (long long t = b; t < e; ++t) {
                double theta[2];
                twist_of(s, static_cast<int>(t), theta);
                std::vector<double> c(cells * levels, 0.0), el(levels, 0.0);
                std::vector<long long> on(levels, 0);
                Eigenstates solved = diagonalise(box_hamiltonian(s.orbitals(), s.hoppings, s.box, s.on_site, theta, s.field()));
                add_dense_densities(solved, s.orbitals(), s.mu, s.T, c, el, on);
                std::copy(on.begin(), on.end(), on_level.begin() + static_cast<std::ptrdiff_t>(static_cast<std::size_t>(t) * levels));
                for (std::size_t a = 0; a < P; ++a)
                    for (std::size_t j = 0; j < levels; ++j)
                        density[(static_cast<std::size_t>(t) * P + a) * levels + j] = c[static_cast<std::size_t>(s.cell[a]) * levels + j];
                for (std::size_t j = 0; j < levels; ++j) electrons[static_cast<std::size_t>(t) * levels + j] = el[j];
                if (s.hall) {
                    const std::vector<double> kubo = twist_berry_sum(
                        solved, box_twist_derivatives(s.orbitals(), s.hoppings, s.box, theta, s.field(), tau_fraction), s.mu, s.T,
                        broadenings(s));
                    std::copy(kubo.begin(), kubo.end(), berry.begin() + static_cast<std::ptrdiff_t>(static_cast<std::size_t>(t) * kubo.size()));
                    states[static_cast<std::size_t>(t)] = std::move(solved);
                }
                progress.add(1);
                count_stop_unit();
            }
        },
        [] { return !stop_requested(); });
    throw_if_stopped();
    TwistSums sums;
    sums.density = fold_twists(s, density, P * levels);
    sums.electrons = fold_twists(s, electrons, levels);
    sums.on_level.assign(levels, 0);
    for (std::size_t i = 0; i < on_level.size(); ++i) sums.on_level[i % levels] += on_level[i];
    if (s.hall) {
        sums.berry = fold_twists(s, berry, levels * broadenings(s).size());
        Progress links("texture_lattice links", twist_links(s.twists[0], s.twists[1], static_cast<long long>(levels)), "links");
        sums.hall = twist_chern(states, s.twists[0], s.twists[1], s.mu, &links);
        links.finish();
    }
    return sums;
}

// Every twist's box Hamiltonian.
std::vector<SparseHamiltonian> twist_hamiltonians(const LatticeSetup& s) {
    std::vector<SparseHamiltonian> H;
    for (int t = 0; t < s.twists[0] * s.twists[1]; ++t) {
        double theta[2];
        twist_of(s, t, theta);
        H.push_back(box_hamiltonian(s.orbitals(), s.hoppings, s.box, s.on_site, theta, s.field()));
    }
    return H;
}

// One Chebyshev scale for every twist of every set of matrices (Středa's two boxes too), and so
// one series: the truncation is the same for all, and cancels in their differences.
struct KpmPlan {
    ChebyshevScale scale;
    long long moments = 0;
    FermiSeries series;
};
KpmPlan kpm_plan(const LatticeSetup& s, const std::vector<const std::vector<SparseHamiltonian>*>& sets) {
    double lo = 1e300, hi = -1e300;
    for (const auto* set : sets)
        for (const SparseHamiltonian& H : *set) {
            const ChebyshevScale c = chebyshev_scale(H);
            lo = std::min(lo, c.center - c.half_width);
            hi = std::max(hi, c.center + c.half_width);
        }
    KpmPlan plan;
    plan.scale = {0.5 * (hi + lo), 0.5 * (hi - lo)};
    // The asymptotic count, doubled while the quadrature's own tail says it is short (a large
    // prefactor), within the bound checked at input.
    plan.moments = static_cast<long long>(std::min(moments_needed(plan.scale, s.mu, s.T, kSeriesTolerance), double(s.moments_limit)));
    plan.series = fermi_series(plan.scale, s.mu, s.T, plan.moments);
    while (plan.series.tail > kSeriesTolerance && plan.moments < s.moments_limit) {
        plan.moments = std::min(2 * plan.moments, s.moments_limit);
        plan.series = fermi_series(plan.scale, s.mu, s.T, plan.moments);
    }
    return plan;
}

TwistSums kpm_sums(Backend backend, const LatticeSetup& s, const std::vector<SparseHamiltonian>& H, const KpmPlan& plan,
                   Progress& progress) {
    const std::size_t levels = s.mu.size(), P = s.cell.size();
    const long long cells = static_cast<long long>(s.box[0]) * s.box[1];
    const int twists = s.twists[0] * s.twists[1];
    TwistSums sums;
    sums.moments = plan.moments;
    sums.tail = plan.series.tail;
    // The orbitals: every one (for the electrons in the box), or those of the requested cells;
    // first[a] is the index in `orbitals` of position a's cell's first orbital.
    const long long N = s.orbitals();
    std::vector<long long> orbitals, first;
    if (s.bound_charge && s.electron_draws == 0) {
        for (long long o = 0; o < N * cells; ++o) orbitals.push_back(o);
        for (long long c : s.cell) first.push_back(N * c);
    } else {
        for (long long c : s.cell) {
            first.push_back(static_cast<long long>(orbitals.size()));
            for (long long a = 0; a < N; ++a) orbitals.push_back(N * c + a);
        }
    }
    const std::size_t per_twist = orbitals.size();
    std::vector<double> density(static_cast<std::size_t>(twists) * P * levels), electrons(static_cast<std::size_t>(twists) * levels, 0.0);
    // The electrons' probing jobs (fold_draws' input): each twist's mean over the draws and the
    // variance, and the jobs kept for Středa's differences.
    auto take_electrons = [&](std::vector<double> jobs) {
        FoldedDraws f = fold_twist_draws(s, s.probing_colour_count(), s.electron_draws, levels, jobs);
        electrons = std::move(f.mean);
        sums.electrons_variance = std::move(f.variance);
        sums.electron_jobs = std::move(jobs);
    };
    if (s.density_draws > 0) {
        // Probing (random_diagonal): the requested cells' orbitals and, with bound_charge, Tr f(H)
        // from one set of colour vectors, on the worker pool or the device. A position's estimate in
        // a draw is its cell's orbitals' sum; its spread over the draws gives the variance
        // (fold_draws, one colour).
        const long long R = s.density_draws;
        const TraceSampling sampling = s.sampling(R, true);
        const RandomDiagonal diagonal = random_diagonal(
            TraceJobs(twists, N * cells, sampling), levels, orbitals,
            [&](const TraceJobs& jobs, const std::vector<std::vector<long long>>& support, const JobValues& take) {
                kpm_vector_diagonal(backend, H, plan.scale, plan.series, jobs, support, take, progress);
            });
        std::vector<double> cell_draws(static_cast<std::size_t>(twists * R) * P * levels, 0.0);
        for (std::size_t tk = 0; tk < static_cast<std::size_t>(twists * R); ++tk)
            for (std::size_t a = 0; a < P; ++a)
                for (std::size_t j = 0; j < levels; ++j)
                    for (long long b = 0; b < N; ++b)
                        cell_draws[(tk * P + a) * levels + j] += diagonal.selected[(tk * per_twist + static_cast<std::size_t>(first[a] + b)) * levels + j];
        FoldedDraws f = fold_twist_draws(s, 1, R, P * levels, cell_draws);
        density = std::move(f.mean);
        sums.density_variance = std::move(f.variance);
        sums.density_jobs = std::move(cell_draws);
        if (s.bound_charge) take_electrons(diagonal.colour_sums);
    } else {
        std::vector<std::array<long long, 2>> jobs;  // {twist, orbital}, twist-major
        for (int t = 0; t < twists; ++t)
            for (long long o : orbitals) jobs.push_back({t, o});
        // ⟨o|f(H)|o⟩ [twist][orbital][level]
        const std::vector<double> value = kpm_diagonal(backend, H, plan.scale, plan.series, jobs, progress);
        for (std::size_t t = 0; t < static_cast<std::size_t>(twists); ++t) {
            const double* v = value.data() + t * per_twist * levels;
            for (std::size_t a = 0; a < P; ++a)
                for (std::size_t j = 0; j < levels; ++j) {
                    double& n = density[(t * P + a) * levels + j];
                    for (long long b = 0; b < N; ++b) n += v[static_cast<std::size_t>(first[a] + b) * levels + j];
                }
            if (s.bound_charge && s.electron_draws == 0)
                for (std::size_t o = 0; o < per_twist; ++o)
                    for (std::size_t j = 0; j < levels; ++j) electrons[t * levels + j] += v[o * levels + j];
        }
        if (s.bound_charge && s.electron_draws > 0) {
            // Tr f(H) by probing (random_trace.hpp), on the worker pool or the device.
            const TraceSampling sampling = s.sampling(s.electron_draws, true);
            take_electrons(random_trace_jobs(TraceJobs(twists, N * cells, sampling), levels,
                                             [&](const TraceJobs& jobs, const JobValues& take) {
                                                 kpm_vector_sums(backend, H, plan.scale, plan.series, jobs, take, progress);
                                             }));
        }
    }
    sums.density = fold_twists(s, density, P * levels);
    sums.electrons = fold_twists(s, electrons, levels);
    return sums;
}

// A result's CSV table by its name (the densities', the Hall conductivity's, the pump's).
CsvTable& table_named(TaskResult& out, const std::string& name) {
    for (CsvTable& t : out.tables)
        if (t.name == name) return t;
    throw std::logic_error("texture_lattice: no table " + name);
}

// The Kubo–Bastin sums of every twist by the kernel polynomial method (kpm_hall.hpp), folded over
// the twists into sums.berry, on the Chebyshev scale of the densities' plan.
void kpm_hall_sums(const LatticeSetup& s, const std::vector<SparseHamiltonian>& H, const KpmPlan& plan, TwistSums& sums,
                   Progress& progress) {
    const std::vector<std::array<double, 2>> tau_fraction = s.tau_fraction();
    std::vector<std::array<SparseHamiltonian, 2>> V;
    double norms = 0.0;  // max over twists of ‖V_1‖‖V_2‖ × orbitals: |μ_ab − μ_ba| ≤ 2 × it per trace
    for (int t = 0; t < s.twists[0] * s.twists[1]; ++t) {
        double theta[2];
        twist_of(s, t, theta);
        V.push_back(box_twist_derivatives(s.orbitals(), s.hoppings, s.box, theta, s.field(), tau_fraction));
        norms = std::max(norms, row_sum_norm(V.back()[0]) * row_sum_norm(V.back()[1]) * double(H[static_cast<std::size_t>(t)].dim));
        throw_if_stopped();
    }
    // σ_xy = −2π × the twists' mean of S, S = −(1/a²) Im Σ c (μ − μᵀ): the dropped coefficients
    // change σ_xy by at most 2π (1/a²) tail × 2 norms.
    const double a2 = plan.scale.half_width * plan.scale.half_width;
    const double per_tail = 4.0 * kPi * std::max(norms, 1e-300) / a2;
    const double tolerance = kHallSeriesError / per_tail;
    const double eta = s.broadening / plan.scale.half_width;
    const double start = bastin_moments_needed(plan.scale, s.mu, s.T, s.broadening, 1.0 / (eta * eta), tolerance);
    const BastinSeries series = bastin_series(plan.scale, s.mu, s.T, broadenings(s), tolerance,
                                              static_cast<long long>(std::min(start, double(s.hall_moments_limit))), s.hall_moments_limit);
    sums.hall_moments = series.moments;
    sums.hall_tail = series.tail;
    sums.hall_error = per_tail * series.tail;
    sums.hall_limited = series.tail > tolerance;
    const std::vector<double> rows = twist_bastin_sums(H, V, series, s.sampling(s.random_vectors, s.probed_hall), progress);
    sums.berry = fold_twists(s, rows, (broadenings(s).size() + 1) * s.mu.size());
}

// The electrons in the box with the uniform texture m = background, on the same momenta as the
// box's spectrum (k = (t_i/n_i + j_i)/S_i along G_i): the levels of H_0(k) + J background·S,
// folded over the twists. One job per twist on the worker pool.
std::array<std::vector<double>, 2> reference_electrons(const TaskContext& ctx, const LatticeSetup& s) {
    const ModelInfo& info = *ctx.cfg.model;
    double G[3][3];
    reciprocal_basis(info.bravais, G);
    const int N = s.orbitals();
    const std::size_t levels = s.mu.size();
    const int twists = s.twists[0] * s.twists[1];
    std::vector<double> per_twist(static_cast<std::size_t>(twists) * levels, 0.0);
    workers::parallel_for(
        twists, 1,
        [&](long long b, long long e) {
            Eigen::MatrixXcd H(N, N);
            Eigen::SelfAdjointEigenSolver<Eigen::MatrixXcd> solver(N);
            std::vector<std::complex<double>> block(static_cast<std::size_t>(N * N));
            for (long long t = b; t < e; ++t) {
                const int t1 = static_cast<int>(t) / s.twists[1], t2 = static_cast<int>(t) % s.twists[1];
                for (int j1 = 0; j1 < s.box[0]; ++j1) {
                    if (stop_requested()) return;
                    for (int j2 = 0; j2 < s.box[1]; ++j2) {
                        const double f1 = (double(t1) / s.twists[0] + j1) / s.box[0], f2 = (double(t2) / s.twists[1] + j2) / s.box[1];
                        double k[3];
                        for (int c = 0; c < 3; ++c) k[c] = f1 * G[0][c] + f2 * G[1][c];
                        s.cell_model.bloch(k, block.data());
                        s.cell_model.add_exchange(s.background, s.texture.exchange, block.data());
                        for (int i = 0; i < N; ++i)
                            for (int j = 0; j < N; ++j) H(i, j) = block[static_cast<std::size_t>(i * N + j)];
                        solver.compute(H, Eigen::EigenvaluesOnly);
                        for (std::size_t j = 0; j < levels; ++j)
                            for (int n = 0; n < N; ++n)
                                per_twist[static_cast<std::size_t>(t) * levels + j] += occupation(solver.eigenvalues()(n) - s.mu[j], s.mu[j], s.T);
                    }
                }
            }
        },
        [] { return !stop_requested(); });
    throw_if_stopped();
    return fold_twists(s, per_twist, levels);
}

// What a random trace's report says (report_random_trace): its standard error's key; the exact
// alternative, its cost in start vectors per twist (0: none to compare with — the electrons taken
// from the probed densities' vectors cost nothing of their own); the colours whose
// spreads make each standard error (every colour for a trace, one for a cell's density); and what
// one random vector costs in the exact alternative's vectors (2 for a diagonal: a sparse product
// per moment where a unit vector's recursion takes one per two).
struct RandomTraceReport {
    const char* error_key;
    const char* exact;
    long long exact_vectors;
    long long draws, colours, spread_colours;
    bool probed;
    int vector_cost = 1;
};

// A random trace's keys and warnings (random_trace.hpp), for the Hall sum's, the electrons' and the
// densities': with probing, its distance and colours; a standard error on fewer than 10 degrees of
// freedom — at most one per twist, colour and draw beyond the first, fewer where their variances
// differ; and probing that takes no fewer start vectors than the exact alternative.
void report_random_trace(const LatticeSetup& s, const RandomTraceReport& r, TaskResult& out) {
    const long long twists = static_cast<long long>(s.twists[0]) * s.twists[1];
    const long long dof = twists * r.spread_colours * (r.draws - 1);
    // More colours add degrees of freedom to a trace's spread, not to one position's.
    const char* hint = r.probed && r.spread_colours > 1 ? " or probing_distance" : "";
    if (dof < 10)
        out.warnings.push_back(fmt::format("{} rests on at most {} degrees of freedom (twists x {}(random_vectors - 1)), so it may "
                                           "well fall short of the true spread: raise random_vectors{}",
                                           r.error_key, dof, r.spread_colours > 1 ? "colours x " : "", hint));
    if (!r.probed) return;
    out.results["probing_distance"] = {s.probing_distance[0], s.probing_distance[1]};
    out.results["probing_colours"] = r.colours;
    out.units["probing_distance"] = "cells along a_1, a_2 between orbitals of one colour";
    out.units["probing_colours"] = "start vectors per draw and twist: orbitals per cell x d1 x d2";
    if (r.exact_vectors > 0 && r.vector_cost * r.colours * r.draws >= r.exact_vectors)
        out.warnings.push_back(fmt::format("probing for {} takes {} start vectors per twist ({} colours x {} draws{}), no less work "
                                           "than the {} start vectors of {}: that costs less and has no noise",
                                           r.error_key, r.colours * r.draws, r.colours, r.draws,
                                           r.vector_cost > 1 ? fmt::format(", each the work of {}", r.vector_cost) : std::string(),
                                           r.exact_vectors, r.exact));
}

// σ_xy's estimate beyond the twists' sub-mesh (attach_errors): with η > 0, what η changes,
// |σ(2η) − σ(η)|/2 (the η² approach of a gapped box, kpm_hall.hpp, would make it a third; half
// allows for the next order, measured to lower the third by 0.5 % at η = 0.05 across a gap of 0.66;
// in a band, how much the result depends on η); with random vectors, twice the standard error of the twists' mean; with kpm, the
// series' bound. Each is reported, and the estimate is their sum with the sub-mesh's.
void add_hall_errors(const LatticeSetup& s, const TwistSums& sums, const std::string& eu, TaskResult& out) {
    const std::size_t levels = s.mu.size(), E = broadenings(s).size();
    const double twists = double(s.twists[0]) * s.twists[1];
    const std::vector<double>& berry = sums.berry[0];
    std::vector<double> wide(levels, 0.0), trace(levels, 0.0);
    for (std::size_t j = 0; j < levels; ++j) {
        if (E > 1) wide[j] = std::fabs(2 * kPi * (berry[levels + j] - berry[j]) / twists) / 2.0;
        if (s.method == Method::kpm && s.random_vectors > 0) trace[j] = 2 * kPi * std::sqrt(berry[E * levels + j]) / twists;
        double& e = out.errors["sigma_xy"][j].get_ref<double&>();
        e += wide[j] + 2.0 * trace[j] + sums.hall_error;
        table_named(out, "texture_lattice_hall").rows[j].back() = e;  // sigma_xy_error: the whole estimate
    }
    if (E > 1) {
        out.results["broadening"] = s.broadening;
        out.results["sigma_xy_broadening_error"] = wide;
        out.units["broadening"] = fmt::format("{}: eta, the Lorentzian broadening of the Kubo-Bastin formula", eu);
        out.units["sigma_xy_broadening_error"] = "e^2/h, [mu]: |sigma_xy(2 eta) - sigma_xy(eta)|/2, what eta changes: sigma_xy "
                                                 "approaches its eta -> 0 limit as eta^2 in a gap of the box (which would make it "
                                                 "a third), and the half allows for the next order";
    }
    if (s.method != Method::kpm) return;
    const bool probing = s.probed_hall;
    out.results["trace"] = s.random_vectors == 0 ? "exact" : probing ? "probing" : "stochastic";
    out.units["trace"] = "the trace over the box: exact (every orbital), stochastic (random-phase vectors) or probing (random-phase "
                         "vectors split by colours, orbitals of one colour probing_distance cells apart)";
    if (s.random_vectors > 0) {
        out.results["random_vectors"] = s.random_vectors;
        out.results["sigma_xy_stochastic_error"] = trace;
        out.units["random_vectors"] = probing ? "random-phase draws per twist, each split into probing_colours start vectors"
                                              : "random-phase start vectors per twist";
        out.units["sigma_xy_stochastic_error"] =
            probing ? "e^2/h, [mu]: one standard error of the probing trace, from each colour's spread over the draws (the "
                      "estimate takes two)"
                    : "e^2/h, [mu]: one standard error of the random vectors' trace (the estimate takes two)";
    }
    if (s.random_vectors > 0)
        report_random_trace(s,
                            {"sigma_xy_stochastic_error", "trace = \"exact\"", s.box_orbitals(),
                             s.random_vectors, s.hall_colour_count(), s.hall_colour_count(), probing},
                            out);
    if (sums.hall_limited)
        out.warnings.push_back(fmt::format("the Kubo-Bastin series stops at its limit of {} moments per index with a bound of {:.2g} "
                                           "e^2/h on sigma_xy, above its tolerance {:g} (added to sigma_xy's estimate); a larger "
                                           "broadening or T shortens it",
                                           sums.hall_moments, sums.hall_error, kHallSeriesError));
    out.results["hall_moments"] = sums.hall_moments;
    out.results["hall_series_error"] = sums.hall_error;
    out.units["hall_moments"] = "Chebyshev moments per index of the Kubo-Bastin series (its M x M moments per start vector)";
    out.units["hall_series_error"] = "e^2/h: a bound on what the series' dropped coefficients change in sigma_xy";
}

// Středa's two boxes, drawn with the same phases (the same seed, twists, colours and draws): the
// variance of the twists' sum of their difference, from the spread of the per-draw differences
// (fold_draws over `colours`), which is smaller than the two variances' sum where their noises
// are correlated. `field` and `zero` are fold_draws' inputs of `width` numbers.
std::vector<double> difference_variance(const LatticeSetup& s, const std::vector<double>& field, const std::vector<double>& zero,
                                        long long colours, long long draws, std::size_t width) {
    if (field.size() != zero.size()) throw std::logic_error("difference_variance: the two boxes' draws differ in number");
    std::vector<double> difference(field.size());
    for (std::size_t i = 0; i < field.size(); ++i) difference[i] = field[i] - zero[i];
    return fold_twist_draws(s, colours, draws, width, difference).variance[0];
}

// kpm at T = 0: the setup the series runs on, at k_B T_s = smoothing on series_levels (mu, then
// mu − step_window, then mu + step_window).
LatticeSetup series_setup(const LatticeSetup& s) {
    LatticeSetup series = s;
    series.mu = s.series_levels();
    series.T = s.series_T();
    series.smoothing = 0.0;
    return series;
}

// Of sums over the series' 3 × levels (every array with the level innermost), mu's in `sums` and the
// window's two in the result.
struct StepWindow {
    TwistSums lower, upper;
};
TwistSums levels_of(const TwistSums& all, std::size_t total, std::size_t first, std::size_t count) {
    auto take = [&](const std::vector<double>& v) {
        std::vector<double> out;
        out.reserve(v.size() / total * count);
        for (std::size_t row = 0; row + total <= v.size(); row += total)
            out.insert(out.end(), v.begin() + static_cast<std::ptrdiff_t>(row + first), v.begin() + static_cast<std::ptrdiff_t>(row + first + count));
        return out;
    };
    TwistSums part;
    for (int k = 0; k < 2; ++k) {
        part.density[k] = take(all.density[k]);
        part.electrons[k] = take(all.electrons[k]);
        part.electrons_variance[k] = take(all.electrons_variance[k]);
        part.density_variance[k] = take(all.density_variance[k]);
    }
    part.electron_jobs = take(all.electron_jobs);
    part.density_jobs = take(all.density_jobs);
    part.moments = all.moments;
    part.tail = all.tail;
    return part;
}
StepWindow split_window(const LatticeSetup& s, TwistSums& sums) {
    const std::size_t n = s.mu.size();
    const TwistSums all = std::move(sums);
    sums = levels_of(all, 3 * n, 0, n);
    return {levels_of(all, 3 * n, n, n), levels_of(all, 3 * n, 2 * n, n)};
}

// The estimates' part from the step's smoothing (kpm at T = 0). A level at x = E − mu enters a
// density or count with a weight q ≥ 0 (|⟨o|ψ⟩|², or 1): as q f_s(x) (the Fermi function at T_s)
// where the step gives q θ(−x) (q/2 at x = 0, the dense solver's T → 0+), off by at most q f_s(|x|).
// The change of the same sum across mu ± w (w = step_window = 8 T_s) holds it as
// q [f_s(x − w) − f_s(x + w)], which is at least q (1 − 2 f_s(w))/2 ≥ (1 − 2 f_s(w)) q f_s(|x|) for
// |x| ≤ w and e^{w/T_s}/2 times q f_s(|x|) beyond. The weights being positive, the change over
// (1 − 2 f_s(w)) bounds the sum's error: added to density, electrons and bound_charge (the
// reference's step is exact), and to Středa's differences as the two boxes' bounds' sum; each
// reported. With probing the change is itself the draws' estimate: zero to the series' tolerance
// in a gap, and in a band with a noise of its own that the stochastic error (of the value, not of the
// change) does not hold.
void add_step_errors(const LatticeSetup& s, const StepWindow& step, const StepWindow& zero_step, const std::string& lu,
                     const std::string& eu, TaskResult& out) {
    const std::size_t levels = s.mu.size(), P = s.cell.size();
    const double twists = double(s.twists[0]) * s.twists[1];
    const double factor = 1.0 / (1.0 - 2.0 / (std::exp(s.step_window() / s.smoothing) + 1.0));
    auto change = [&](const StepWindow& w, bool density, std::size_t i) {
        const std::vector<double>& lower = density ? w.lower.density[0] : w.lower.electrons[0];
        const std::vector<double>& upper = density ? w.upper.density[0] : w.upper.electrons[0];
        return std::fabs(upper[i] - lower[i]) / twists * factor;
    };
    CsvTable& csv = table_named(out, "texture_lattice");  // x, y, z, mu, density[, streda_local], their errors
    const std::size_t data = (csv.columns.size() - csv.keys) / 2;
    nlohmann::json density = nlohmann::json::array(), local = nlohmann::json::array();
    for (std::size_t a = 0; a < P; ++a) {
        std::vector<double> row(levels), row_local(levels);
        for (std::size_t j = 0; j < levels; ++j) {
            const std::size_t i = a * levels + j;
            row[j] = change(step, true, i) / s.cell_area;
            out.errors["density"][a][j].get_ref<double&>() += row[j];
            csv.rows[i][csv.keys + data] += row[j];
            if (!s.streda) continue;
            row_local[j] = (row[j] + change(zero_step, true, i) / s.cell_area) * (2 * kPi / std::fabs(s.texture.field[2]));
            out.errors["streda_local"][a][j].get_ref<double&>() += row_local[j];
            csv.rows[i][csv.keys + data + 1] += row_local[j];
        }
        density.push_back(row);
        if (s.streda) local.push_back(row_local);
    }
    out.results["step_smoothing"] = s.smoothing;
    out.results["step_window"] = s.step_window();
    out.results["density_step_error"] = density;
    out.units["density_step_error"] =
        fmt::format("electrons per {}^2, [position][mu]: a bound on what the step's smoothing changes in density, from its "
                    "change across mu -/+ step_window (added to density's estimate); near 0 where the box has no level "
                    "within about 22 step_smoothing of mu (below 1e-13 beyond about 38)",
                    lu);
    out.units["step_smoothing"] = fmt::format("{}: k_B T_s, the Fermi function the T = 0 step is expanded as", eu);
    out.units["step_window"] = fmt::format("{}: 8 step_smoothing, the half-width of the change that bounds the step's error", eu);
    if (s.streda) {
        out.results["streda_local_step_error"] = local;
        out.units["streda_local_step_error"] = "dimensionless, [position][mu]: the two boxes' bounds of the step's smoothing, as "
                                               "density_step_error's, in streda_local (added to its estimate)";
    }
    // A warning per mu where the levels near it change a cell's electrons or the box's by 1e-6.
    for (std::size_t j = 0; j < levels; ++j) {
        double worst = s.bound_charge ? change(step, false, j) : 0.0;
        for (std::size_t a = 0; a < P; ++a) worst = std::max(worst, change(step, true, a * levels + j));
        if (worst > 1e-6)
            out.warnings.push_back(fmt::format("mu = {:g}: the box has levels within about 22 step_smoothing = {:g} of mu (its "
                                               "{} change by up to {:.3g} across mu -/+ {:g}): the T = 0 values there hold that "
                                               "bound in their estimates; a smaller smoothing resolves levels nearer mu",
                                               s.mu[j], s.smoothing, s.bound_charge ? "electrons or a cell's" : "cells' electrons",
                                               worst, s.step_window()));
    }
    if (!s.bound_charge) return;
    std::vector<double> electrons(levels), hall(levels);
    for (std::size_t j = 0; j < levels; ++j) {
        electrons[j] = change(step, false, j);
        out.errors["electrons"][j].get_ref<double&>() += electrons[j];
        out.errors["bound_charge"][j].get_ref<double&>() += electrons[j];
        if (!s.streda) continue;
        hall[j] = (electrons[j] + change(zero_step, false, j)) / double(std::llabs(s.peierls.flux_quanta));
        out.errors["streda_hall"][j].get_ref<double&>() += hall[j];
    }
    out.results["electrons_step_error"] = electrons;
    out.units["electrons_step_error"] = "electrons, [mu]: a bound on what the step's smoothing changes in the electrons in the box "
                                        "(and bound_charge), from their change across mu -/+ step_window (added to both estimates)";
    if (s.streda) {
        out.results["streda_hall_step_error"] = hall;
        out.units["streda_hall_step_error"] = "dimensionless, [mu]: the two boxes' bounds of the step's smoothing in streda_hall "
                                              "(added to its estimate)";
    }
}

// The electrons' estimate with bound_charge_trace = "probing" (beyond the twists' sub-mesh,
// attach_errors): twice the standard error of the twists' mean, added to electrons and bound_charge,
// and streda_hall's from the two boxes' per-draw differences (difference_variance), each reported.
void add_electron_errors(const LatticeSetup& s, const TwistSums& sums, const TwistSums& zero_field, TaskResult& out) {
    const std::size_t levels = s.mu.size();
    const double twists = double(s.twists[0]) * s.twists[1];
    std::vector<double> se(levels), se_streda(levels, 0.0);
    const std::vector<double> streda_variance =
        s.streda ? difference_variance(s, sums.electron_jobs, zero_field.electron_jobs, s.probing_colour_count(), s.electron_draws, levels)
                 : std::vector<double>{};
    for (std::size_t j = 0; j < levels; ++j) {
        se[j] = std::sqrt(sums.electrons_variance[0][j]) / twists;
        out.errors["electrons"][j].get_ref<double&>() += 2.0 * se[j];
        out.errors["bound_charge"][j].get_ref<double&>() += 2.0 * se[j];
        if (!s.streda) continue;
        se_streda[j] = std::sqrt(streda_variance[j]) / twists / double(std::llabs(s.peierls.flux_quanta));
        out.errors["streda_hall"][j].get_ref<double&>() += 2.0 * se_streda[j];
    }
    if (s.streda) {
        out.results["streda_hall_stochastic_error"] = se_streda;
        out.units["streda_hall_stochastic_error"] = "dimensionless, [mu]: one standard error of streda_hall, from the spread of the two boxes' per-draw "
                                                    "differences (they share their phases), over |N_phi|; the estimate takes two";
    }
    out.results["bound_charge_trace"] = "probing";
    out.results["electrons_stochastic_error"] = se;
    out.results["electron_draws"] = s.electron_draws;
    out.units["bound_charge_trace"] = "the electrons' trace over the box: probing (random-phase draws split by colours, orbitals "
                                      "of one colour probing_distance cells apart)";
    out.units["electrons_stochastic_error"] = "electrons, [mu]: one standard error of the probing trace of the electrons in the box, "
                                              "from each colour's spread over the draws (the estimates of electrons and bound_charge "
                                              "take two)";
    out.units["electron_draws"] = "random-phase draws per twist of the electrons' trace, each split into probing_colours start vectors";
    report_random_trace(s,
                        {"electrons_stochastic_error", "bound_charge_trace = \"exact\"",
                         s.density_draws > 0 ? 0 : s.box_orbitals(), s.electron_draws, s.probing_colour_count(), s.probing_colour_count(),
                         true},
                        out);
}

// The densities' estimate with density_trace = "probing" (beyond the twists' sub-mesh,
// attach_errors): twice each position's standard error of the twists' mean, added to density, and
// streda_local's from the two boxes' per-draw differences (difference_variance), in the JSON and the
// CSV, each reported.
void add_density_errors(const LatticeSetup& s, const TwistSums& sums, const TwistSums& zero_field, const std::string& lu,
                        TaskResult& out) {
    const std::size_t levels = s.mu.size(), P = s.cell.size();
    const double twists = double(s.twists[0]) * s.twists[1];
    nlohmann::json se = nlohmann::json::array(), se_streda = nlohmann::json::array();
    CsvTable& csv = table_named(out, "texture_lattice");  // x, y, z, mu, density[, streda_local], their errors
    const std::size_t data = (csv.columns.size() - csv.keys) / 2;
    const std::vector<double> streda_variance =
        s.streda ? difference_variance(s, sums.density_jobs, zero_field.density_jobs, 1, s.density_draws, P * levels) : std::vector<double>{};
    for (std::size_t a = 0; a < P; ++a) {
        std::vector<double> row(levels), row_streda(levels);
        for (std::size_t j = 0; j < levels; ++j) {
            row[j] = std::sqrt(sums.density_variance[0][a * levels + j]) / twists / s.cell_area;
            out.errors["density"][a][j].get_ref<double&>() += 2.0 * row[j];
            csv.rows[a * levels + j][csv.keys + data] += 2.0 * row[j];
            if (!s.streda) continue;
            // streda_local is the two boxes' difference times 2π/B_z.
            row_streda[j] = std::sqrt(streda_variance[a * levels + j]) / twists / s.cell_area * (2 * kPi / std::fabs(s.texture.field[2]));
            out.errors["streda_local"][a][j].get_ref<double&>() += 2.0 * row_streda[j];
            csv.rows[a * levels + j][csv.keys + data + 1] += 2.0 * row_streda[j];
        }
        se.push_back(row);
        if (s.streda) se_streda.push_back(row_streda);
    }
    out.results["density_trace"] = "probing";
    out.results["density_stochastic_error"] = se;
    out.results["density_draws"] = s.density_draws;
    out.units["density_trace"] = "the densities: probing (each orbital's diagonal element from random-phase draws split by colours, "
                                 "orbitals of one colour probing_distance cells apart)";
    out.units["density_stochastic_error"] =
        fmt::format("electrons per {}^2, [position][mu]: one standard error of the probed density, from its spread over the draws "
                    "(density's estimate takes two); cells whose orbitals share colours share noise, so these errors do not "
                    "combine in quadrature over cells (the electrons in the box have their own, electrons_stochastic_error)",
                    lu);
    out.units["density_draws"] = "random-phase draws per twist of the densities, each split into probing_colours start vectors";
    if (s.streda) {
        out.results["streda_local_stochastic_error"] = se_streda;
        out.units["streda_local_stochastic_error"] = "dimensionless, [position][mu]: one standard error of streda_local, from the spread of the two "
                                                     "boxes' per-draw differences (they share their phases); the estimate takes two";
    }
    // At half the box an orbital's colour partner along that axis is one orbital met from both
    // sides, f(H)_oj(+d) + e^{iθ} f(H)_oj(−d): the twists' variances differ (doubled at θ = 0,
    // cancelled at π), and the spread over the twists rests on fewer degrees of freedom than
    // counted (measured on a 6 × 6 box: rms deviations 0.83–1.30 standard errors over four seeds at
    // d = 3, against 1.02–1.13 at d = 2).
    for (int i = 0; i < 2; ++i)
        if (2 * s.probing_distance[i] == s.box[i] && s.twists[0] * s.twists[1] > 1) {
            out.warnings.push_back(fmt::format("probing_distance {} is half the box's {} cells along a_{}: each orbital's colour partner "
                                               "there is one orbital met across the boundary from both sides, whose noise changes with "
                                               "the twist, so density_stochastic_error rests on fewer degrees of freedom than twists x "
                                               "(random_vectors - 1); a distance of at most a third of the box weakens that partner",
                                               s.probing_distance[i], s.box[i], i + 1));
            break;
        }
    // density_trace = "exact" would still probe the electrons with bound_charge.
    const long long exact = static_cast<long long>(s.orbitals()) * static_cast<long long>(P) +
                            (s.bound_charge ? s.probing_colour_count() * s.density_draws : 0);
    report_random_trace(s,
                        {"density_stochastic_error", "density_trace = \"exact\"", exact,
                         s.density_draws, s.probing_colour_count(), 1, true, 2},
                        out);
}

}  // namespace

void check_texture_lattice(TaskContext& ctx) { read_texture_lattice(ctx); }

// A sliding texture's adiabatic pump (Thouless, Phys. Rev. B 27, 6083 (1983); Niu and Thouless,
// J. Phys. A 17, 2453 (1984)): the particles the states below μ carry along +a_i through the box in
// one period T of the slide are the Chern number of the torus (t, θ_i) of time and the twist along
// a_i, at each twist θ_⊥ of the other axis — twist_chern's links on states[t index × n_θ + θ index],
// the orientation (t, k_i) of phase_space_chern's pump (docs/textures.md). [axis][θ_⊥] → per level.
// Beside the tori, the density of each requested position's cell at every other time step
// (pump_times: steps 2, 4, … pump_steps, the last the period's end), summed over every twist ([0])
// and over the every-other sub-mesh ([1]) as fold_twists: [time][position × levels + level].
struct PumpSums {
    std::array<std::vector<std::vector<TwistChern>>, 2> cherns;  // [axis][θ_⊥] → per level
    std::array<std::vector<std::vector<double>>, 2> density;
};
PumpSums pump_cherns(const LatticeSetup& s, Progress& progress) {
    constexpr double kTwoPi = 6.283185307179586476925286766559;
    // The on-site blocks at each time, shared by every twist. Each (θ_1, θ_2, t) point is
    // diagonalised once per axis: the two axes' tori cover the same points, but holding all of them
    // at once would take twists × pump_steps eigenstates where one torus takes max(twists) × pump_steps.
    std::vector<OnSiteBlocks> at_time;
    for (int b = 0; b < s.pump_steps; ++b) at_time.push_back(on_site_blocks(s, s.pump_period * b / s.pump_steps));
    const std::size_t levels = s.mu.size(), P = s.cell.size(), times = static_cast<std::size_t>(s.pump_steps / 2);
    PumpSums out;
    for (auto& fold : out.density) fold.assign(times, std::vector<double>(P * levels, 0.0));
    for (int i = 0; i < 2; ++i) {
        const int n_theta = s.twists[i], n_perp = s.twists[1 - i], n_t = s.pump_steps;
        for (int p = 0; p < n_perp; ++p) {
            std::vector<Eigenstates> states(static_cast<std::size_t>(n_t) * static_cast<std::size_t>(n_theta));
            // Axis a_1's tori cover every twist: there each even time's densities ([j] of states[j]).
            std::vector<std::vector<double>> density(i == 0 ? states.size() : 0);
            workers::parallel_for(
                static_cast<long long>(states.size()), 1,
                [&](long long b, long long e) {
                    for (long long j = b; j < e; ++j) {
                        double theta[2];
                        theta[i] = kTwoPi * static_cast<double>(j % n_theta) / n_theta;
                        theta[1 - i] = kTwoPi * p / n_perp;
                        Eigenstates& solved = states[static_cast<std::size_t>(j)];
                        solved = diagonalise(box_hamiltonian(s.orbitals(), s.hoppings, s.box,
                                                             at_time[static_cast<std::size_t>(j / n_theta)], theta, s.field()));
                        if (i == 0 && (j / n_theta) % 2 == 0) {
                            std::vector<double> c(static_cast<std::size_t>(s.box[0]) * s.box[1] * levels, 0.0), el(levels, 0.0);
                            std::vector<long long> on(levels, 0);
                            add_dense_densities(solved, s.orbitals(), s.mu, s.T, c, el, on);
                            std::vector<double>& own = density[static_cast<std::size_t>(j)];
                            for (std::size_t a = 0; a < P; ++a)
                                for (std::size_t l = 0; l < levels; ++l) own.push_back(c[static_cast<std::size_t>(s.cell[a]) * levels + l]);
                        }
                        progress.add(1);
                        count_stop_unit();
                    }
                },
                [] { return !stop_requested(); });
            throw_if_stopped();
            out.cherns[static_cast<std::size_t>(i)].push_back(twist_chern(states, n_t, n_theta, s.mu, nullptr));
            // In a fixed order (θ_2 = p outer, θ_1 inner; fold_twists runs θ_1 outer, so the period's
            // end equals density to rounding): the sums do not depend on the threads. Time step
            // 2(m + 1) is pump_times' m; the period's end is step 0's box.
            for (std::size_t j = 0; j < density.size(); ++j) {
                if (density[j].empty()) continue;
                const int step = static_cast<int>(j) / n_theta, theta1 = static_cast<int>(j) % n_theta;
                const std::size_t m = static_cast<std::size_t>(step == 0 ? n_t / 2 - 1 : step / 2 - 1);
                for (std::size_t k = 0; k < P * levels; ++k) {
                    out.density[0][m][k] += density[j][k];
                    if (theta1 % 2 == 0 && p % 2 == 0) out.density[1][m][k] += density[j][k];
                }
            }
        }
    }
    return out;
}

// The particles a torus (t, θ_i) carries from t = 0 to each even time step t_2, t_4, … t_T (where
// the sub-mesh has a time too): the rows of its plaquettes summed up to there (twist_chern's rows,
// on the full mesh or the sub-mesh's every other time). The last is its Chern number.
std::vector<double> pumped_by_time(const TwistChern& c, bool coarse) {
    std::vector<double> carried;
    double total = 0.0;
    for (std::size_t r = 0; r < c.rows.size(); ++r) {
        total += coarse ? (r % 2 == 0 ? c.rows_coarse[r / 2] : 0.0) : c.rows[r];
        if (r % 2 == 1) carried.push_back(total);
    }
    return carried;
}

// The pump's keys on the full (t, θ) meshes (coarse = false) or their every-other sub-meshes:
// pump_chern [axis][θ_⊥][μ] (null where μ leaves a gap of the box on the torus, or a link is
// singular), and pumped_per_chain [axis][μ], their mean over θ_⊥ over the S_⊥ chains of cells
// along a_i in the box (null where any is); the same by time, pumped_by_time [axis][θ_⊥][time][μ]
// and pumped_per_chain_by_time [axis][time][μ] at the even time steps, and their CSV.
void put_pump(const LatticeSetup& s, const PumpSums& sums, bool coarse, const std::string& comment, TaskResult& out) {
    const auto& pump = sums.cherns;
    const std::size_t levels = s.mu.size(), times = static_cast<std::size_t>(s.pump_steps / 2);
    nlohmann::json chern = nlohmann::json::array(), per_chain = nlohmann::json::array();
    nlohmann::json by_time = nlohmann::json::array(), per_chain_by_time = nlohmann::json::array();
    CsvTable csv{"texture_lattice_pump", comment, {"axis", "t", "mu", "pumped_per_chain"}, {}};
    csv.keys = 3;
    for (int i = 0; i < 2; ++i) {
        const std::vector<std::vector<TwistChern>>& axis = pump[static_cast<std::size_t>(i)];
        std::vector<double> sum(levels, 0.0), sum_by_time(times * levels, 0.0);
        std::vector<bool> defined(levels, true);
        nlohmann::json rows = nlohmann::json::array(), rows_by_time = nlohmann::json::array();
        for (std::size_t p = 0; p < axis.size(); ++p) {
            const std::vector<TwistChern>& at = axis[p];
            nlohmann::json row = nlohmann::json::array(), row_by_time = nlohmann::json::array();
            for (std::size_t m = 0; m < times; ++m) row_by_time.push_back(nlohmann::json::array());
            for (std::size_t j = 0; j < at.size(); ++j) {
                const bool valid = at[j].gapped && !at[j].singular;
                const double c = coarse ? at[j].chern_coarse : at[j].chern;
                const std::vector<double> carried = pumped_by_time(at[j], coarse);
                row.push_back(valid ? nlohmann::json(c) : nlohmann::json(nullptr));
                for (std::size_t m = 0; m < times; ++m) row_by_time[m].push_back(valid ? nlohmann::json(carried[m]) : nlohmann::json(nullptr));
                defined[j] = defined[j] && valid;
                // The sub-mesh's mean takes every other θ_⊥ too, so that its estimate holds the
                // sampling of θ_⊥ where the chains pump different numbers.
                if (coarse && p % 2 != 0) continue;
                sum[j] += c;
                for (std::size_t m = 0; m < times; ++m) sum_by_time[m * levels + j] += carried[m];
            }
            rows.push_back(row);
            rows_by_time.push_back(row_by_time);
        }
        chern.push_back(rows);
        by_time.push_back(rows_by_time);
        const double chains = double(s.box[1 - i]) * double(coarse ? (axis.size() + 1) / 2 : axis.size());
        auto mean = [&](double total, std::size_t j) { return defined[j] ? nlohmann::json(total / chains) : nlohmann::json(nullptr); };
        nlohmann::json at_levels = nlohmann::json::array(), at_times = nlohmann::json::array();
        for (std::size_t j = 0; j < levels; ++j) at_levels.push_back(mean(sum[j], j));
        for (std::size_t m = 0; m < times; ++m) {
            nlohmann::json at = nlohmann::json::array();
            const double t = s.pump_period * double(2 * (m + 1)) / s.pump_steps;
            for (std::size_t j = 0; j < levels; ++j) {
                at.push_back(mean(sum_by_time[m * levels + j], j));
                if (defined[j]) csv.rows.push_back({double(i + 1), t, s.mu[j], sum_by_time[m * levels + j] / chains});
            }
            at_times.push_back(at);
        }
        per_chain.push_back(at_levels);
        per_chain_by_time.push_back(at_times);
    }
    out.results["pump_chern"] = chern;
    out.results["pumped_per_chain"] = per_chain;
    out.results["pumped_by_time"] = by_time;
    out.results["pumped_per_chain_by_time"] = per_chain_by_time;
    out.results["pump_times"] = [&] {
        std::vector<double> t;
        for (std::size_t m = 0; m < times; ++m) t.push_back(s.pump_period * double(2 * (m + 1)) / s.pump_steps);
        return t;
    }();
    // The densities at pump_times, over the twists used (the sub-mesh's every other of each).
    const double twists_used = coarse ? double(s.twists[0] / 2) * (s.twists[1] / 2) : double(s.twists[0]) * s.twists[1];
    nlohmann::json density = nlohmann::json::array();
    for (const std::vector<double>& at : sums.density[coarse ? 1 : 0]) {
        nlohmann::json positions = nlohmann::json::array();
        for (std::size_t a = 0; a < s.cell.size(); ++a) {
            std::vector<double> row(levels);
            for (std::size_t j = 0; j < levels; ++j) row[j] = at[a * levels + j] / twists_used / s.cell_area;
            positions.push_back(row);
        }
        density.push_back(positions);
    }
    out.results["density_by_time"] = density;
    out.results["pump_period"] = s.pump_period;
    out.results["pump_steps"] = s.pump_steps;
    out.tables.push_back(csv);
}

// The pump's units, period and warnings: where μ leaves a gap of the box on a torus, or a link is
// singular, and where the twists θ_⊥ disagree (the gap closes between them in the thermodynamic
// limit). Returns pump_gap [axis][μ], the smallest distance from μ to a level over each axis's tori
// (null where a level crosses μ), for the caller to add beside the estimated keys.
nlohmann::json report_pump(const LatticeSetup& s, const PumpSums& sums, const std::string& tu, const std::string& eu,
                           const std::string& lu, TaskResult& out) {
    const auto& pump = sums.cherns;
    out.principal.push_back("pumped_per_chain");
    out.integer_valued.push_back("pump_chern");
    out.units["pump_chern"] = "particles per period T carried by the states below mu along +a_i through the box, [axis a_1, a_2]"
                              "[twist theta_perp of the other axis][mu]: the Chern number of the torus (t, theta_i) by the link "
                              "method (null where mu leaves a gap of the box on it, or a link's overlap is singular)";
    out.units["pumped_per_chain"] = "particles per period T along +a_i per chain of cells along a_i (crossing one lattice vector "
                                    "a_perp of a cut), [axis][mu]: pump_chern's mean over the twists theta_perp over the box's S_perp "
                                    "chains (null where any pump_chern is)";
    out.units["pump_period"] = fmt::format("{}: the slide's period T, after which the texture repeats", tu);
    out.units["pump_steps"] = "times per period on each torus (t, theta_i)";
    out.units["pump_times"] = fmt::format("{}: the times t of pumped_by_time, every other of the tori's (the sub-mesh's too)", tu);
    out.units["pumped_by_time"] = "particles carried along +a_i through the box from t = 0 to each of pump_times, [axis][twist "
                                  "theta_perp][time][mu]: the torus's plaquettes up to t (the Berry phase along theta_i at t less "
                                  "that at 0; its last is pump_chern; null where pump_chern is)";
    out.units["density_by_time"] = fmt::format("electrons per {}^2 (every band), [time][position][mu]: density at each of "
                                               "pump_times, as the box slides (its last, at T, is density to rounding)",
                                               lu);
    out.units["pumped_per_chain_by_time"] = "particles per chain of cells carried along +a_i from t = 0 to each of pump_times, "
                                            "[axis][time][mu]: pumped_by_time's mean over theta_perp over the S_perp chains";
    out.units["pump_gap"] = fmt::format("{}, [axis][mu]: the smallest distance from mu to a level of the box over the axis's tori "
                                        "(null where a level crosses mu)",
                                        eu);
    nlohmann::json gaps = nlohmann::json::array({nlohmann::json::array(), nlohmann::json::array()});
    for (int i = 0; i < 2; ++i)
        for (std::size_t j = 0; j < s.mu.size(); ++j) {
            bool open = true, singular = false;
            double least = 0.0, most = 0.0, gap = 1e300;
            for (std::size_t p = 0; p < pump[static_cast<std::size_t>(i)].size(); ++p) {
                const TwistChern& c = pump[static_cast<std::size_t>(i)][p][j];
                open = open && c.gapped;
                singular = singular || c.singular;
                if (c.gapped) gap = std::min({gap, c.gap_below, c.gap_above});
                least = p == 0 ? c.chern : std::min(least, c.chern);
                most = p == 0 ? c.chern : std::max(most, c.chern);
            }
            gaps[static_cast<std::size_t>(i)].push_back(open ? nlohmann::json(gap) : nlohmann::json(nullptr));
            if (!open)
                out.warnings.push_back(fmt::format("mu = {:g}: along a_{} the number of states below mu changes over the slide's "
                                                   "period or the twists (a level crosses it): that pump is not quantised, and "
                                                   "pump_chern is null there",
                                                   s.mu[j], i + 1));
            else if (singular)
                out.warnings.push_back(fmt::format("mu = {:g}: along a_{} the filled states of neighbouring (t, twist) points are "
                                                   "nearly orthogonal (a link's overlap is singular): raise pump_steps or twists",
                                                   s.mu[j], i + 1));
            else if (most - least > 1e-6)  // integers, each to its links' rounding
                out.warnings.push_back(fmt::format("mu = {:g}: along a_{} the pump differs between the twists of the other axis "
                                                   "({:g} to {:g}; the box's smallest gap over the tori is {:.3g}): pumped_per_chain "
                                                   "is their mean",
                                                   s.mu[j], i + 1, least, most, gap));
        }
    return gaps;
}

TaskResult task_texture_lattice(TaskContext& ctx) {
    const LatticeSetup s = read_texture_lattice(ctx);
    const int twists = s.twists[0] * s.twists[1];
    const long long orbitals = s.box_orbitals();
    // kpm: every orbital (the exact trace), or the requested cells' orbitals and the electrons'
    // colour vectors, or (density_trace = "probing") the colour vectors alone.
    const long long requested = s.orbitals() * static_cast<long long>(s.cell.size());
    const long long solves = s.method == Method::dense                     ? twists
                             : s.density_draws > 0                         ? twists * s.density_draws * s.probing_colour_count()
                             : s.bound_charge && s.electron_draws == 0     ? twists * orbitals
                                                                           : twists * (requested + s.electron_draws * s.probing_colour_count());
    Progress progress("texture_lattice", s.streda ? 2 * solves : solves, s.method == Method::dense ? "diagonalisations" : "start vectors");
    // kpm Hall: one job per (twist, start vector).
    const long long hall_jobs =
        s.method == Method::kpm && s.hall ? twists * (s.random_vectors > 0 ? s.random_vectors * s.hall_colour_count() : orbitals) : 0;
    Progress hall_progress("texture_lattice Hall", hall_jobs, "start vectors");
    // Středa: the same box without the uniform field (the modulation, if any, stays), and no
    // second Hall number.
    LatticeSetup without;
    if (s.streda) {
        without = s;
        without.peierls.uniform_bz = 0.0;
        without.peierls.flux_quanta = 0;
        without.hall = false;
    }
    TwistSums sums, zero_field;
    StepWindow step, zero_step;  // kpm at T = 0: the sums at mu ∓ step_window
    PumpSums pump;
    if (s.method == Method::dense) {
        sums = dense_sums(s, progress);
        if (s.streda) zero_field = dense_sums(without, progress);
        if (s.pump) {
            Progress pump_progress("texture_lattice pump", 2LL * twists * s.pump_steps, "diagonalisations");
            pump = pump_cherns(s, pump_progress);
            pump_progress.finish();
        }
    } else {
        const std::vector<SparseHamiltonian> H = twist_hamiltonians(s);
        const std::vector<SparseHamiltonian> H0 = s.streda ? twist_hamiltonians(without) : std::vector<SparseHamiltonian>{};
        // At T = 0 one series at T_s on mu and mu ± step_window (series_setup), split back afterwards
        // into mu's sums and the window's.
        const std::optional<LatticeSetup> series = s.smoothing > 0.0 ? std::optional(series_setup(s)) : std::nullopt;
        const std::optional<LatticeSetup> series_without =
            s.smoothing > 0.0 && s.streda ? std::optional(series_setup(without)) : std::nullopt;
        const LatticeSetup& on = series ? *series : s;
        const KpmPlan plan = kpm_plan(on, {&H, &H0});
        sums = kpm_sums(ctx.backend, on, H, plan, progress);
        if (s.streda) zero_field = kpm_sums(ctx.backend, series_without ? *series_without : without, H0, plan, progress);
        if (s.hall) kpm_hall_sums(s, H, plan, sums, hall_progress);  // (refused at T = 0)
        if (series) {
            step = split_window(s, sums);
            if (s.streda) zero_step = split_window(s, zero_field);
        }
    }
    progress.finish();
    if (hall_jobs > 0) hall_progress.finish();
    const std::array<std::vector<double>, 2> reference =
        s.bound_charge ? reference_electrons(ctx, s) : std::array<std::vector<double>, 2>{};
    const ModelInfo& info = *ctx.cfg.model;
    const std::string lu = length_unit(info), eu = energy_unit(info);
    const std::size_t levels = s.mu.size(), P = s.cell.size();
    auto result = [&](int k) {  // k = 0: every twist; 1: the sub-mesh
        const double twists_used = k == 0 ? twists : (s.twists[0] / 2) * (s.twists[1] / 2);
        TaskResult out;
        nlohmann::json density = nlohmann::json::array();
        for (std::size_t a = 0; a < P; ++a) {
            std::vector<double> row(levels);
            for (std::size_t j = 0; j < levels; ++j) row[j] = sums.density[static_cast<std::size_t>(k)][a * levels + j] / twists_used / s.cell_area;
            density.push_back(row);
        }
        out.results["density"] = density;
        if (s.bound_charge) {
            std::vector<double> electrons(levels), bound(levels);
            for (std::size_t j = 0; j < levels; ++j) {
                electrons[j] = sums.electrons[static_cast<std::size_t>(k)][j] / twists_used;
                bound[j] = electrons[j] - reference[static_cast<std::size_t>(k)][j] / twists_used;
            }
            out.results["electrons"] = electrons;
            out.results["bound_charge"] = bound;
            if (s.streda) {
                std::vector<double> hall(levels);
                for (std::size_t j = 0; j < levels; ++j)
                    hall[j] = (sums.electrons[static_cast<std::size_t>(k)][j] - zero_field.electrons[static_cast<std::size_t>(k)][j]) /
                              twists_used / double(s.peierls.flux_quanta);
                out.results["streda_hall"] = hall;
            }
        }
        if (s.streda) {
            // 2π Δn/B_z per position: the electrons one flux quantum adds per cell area.
            nlohmann::json local = nlohmann::json::array();
            for (std::size_t a = 0; a < P; ++a) {
                std::vector<double> row(levels);
                for (std::size_t j = 0; j < levels; ++j) {
                    const std::size_t i = a * levels + j;
                    row[j] = (sums.density[static_cast<std::size_t>(k)][i] - zero_field.density[static_cast<std::size_t>(k)][i]) /
                             twists_used / s.cell_area * (2 * kPi / s.texture.field[2]);
                }
                local.push_back(row);
            }
            out.results["streda_local"] = local;
        }
        if (s.hall && s.method == Method::dense) {
            nlohmann::json chern = nlohmann::json::array();
            for (const TwistChern& c : sums.hall)
                chern.push_back(c.gapped && !c.singular ? nlohmann::json(k == 0 ? c.chern : c.chern_coarse) : nlohmann::json(nullptr));
            out.results["hall_chern"] = chern;
        }
        if (s.hall) {
            // σ_xy = −(e²/h)(1/2π) ∫ d²θ Σ_n f_n Ω_n, the twist mesh's cells of (2π)²/(n_1 n_2).
            std::vector<double> sigma(levels);
            for (std::size_t j = 0; j < levels; ++j) sigma[j] = -2 * kPi * sums.berry[static_cast<std::size_t>(k)][j] / twists_used;
            out.results["sigma_xy"] = sigma;
        }
        out.results["mu"] = s.mu;
        out.results["r"] = nlohmann::json::array();
        for (std::size_t a = 0; a < P; ++a) out.results["r"].push_back({s.r[3 * a], s.r[3 * a + 1], s.r[3 * a + 2]});
        CsvTable csv{"texture_lattice",
                     fmt::format("r in {}; mu in {}; density in 1/{}^2{}", lu, eu, lu,
                                 s.streda ? "; streda_local dimensionless (electrons added per flux quantum, (n_B - n_0)/(B_z/2pi))" : ""),
                     {"x", "y", "z", "mu", "density"}, {}};
        csv.keys = 4;  // x, y, z, mu
        if (s.streda) csv.columns.push_back("streda_local");
        for (std::size_t a = 0; a < P; ++a)
            for (std::size_t j = 0; j < levels; ++j) {
                csv.rows.push_back({s.r[3 * a], s.r[3 * a + 1], s.r[3 * a + 2], s.mu[j], out.results["density"][a][j].get<double>()});
                if (s.streda) csv.rows.back().push_back(out.results["streda_local"][a][j].get<double>());
            }
        out.tables.push_back(csv);
        if (s.hall) {
            CsvTable hall{"texture_lattice_hall", fmt::format("mu in {}; sigma_xy in e^2/h", eu), {"mu", "sigma_xy"}, {}};
            for (std::size_t j = 0; j < levels; ++j) hall.rows.push_back({s.mu[j], out.results["sigma_xy"][j].get<double>()});
            out.tables.push_back(hall);
        }
        if (s.pump)
            put_pump(s, pump, k == 1,
                     fmt::format("axis 1 or 2 (along a_1, a_2); t in hbar/({}); mu in {}; pumped_per_chain in particles per "
                                 "chain of cells carried along +a_i from t = 0 to t",
                                 eu, eu),
                     out);
        return out;
    };
    TaskResult out = result(0);
    const TaskResult coarse = result(1);
    out.units = {{"mu", eu},
                 {"r", lu},
                 {"density", fmt::format("electrons per {}^2 (every band), [position][mu]: <r|f(H)|r> summed over the cell's "
                                         "orbitals, over the cell's area",
                                         lu)},
                 {"electrons", "electrons in the box (every band), [mu]"},
                 {"bound_charge", "electrons in the box minus those of the uniform texture m = background (without "
                                  "B or B_modulation), [mu]; the charge is -e times it"}};
    out.principal = {"density"};
    if (s.hall) {
        out.principal.push_back("sigma_xy");
        out.units["sigma_xy"] = s.broadening > 0.0 ? "e^2/h, [mu]: the box's Hall conductivity by the Kubo-Bastin formula on the "
                                                     "twists, with the Lorentzian broadening eta of `broadening` (docs/textures.md)"
                                                   : "e^2/h, [mu]: the box's Hall conductivity by the Kubo formula on the twists "
                                                     "(docs/textures.md)";
    }
    if (s.hall && s.method == Method::dense) {
        out.principal.push_back("hall_chern");
        out.units["hall_chern"] = "the Chern number C of the states below mu over the twists, [mu]: sigma_xy = -C e^2/h "
                                  "as for task ahc (null where mu is not in a gap of the box at every twist)";
        out.units["box_gap"] = fmt::format("{}, [mu]: the distance from mu to the nearest level of the box over the twists", eu);
        out.units["filled_states"] = "the states below mu at every twist, [mu]";
        out.integer_valued = {"hall_chern"};
    }
    if (s.streda) {
        out.principal.push_back("streda_local");
        out.units["streda_local"] = "(n_B - n_0)/(B_z/2pi) at each position, [position][mu], dimensionless: the electrons per cell "
                                    "area the field adds per flux quantum through a cell; its mean over the box's cells is "
                                    "streda_hall";
        if (s.bound_charge) {
            out.principal.push_back("streda_hall");
            out.units["streda_hall"] = "(N_B - N_0)/N_phi, [mu]: the electrons the field adds to the box per flux quantum; in a gap "
                                       "of the box Streda's formula makes it the Hall number C (hall_chern, with the dense solver; "
                                       "sigma_xy = -C e^2/h); in a band it is only Streda's part of sigma_xy";
        }
    }
    out.kpoints = static_cast<long long>(twists) * s.box[0] * s.box[1];
    out.remedy = "the box is too small for the twist mesh: raise [task] twists or box (docs/textures.md)";
    if (s.hall && (s.broadening > 0.0 || s.random_vectors > 0))
        out.remedy += "; sigma_xy's estimate also holds the broadening's (sigma_xy_broadening_error: a smaller broadening) and, "
                      "with random vectors, the trace's (sigma_xy_stochastic_error: more random_vectors, a larger box, or trace = "
                      "\"probing\" with a larger probing_distance)";
    if (s.density_draws > 0)
        out.remedy += "; density's estimate also holds the probing's (density_stochastic_error: more random_vectors or a larger "
                      "probing_distance)";
    if (s.electron_draws > 0)
        out.remedy += "; electrons' and bound_charge's estimates also hold the probing trace's (electrons_stochastic_error: more "
                      "random_vectors or a larger probing_distance)";
    if (s.smoothing > 0.0)
        out.remedy += "; at T = 0 the estimates also bound what the levels near mu change (density_step_error: a smaller "
                      "smoothing, where mu lies in a gap of the box; in a band the box's T = 0 values depend on its levels)";
    const nlohmann::json pump_gap = s.pump ? report_pump(s, pump, fmt::format("hbar/({})", eu), eu, lu, out) : nlohmann::json();
    attach_errors(out, &coarse);
    if (s.pump) out.results["pump_gap"] = pump_gap;
    if (s.hall) add_hall_errors(s, sums, eu, out);
    if (s.electron_draws > 0) add_electron_errors(s, sums, zero_field, out);
    if (s.density_draws > 0) add_density_errors(s, sums, zero_field, lu, out);
    if (s.smoothing > 0.0) add_step_errors(s, step, zero_step, lu, eu, out);
    if (s.hall && s.method == Method::dense) {
        nlohmann::json gap = nlohmann::json::array(), filled = nlohmann::json::array();
        for (std::size_t j = 0; j < levels; ++j) {
            const TwistChern& c = sums.hall[j];
            gap.push_back(c.gapped ? nlohmann::json(std::min(c.gap_below, c.gap_above)) : nlohmann::json(nullptr));
            filled.push_back(c.gapped ? nlohmann::json(c.filled) : nlohmann::json(nullptr));
            if (!c.gapped)
                out.warnings.push_back(fmt::format("mu = {:g} is not in a gap of the box at every twist (the number of states "
                                                   "below it changes): no Chern number there (sigma_xy, the Kubo formula's, "
                                                   "holds in a band)",
                                                   s.mu[j]));
            else if (c.singular)
                out.warnings.push_back(fmt::format("mu = {:g}: the filled states of neighbouring twists are nearly orthogonal "
                                                   "(a link's overlap is singular), so the twist mesh does not resolve them: no "
                                                   "Hall number; raise [task] twists",
                                                   s.mu[j]));
        }
        out.results["box_gap"] = gap;
        out.results["filled_states"] = filled;
        // Středa's count is the Hall number only where μ stays in one gap as the flux is added.
        if (s.streda && s.bound_charge)
            for (std::size_t j = 0; j < levels; ++j) {
                const TwistChern& c = sums.hall[j];
                const double streda = out.results["streda_hall"][j].get<double>();
                if (c.gapped && !c.singular && std::fabs(streda - c.chern) > 0.01)
                    out.warnings.push_back(fmt::format("mu = {:g}: streda_hall = {:.6g} differs from hall_chern = {:g}: levels of the "
                                                       "box crossed mu as the field's {} flux quanta were added (the box's gap at mu, "
                                                       "{:.3g}, is not much larger than their shift, or than T), so Streda's count is "
                                                       "not the Hall number there",
                                                       s.mu[j], streda, c.chern, s.peierls.flux_quanta,
                                                       std::min(c.gap_below, c.gap_above)));
            }
    }
    out.units["method"] = "the solver: dense (full diagonalisation) or kpm (kernel polynomial method)";
    out.units["orbitals"] = fmt::format("orbitals in the box ({} per cell)", s.orbitals());
    out.units["background"] = "unit vector: the uniform texture of bound_charge's reference";
    for (std::size_t j = 0; j < sums.on_level.size(); ++j) {
        const long long on = sums.on_level[j] + (zero_field.on_level.empty() ? 0 : zero_field.on_level[j]);
        if (on > 0)
            out.warnings.push_back(fmt::format("mu = {:g} lies on {} level(s) of the box over the twists (within 1e-11): at T = 0 "
                                               "they are counted half filled, the limit T -> 0+; the results there depend on "
                                               "that choice (move mu off the level, or give T > 0)",
                                               s.mu[j], on));
    }
    out.results["method"] = s.method == Method::dense ? "dense" : "kpm";
    out.results["orbitals"] = orbitals;
    if (s.peierls.flux_quanta != 0) {
        out.results["flux_quanta"] = s.peierls.flux_quanta;
        out.units["flux_quanta"] = "N_phi = B_z (S_1 a_1 x S_2 a_2)_z / 2pi: the uniform field's flux quanta h/e through the box";
    }
    out.results["background"] = {s.background[0], s.background[1], s.background[2]};
    if (s.method == Method::kpm) {
        out.results["moments"] = sums.moments;
        out.results["series_tail"] = sums.tail;
        out.units["moments"] = "Chebyshev moments per orbital";
        if (sums.tail > kSeriesTolerance)
            out.warnings.push_back(fmt::format("the Chebyshev series stops at {} moments with a tail of {:.2g} per orbital, above "
                                               "{:g} (the moment limit for {} = {:g}): each density may be off by that much",
                                               sums.moments, sums.tail, kSeriesTolerance, s.smoothing > 0.0 ? "smoothing" : "T",
                                               s.series_T()));
        out.units["series_tail"] = "the largest sum of the dropped Chebyshev coefficients, a bound on each orbital's truncation error";
    }
    return out;
}

}  // namespace bzint
