// Task dc_current: the DC steady state of the QME (RTA/DPA paper, Eq. 1) per k and the
// current it carries, for a sweep of field strengths. Each field value is recorded as it
// finishes (<title>_sweep.jsonl); --resume keeps the recorded ones.
#include <fmt/core.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>

#include "../../kernels/cuda_backend.hpp"
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
    Section field(ctx.file, ft, "field");
    field.only({"E", "direction"});
    s.fields = read_levels(field, "E");
    const int dim = ctx.cfg.model->dim;
    if (ctx.cfg.model->lattice) {
        const long long d = field.integer("direction", 1);
        if (d < 1 || d > dim) field.fail("direction", fmt::format("must be a reciprocal-vector index in 1..{}", dim));
        s.direction = static_cast<int>(d - 1);
    } else if (field.has("direction")) {
        field.fail("direction", "only lattice models take a direction; continuum 1D models have E along x");
    }
    const toml::table* dt = root["dissipation"].as_table();
    if (!dt) throw InputError(fmt::format("{}: task 'dc_current' needs a [dissipation] table with kind = rta | dpa | none",
                                          ctx.file.path()));
    Section diss(ctx.file, dt, "dissipation");
    const std::string kind = diss.string("kind");
    if (kind == "rta") {
        diss.only({"kind", "tau1", "tau2"});
        s.q.kind = Dissipation::rta;
        s.q.tau1 = diss.number("tau1");
        s.q.tau2 = diss.number("tau2", s.q.tau1);
        if (!(s.q.tau1 > 0)) diss.fail("tau1", "must be > 0");
        if (!(s.q.tau2 > 0)) diss.fail("tau2", "must be > 0");
    } else if (kind == "dpa") {
        diss.only({"kind", "gamma", "d1", "d2"});
        s.q.kind = Dissipation::dpa;
        s.q.gamma = diss.number("gamma");
        if (!(s.q.gamma > 0)) diss.fail("gamma", "must be > 0 (τ = 1/2Γ)");
        auto flag = [&](const char* key) {
            const toml::node* n = diss.node(key);
            if (!n) return true;
            if (!n->is_boolean()) diss.fail(key, "must be true or false");
            return n->value<bool>().value();
        };
        s.q.d1 = flag("d1");
        s.q.d2 = flag("d2");
    } else if (kind == "exact") {
        diss.only({"kind", "gamma", "poles", "pole_tolerance"});
        s.q.kind = Dissipation::exact;
        s.q.gamma = diss.number("gamma");
        if (!(s.q.gamma > 0)) diss.fail("gamma", "must be > 0");
        s.poles = diss.integer("poles", 0);
        if (s.poles < 0 || s.poles > 4096) diss.fail("poles", "must be in 1..4096 (or absent: chosen automatically)");
        s.pole_tolerance = diss.number("pole_tolerance", 1e-9);
        if (!(s.pole_tolerance > 0)) diss.fail("pole_tolerance", "must be > 0");
    } else if (kind == "none") {
        diss.only({"kind"});
        s.q.kind = Dissipation::none;
        if (ctx.cfg.model->lattice)
            diss.fail("kind", "'none' has no steady state on a lattice (Bloch oscillations); use rta or dpa, or the "
                              "landau_zener model for the transition probability");
    } else {
        diss.fail("kind", fmt::format("unknown dissipation '{}'; valid choices: rta, dpa, exact, none", kind));
    }
    ctx.task.only({"kind", "mu", "T", "steps", "tolerance", "window", "occupations"});
    s.q.mu = ctx.task.number("mu", 0.0);
    s.q.T = read_temperature(ctx);
    s.steps = ctx.task.integer("steps", 0);
    if (s.steps < 0 || s.steps > (1LL << 31)) ctx.task.fail("steps", "must be in 1..2^31 (or absent: automatic)");
    s.tolerance = ctx.task.number("tolerance", 0.0);
    if (s.tolerance < 0) ctx.task.fail("tolerance", "must be ≥ 0");
    if (!ctx.cfg.model->lattice) {
        if (dim != 1) ctx.task.fail("kind", "dc_current runs on lattice models and on the 1D continuum model landau_zener");
        s.window = ctx.task.number("window", 30.0);
        if (!(s.window > 0)) ctx.task.fail("window", "must be > 0");
        if (const toml::node* n = ctx.task.node("occupations")) {
            if (!n->is_boolean()) ctx.task.fail("occupations", "must be true or false");
            s.occupations = n->value<bool>().value();
        }
    } else {
        if (ctx.task.has("window")) ctx.task.fail("window", "only continuum models take a window");
        if (ctx.task.has("occupations")) ctx.task.fail("occupations", "occupations along κ are recorded for landau_zener");
    }
    return s;
}

template <class Fn>
json with_step_halving(const DcSetup& s, long long steps, Fn&& solve) {
    // RK4 error ≈ |J(2n) − J(n)|/15 (Richardson); with a tolerance, double until below it.
    json a = solve(steps), b = solve(2 * steps);
    auto diff = [](const json& x, const json& y) {
        double m = 0;
        for (std::size_t i = 0; i < x["J"].size(); ++i) m = std::max(m, std::fabs(x["J"][i].get<double>() - y["J"][i].get<double>()));
        return m / 15.0;
    };
    double err = diff(a, b);
    while (s.tolerance > 0 && err > s.tolerance && steps < (1LL << 28)) {
        steps *= 2;
        a = b;
        b = solve(2 * steps);
        err = diff(a, b);
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
    const LineCurrent lc = solver.trajectory(q, K, static_cast<int>(steps), end, record_occ ? &rec : nullptr);
    if (!lc.ok) throw NonFiniteError("non-finite state on the continuum trajectory (a gap closing on it?)");
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

template <class Solver>
json solve_lattice(const Solver& solver, const QmeParams& q, const Mesh& mesh, int dir, double period, long long steps,
                   const TaskContext& ctx) {
    // Lines: mesh points with n_dir = 0; the trajectory replaces the mesh along E.
    long long n_other[2];
    int axes[2], na = 0;
    for (int a = 0; a < mesh.dim; ++a)
        if (a != dir) {
            axes[na] = a;
            n_other[na++] = mesh.n[a];
        }
    const long long lines = (na > 0 ? n_other[0] : 1) * (na > 1 ? n_other[1] : 1);
    auto line_k0 = [&](long long l, double k0[3]) {
        double frac[3] = {0, 0, 0};
        long long rest = l;
        for (int i = na - 1; i >= 0; --i) {
            frac[axes[i]] = static_cast<double>(rest % n_other[i]) / static_cast<double>(n_other[i]);
            rest /= n_other[i];
        }
        mesh.k_at(frac, k0);
    };
    // Under MPI this rank integrates its share of the lines (ranks.hpp); res[l − first].
    const ranks::Share mine = ranks::share(lines, 1);
    const long long my_lines = mine.end - mine.begin;
    std::vector<LineCurrent> res(my_lines);
    if (ctx.backend == Backend::cuda) {
        std::vector<double> k0(3 * my_lines);
        for (long long l = 0; l < my_lines; ++l) line_k0(mine.begin + l, &k0[3 * l]);
        if (my_lines > 0) solver.cuda_lines(ctx.cfg.params, q, k0, period, static_cast<int>(steps), res);
    } else {
        constexpr int B = Solver::kLanes;  // lines per call (vectorised in the two-band solver)
        const long long batches = (my_lines + B - 1) / B;
#pragma omp parallel
        {
            std::vector<double> work(solver.work_doubles());
#pragma omp for schedule(dynamic)
            for (long long b = 0; b < batches; ++b) {
                const int count = static_cast<int>(std::min<long long>(B, my_lines - b * B));
                double k0[B][3];
                for (int i = 0; i < count; ++i) line_k0(mine.begin + b * B + i, k0[i]);
                solver.lines(q, k0, count, period, static_cast<int>(steps), work.data(), &res[b * B]);
            }
        }
    }
    long long first_bad = -1;
    std::vector<Neumaier> sums(6);  // J[0..2], J_intra[0..2]
    for (long long l = 0; l < my_lines; ++l) {
        if (!res[l].ok) {
            first_bad = mine.begin + l;
            break;
        }
        for (int a = 0; a < 3; ++a) {
            sums[a].add(res[l].J[a]);
            sums[3 + a].add(res[l].J_intra[a]);
        }
    }
    first_bad = ranks::combine_first(first_bad);
    if (first_bad >= 0) {
        double k0[3];
        line_k0(first_bad, k0);
        throw NonFiniteError(fmt::format("degenerate bands (or a singular one-period map) on the line through "
                                         "k = ({:.10g}, {:.10g}, {:.10g}), line {}: move the mesh or the parameters",
                                         k0[0], k0[1], k0[2], first_bad));
    }
    ranks::combine(sums);
    const Neumaier* J = sums.data();
    const Neumaier* Ji = sums.data() + 3;
    // J = ∫ d^dk/(2π)^d j = (V_BZ/(2π)^d) × mean over lines of the period average.
    const double vol_frac = mesh_weight(mesh) * static_cast<double>(mesh.count()) / static_cast<double>(lines);
    json r;
    std::vector<double> Jv(mesh.dim), Jiv(mesh.dim), Jev(mesh.dim);
    for (int a = 0; a < mesh.dim; ++a) {
        Jv[a] = J[a].value() * vol_frac;
        Jiv[a] = Ji[a].value() * vol_frac;
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
json solve_field(const Solver& solver, const DcSetup& s, const TaskContext& ctx, const Mesh& mesh, double E) {
    const ModelInfo& info = *ctx.cfg.model;
    QmeParams q = s.q;
    for (int a = 0; a < 3; ++a) q.E[a] = 0.0;
    const double rate = s.q.kind == Dissipation::rta ? std::max(1 / s.q.tau1, 1 / s.q.tau2)
                        : (s.q.kind == Dissipation::dpa || s.q.kind == Dissipation::exact) ? 2 * s.q.gamma : 0.0;
    if (!info.lattice) {
        q.E[0] = E;
        // Automatic steps: h·max(width, rates) ≤ 0.15, the width at the window's edge.
        const double kw[3] = {s.window, 0, 0};
        const double duration = 2.0 * s.window / std::fabs(E);
        const long long steps = s.steps > 0 ? s.steps
                                            : static_cast<long long>(std::ceil(duration * std::max(solver.width(kw), rate) / 0.15));
        json r = with_step_halving(s, steps, [&](long long n) { return solve_continuum(solver, q, s.window, n, false); });
        if (s.occupations) r["occupations"] = solve_continuum(solver, q, s.window, r["steps"].get<long long>(), true)["occupations"];
        return r;
    }
    const double gnorm = std::sqrt(dot3(mesh.basis[s.direction], mesh.basis[s.direction]));
    for (int a = 0; a < 3; ++a) q.E[a] = E * mesh.basis[s.direction][a] / gnorm;
    const double period = gnorm / std::fabs(E);
    double width = 0.0;  // sampled on the mesh
    const long long sample = std::min<long long>(mesh.count(), 4096);
    for (long long i = 0; i < sample; ++i) {
        double k[3];
        mesh.k_of(i * (mesh.count() / sample), k);
        width = std::max(width, solver.width(k));
    }
    const long long steps =
        s.steps > 0 ? s.steps : std::max<long long>(64, static_cast<long long>(std::ceil(period * std::max(width, rate) / 0.2)));
    return with_step_halving(s, steps, [&](long long n) { return solve_lattice(solver, q, mesh, s.direction, period, n, ctx); });
}

}  // namespace

TaskResult task_dc_current(TaskContext& ctx) {
    const DcSetup s = read_setup(ctx);
    const ModelInfo& info = *ctx.cfg.model;
    TaskResult out;
    SweepLog log(ctx);
    Mesh mesh{};
    if (info.lattice) mesh = require_mesh(ctx);
    json rows = json::array();
    Progress progress("dc_current", static_cast<long long>(s.fields.size()), "fields");
    long long done = 0;
    auto sweep = [&](const auto& solver) {
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
                r = solve_field(solver, s, ctx, mesh, E);
            }
            r["E"] = E;
            log.add(r);
            rows.push_back(r);
            progress.update(++done);
        }
    };
    if (s.q.kind == Dissipation::exact) {
        if (!(s.q.T > 0)) ctx.task.fail("T", "the exact reservoir needs T > 0 (its Padé expansion of f is in x/T)");
        // Poles: enough for the broadened occupation over the spectrum (sampled) to `pole_tolerance`.
        double emin = 1e300, emax = -1e300;
        auto widen = [&](const auto& solver) {
            const long long n = info.lattice ? std::min<long long>(mesh.count(), 2048) : 201;
            for (long long i = 0; i < n; ++i) {
                double k[3] = {0, 0, 0};
                if (info.lattice) mesh.k_of(i * (mesh.count() / n), k);
                else k[0] = s.window * (2.0 * i / (n - 1) - 1.0);
                double lo, hi;
                solver.range(k, lo, hi);
                emin = std::min(emin, lo);
                emax = std::max(emax, hi);
            }
        };
        auto run_exact = [&](auto model_n) {
            using MN = decltype(model_n);
            ExactSolver<MN::bands, MN> solver{{}, model_n, {}};
            widen(solver);
            solver.poles = s.poles > 0 ? ozaki_poles(static_cast<int>(s.poles))
                                       : choose_reservoir_poles(s.q.gamma, s.q.mu, s.q.T, emin, emax, s.pole_tolerance);
            if (s.poles > 0) solver.poles.error = reservoir_pole_error(solver.poles, s.q.gamma, s.q.mu, s.q.T, emin, emax);
            out.results["poles"] = solver.poles.zeta.size();
            out.results["pole_error"] = solver.poles.error;
            sweep(solver);
        };
        if (info.bands == 2)
            visit_model(ctx.cfg.params, [&](auto model) { run_exact(AsNBand<decltype(model)>{model}); });
        else
            visit_nband_model(ctx.cfg.params, [&](auto model) {
                require_hermitian<decltype(model)::bands>(model, ctx, mesh);
                run_exact(model);
            });
    } else if (info.bands == 2) {  // d0 + d·σ is Hermitian by construction
        visit_model(ctx.cfg.params, [&](auto model) { sweep(TwoBandSolver<decltype(model)>{model}); });
    } else {
        visit_nband_model(ctx.cfg.params, [&](auto model) {
            using Model = decltype(model);
            require_hermitian<Model::bands>(model, ctx, mesh);
            sweep(NBandSolver<Model::bands, Model>{{}, model});
        });
    }
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
