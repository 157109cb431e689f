// Chern numbers C_n = (1/2π) ∫_BZ Ω_n^z by the integral and by the Fukui–Hatsugai–Suzuki
// link method (per_k.hpp ChernFn), and the smallest gap above each band met on the mesh; for 3D
// models, C_n(k3) on the planes spanned by G1, G2.
#include <fmt/core.h>

#include <algorithm>
#include <cmath>

#include "../engine.hpp"
#include "bzint/per_k.hpp"
#include "../workers.hpp"
#include "task_common.hpp"

namespace bzint {

namespace {

Mesh read_chern(const TaskContext& ctx) {
    require_dim(ctx, 2, 3);
    ctx.task.only();
    if (!ctx.cfg.model->lattice)
        ctx.task.fail("kind", fmt::format("task 'chern' needs a lattice model (a closed Brillouin zone); '{}' is a "
                                          "continuum model: use task 'ahc' for its (cutoff-dependent) Hall conductivity",
                                          ctx.cfg.model->name));
    const Mesh mesh = require_mesh(ctx);
    if (mesh.n[2] > kMaxChernPlanes)
        ctx.task.fail("kind", fmt::format("a 3D mesh with {} planes k3 = const; at most {} (one Chern number row each): "
                                          "lower [mesh] n[3]",
                                          mesh.n[2], kMaxChernPlanes));
    const double row = 5.0 * scanned_bands(ctx.cfg.params) * sizeof(Neumaier) * (2 * workers::count() + 1);
    require_memory(ctx.task, "kind", row * static_cast<double>(mesh.n[2]), fmt::format("{} Chern planes", mesh.n[2]));
    return mesh;
}

// The error estimates of a plane's Chern numbers (docs/accuracy.md): the link method is an integer
// (up to rounding) once the mesh resolves each plaquette's Berry phase, so its distance from the
// nearest integer measures its own failure, and the integral's error is its distance from it.
struct PlaneErrors {
    std::vector<double> integral, link, manifold;
};
PlaneErrors plane_errors(const ChernPlane& p) {
    PlaneErrors e;
    for (std::size_t n = 0; n < p.integral.size(); ++n) {
        e.integral.push_back(std::fabs(p.integral[n] - p.link[n]) + std::fabs(p.link[n] - std::round(p.link[n])));
        e.link.push_back(std::fabs(p.link[n] - std::round(p.link[n])));
        e.manifold.push_back(std::fabs(p.manifold[n] - std::round(p.manifold[n])));
    }
    return e;
}

// The smallest gap above each band met on a plane, bracketed by its power sums (per_k.hpp
// gap_powers): reported as the upper end, the bracket's width its error. A bracket down at the
// floor (kGapFloor) has lower end 0: the bands touch on the mesh.
struct SmallestGaps {
    std::vector<double> value, error;
};
SmallestGaps smallest_gaps(const ChernPlane& p) {
    SmallestGaps g;
    for (std::size_t n = 0; n < p.gap_p.size(); ++n) {
        const GapBracket b = gap_bracket(p.gap_p[n], p.gap_2p[n]);
        g.value.push_back(b.upper);
        g.error.push_back(b.upper - b.lower);
    }
    return g;
}

// A warning for each gap that closes on the mesh (below kGapFloor at a plaquette's corner) on any
// plane: the Chern numbers of the bands below it are not defined there. `planes[n]` lists the
// planes (their k3_reduced) where gap n closes.
void warn_closed_gaps(const std::vector<std::vector<double>>& planes, std::vector<std::string>& out) {
    for (std::size_t n = 0; n < planes.size(); ++n) {
        if (planes[n].empty()) continue;
        const std::string where =
            planes[n].size() == 1 && std::isnan(planes[n][0])
                ? std::string()
                : fmt::format(" on {} plane(s), the first at k3_reduced = {:g}", planes[n].size(), planes[n][0]);
        out.push_back(fmt::format("bands {} and {} touch on the mesh{} (a gap below {:g} at a plaquette's corner): "
                                  "chern_manifold[{}] and the Chern numbers of bands {} and {} are not defined there",
                                  n, n + 1, where, kGapFloor, n, n, n + 1));
    }
}

// Adds plane `k3` (NaN for a 2D model) to the list of each gap of g that closes.
void note_closed_gaps(const SmallestGaps& g, double k3, std::vector<std::vector<double>>& planes) {
    planes.resize(g.value.size());
    for (std::size_t n = 0; n < g.value.size(); ++n)
        if (g.value[n] - g.error[n] <= 0.0) planes[n].push_back(k3);
}

}  // namespace

TaskResult chern_plane_result(const ChernPlane& p, const std::string& energy_unit) {
    TaskResult out;
    out.units = {{"chern", "dimensionless"},
                 {"chern_fhs", "dimensionless"},
                 {"chern_manifold", "dimensionless"},
                 {"smallest_gap", energy_unit}};
    out.principal = {"chern", "chern_fhs", "chern_manifold"};
    out.integer_valued = out.principal;
    out.results["chern"] = p.integral;
    out.results["chern_fhs"] = p.link;
    out.results["chern_manifold"] = p.manifold;
    const PlaneErrors e = plane_errors(p);
    const SmallestGaps g = smallest_gaps(p);
    out.results["smallest_gap"] = g.value;
    out.errors = {{"chern", e.integral}, {"chern_fhs", e.link}, {"chern_manifold", e.manifold}, {"smallest_gap", g.error}};
    std::vector<std::vector<double>> closed;
    note_closed_gaps(g, NAN, closed);
    warn_closed_gaps(closed, out.warnings);
    CsvTable csv{"chern",
                 "Chern numbers per band (ascending energy): integral, link method, and the link method for bands "
                 "0..n together (chern_manifold)",
                 {"band", "chern", "chern_fhs", "chern_manifold", "chern_error", "chern_fhs_error", "chern_manifold_error"},
                 {}};
    for (std::size_t n = 0; n < p.integral.size(); ++n)
        csv.rows.push_back({static_cast<double>(n), p.integral[n], p.link[n], p.manifold[n], e.integral[n], e.link[n],
                            e.manifold[n]});
    out.tables.push_back(csv);
    return out;
}

void check_chern(TaskContext& ctx) { read_chern(ctx); }

TaskResult task_chern(TaskContext& ctx) {
    const Mesh mesh = read_chern(ctx);
    Progress progress("chern", mesh.count());
    const auto planes = chern_planes(ctx.backend, ctx.cfg.params, mesh, &progress);
    progress.finish();
    const std::string remedy = "the Chern number is not resolved by the mesh (or bands touch on it): raise [mesh] n, or "
                               "move the parameters away from the transition (docs/accuracy.md)";
    if (mesh.dim == 2) {
        TaskResult out = chern_plane_result(planes[0], energy_unit(*ctx.cfg.model));
        out.kpoints = mesh.count();
        out.remedy = remedy;
        return out;
    }
    TaskResult out;
    out.kpoints = mesh.count();
    out.units = {{"chern", "dimensionless"},
                 {"chern_fhs", "dimensionless"},
                 {"chern_manifold", "dimensionless"},
                 {"smallest_gap", energy_unit(*ctx.cfg.model)}};
    out.remedy = remedy;
    out.principal = {"chern", "chern_fhs", "chern_manifold"};
    out.integer_valued = out.principal;
    const std::size_t B = planes[0].integral.size();
    auto band_columns = [&](const std::string& base) {
        std::vector<std::string> c;
        for (std::size_t n = 0; n < B; ++n) c.push_back(fmt::format("{}_band{}", base, n));
        return c;
    };
    nlohmann::json k3 = nlohmann::json::array(), c = nlohmann::json::array(), f = nlohmann::json::array(),
                   m = nlohmann::json::array(), ec = nlohmann::json::array(), ef = nlohmann::json::array(),
                   em = nlohmann::json::array(), gap = nlohmann::json::array(), egap = nlohmann::json::array();
    std::vector<std::vector<double>> closed;  // per gap, the planes where it closes
    CsvTable csv{"chern", "Chern numbers of the planes k3 = const (k3 in reduced units of G3)", {"k3_reduced", "kz"}, {}};
    for (const char* base : {"chern", "chern_fhs", "chern_manifold", "chern_error", "chern_fhs_error", "chern_manifold_error"})
        for (const auto& col : band_columns(base)) csv.columns.push_back(col);
    for (long long p = 0; p < mesh.n[2]; ++p) {
        // The plane's reduced k3, with [mesh] shift: in the mesh (½ along every axis, make_mesh) or in
        // its origin.
        const double offset = mesh.shift != 0.0 ? mesh.shift : ctx.cfg.mesh_shift[2];
        const double red = (static_cast<double>(p) + offset) / static_cast<double>(mesh.n[2]);
        const double kz = red * mesh.basis[2][2];
        k3.push_back(red);
        c.push_back(planes[p].integral);
        f.push_back(planes[p].link);
        m.push_back(planes[p].manifold);
        const PlaneErrors e = plane_errors(planes[p]);
        ec.push_back(e.integral);
        ef.push_back(e.link);
        em.push_back(e.manifold);
        const SmallestGaps g = smallest_gaps(planes[p]);
        gap.push_back(g.value);
        egap.push_back(g.error);
        note_closed_gaps(g, red, closed);
        std::vector<double> row{red, kz};
        for (const auto* v : {&planes[p].integral, &planes[p].link, &planes[p].manifold, &e.integral, &e.link, &e.manifold})
            row.insert(row.end(), v->begin(), v->end());
        csv.rows.push_back(row);
    }
    out.results["k3_reduced"] = k3;
    out.results["chern"] = c;
    out.results["chern_fhs"] = f;
    out.results["chern_manifold"] = m;
    out.results["smallest_gap"] = gap;
    warn_closed_gaps(closed, out.warnings);
    out.errors = {{"k3_reduced", std::vector<double>(k3.size(), 0.0)},
                  {"chern", ec},
                  {"chern_fhs", ef},
                  {"chern_manifold", em},
                  {"smallest_gap", egap}};
    out.units["k3_reduced"] = "reduced coordinate along G3";
    out.tables.push_back(csv);
    return out;
}

}  // namespace bzint
