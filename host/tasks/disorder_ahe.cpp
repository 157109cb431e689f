// Task disorder_ahe: the anomalous Hall conductivity and the current-induced spin density
// of a 2D two-band model with scalar Gaussian white-noise disorder ⟨U(r)U(r′)⟩ = u0² δ(r − r′)
// in the Born approximation (the disorder paper, Eqs. 27–63), split into the intrinsic,
// extrinsic-velocity, side-jump and skew-scattering pieces, with the Drude/Edelstein terms
// and the spin-orbit torque. At T = 0: the Fermi contour comes from the linear triangle
// method on the [mesh]; the Fermi-sea pieces from the Fermi-scan engine on the same mesh.
#include <fmt/core.h>

#include <algorithm>
#include <cmath>

#include "../disorder/born_response.hpp"
#include "../disorder/fermi_contour.hpp"
#include "../convergence.hpp"
#include "../engine.hpp"
#include "../input_error.hpp"
#include "../stop.hpp"
#include "task_common.hpp"

namespace bzint {

namespace {

using nlohmann::json;

struct DisorderStrength {
    double u0sq = 0.0;  // > 0: given
    double tau = 0.0;   // > 0: u0² chosen per μ so that the contour-averaged out-scattering time is τ
};

DisorderStrength read_disorder(const TaskContext& ctx) {
    const toml::table* dt = ctx.file.root()["disorder"].as_table();
    if (!dt)
        throw InputError(fmt::format("{}: task 'disorder_ahe' needs a [disorder] table with u0 = .. (the white-noise "
                                     "strength, <U(r)U(r')> = u0^2 delta(r - r')) or tau = .. (the out-scattering time)",
                                     ctx.file.path()));
    Section d = task_section(ctx, "disorder");
    d.only();
    DisorderStrength s;
    if (d.has("u0") == d.has("tau")) d.fail("u0", "give exactly one of u0 (disorder strength) and tau (scattering time)");
    if (d.has("u0")) {
        const double u0 = d.number("u0");
        s.u0sq = u0 * u0;
    } else {
        s.tau = d.number("tau");
    }
    return s;
}

json tensor(const double (*m)[2], int rows, double scale) {
    json t = json::array();
    for (int a = 0; a < rows; ++a) t.push_back({scale * m[a][0], scale * m[a][1]});
    return t;
}

struct DisorderSetup {
    Mesh mesh;
    Tolerance tol;
    std::vector<double> mu;
    DisorderStrength strength;
    bool want_skew = true;
    std::array<double, 3> magnetization{0, 0, 0};
    bool has_magnetization = false;
};

DisorderSetup read_disorder_ahe(const TaskContext& ctx) {
    require_dim(ctx, 2, 2);
    ctx.task.only();
    DisorderSetup s;
    s.mesh = require_mesh(ctx);
    s.tol = read_tolerance(ctx);
    require_sub_mesh(ctx, s.tol, s.mesh);
    // T = 0 only: the range of [task] T is {0} (Fermi-contour delta functions by the triangle method).
    read_temperature(ctx);
    s.mu = read_levels(ctx.task, "mu", kMaxLevels);
    require_scan_memory(ctx, ScanKind::spin_density, s.mu, 0.0);
    // The contour walk holds two rows of band energies and the contour of one level (≲ 8 points per
    // mesh row and column).
    const double contour = 32.0 * static_cast<double>(s.mesh.n[0] + s.mesh.n[1]) * (sizeof(FsState) + 64);
    require_memory(ctx.task, "mu", 32.0 * static_cast<double>(s.mesh.n[1]) + contour, "the Fermi contours on this mesh");
    s.strength = read_disorder(ctx);
    s.want_skew = ctx.task.boolean("skew", true);
    if (ctx.task.has("magnetization")) {
        const auto m = ctx.task.numbers("magnetization", 3);
        if (m.size() != 3) ctx.task.fail("magnetization", "needs [Mx, My, Mz]: the exchange field M m (energy units)");
        s.magnetization = {m[0], m[1], m[2]};
        s.has_magnetization = true;
    } else if (ctx.cfg.model->name == std::string("ti_surface")) {
        s.magnetization = {0.0, 0.0, ctx.cfg.params.p[1]};  // H = v(kx σy − ky σx) + M σz
        s.has_magnetization = true;
    }
    return s;
}

}  // namespace

void check_disorder_ahe(TaskContext& ctx) { read_disorder_ahe(ctx); }

namespace {

// The Fermi contour of every level on `mesh` (the mesh, or its sub-mesh as a mesh) and its Born
// response: the contour pieces of the rows below.
struct ContourLevel {
    std::size_t points = 0;  // contour points
    double u0sq = 0.0;       // the disorder strength used at this level
    BornResponse r{};
};

std::vector<ContourLevel> contour_levels(TaskContext& ctx, const DisorderSetup& setup, const Mesh& mesh, bool report) {
    const std::vector<double>& mu = setup.mu;
    const DisorderStrength& strength = setup.strength;
    std::vector<ContourLevel> levels;
    Progress progress(report ? "disorder_ahe contours" : "disorder_ahe contours (sub-mesh)",
                      static_cast<long long>(mu.size()), "levels");
    for (std::size_t j = 0; j < mu.size(); ++j) {
        throw_if_stopped();
        bool touches = false;
        const auto contour = fermi_contour(ctx.cfg.params, mesh, mu[j], ctx.cfg.model->lattice, touches);
        if (touches && report)
            ctx.task.fail("mu", fmt::format("the Fermi contour at mu = {} is cut by the k-box of '{}'; raise "
                                            "the model's kcut",
                                            mu[j], ctx.cfg.model->name));
        const std::vector<FsState> fs = contour_states(ctx.cfg.params, mesh, contour);
        for (std::size_t i = 0; i < fs.size(); ++i)
            for (int a = 0; a < 3; ++a)
                if (!std::isfinite(fs[i].R[a].re) || !std::isfinite(fs[i].R[a].im))
                    non_finite_at(mesh, contour[i].idx, "interband Berry connection on the Fermi contour");
        double u0sq = strength.u0sq;
        if (strength.tau > 0.0 && !fs.empty()) {  // out-scattering rate ∝ u0²: scale it to 1/τ
            const BornResponse unit = born_response(fs, 1.0, false);
            u0sq = 1.0 / (strength.tau * unit.rate_out);
        }
        levels.push_back({fs.size(), u0sq, born_response(fs, u0sq, setup.want_skew)});
        progress.update(static_cast<long long>(j + 1));
    }
    progress.finish();
    return levels;
}

// The rows of every level μ: the Fermi-sea pieces from the scans' sums (the mesh's, its coarse
// sub-mesh's, or the mesh's without the points near a band touching; all in mesh points of
// weight wk) and the Fermi-contour pieces from `contours`. The error estimate takes the rows from
// the mesh against those from its sub-mesh (the contour's resolution and the sea's together) and
// against those without the touching points (docs/accuracy.md).
TaskResult level_rows(const DisorderSetup& setup, const std::vector<ContourLevel>& contours, double wk,
                      const ScanResult& ahc, const ScanResult (&spin)[2]) {
    const std::vector<double>& mu = setup.mu;
    const std::array<double, 3>& magnetization = setup.magnetization;
    json rows = json::array();
    CsvTable csv{"disorder", "", {"mu", "fermi_points", "dos", "u0sq", "tau_out", "skew_computed"}, {}};
    const char* pieces[] = {"int", "drude", "ext", "sj", "sk", "total"};
    for (const char* p : pieces) csv.columns.push_back(fmt::format("sigma_yx_{}", p));
    for (const char* p : {"int", "edelstein", "ext", "sj", "sk", "total"})
        for (const char* c : {"x", "y"}) csv.columns.push_back(fmt::format("s_{}_{}", c, p));
    for (std::size_t j = 0; j < mu.size(); ++j) {
        const BornResponse& r = contours[j].r;
        const double u0sq = contours[j].u0sq;
        const std::size_t points = contours[j].points;

        // σ in e²/h (2π × the e²/ħ values); σ_int: σ_xy = −2π w Σ f Ω, σ_yx = −σ_xy.
        const double h = kTwoPi;
        const double sxy = -kTwoPi * wk * (ahc.sea_at(static_cast<int>(j), 0, 0) + ahc.sea_at(static_cast<int>(j), 1, 0));
        const double sigma_int[2][2] = {{0.0, sxy}, {-sxy, 0.0}};
        double s_int[3][2];
        for (int b = 0; b < 2; ++b)
            for (int c = 0; c < 3; ++c)
                s_int[c][b] = wk * (spin[b].sea_at(static_cast<int>(j), 0, 3 + c) + spin[b].sea_at(static_cast<int>(j), 1, 3 + c));
        double sigma_total[2][2], s_total[3][2];
        for (int a = 0; a < 2; ++a)
            for (int b = 0; b < 2; ++b)
                sigma_total[a][b] = sigma_int[a][b] + h * (r.sigma_drude[a][b] + r.sigma_ext[a][b] + r.sigma_sj[a][b] +
                                                           (r.skew ? r.sigma_sk[a][b] : 0.0));
        for (int c = 0; c < 3; ++c)
            for (int b = 0; b < 2; ++b)
                s_total[c][b] = s_int[c][b] + r.s_edelstein[c][b] + r.s_ext[c][b] + r.s_sj[c][b] + (r.skew ? r.s_sk[c][b] : 0.0);

        json row = {{"mu", mu[j]},
                    {"fermi_points", points},
                    {"dos", r.dos},
                    {"u0sq", u0sq},
                    {"tau_out", points == 0 ? 0.0 : 1.0 / r.rate_out},
                    {"sigma_int", tensor(sigma_int, 2, 1.0)},
                    {"sigma_drude", tensor(r.sigma_drude, 2, h)},
                    {"sigma_ext", tensor(r.sigma_ext, 2, h)},
                    {"sigma_sj", tensor(r.sigma_sj, 2, h)},
                    {"sigma_sk", r.skew ? tensor(r.sigma_sk, 2, h) : json(nullptr)},
                    {"sigma_total", tensor(sigma_total, 2, 1.0)},
                    {"s_int", tensor(s_int, 3, 1.0)},
                    {"s_edelstein", tensor(r.s_edelstein, 3, 1.0)},
                    {"s_ext", tensor(r.s_ext, 3, 1.0)},
                    {"s_sj", tensor(r.s_sj, 3, 1.0)},
                    {"s_sk", r.skew ? tensor(r.s_sk, 3, 1.0) : json(nullptr)},
                    {"s_total", tensor(s_total, 3, 1.0)}};
        if (setup.has_magnetization) {  // τ = (2/ħ) M m × ⟨S⟩ = M m × s  (Eq. 105, S = ħσ/2)
            double torque[3][2];
            for (int b = 0; b < 2; ++b) {
                const double sv[3] = {s_total[0][b], s_total[1][b], s_total[2][b]};
                double t[3];
                cross3(magnetization.data(), sv, t);
                for (int c = 0; c < 3; ++c) torque[c][b] = t[c];
            }
            row["torque"] = tensor(torque, 3, 1.0);
        }
        rows.push_back(row);
        std::vector<double> line{mu[j], static_cast<double>(points), r.dos, u0sq, points == 0 ? 0.0 : 1.0 / r.rate_out,
                                 r.skew ? 1.0 : 0.0, sigma_int[1][0], h * r.sigma_drude[1][0], h * r.sigma_ext[1][0],
                                 h * r.sigma_sj[1][0], h * r.sigma_sk[1][0], sigma_total[1][0]};
        const double* spin_parts[] = {&s_int[0][0], &r.s_edelstein[0][0], &r.s_ext[0][0], &r.s_sj[0][0], &r.s_sk[0][0],
                                      &s_total[0][0]};
        for (int p = 0; p < 6; ++p)
            for (int c = 0; c < 2; ++c)  // field along x: column b = 0 of the [3][2] arrays
                line.push_back(spin_parts[p][2 * c]);
        csv.rows.push_back(line);
    }
    TaskResult out;
    out.results["levels"] = rows;
    out.tables.push_back(csv);
    return out;
}

// One pass on `mesh`: the Fermi-sea scans, the levels' rows from the mesh and from its sub-mesh,
// and their difference as the estimate.
TaskResult disorder_pass(TaskContext& ctx, const DisorderSetup& setup, const Mesh& mesh) {
    // Fermi-sea pieces on the mesh: σ_int (Eq. 72, the `ahc` sums) and s_int (Eq. 57, the
    // interband spin of ρ̄⊥ in task spin_density: the same quantity, docs/disorder.md §6).
    Progress p_ahc("disorder_ahe intrinsic", mesh.count());
    const ScanResult ahc = fermi_scan(ctx.backend, ctx.cfg.params, mesh, ScanKind::ahc, setup.mu, 0.0, &p_ahc);
    p_ahc.finish();
    ScanResult spin[2];
    for (int b = 0; b < 2; ++b) {
        ScanFields f{};
        f.E[b] = 1.0;
        Progress p_spin(fmt::format("disorder_ahe intrinsic spin E{}", "xy"[b]), mesh.count());
        spin[b] = fermi_scan(ctx.backend, ctx.cfg.params, mesh, ScanKind::spin_density, setup.mu, 0.0, &p_spin, f);
        p_spin.finish();
    }
    const double wk = mesh_weight(mesh);
    const std::vector<ContourLevel> contours = contour_levels(ctx, setup, mesh, true);
    TaskResult out = level_rows(setup, contours, wk, ahc, spin);
    // The sea sums without the points near a band touching (band_touching.hpp), where a scan met any.
    const bool touching = ahc.without_touching || spin[0].without_touching || spin[1].without_touching;
    TaskResult without;
    if (touching) {
        auto clean = [](const ScanResult& s) -> const ScanResult& { return s.without_touching ? *s.without_touching : s; };
        const ScanResult clean_spin[2] = {clean(spin[0]), clean(spin[1])};
        without = level_rows(setup, contours, wk, clean(ahc), clean_spin);
    }
    if (ahc.coarse && spin[0].coarse && spin[1].coarse) {
        const ScanResult coarse_spin[2] = {*spin[0].coarse, *spin[1].coarse};
        const TaskResult coarse =
            level_rows(setup, contour_levels(ctx, setup, mesh.coarse(), false), wk, *ahc.coarse, coarse_spin);
        attach_errors(out, &coarse, touching ? &without : nullptr);
        // The count of contour points is the mesh's, not an estimated quantity (its CSV column: 0).
        for (json& e : out.errors["levels"]) e["fermi_points"] = nullptr;
        CsvTable& t = out.tables[0];
        const auto c = std::find(t.columns.begin(), t.columns.end(), "fermi_points_error") - t.columns.begin();
        if (c < static_cast<long>(t.columns.size()))
            for (auto& row : t.rows) row[static_cast<std::size_t>(c)] = 0.0;
    } else {
        attach_errors(out, nullptr, touching ? &without : nullptr);
    }
    // A level with a Fermi contour lies in a band: the T = 0 sea sums jump there (convergence.hpp).
    for (const ContourLevel& c : contours) out.fermi_step = out.fermi_step || c.points > 0;
    out.kpoints = mesh.count() * (3 + static_cast<long long>(setup.mu.size()));
    out.principal = {"levels"};
    out.remedy = "the Fermi contour (triangle method) or the Fermi sea is not resolved by the mesh there; raise [mesh] n "
                 "(the estimate is the change from the coarser sub-mesh), or set [task] rtol to let bzint choose "
                 "(docs/accuracy.md)";
    return out;
}

}  // namespace

TaskResult task_disorder_ahe(TaskContext& ctx) {
    const DisorderSetup setup = read_disorder_ahe(ctx);
    TaskResult out = converge(ctx, setup.tol, setup.mesh, [&](const Mesh& mesh) { return disorder_pass(ctx, setup, mesh); });
    out.results["magnetization"] = setup.has_magnetization ? json(setup.magnetization) : json(nullptr);
    if (out.errors.is_object()) out.errors["magnetization"] = setup.has_magnetization ? json({0.0, 0.0, 0.0}) : json(nullptr);
    const std::string lu = length_unit(*ctx.cfg.model), eu = energy_unit(*ctx.cfg.model);
    out.units = {{"mu", eu},
                 {"dos", fmt::format("states per energy unit per {}^2", lu)},
                 {"u0sq", fmt::format("energy^2 {}^2", lu)},
                 {"tau_out", "hbar / energy unit (contour-averaged out-scattering time)"},
                 {"sigma_*", "e^2/h; [a][b] = j_a / E_b, a, b in (x, y)"},
                 {"s_*", fmt::format("<sigma> per {}^2 per unit E (E in energy/(e {})); [c][b]: component c in (x, y, z), "
                                     "field b in (x, y)",
                                     lu, lu)},
                 {"torque", fmt::format("energy / {}^2 per unit E: M m x s (Eq. 105 with S = hbar sigma / 2)", lu)}};
    out.tables[0].comment = fmt::format(
        "mu in {}; sigma_yx in e^2/h (E along x); s_c per {}^2 per unit E_x; the skew columns are 0 where skew_computed = "
        "0 (d0 != 0 on the contour, docs/disorder.md){}",
        eu, lu, out.tables[0].comment);
    return out;
}

}  // namespace bzint
