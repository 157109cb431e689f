// Task hybrid_current: the DC current of the non-adiabatic semiclassical theory of hybridised
// bands (nonadiabatic paper Sec. III C, Eqs. 54–63; include/bzint/hybrid_bands.hpp):
//   J = −Σ_i ∫ d^dk/(2π)^d g_i ṽ_i,   g_i = f(E_i) + δg_i,   δg_i = −τ (−∂f/∂E)(E·∇E_i),
// with the active manifold [lo, hi] hybridised by the field and every other band on its own
// (the single-band theory, Eq. 47). One Fermi scan of the mesh per field value: all levels μ
// in one pass; each field value is logged as it finishes (--resume keeps them). docs/hybrid.md.
#include <fmt/core.h>

#include <algorithm>
#include <cmath>

#include "../checkpoint.hpp"
#include "../convergence.hpp"
#include "../engine.hpp"
#include "../input_error.hpp"
#include "../ranks.hpp"
#include "bzint/nband_geometry.hpp"
#include "sweep_log.hpp"
#include "task_common.hpp"

namespace bzint {

namespace {

using nlohmann::json;

struct HybridTask {
    std::vector<double> fields;  // |E| values
    double direction[3];         // unit vector of E
    std::vector<double> mu;
    double T = 0.0, tau = 0.0;
    int lo = 0, hi = -1;  // active manifold
    Tolerance tol;
};

// The unit vector of E: along the reciprocal vector G_d (lattices, as dc_current) or the
// Cartesian axis d (continuum models).
void read_direction(const TaskContext& ctx, const Section& field, const Mesh& mesh, double (&dir)[3]) {
    const int dim = ctx.cfg.model->dim;
    const long long d = field.integer("direction", 1);
    if (d > dim)
        field.fail("direction", fmt::format("must be {} in 1..{}", ctx.cfg.model->lattice ? "a reciprocal-vector index" : "a Cartesian axis", dim));
    for (int a = 0; a < 3; ++a) dir[a] = ctx.cfg.model->lattice ? mesh.basis[d - 1][a] : (a == d - 1 ? 1.0 : 0.0);
    const double n = std::sqrt(dir[0] * dir[0] + dir[1] * dir[1] + dir[2] * dir[2]);
    for (double& x : dir) x /= n;
}

// Band energies at up to 4096 mesh points: the window's bands and the energy scale.
struct BandRange {
    std::vector<double> lo, hi;
    double scale = 0.0;
};
BandRange sample_bands(const TaskContext& ctx, const Mesh& mesh) {
    const int B = model_bands(ctx.cfg.params);
    const long long n = std::min<long long>(mesh.count(), 4096);
    std::vector<std::array<double, 3>> k(n);
    for (long long i = 0; i < n; ++i) mesh.k_of(i * (mesh.count() / n), k[i].data());
    const auto g = geometry_at_points(Backend::cpu, ctx.cfg.params, k);
    BandRange r{std::vector<double>(B, 1e300), std::vector<double>(B, -1e300), 0.0};
    for (long long i = 0; i < n; ++i)
        for (int b = 0; b < B; ++b) {
            const double e = g[static_cast<std::size_t>(i) * B + b].energy;
            r.lo[b] = std::min(r.lo[b], e);
            r.hi[b] = std::max(r.hi[b], e);
            r.scale = std::max(r.scale, std::fabs(e));
        }
    return r;
}

HybridTask read_task(const TaskContext& ctx, const Mesh& mesh, const BandRange& range) {
    HybridTask h;
    const toml::table& root = ctx.file.root();
    const toml::table* ft = root["field"].as_table();
    if (!ft)
        throw InputError(fmt::format("{}: task 'hybrid_current' needs a [field] table with E = .. (a number, a list, or "
                                     "{{from, to, count}}) and direction = 1..dim",
                                     ctx.file.path()));
    Section field = task_section(ctx, "field");
    field.only();
    h.fields = read_levels(field, "E", kMaxFieldValues);
    read_direction(ctx, field, mesh, h.direction);

    ctx.task.only();
    h.mu = read_levels(ctx.task, "mu", kMaxLevels);
    // Every (E, μ) pair is a row of the sweep log and of the result, held in memory.
    if (static_cast<double>(h.fields.size()) * static_cast<double>(h.mu.size()) > 1e6)
        ctx.task.fail("mu", fmt::format("{} field values × {} levels = {:.3g} rows; at most 10^6 (each is a row of the sweep "
                                        "log and of the result)",
                                        h.fields.size(), h.mu.size(), static_cast<double>(h.fields.size()) * h.mu.size()));
    h.T = read_temperature(ctx);
    require_scan_memory(ctx, ScanKind::hybrid, h.mu, h.T);
    h.tol = read_tolerance(ctx);
    require_sub_mesh(ctx, h.tol, mesh);
    h.tau = ctx.task.number("tau", 0.0);
    if (h.tau > 0 && h.T == 0.0)
        ctx.task.fail("T", "tau > 0 needs T > 0: δg carries −∂f/∂E, a delta function at T = 0 that a mesh cannot resolve");
    const int B = model_bands(ctx.cfg.params);
    if (ctx.task.has("active") && ctx.task.has("window"))
        ctx.task.fail("window", "give the active manifold either as active = [lo, hi] (band indices) or as window = [emin, emax]");
    if (ctx.task.has("active")) {
        const auto a = ctx.task.numbers("active", 2);
        if (a.size() != 2 || a[0] != std::floor(a[0]) || a[1] != std::floor(a[1]) || a[0] < 0 || a[1] < a[0] || a[1] >= B)
            ctx.task.fail("active", fmt::format("must be [lo, hi]: band indices with 0 ≤ lo ≤ hi ≤ {} (bands ascend in energy)", B - 1));
        h.lo = static_cast<int>(a[0]);
        h.hi = static_cast<int>(a[1]);
    } else if (ctx.task.has("window")) {
        const auto w = ctx.task.numbers("window", 2);
        if (w.size() != 2 || !(w[0] < w[1])) ctx.task.fail("window", "must be [emin, emax] with emin < emax");
        // The bands whose energy range over the mesh meets the window (a manifold is a set of
        // band indices; it must be contiguous).
        h.lo = B;
        h.hi = -1;
        for (int b = 0; b < B; ++b)
            if (range.hi[b] >= w[0] && range.lo[b] <= w[1]) {
                h.lo = std::min(h.lo, b);
                h.hi = std::max(h.hi, b);
            }
        if (h.hi < 0) ctx.task.fail("window", "no band enters the window on the mesh");
    } else {
        h.lo = 0;
        h.hi = B - 1;
    }
    return h;
}

struct HybridRun {
    Mesh mesh;
    BandRange range;
    HybridTask h;
};

HybridRun read_hybrid(TaskContext& ctx) {
    require_dim(ctx, 2, 3);
    HybridRun r;
    r.mesh = require_mesh(ctx);
    r.range = sample_bands(ctx, r.mesh);
    r.h = read_task(ctx, r.mesh, r.range);
    return r;
}

}  // namespace

void check_hybrid_current(TaskContext& ctx) { read_hybrid(ctx); }

namespace {

const char* const kPieces[4] = {"J_band", "J_hybrid", "J_remote", "J_relaxation"};

// The current at one field value on `mesh` ([μ index][component], and its parts), with the error
// estimate from the scan's coarse sub-mesh sums (task_common.hpp with_scan_errors).
TaskResult field_pass(TaskContext& ctx, const HybridRun& run, double E, const Mesh& mesh) {
    const HybridTask& h = run.h;
    const int dim = mesh.dim, B = model_bands(ctx.cfg.params), L = static_cast<int>(h.mu.size());
    const double w = mesh_weight(mesh);
    // The central-difference step: 1e-3 of the smallest mesh spacing.
    double spacing = 1e300;
    for (int a = 0; a < dim; ++a)
        spacing = std::min(spacing, std::sqrt(mesh.basis[a][0] * mesh.basis[a][0] + mesh.basis[a][1] * mesh.basis[a][1] +
                                              mesh.basis[a][2] * mesh.basis[a][2]) /
                                        static_cast<double>(mesh.n[a]));
    ScanFields f{};
    for (int a = 0; a < 3; ++a) f.hybrid.E[a] = E * h.direction[a];
    f.hybrid.lo = h.lo;
    f.hybrid.hi = h.hi;
    f.hybrid.tau = h.tau;
    f.hybrid.fd_step = 1e-3 * spacing;
    f.hybrid.degenerate = kDegenerateRelative * (1.0 + run.range.scale);
    f.hybrid.bands = B;
    Progress progress(fmt::format("hybrid_current E = {:g}", E), mesh.count());
    const ScanResult scan = fermi_scan(ctx.backend, ctx.cfg.params, mesh, ScanKind::hybrid, h.mu, h.T, &progress, f);
    progress.finish();
    TaskResult result = with_scan_errors({scan}, [&](const std::vector<ScanResult>& scans) {
        const ScanResult& s = scans[0];
        std::vector<std::vector<double>> J(L, std::vector<double>(dim, 0.0));
        std::vector<std::vector<std::vector<double>>> part(4, J);
        for (int j = 0; j < L; ++j)
            for (int a = 0; a < dim; ++a) {
                for (int n = 0; n < B; ++n) {
                    for (int p = 0; p < 3; ++p) part[p][j][a] += w * s.sea_at(j, n, 3 * p + a);
                    if (h.T > 0) part[3][j][a] += w * s.surface_at(j, n, a);
                }
                for (int p = 0; p < 4; ++p) J[j][a] += part[p][j][a];
            }
        TaskResult r;
        r.results["J"] = J;
        for (int p = 0; p < 4; ++p) r.results[kPieces[p]] = part[p];
        r.principal = {"J"};
        r.kpoints = mesh.count();
        return r;
    });
    const FermiSurfaceCheck fermi_surface(ctx, mesh, h.mu, h.T);
    if (h.tau > 0.0) result.warnings = fermi_surface.smearing_warning("the relaxation current (tau > 0)");
    if (h.tol.active()) result.fermi_step = fermi_surface.step();
    return result;
}

}  // namespace

TaskResult task_hybrid_current(TaskContext& ctx) {
    const HybridRun run = read_hybrid(ctx);
    const HybridTask& h = run.h;
    const ModelInfo& info = *ctx.cfg.model;
    const int dim = run.mesh.dim, L = static_cast<int>(h.mu.size());
    const double sigma_unit = kTwoPi * conductivity_factor(info);  // J/E in e²/ħ → e²/h (S/cm)

    // Each field value on its own: with a tolerance, on denser meshes until it is met (convergence.hpp).
    SweepLog log(ctx, "E");
    Progress sweep_progress("hybrid_current", static_cast<long long>(h.fields.size()), "fields");
    std::vector<json> rows;
    long long done = 0, kpoints = 0;
    for (double E : h.fields) {
        if (const json* prev = log.find(E)) {
            rows.push_back(*prev);
            sweep_progress.update(++done);
            continue;
        }
        const CheckpointSession::Scope scope(fmt::format("E={:.17g}", E));  // this field's reductions
        const TaskResult f = converge(ctx, h.tol, run.mesh, [&](const Mesh& m) { return field_pass(ctx, run, E, m); });
        json row = f.results;
        row["E"] = E;
        row["error"] = f.errors;  // null: the mesh has no sub-mesh
        row["points"] = f.kpoints;
        if (!f.warnings.empty()) row["warnings"] = f.warnings;
        if (!f.convergence.is_null()) row["convergence"] = f.convergence;
        log.add(row);
        rows.push_back(row);
        sweep_progress.update(++done);
    }
    log.complete();
    sweep_progress.finish();

    // Assemble: [E index][μ index][component], the estimates alike.
    TaskResult out;
    const bool estimated = std::all_of(rows.begin(), rows.end(), [](const json& r) { return r["error"].is_object(); });
    const std::vector<std::string> keys{"J", "J_band", "J_hybrid", "J_remote", "J_relaxation"};
    json Es = json::array(), values = json::object(), errors = json::object(), passes = json::array();
    for (const auto& k : keys) values[k] = errors[k] = json::array();
    values["sigma"] = errors["sigma"] = json::array();
    CsvTable csv{"current", "", {"E", "mu"}, {}};
    const char* comp = "xyz";
    for (const char* q : {"J", "J_band", "J_hybrid", "J_remote", "J_relaxation", "sigma"})
        for (int a = 0; a < dim; ++a) csv.columns.push_back(fmt::format("{}_{}", q, comp[a]));
    if (estimated)
        for (std::size_t c = 2, n = csv.columns.size(); c < n; ++c) csv.columns.push_back(csv.columns[c] + "_error");
    std::vector<std::string> not_converged;
    for (const json& r : rows) {
        const double E = r["E"].get<double>();
        Es.push_back(E);
        kpoints += r.value("points", 0LL);
        for (const auto& k : keys) {
            values[k].push_back(r[k]);
            if (estimated) errors[k].push_back(r["error"][k]);
        }
        // σ = J/|E| in the reported unit, and its estimate alike.
        json sig = json::array(), sig_err = json::array();
        for (int j = 0; j < L; ++j) {
            std::vector<double> sj(dim, 0.0), se(dim, 0.0), line{E, h.mu[j]}, err_line;
            for (int a = 0; a < dim; ++a) {
                sj[a] = E > 0 ? sigma_unit * r["J"][j][a].get<double>() / E : 0.0;
                if (estimated) se[a] = E > 0 ? sigma_unit * r["error"]["J"][j][a].get<double>() / E : 0.0;
            }
            for (const auto& k : keys)
                for (int a = 0; a < dim; ++a) {
                    line.push_back(r[k][j][a].get<double>());
                    if (estimated) err_line.push_back(r["error"][k][j][a].get<double>());
                }
            line.insert(line.end(), sj.begin(), sj.end());
            if (estimated) {
                line.insert(line.end(), err_line.begin(), err_line.end());
                line.insert(line.end(), se.begin(), se.end());
            }
            sig.push_back(sj);
            sig_err.push_back(se);
            csv.rows.push_back(line);
        }
        values["sigma"].push_back(sig);
        if (estimated) errors["sigma"].push_back(sig_err);
        if (r.contains("warnings"))
            for (const auto& w : r["warnings"]) out.warnings.push_back(fmt::format("E = {:g}: {}", E, w.get<std::string>()));
        if (r.contains("convergence")) {
            const json& c = r["convergence"];
            passes.push_back({{"E", E}, {"passes", c["passes"]}});
            if (!c.value("converged", true)) not_converged.push_back(fmt::format("E = {:g}: {}", E, c.value("reason", "")));
        }
    }
    out.results["E"] = Es;
    out.results["mu"] = h.mu;
    out.results["T"] = h.T;
    out.results["tau"] = h.tau;
    out.results["direction"] = std::vector<double>(h.direction, h.direction + dim);
    out.results["active_bands"] = {h.lo, h.hi};
    for (const auto& k : keys) out.results[k] = values[k];
    out.results["sigma"] = values["sigma"];
    out.results["sweep_log"] = log.file();
    out.kpoints = kpoints;
    if (estimated) {
        out.errors = errors;
        for (const char* k : {"E", "mu"}) out.errors[k] = std::vector<double>(out.results[k].size(), 0.0);
        out.errors["T"] = 0.0;
        out.errors["tau"] = 0.0;
    } else {
        attach_errors(out, nullptr);
    }
    out.principal = {"J", "sigma"};
    if (h.tol.active()) {
        out.convergence = {{"rtol", h.tol.rtol}, {"atol", h.tol.atol}, {"converged", not_converged.empty()}, {"fields", passes}};
        std::string reason;
        for (const auto& why : not_converged) reason += (reason.empty() ? "" : "; ") + why;
        if (!reason.empty()) out.convergence["reason"] = reason;
    }
    const std::string lu = length_unit(info);
    const std::string junit =
        fmt::format("e/hbar x energy / {}^{} (hbar = e = 1; J = -e sum_i int d^dk/(2pi)^d g_i v_i)", lu, dim - 1);
    const std::string sunit = conductivity_unit(info, dim);
    out.units = {{"E", fmt::format("energy / {} (e = 1)", lu)}, {"mu", energy_unit(info)}, {"T", energy_unit(info)},
                 {"tau", "hbar / energy"}, {"J", junit}, {"J_band", junit}, {"J_hybrid", junit}, {"J_remote", junit},
                 {"J_relaxation", junit}, {"sigma", sunit + " (J_a / |E|)"}};
    csv.comment = fmt::format("hybridised-band current (active bands {}..{}); E in energy/{}, mu in {}, J in {}, sigma = J/|E| in {}{}",
                              h.lo, h.hi, lu, energy_unit(info), junit, sunit,
                              estimated ? "; *_error: error estimate (docs/accuracy.md), same unit" : "");
    out.tables.push_back(csv);
    return out;
}

}  // namespace bzint
