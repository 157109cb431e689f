// Task dc_current: the DC steady state of the QME (RTA/DPA paper, Eq. 1) per k and the
// current it carries, for a sweep of field strengths. Each field value is recorded as it
// finishes (<title>_sweep.jsonl); --resume keeps the recorded ones.
#include <fmt/core.h>

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "../../kernels/cuda_backend.hpp"
#include "../checkpoint.hpp"
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
    double tolerance = 0.0; // > 0: double the steps until the step-halving estimate is below it
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
    s.tolerance = ctx.task.number("tolerance", 0.0);
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

// Every field value must be integrable: its step count, doubled by step halving, at most 2^30.
void check_steps(const StepRule& rule, const DcSetup& s, const TaskContext& ctx) {
    for (double E : s.fields) {
        if (E == 0.0) continue;
        const double steps = rule.steps(E);
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

// RK4 error ≈ |J(2n) − J(n)|/15 (Richardson); with a tolerance, double until below it (at most
// 2^30 steps; short of it the row says so and a warning is printed).
template <class Fn>
json with_step_halving(const DcSetup& s, double E, long long steps, Fn&& solve) {
    json a = solve(steps), b = solve(2 * steps);
    auto diff = [](const json& x, const json& y) {
        double m = 0;
        for (std::size_t i = 0; i < x["J"].size(); ++i) m = std::max(m, std::fabs(x["J"][i].get<double>() - y["J"][i].get<double>()));
        return m / 15.0;
    };
    double err = diff(a, b);
    while (s.tolerance > 0 && err > s.tolerance && 4 * steps <= kMaxSteps) {
        steps *= 2;
        a = b;
        b = solve(2 * steps);
        err = diff(a, b);
    }
    if (s.tolerance > 0) {
        b["tolerance_met"] = err <= s.tolerance;
        if (err > s.tolerance)
            std::fprintf(stderr, "bzint: warning: E = %g: the step-halving error estimate %.3g is above [task] tolerance = %.3g "
                                 "at the most steps allowed (%lld); the row records tolerance_met = false\n",
                         E, err, s.tolerance, 2 * steps);
    }
    b["steps"] = 2 * steps;
    b["error_estimate"] = err;
    return b;
}

// ---- continuum 1D: one trajectory per field value, tails beyond ±window added -------------

// (1/2π) ∫_{|κ|>K} of the first-order current, by Simpson on κ = ±K/u, u ∈ (0, 1].
template <class Solver>
double first_order_tails(const Solver& solver, const QmeParams& q, double K, bool intra) {
    const int n = 4000;
    double sum = 0.0;
    for (int side = -1; side <= 1; side += 2)
        for (int i = 1; i <= n; ++i) {  // u = i/n; the u → 0 end contributes 0
            const double u = static_cast<double>(i) / n;
            const double w = (i == n) ? 1.0 : (i % 2 ? 4.0 : 2.0);
            sum += w * solver.first_order_current(q, side * K / u, intra) * K / (u * u);
        }
    return sum / (3.0 * n) / kTwoPi;
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
    double minus_v_dn, upper;
    solver.end_state(q, kappa_end, end, minus_v_dn, upper);
    json r;
    if (q.kind == Dissipation::none) {  // Landau–Zener: the upper bands' population at the end
        r["lz_probability"] = upper;
        r["J"] = {lc.J[0]};
        r["J_intra"] = {lc.J_intra[0]};
    } else {
        // Downstream, the excess populations decay at γ1 (dκ = |E| dt): an intraband tail.
        const double decay_tail = minus_v_dn * std::fabs(q.E[0]) / qme_rates(q).g1 / kTwoPi;
        r["J"] = {lc.J[0] + first_order_tails(solver, q, K, false) + decay_tail};
        r["J_intra"] = {lc.J_intra[0] + first_order_tails(solver, q, K, true) + decay_tail};
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
    LineGeometry(const Mesh& m, int dir) : mesh(m) {
        for (int a = 0; a < mesh.dim; ++a)
            if (a != dir) {
                axes[na] = a;
                n_other[na++] = mesh.n[a];
            }
    }
    long long lines() const { return n_other[0] * n_other[1]; }
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
// stop requests): index b is the batch of Solver::kLanes lines from line b·kLanes; one key, the
// values J[0..2], J_intra[0..2] of each line.
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
    int n_keys() const { return 1; }
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
            out.key[e] = 0;
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
    std::vector<Neumaier> sums;  // J[0..2], J_intra[0..2]
    long long first_bad = -1;
    if (ctx.backend == Backend::cuda) {
        // This rank's lines (ranks.hpp) in chunks, each one device call; a stop is seen between chunks.
        const ranks::Share mine = ranks::share(lines, 1);
        sums.assign(6, Neumaier{});
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
                for (int a = 0; a < 3; ++a) {
                    sums[a].add(res[l].J[a]);
                    sums[3 + a].add(res[l].J_intra[a]);
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
        throw NonFiniteError(fmt::format("degenerate bands (or a singular one-period map) on the line through "
                                         "k = ({:.10g}, {:.10g}, {:.10g}), line {}: move the mesh or the parameters",
                                         k0[0], k0[1], k0[2], first_bad));
    }
    // J = ∫ d^dk/(2π)^d j = (V_BZ/(2π)^d) × mean over lines of the period average.
    const double vol_frac = mesh_weight(mesh) * static_cast<double>(mesh.count()) / static_cast<double>(lines);
    json r;
    std::vector<double> Jv(mesh.dim), Jiv(mesh.dim), Jev(mesh.dim);
    for (int a = 0; a < mesh.dim; ++a) {
        Jv[a] = sums[a].value() * vol_frac;
        Jiv[a] = sums[3 + a].value() * vol_frac;
        Jev[a] = Jv[a] - Jiv[a];
    }
    r["J"] = Jv;
    r["J_intra"] = Jiv;
    r["J_inter"] = Jev;
    r["lines"] = lines;
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

// One field value with a given solver.
template <class Solver>
json solve_field(const Solver& solver, const DcSetup& s, const StepRule& rule, const TaskContext& ctx, const Mesh& mesh,
                 double E) {
    QmeParams q = s.q;
    for (int a = 0; a < 3; ++a) q.E[a] = 0.0;
    const long long steps = static_cast<long long>(rule.steps(E));  // checked by check_steps
    if (!ctx.cfg.model->lattice) {
        q.E[0] = E;
        json r = with_step_halving(s, E, steps, [&](long long n) { return solve_continuum(solver, q, s.window, n, false); });
        if (s.occupations) r["occupations"] = solve_continuum(solver, q, s.window, r["steps"].get<long long>(), true)["occupations"];
        return r;
    }
    const double gnorm = std::sqrt(dot3(mesh.basis[s.direction], mesh.basis[s.direction]));
    for (int a = 0; a < 3; ++a) q.E[a] = E * mesh.basis[s.direction][a] / gnorm;
    const double period = gnorm / std::fabs(E);
    return with_step_halving(s, E, steps, [&](long long n) { return solve_lattice(solver, q, mesh, s.direction, period, n, ctx); });
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
    SweepLog log(ctx);
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
                r = {{"J", std::vector<double>(nd, 0.0)}, {"J_intra", std::vector<double>(nd, 0.0)},
                     {"J_inter", std::vector<double>(nd, 0.0)}, {"steps", 0}, {"error_estimate", 0.0}};
                if (s.q.kind == Dissipation::none) r["lz_probability"] = 0.0;
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

    // Assemble in sweep order.
    json Es = json::array(), J = json::array(), Ji = json::array(), Je = json::array(), err = json::array(),
         steps = json::array(), P = json::array();
    const bool vec = info.lattice;
    CsvTable csv{"current", "", {"E"}, {}};
    const int nd = vec ? info.dim : 1;
    for (const char* q : {"J", "J_intra", "J_inter"})
        for (int a = 0; a < nd; ++a) csv.columns.push_back(vec ? fmt::format("{}_{}", q, "xyz"[a]) : q);
    csv.columns.push_back("error_estimate");
    if (s.q.kind == Dissipation::none) csv.columns.push_back("lz_probability");
    for (const json& r : rows) {
        Es.push_back(r["E"]);
        J.push_back(vec ? r["J"] : r["J"][0]);
        Ji.push_back(vec ? r["J_intra"] : r["J_intra"][0]);
        Je.push_back(vec ? r["J_inter"] : r["J_inter"][0]);
        err.push_back(r["error_estimate"]);
        steps.push_back(r["steps"]);
        std::vector<double> row{r["E"].get<double>()};
        for (const char* q : {"J", "J_intra", "J_inter"})
            for (int a = 0; a < nd; ++a) row.push_back(r[q][a].get<double>());
        row.push_back(r["error_estimate"].get<double>());
        if (s.q.kind == Dissipation::none) {
            P.push_back(r["lz_probability"]);
            row.push_back(r["lz_probability"].get<double>());
        }
        csv.rows.push_back(row);
    }
    out.results["E"] = Es;
    out.results["J"] = J;
    out.results["J_intra"] = Ji;
    out.results["J_inter"] = Je;
    out.results["error_estimate"] = err;
    out.results["steps"] = steps;
    if (s.q.kind == Dissipation::none) out.results["lz_probability"] = P;
    out.results["sweep_log"] = log.path();
    const std::string eu = energy_unit(info), lu = length_unit(info);
    const std::string junit = vec ? fmt::format("e/hbar x energy / {}^{} (hbar = e = 1; J = -e int d^dk/(2pi)^d Tr[dH rho])", lu, info.dim - 1)
                                  : "e/hbar x energy (hbar = e = 1)";
    out.units = {{"E", fmt::format("energy / {} (e = 1)", lu)}, {"J", junit}, {"J_intra", junit}, {"J_inter", junit},
                 {"error_estimate", "as J (RK4 step-halving estimate)"}};
    csv.comment = fmt::format("DC current of the steady state; E in energy/{}, J in {}", lu, junit);
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
