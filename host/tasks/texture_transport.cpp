// Relaxation-time transport through a static texture in a uniform field E at positions r: the
// non-adiabatic paper's hybridised-band current (Eq. 60 with δg of Eq. 64) beside the single-band
// current (Eq. 47 with δf of Eq. 65), each split into its equilibrium and relaxation parts
// (include/bzint/texture_transport.hpp, docs/textures.md), with error estimates from the mesh's
// coarse sub-mesh; one band's part, or every band's beside the sum.
#include <fmt/core.h>

#include <algorithm>
#include <cmath>

#include "../engine.hpp"
#include "../error_estimate.hpp"
#include "../input_error.hpp"
#include "../texture_input.hpp"
#include "../workers.hpp"
#include "bzint/texture_transport.hpp"
#include "task_common.hpp"

namespace bzint {

namespace {

constexpr long long kMaxPositions = 10000;
constexpr int kPerLevel = kTransportValuesPerLevel;
constexpr long long kMaxTransportLevels = (kMaxKeyedValues - 2) / kPerLevel;

struct TransportSetup {
    TextureSetup texture;
    Mesh mesh{};
    std::vector<double> r;  // three per position
    std::vector<double> mu;
    double T = 0.0, tau = 0.0;
    std::array<double, 3> E{0.0, 0.0, 0.0};
    int band = -1;  // ≥ 0: that band's part alone (TextureTransportFn::band)
    int bands = 2;
    bool by_band = false;  // band_resolved: every band's part beside the sum, a pass over the mesh each
};

TransportSetup read_texture_transport(const TaskContext& ctx) {
    TransportSetup s;
    const ModelInfo& info = *ctx.cfg.model;
    const Section& task = ctx.task;
    // Σ_s ∫ f_s v_b vanishes only over a closed zone (a total derivative); over a continuum
    // model's k-box it is a boundary term, which would pass for a current.
    if (!info.lattice)
        task.fail("kind", fmt::format("task 'texture_transport' needs a lattice model (a closed Brillouin zone, over which the "
                                      "band velocity's equilibrium current vanishes); '{}' is a continuum model",
                                      info.name));
    s.texture = read_texture(ctx);
    s.mesh = require_mesh(ctx);
    require_periodic_lattice(ctx, s.texture);
    task.only();
    // Eqs. 57–70 are for a static texture in a uniform field applied as a force (−eE in ħk̇): the
    // field is [task] E, and [texture]'s time-dependent terms have no place in them.
    const Section texture = task_section(ctx, "texture");
    const TextureTerms& x = s.texture;
    for (int a = 0; a < 3; ++a) {
        if (x.field[a] != 0.0)
            texture.fail("B", "texture_transport takes a static texture without B (the Lorentz force is not in Eqs. 57–70)");
        if (x.electric[a] != 0.0)
            texture.fail("E", "texture_transport takes its field as [task] E (a force in the steady state, Eq. 57c), not as "
                              "[texture] E (a vector potential −E t)");
    }
    if (x.mass_rate != 0.0) texture.fail("mass_rate", "texture_transport takes a static texture (no mass ramp)");
    if (is_sliding(x))
        texture.fail("velocity", "texture_transport takes a static texture (its steady state, Eqs. 57–68, is that of a "
                                 "texture at rest)");
    if (x.modulation.amplitude != 0.0)
        texture.fail("B_modulation", "texture_transport takes no magnetic field (the Lorentz force is not in Eqs. 57–70)");
    s.r = read_positions(task, kMaxPositions);
    s.mu = read_levels(task, "mu", kMaxTransportLevels);
    s.T = read_temperature(ctx);
    s.tau = task.number("tau");
    // The relaxation terms −τ f′ live on the Fermi surface, and Σ∫ f v_b vanishes on a mesh only as
    // the sum of a smooth periodic derivative: both need a smeared step.
    if (s.T == 0.0)
        task.fail("T", "the currents need T > 0: the relaxation terms −τ f′ live on the Fermi surface, and the band "
                       "velocity's equilibrium current cancels on a mesh only when the occupation step is smeared");
    s.E = read_in_plane_vector(ctx, "E");
    // Each band is its own manifold in Eqs. 57–68, so the sum over bands splits into their parts.
    if (const toml::node* n = task.node("band")) {
        const auto index = n->value_exact<int64_t>();
        if (!index || *index < 0 || *index >= info.bands)
            task.fail("band", fmt::format("must be a band index 0 … {} of '{}' (0 the lowest in energy)", info.bands - 1, info.name));
        s.band = static_cast<int>(*index);
    }
    s.bands = info.bands;
    s.by_band = task.boolean("band_resolved", false);
    if (s.by_band && s.band >= 0)
        task.fail("band_resolved", "band_resolved gives every band's part beside the sum, band one band's alone: ask for one of "
                                   "them");
    const long long positions = static_cast<long long>(s.r.size() / 3);
    if (s.mesh.count() > (1LL << 62) / positions)
        task.fail("r", fmt::format("{} positions × {} mesh points is more than 2^62 points", positions, s.mesh.count()));
    // Per worker two histograms of 2 keys per position × (12 values per level + 2) (block_reducer.hpp).
    const double row = 2.0 * static_cast<double>(positions) * (kPerLevel * static_cast<double>(s.mu.size()) + 2) * sizeof(Neumaier);
    require_memory(task, "r", row * 2.0 * (2 * workers::count() + 1), fmt::format("{} positions' histograms", positions));
    return s;
}

// The four currents [position][level][3] from the reduction's sums (TextureDensityFn's halves):
// part p of TextureTransportFn's values, plus part `plus` where plus ≥ 0.
nlohmann::json part_currents(const std::vector<Neumaier>& h, const TransportSetup& s, bool coarse, int p, int plus) {
    const std::size_t L = s.mu.size(), nv = kPerLevel * L + 2, positions = s.r.size() / 3;
    const double w = mesh_weight(s.mesh) * (coarse ? s.mesh.coarse_factor() : 1);
    auto sum = [&](std::size_t at, std::size_t v) {
        const double odd = h[(2 * at + 1) * nv + v].value();
        return coarse ? odd : h[2 * at * nv + v].value() + odd;
    };
    nlohmann::json j = nlohmann::json::array();
    for (std::size_t a = 0; a < positions; ++a) {
        nlohmann::json per_level = nlohmann::json::array();
        for (std::size_t l = 0; l < L; ++l) {
            std::vector<double> c(3);
            for (std::size_t x = 0; x < 3; ++x) {
                c[x] = w * sum(a, kPerLevel * l + 3 * p + x);
                if (plus >= 0) c[x] += w * sum(a, kPerLevel * l + 3 * plus + x);
            }
            per_level.push_back(c);
        }
        j.push_back(per_level);
    }
    return j;
}

// The four currents' names and their parts of TextureTransportFn's value layout (parts 0, 1
// hybridised equilibrium and relaxation, 2, 3 single-band): part, plus part `plus` where ≥ 0.
struct CurrentPart {
    const char* name;
    int part, plus;
};
constexpr CurrentPart kCurrents[] = {{"current_hybridised", 0, 1},
                                     {"relaxation_hybridised", 1, -1},
                                     {"current_single_band", 2, 3},
                                     {"relaxation_single_band", 3, -1}};

// The results: each theory's current and its relaxation part from the sums h, and with
// band_resolved each band's, <name>_bands [position][level][band][3], from its pass's sums.
TaskResult transport_result(const std::vector<Neumaier>& h, const std::vector<std::vector<Neumaier>>& parts,
                            const TransportSetup& s, bool coarse) {
    TaskResult out;
    for (const CurrentPart& c : kCurrents) {
        out.results[c.name] = part_currents(h, s, coarse, c.part, c.plus);
        if (parts.empty()) continue;
        std::vector<nlohmann::json> band;
        for (const auto& hb : parts) band.push_back(part_currents(hb, s, coarse, c.part, c.plus));
        out.results[std::string(c.name) + "_bands"] = bands_innermost(band, s.r.size() / 3);
    }
    return out;
}

CsvTable transport_table(const TaskResult& r, const TransportSetup& s, const std::string& units) {
    CsvTable csv{"texture_transport", units,
                 {"x", "y", "z", "mu", "jx_hybridised", "jy_hybridised", "jz_hybridised", "jx_single_band", "jy_single_band",
                  "jz_single_band"},
                 {}};
    csv.keys = 4;  // x, y, z, mu
    if (s.by_band)
        for (int b = 0; b < s.bands; ++b)
            for (const char* theory : {"hybridised", "single_band"})
                for (const char* axis : {"x", "y", "z"}) csv.columns.push_back(fmt::format("j{}_{}_band{}", axis, theory, b));
    for (std::size_t a = 0; a < s.r.size() / 3; ++a)
        for (std::size_t l = 0; l < s.mu.size(); ++l) {
            const auto& g = r.results["current_hybridised"][a][l];
            const auto& f = r.results["current_single_band"][a][l];
            std::vector<double> row{s.r[3 * a], s.r[3 * a + 1], s.r[3 * a + 2], s.mu[l], g[0].get<double>(), g[1].get<double>(),
                                    g[2].get<double>(), f[0].get<double>(), f[1].get<double>(), f[2].get<double>()};
            if (s.by_band)
                for (int b = 0; b < s.bands; ++b)
                    for (const char* key : {"current_hybridised_bands", "current_single_band_bands"})
                        for (const auto& x : r.results[key][a][l][static_cast<std::size_t>(b)]) row.push_back(x.get<double>());
            csv.rows.push_back(row);
        }
    return csv;
}

}  // namespace

void check_texture_transport(TaskContext& ctx) { read_texture_transport(ctx); }

TaskResult task_texture_transport(TaskContext& ctx) {
    const TransportSetup s = read_texture_transport(ctx);
    const long long positions = static_cast<long long>(s.r.size() / 3), n = positions * s.mesh.count();
    // One pass over the mesh, or with band_resolved one per band (each band its own manifold:
    // TextureTransportFn::band), whose sums add up to the whole's.
    const int passes = s.by_band ? s.bands : 1;
    Progress progress("texture_transport", n * passes);
    std::vector<Neumaier> h;
    std::vector<std::vector<Neumaier>> parts(s.by_band ? static_cast<std::size_t>(s.bands) : 0);
    long long bad = -1;
    if (!s.by_band)
        bad = texture_transport_reduce(ctx.backend, ctx.cfg.params, s.texture, s.mesh, s.r, s.mu, s.T, s.tau, s.E, s.band, h,
                                       &progress);
    for (int b = 0; b < static_cast<int>(parts.size()) && bad < 0; ++b) {
        bad = texture_transport_reduce(ctx.backend, ctx.cfg.params, s.texture, s.mesh, s.r, s.mu, s.T, s.tau, s.E, b, parts[b],
                                       &progress);
        h.resize(parts[b].size());
        for (std::size_t i = 0; i < h.size(); ++i) h[i].add(parts[b][i]);
    }
    progress.finish();
    if (bad >= 0) {
        const long long at = bad / s.mesh.count();
        double k[3];
        s.mesh.k_of(bad % s.mesh.count(), k);
        const double* x = s.r.data() + 3 * at;
        throw NonFiniteError(fmt::format("the transport integrand is not finite at position {} (r = ({:g}, {:g}, {:g})) and "
                                         "k = ({:g}, {:g}, {:g}): {}",
                                         at, x[0], x[1], x[2], k[0], k[1], k[2],
                                         ctx.cfg.model->bands == 2 ? "the bands touch there (|d| = 0)"
                                                                   : "the eigensolver did not converge there"));
    }
    std::vector<std::string> warnings;
    // The first position where a flag was raised (TextureTransportFn's last two values), with the
    // share of the k-mesh it was raised on (%, the largest of the passes' there: with band_resolved
    // each pass flags its own band); −1 where none.
    const std::size_t nv = kPerLevel * s.mu.size() + 2;
    std::vector<const std::vector<Neumaier>*> pass_sums{&h};
    if (s.by_band) {
        pass_sums.clear();
        for (const auto& p : parts) pass_sums.push_back(&p);
    }
    auto first_flagged = [&](std::size_t flag, double& share) {
        for (long long a = 0; a < positions; ++a) {
            share = 0.0;
            for (const std::vector<Neumaier>* hp : pass_sums) {
                const double count = (*hp)[2 * a * nv + flag].value() + (*hp)[(2 * a + 1) * nv + flag].value();
                share = std::max(share, 100.0 * count / static_cast<double>(s.mesh.count()));
            }
            if (share > 0.0) return a;
        }
        return -1LL;
    };
    double share = 0.0;
    if (const long long a = first_flagged(nv - 2, share); a >= 0)
        warnings.push_back(fmt::format(
            "at position {} (r = ({:g}, {:g}, {:g})) the scalar curvature |F| (N bands: 2|1 - D_n| of some band) is at least "
            "{:g} on {:.3g} % of the k-mesh: Eq. 68's velocities are first order in the texture's gradients, and the terms "
            "they drop are no longer small there; the texture varies too fast for the gap (make it smoother or the gap larger)",
            a, s.r[3 * a], s.r[3 * a + 1], s.r[3 * a + 2], kFirstOrderLimit, share));
    // Each band is its own manifold in these equations: where two bands are degenerate (a Kramers
    // pair), a band's Ω, v_b and F_b are not defined, only their group's, and the per-band products
    // of Eqs. 64 and 68 depend on the eigensolver's basis.
    if (const long long a = first_flagged(nv - 1, share); a >= 0)
        warnings.push_back(fmt::format(
            "at position {} (r = ({:g}, {:g}, {:g})) two bands are degenerate on {:.3g} % of the k-mesh: Eqs. 57-68 take each "
            "band as its own manifold, so there the currents' products of one band's Berry curvature and velocity are not "
            "defined (a degenerate pair needs its non-Abelian manifold); lift the degeneracy (an exchange field) or read "
            "those points' share with care",
            a, s.r[3 * a], s.r[3 * a + 1], s.r[3 * a + 2], share));
    // Judged on the untextured model's bands: J m(r) and U(r) shift them, but the smearing's
    // resolution depends on the velocity at the Fermi level, which they change little.
    const FermiSurfaceCheck fermi_surface(ctx, s.mesh, s.mu, s.T);
    for (const std::string& w : fermi_surface.smearing_warning("the Fermi-surface terms (−τ f′, and f's step)")) warnings.push_back(w);
    const ModelInfo& info = *ctx.cfg.model;
    const std::string lu = length_unit(info), eu = energy_unit(info);
    const int dim = info.dim;
    const std::string current_unit =
        dim == 1 ? fmt::format("particles per ħ/{}", eu) : fmt::format("particles per (ħ/{}) per {}^{}", eu, lu, dim - 1);
    const std::string shape = fmt::format("[position][mu][x, y, z]; particles (the electric current is −e times it){}",
                                          s.band >= 0 ? fmt::format("; band {}'s part alone (Σ_s over s = {} only)", s.band, s.band) : "");
    TaskResult out = transport_result(h, parts, s, false);
    out.warnings = warnings;
    auto echo = [&](TaskResult& r) {
        r.results["mu"] = s.mu;
        r.results["r"] = nlohmann::json::array();
        for (std::size_t a = 0; a < s.r.size() / 3; ++a) r.results["r"].push_back({s.r[3 * a], s.r[3 * a + 1], s.r[3 * a + 2]});
        r.results["E"] = std::vector<double>(s.E.begin(), s.E.begin() + dim);
        r.results["tau"] = s.tau;
        if (s.band >= 0) r.results["band"] = s.band;
    };
    echo(out);
    out.units = {{"mu", eu},
                 {"r", lu},
                 {"E", fmt::format("{}/{} (the force on an electron is −E)", eu, lu)},
                 {"tau", fmt::format("ħ/{}", eu)},
                 {"current_hybridised", fmt::format("{}, {}: Eq. 60, Σ_s ∫ (f_s + δg_s) ṽ_s with δg_s of Eq. 64", current_unit, shape)},
                 {"relaxation_hybridised", fmt::format("{}, {}: Σ_s ∫ δg_s ṽ_s, the part ∝ τ", current_unit, shape)},
                 {"current_single_band", fmt::format("{}, {}: Eq. 47, Σ_s ∫ (f_s + δf_s) ẋ_s with δf_s of Eq. 65", current_unit, shape)},
                 {"relaxation_single_band", fmt::format("{}, {}: Σ_s ∫ δf_s ẋ_s, the part ∝ τ", current_unit, shape)}};
    if (s.band >= 0) out.units["band"] = "the band whose part the currents are, counted from the lowest in energy";
    if (s.by_band)
        for (const CurrentPart& c : kCurrents)
            out.units[std::string(c.name) + "_bands"] =
                fmt::format("{}, [position][mu][band][x, y, z]: each band's part of {}, band n in order of energy at each k (its "
                            "own manifold); the parts sum to it",
                            current_unit, c.name);
    out.principal = {"current_hybridised", "current_single_band"};
    out.kpoints = n * passes;
    const std::string units = fmt::format("r in {}; mu in {}; currents in {}{}", lu, eu, current_unit,
                                          s.band >= 0 ? fmt::format("; band {}'s part alone", s.band) : "");
    out.tables.push_back(transport_table(out, s, units));
    out.remedy = "the currents are not resolved by the k-mesh: raise [mesh] n (docs/accuracy.md)";
    if (s.mesh.coarse_factor() > 0) {
        TaskResult coarse = transport_result(h, parts, s, true);
        echo(coarse);
        coarse.tables.push_back(transport_table(coarse, s, units));
        attach_errors(out, &coarse);
    } else {
        attach_errors(out, nullptr);
    }
    return out;
}

}  // namespace bzint
