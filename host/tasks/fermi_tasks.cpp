// Fermi-scan tasks: ahc, cme, anomaly, dipole. Each runs one pass over the mesh
// (engine.hpp fermi_scan) and scales the per-band sums into the physical quantity.
// Formulas and units: docs/conventions.md.
#include <fmt/core.h>

#include <chrono>
#include <cstdio>
#include <memory>

#include "../engine.hpp"
#include "../convergence.hpp"
#include "../error_estimate.hpp"
#include "../input_error.hpp"
#include "../symmetry/irreducible_mesh.hpp"
#include "../symmetry/model_check.hpp"
#include "../wannier/wannier_model.hpp"
#include "task_common.hpp"

namespace bzint {

namespace {

using nlohmann::json;

struct ScanSetup {
    Mesh mesh;
    double T;
    std::vector<double> mu;
    Refine refine;
    Tolerance tol;
    std::vector<PointOp> group;  // [mesh] symmetry: the group (empty: none)
    SymmetryDefect defect;  // the model's largest deviation from the generators (model_check.hpp)
};

struct ScanRun {
    Mesh mesh;
    double weight;  // d^dk/(2π)^d per point
    double T;
    Refine refine;
    ScanResult scan;
    std::vector<std::string> generators;  // [mesh] symmetry: as given, the group's order and the stars
    std::size_t group_order = 0;           // 0: no symmetry
    long long irreducible_points = 0;
    SymmetryDefect defect;
};

// [task] refine = {threshold = Ω_max (length²), m = sub-divisions per axis}: adaptive refinement
// of the mesh points where some band's |Ω| component exceeds the threshold.
Refine read_refine(const TaskContext& ctx) {
    Refine r;
    if (!ctx.task.has("refine")) return r;
    const toml::table* t = ctx.task.node("refine")->as_table();
    if (!t) ctx.task.fail("refine", "must be a table {threshold = .. (|Omega| in length^2), m = .. (sub-divisions per axis)}");
    Section sec(ctx.file, t, "task.refine", ctx.cfg.task);
    sec.only();
    r.threshold = sec.number("threshold");
    r.m = static_cast<int>(sec.integer("m", 4));
    // An odd m would put a sub-point on the flagged mesh point itself — the sample nearest the
    // singularity that flagged it — so refinement would keep its spurious weight (docs/accuracy.md).
    if (r.m % 2 != 0)
        sec.fail("m", fmt::format("must be even, so that no sub-point repeats the refined mesh point (the sample nearest "
                                  "the curvature peak that flagged it); got {}", r.m));
    return r;
}

// [mesh] symmetry (read and parsed by run_file.cpp): what the scan needs besides, the mesh's
// stars, and the model's check (symmetry/model_check.hpp); each refusal an InputError.
void read_symmetry(const TaskContext& ctx, ScanSetup& s) {
    const std::string& where = ctx.cfg.symmetry_where;
    if (s.refine.threshold > 0.0)
        ctx.task.fail("refine", "adaptive refinement and [mesh] symmetry do not combine yet; leave out one of them");
    if (is_wannier(ctx.cfg.params) && !wannier_of(ctx.cfg.params).r.empty())
        throw InputError(fmt::format("{}: the position-matrix terms of the Berry curvature (position_matrix = true) have "
                                     "no symmetry reduction yet; leave out one of them",
                                     where));
    s.group = generate_group(ctx.cfg.symmetry);
    check_symmetric_mesh(s.mesh, ctx.cfg.model->bravais, s.group, where);
    s.defect = check_model_symmetry(ctx.cfg.params, ctx.cfg.symmetry, s.mesh.basis, ctx.cfg.model->dim,
                                    energy_unit(*ctx.cfg.model), where);
    if (ctx.backend == Backend::cuda)
        std::fprintf(stderr, "bzint: a symmetry-reduced Fermi scan runs on the CPU backend\n");
}

// The keys of a Fermi-scan task, and the memory its histograms will take.
ScanSetup read_scan(const TaskContext& ctx, ScanKind kind, bool needs_surface, int min_dim) {
    require_dim(ctx, min_dim, 3);
    ctx.task.only();
    ScanSetup s;
    s.mesh = require_mesh(ctx);
    s.T = read_temperature(ctx);
    s.mu = read_levels(ctx.task, "mu", kMaxLevels);
    if (needs_surface && s.T == 0.0)
        ctx.task.fail("T", fmt::format("task '{}' samples −∂f/∂ε on the Fermi surface, a delta function at T = 0 that a "
                                       "mesh cannot resolve; set T > 0 (a small broadening, e.g. a few mesh spacings "
                                       "times the band velocity)",
                                       ctx.cfg.task));
    s.refine = read_refine(ctx);
    s.tol = read_tolerance(ctx);
    require_sub_mesh(ctx, s.tol, s.mesh);
    require_scan_memory(ctx, kind, s.mu, s.T);
    if (!ctx.cfg.symmetry.empty()) read_symmetry(ctx, s);
    return s;
}

ScanRun run_scan(TaskContext& ctx, ScanKind kind, const ScanSetup& setup) {
    ScanRun r;
    r.mesh = setup.mesh;
    r.weight = mesh_weight(r.mesh);
    r.T = setup.T;
    r.refine = setup.refine;
    std::unique_ptr<const IrreducibleMesh> stars;
    if (!setup.group.empty()) {
        stars = std::make_unique<const IrreducibleMesh>(
            irreducible_mesh(r.mesh, ctx.cfg.model->bravais, setup.group, ctx.cfg.symmetry_where));
        for (const PointOp& g : ctx.cfg.symmetry) r.generators.push_back(g.name);
        r.group_order = setup.group.size();
        r.defect = setup.defect;
        r.irreducible_points = stars->points;
    }
    Progress progress(ctx.cfg.task, r.mesh.count());
    r.scan = fermi_scan(ctx.backend, ctx.cfg.params, r.mesh, kind, setup.mu, r.T, &progress, {}, r.refine, stars.get());
    progress.finish();
    return r;
}

void describe_grid(TaskResult& out, const ScanRun& r) {
    out.results["T"] = r.T;
    if (r.T > 0.0) out.results["energy_grid"] = {{"bins", r.scan.fine_bins}, {"width", r.scan.bin_width}};
    if (r.refine.threshold > 0.0) {
        out.results["refinement"] = {{"threshold", r.refine.threshold}, {"m", r.refine.m},
                                     {"refined_points", r.scan.refined_points}};
    }
    if (r.group_order > 0) {
        // The model's defect bounds how far the reduced result may be from the full mesh's (docs/symmetry.md).
        out.results["symmetry"] = {
            {"generators", r.generators},
            {"group_order", r.group_order},
            {"irreducible_points", r.irreducible_points},
            {"model_defect",
             {{"energy_relative", r.defect.energy_rel},
              {"curvature_relative", r.defect.curvature_rel},
              {"orbital_moment_relative", r.defect.moment_rel}}}};
    }
    out.kpoints = r.mesh.count();
}

// A scan task: format(run, sums) makes the results, with their error estimate (task_common.hpp
// with_scan_errors); with a tolerance, on denser meshes until it is met (convergence.hpp).
template <class Format>
TaskResult scan_task(TaskContext& ctx, ScanKind kind, const ScanSetup& setup, Format format) {
    return converge(ctx, setup.tol, setup.mesh, [&](const Mesh& mesh) {
        ScanSetup pass = setup;
        pass.mesh = mesh;
        const ScanRun r = run_scan(ctx, kind, pass);
        TaskResult out = with_scan_errors({r.scan}, [&](const std::vector<ScanResult>& s) { return format(r, s[0]); });
        if (r.group_order > 0)  // describe_grid's record
            out.units["symmetry"] = "none: counts (group_order, irreducible_points) and relative deviations (model_defect)";
        const FermiSurfaceCheck fermi_surface(ctx, mesh, r.scan.mu, r.T);
        if (r.scan.channels.n_surface > 0) out.warnings = fermi_surface.smearing_warning("the Fermi-surface term");
        if (setup.tol.active()) out.fermi_step = fermi_surface.step();
        return out;
    });
}

}  // namespace

// σ_ab = −(e²/ħ) Σ_n ∫ d^dk/(2π)^d f_n Ω_n^c (SU(N) paper Eq. 35), reported in e²/h:
// σ[e²/h] = −2π Σ_k w f Ω^c.
void check_ahc(TaskContext& ctx) { read_scan(ctx, ScanKind::ahc, false, 2); }

TaskResult task_ahc(TaskContext& ctx) {
    return scan_task(ctx, ScanKind::ahc, read_scan(ctx, ScanKind::ahc, false, 2), [&](const ScanRun& r, const ScanResult& s) {
        TaskResult out;
        describe_grid(out, r);
        const int L = static_cast<int>(s.mu.size()), nc = s.channels.n_sea, B = s.bands;
        const double scale = -kTwoPi * r.weight * conductivity_factor(*ctx.cfg.model);
        json total = json::array(), band = json::array();
        CsvTable csv{"sigma", "", {"mu"}, {}};
        const std::vector<std::string> comps = nc == 1 ? std::vector<std::string>{"sigma_xy"}
                                                       : std::vector<std::string>{"sigma_yz", "sigma_zx", "sigma_xy"};
        csv.columns.insert(csv.columns.end(), comps.begin(), comps.end());
        for (int n = 0; n < B; ++n)
            for (const auto& c : comps) csv.columns.push_back(fmt::format("{}_band{}", c, n));
        for (int j = 0; j < L; ++j) {
            std::vector<double> row{s.mu[j]};
            std::vector<double> tot(nc, 0.0);
            json per_band = json::array();
            for (int n = 0; n < B; ++n) {
                std::vector<double> v(nc);
                for (int c = 0; c < nc; ++c) {
                    v[c] = scale * s.sea_at(j, n, c);
                    tot[c] += v[c];
                }
                per_band.push_back(nc == 1 ? json(v[0]) : json(v));
            }
            total.push_back(nc == 1 ? json(tot[0]) : json(tot));
            band.push_back(per_band);
            row.insert(row.end(), tot.begin(), tot.end());
            for (int n = 0; n < B; ++n)
                for (int c = 0; c < nc; ++c) row.push_back(scale * s.sea_at(j, n, c));
            csv.rows.push_back(row);
        }
        out.results["mu"] = s.mu;
        out.results[nc == 1 ? "sigma_xy" : "sigma"] = total;
        out.principal = {nc == 1 ? "sigma_xy" : "sigma"};
        out.results["sigma_band"] = band;
        const std::string unit = conductivity_unit(*ctx.cfg.model, nc == 1 ? 2 : 3);
        out.units = {{"mu", energy_unit(*ctx.cfg.model)}, {nc == 1 ? "sigma_xy" : "sigma", unit}, {"sigma_band", unit}};
        csv.comment = fmt::format("anomalous Hall conductivity; mu in {}, sigma in {}{}", energy_unit(*ctx.cfg.model), unit,
                                  nc == 3 ? "; components [yz, zx, xy]" : "");
        out.tables.push_back(csv);
        return out;
    });
}

// α_n(μ) = −∫ d³k/(2π)³ f_n v_n·Ω_n (SU(N) paper Eq. 36, ħ = e = 1), and the gyrotropic
// K_ij = Σ_n ∫ d³k/(2π)³ (−∂f/∂ε) ∂_i ε_n m_n^j (Wannier90's gyrotropic K). K needs T > 0;
// at T = 0 only α is computed.
void check_cme(TaskContext& ctx) { read_scan(ctx, ScanKind::cme, false, 3); }

TaskResult task_cme(TaskContext& ctx) {
    return scan_task(ctx, ScanKind::cme, read_scan(ctx, ScanKind::cme, false, 3), [&](const ScanRun& r, const ScanResult& s) {
        const double T = r.T;
        TaskResult out;
        describe_grid(out, r);
        const int L = static_cast<int>(s.mu.size()), B = s.bands;
        json total = json::array(), band = json::array(), K = json::array();
        CsvTable csv{"cme", "", {"mu", "cme_total"}, {}};
        for (int n = 0; n < B; ++n) csv.columns.push_back(fmt::format("cme_band{}", n));
        if (T > 0)
            for (int i = 0; i < 3; ++i)
                for (int j = 0; j < 3; ++j) csv.columns.push_back(fmt::format("K_{}{}", "xyz"[i], "xyz"[j]));
        for (int j = 0; j < L; ++j) {
            std::vector<double> alpha(B);
            double sum = 0.0;
            for (int n = 0; n < B; ++n) sum += alpha[n] = -r.weight * s.sea_at(j, n, 0);
            total.push_back(sum);
            band.push_back(alpha);
            std::vector<double> row{s.mu[j], sum};
            row.insert(row.end(), alpha.begin(), alpha.end());
            if (T > 0) {
                json k3 = json::array();
                for (int a = 0; a < 3; ++a) {
                    std::vector<double> rowa(3);
                    for (int b = 0; b < 3; ++b) {
                        rowa[b] = 0.0;
                        for (int n = 0; n < B; ++n) rowa[b] += r.weight * s.surface_at(j, n, 3 * a + b);
                        row.push_back(rowa[b]);
                    }
                    k3.push_back(rowa);
                }
                K.push_back(k3);
            }
            csv.rows.push_back(row);
        }
        out.results["mu"] = s.mu;
        out.results["cme_total"] = total;
        out.principal = {"cme_total", "gyrotropic_K"};
        out.results["cme_band"] = band;
        const std::string e = energy_unit(*ctx.cfg.model);
        out.units = {{"mu", e}, {"cme_total", "e^2/hbar^2 x energy (hbar = e = 1; j = alpha B)"}, {"cme_band", "as cme_total"}};
        if (T > 0) {
            out.results["gyrotropic_K"] = K;
            out.units["gyrotropic_K"] = "e/hbar x energy (hbar = e = 1); K_ij = sum_n int d^3k/(2pi)^3 (-df/de) v_i m_j";
        } else {
            out.results["note"] = "gyrotropic_K is a Fermi-surface quantity: set T > 0 to compute it";
        }
        csv.comment = fmt::format("static CME coefficient alpha in e^2/hbar^2 x energy (hbar = e = 1); mu in {}", e);
        out.tables.push_back(csv);
        return out;
    });
}

// Φ_n(μ)/2π = (1/2π) ∫ d³k (−∂f/∂ε) v_n·Ω_n: the Berry flux out of band n's Fermi surface
// (the coefficient of the SU(N) paper's Eq. 33); = (2π)² Σ_k w (−∂f/∂ε) v·Ω.
void check_anomaly(TaskContext& ctx) { read_scan(ctx, ScanKind::anomaly, true, 3); }

TaskResult task_anomaly(TaskContext& ctx) {
    return scan_task(ctx, ScanKind::anomaly, read_scan(ctx, ScanKind::anomaly, true, 3), [&](const ScanRun& r, const ScanResult& s) {
        TaskResult out;
        describe_grid(out, r);
        const double scale = kTwoPi * kTwoPi * r.weight;
        json flux = json::array(), total = json::array();
        const int B = s.bands;
        CsvTable csv{"anomaly", "Fermi-surface Berry flux / 2pi (chiral charge), dimensionless", {"mu", "flux_total"}, {}};
        for (int n = 0; n < B; ++n) csv.columns.push_back(fmt::format("flux_band{}", n));
        for (std::size_t j = 0; j < s.mu.size(); ++j) {
            std::vector<double> f(B);
            double sum = 0.0;
            for (int n = 0; n < B; ++n) sum += f[n] = scale * s.surface_at(static_cast<int>(j), n, 0);
            flux.push_back(f);
            total.push_back(sum);
            std::vector<double> row{s.mu[j], sum};
            row.insert(row.end(), f.begin(), f.end());
            csv.rows.push_back(row);
        }
        out.results["mu"] = s.mu;
        out.results["anomaly_flux"] = flux;
        out.principal = {"anomaly_flux"};  // per band: the total is a cancellation of ±1 per node
        out.results["anomaly_flux_total"] = total;
        out.units = {{"mu", energy_unit(*ctx.cfg.model)}, {"anomaly_flux", "dimensionless (flux / 2pi)"},
                     {"anomaly_flux_total", "dimensionless (flux / 2pi)"}};
        out.tables.push_back(csv);
        return out;
    });
}

// D_ab = Σ_n ∫ d^dk/(2π)^d f_n ∂_a Ω_n^b = Σ_n ∫ (−∂f/∂ε) v_n^a Ω_n^b (Sodemann–Fu; the
// Fermi-surface form, by parts). 2D: (D_xz, D_yz); 3D: the 3×3 tensor.
void check_dipole(TaskContext& ctx) { read_scan(ctx, ScanKind::dipole, true, 2); }

TaskResult task_dipole(TaskContext& ctx) {
    return scan_task(ctx, ScanKind::dipole, read_scan(ctx, ScanKind::dipole, true, 2), [&](const ScanRun& r, const ScanResult& s) {
        TaskResult out;
        describe_grid(out, r);
        const int ns = s.channels.n_surface;
        json total = json::array(), band = json::array();
        CsvTable csv{"dipole", "", {"mu"}, {}};
        const char* names2[] = {"D_x", "D_y"};
        for (int c = 0; c < ns; ++c) csv.columns.push_back(ns == 2 ? names2[c] : fmt::format("D_{}{}", "xyz"[c / 3], "xyz"[c % 3]));
        const int B = s.bands;
        for (int n = 0; n < B; ++n)
            for (int c = 0; c < ns; ++c) csv.columns.push_back(fmt::format("{}_band{}", csv.columns[1 + c], n));
        auto shape = [&](const std::vector<double>& v) {
            if (ns == 2) return json(v);
            json m = json::array();
            for (int a = 0; a < 3; ++a) m.push_back({v[3 * a], v[3 * a + 1], v[3 * a + 2]});
            return m;
        };
        for (std::size_t j = 0; j < s.mu.size(); ++j) {
            std::vector<double> tot(ns, 0.0), row{s.mu[j]};
            json per_band = json::array();
            std::vector<double> bands_flat;
            for (int n = 0; n < B; ++n) {
                std::vector<double> v(ns);
                for (int c = 0; c < ns; ++c) {
                    v[c] = r.weight * s.surface_at(j, n, c);
                    tot[c] += v[c];
                }
                bands_flat.insert(bands_flat.end(), v.begin(), v.end());
                per_band.push_back(shape(v));
            }
            total.push_back(shape(tot));
            band.push_back(per_band);
            row.insert(row.end(), tot.begin(), tot.end());
            row.insert(row.end(), bands_flat.begin(), bands_flat.end());
            csv.rows.push_back(row);
        }
        out.results["mu"] = s.mu;
        out.results["dipole"] = total;
        out.principal = {"dipole"};
        out.results["dipole_band"] = band;
        const std::string unit = ns == 2 ? length_unit(*ctx.cfg.model) : "dimensionless";
        out.units = {{"mu", energy_unit(*ctx.cfg.model)}, {"dipole", unit}, {"dipole_band", unit}};
        csv.comment = fmt::format("Berry-curvature dipole; mu in {}, D in {}", energy_unit(*ctx.cfg.model), unit);
        out.tables.push_back(csv);
        return out;
    });
}

}  // namespace bzint
