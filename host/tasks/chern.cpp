// Chern numbers C_n = (1/2π) ∫_BZ Ω_n^z by the integral and by the Fukui–Hatsugai–Suzuki
// link method (per_k.hpp ChernFn); for 3D models, C_n(k3) on the planes spanned by G1, G2.
#include <fmt/core.h>

#include "../engine.hpp"
#include "task_common.hpp"

namespace bzint {

TaskResult task_chern(TaskContext& ctx) {
    require_dim(ctx, 2, 3);
    ctx.task.only({"kind"});
    if (!ctx.cfg.model->lattice)
        ctx.task.fail("kind", fmt::format("task 'chern' needs a lattice model (a closed Brillouin zone); '{}' is a "
                                          "continuum model: use task 'ahc' for its (cutoff-dependent) Hall conductivity",
                                          ctx.cfg.model->name));
    const Mesh mesh = require_mesh(ctx);
    Progress progress("chern", mesh.count());
    const auto planes = chern_planes(ctx.backend, ctx.cfg.params, mesh, &progress);
    progress.finish();
    TaskResult out;
    out.kpoints = mesh.count();
    out.units = {{"chern", "dimensionless"}, {"chern_fhs", "dimensionless"}};
    if (mesh.dim == 2) {
        out.results["chern"] = {planes[0][0], planes[0][1]};
        out.results["chern_fhs"] = {planes[0][2], planes[0][3]};
        out.tables.push_back({"chern", "Chern numbers per band (ascending energy): integral and link method",
                              {"band", "chern", "chern_fhs"},
                              {{0, planes[0][0], planes[0][2]}, {1, planes[0][1], planes[0][3]}}});
        return out;
    }
    nlohmann::json k3 = nlohmann::json::array(), c = nlohmann::json::array(), f = nlohmann::json::array();
    CsvTable csv{"chern", "Chern numbers of the planes k3 = const (k3 in reduced units of G3)",
                 {"k3_reduced", "kz", "chern_band0", "chern_band1", "chern_fhs_band0", "chern_fhs_band1"}, {}};
    for (long long p = 0; p < mesh.n[2]; ++p) {
        const double red = static_cast<double>(p) / static_cast<double>(mesh.n[2]);
        const double kz = red * mesh.basis[2][2];
        k3.push_back(red);
        c.push_back({planes[p][0], planes[p][1]});
        f.push_back({planes[p][2], planes[p][3]});
        csv.rows.push_back({red, kz, planes[p][0], planes[p][1], planes[p][2], planes[p][3]});
    }
    out.results["k3_reduced"] = k3;
    out.results["chern"] = c;
    out.results["chern_fhs"] = f;
    out.units["k3_reduced"] = "reduced coordinate along G3";
    out.tables.push_back(csv);
    return out;
}

}  // namespace bzint
