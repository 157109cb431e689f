// Task dc_current: the DC steady state of the QME (RTA/DPA paper, Eq. 1) per k and the
// current it carries, for a sweep of field strengths. Each field value is recorded as it
// finishes (<title>_sweep.jsonl); --resume keeps the recorded ones.
#include <fmt/core.h>

#include <algorithm>
#include <cmath>
#include <chrono>
#include <cstdio>

#include "../../kernels/cuda_backend.hpp"
#include "../checkpoint.hpp"
#include "../convergence.hpp"
#include "../cpu_launch.hpp"
#include "../engine.hpp"
#include "../input_error.hpp"
#include "../ranks.hpp"
#include "dc_solvers.hpp"
#include "sweep_log.hpp"
#include "task_common.hpp"

namespace bzint {

namespace {

using nlohmann::json;

struct DcSetup {
    QmeParams q{};
    std::vector<double> fields;
    int direction = 0;      // lattices: E ∥ G_direction
    double window = 0.0;    // continuum: |κ| ≤ window
    long long steps = 0;    // RK4 steps per trajectory or period (0: automatic)
    Tolerance tol;          // [task] rtol/atol: more steps, a wider window or a denser line mesh until met
    bool occupations = false;
    long long poles = 0;          // exact: number of Padé poles (0: automatic)
    double pole_tolerance = 1e-9;  // exact: accuracy of the broadened occupation
};

DcSetup read_setup(TaskContext& ctx) {
    DcSetup s;
    const toml::table& root = ctx.file.root();
    const toml::table* ft = root["field"].as_table();
    if (!ft) throw InputError(fmt::format("{}: task 'dc_current' needs a [field] table with E = .. (a number, a list, "
                                          "or {{from, to, count}}) and, for lattices, direction = 1..dim",
                                          ctx.file.path()));
    Section field = task_section(ctx, "field");
    field.only();
    s.fields = read_levels(field, "E", kMaxFieldValues);
    const int dim = ctx.cfg.model->dim;
    if (ctx.cfg.model->lattice) {
        const long long d = field.integer("direction", 1);
        if (d > dim) field.fail("direction", fmt::format("must be a reciprocal-vector index in 1..{}", dim));
        s.direction = static_cast<int>(d - 1);
    } else if (field.has("direction")) {
        field.fail("direction", "only lattice models take a direction; continuum 1D models have E along x");
    }
    if (!root["dissipation"].as_table()) throw InputError(fmt::format("{}: task 'dc_current' needs a [dissipation] table with kind = rta | dpa | none",
                                          ctx.file.path()));
    const std::string kind = task_section(ctx, "dissipation").string("kind");
    static const std::vector<std::string> kinds{"rta", "dpa", "exact", "none"};
    if (std::find(kinds.begin(), kinds.end(), kind) == kinds.end())
        task_section(ctx, "dissipation").fail("kind", fmt::format("unknown dissipation '{}'; valid choices: rta, dpa, exact, none", kind));
    const std::string variant = "dissipation " + kind;
    Section diss = task_section(ctx, "dissipation", variant.c_str());
    diss.only();
    if (kind == "rta") {
        s.q.kind = Dissipation::rta;
        s.q.tau1 = diss.number("tau1");
        s.q.tau2 = diss.number("tau2", s.q.tau1);
    } else if (kind == "dpa") {
        s.q.kind = Dissipation::dpa;
        s.q.gamma = diss.number("gamma");
        s.q.d1 = diss.boolean("d1", true);
        s.q.d2 = diss.boolean("d2", true);
    } else if (kind == "exact") {
        s.q.kind = Dissipation::exact;
        s.q.gamma = diss.number("gamma");
        s.poles = diss.integer("poles", 0);
        s.pole_tolerance = diss.number("pole_tolerance", 1e-9);
    } else {
        s.q.kind = Dissipation::none;
        if (ctx.cfg.model->lattice)
            diss.fail("kind", "'none' has no steady state on a lattice (Bloch oscillations); use rta or dpa, or the "
                              "landau_zener model for the transition probability");
    }
    ctx.task.only();
    s.q.mu = ctx.task.number("mu", 0.0);
    s.q.T = read_temperature(ctx);
    if (s.q.kind == Dissipation::exact && !(s.q.T > 0))
        ctx.task.fail("T", "the exact reservoir needs T > 0 (its Padé expansion of f is in x/T)");
    s.steps = ctx.task.integer("steps", 0);
    s.tol = read_tolerance(ctx);
    if (!ctx.cfg.model->lattice) {
        if (dim != 1) ctx.task.fail("kind", "dc_current runs on lattice models and on the 1D continuum model landau_zener");
        s.window = ctx.task.number("window", 30.0);
        s.occupations = ctx.task.boolean("occupations", false);
    } else {
        if (ctx.task.has("window")) ctx.task.fail("window", "only continuum models take a window");
        if (ctx.task.has("occupations")) ctx.task.fail("occupations", "occupations along κ are recorded for landau_zener");
    }
    return s;
}

// The RK4 step count of one solve at field E before step halving doubles it: [task] steps, or
// chosen so that h·max(bandwidth, rates) ≤ 0.15 over the continuum window (at its edge, where
// the bands are widest) or 0.2 over a lattice period (the bandwidth sampled on the mesh). The
// bandwidth does not depend on E: it is sampled once per run.
struct StepRule {
    long long fixed = 0;  // [task] steps, or 0
    double scale = 0.0;   // the length of the path in k (2·window, or |G|) × max(bandwidth, rate)
    double h_max = 0.2;   // h·max(bandwidth, rate) allowed
    double minimum = 0.0;
    double rate = 0.0;    // the largest relaxation rate
    // A double, so that a count too large to integrate is seen before it is converted.
    double steps(double E) const {
        return fixed > 0 ? static_cast<double>(fixed) : std::max(minimum, std::ceil(scale / std::fabs(E) / h_max));
    }
};

template <class Solver>
StepRule step_rule(const Solver& solver, const DcSetup& s, const TaskContext& ctx, const Mesh& mesh) {
    StepRule rule;
    rule.fixed = s.steps;
    const double rate = s.q.kind == Dissipation::rta ? std::max(1 / s.q.tau1, 1 / s.q.tau2)
                        : (s.q.kind == Dissipation::dpa || s.q.kind == Dissipation::exact) ? 2 * s.q.gamma : 0.0;
    rule.rate = rate;
    if (!ctx.cfg.model->lattice) {
        const double kw[3] = {s.window, 0, 0};
        rule.scale = 2.0 * s.window * std::max(solver.width(kw), rate);
        rule.h_max = 0.15;
        return rule;
    }
    double width = 0.0;  // sampled on the mesh
    const long long sample = std::min<long long>(mesh.count(), 4096);
    for (long long i = 0; i < sample; ++i) {
        double k[3];
        mesh.k_of(i * (mesh.count() / sample), k);
        width = std::max(width, solver.width(k));
    }
    rule.scale = std::sqrt(dot3(mesh.basis[s.direction], mesh.basis[s.direction])) * std::max(width, rate);
    rule.minimum = 64.0;
    return rule;
}

// RK4's stability bound on h·max(bandwidth, rate): its stability region reaches 2√2 on the
// imaginary axis (the coherences' ε_i − ε_j, the exact reservoir's ε − μ) and 2.785 on the negative
// real axis (the rates), and lies beyond those radii between them. A fixed [task] steps above it
// makes the integration grow without bound: qwz at E = 0.05 with 64 steps a period reported
// currents of 1e201, flagged only by the step-halving estimate's warning (2026-12-04).
constexpr double kRk4StableStep = 2.78;

// Every field value must be integrable: its step count, doubled by step halving, at most 2^30;
// and a fixed step count stable (the step-halving estimate's coarser solve takes `steps` steps).
void check_steps(const StepRule& rule, const DcSetup& s, const TaskContext& ctx) {
    for (double E : s.fields) {
        if (E == 0.0) continue;
        const double steps = rule.steps(E);
        if (s.steps > 0 && rule.scale / std::fabs(E) / steps > kRk4StableStep)
            ctx.task.fail("steps", fmt::format("{} steps are too few for E = {:g}: h · max(bandwidth, relaxation rate) = "
                                               "{:.3g} is beyond RK4's stability bound {} and the integration would grow "
                                               "without bound; at least {:.0f} steps (or 0: chosen for accuracy)",
                                               s.steps, E, rule.scale / std::fabs(E) / steps, kRk4StableStep,
                                               std::ceil(rule.scale / std::fabs(E) / kRk4StableStep)));
        if (2.0 * steps <= static_cast<double>(kMaxSteps)) continue;
        if (s.steps > 0)
            ctx.task.fail("steps", fmt::format("{} steps are doubled by the step-halving error estimate: at most 2^29", s.steps));
        const std::string what = ctx.cfg.model->lattice ? "per period of the orbit" : "over the trajectory |κ| ≤ window";
        task_section(ctx, "field")
            .fail("E", fmt::format("E = {:g} needs {:.3g} RK4 steps {} (h · max(bandwidth, relaxation rate) ≤ {}), twice "
                                   "that for the error estimate; at most 2^30 steps: raise E{}",
                                   E, steps, what, rule.h_max, ctx.cfg.model->lattice ? "" : " or narrow [task] window"));
    }
}

// ---- continuum 1D: one trajectory per field value, tails beyond ±window added -------------

// (1/2π) ∫_{|κ|>K} of the first-order current, by Simpson on κ = ±K/u, u ∈ (0, 1].
template <class Solver>
FirstOrder first_order_tails(const Solver& solver, const QmeParams& q, double K) {
    const int n = 4000;
    FirstOrder sum{0.0, 0.0};
    for (int side = -1; side <= 1; side += 2)
        for (int i = 1; i <= n; ++i) {  // u = i/n; the u → 0 end contributes 0
            const double u = static_cast<double>(i) / n;
            const double w = ((i == n) ? 1.0 : (i % 2 ? 4.0 : 2.0)) * K / (u * u);
            const FirstOrder j = solver.first_order_current(q, side * K / u);
            sum.total += w * j.total;
            sum.intra += w * j.intra;
        }
    return {sum.total / (3.0 * n) / kTwoPi, sum.intra / (3.0 * n) / kTwoPi};
}

// Downstream of the window the excess populations δn_α over the first-order state, left at κ_end,
// relax at γ1 (1/τ1, or 2Γ) while κ moves on at |E| (dκ = −E dt): their current is
// (1/2π) ∫_0^∞ ds e^{−γ1 s/|E|} (−Σ_α v_α(κ_end − sgn(E) s) δn_α), with the velocities taken
// along the trajectory. With u = e^{−γ1 s/|E|} it is (|E|/γ1)(1/2π) ∫_0^1 du (…), by Simpson's rule
// (the integrand is bounded: |v_α| tends to the asymptotic band velocity).
template <class Solver>
double downstream_tail(const Solver& solver, const QmeParams& q, double kappa_end, const double* dn) {
    const double g1 = qme_rates(q).g1, L = std::fabs(q.E[0]) / g1, sgn = q.E[0] > 0 ? 1.0 : -1.0;
    // Simpson intervals: v_α(κ) is smooth and tends to a constant (against 4096 intervals: J within
    // 2e-8 relative on the landau_zener study of docs/accuracy.md, far below the window estimate).
    const int n = 256;
    double sum = 0.0;
    for (int i = 0; i <= n; ++i) {
        const double u = i == 0 ? 1e-300 : static_cast<double>(i) / n;  // u → 0: s → ∞, |v| bounded
        const double w = (i == 0 || i == n) ? 1.0 : (i % 2 ? 4.0 : 2.0);
        double v[Solver::kBands];
        solver.velocities(q, kappa_end - sgn * (-L * std::log(u)), v);
        double minus_v_dn = 0.0;
        for (int al = 0; al < Solver::kBands; ++al) minus_v_dn -= v[al] * dn[al];
        sum += w * minus_v_dn;
    }
    return L * sum / (3.0 * n) / kTwoPi;
}

template <class Solver>
json solve_continuum(const Solver& solver, const QmeParams& q, double K, long long steps, bool record_occ) {
    typename Solver::State end;
    std::vector<double> kap, nm, np;
    TrajectoryRecord rec{};
    if (record_occ) {
        const int cap = 2001;
        kap.resize(cap);
        nm.resize(cap);
        np.resize(cap);
        rec = TrajectoryRecord{kap.data(), nm.data(), np.data(), static_cast<int>(std::max<long long>(1, (steps + cap - 2) / (cap - 1))), cap, 0};
    }
    Progress progress(fmt::format("dc_current E = {:g} ({} steps)", q.E[0], steps), steps, "steps");
    const LineCurrent lc = solver.trajectory(q, K, steps, end, record_occ ? &rec : nullptr, StepMonitor{&progress, 1});
    progress.finish();
    throw_if_stopped();
    if (!lc.ok) {  // name the smallest gap on the trajectory
        double kmin = 0.0, wmin = HUGE_VAL;
        for (int i = 0; i <= 4000; ++i) {
            const double kw[3] = {K * (2.0 * i / 4000 - 1.0), 0.0, 0.0};
            if (const double w = solver.width(kw); w < wmin) {
                wmin = w;
                kmin = kw[0];
            }
        }
        throw NonFiniteError(fmt::format("non-finite state on the continuum trajectory |κ| ≤ {:g}: the bands are degenerate "
                                         "on it (smallest gap sampled: {:.3g} at κ = {:.6g}); move the parameters so the gap "
                                         "stays open",
                                         K, wmin, kmin));
    }
    const double kappa_end = q.E[0] > 0 ? -K : K;
    double dn[Solver::kBands], upper;
    solver.end_state(q, kappa_end, end, dn, upper);
    json r;
    if (q.kind == Dissipation::none) {  // Landau–Zener: the upper bands' population at the end
        r["lz_probability"] = upper;
        r["J"] = {lc.J[0]};
        r["J_intra"] = {lc.J_intra[0]};
    } else {
        // Downstream, the excess populations decay at γ1: an intraband tail.
        const double decay_tail = downstream_tail(solver, q, kappa_end, dn);
        const FirstOrder tails = first_order_tails(solver, q, K);
        r["J"] = {lc.J[0] + tails.total + decay_tail};
        r["J_intra"] = {lc.J_intra[0] + tails.intra + decay_tail};
    }
    r["J_inter"] = {r["J"][0].get<double>() - r["J_intra"][0].get<double>()};
    if (record_occ) {
        kap.resize(rec.count);
        nm.resize(rec.count);
        np.resize(rec.count);
        r["occupations"] = {{"kappa", kap}, {"n_lower", nm}, {"n_upper", np}};
    }
    return r;
}

// ---- lattices: the periodic orbit on every line parallel to E ----------------------------

// The lines: mesh points with n_dir = 0; the trajectory replaces the mesh along E.
struct LineGeometry {
    Mesh mesh;
    int axes[2] = {0, 0}, na = 0;
    long long n_other[2] = {1, 1};
    Mesh across{};  // the mesh of the lines' starting points (the axes across E), for its sub-mesh
    LineGeometry(const Mesh& m, int dir) : mesh(m) {
        for (int a = 0; a < mesh.dim; ++a)
            if (a != dir) {
                axes[na] = a;
                n_other[na++] = mesh.n[a];
            }
        across.dim = na;
        across.shift = 0.0;
        across.set_counts(n_other[0], n_other[1], 1);
    }
    long long lines() const { return n_other[0] * n_other[1]; }
    // The error estimate's sub-mesh of lines (Mesh::on_coarse across E; 0: there is none).
    bool on_coarse(long long l) const { return across.on_coarse(l); }
    int coarse_factor() const { return across.coarse_factor(); }
    void k0(long long l, double k[3]) const {
        double frac[3] = {0, 0, 0};
        for (int i = na - 1; i >= 0; --i) {
            frac[axes[i]] = static_cast<double>(l % n_other[i]) / static_cast<double>(n_other[i]);
            l /= n_other[i];
        }
        mesh.k_at(frac, k);
    }
};

// The lines as the indices of a keyed reduction (cpu::keyed_reduce: fixed blocks, checkpoints,
// stop requests): index b is the batch of Solver::kLanes lines from line b·kLanes; key 1 for the
// lines of the coarser sub-mesh across E (the error estimate), else 0; the values J[0..2],
// J_intra[0..2] of each line.
template <class Solver>
struct LineBatchFn {
    using Out = KeyedOutT<Solver::kLanes, 6>;
    const Solver* solver;
    QmeParams q;
    const LineGeometry* geo;
    double period;
    long long steps;
    Progress* progress;
    int n_values() const { return 6; }
    int n_keys() const { return 2; }
    void solve(long long b, LineCurrent* res, int& count) const {
        thread_local std::vector<double> work;
        work.resize(static_cast<std::size_t>(solver->work_doubles()));
        const long long first = b * Solver::kLanes;
        count = static_cast<int>(std::min<long long>(Solver::kLanes, geo->lines() - first));
        double k0[Solver::kLanes][3];
        for (int i = 0; i < count; ++i) geo->k0(first + i, k0[i]);
        solver->lines(q, k0, count, period, steps, work.data(), res, StepMonitor{progress, 1});
    }
    bool operator()(long long b, Out& out) const {
        LineCurrent res[Solver::kLanes];
        int count = 0;
        solve(b, res, count);
        out.n = count;
        bool ok = true;
        for (int e = 0; e < count; ++e) {
            out.key[e] = geo->on_coarse(b * Solver::kLanes + e) ? 1 : 0;
            for (int a = 0; a < 3; ++a) {
                out.val[e][a] = res[e].J[a];
                out.val[e][3 + a] = res[e].J_intra[a];
            }
            ok = ok && res[e].ok;
        }
        return ok;
    }
};

template <class Solver>
json solve_lattice(const Solver& solver, const QmeParams& q, const Mesh& mesh, int dir, double period, long long steps,
                   const TaskContext& ctx) {
    const LineGeometry geo(mesh, dir);
    const long long lines = geo.lines();
    Progress progress(fmt::format("dc_current E = {:g} ({} lines × {} steps)", std::sqrt(dot3(q.E, q.E)), lines, steps),
                      lines * steps * Solver::kPassesPerLine, "k·steps");
    std::vector<Neumaier> sums;  // [key: 0 off, 1 on the coarse sub-mesh][J[0..2], J_intra[0..2]]
    long long first_bad = -1;
    if (ctx.backend == Backend::cuda) {
        // This rank's lines (ranks.hpp) in chunks, each one device call; a stop is seen between chunks.
        const ranks::Share mine = ranks::share(lines, 1);
        sums.assign(12, Neumaier{});
        // At most 2^16 lines, or 1 GiB of line workspaces on the device, per call.
        const long long chunk = std::clamp<long long>((1LL << 30) / std::max<long long>(1, 8 * solver.work_doubles()), 1, 1 << 16);
        for (long long c = mine.begin; c < mine.end && first_bad < 0; c += chunk) {
            const long long count = std::min(chunk, mine.end - c);
            std::vector<double> k0(3 * count);
            for (long long l = 0; l < count; ++l) geo.k0(c + l, &k0[3 * l]);
            std::vector<LineCurrent> res(count);
            solver.cuda_lines(ctx.cfg.params, q, k0, period, steps, res);
            throw_if_stopped();
            progress.add(count * steps * Solver::kPassesPerLine);
            for (long long l = 0; l < count; ++l) {
                if (!res[l].ok) {
                    first_bad = c + l;
                    break;
                }
                const int key = geo.on_coarse(c + l) ? 6 : 0;
                for (int a = 0; a < 3; ++a) {
                    sums[key + a].add(res[l].J[a]);
                    sums[key + 3 + a].add(res[l].J_intra[a]);
                }
            }
        }
        first_bad = ranks::combine_first(first_bad);
        ranks::combine(sums);
    } else {
        const LineBatchFn<Solver> fn{&solver, q, &geo, period, steps, &progress};
        const long long batches = (lines + Solver::kLanes - 1) / Solver::kLanes;
        // Blocks of about 2^16 k·steps: enough work per block to hide its hand-over, small enough
        // to share out and to checkpoint often. Fixed by the steps alone (not the threads).
        const long long block = std::clamp<long long>((1LL << 16) / (steps * Solver::kLanes), 1, 1024);
        const long long bad_batch = cpu::keyed_reduce(fn, batches, sums, nullptr, nullptr, block);
        if (bad_batch >= 0) {  // the first failing line of that batch
            LineCurrent res[Solver::kLanes];
            int count = 0;
            fn.solve(bad_batch, res, count);
            first_bad = bad_batch * Solver::kLanes;
            for (int e = 0; e < count; ++e)
                if (!res[e].ok) {
                    first_bad += e;
                    break;
                }
        }
    }
    progress.finish();
    if (first_bad >= 0) {
        double k0[3];
        geo.k0(first_bad, k0);
        throw NonFiniteError(fmt::format("degenerate bands, a singular one-period map or an unstable integration "
                                         "on the line through k = ({:.10g}, {:.10g}, {:.10g}), line {}: move the mesh "
                                         "or the parameters, or raise [task] steps (too few for the bands' energies "
                                         "make the time steps unstable)",
                                         k0[0], k0[1], k0[2], first_bad));
    }
    // J = ∫ d^dk/(2π)^d j = (V_BZ/(2π)^d) × mean over lines of the period average; the same from the
    // coarse sub-mesh of lines alone, whose lines weigh coarse_factor() each.
    const double vol_frac = mesh_weight(mesh) * static_cast<double>(mesh.count()) / static_cast<double>(lines);
    const double coarse_frac = vol_frac * geo.coarse_factor();
    json r, coarse;
    std::vector<double> Jv(mesh.dim), Jiv(mesh.dim), Jev(mesh.dim), Jc(mesh.dim), Jic(mesh.dim), Jec(mesh.dim);
    for (int a = 0; a < mesh.dim; ++a) {
        Neumaier J = sums[a], Ji = sums[3 + a];
        J.add(sums[6 + a]);
        Ji.add(sums[9 + a]);
        Jv[a] = J.value() * vol_frac;
        Jiv[a] = Ji.value() * vol_frac;
        Jev[a] = Jv[a] - Jiv[a];
        Jc[a] = sums[6 + a].value() * coarse_frac;
        Jic[a] = sums[9 + a].value() * coarse_frac;
        Jec[a] = Jc[a] - Jic[a];
    }
    r["J"] = Jv;
    r["J_intra"] = Jiv;
    r["J_inter"] = Jev;
    r["lines"] = lines;
    if (geo.coarse_factor() > 0) r["coarse"] = {{"J", Jc}, {"J_intra", Jic}, {"J_inter", Jec}};
    return r;
}

// A non-Hermitian H(k) has no density-matrix steady state: refuse it (exit 2), naming k and
// the matrix element, after checking the mesh points (lattices) or a grid over the window.
template <int N, class Model>
void require_hermitian(const Model& model, const TaskContext& ctx, const Mesh& mesh) {
    const long long n = ctx.cfg.model->lattice ? std::min<long long>(mesh.count(), 4096) : 257;
    for (long long i = 0; i < n; ++i) {
        double k[3] = {0, 0, 0};
        if (ctx.cfg.model->lattice) mesh.k_of(i * (mesh.count() / n), k);
        else k[0] = -10.0 + 20.0 * static_cast<double>(i) / (n - 1);
        int r, c;
        const double defect = hermiticity_defect<N>(model, k, r, c);
        if (defect > 1e-12)
            throw InputError(fmt::format("{}: [model] '{}' is not Hermitian: |H[{}][{}] − conj(H[{}][{}])| = {:.3g} × max|H| at "
                                         "k = ({:.6g}, {:.6g}, {:.6g})",
                                         ctx.file.path(), ctx.cfg.model->name, r, c, c, r, defect, k[0], k[1], k[2]));
    }
}

// The estimated quantities of a row: the currents, or for `none` (no steady state) the
// Landau–Zener probability.
std::vector<const char*> estimated(const DcSetup& s) {
    if (s.q.kind == Dissipation::none) return {"lz_probability"};
    return {"J", "J_intra", "J_inter"};
}

// |a[key] − b[key]| per component (a number or a list: error_estimate.hpp), times `scale`.
json difference(const json& a, const json& b, double scale = 1.0) {
    json d = difference_estimate(a, b);
    if (d.is_number()) return scale * d.get<double>();
    for (auto& x : d) x = scale * x.get<double>();
    return d;
}
json sum_of(const json& a, const json& b) {
    if (a.is_number()) return a.get<double>() + b.get<double>();
    json out = json::array();
    for (std::size_t i = 0; i < a.size(); ++i) out.push_back(a[i].get<double>() + b[i].get<double>());
    return out;
}

// The exact reservoir's pole error carried into J (docs/accuracy.md): the pole sum gives the
// reservoir's broadened occupation within δ = pole_error over the spectrum, so the state it drives
// is off by about δ in operator norm (the relaxation −2Γρ + sources maps a source bounded by δ to a
// state bounded by δ), and each J_a by at most δ ∫ ‖∂_a H‖₁ d^dk/(2π)^d — over the window on the
// continuum, over the zone on a lattice (sampled: 256 mesh points × 16 along E). Exact as a bound
// for a static H; an estimate under the field. Components as J's; 0 for other solvers.
template <class Solver>
json pole_part(const Solver& solver, const DcSetup& s, const Mesh& mesh, bool lattice, double K, const json& like) {
    double reach[3] = {0.0, 0.0, 0.0};
    if constexpr (requires { solver.poles; }) {
        double t[3];
        if (!lattice) {
            const int n = 2000;
            for (int i = 0; i <= n; ++i) {
                const double k[3] = {K * (2.0 * i / n - 1.0), 0.0, 0.0};
                solver.velocity_trace_norms(k, t);
                reach[0] += (i == 0 || i == n ? 0.5 : 1.0) * t[0] * (2.0 * K / n) / kTwoPi;
            }
        } else {
            const long long points = std::min<long long>(mesh.count(), 256);
            const int along = 16;
            const double volume = mesh_weight(mesh) * static_cast<double>(mesh.count());  // ∫ d^dk/(2π)^d
            for (long long i = 0; i < points; ++i)
                for (int j = 0; j < along; ++j) {
                    double k[3];
                    mesh.k_of(i * (mesh.count() / points), k);
                    for (int a = 0; a < 3; ++a) k[a] += (static_cast<double>(j) / along) * mesh.basis[s.direction][a];
                    solver.velocity_trace_norms(k, t);
                    for (int a = 0; a < 3; ++a) reach[a] += t[a] * volume / static_cast<double>(points * along);
                }
        }
        for (double& r : reach) r *= solver.poles.error;
    }
    json out = json::array();
    for (std::size_t a = 0; a < like.size(); ++a) out.push_back(reach[a]);
    return out;
}
// The worst error/allowance over the estimated quantities of a row (≤ 1: the tolerance is met).
double worst_ratio(const DcSetup& s, const json& r, const json& error) {
    double worst = 0.0;
    for (const char* key : estimated(s)) {
        const json& v = r[key];
        const json& e = error[key];
        for (std::size_t i = 0; i < (v.is_number() ? 1 : v.size()); ++i) {
            const double x = v.is_number() ? v.get<double>() : v[i].get<double>();
            const double err = e.is_number() ? e.get<double>() : e[i].get<double>();
            const double allowed = s.tol.atol + s.tol.rtol * std::fabs(x);
            worst = std::max(worst, allowed > 0 ? err / allowed : (err > 0 ? INFINITY : 0.0));
        }
    }
    return worst;
}

template <class Solver>
double solver_pole_error(const Solver& solver) {
    if constexpr (requires { solver.poles; }) return solver.poles.error;
    return 0.0;
}

// One field value with a given solver: the row at 2n RK4 steps, with its error estimate — the
// step-halving estimate |J(2n) − J(n)|/15 (RK4 is fourth order) plus, on the continuum, the
// window estimate 2|J(K) − J(K/2)| (the tails' models checked against the trajectory over
// K/2 < |κ| < K; J(K/2) takes n/8 steps, 4 % of the pair's cost: its step error, 2^8 times that
// of J(n), is far below the window's and only adds to the estimate)
// or, on a lattice, the mesh estimate: J against the coarser sub-mesh of lines across E. With a
// tolerance the steps, the window or the line mesh — whichever estimate is larger — are doubled
// until it is met, or a cap is reached.
template <class Solver>
json solve_field(const Solver& solver, const DcSetup& s, const StepRule& rule, const TaskContext& ctx, const Mesh& mesh,
                 double E) {
    using clock = std::chrono::steady_clock;
    const auto start = clock::now();
    QmeParams q = s.q;
    for (int a = 0; a < 3; ++a) q.E[a] = 0.0;
    long long steps = static_cast<long long>(rule.steps(E));  // checked by check_steps
    const bool lattice = ctx.cfg.model->lattice;
    constexpr bool has_poles = requires { solver.poles; };
    double K = s.window;
    Mesh lines_mesh = mesh;
    double period = 0.0;
    if (lattice) {
        const double gnorm = std::sqrt(dot3(mesh.basis[s.direction], mesh.basis[s.direction]));
        for (int a = 0; a < 3; ++a) q.E[a] = E * mesh.basis[s.direction][a] / gnorm;
        period = gnorm / std::fabs(E);
    } else {
        q.E[0] = E;
    }
    auto solve = [&](double window, long long n) {
        return lattice ? solve_lattice(solver, q, lines_mesh, s.direction, period, n, ctx)
                       : solve_continuum(solver, q, window, n, false);
    };
    json a = solve(K, steps);
    while (true) {
        json b = solve(K, 2 * steps);
        json step_error = json::object(), other_error = json::object(), error = json::object();
        json half;
        if (!lattice) {  // n/8 steps; should that coarse step fail (non-finite), n/2
            half = solve(0.5 * K, std::max<long long>(steps / 8, 8));
            if (!std::isfinite(half["J"][0].get<double>())) half = solve(0.5 * K, std::max<long long>(steps / 2, 8));
        }
        const bool has_other = !lattice || b.contains("coarse");
        const json poles = pole_part(solver, s, mesh, lattice, K, b["J"]);
        bool poles_only = false;  // the pole part alone exceeds the tolerance
        for (const char* key : estimated(s)) {
            step_error[key] = difference(b[key], a[key], 1.0 / 15.0);
            // The window error oscillates with K (the coherence left at the window's edges has a phase
            // ∫Δε dt): |J(K) − J(K/2)| can undershoot it, by up to a factor 0.74 in the study of
            // docs/accuracy.md; twice it covered every case there.
            if (has_other)
                other_error[key] = lattice ? difference(b[key], b["coarse"][key]) : difference(b[key], half[key], 2.0);
            error[key] = has_other ? sum_of(step_error[key], other_error[key]) : step_error[key];
            if (has_poles) {
                error[key] = sum_of(error[key], poles);
                if (s.tol.active())
                    for (std::size_t a = 0; a < poles.size(); ++a)
                        poles_only = poles_only || !within(s.tol, b[key][a].get<double>(), poles[a].get<double>());
            }
        }
        const double worst = s.tol.active() ? worst_ratio(s, b, error) : 0.0;
        double other_max = 0.0, step_max = 0.0;
        for (const char* key : estimated(s)) {
            auto mx = [](const json& v) {
                double m = 0.0;
                if (v.is_number()) return v.get<double>();
                for (const auto& x : v) m = std::max(m, x.get<double>());
                return m;
            };
            step_max = std::max(step_max, mx(step_error[key]));
            if (has_other) other_max = std::max(other_max, mx(other_error[key]));
        }
        // The next try: double what dominates the estimate; the caps end the loop.
        const bool widen = other_max > step_max;
        const double seconds = std::chrono::duration<double>(clock::now() - start).count();
        std::string stop;
        if (s.tol.active() && worst > 1.0) {
            if (poles_only) {
                stop = fmt::format("the reservoir's pole error ({:.3g} in the occupation) alone exceeds it: lower "
                                   "[dissipation] pole_tolerance or raise poles",
                                   solver_pole_error(solver));
            } else if (lattice && widen && !has_other) {
                stop = "the line mesh has no coarser sub-mesh";
            } else if (!(lattice && widen) && 4.0 * static_cast<double>(steps) > static_cast<double>(kMaxSteps)) {
                stop = "the next try would need more than 2^30 RK4 steps";
            } else if (lattice && widen) {
                long double lines = 1;
                for (int ax = 0; ax < mesh.dim; ++ax) lines *= ax == s.direction ? 1 : 2 * lines_mesh.n[ax];
                if (lines > static_cast<long double>(s.tol.max_points))
                    stop = fmt::format("the next line mesh would have {:.4g} lines, above [task] max_points = {}",
                                       static_cast<double>(lines), s.tol.max_points);
            }
            if (stop.empty() && seconds * 2.5 > s.tol.max_seconds)
                stop = fmt::format("the next try would take about {:.3g} s, beyond [task] max_seconds = {:g}", 2.5 * seconds,
                                   s.tol.max_seconds);
        }
        if (!s.tol.active() || worst <= 1.0 || !stop.empty()) {
            b.erase("coarse");
            b["steps"] = 2 * steps;
            b["step_error"] = step_error;
            if (has_other) b[lattice ? "mesh_error" : "window_error"] = other_error;
            if (has_poles) b["pole_error_part"] = poles;
            b["error"] = error;
            if (lattice) {
                std::vector<long long> n;
                for (int ax = 0; ax < mesh.dim; ++ax) n.push_back(lines_mesh.n[ax]);
                b["mesh"] = n;
            } else {
                b["window"] = K;
            }
            if (!lattice && s.occupations) b["occupations"] = solve_continuum(solver, q, K, 2 * steps, true)["occupations"];
            if (s.tol.active()) {
                b["converged"] = stop.empty();
                if (!stop.empty()) {
                    b["not_converged"] = fmt::format("E = {:g}: the error is {:.3g} times its tolerance and {}", E, worst, stop);
                    std::fprintf(stderr, "bzint: warning: %s\n", b["not_converged"].get<std::string>().c_str());
                }
            }
            return b;
        }
        if (widen && lattice) {
            std::array<long long, 3> n{lines_mesh.n[0], lines_mesh.n[1], lines_mesh.n[2]};
            for (int ax = 0; ax < mesh.dim; ++ax)
                if (ax != s.direction) n[ax] *= 2;
            lines_mesh = make_mesh(*ctx.cfg.model, ctx.cfg.params, n, ctx.cfg.mesh_shift);
            a = solve(K, steps);
        } else if (widen) {  // the window doubles, with the steps the rule asks for there (width grows with |κ|)
            K *= 2.0;
            const double kw[3] = {K, 0.0, 0.0};
            StepRule wider = rule;
            wider.scale = 2.0 * K * std::max(solver.width(kw), rule.rate);
            steps = std::max(2 * steps, static_cast<long long>(wider.steps(E)));
            a = solve(K, steps);
        } else {
            steps *= 2;
            a = b;
        }
    }
}

// Calls f(solver) with the solver of this model and dissipation (the exact reservoir's poles
// are chosen by the caller); N-band models are checked Hermitian first.
template <class F>
void with_solver(const TaskContext& ctx, const DcSetup& s, const Mesh& mesh, F&& f) {
    if (s.q.kind == Dissipation::exact) {
        auto exact = [&](auto model_n) {
            using MN = decltype(model_n);
            f(ExactSolver<MN::bands, MN>{{}, model_n, {}});
        };
        if (ctx.cfg.model->bands == 2)
            visit_model(ctx.cfg.params, [&](auto model) { exact(AsNBand<decltype(model)>{model}); });
        else
            visit_nband_model(ctx.cfg.params, [&](auto model) {
                require_hermitian<decltype(model)::bands>(model, ctx, mesh);
                exact(model);
            });
    } else if (ctx.cfg.model->bands == 2) {  // d0 + d·σ is Hermitian by construction
        visit_model(ctx.cfg.params, [&](auto model) { f(TwoBandSolver<decltype(model)>{model}); });
    } else {
        visit_nband_model(ctx.cfg.params, [&](auto model) {
            using Model = decltype(model);
            require_hermitian<Model::bands>(model, ctx, mesh);
            f(NBandSolver<Model::bands, Model>{{}, model});
        });
    }
}

// The exact reservoir's poles: enough for the broadened occupation over the spectrum (sampled)
// to `pole_tolerance`, or the number given.
template <class Solver>
FermiPoles choose_poles(const Solver& solver, const DcSetup& s, const TaskContext& ctx, const Mesh& mesh) {
    double emin = 1e300, emax = -1e300;
    const long long n = ctx.cfg.model->lattice ? std::min<long long>(mesh.count(), 2048) : 201;
    for (long long i = 0; i < n; ++i) {
        double k[3] = {0, 0, 0};
        if (ctx.cfg.model->lattice) mesh.k_of(i * (mesh.count() / n), k);
        else k[0] = s.window * (2.0 * i / (n - 1) - 1.0);
        double lo, hi;
        solver.range(k, lo, hi);
        emin = std::min(emin, lo);
        emax = std::max(emax, hi);
    }
    if (s.poles > 0) {
        FermiPoles poles = ozaki_poles(static_cast<int>(s.poles));
        poles.error = reservoir_pole_error(poles, s.q.gamma, s.q.mu, s.q.T, emin, emax);
        return poles;
    }
    try {
        return choose_reservoir_poles(s.q.gamma, s.q.mu, s.q.T, emin, emax, s.pole_tolerance);
    } catch (const std::runtime_error&) {
        task_section(ctx, "dissipation", "dissipation exact")
            .fail("pole_tolerance", fmt::format("no Padé expansion with up to 4096 poles gives the broadened occupation to "
                                                "{:g} at T = {:g} over the spectrum [{:.4g}, {:.4g}] with mu = {:g} (it needs "
                                                "more poles as |e − mu|/T grows): raise T or pole_tolerance, or give poles",
                                                s.pole_tolerance, s.q.T, emin, emax, s.q.mu));
    }
}

// The validated setup with what it implies: the step rule (every field integrable) and, for the
// exact reservoir, the poles (that some suffice).
struct DcRun {
    DcSetup s;
    Mesh mesh{};
    StepRule steps;
    FermiPoles poles;
};

DcRun read_dc(TaskContext& ctx) {
    DcRun r;
    r.s = read_setup(ctx);
    if (ctx.cfg.model->lattice) r.mesh = require_mesh(ctx);
    with_solver(ctx, r.s, r.mesh, [&](auto solver) {
        r.steps = step_rule(solver, r.s, ctx, r.mesh);
        check_steps(r.steps, r.s, ctx);
        if constexpr (requires { solver.poles; }) r.poles = choose_poles(solver, r.s, ctx, r.mesh);
    });
    return r;
}

}  // namespace

void check_dc_current(TaskContext& ctx) { read_dc(ctx); }

TaskResult task_dc_current(TaskContext& ctx) {
    const DcRun run = read_dc(ctx);
    const DcSetup& s = run.s;
    const Mesh& mesh = run.mesh;
    const ModelInfo& info = *ctx.cfg.model;
    TaskResult out;
    SweepLog log(ctx, "E");
    json rows = json::array();
    Progress progress("dc_current", static_cast<long long>(s.fields.size()), "fields");
    long long done = 0;
    with_solver(ctx, s, mesh, [&](auto solver) {
        if constexpr (requires { solver.poles; }) {
            solver.poles = run.poles;
            out.results["poles"] = solver.poles.zeta.size();
            out.results["pole_error"] = solver.poles.error;
        }
        for (double E : s.fields) {
            if (const json* prev = log.find(E)) {
                rows.push_back(*prev);
                progress.update(++done);
                continue;
            }
            json r;
            if (E == 0.0) {  // equilibrium: no current, nothing to integrate
                const int nd = info.lattice ? info.dim : 1;
                const json zero = std::vector<double>(nd, 0.0);
                r = {{"J", zero}, {"J_intra", zero}, {"J_inter", zero}, {"steps", 0}};
                if (s.q.kind == Dissipation::none) r["lz_probability"] = 0.0;
                json err = json::object();
                for (const char* key : estimated(s)) err[key] = r[key];
                r["error"] = err;
                r["step_error"] = err;
            } else {
                const CheckpointSession::Scope scope(fmt::format("E={:.17g}", E));  // the field's reductions
                r = solve_field(solver, s, run.steps, ctx, mesh, E);
            }
            r["E"] = E;
            log.add(r);
            rows.push_back(r);
            progress.update(++done);
        }
    });
    log.complete();
    progress.finish();

    // Assemble in sweep order: each estimated quantity, its error estimate, and the estimate's parts.
    const bool vec = info.lattice, none = s.q.kind == Dissipation::none;
    const int nd = vec ? info.dim : 1;
    const char* other = vec ? "mesh_error" : "window_error";
    auto pick = [&](const json& v) { return vec || v.is_number() ? v : v[0]; };
    json Es = json::array(), steps = json::array(), extent = json::array(), errors = json::object(), parts = json::object();
    json values = json::object();
    std::vector<std::string> not_converged;
    for (const char* key : estimated(s)) {
        values[key] = json::array();
        errors[key] = json::array();
        parts["time_step"][key] = json::array();
        parts[vec ? "mesh" : "window"][key] = json::array();
    }
    const bool exact = s.q.kind == Dissipation::exact;
    if (exact) parts["poles"] = json::array();  // the same for J, J_intra and J_inter
    CsvTable csv{none ? "lz_probability" : "current", "", {"E"}, {}};
    for (const char* key : estimated(s))
        for (int a = 0; a < (none ? 1 : nd); ++a) csv.columns.push_back(vec && !none ? fmt::format("{}_{}", key, "xyz"[a]) : key);
    for (std::size_t c = 1, n = csv.columns.size(); c < n; ++c) csv.columns.push_back(csv.columns[c] + "_error");
    csv.columns.push_back("steps");
    if (!vec) csv.columns.push_back("window");
    for (const json& r : rows) {
        Es.push_back(r["E"]);
        steps.push_back(r["steps"]);
        extent.push_back(vec ? r.value("mesh", json(nullptr)) : r.value("window", json(s.window)));
        std::vector<double> row{r["E"].get<double>()}, err_row;
        for (const char* key : estimated(s)) {
            values[key].push_back(pick(r[key]));
            errors[key].push_back(pick(r["error"][key]));
            parts["time_step"][key].push_back(pick(r["step_error"][key]));
            parts[vec ? "mesh" : "window"][key].push_back(r.contains(other) ? pick(r[other][key]) : json(nullptr));
            if (exact && key == std::string("J"))
                parts["poles"].push_back(r.contains("pole_error_part") ? pick(r["pole_error_part"]) : json(nullptr));
            const json& v = r[key];
            const json& e = r["error"][key];
            for (std::size_t a = 0; a < (v.is_number() ? 1 : std::min<std::size_t>(v.size(), none ? 1 : nd)); ++a) {
                row.push_back(v.is_number() ? v.get<double>() : v[a].get<double>());
                err_row.push_back(e.is_number() ? e.get<double>() : e[a].get<double>());
            }
        }
        row.insert(row.end(), err_row.begin(), err_row.end());
        row.push_back(r["steps"].get<double>());
        if (!vec) row.push_back(r.value("window", s.window));
        csv.rows.push_back(row);
        if (r.contains("not_converged")) not_converged.push_back(r["not_converged"].get<std::string>());
    }
    out.results["E"] = Es;
    for (const char* key : estimated(s)) out.results[key] = values[key];
    out.results["steps"] = steps;
    out.results[vec ? "mesh" : "window"] = extent;
    out.results["error_parts"] = parts;
    out.results["sweep_log"] = log.file();
    out.errors = errors;
    out.errors["E"] = std::vector<double>(rows.size(), 0.0);
    for (const char* key : estimated(s)) out.principal.push_back(key);
    if (none)
        out.results["note"] = "dissipation 'none' has no steady state: the current it carries grows in proportion to the "
                              "window, so no J is reported; lz_probability is the upper band's population after the "
                              "passage (exp(-pi delta^2/(v E)) for landau_zener)";
    out.remedy = vec ? "the lines across E or the steps are not converged there (error_parts says which); raise [mesh] n "
                       "or [task] steps, or set [task] rtol to let bzint choose (docs/accuracy.md)"
                     : "the window or the steps are not converged there (error_parts says which); raise [task] window or "
                       "steps, or set [task] rtol to let bzint choose (docs/accuracy.md)";
    if (s.tol.active()) {
        out.convergence = {{"rtol", s.tol.rtol}, {"atol", s.tol.atol}, {"converged", not_converged.empty()}};
        std::string reason;
        for (const auto& why : not_converged) reason += (reason.empty() ? "" : "; ") + why;
        if (!reason.empty()) out.convergence["reason"] = reason;
    }
    const std::string eu = energy_unit(info), lu = length_unit(info);
    const std::string junit = vec ? fmt::format("e/hbar x energy / {}^{} (hbar = e = 1; J = -e int d^dk/(2pi)^d Tr[dH rho])", lu, info.dim - 1)
                                  : "e/hbar x energy (hbar = e = 1)";
    out.units = {{"E", fmt::format("energy / {} (e = 1)", lu)},
                 {"error_parts", "as the quantity: time_step = |X(2n) - X(n)|/15 (RK4), window = |X(K) - X(K/2)|, "
                                 "mesh = X against the coarser sub-mesh of lines, poles = the exact reservoir's pole error times the integral of "
                                 "|dH/dk| (docs/accuracy.md)"}};
    if (none) {
        out.units["lz_probability"] = "dimensionless";
    } else {
        for (const char* key : {"J", "J_intra", "J_inter"}) out.units[key] = junit;
    }
    if (!vec) out.units["window"] = fmt::format("1/{} (the trajectory's |kappa| <= window)", lu);
    csv.comment = none ? fmt::format("Landau-Zener probability (upper band population after the passage); E in energy/{}", lu)
                       : fmt::format("DC current of the steady state; E in energy/{}, J in {}; *_error: error estimate "
                                     "(docs/accuracy.md)", lu, junit);
    out.tables.push_back(csv);
    if (s.occupations) {
        CsvTable occ{"occupations", "band occupations along kappa(t) = k - E t (kappa in 1/L)", {"E", "kappa", "n_lower", "n_upper"}, {}};
        for (const json& r : rows) {
            if (!r.contains("occupations")) continue;
            const auto& o = r["occupations"];
            for (std::size_t i = 0; i < o["kappa"].size(); ++i)
                occ.rows.push_back({r["E"].get<double>(), o["kappa"][i].get<double>(), o["n_lower"][i].get<double>(),
                                    o["n_upper"][i].get<double>()});
        }
        out.tables.push_back(occ);
    }
    out.kpoints = 0;
    return out;
}

}  // namespace bzint
