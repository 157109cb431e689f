// The equilibrium electron density of a textured model (two-band or N-band) at given positions, as a
// phase-space integral over the k-mesh (include/bzint/texture_density.hpp; docs/textures.md):
// with the gradient expansion's energy correction and density-of-states factor (Eqs. 23, 28),
// and without them; error estimates from the mesh's coarse sub-mesh (docs/accuracy.md). With
// bound_charge, also the charge a texture binds, ∫ (n − n_ref) d²r over a periodic cell, over
// a window about a localised texture, or across a domain wall against its two far fields, on a
// grid (the trapezoid rule, spectrally accurate for a smooth periodic integrand, or one that is
// flat where the window ends).
#include <fmt/core.h>

#include <cmath>
#include <optional>

#include "../engine.hpp"
#include "../workers.hpp"
#include "bzint/texture_density.hpp"
#include "../error_estimate.hpp"
#include "../input_error.hpp"
#include "../texture_input.hpp"
#include "task_common.hpp"

namespace bzint {

namespace {

constexpr long long kMaxPositions = 10000;

struct DensitySetup {
    TextureSetup texture;
    Mesh mesh{};
    std::vector<double> r;  // three per position: the given ones, then the cell grid's
    long long given = 0;    // the positions `r` gave
    std::vector<double> mu;
    double T = 0.0, t = 0.0;
    // band_resolved: each band's part of the density (and of the bound charge) beside the sum.
    bool by_band = false;
    int bands = 2;
    // bound_charge: the cell's or window's sides (1 along an axis nothing varies along: per unit
    // length), its grid and the references: the uniform texture m = background without potential
    // or fields, or a domain wall's two far fields (references[0] for x < 0, [1] for x > 0).
    bool bound_charge = false;
    bool window = false;        // a window about a localised texture, not a periodic cell
    bool wall = false;          // a domain wall's window along x, its centre x = 0 a grid point
    bool far_background = true;  // background is the window's far field (else its result depends on its size)
    double cell[2] = {1.0, 1.0};
    double origin[2] = {0.0, 0.0};  // the grid's first point: 0 in a cell, −X in a window
    int cell_points[2] = {1, 1};
    double background[3] = {0.0, 0.0, 1.0};
    std::vector<TextureSetup> references;
};

// A domain wall's window [−X, X] along x: X = 40 w, where sin θ = sech(x/w) < 1e-17, so that m is
// its far field ±p ẑ to rounding. Its default grid resolves the wall: the trapezoid rule's error
// falls as exp(−2π a/h) for an integrand analytic in the strip |Im x| < a (Trefethen and Weideman,
// SIAM Rev. 56, 385 (2014)). The texture alone gives a = πw/2 (the poles of sech and tanh); in a band
// at T > 0 the Fermi function's poles, where a band edge meets μ ± iπT, narrow it, to about 0.5w
// for qwz at T = 0.05 (exp(−21) relative on h = 80w/512, 3e-5 on the every-other points the error
// estimate takes), and in proportion to T at lower T. The estimate sees it.
constexpr double kWallExtent = 40.0;
constexpr int kWallPoints = 512;

// The parts of H localised about the origin along Cartesian axis a, as the half-width X of a
// window [−X, X] beyond which they are their far field exactly or to rounding: an isolated
// skyrmion (m = p ẑ from its radius R on), a gaussian potential (below 1e-17 of its amplitude
// from 9w on) and a domain wall along x (its two far fields ±p ẑ from 40w on); −1 where no part is
// localised along a. `rest`: the terms without them.
double localised_extent(const TextureTerms& t, int a, TextureTerms& rest) {
    rest = t;
    double X = -1.0;
    if (t.texture.kind == TextureKind::skyrmion || t.texture.kind == TextureKind::domain_wall) {
        rest.texture.kind = TextureKind::uniform;
        if (t.texture.kind == TextureKind::skyrmion && a < 2) X = t.texture.radius;
        if (t.texture.kind == TextureKind::domain_wall && a == 0) X = kWallExtent * t.texture.width;
    }
    if (t.potential.shape == PotentialShape::gaussian) {
        rest.potential = ScalarPotential{};
        if (a < 2) X = std::max(X, 9.0 * t.potential.width);
    }
    return X;
}

// [task] bound_charge and its keys: the cell (density_period) or the window about a localised
// texture or across a domain wall (localised_extent), the grid and the references.
void read_bound_charge(const TaskContext& ctx, DensitySetup& s) {
    const Section& task = ctx.task;
    s.bound_charge = task.boolean("bound_charge", false);
    if (!s.bound_charge) {
        for (const char* key : {"cell_points", "background"})
            if (task.has(key)) task.fail(key, fmt::format("{} describes bound_charge, which is not asked for", key));
        return;
    }
    if (ctx.cfg.model->dim != 2)
        task.fail("bound_charge", fmt::format("the bound charge per cell of the plane needs a 2D model; '{}' is {}D",
                                              ctx.cfg.model->name, ctx.cfg.model->dim));
    s.wall = s.texture.texture.kind == TextureKind::domain_wall;
    // The wall's references are its far fields without the potential and B_modulation (as every
    // reference is): beside either, n − n_ref would not vanish where the window ends.
    if (s.wall && (s.texture.potential.shape != PotentialShape::none || s.texture.modulation.amplitude != 0.0))
        task.fail("bound_charge", "a domain wall's charge is taken against its two far fields, uniform textures without a "
                                  "potential or B_modulation: with either beside the wall n - n_ref does not vanish far from it "
                                  "(use a uniform B, or no potential)");
    if (s.wall && s.texture.velocity[0] != 0.0)
        task.fail("bound_charge", "a domain wall that slides across itself (velocity along x): its reference is the far fields "
                                  "on either side of its centre, which moves");
    if (s.wall && task.node("background"))
        task.fail("background", "a domain wall's reference is its two far fields, p z for x < 0 and -p z for x > 0: no "
                                "background is taken");
    std::vector<double> points{s.wall ? double(kWallPoints) : 16.0, 16.0};
    if (task.has("cell_points")) points = task.numbers("cell_points", 2);
    if (points.size() != 2) task.fail("cell_points", "cell_points needs two counts [n_x, n_y]");
    // The grid's corner in the texture's own frame: −X in a window about a localised texture or a
    // wall (before the slide widens it), 0 in a cell; the single reference below is read there.
    double frame_corner[2] = {0.0, 0.0};
    for (int a = 0; a < 2; ++a) {
        TextureTerms rest;
        const double X = localised_extent(s.texture, a, rest);
        const double L = X > 0.0 ? density_period(rest, a) : density_period(s.texture, a);
        const char* axis = a == 0 ? "x" : "y";
        if (X > 0.0 && L >= 0.0)
            task.fail("bound_charge", fmt::format("along {} a localised part (an isolated skyrmion, a gaussian potential, a "
                                                  "domain wall) meets "
                                                  "one that extends over the plane: neither a cell nor a window holds the "
                                                  "bound charge",
                                                  axis));
        if (L == 0.0)
            task.fail("bound_charge", fmt::format("the texture has no period along {} (periods that are not whole multiples of "
                                                  "each other): the bound charge is per periodic cell",
                                                  axis));
        const double n = points[static_cast<std::size_t>(a)];
        if (X < 0.0 && L < 0.0) continue;  // uniform along a: one point, per unit length
        if (n != std::round(n) || n < 4 || static_cast<long long>(n) % 2 != 0 || n > 1024)
            task.fail("cell_points", fmt::format("cell_points along {} must be an even whole number from 4 to 1024 (its error "
                                                 "estimate takes every other point); got {:g}",
                                                 a == 0 ? "x" : "y", n));
        // The wall's centre x = 0 a point of the grid and of its every-other points (rule below).
        if (s.wall && a == 0 && static_cast<long long>(n) % 4 != 0)
            task.fail("cell_points", fmt::format("cell_points along x must be a multiple of 4 for a domain wall (its centre x = 0 "
                                                 "is a point of the grid and of its every other points); got {:g}",
                                                 n));
        // A window about the origin, widened by how far a sliding texture has moved by t.
        const double half = X + std::fabs(s.texture.velocity[a] * s.t);
        s.cell[a] = X > 0.0 ? 2.0 * half : L;
        s.origin[a] = X > 0.0 ? -half : 0.0;
        frame_corner[a] = X > 0.0 ? -X : 0.0;
        s.window = s.window || X > 0.0;
        s.cell_points[a] = static_cast<int>(n);
    }
    const long long grid = static_cast<long long>(s.cell_points[0]) * s.cell_points[1];
    if (s.given + grid > kMaxPositions)
        task.fail("cell_points", fmt::format("{} grid points and {} positions are more than {}", grid, s.given, kMaxPositions));
    for (int j = 0; j < s.cell_points[1]; ++j)
        for (int i = 0; i < s.cell_points[0]; ++i)
            s.r.insert(s.r.end(), {s.origin[0] + i * s.cell[0] / s.cell_points[0], s.origin[1] + j * s.cell[1] / s.cell_points[1], 0.0});
    // The reference (a wall's two far fields below instead): m = background (default m at the grid's
    // first point: r = 0 in a cell, the window's corner, in the far field, about a localised texture), without the potential and
    // B_modulation; in a cell without the uniform B too (as texture_lattice's), about a localised
    // texture with it (the far field has it: n − n_ref must vanish there). E and ṁ are uniform and stay.
    // In the texture's own frame (for a sliding one, its point at r = 0 before it slid), so that the
    // reference does not change with t: a cell's integral over a whole period does not.
    const double first[3] = {frame_corner[0], frame_corner[1], 0.0};
    double far[3], dm[3][3];
    s.texture.texture(first, far, dm);
    std::copy(far, far + 3, s.background);
    if (task.node("background")) {
        const std::vector<double> b = task.numbers("background", 3);
        const double norm = b.size() == 3 ? std::sqrt(b[0] * b[0] + b[1] * b[1] + b[2] * b[2]) : 0.0;
        if (!(norm > 0.0)) task.fail("background", "background needs three numbers, a nonzero direction");
        for (int c = 0; c < 3; ++c) s.background[c] = b[static_cast<std::size_t>(c)] / norm;
        s.far_background = !s.window || far[0] * s.background[0] + far[1] * s.background[1] + far[2] * s.background[2] > 1.0 - 1e-12;
    }
    auto uniform = [&](const double m[3]) {
        TextureSetup u = s.texture;
        u.texture.kind = TextureKind::uniform;
        for (int c = 0; c < 3; ++c) {
            u.texture.direction[c] = m[c];
            if (!s.window) u.field[c] = 0.0;
        }
        u.potential = ScalarPotential{};
        u.modulation = FieldModulation{};
        return u;
    };
    if (s.wall) {  // the far fields p ẑ (x < 0) and −p ẑ (x > 0), exactly
        const double p = s.texture.texture.polarity, left[3] = {0.0, 0.0, p}, right[3] = {0.0, 0.0, -p};
        std::copy(left, left + 3, s.background);
        s.references = {uniform(left), uniform(right)};
    } else {
        s.references = {uniform(s.background)};
    }
    if (!periodic_in_k(ctx, s.references[0]))
        task.fail("background", fmt::format("'{}' carries its orbitals' positions, so an exchange field off the z axis makes H "
                                            "not periodic in k: the reference's background must be [0, 0, ±1]",
                                            ctx.cfg.model->name));
}

// TextureDensityFn's values per key; [2 levels] is the flag of the gradient expansion's failure.
std::size_t values_per_key(const DensitySetup& s) {
    return (2 + (s.by_band ? static_cast<std::size_t>(s.bands) : 0)) * s.mu.size() + 1;
}

DensitySetup read_texture_density(const TaskContext& ctx) {
    DensitySetup s;
    s.texture = read_texture(ctx);
    s.mesh = require_mesh(ctx);
    require_periodic_lattice(ctx, s.texture);
    const Section& task = ctx.task;
    task.only();
    s.r = read_positions(task, kMaxPositions);
    s.given = static_cast<long long>(s.r.size() / 3);
    s.t = task.number("t", 0.0);
    read_bound_charge(ctx, s);
    s.by_band = task.boolean("band_resolved", false);
    s.bands = ctx.cfg.model->bands;
    // TextureDensityFn's values per key: 2 per level and a flag, with band_resolved one more per band and level.
    s.mu = read_levels(task, "mu", (kMaxKeyedValues - 1) / (2 + (s.by_band ? s.bands : 0)));
    s.T = read_temperature(ctx);
    const long long positions = static_cast<long long>(s.r.size() / 3);
    std::vector<double> points[2];  // the given positions, the bound charge's grid
    for (long long a = 0; a < positions; ++a)
        points[a < s.given ? 0 : 1].insert(points[a < s.given ? 0 : 1].end(), {s.r[3 * a], s.r[3 * a + 1], s.r[3 * a + 2], s.t});
    require_small_gauge_shift(task, s.texture, points[0]);
    require_small_gauge_shift(task, s.texture, points[1], "bound_charge");
    if (s.mesh.count() > (1LL << 62) / positions)
        task.fail("r", fmt::format("{} positions × {} mesh points is more than 2^62 points", positions, s.mesh.count()));
    // Per worker two histograms of 2 keys per position × its values (block_reducer.hpp).
    const double row = 2.0 * static_cast<double>(positions) * static_cast<double>(values_per_key(s)) * sizeof(Neumaier);
    require_memory(task, "r", row * 2.0 * (2 * workers::count() + 1), fmt::format("{} positions' histograms", positions));
    return s;
}

// The densities [position][level] from the reduction's sums: the mesh's (both halves of each
// position's keys) or its coarse sub-mesh's (the odd keys, each point weighing coarse_factor);
// with band_resolved also each band's part of `corrected`, band[n][position][level].
struct Densities {
    nlohmann::json corrected = nlohmann::json::array(), plain = nlohmann::json::array();
    std::vector<nlohmann::json> band;
};
Densities densities(const std::vector<Neumaier>& h, const DensitySetup& s, std::size_t P, bool coarse) {
    const std::size_t L = s.mu.size(), nv = values_per_key(s), B = s.by_band ? static_cast<std::size_t>(s.bands) : 0;
    const double w = mesh_weight(s.mesh) * (coarse ? s.mesh.coarse_factor() : 1);
    Densities d;
    d.band.assign(B, nlohmann::json::array());
    for (std::size_t a = 0; a < P; ++a) {
        auto sum = [&](std::size_t v) {
            const double odd = h[(2 * a + 1) * nv + v].value();
            return w * (coarse ? odd : h[2 * a * nv + v].value() + odd);
        };
        std::vector<double> c(L), p(L);
        for (std::size_t j = 0; j < L; ++j) {
            c[j] = sum(j);
            p[j] = sum(L + j);
        }
        d.corrected.push_back(c);
        d.plain.push_back(p);
        for (std::size_t b = 0; b < B; ++b) {
            std::vector<double> part(L);
            for (std::size_t j = 0; j < L; ++j) part[j] = sum(2 * L + 1 + b * L + j);
            d.band[b].push_back(part);
        }
    }
    return d;
}



// ∫_cell (n − n_ref) d²r [level] by the trapezoid rule on the grid (the positions after the given
// ones), or with sub_grid on its every-other points; reference[i]: the i-th reference's density
// [level]. Across a domain wall n_ref is its far fields' step, reference[0] for x < 0 and [1] for
// x > 0, and their mean at the centre x = 0, a grid point: the rule is then the sum of the two
// halves' trapezoid rules, each with n_ref's one-sided value at x = 0, whose end corrections
// (Euler–Maclaurin: odd derivatives of n − n_ref at 0, the step's all 0) cancel between the
// halves, so the step costs the rule none of its accuracy.
std::vector<double> bound_charge(const nlohmann::json& density, const std::vector<std::vector<double>>& reference,
                                 const DensitySetup& s, bool sub_grid) {
    const int step[2] = {sub_grid && s.cell_points[0] > 1 ? 2 : 1, sub_grid && s.cell_points[1] > 1 ? 2 : 1};
    const double area = s.cell[0] * s.cell[1] * step[0] * step[1] / (double(s.cell_points[0]) * s.cell_points[1]);
    const int centre = s.cell_points[0] / 2;
    auto n_ref = [&](int i, std::size_t l) {
        if (!s.wall) return reference[0][l];
        return i < centre ? reference[0][l] : i > centre ? reference[1][l] : 0.5 * (reference[0][l] + reference[1][l]);
    };
    std::vector<double> q(s.mu.size(), 0.0);
    for (int j = 0; j < s.cell_points[1]; j += step[1])
        for (int i = 0; i < s.cell_points[0]; i += step[0]) {
            const std::size_t a = static_cast<std::size_t>(s.given + static_cast<long long>(j) * s.cell_points[0] + i);
            for (std::size_t l = 0; l < q.size(); ++l) q[l] += area * (density[a][l].get<double>() - n_ref(i, l));
        }
    return q;
}

}  // namespace

void check_texture_density(TaskContext& ctx) { read_texture_density(ctx); }

TaskResult task_texture_density(TaskContext& ctx) {
    const DensitySetup s = read_texture_density(ctx);
    const long long positions = static_cast<long long>(s.r.size() / 3), n = positions * s.mesh.count();
    Progress progress("texture_density", n);
    std::vector<Neumaier> h;
    std::vector<std::vector<Neumaier>> h_reference(s.references.size());
    const long long bad =
        texture_density_reduce(ctx.backend, ctx.cfg.params, s.texture, s.mesh, s.r, s.t, s.mu, s.T, s.by_band, h, &progress);
    // A reference is uniform: its density at one point (bad < 0 there: it has the texture's gap
    // at r = 0, at a wall's far side or a background the caller chose, checked the same way below).
    long long bad_reference = -1;
    for (std::size_t i = 0; s.bound_charge && bad < 0 && bad_reference < 0 && i < s.references.size(); ++i)
        bad_reference = texture_density_reduce(ctx.backend, ctx.cfg.params, s.references[i], s.mesh, {0.0, 0.0, 0.0}, s.t, s.mu,
                                               s.T, s.by_band, h_reference[i], nullptr);
    progress.finish();
    // A point's name in messages: a given position's index, or the bound charge grid's (i, j).
    auto which = [&](long long a) {
        if (a < s.given) return fmt::format("position {}", a);
        const long long g = a - s.given;
        return fmt::format("bound_charge's grid point ({}, {})", g % s.cell_points[0], g / s.cell_points[0]);
    };
    // Two bands: |d| = 0 makes 𝓕 infinite. N bands: the Kubo sums leave out levels within 1e-9 of each
    // other, so only a failed eigensolver (or a non-finite H) is left.
    const std::string touching =
        ctx.cfg.model->bands == 2 ? "the bands touch there (|d| = 0)" : "the eigensolver did not converge there, or H is not finite";
    if (bad_reference >= 0)
        throw NonFiniteError(fmt::format("the bound charge's reference (the uniform texture m = {}) is not finite on the "
                                         "mesh ({}){}",
                                         s.wall ? "p z or -p z, a far field of the wall" : "background", touching,
                                         s.wall ? "" : ": choose another background"));
    if (bad >= 0) {
        const long long at = bad / s.mesh.count();
        double k[3];
        s.mesh.k_of(bad % s.mesh.count(), k);
        throw NonFiniteError(fmt::format("the density's integrand is not finite at {} (r = ({:g}, {:g}, {:g})) and "
                                         "p = ({:g}, {:g}, {:g}): {}",
                                         which(at), s.r[3 * at], s.r[3 * at + 1], s.r[3 * at + 2], k[0], k[1], k[2], touching));
    }
    // Where the gradient expansion fails on part of the mesh (|𝓕| ≥ kFirstOrderLimit), a warning.
    std::vector<std::string> warnings;
    {
        const std::size_t nv = values_per_key(s), flag = 2 * s.mu.size();
        for (long long a = 0; a < positions; ++a) {
            const double count = h[2 * a * nv + flag].value() + h[(2 * a + 1) * nv + flag].value();
            if (count > 0.0) {
                const double point[4] = {s.r[3 * a], s.r[3 * a + 1], s.r[3 * a + 2], s.t};
                warnings.push_back(first_order_warning(point, which(a), count / static_cast<double>(s.mesh.count())));
                break;
            }
        }
    }
    const ModelInfo& info = *ctx.cfg.model;
    const std::string lu = length_unit(info), eu = energy_unit(info);
    const int dim = info.dim;
    auto result = [&](bool coarse) {
        TaskResult out;
        const Densities d = densities(h, s, static_cast<std::size_t>(positions), coarse);
        out.results["density"] = nlohmann::json(std::vector<nlohmann::json>(d.corrected.begin(), d.corrected.begin() + s.given));
        out.results["density_uncorrected"] = nlohmann::json(std::vector<nlohmann::json>(d.plain.begin(), d.plain.begin() + s.given));
        if (s.by_band) out.results["density_bands"] = bands_innermost(d.band, static_cast<std::size_t>(s.given));
        if (s.bound_charge) {
            // The estimate's two parts, each taken alone and added: the k sub-mesh's change on the
            // full grid, and the grid's every-other points' change on the full mesh. The coarse
            // result carries full + |Δk| + |Δr|, so that its difference is their sum.
            std::vector<Densities> ref, full_ref;
            for (const auto& hr : h_reference) {
                ref.push_back(densities(hr, s, 1, coarse));
                if (coarse) full_ref.push_back(densities(hr, s, 1, false));
            }
            std::optional<Densities> full;
            if (coarse) full = densities(h, s, static_cast<std::size_t>(positions), false);
            // The references' densities [reference][level] of one member of Densities.
            auto levels = [](const std::vector<Densities>& refs, auto member) {
                std::vector<std::vector<double>> out;
                for (const Densities& r : refs) out.push_back(member(r)[0].template get<std::vector<double>>());
                return out;
            };
            // The bound charge [level] of one density (a member of Densities) against its references'.
            auto charge = [&](auto member) {
                std::vector<double> q = bound_charge(member(d), levels(ref, member), s, false);
                if (coarse) {
                    const std::vector<std::vector<double>> n_ref = levels(full_ref, member);
                    const std::vector<double> q0 = bound_charge(member(*full), n_ref, s, false),
                                              qr = bound_charge(member(*full), n_ref, s, true);
                    for (std::size_t l = 0; l < q.size(); ++l) q[l] = q0[l] + std::fabs(q[l] - q0[l]) + std::fabs(qr[l] - q0[l]);
                }
                return q;
            };
            out.results["bound_charge"] = charge([](const Densities& x) -> const nlohmann::json& { return x.corrected; });
            out.results["bound_charge_uncorrected"] = charge([](const Densities& x) -> const nlohmann::json& { return x.plain; });
            if (s.by_band) {
                std::vector<std::vector<double>> parts(s.mu.size());
                for (int b = 0; b < s.bands; ++b) {
                    const std::vector<double> q = charge([b](const Densities& x) -> const nlohmann::json& { return x.band[b]; });
                    for (std::size_t l = 0; l < q.size(); ++l) parts[l].push_back(q[l]);
                }
                out.results["bound_charge_bands"] = parts;
            }
        }
        return out;
    };
    TaskResult out = result(false);
    if (s.bound_charge && !s.far_background)
        warnings.push_back("bound_charge: background differs from the texture's far field at the window's edge, so n - n_ref "
                           "does not vanish there and the result grows with the window; the default background is the far "
                           "field");
    out.warnings = warnings;
    out.results["mu"] = s.mu;
    out.results["r"] = nlohmann::json::array();
    for (long long a = 0; a < s.given; ++a) out.results["r"].push_back({s.r[3 * a], s.r[3 * a + 1], s.r[3 * a + 2]});
    out.units = {{"mu", eu},
                 {"r", lu},
                 {"density", fmt::format("electrons per {}^{} (all bands), [position][mu]: sum_s int D_s f(e_s + dE - mu) "
                                         "(Eqs. 23, 28)",
                                         lu, dim)},
                 {"density_uncorrected", fmt::format("electrons per {}^{} (all bands), [position][mu]: sum_s int f(e_s - mu)", lu,
                                                     dim)}};
    out.principal = {"density"};
    if (s.by_band)
        out.units["density_bands"] = fmt::format("electrons per {}^{}, [position][mu][band]: D_n f(e_n + dE_n - mu), band n in "
                                                 "order of energy at each k (Eqs. 23, 28); the bands' sum is density",
                                                 lu, dim);
    if (s.bound_charge && s.by_band)
        out.units["bound_charge_bands"] = "electrons per cell, [mu][band]: each band's part of bound_charge, band n in order of "
                                          "energy at each k";
    if (s.bound_charge) {
        out.principal.push_back("bound_charge");
        out.units["bound_charge"] = fmt::format("electrons per cell (all bands), [mu]: int_cell (n - n_ref) d^2r with Eqs. 23, 28, "
                                                "n_ref {}; the cell (or the window about a "
                                                "localised texture) is {:g} x {:g} {}^2 from ({:g}, {:g}) (1 along an axis "
                                                "nothing varies along: per unit length); the charge is -e times it",
                                                s.wall ? "the density of the domain wall's far field on its side of x = 0 (background), "
                                                         "their mean at x = 0"
                                                       : "the uniform texture m = background",
                                                s.cell[0], s.cell[1], lu, s.origin[0], s.origin[1]);
        out.units["bound_charge_uncorrected"] = "electrons per cell, [mu]: the same without Eqs. 23, 28";
        out.units["cell"] = fmt::format("{}: the sides [Lx, Ly] of the periodic cell, or of the window about a localised texture", lu);
        out.units["cell_origin"] = fmt::format("{}: the grid's first point (the window's corner)", lu);
        out.units["cell_points"] = "grid points along x and y (one along an axis nothing varies along)";
        out.units["background"] = s.wall ? "unit vectors [side][x, y, z]: the uniform textures of bound_charge's reference, the "
                                           "wall's far fields for x < 0 and x > 0"
                                         : "unit vector: the uniform texture of bound_charge's reference";
        out.results["cell"] = {s.cell[0], s.cell[1]};
        out.results["cell_origin"] = {s.origin[0], s.origin[1]};
        out.results["cell_points"] = {s.cell_points[0], s.cell_points[1]};
        out.results["background"] = {s.background[0], s.background[1], s.background[2]};
        if (s.wall) {
            const double* right = s.references[1].texture.direction;
            out.results["background"] = {out.results["background"], {right[0], right[1], right[2]}};
        }
    }
    // with the references' meshes
    out.kpoints = n + (s.bound_charge ? static_cast<long long>(s.references.size()) * s.mesh.count() : 0);
    // The table's rows: position, level, the densities (and each band's part) of a result.
    auto fill_rows = [&](const TaskResult& r, CsvTable& csv) {
        csv.rows.clear();
        for (long long a = 0; a < s.given; ++a)
            for (std::size_t j = 0; j < s.mu.size(); ++j) {
                std::vector<double> row{s.r[3 * a], s.r[3 * a + 1], s.r[3 * a + 2], s.mu[j], r.results["density"][a][j].get<double>(),
                                        r.results["density_uncorrected"][a][j].get<double>()};
                if (s.by_band)
                    for (const auto& part : r.results["density_bands"][a][j]) row.push_back(part.get<double>());
                csv.rows.push_back(row);
            }
    };
    CsvTable csv{"texture_density", fmt::format("r in {}; mu in {}; densities in 1/{}^{}", lu, eu, lu, dim),
                 {"x", "y", "z", "mu", "density", "density_uncorrected"}, {}};
    if (s.by_band)
        for (int b = 0; b < s.bands; ++b) csv.columns.push_back(fmt::format("density_band{}", b));
    csv.keys = 4;  // x, y, z, mu
    fill_rows(out, csv);
    out.tables.push_back(csv);
    out.remedy = s.bound_charge ? "the density is not resolved by the k-mesh or the cell's grid: raise [mesh] n or [task] "
                                  "cell_points (docs/accuracy.md)"
                                : "the density is not resolved by the k-mesh: raise [mesh] n (docs/accuracy.md)";
    if (s.mesh.coarse_factor() > 0) {
        TaskResult coarse = result(true);
        coarse.results["mu"] = out.results["mu"];
        coarse.results["r"] = out.results["r"];
        for (const char* key : {"cell", "cell_origin", "cell_points", "background"})
            if (out.results.contains(key)) coarse.results[key] = out.results[key];
        coarse.tables = out.tables;
        fill_rows(coarse, coarse.tables[0]);
        attach_errors(out, &coarse);
    } else {
        attach_errors(out, nullptr);
    }
    return out;
}

}  // namespace bzint
