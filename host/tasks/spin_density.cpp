// Task spin_density: the (pseudo)spin density s = ∫ d^dk/(2π)^d Tr[ρ̂ σ] of a two-band
// model from the semiclassical density matrix of the SU(N) paper (Eqs. 25, 26, 28b) and,
// beside it, the wave-packet formula (Eq. 27b), for the equilibrium distribution in a weak
// uniform B or the relaxation-time distribution f̄(k) = f0(ε̄(k + τE)) (charge −e).
//   s_band     = ∫ (f̄↑ − f̄↓) u                         (both formulas)
//   s_perp     = ∫ ρ̄⊥                                   (Eq. 26; kinetic theory only)
//   s_spurious = −∫ Ω (f̄↑ + f̄↓) u, Ω → −B·Ω_+          (the second term of Eq. 27b)
//   s_kinetic  = s_band + s_perp (Eq. 28b),   s_wave_packet = s_band + s_spurious (Eq. 27b)
// and the field-induced parts of both, relative to s_equilibrium (E = B = 0, where the two
// formulas agree) from a second pass.
// Per-k channels: semiclassical.hpp spin_density_channels; derivation: docs/semiclassical.md.
#include <fmt/core.h>

#include <cmath>

#include "../convergence.hpp"
#include "../engine.hpp"
#include "task_common.hpp"

namespace bzint {

namespace {

struct SpinSetup {
    Mesh mesh;
    Tolerance tol;
    double T, tau;
    std::vector<double> mu;
    std::array<double, 3> E, B;
};

SpinSetup read_spin_density(const TaskContext& ctx) {
    require_dim(ctx, 2, 3);
    ctx.task.only();
    SpinSetup s;
    s.mesh = require_mesh(ctx);
    s.tol = read_tolerance(ctx);
    require_sub_mesh(ctx, s.tol, s.mesh);
    s.T = read_temperature(ctx);
    s.mu = read_levels(ctx.task, "mu", kMaxLevels);
    require_scan_memory(ctx, ScanKind::spin_density, s.mu, s.T);
    s.tau = ctx.task.number("tau", 0.0);
    s.E = read_in_plane_vector(ctx, "E");
    s.B = read_magnetic_field(ctx, "B");
    const bool has_B = s.B[0] != 0.0 || s.B[1] != 0.0 || s.B[2] != 0.0;
    if (has_B && s.T == 0.0)
        ctx.task.fail("T", "with B ≠ 0 the transverse part (Eq. 26) has the Fermi-surface term −½ u × {f, u}, a delta "
                           "function at T = 0 that a mesh cannot resolve; set T > 0");
    return s;
}

}  // namespace

void check_spin_density(TaskContext& ctx) { read_spin_density(ctx); }

namespace {

// One pass on `mesh`, with its error estimate.
TaskResult spin_density_scans(TaskContext& ctx, const SpinSetup& setup, const Mesh& mesh) {
    const double w = mesh_weight(mesh);
    const double T = setup.T, tau = setup.tau;
    const std::vector<double>& mu = setup.mu;
    const auto& E = setup.E;
    const auto& B = setup.B;
    const bool has_B = B[0] != 0.0 || B[1] != 0.0 || B[2] != 0.0;
    const ScanFields fields{{B[0], B[1], B[2]}, {E[0], E[1], E[2]}, {tau * E[0], tau * E[1], tau * E[2]}, {}};

    const bool fields_on = has_B || E[0] != 0.0 || E[1] != 0.0 || E[2] != 0.0;
    Progress progress(fields_on ? "spin_density pass 1/2" : "spin_density", mesh.count());
    std::vector<ScanResult> computed{fermi_scan(ctx.backend, ctx.cfg.params, mesh, ScanKind::spin_density, mu, T, &progress, fields)};
    progress.finish();
    computed.push_back(computed[0]);  // the equilibrium pass: the same unless a field is on
    if (fields_on) {
        Progress progress_eq("spin_density pass 2/2 (E = B = 0)", mesh.count());
        computed[1] = fermi_scan(ctx.backend, ctx.cfg.params, mesh, ScanKind::spin_density, mu, T, &progress_eq, ScanFields{});
        progress_eq.finish();
    }
    return with_scan_errors(computed, [&](const std::vector<ScanResult>& scans) {
    const ScanResult& s = scans[0];
    const ScanResult& eq = scans[1];

    using nlohmann::json;
    json band = json::array(), perp = json::array(), spurious = json::array(), kinetic = json::array(),
         packet = json::array(), diff = json::array(), equilibrium = json::array(), induced_kinetic = json::array(),
         induced_packet = json::array();
    const std::vector<std::string> parts{"s_band",        "s_perp",         "s_spurious",
                                         "s_kinetic",     "s_wave_packet",  "difference",
                                         "s_equilibrium", "s_induced_kinetic", "s_induced_wave_packet"};
    CsvTable csv{"spin_density", "", {"mu"}, {}};
    for (const auto& p : parts)
        for (const char* c : {"x", "y", "z"}) csv.columns.push_back(p + "_" + c);
    for (std::size_t j = 0; j < mu.size(); ++j) {
        std::array<double, 3> b{}, pe{}, sp{}, ki{}, wp{}, df{}, s0{}, ik{}, iw{};
        const int J = static_cast<int>(j);
        for (int i = 0; i < 3; ++i) {
            for (int n = 0; n < 2; ++n) {
                b[i] += w * s.sea_at(J, n, i);
                pe[i] += w * s.sea_at(J, n, 3 + i);
                if (T > 0.0) pe[i] += w * s.surface_at(J, n, i);  // zero at B = 0, the only case allowed at T = 0
                sp[i] += w * s.sea_at(J, n, 6 + i);
                s0[i] += w * eq.sea_at(J, n, i);
            }
            ki[i] = b[i] + pe[i];
            wp[i] = b[i] + sp[i];
            df[i] = ki[i] - wp[i];
            ik[i] = ki[i] - s0[i];
            iw[i] = wp[i] - s0[i];
        }
        band.push_back(b);
        perp.push_back(pe);
        spurious.push_back(sp);
        kinetic.push_back(ki);
        packet.push_back(wp);
        diff.push_back(df);
        equilibrium.push_back(s0);
        induced_kinetic.push_back(ik);
        induced_packet.push_back(iw);
        std::vector<double> row{mu[j]};
        for (const auto* v : {&b, &pe, &sp, &ki, &wp, &df, &s0, &ik, &iw}) row.insert(row.end(), v->begin(), v->end());
        csv.rows.push_back(row);
    }
    TaskResult out;
    out.kpoints = mesh.count() * (fields_on ? 2 : 1);
    // The physical spin densities (their parts keep their estimates).
    out.principal = {"s_kinetic", "s_wave_packet", "s_induced_kinetic", "s_induced_wave_packet"};
    const std::string lu = length_unit(*ctx.cfg.model), eu = energy_unit(*ctx.cfg.model);
    out.results["mu"] = mu;
    out.results["T"] = T;
    out.results["tau"] = tau;
    out.results["E"] = E;
    out.results["B"] = B;
    if (T > 0.0) out.results["energy_grid"] = {{"bins", s.fine_bins}, {"width", s.bin_width}};
    out.results["s_band"] = band;
    out.results["s_perp"] = perp;
    out.results["s_spurious"] = spurious;
    out.results["s_kinetic"] = kinetic;
    out.results["s_wave_packet"] = packet;
    out.results["difference"] = diff;
    out.results["s_equilibrium"] = equilibrium;
    out.results["s_induced_kinetic"] = induced_kinetic;
    out.results["s_induced_wave_packet"] = induced_packet;
    const std::string unit = fmt::format("1/{}^{} (<sigma> per unit {}: spin density / (hbar/2)), [x, y, z]", lu,
                                         mesh.dim, mesh.dim == 2 ? "area" : "volume");
    out.units = {{"mu", eu},
                 {"tau", "hbar / energy unit"},
                 {"E", "energy unit / (e " + lu + ")"},
                 {"B", "hbar/(e " + lu + "^2)"}};
    for (const auto& p : parts) out.units[p] = unit;
    out.units["difference"] = unit + "; s_kinetic - s_wave_packet = s_perp - s_spurious";
    out.units["s_equilibrium"] = unit + "; E = B = 0";
    out.units["s_induced_kinetic"] = unit + "; s_kinetic - s_equilibrium";
    out.units["s_induced_wave_packet"] = unit + "; s_wave_packet - s_equilibrium";
    csv.comment = fmt::format("spin density <sigma> per {}^{}; mu in {}; s_kinetic = Eq. 28b, s_wave_packet = Eq. 27b "
                              "of the SU(N) paper",
                              lu, mesh.dim, eu);
    out.tables.push_back(csv);
    return out;
    });
}

// ... and, with B, whether the mesh resolves the Fermi-surface term (Eq. 26).
TaskResult spin_density_pass(TaskContext& ctx, const SpinSetup& setup, const Mesh& mesh) {
    TaskResult out = spin_density_scans(ctx, setup, mesh);
    const FermiSurfaceCheck fermi_surface(ctx, mesh, setup.mu, setup.T);
    if (setup.B[0] != 0.0 || setup.B[1] != 0.0 || setup.B[2] != 0.0)
        out.warnings = fermi_surface.smearing_warning("the Fermi-surface term of the B-induced spin");
    if (setup.tol.active()) out.fermi_step = fermi_surface.step();
    return out;
}

}  // namespace

// With a tolerance, on denser meshes until it is met (convergence.hpp).
TaskResult task_spin_density(TaskContext& ctx) {
    const SpinSetup setup = read_spin_density(ctx);
    return converge(ctx, setup.tol, setup.mesh, [&](const Mesh& mesh) { return spin_density_pass(ctx, setup, mesh); });
}

}  // namespace bzint
