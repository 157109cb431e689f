// Task streda: the equilibrium electron density in a weak uniform B and its B-derivative
// at fixed μ (SU(N) paper Eqs. 12 and 17; Středa, J. Phys. C 15, L717):
//   n(μ, B)   = Σ_n ∫ d^dk/(2π)^d (1 + B·Ω_n) f(ε_n − m_n·B)        (charge −e, ħ = e = 1)
//   ∂n/∂B_c   = Σ_n ∫ d^dk/(2π)^d [Ω_n^c f(ε_n) + m_n^c (−∂f/∂ε)]
// and σ_Středa = −e ∂n/∂B_z (the charge density is −e n). Per band, two readings: the
// wave-packet one (each band keeps its own (1 + B·Ω_n) f_n) and the band-projected density
// of the kinetic theory (Eq. 16 / Eq. 25: the weight B·Ω_n is shared with the other band),
// whose per-band derivative is half the total Fermi-sea term plus the band's own
// Fermi-surface term (the kinetic-equation paper's Eq. 44). docs/semiclassical.md.
#include <fmt/core.h>

#include "../convergence.hpp"
#include "../engine.hpp"
#include "task_common.hpp"

namespace bzint {

namespace {

using nlohmann::json;

ScanFields magnetic(const std::array<double, 3>& B) { return ScanFields{{B[0], B[1], B[2]}, {0, 0, 0}, {0, 0, 0}, {}}; }

struct StredaSetup {
    Mesh mesh;
    Tolerance tol;
    double T;
    std::vector<double> mu;
    std::vector<std::array<double, 3>> fields;
};

StredaSetup read_streda(const TaskContext& ctx) {
    require_dim(ctx, 2, 3);
    ctx.task.only();
    StredaSetup s;
    s.mesh = require_mesh(ctx);
    s.tol = read_tolerance(ctx);
    require_sub_mesh(ctx, s.tol, s.mesh);
    s.T = read_temperature(ctx);
    if (s.T == 0.0)
        ctx.task.fail("T", "task 'streda' needs T > 0: ∂n/∂B has the Fermi-surface term Σ_n ∫ m_n (−∂f/∂ε), a delta "
                           "function at T = 0 that a mesh cannot resolve (with μ in a gap a small T, e.g. 1e-3 of the "
                           "gap, changes nothing)");
    s.mu = read_levels(ctx.task, "mu", kMaxLevels);
    require_scan_memory(ctx, ScanKind::streda, s.mu, s.T);
    s.fields = read_magnetic_fields(ctx, "B");
    if (static_cast<double>(s.fields.size() + 1) * static_cast<double>(s.mu.size()) > 1e6)
        ctx.task.fail("B", fmt::format("{} passes × {} levels: at most 10^6 (level, field) rows in the result",
                                       s.fields.size() + 1, s.mu.size()));
    return s;
}

}  // namespace

void check_streda(TaskContext& ctx) { read_streda(ctx); }

namespace {

// One pass on `mesh`, with its error estimate.
TaskResult streda_scans(TaskContext& ctx, const StredaSetup& setup, const Mesh& mesh) {
    const double w = mesh_weight(mesh);
    const double T = setup.T;
    const std::vector<double>& mu = setup.mu;
    const auto& fields = setup.fields;
    const int NB = model_bands(ctx.cfg.params);
    const double siemens = conductivity_factor(*ctx.cfg.model);
    const int dim = mesh.dim, nc = dim == 2 ? 1 : 3;
    const long long passes = 1 + static_cast<long long>(fields.size());

    std::vector<ScanResult> computed;  // [0]: B = 0 (the derivative), then one pass per B of the list
    for (long long p = 0; p < passes; ++p) {
        const std::array<double, 3> B = p == 0 ? std::array<double, 3>{0, 0, 0} : fields[p - 1];
        Progress progress(fmt::format("streda pass {}/{}", p + 1, passes), mesh.count());
        computed.push_back(fermi_scan(ctx.backend, ctx.cfg.params, mesh, ScanKind::streda, mu, T, &progress, magnetic(B)));
        progress.finish();
    }
    return with_scan_errors(computed, [&](const std::vector<ScanResult>& scans) {
    const ScanResult& s = scans[0];

    // ∂n/∂B in e/h: 2π × the e/ħ value; σ_Středa [e²/h] = −∂n/∂B [e/h].
    const double per_h = kTwoPi * w;
    const int L = static_cast<int>(mu.size());
    json density = json::array(), dn = json::array(), dn_sea = json::array(), dn_surf = json::array(),
         dn_band = json::array(), dn_proj = json::array(), sigma_streda = json::array(), sigma_ahc = json::array();
    auto shape = [&](const std::vector<double>& v) { return nc == 1 ? json(v[0]) : json(v); };
    const char* comp[3] = {"x", "y", "z"};
    auto names = [&](const std::string& base) {
        std::vector<std::string> c;
        if (nc == 1) return std::vector<std::string>{base};
        for (int i = 0; i < 3; ++i) c.push_back(base + "_B" + comp[i]);
        return c;
    };
    CsvTable csv{"streda", "", {"mu", "density"}, {}};
    std::vector<std::string> bases{"dn_dB", "dn_dB_sea", "dn_dB_surface", "sigma_streda", "sigma_ahc"};
    for (int n = 0; n < NB; ++n) bases.push_back(fmt::format("dn_dB_band{}", n));
    if (NB == 2)
        for (int n = 0; n < 2; ++n) bases.push_back(fmt::format("dn_dB_projected_band{}", n));
    for (const auto& base : bases)
        for (const auto& c : names(base)) csv.columns.push_back(c);
    for (int j = 0; j < L; ++j) {
        double n0 = 0.0;
        for (int n = 0; n < NB; ++n) n0 += w * s.sea_at(j, n, 0);
        std::vector<double> sea(nc), surf(nc), tot(nc);
        std::vector<std::vector<double>> band(NB, std::vector<double>(nc, 0.0)), proj(NB, std::vector<double>(nc, 0.0));
        for (int c = 0; c < nc; ++c) {
            for (int n = 0; n < NB; ++n) {
                const double sea_n = per_h * s.sea_at(j, n, 1 + c), surf_n = per_h * s.surface_at(j, n, c);
                sea[c] += sea_n;
                surf[c] += surf_n;
                band[n][c] = sea_n + surf_n;
                proj[n][c] = surf_n;
            }
            tot[c] = sea[c] + surf[c];
            // Band-projected (Eq. 16): for two bands Ω^n_m = Ω_n, so each band gets half the sea term.
            for (int n = 0; n < NB; ++n) proj[n][c] += 0.5 * sea[c];
        }
        std::vector<double> sig_s(nc), sig_a(nc);
        for (int c = 0; c < nc; ++c) {
            sig_s[c] = -tot[c] * siemens;
            sig_a[c] = -sea[c] * siemens;
        }
        density.push_back(n0);
        dn.push_back(shape(tot));
        dn_sea.push_back(shape(sea));
        dn_surf.push_back(shape(surf));
        json bj = json::array(), pj = json::array();
        for (int n = 0; n < NB; ++n) {
            bj.push_back(shape(band[n]));
            pj.push_back(shape(proj[n]));
        }
        dn_band.push_back(bj);
        dn_proj.push_back(NB == 2 ? pj : json(nullptr));
        sigma_streda.push_back(shape(sig_s));
        sigma_ahc.push_back(shape(sig_a));
        std::vector<double> row{mu[j], n0};
        for (const auto* v : {&tot, &sea, &surf, &sig_s, &sig_a}) row.insert(row.end(), v->begin(), v->end());
        for (int n = 0; n < NB; ++n) row.insert(row.end(), band[n].begin(), band[n].end());
        if (NB == 2)
            for (int n = 0; n < 2; ++n) row.insert(row.end(), proj[n].begin(), proj[n].end());
        csv.rows.push_back(row);
    }
    TaskResult out;
    out.kpoints = mesh.count() * passes;
    const std::string lu = length_unit(*ctx.cfg.model), eu = energy_unit(*ctx.cfg.model);
    const std::string dn_unit = dim == 2 ? "e/h" : fmt::format("e/(h {})", lu);
    const std::string sig_unit = conductivity_unit(*ctx.cfg.model, dim);
    out.results["mu"] = mu;
    out.results["T"] = T;
    out.results["energy_grid"] = {{"bins", s.fine_bins}, {"width", s.bin_width}};
    out.results["density"] = density;
    out.results["dn_dB"] = dn;
    out.results["dn_dB_sea"] = dn_sea;
    out.results["dn_dB_surface"] = dn_surf;
    out.results["dn_dB_band"] = dn_band;
    out.results["dn_dB_band_projected"] = dn_proj;
    out.results["sigma_streda"] = sigma_streda;
    out.results["sigma_ahc"] = sigma_ahc;
    // The physical quantities (the band-resolved and sea/surface parts keep their estimates).
    out.principal = {"density", "dn_dB", "sigma_streda", "sigma_ahc", "density_B"};
    out.units = {{"mu", eu},
                 {"density", fmt::format("electrons per {}^{} (all bands, at B = 0)", lu, dim)},
                 {"dn_dB", fmt::format("{} (dn/dB{} at fixed mu; 3D: [d/dBx, d/dBy, d/dBz])", dn_unit, nc == 1 ? "z" : "")},
                 {"dn_dB_sea", dn_unit + " (sum_n int f Omega_n)"},
                 {"dn_dB_surface", dn_unit + " (sum_n int m_n (-df/de))"},
                 {"dn_dB_band", dn_unit + " (wave-packet reading, per band)"},
                 {"dn_dB_band_projected", dn_unit + " (band-projected density, SU(N) paper Eq. 16, per band; two-band models, "
                                                    "null otherwise)"},
                 {"sigma_streda", sig_unit + " (-e dn/dB)"},
                 {"sigma_ahc", sig_unit + " (-e dn_dB_sea: the Berry-curvature AHC)"}};
    csv.comment = fmt::format("Streda response; mu in {}; density in 1/{}^{}; dn_dB in {}; sigma in {}", eu, lu, dim,
                              dn_unit, sig_unit);
    out.tables.push_back(csv);
    if (!fields.empty()) {
        json B = json::array(), nB = json::array();
        CsvTable tb{"streda_density", fmt::format("n(mu, B) in 1/{}^{}; mu in {}; B in hbar/(e {}^2)", lu, dim, eu, lu),
                    {"mu"}, {}};
        for (std::size_t i = 0; i < fields.size(); ++i) {
            const auto& b = fields[i];
            B.push_back(nc == 1 ? json(b[2]) : json(b));
            tb.columns.push_back(nc == 1 ? fmt::format("n_B{:g}", b[2]) : fmt::format("n_B{:g}_{:g}_{:g}", b[0], b[1], b[2]));
            json row = json::array();
            for (int j = 0; j < L; ++j) {
                const ScanResult& r = scans[i + 1];
                double n = 0.0;
                for (int band = 0; band < NB; ++band) {
                    n += r.sea_at(j, band, 0);
                    for (int c = 0; c < nc; ++c) n += (nc == 1 ? b[2] : b[c]) * r.sea_at(j, band, 1 + c);
                }
                row.push_back(w * n);
            }
            nB.push_back(row);
        }
        for (int j = 0; j < L; ++j) {
            std::vector<double> row{mu[j]};
            for (std::size_t i = 0; i < fields.size(); ++i) row.push_back(nB[i][j].get<double>());
            tb.rows.push_back(row);
        }
        out.results["B"] = B;
        out.results["density_B"] = nB;
        out.units["B"] = fmt::format("hbar/(e {}^2) (2D: B_z)", lu);
        out.units["density_B"] = fmt::format("electrons per {}^{}: [B index][mu index], n = sum_n int (1 + B.Omega_n) "
                                             "f(e_n - m_n.B)",
                                             lu, dim);
        out.tables.push_back(tb);
    }
    return out;
    });
}

// ... and whether the mesh resolves the Fermi-surface term Σ m (−∂f/∂ε).
TaskResult streda_pass(TaskContext& ctx, const StredaSetup& setup, const Mesh& mesh) {
    TaskResult out = streda_scans(ctx, setup, mesh);
    const FermiSurfaceCheck fermi_surface(ctx, mesh, setup.mu, setup.T);
    out.warnings = fermi_surface.smearing_warning("the Fermi-surface term of dn/dB");
    if (setup.tol.active()) out.fermi_step = fermi_surface.step();
    return out;
}

}  // namespace

// With a tolerance, on denser meshes until it is met (convergence.hpp).
TaskResult task_streda(TaskContext& ctx) {
    const StredaSetup setup = read_streda(ctx);
    return converge(ctx, setup.tol, setup.mesh, [&](const Mesh& mesh) { return streda_pass(ctx, setup, mesh); });
}

}  // namespace bzint
