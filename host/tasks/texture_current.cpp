// The equilibrium particle current of a textured two-band model at points (r, t), as a phase-space
// integral over the k-mesh (include/bzint/texture_current.hpp, the kinetic-equation paper's
// Eq. 30; docs/textures.md), with error estimates from the mesh's coarse sub-mesh. With a uniform
// electric field along a reciprocal vector and pump = true, the charge pumped per Bloch period T,
// j T (the Thouless pump). For a static 2D or 3D model also the magnetisation current −∇ × M (in 2D
// (−∂_y M, ∂_x M, 0)) of the local orbital magnetisation M (texture_magnetisation.hpp): the equilibrium
// current to first order, which Eq. 30 is not in general (docs/textures.md). An N-band model has
// that magnetisation current alone: Eq. 30 is the two-band form, and the paper derives no N-band one.
#include <fmt/core.h>

#include <cmath>

#include "../engine.hpp"
#include "../error_estimate.hpp"
#include "../input_error.hpp"
#include "../texture_input.hpp"
#include "../workers.hpp"
#include "bzint/texture_current.hpp"
#include "task_common.hpp"

namespace bzint {

namespace {

constexpr long long kMaxPoints = 10000;

struct CurrentSetup {
    const ModelInfo* model = nullptr;
    bool nband = false;  // an N-band model: the magnetisation current alone
    bool field_E = false;  // [texture] E ≠ 0
    bool varies = false;   // M varies in space: a texture that is not uniform, or a potential
    TextureSetup texture;
    Mesh mesh{};
    std::vector<double> r;       // three per position
    std::vector<double> times;
    std::vector<double> points;  // four per point (x, y, z, t): every position at every time
    std::vector<double> mu;
    double T = 0.0;
    PumpPeriod pump;  // with pump = true: the Bloch period
    bool pumped = false;
    bool by_band = false;        // band_resolved: each band's part beside the sum (of Eq. 30's current, two-band, and of M)
    double step = 0.0;           // of ∂_p 𝓕's difference
    // A static texture's equilibrium magnetisation current −∇ × M of the local orbital
    // magnetisation (texture_magnetisation.hpp: M_z in 2D, the vector in 3D), by fourth-order
    // differences of M with step r_step: M at each position's stencil (x ∓ 2h, x ∓ h, x + h, x + 2h,
    // then the same along y), once per position: a static H is the same at every time.
    bool magnetisation = false;
    std::string magnetisation_note;  // why a static run has none, or its smearing warning
    double r_step = 0.0;
    std::vector<double> stencil;  // four per stencil point, kStencil per position
    int components() const { return model->dim == 3 ? 3 : 1; }  // M_z, or M (TextureMagnetisationFn's)
    int parts() const { return by_band ? 1 + model->bands : 1; }  // M's sum, and with by_band each band's
};

// The stencil's axes, x and y: every texture, potential and modulation varies in the plane alone
// (texture.hpp), so M's z derivatives vanish, in 3D too.
constexpr int kStencilAxes = 2, kStencil = 4 * kStencilAxes;
constexpr double kStencilOffsets[4] = {-2.0, -1.0, 1.0, 2.0};

// The magnetisation current's refusal at T = 0 (an N-band model's) or note (a two-band one's).
constexpr const char* kMagnetisationAtZeroTemperature =
    "at T = 0 with a level in a band the magnetisation's orbital moments' term is a Fermi-surface step that the "
    "stencil's differences of M cannot resolve; set T > 0";

// TextureCurrentFn's values per key; [3 levels] is the flag of the gradient expansion's failure.
std::size_t values_per_key(const CurrentSetup& s) { return (s.by_band ? 9 : 3) * s.mu.size() + 1; }

CurrentSetup read_texture_current(const TaskContext& ctx) {
    CurrentSetup s;
    s.model = ctx.cfg.model;
    s.texture = read_texture(ctx);
    s.mesh = require_mesh(ctx);
    require_periodic_lattice(ctx, s.texture);
    const Section& task = ctx.task;
    task.only();
    s.r = read_positions(task, kMaxPoints);
    s.nband = s.model->bands != 2;
    s.by_band = task.boolean("band_resolved", false);
    // Values per key: TextureCurrentFn's (two-band) 3 per level and a flag, with band_resolved 6 more
    // per level; TextureMagnetisationFn's M's components per level, with band_resolved each band's too.
    const int per_level_m = s.components() * s.parts();
    const int levels_m = kMaxKeyedValues / per_level_m;
    // The two-band limit for every model (17, or 5 with band_resolved), lower where M's parts need it.
    s.mu = read_levels(task, "mu", std::min(levels_m, (kMaxKeyedValues - 1) / (s.by_band ? 9 : 3)));
    s.T = read_temperature(ctx);
    const toml::node* t = task.node("t");
    s.times = t && t->is_array() ? task.numbers("t", kMaxPoints) : std::vector<double>{task.number("t", 0.0)};
    if (s.times.empty()) task.fail("t", "t needs at least one time");
    s.pumped = task.boolean("pump", false);
    const TextureTerms& x = s.texture;
    const bool field_B = has_magnetic_field(x);
    s.field_E = x.electric[0] != 0.0 || x.electric[1] != 0.0 || x.electric[2] != 0.0;
    s.varies = x.texture.kind != TextureKind::uniform || x.potential.shape != PotentialShape::none;
    if (s.pumped && s.nband)
        task.fail("pump", fmt::format("the pump is Eq. 30's current in a uniform E, a two-band form; '{}' has {} bands, whose "
                                      "texture_current is the static magnetisation current (its pumped charge: task "
                                      "phase_space_chern's (t, k) plane)",
                                      s.model->name, s.model->bands));
    if (s.pumped) {
        s.pump = require_pump_period(ctx, x, task, "pump");
        // With B or a texture, E × Ω_s meets 𝒟_s − 1 or the texture's gradients: products of second
        // order in the gradients, beyond Eq. 30 (docs/textures.md); the pump's charge is then not
        // the topological one.
        if (field_B || x.texture.kind != TextureKind::uniform || x.potential.shape != PotentialShape::none)
            task.fail("pump", "the pump takes E alone: with [texture] B or a texture that varies, E's anomalous velocity "
                              "meets the first-order corrections, products beyond Eq. 30's order, and with a potential the "
                              "current carries its magnetisation current (docs/textures.md)");
    }
    const std::size_t P = s.r.size() / 3, nt = s.times.size();
    if (P * nt > static_cast<std::size_t>(kMaxPoints))
        task.fail("t", fmt::format("{} positions × {} times is more than {} points", P, nt, kMaxPoints));
    for (std::size_t a = 0; a < P; ++a)
        for (double time : s.times) {
            s.points.insert(s.points.end(), s.r.begin() + 3 * a, s.r.begin() + 3 * a + 3);
            s.points.push_back(time);
        }
    require_small_gauge_shift(task, s.texture, s.points);
    const long long n_points = static_cast<long long>(P * nt);
    if (s.mesh.count() > (1LL << 62) / (n_points * (1 + kStencil)))
        task.fail("r", fmt::format("{} points (and their magnetisation stencils) × {} mesh points is more than 2^62 points",
                                   n_points, s.mesh.count()));
    // Per worker two histograms of 2 keys per point × its values (block_reducer.hpp): Eq. 30's, or an
    // N-band model's check of the gradient expansion, texture_density's 3 values per position.
    const double row = s.nband ? 2.0 * static_cast<double>(P) * 3.0 * sizeof(Neumaier)
                               : 2.0 * static_cast<double>(n_points) * static_cast<double>(values_per_key(s)) * sizeof(Neumaier);
    require_memory(task, "r", row * 2.0 * (2 * workers::count() + 1), fmt::format("{} points' histograms", n_points));
    // 𝓕 = Σ_l 𝓕_{r_l p_l} needs H to vary with r: without B and with a uniform texture (or none) it is 0
    // everywhere, and so is ∂_p 𝓕 — the difference's eight extra Hamiltonians per point are skipped.
    const bool varies_in_r = field_B || (x.texture.kind != TextureKind::uniform && x.exchange != 0.0);
    s.step = varies_in_r ? derivative_step(s.mesh) : 0.0;
    // Static (no E, no mass ramp, no slide) 2D and 3D models whose M varies in space — with a texture
    // or a potential; else M is uniform and its curl 0 (M is taken at the kinetic momentum, so a B_z
    // modulation enters it at second order, through the field's own magnetisation χB) — get the
    // magnetisation current beside Eq. 30's. Its orbital moments' term m f is a Fermi-surface term:
    // at T = 0 with a level in a band the mesh's step in M between the stencil's points would be as
    // large as the current (task streda refuses T = 0 for the same term).
    s.magnetisation = s.model->dim >= 2 && !s.field_E && x.mass_rate == 0.0 && !is_sliding(x) && s.varies;
    if (s.nband && !s.magnetisation) {
        const std::string why = fmt::format("texture_current of an N-band model ('{}', {} bands) is its magnetisation "
                                            "current, -curl M of a static texture (Eq. 30 is the two-band form)",
                                            s.model->name, s.model->bands);
        if (s.model->dim < 2) task.fail("kind", why + fmt::format(": '{}' is 1D, with no orbital magnetisation", s.model->name));
        const Section texture = task_section(ctx, "texture");
        if (s.field_E) texture.fail("E", why + ": it takes no E");
        if (is_sliding(x)) texture.fail("velocity", why + ": it takes no slide");
        texture.fail("kind", why + ": it needs a texture (kind other than 'uniform') or a potential that varies in space; "
                                   "this H is uniform (a B_z modulation enters M at second order), M's curl 0");
    }
    if (s.magnetisation) {
        const FermiSurfaceCheck fermi_surface(ctx, s.mesh, s.mu, s.T);
        if (s.T == 0.0 && fermi_surface.step() && s.nband)
            task.fail("T", fmt::format("an N-band model's texture_current is its magnetisation current, and {}",
                                       kMagnetisationAtZeroTemperature));
        if (s.T == 0.0 && fermi_surface.step()) {
            s.magnetisation = false;
            s.magnetisation_note = fmt::format("no magnetisation_current: {}", kMagnetisationAtZeroTemperature);
        } else {
            for (const std::string& w : fermi_surface.smearing_warning("magnetisation_current's orbital moments' term m f"))
                s.magnetisation_note = w;
        }
    }
    if (s.magnetisation) {
        s.r_step = position_step(x);
        for (std::size_t a = 0; a < P; ++a)
            for (int axis = 0; axis < kStencilAxes; ++axis)
                for (const double o : kStencilOffsets) {
                    const double* q = s.r.data() + 3 * a;
                    s.stencil.insert(s.stencil.end(), {q[0], q[1], q[2], s.times[0]});
                    s.stencil[s.stencil.size() - 4 + static_cast<std::size_t>(axis)] += o * s.r_step;
                }
        require_small_gauge_shift(task, s.texture, s.stencil);
        // The magnetisation's histograms: 2 keys per stencil point × its components and parts per level.
        const double stencil_row = 2.0 * kStencil * static_cast<double>(P) *
                                   static_cast<double>(s.components() * s.parts() * s.mu.size()) * sizeof(Neumaier);
        require_memory(task, "r", stencil_row * 2.0 * (2 * workers::count() + 1),
                       fmt::format("{} positions' magnetisation stencils", P));
    }
    return s;
}

// From the magnetisation's sums at the stencil points (keys as TextureDensityFn's: both halves, or
// the coarse sub-mesh's; per key `parts` blocks — the sum, then with band_resolved each band's —
// of levels × M's components, the components innermost), per point a (position a / times, time
// a % times: a static H is the same at every time), for the block `part`:
// - current [point][level][3] = −∇ × M — in 2D (−∂_y M_z, ∂_x M_z, 0) — by
//   (f(−2h) − 8 f(−h) + 8 f(h) − f(2h))/12h;
// - magnetisation [point][level] (2D: M_z) or [point][level][3] (3D): M at the position itself from
//   the x axis's four points, (4 (f(h) + f(−h)) − (f(2h) + f(−2h)))/6 = f − h⁴ f''''/6 (h is 1e-4 of
//   the texture's or potential's shortest length, position_step: exact to rounding), so no ninth
//   k-integral per position.
struct MagnetisationPart {
    nlohmann::json current = nlohmann::json::array(), magnetisation = nlohmann::json::array();
};
MagnetisationPart magnetisation_part(const std::vector<Neumaier>& h, const CurrentSetup& s, bool coarse, std::size_t part) {
    const std::size_t L = s.mu.size(), n_points = s.points.size() / 4, nc = static_cast<std::size_t>(s.components());
    const std::size_t block = nc * L, nv = block * static_cast<std::size_t>(s.parts());
    const double w = mesh_weight(s.mesh) * (coarse ? s.mesh.coarse_factor() : 1);
    auto M = [&](std::size_t q, std::size_t v) {  // value v of the block, at stencil point q
        const double odd = h[(2 * q + 1) * nv + part * block + v].value();
        return w * (coarse ? odd : h[2 * q * nv + part * block + v].value() + odd);
    };
    const double derivative[4] = {1.0, -8.0, 8.0, -1.0}, interpolation[4] = {-1.0, 4.0, 4.0, -1.0};
    MagnetisationPart out;
    for (std::size_t a = 0; a < n_points; ++a) {
        const std::size_t first = kStencil * (a / s.times.size());  // the position's stencil
        nlohmann::json j_levels = nlohmann::json::array(), m_levels = nlohmann::json::array();
        for (std::size_t l = 0; l < L; ++l) {
            double grad[3][3] = {};  // [axis][component of M]: ∂_axis M_c (2D: M_z alone; ∂_z M = 0)
            std::vector<double> at(nc, 0.0);
            for (int axis = 0; axis < kStencilAxes; ++axis)
                for (std::size_t c = 0; c < nc; ++c)
                    for (int o = 0; o < 4; ++o) {
                        const double m = M(first + 4 * static_cast<std::size_t>(axis) + o, nc * l + c);
                        grad[axis][3 - nc + c] += derivative[o] * m / (12.0 * s.r_step);
                        if (axis == 0) at[c] += interpolation[o] * m / 6.0;
                    }
            j_levels.push_back(std::vector<double>{-(grad[1][2] - grad[2][1]), -(grad[2][0] - grad[0][2]),
                                                   -(grad[0][1] - grad[1][0])});
            m_levels.push_back(nc == 1 ? nlohmann::json(at[0]) : nlohmann::json(at));
        }
        out.current.push_back(j_levels);
        out.magnetisation.push_back(m_levels);
    }
    return out;
}

// magnetisation_current and magnetisation into `results`, with band_resolved each band's parts
// (magnetisation_current_bands, magnetisation_bands: the band index before the components).
void add_magnetisation(const std::vector<Neumaier>& h, const CurrentSetup& s, bool coarse, nlohmann::json& results) {
    const MagnetisationPart whole = magnetisation_part(h, s, coarse, 0);
    results["magnetisation_current"] = whole.current;
    results["magnetisation"] = whole.magnetisation;
    if (!s.by_band) return;
    std::vector<nlohmann::json> current, magnetisation;
    for (int b = 0; b < s.model->bands; ++b) {
        MagnetisationPart band = magnetisation_part(h, s, coarse, 1 + static_cast<std::size_t>(b));
        current.push_back(std::move(band.current));
        magnetisation.push_back(std::move(band.magnetisation));
    }
    results["magnetisation_current_bands"] = bands_innermost(current, current[0].size());
    results["magnetisation_bands"] = bands_innermost(magnetisation, magnetisation[0].size());
}

// The currents [point][level][3] from the reduction's sums (TextureDensityFn's halves): the sum
// over the bands (first = 0) or one band's part (first = 3 levels + 1 + 3 b levels).
nlohmann::json currents(const std::vector<Neumaier>& h, const CurrentSetup& s, bool coarse, std::size_t first = 0) {
    const std::size_t L = s.mu.size(), nv = values_per_key(s), n_points = s.points.size() / 4;
    const double w = mesh_weight(s.mesh) * (coarse ? s.mesh.coarse_factor() : 1);
    nlohmann::json j = nlohmann::json::array();
    for (std::size_t a = 0; a < n_points; ++a) {
        nlohmann::json per_level = nlohmann::json::array();
        for (std::size_t l = 0; l < L; ++l) {
            std::vector<double> c(3);
            for (int x = 0; x < 3; ++x) {
                const double odd = h[(2 * a + 1) * nv + first + 3 * l + x].value();
                c[x] = w * (coarse ? odd : h[2 * a * nv + first + 3 * l + x].value() + odd);
            }
            per_level.push_back(c);
        }
        j.push_back(per_level);
    }
    return j;
}

// The charge pumped per Bloch period, q = j T [point][level][3], and for a 2D lattice the
// particles per period through one chain [point][level] (pumped_per_chain), from currents j.
struct Pumped {
    nlohmann::json charge = nlohmann::json::array(), per_chain = nlohmann::json::array();
};
Pumped pumped_by(const CurrentSetup& s, const nlohmann::json& j) {
    const ModelInfo& info = *s.model;
    Pumped p;
    for (const auto& point : j) {
        nlohmann::json q_a = nlohmann::json::array(), n_a = nlohmann::json::array();
        for (const auto& level : point) {
            const std::array<double, 3> q{level[0].get<double>() * s.pump.period, level[1].get<double>() * s.pump.period,
                                          level[2].get<double>() * s.pump.period};
            q_a.push_back(q);
            if (info.dim == 2) n_a.push_back(charge_per_chain(info, s.pump.axis, q));
        }
        p.charge.push_back(q_a);
        p.per_chain.push_back(n_a);
    }
    return p;
}


// The results from the reduction's sums: j per point, with band_resolved each band's part, and
// with pump = true the charge pumped per Bloch period, q = j T (the zone sum over the kinetic
// momentum is the same at every t: docs/textures.md), per band too.
TaskResult current_result(const CurrentSetup& s, const std::vector<Neumaier>& h, bool coarse) {
    TaskResult out;
    const nlohmann::json j = currents(h, s, coarse);
    out.results["current"] = j;
    std::vector<nlohmann::json> band;
    if (s.by_band) {
        const std::size_t L = s.mu.size();
        for (std::size_t b = 0; b < 2; ++b) band.push_back(currents(h, s, coarse, 3 * L + 1 + 3 * b * L));
        out.results["current_bands"] = bands_innermost(band, band[0].size());
    }
    if (!s.pumped) return out;
    const bool chains = s.model->dim == 2;
    const Pumped total = pumped_by(s, j);
    out.results["pumped"] = total.charge;
    if (chains) out.results["pumped_per_chain"] = total.per_chain;
    if (s.by_band) {
        std::vector<nlohmann::json> charge, per_chain;
        for (const auto& b : band) {
            const Pumped p = pumped_by(s, b);
            charge.push_back(p.charge);
            per_chain.push_back(p.per_chain);
        }
        out.results["pumped_bands"] = bands_innermost(charge, charge[0].size());
        if (chains) out.results["pumped_per_chain_bands"] = bands_innermost(per_chain, per_chain[0].size());
    }
    return out;
}

}  // namespace

void check_texture_current(TaskContext& ctx) { read_texture_current(ctx); }

TaskResult task_texture_current(TaskContext& ctx) {
    const CurrentSetup s = read_texture_current(ctx);
    const long long n_points = static_cast<long long>(s.points.size() / 4), n = n_points * s.mesh.count();
    const long long stencil_points = static_cast<long long>(s.stencil.size() / 4);
    // An N-band model: no Eq. 30; the gradient expansion's check is texture_density's at each
    // position (some band's 2|1 − 𝒟_n| ≥ kFirstOrderLimit), once: a static H is the same at every time.
    const long long positions = static_cast<long long>(s.r.size() / 3);
    Progress progress("texture_current", (s.nband ? positions : n_points) * s.mesh.count() + stencil_points * s.mesh.count());
    std::vector<Neumaier> h, hm;
    long long bad = s.nband ? texture_density_reduce(ctx.backend, ctx.cfg.params, s.texture, s.mesh, s.r, s.times[0], {s.mu[0]},
                                                     s.T, false, h, &progress)
                            : texture_current_reduce(ctx.backend, ctx.cfg.params, s.texture, s.mesh, s.points, s.mu, s.T,
                                                     s.step, s.by_band, h, &progress);
    long long bad_m = -1;
    if (s.magnetisation && bad < 0)
        bad_m = texture_magnetisation_reduce(ctx.backend, ctx.cfg.params, s.texture, s.mesh, s.stencil, s.mu, s.T, s.by_band,
                                             hm, &progress);
    progress.finish();
    // A non-finite integrand at index i of a reduction over `points` (four numbers each): whose
    // integrand, where (the point, or the position whose stencil it is), r, t and k.
    auto non_finite = [&](long long i, const std::vector<double>& points, const char* whose, const std::string& where) {
        double k[3];
        s.mesh.k_of(i % s.mesh.count(), k);
        const double* x = points.data() + 4 * (i / s.mesh.count());
        throw NonFiniteError(fmt::format("the {} integrand is not finite {} (r = ({:g}, {:g}, {:g}), t = {:g}) and "
                                         "k = ({:g}, {:g}, {:g}): the bands touch there",
                                         whose, where, x[0], x[1], x[2], x[3], k[0], k[1], k[2]));
    };
    if (bad_m >= 0)
        non_finite(bad_m, s.stencil, "magnetisation's",
                   fmt::format("near position {}", bad_m / s.mesh.count() / kStencil));
    const long long times = static_cast<long long>(s.times.size());
    if (bad >= 0 && s.nband)  // position p at the first time is point p · times
        non_finite(bad / s.mesh.count() * times * s.mesh.count() + bad % s.mesh.count(), s.points, "density check's",
                   fmt::format("at position {}", bad / s.mesh.count()));
    if (bad >= 0) non_finite(bad, s.points, "current's", fmt::format("at point {}", bad / s.mesh.count()));
    // The flag of the gradient expansion's failure: TextureCurrentFn's [3 levels] per point, or
    // TextureDensityFn's [2] (one level) per position.
    const std::size_t nv = s.nband ? 3 : values_per_key(s), flag = s.nband ? 2 : 3 * s.mu.size();
    std::vector<std::string> warnings;
    for (long long a = 0; a < (s.nband ? positions : n_points); ++a) {
        const double count = h[2 * a * nv + flag].value() + h[(2 * a + 1) * nv + flag].value();
        if (count > 0.0) {
            const long long point = s.nband ? a * times : a;
            warnings.push_back(first_order_warning(s.points.data() + 4 * point, fmt::format("point {}", point),
                                                   count / static_cast<double>(s.mesh.count())));
            break;
        }
    }
    const ModelInfo& info = *ctx.cfg.model;
    const std::string lu = length_unit(info), eu = energy_unit(info);
    const int dim = info.dim;
    const std::string current_unit =
        dim == 1 ? fmt::format("particles per ħ/{}", eu) : fmt::format("particles per (ħ/{}) per {}^{}", eu, lu, dim - 1);
    TaskResult out = s.nband ? TaskResult{} : current_result(s, h, false);
    if (s.magnetisation) add_magnetisation(hm, s, false, out.results);
    const TextureTerms& x = s.texture;
    const bool field_B = has_magnetic_field(x);
    if (s.field_E && (field_B || x.texture.kind != TextureKind::uniform))
        warnings.push_back("E together with B or a texture that varies: Eq. 30 is first order in the gradients, and its "
                           "products of E's anomalous velocity with the density-of-states factor or the texture's gradients "
                           "are of second order, where other terms of that order are missing (docs/textures.md)");
    // Where H varies in space the equilibrium current is a magnetisation current, divergence-free,
    // which Eq. 30 (derived from the continuity equation) does not fix in full
    // (tests/test_texture_current_magnetization.cpp).
    if (!s.magnetisation_note.empty()) warnings.push_back(s.magnetisation_note);
    // (A B_z modulation alone: both vanish at first order, tests/test_texture_modulation.cpp.)
    if (!s.nband && s.varies)
        warnings.push_back(fmt::format(
            "Eq. 30 is the current the continuity equation fixes (the paper's Sec. II C), up to a divergence-free part, and an "
            "equilibrium current in a texture or potential is all divergence-free magnetisation current: Eq. 30 gives that of "
            "the local orbital magnetisation M only in a gap with a scalar potential; in a band it leaves out the orbital "
            "moments' part, and across exchange textures it differs at first order ({}; docs/textures.md \"What Eq. 30's "
            "current is\")",
            s.magnetisation ? "magnetisation_current, -curl M, is the equilibrium current to first order"
                            : "a static 2D or 3D texture's result magnetisation_current, -curl M, is that current"));
    out.warnings = warnings;
    auto echo = [&](TaskResult& r) {
        r.results["mu"] = s.mu;
        r.results["r"] = nlohmann::json::array();
        r.results["t"] = nlohmann::json::array();
        for (std::size_t a = 0; a < s.points.size() / 4; ++a) {
            r.results["r"].push_back({s.points[4 * a], s.points[4 * a + 1], s.points[4 * a + 2]});
            r.results["t"].push_back(s.points[4 * a + 3]);
        }
        if (s.pumped) r.results["period"] = s.pump.period;
    };
    echo(out);
    out.units = {{"mu", eu}, {"r", lu}, {"t", fmt::format("ħ/{}", eu)}};
    if (!s.nband)
        out.units["current"] = current_unit + ", [point][mu][x, y, z]: Eq. 30, particles (the electric current is −e times it)";
    const bool current_bands = s.by_band && !s.nband, magnetisation_bands = s.by_band && s.magnetisation;
    if (current_bands)
        out.units["current_bands"] = current_unit + ", [point][mu][band][x, y, z]: the lower (0) and upper (1) band's parts of "
                                                    "current, n_s v_s of Eq. 30; their sum is current";
    if (s.magnetisation)
        out.units["magnetisation_current"] =
            current_unit + fmt::format(", [point][mu][x, y, z]: -curl M{}, the equilibrium magnetisation current of the "
                                       "local orbital magnetisation M = sum_n int [m_n f + Omega_n T ln(1 + e^((mu - e_n)/T))] "
                                       "(dM/dmu = dn/dB), by fourth-order differences of step {:g} {}",
                                       dim == 2 ? " = (-dM/dy, dM/dx, 0) of M = M_z" : "", s.r_step, lu);
    if (s.magnetisation)
        out.units["magnetisation"] = fmt::format(
            "e/ħ × {}{}, [point][mu]{}: the local orbital magnetisation M = sum_n int [m_n f + Omega_n T ln(1 + e^((mu - "
            "e_n)/T))], the orbital moment per {} (m_n as task berry's orbital_moment; dM/dmu = dn/dB of task streda), at the "
            "position by fourth-order interpolation of the stencil's values",
            eu, dim == 3 ? fmt::format(" per {}", lu) : "", dim == 3 ? "[x, y, z]" : " (M_z)", dim == 3 ? "volume" : "area");
    if (magnetisation_bands) {
        // Bands in order of energy at each k; a degenerate group's split is not gauge invariant, its sum is.
        const char* split = "bands in order of energy at each point (within a degenerate group only the group's sum is "
                            "gauge invariant); their sum is";
        out.units["magnetisation_current_bands"] =
            current_unit + fmt::format(", [point][mu][band][x, y, z]: each band's part of magnetisation_current, -curl M_n; {} "
                                       "magnetisation_current",
                                       split);
        out.units["magnetisation_bands"] =
            fmt::format("e/ħ × {}{}, [point][mu][band]{}: each band's part of magnetisation, M_n = int [m_n f + Omega_n T ln(1 "
                        "+ e^((mu - e_n)/T))]; {} magnetisation",
                        eu, dim == 3 ? fmt::format(" per {}", lu) : "", dim == 3 ? "[x, y, z]" : "", split);
    }
    if (s.pumped) {
        out.units["period"] = fmt::format("ħ/{}", eu);
        out.units["pumped"] = fmt::format("particles per {}^{}, [point][mu][x, y, z]: current × period, the charge moved per "
                                          "Bloch period",
                                          lu, dim - 1);
        if (dim == 2)
            out.units["pumped_per_chain"] =
                fmt::format("particles per period through one lattice vector a_{} (docs/textures.md), [point][mu]",
                            s.pump.axis + 1);
        if (s.by_band) {
            out.units["pumped_bands"] = fmt::format("particles per {}^{}, [point][mu][band][x, y, z]: each band's part of pumped",
                                                    lu, dim - 1);
            if (dim == 2)
                out.units["pumped_per_chain_bands"] = "particles per period, [point][mu][band]: each band's part of pumped_per_chain";
        }
    }
    if (!s.nband) out.principal = {s.pumped && dim == 2 ? "pumped_per_chain" : "current"};
    if (s.magnetisation) out.principal.insert(out.principal.end(), {"magnetisation_current", "magnetisation"});
    out.kpoints = (s.nband ? positions * s.mesh.count() : n) + stencil_points * s.mesh.count();
    auto table = [&](const TaskResult& r) {
        const std::string m_unit = s.magnetisation ? fmt::format("; M in e/ħ × {}{}", eu, dim == 3 ? " per " + lu : "") : "";
        CsvTable csv{"texture_current",
                     fmt::format("r in {}; t in ħ/{}; mu in {}; current in {}{}", lu, eu, eu, current_unit, m_unit),
                     {"x", "y", "z", "t", "mu"}, {}};
        if (!s.nband)
            for (const char* c : {"jx", "jy", "jz"}) csv.columns.push_back(c);
        csv.keys = 5;  // x, y, z, t, mu
        if (s.magnetisation) {
            for (const char* c : {"jx", "jy", "jz"}) csv.columns.push_back(fmt::format("{}_magnetisation", c));
            if (dim == 3)
                for (const char* c : {"Mx", "My", "Mz"}) csv.columns.push_back(c);
            else
                csv.columns.push_back("M");
        }
        if (current_bands)
            for (const char* band : {"lower", "upper"})
                for (const char* c : {"jx", "jy", "jz"}) csv.columns.push_back(fmt::format("{}_{}", c, band));
        // Each band's magnetisation current and M: two-band models' lower and upper, N-band ones' band0 ….
        if (magnetisation_bands)
            for (int b = 0; b < s.model->bands; ++b) {
                const std::string band = s.nband ? fmt::format("band{}", b) : std::string(b == 0 ? "lower" : "upper");
                for (const char* c : {"jx", "jy", "jz"}) csv.columns.push_back(fmt::format("{}_magnetisation_{}", c, band));
                if (dim == 3)
                    for (const char* c : {"Mx", "My", "Mz"}) csv.columns.push_back(fmt::format("{}_{}", c, band));
                else
                    csv.columns.push_back("M_" + band);
            }
        // A number, or a list's elements.
        auto push = [](std::vector<double>& row, const nlohmann::json& v) {
            if (v.is_array())
                for (const auto& x : v) row.push_back(x.get<double>());
            else
                row.push_back(v.get<double>());
        };
        for (std::size_t a = 0; a < s.points.size() / 4; ++a)
            for (std::size_t l = 0; l < s.mu.size(); ++l) {
                std::vector<double> row{s.points[4 * a], s.points[4 * a + 1], s.points[4 * a + 2], s.points[4 * a + 3], s.mu[l]};
                if (!s.nband)
                    for (const auto& x : r.results["current"][a][l]) row.push_back(x.get<double>());
                if (s.magnetisation) {
                    push(row, r.results["magnetisation_current"][a][l]);
                    push(row, r.results["magnetisation"][a][l]);
                }
                if (current_bands)
                    for (const auto& part : r.results["current_bands"][a][l]) push(row, part);
                if (magnetisation_bands)
                    for (int b = 0; b < s.model->bands; ++b) {
                        push(row, r.results["magnetisation_current_bands"][a][l][b]);
                        push(row, r.results["magnetisation_bands"][a][l][b]);
                    }
                csv.rows.push_back(row);
            }
        return csv;
    };
    out.tables.push_back(table(out));
    out.remedy = "the current is not resolved by the k-mesh: raise [mesh] n (docs/accuracy.md)";
    if (s.mesh.coarse_factor() > 0) {
        TaskResult coarse = s.nband ? TaskResult{} : current_result(s, h, true);
        if (s.magnetisation) add_magnetisation(hm, s, true, coarse.results);
        echo(coarse);
        coarse.tables.push_back(table(coarse));
        attach_errors(out, &coarse);
    } else {
        attach_errors(out, nullptr);
    }
    return out;
}

}  // namespace bzint
