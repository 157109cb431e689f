// Task dc_current: the DC steady state of the QME (RTA/DPA paper, Eq. 1) per k and the
// current it carries, for a sweep of field strengths. Each field value is recorded as it
// finishes (<title>_sweep.jsonl); --resume keeps the recorded ones.
#include <fmt/core.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>

#include "../cpu_launch.hpp"
#include "../engine.hpp"
#include "../input_error.hpp"
#include "bzint/qme/two_band_dc.hpp"
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
    } else if (kind == "none") {
        diss.only({"kind"});
        s.q.kind = Dissipation::none;
        if (ctx.cfg.model->lattice)
            diss.fail("kind", "'none' has no steady state on a lattice (Bloch oscillations); use rta or dpa, or the "
                              "landau_zener model for the transition probability");
    } else {
        diss.fail("kind", fmt::format("unknown dissipation '{}'; valid choices: rta, dpa, none", kind));
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

// Sweep log: one JSON line per finished field value.
class SweepLog {
public:
    SweepLog(const TaskContext& ctx) : path_(std::filesystem::path(ctx.options.out_dir) / (ctx.cfg.title + "_sweep.jsonl")) {
        std::filesystem::create_directories(ctx.options.out_dir);
        if (ctx.options.resume) {
            std::ifstream in(path_);
            std::string line;
            while (std::getline(in, line)) {
                if (line.empty()) continue;
                try {
                    json j = json::parse(line);
                    done_[j["E"].get<double>()] = j;
                } catch (const std::exception&) {
                    break;  // a line cut by the interruption: recompute from there
                }
            }
        } else {
            std::ofstream(path_, std::ios::trunc);
        }
        out_.open(path_, std::ios::app);
    }
    const json* find(double E) const {
        auto it = done_.find(E);
        return it == done_.end() ? nullptr : &it->second;
    }
    void add(const json& j) {
        out_ << j.dump() << "\n";
        out_.flush();
    }
    std::string path() const { return path_.string(); }

private:
    std::filesystem::path path_;
    std::map<double, json> done_;
    std::ofstream out_;
};

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

template <class Model>
double tail_integrand(const Model& model, const QmeParams& q, double kappa, bool intra) {
    const double k[3] = {kappa, 0, 0};
    TwoBandPoint h;
    model(k, h);
    const TwoBandSnapshot s = two_band_snapshot(h, q);
    double y[4], j[3], ji[3], je[3];
    two_band_adiabatic_state(q, s, y);
    // Populations to first order (Eq. 7): f + E_x ∂_κ f / γ1.
    const double g1 = q.kind == Dissipation::rta ? 1.0 / q.tau1 : q.kind == Dissipation::dpa ? 2.0 * q.gamma : 0.0;
    if (g1 > 0) {
        const double dep = h.dd0[0] + dot3(s.dhat, h.dd[0]), dem = h.dd0[0] - dot3(s.dhat, h.dd[0]);
        const double dnp = q.E[0] * s.fp_plus * dep / g1, dnm = q.E[0] * s.fp_minus * dem / g1;
        y[0] += dnp + dnm;
        for (int i = 0; i < 3; ++i) y[1 + i] += (dnp - dnm) * s.dhat[i];
    }
    two_band_current(h, s, y, j, ji);
    two_band_equilibrium_current(h, s, je);
    return (intra ? ji[0] : j[0]) - je[0];
}

// (1/2π) ∫_{|κ|>K} of the first-order current, by Simpson on κ = ±K/u, u ∈ (0, 1].
template <class Model>
double first_order_tails(const Model& model, const QmeParams& q, double K, bool intra) {
    const int n = 4000;
    double sum = 0.0;
    for (int side = -1; side <= 1; side += 2)
        for (int i = 1; i <= n; ++i) {  // u = i/n; the u → 0 end contributes 0
            const double u = static_cast<double>(i) / n;
            const double w = (i == n) ? 1.0 : (i % 2 ? 4.0 : 2.0);
            sum += w * tail_integrand(model, q, side * K / u, intra) * K / (u * u);
        }
    return sum / (3.0 * n) / kTwoPi;
}

template <class Model>
json solve_continuum(const Model& model, const QmeParams& q, double K, long long steps, bool record_occ) {
    double y_end[4];
    std::vector<double> kap, nm, np;
    TrajectoryRecord rec{};
    if (record_occ) {
        const int cap = 2001;
        kap.resize(cap);
        nm.resize(cap);
        np.resize(cap);
        rec = TrajectoryRecord{kap.data(), nm.data(), np.data(), static_cast<int>(std::max<long long>(1, steps / (cap - 1))), cap, 0};
    }
    const LineCurrent lc = two_band_trajectory(model, q, K, static_cast<int>(steps), y_end, record_occ ? &rec : nullptr);
    if (!lc.ok) throw NonFiniteError("non-finite state on the landau_zener trajectory (a gap closing: delta = 0?)");
    json r;
    if (q.kind == Dissipation::none) {  // Landau–Zener: the upper-band population at the end
        const double k[3] = {q.E[0] > 0 ? -K : K, 0, 0};
        TwoBandPoint h;
        model(k, h);
        const TwoBandSnapshot s = two_band_snapshot(h, q);
        r["lz_probability"] = 0.5 * (y_end[0] + dot3(y_end + 1, s.dhat));
        r["J"] = {lc.J[0]};
        r["J_intra"] = {lc.J_intra[0]};
    } else {
        // Downstream: the excess populations at −K decay at γ1 (E dt = dκ): intraband tail.
        const double kend[3] = {q.E[0] > 0 ? -K : K, 0, 0};
        TwoBandPoint h;
        model(kend, h);
        const TwoBandSnapshot s = two_band_snapshot(h, q);
        double yad[4];
        two_band_adiabatic_state(q, s, yad);
        const double dpar = dot3(y_end + 1, s.dhat) - dot3(yad + 1, s.dhat), da = y_end[0] - yad[0];
        const double dnp = 0.5 * (da + dpar), dnm = 0.5 * (da - dpar);
        const double g1 = q.kind == Dissipation::rta ? 1.0 / q.tau1 : 2.0 * q.gamma;
        const double vp = h.dd0[0] + dot3(s.dhat, h.dd[0]), vm = h.dd0[0] - dot3(s.dhat, h.dd[0]);
        const double decay_tail = -(vp * dnp + vm * dnm) * std::fabs(q.E[0]) / g1 / kTwoPi;
        const double J = lc.J[0] + first_order_tails(model, q, K, false) + decay_tail;
        const double Ji = lc.J_intra[0] + first_order_tails(model, q, K, true) + decay_tail;
        r["J"] = {J};
        r["J_intra"] = {Ji};
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

template <class Model>
json solve_lattice(const Model& model, const QmeParams& q, const Mesh& mesh, int dir, double period, long long steps,
                   Backend backend) {
    // Lines: mesh points with n_dir = 0; the trajectory replaces the mesh along E.
    long long n_other[2];
    int axes[2], na = 0;
    for (int a = 0; a < mesh.dim; ++a)
        if (a != dir) {
            axes[na] = a;
            n_other[na++] = mesh.n[a];
        }
    const long long lines = (na > 0 ? n_other[0] : 1) * (na > 1 ? n_other[1] : 1);
    std::vector<LineCurrent> res(lines);
    auto line_k0 = [&](long long l, double k0[3]) {
        double frac[3] = {0, 0, 0};
        long long rest = l;
        for (int i = na - 1; i >= 0; --i) {
            frac[axes[i]] = static_cast<double>(rest % n_other[i]) / static_cast<double>(n_other[i]);
            rest /= n_other[i];
        }
        mesh.k_at(frac, k0);
    };
    (void)backend;  // the CUDA launcher for lines comes with the GPU benchmark work (docs/qme.md)
    cpu::for_each_point(0, lines, [&](long long l) {
        double k0[3];
        line_k0(l, k0);
        res[l] = two_band_periodic_line(model, q, k0, period, static_cast<int>(steps));
    });
    Neumaier J[3], Ji[3];
    for (long long l = 0; l < lines; ++l) {
        if (!res[l].ok) {
            double k0[3];
            line_k0(l, k0);
            throw NonFiniteError(fmt::format("degenerate bands (or a singular one-period map) on the line through "
                                             "k = ({:.10g}, {:.10g}, {:.10g}), line {}: move the mesh or the parameters",
                                             k0[0], k0[1], k0[2], l));
        }
        for (int a = 0; a < 3; ++a) {
            J[a].add(res[l].J[a]);
            Ji[a].add(res[l].J_intra[a]);
        }
    }
    // J = ∫ d^dk/(2π)^d j = (V_BZ/(2π)^d) × mean over lines of the period average.
    double vol_frac = mesh_weight(mesh) * static_cast<double>(mesh.count()) / static_cast<double>(lines);
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

}  // namespace

TaskResult task_dc_current(TaskContext& ctx) {
    const DcSetup s = read_setup(ctx);
    const ModelInfo& info = *ctx.cfg.model;
    TaskResult out;
    SweepLog log(ctx);
    Mesh mesh{};
    double gnorm = 0.0;
    if (info.lattice) {
        mesh = require_mesh(ctx);
        gnorm = std::sqrt(dot3(mesh.basis[s.direction], mesh.basis[s.direction]));
    }
    json rows = json::array();
    Progress progress("dc_current", static_cast<long long>(s.fields.size()), "fields");
    long long done = 0;
    visit_model(ctx.cfg.params, [&](auto model) {
        for (double E : s.fields) {
            if (const json* prev = log.find(E)) {
                rows.push_back(*prev);
                progress.update(++done);
                continue;
            }
            QmeParams q = s.q;
            for (int a = 0; a < 3; ++a) q.E[a] = 0.0;
            json r;
            if (E == 0.0) {  // equilibrium: no current, nothing to integrate
                const int nd = info.lattice ? info.dim : 1;
                r = {{"J", std::vector<double>(nd, 0.0)}, {"J_intra", std::vector<double>(nd, 0.0)},
                     {"J_inter", std::vector<double>(nd, 0.0)}, {"steps", 0}, {"error_estimate", 0.0}};
                if (s.q.kind == Dissipation::none) r["lz_probability"] = 0.0;
            } else if (!info.lattice) {
                q.E[0] = E;
                // Automatic steps: h·Δ_max ≤ 0.15 with Δ_max = 2|d| at the window's edge.
                const double kw[3] = {s.window, 0, 0};
                TwoBandPoint h;
                model(kw, h);
                const double dmax = 2.0 * std::sqrt(dot3(h.d, h.d)) + 2.0 * std::fabs(h.d0);
                const double duration = 2.0 * s.window / std::fabs(E);
                const long long steps = s.steps > 0 ? s.steps : static_cast<long long>(std::ceil(duration * dmax / 0.15));
                r = with_step_halving(s, steps, [&](long long n) {
                    return solve_continuum(model, q, s.window, n, false);
                });
                if (s.occupations) r["occupations"] = solve_continuum(model, q, s.window, r["steps"].get<long long>(), true)["occupations"];
            } else {
                for (int a = 0; a < 3; ++a) q.E[a] = E * mesh.basis[s.direction][a] / gnorm;
                const double period = gnorm / std::fabs(E);
                // Automatic steps: h·max(Δ, rates) ≤ 0.2, Δ sampled on the mesh.
                double dmax = 0.0;
                const long long sample = std::min<long long>(mesh.count(), 4096);
                for (long long i = 0; i < sample; ++i) {
                    double k[3];
                    mesh.k_of(i * (mesh.count() / sample), k);
                    TwoBandPoint h;
                    model(k, h);
                    dmax = std::max(dmax, 2.0 * std::sqrt(dot3(h.d, h.d)));
                }
                const double rate = s.q.kind == Dissipation::rta ? std::max(1 / s.q.tau1, 1 / s.q.tau2) : 2 * s.q.gamma;
                const long long steps = s.steps > 0 ? s.steps
                                                    : std::max<long long>(64, static_cast<long long>(std::ceil(period * std::max(dmax, rate) / 0.2)));
                r = with_step_halving(s, steps, [&](long long n) {
                    return solve_lattice(model, q, mesh, s.direction, period, n, ctx.backend);
                });
            }
            r["E"] = E;
            log.add(r);
            rows.push_back(r);
            progress.update(++done);
        }
    });
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
