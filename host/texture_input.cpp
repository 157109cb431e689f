#include "texture_input.hpp"

#include <fmt/core.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <filesystem>
#include <string>

#include "bzint/texture_density.hpp"
#include "input_error.hpp"
#include "model_registry.hpp"

namespace bzint {

namespace {

struct KindName {
    const char* name;
    TextureKind kind;
};
constexpr std::array<KindName, 6> kKinds{{{"uniform", TextureKind::uniform},
                                           {"skyrmion_lattice", TextureKind::skyrmion_lattice},
                                           {"skyrmion", TextureKind::skyrmion},
                                           {"domain_wall", TextureKind::domain_wall},
                                           {"spiral", TextureKind::spiral},
                                           {"table", TextureKind::table}}};
constexpr const char* kKindChoices = "uniform, skyrmion_lattice, skyrmion, domain_wall, spiral, table";

// An integer-valued number key (winding, polarity), within the key's range.
double whole_number(const Section& s, const std::string& key, double fallback) {
    const double v = s.number(key, fallback);
    if (v != std::round(v)) s.fail(key, fmt::format("{} must be an integer, not {:g}", key, v));
    return v;
}

// A cell's sides, `key` = L (a square) or [Lx, Ly].
std::array<double, 2> cell_sides(const Section& s, const std::string& key) {
    if (s.node(key) && s.node(key)->is_array()) {
        const std::vector<double> v = s.numbers(key, 2);
        if (v.size() != 2) s.fail(key, fmt::format("{} needs the cell's two sides [Lx, Ly] (or one number, L, for a square)", key));
        return {v[0], v[1]};
    }
    return {s.number(key), s.number(key)};
}

// A table a [texture] key names, as a path that exists (relative to the run file's folder).
std::string existing_table(const TaskContext& ctx, const Section& s, const char* key) {
    (void)s.string(key);  // required, a string
    const std::string path = texture_file(ctx.file, key);
    std::error_code ec;
    if (!std::filesystem::is_regular_file(path, ec))
        s.fail(key, fmt::format("{}: no such file (paths are relative to the run file's folder)", path));
    return path;
}

// [texture] potential and its keys (each shape's own; the others' are refused).
void read_potential(const TaskContext& ctx, const Section& s, TextureSetup& t) {
    ScalarPotential& u = t.potential;
    const std::string shape = s.string("potential", "none");
    const char* keys[] = {"potential_amplitude", "potential_period", "potential_axis", "potential_width", "potential_file"};
    auto refuse_others = [&](std::initializer_list<const char*> own) {
        for (const char* key : keys)
            if (s.has(key) && std::find_if(own.begin(), own.end(), [&](const char* o) { return std::string(o) == key; }) == own.end())
                s.fail(key, fmt::format("{} does not apply to potential = \"{}\"", key, shape));
    };
    if (shape == "none") {
        refuse_others({});
        return;
    }
    if (shape == "cosine") {
        refuse_others({"potential_amplitude", "potential_period", "potential_axis"});
        u.shape = PotentialShape::cosine;
        u.period = s.number("potential_period");
        const std::string axis = s.string("potential_axis", "x");
        if (axis != "x" && axis != "y") s.fail("potential_axis", fmt::format("unknown axis '{}'; valid choices: x, y", axis));
        u.axis = axis == "x" ? 0 : 1;
    } else if (shape == "gaussian") {
        refuse_others({"potential_amplitude", "potential_width"});
        u.shape = PotentialShape::gaussian;
        u.width = s.number("potential_width");
    } else if (shape == "table") {
        // U from the file, in energy units: no amplitude of its own (texture.hpp: `amplitude` then
        // holds the bound max |c| of the spline's coefficients).
        refuse_others({"potential_period", "potential_file"});
        const std::array<double, 2> period = cell_sides(s, "potential_period");
        t.potential_table = read_potential_table(existing_table(ctx, s, "potential_file"), period, s.where("potential_file"));
        u.shape = PotentialShape::table;
        u.table = t.potential_table->spline;
        for (double c : t.potential_table->coefficients) u.amplitude = std::max(u.amplitude, std::fabs(c));
        return;
    } else {
        s.fail("potential", fmt::format("unknown potential '{}'; valid choices: none, cosine, gaussian, table", shape));
    }
    u.amplitude = s.number("potential_amplitude");
}

}  // namespace

TextureSetup read_texture(const TaskContext& ctx) {
    if (!ctx.file.root()["texture"].as_table())
        throw InputError(fmt::format("{}: task '{}' needs a [texture] table (kind = {}; docs/textures.md)", ctx.file.path(),
                                     ctx.cfg.task, kKindChoices));
    const std::string name = task_section(ctx, "texture").string("kind");
    const KindName* found = nullptr;
    for (const KindName& k : kKinds)
        if (name == k.name) found = &k;
    if (!found)
        task_section(ctx, "texture")
            .fail("kind", fmt::format("unknown texture '{}'; valid choices: {}", name, kKindChoices));
    const std::string variant = "texture " + name;
    const Section s = task_section(ctx, "texture", variant.c_str());
    s.only();
    TextureSetup t;
    SpinTexture& m = t.texture;
    m.kind = found->kind;
    t.exchange = s.number("exchange");
    t.mass_rate = s.number("mass_rate", 0.0);
    if (t.mass_rate != 0.0 && ctx.cfg.model->bands != 2)
        s.fail("mass_rate", fmt::format("mass_rate ramps a two-band model's mass (ṁ t σ_z, Sec. III B); '{}' has {} bands, "
                                        "whose mass is a matrix of its own",
                                        ctx.cfg.model->name, ctx.cfg.model->bands));
    // B: a number (B_z) for a 2D model, [Bx, By, Bz] otherwise, as [task] B of task streda.
    if (const toml::node* b = s.node("B")) {
        if (b->is_array()) {
            const std::vector<double> v = s.numbers("B", 3);
            if (v.size() != 3) s.fail("B", "B needs three components [Bx, By, Bz] (or one number, B_z, for a 2D model)");
            std::copy(v.begin(), v.end(), t.field);
        } else if (ctx.cfg.model->dim == 2) {
            t.field[2] = s.number("B");
        } else {
            s.fail("B", fmt::format("a {}D model needs B as [Bx, By, Bz]", ctx.cfg.model->dim));
        }
    }
    switch (m.kind) {
        case TextureKind::uniform: {
            const std::vector<double> dir = s.numbers("direction", 3);
            if (dir.size() != 3) s.fail("direction", "direction needs three components [mx, my, mz]");
            const double norm = std::sqrt(dir[0] * dir[0] + dir[1] * dir[1] + dir[2] * dir[2]);
            if (!(norm > 0.0)) s.fail("direction", "direction must not be zero");
            for (int i = 0; i < 3; ++i) m.direction[i] = dir[i] / norm;
            break;
        }
        case TextureKind::skyrmion_lattice:
        case TextureKind::skyrmion:
            m.radius = s.number("radius");
            if (m.kind == TextureKind::skyrmion_lattice) {
                m.period = s.number("period");
                if (m.radius > 0.5 * m.period)
                    s.fail("radius", fmt::format("radius {:g} exceeds half the period {:g}: neighbouring skyrmions would "
                                                 "overlap",
                                                 m.radius, m.period));
            }
            m.winding = whole_number(s, "winding", 1.0);
            if (m.winding == 0.0) s.fail("winding", "winding must not be 0 (that is the uniform texture)");
            m.helicity = s.number("helicity", 0.0);
            m.polarity = whole_number(s, "polarity", 1.0);
            break;
        case TextureKind::domain_wall:
            m.width = s.number("width");
            m.helicity = s.number("helicity", 0.0);
            m.polarity = whole_number(s, "polarity", 1.0);
            break;
        case TextureKind::spiral:
            m.period = s.number("period");
            m.winding = whole_number(s, "winding", 1.0);
            if (m.winding == 0.0) s.fail("winding", "winding must not be 0 (that is the uniform texture)");
            m.helicity = s.number("helicity", 0.0);
            m.polarity = whole_number(s, "polarity", 1.0);
            break;
        case TextureKind::table:
            t.table = read_texture_table(existing_table(ctx, s, "file"), cell_sides(s, "period"), s.where("file"));
            m.table = t.table->spline;
            break;
    }
    if (m.polarity != 1.0 && m.polarity != -1.0) s.fail("polarity", "polarity must be 1 or -1");
    read_potential(ctx, s, t);
    // B_modulation: B_z(r) = B1 cos(2π r_axis/L), in texture.hpp's periodic gauge.
    if (s.has("B_modulation")) {
        if (ctx.cfg.model->dim < 2) s.fail("B_modulation", "a modulated B_z needs a 2D or 3D model");
        FieldModulation& b = t.modulation;
        b.amplitude = s.number("B_modulation");
        b.period = s.number("B_modulation_period");
        const std::string axis = s.string("B_modulation_axis", "x");
        if (axis != "x" && axis != "y")
            s.fail("B_modulation_axis", fmt::format("unknown axis '{}'; valid choices: x, y", axis));
        b.axis = axis == "x" ? 0 : 1;
        // Its vector potential reaches |B1| L/2π everywhere: beyond 1e6 the momentum p = k − a loses
        // digits of k (as require_small_gauge_shift says for the uniform fields).
        if (std::fabs(b.amplitude) * b.period / (2 * kPi) > 1e6)
            s.fail("B_modulation", fmt::format("its vector potential reaches |B1| L/2π = {:.3g}: beyond 1e6 the momentum "
                                               "p = k − a loses digits of k; use a weaker or shorter modulation",
                                               std::fabs(b.amplitude) * b.period / (2 * kPi)));
    } else {
        for (const char* key : {"B_modulation_period", "B_modulation_axis"})
            if (s.has(key)) s.fail(key, fmt::format("{} describes B_modulation, which is not given", key));
    }
    // E: a uniform electric field in the model's dimensions, in the temporal gauge (texture.hpp).
    if (s.node("E")) {
        const int dim = ctx.cfg.model->dim;
        const std::vector<double> v = s.numbers("E", 3);
        if (v.size() != static_cast<std::size_t>(dim))
            s.fail("E", fmt::format("E needs {} components for a {}D model (the field along its momentum axes)", dim, dim));
        std::copy(v.begin(), v.end(), t.electric);
    }
    // velocity: the texture slides rigidly, m(r − v t) (texture.hpp's texture_at).
    if (s.node("velocity")) {
        const int dim = ctx.cfg.model->dim;
        const std::vector<double> v = s.numbers("velocity", 3);
        if (v.size() != static_cast<std::size_t>(dim))
            s.fail("velocity", fmt::format("velocity needs {} components for a {}D model (the texture's motion in its plane "
                                           "or space)",
                                           dim, dim));
        std::copy(v.begin(), v.end(), t.velocity);
    }
    return t;
}

std::string texture_file(const RunFile& file, const char* key) {
    const toml::table* texture = file.root()["texture"].as_table();
    const toml::value<std::string>* name = texture ? texture->get_as<std::string>(key) : nullptr;
    if (!name) return {};
    std::filesystem::path path = name->get();
    if (path.is_relative()) path = std::filesystem::path(file.path()).parent_path() / path;
    return path.string();
}

std::vector<std::string> texture_table_files(const RunFile& file) {
    const toml::table* texture = file.root()["texture"].as_table();
    if (!texture) return {};
    std::vector<std::string> files;
    const auto* kind = texture->get_as<std::string>("kind");
    if (kind && kind->get() == "table" && !texture_file(file, "file").empty()) files.push_back(texture_file(file, "file"));
    const auto* potential = texture->get_as<std::string>("potential");
    if (potential && potential->get() == "table" && !texture_file(file, "potential_file").empty())
        files.push_back(texture_file(file, "potential_file"));
    return files;
}

namespace {
template <class Model>
constexpr bool has_orbital_positions() {
    return requires(double tau[2][3]) { Model::orbital_positions(tau); };
}
}  // namespace

bool has_orbital_phases(const TaskContext& ctx) {
    bool positions = false;
    visit_model(ctx.cfg.params, [&](auto model) { positions = has_orbital_positions<decltype(model)>(); });
    return positions;
}

void orbital_positions(const TaskContext& ctx, double tau[2][3]) {
    for (int a = 0; a < 2; ++a)
        for (int c = 0; c < 3; ++c) tau[a][c] = 0.0;
    visit_model(ctx.cfg.params, [&](auto model) {
        if constexpr (has_orbital_positions<decltype(model)>()) decltype(model)::orbital_positions(tau);
    });
}

bool periodic_in_k(const TaskContext& ctx, const TextureTerms& t) {
    const bool positions = has_orbital_phases(ctx);
    const SpinTexture& m = t.texture;
    const bool along_z = m.kind == TextureKind::uniform && m.direction[0] == 0.0 && m.direction[1] == 0.0;
    return !positions || t.exchange == 0.0 || along_z;
}

void require_periodic_lattice(const TaskContext& ctx, const TextureTerms& t) {
    if (ctx.cfg.model->lattice && !periodic_in_k(ctx, t))
        task_section(ctx, "texture")
            .fail("kind", fmt::format("'{}' carries orbital-position phases, so with an exchange field that is not along z "
                                      "H(k + G) is not H(k) up to a unitary and the Brillouin-zone integral depends on the "
                                      "cell chosen; use kind = \"uniform\" with direction = [0, 0, 1], or another model",
                                      ctx.cfg.model->name));
}

bool is_sliding(const TextureTerms& t) { return t.velocity[0] != 0.0 || t.velocity[1] != 0.0 || t.velocity[2] != 0.0; }

PumpPeriod pump_period(const TaskContext& ctx, const TextureTerms& t) {
    const ModelInfo& info = *ctx.cfg.model;
    if (!info.lattice || t.mass_rate != 0.0 || is_sliding(t)) return {};
    // E = Σ_i e_i G_i with e_i = E·a_i/2π (a_i·G_j = 2π δ_ij).
    double e[3], largest = 0.0;
    for (int i = 0; i < 3; ++i) {
        e[i] = (info.bravais[i][0] * t.electric[0] + info.bravais[i][1] * t.electric[1] + info.bravais[i][2] * t.electric[2]) /
               (2.0 * std::acos(-1.0));
        largest = std::max(largest, std::fabs(e[i]));
    }
    if (largest == 0.0) return {};
    int axis = -1, count = 0;
    for (int i = 0; i < 3; ++i)
        if (std::fabs(e[i]) > 1e-12 * largest) {
            axis = i;
            ++count;
        }
    if (count != 1) return {};
    return {1.0 / std::fabs(e[axis]), axis};
}

PumpPeriod require_pump_period(const TaskContext& ctx, const TextureTerms& t, const Section& section, const std::string& key) {
    const PumpPeriod pump = pump_period(ctx, t);
    if (pump.period == 0.0)
        section.fail(key, "a Hamiltonian periodic in t is needed: a lattice model with [texture] E along one reciprocal vector "
                          "G_i (the Bloch period |G_i|/|E|), no mass_rate (a ramp) and no velocity (a sliding texture's "
                          "invariant is task phase_space_chern's plane with t) (docs/textures.md)");
    if (!(pump.period <= 1e12))
        section.fail(key, fmt::format("[texture] E is so weak that its Bloch period is {:g} ħ/energy, over 1e12", pump.period));
    return pump;
}

namespace {

// A common period of two parts of H, each given in curvature_period's terms (−1: any length, 0: none):
// the longer where one is a whole multiple of the other.
double common_period(double a, double b) {
    if (a < 0.0) return b;
    if (b < 0.0) return a;
    if (a == 0.0 || b == 0.0) return 0.0;
    const double longer = std::max(a, b), ratio = longer / std::min(a, b);
    return std::fabs(ratio - std::round(ratio)) < 1e-12 * ratio ? longer : 0.0;
}

// The least common multiple of two periods in the same terms: longer/shorter = p/q in lowest terms
// with q ≤ 64 (to 1e-12) gives q × the longer; 0 where there is none (incommensurate, or either has
// no period).
double common_multiple(double a, double b) {
    if (a < 0.0) return b;
    if (b < 0.0) return a;
    if (a == 0.0 || b == 0.0) return 0.0;
    const double longer = std::max(a, b), ratio = longer / std::min(a, b);
    for (int q = 1; q <= 64; ++q)
        if (std::fabs(ratio * q - std::round(ratio * q)) <= 1e-12 * ratio * q) return longer * q;
    return 0.0;
}

double modulation_period(const FieldModulation& b, int axis) {
    return b.amplitude != 0.0 && axis == b.axis ? b.period : -1.0;
}

double potential_period(const ScalarPotential& u, int axis) {
    switch (u.shape) {
        case PotentialShape::none: return -1.0;
        case PotentialShape::cosine: return axis == u.axis ? u.period : -1.0;
        case PotentialShape::gaussian: return axis < 2 ? 0.0 : -1.0;
        case PotentialShape::table: return axis < 2 && u.table.n[axis] > 1 ? u.table.n[axis] * u.table.spacing[axis] : -1.0;
    }
    return 0.0;
}

}  // namespace

double require_time_period(const TaskContext& ctx, const TextureTerms& t, const Section& section, const std::string& key,
                           bool potential_slides) {
    if (!is_sliding(t)) return require_pump_period(ctx, t, section, key).period;
    const double E = std::fabs(t.electric[0]) + std::fabs(t.electric[1]) + std::fabs(t.electric[2]);
    if (E != 0.0 || t.mass_rate != 0.0)
        section.fail(key, "a sliding texture with [texture] E or mass_rate: H has no common period in t (give one time "
                          "dependence: the slide, or E along one G_i)");
    // H(t + T) = H(t) when v T is a period of the texture: v_a T a whole multiple of its period P_a
    // along every axis a it slides and varies along (the cells are rectangular). Each such axis
    // repeats after T_a = P_a/|v_a|; T is their least common multiple, where their ratios are
    // fractions p/q with q ≤ 64 (to 1e-12).
    const char* names[] = {"x", "y", "z"};
    double T = 0.0;
    for (int a = 0; a < 3; ++a) {
        if (t.velocity[a] == 0.0) continue;
        const double P = potential_slides ? common_multiple(spin_texture_period(t.texture, a), potential_period(t.potential, a))
                                          : spin_texture_period(t.texture, a);
        if (P < 0.0) continue;  // what slides does not vary along a: sliding along it changes nothing
        if (P == 0.0)
            section.fail(key, fmt::format("{} no period along {} ({}), so sliding along it is not periodic in t",
                                          potential_slides ? "the texture with its sliding potential has" : "the texture has",
                                          names[a],
                                          potential_slides ? "domain walls, isolated skyrmions and gaussian potentials are not "
                                                             "periodic, nor are two periods whose ratio is no fraction p/q "
                                                             "with q ≤ 64"
                                                           : "domain walls and isolated skyrmions are not periodic"));
        const double Ta = P / std::fabs(t.velocity[a]);
        if (T == 0.0) {
            T = Ta;
            continue;
        }
        const double ratio = T / Ta;  // = p/q: the common period is q T = p Ta
        int q = 1;
        while (q <= 64 && std::fabs(ratio * q - std::round(ratio * q)) > 1e-12 * ratio * q) ++q;
        if (q > 64)
            section.fail(key, fmt::format("[texture] velocity slides the texture along a direction where it never repeats "
                                          "(its periods along the axes take {:g} and {:g} in t, no ratio p/q with q ≤ 64): "
                                          "no period in t",
                                          T, Ta));
        T *= q;
    }
    if (T == 0.0)
        section.fail(key, fmt::format("{} along the direction it slides, so sliding leaves H unchanged: a torus with t "
                                      "needs a texture that changes as it slides",
                                      potential_slides ? "neither the texture nor its potential varies" : "the texture does not vary"));
    if (!(T <= 1e12))
        section.fail(key, fmt::format("[texture] velocity is so slow that its period is {:g} ħ/energy, over 1e12", T));
    return T;
}

void require_small_gauge_shift(const Section& task, const TextureTerms& t, const std::vector<double>& points,
                               const char* position_key) {
    const double B = std::sqrt(t.field[0] * t.field[0] + t.field[1] * t.field[1] + t.field[2] * t.field[2]);
    const double E = std::sqrt(t.electric[0] * t.electric[0] + t.electric[1] * t.electric[1] + t.electric[2] * t.electric[2]);
    // The modulation's |a| is at most |B1| L/2π, wherever the point is.
    const double modulated = std::fabs(t.modulation.amplitude) * t.modulation.period / (2 * kPi);
    const double v = std::sqrt(t.velocity[0] * t.velocity[0] + t.velocity[1] * t.velocity[1] + t.velocity[2] * t.velocity[2]);
    for (std::size_t a = 0; a + 3 < points.size(); a += 4) {
        const double r = std::sqrt(points[a] * points[a] + points[a + 1] * points[a + 1] + points[a + 2] * points[a + 2]);
        // A sliding texture is read at r − v t: beyond 1e6 that position loses digits of r.
        if (v * std::fabs(points[a + 3]) > 1e6)
            task.fail("t", fmt::format("at t = {:g} the sliding texture has moved |v t| = {:.3g}: beyond 1e6 its position "
                                       "r − v t loses digits of r; take t within one of the texture's periods",
                                       points[a + 3], v * std::fabs(points[a + 3])));
        const double from_r = 0.5 * B * r + modulated, from_t = E * std::fabs(points[a + 3]);
        if (from_r + from_t > 1e6)
            task.fail(from_r > from_t ? position_key : "t",
                      fmt::format("at (r, t) = (({:g}, {:g}, {:g}), {:g}) the vector potential |a| (B × r/2, the modulation's "
                                  "and −E t) reaches "
                                  "{:.3g}: beyond 1e6 the momentum p = k − a loses digits of k; move the point nearer the "
                                  "origin (or make the field or the region smaller)",
                                  points[a], points[a + 1], points[a + 2], points[a + 3], from_r + from_t));
    }
}

double charge_per_chain(const ModelInfo& info, int axis, const std::array<double, 3>& q) {
    const double* a = info.bravais[axis];
    const double* o = info.bravais[1 - axis];
    auto cross = [](const double* u, const double* v) {
        return std::array<double, 3>{u[1] * v[2] - u[2] * v[1], u[2] * v[0] - u[0] * v[2], u[0] * v[1] - u[1] * v[0]};
    };
    const std::array<double, 3> qa = cross(q.data(), a), oa = cross(o, a);
    const double norm = std::sqrt(oa[0] * oa[0] + oa[1] * oa[1] + oa[2] * oa[2]);
    return (qa[0] * oa[0] + qa[1] * oa[1] + qa[2] * oa[2]) / norm;
}

std::vector<double> read_positions(const Section& task, long long max_count) {
    const auto r = task.has("r") ? task.vectors("r", max_count) : std::vector<std::vector<double>>{{0.0, 0.0, 0.0}};
    std::vector<double> out;
    for (const auto& v : r) {
        if (v.size() != 3) task.fail("r", "each position needs three components [x, y, z]");
        out.insert(out.end(), v.begin(), v.end());
    }
    if (out.empty()) task.fail("r", "r needs at least one position");
    return out;
}

std::vector<std::array<double, 6>> read_phase_points(const TaskContext& ctx, long long max_count) {
    const Section& task = ctx.task;
    const ModelInfo& info = *ctx.cfg.model;
    const std::vector<double> r = read_positions(task, max_count);
    const auto k = task.has("k") ? task.vectors("k", max_count) : std::vector<std::vector<double>>{std::vector<double>(info.dim, 0.0)};
    if (k.empty()) task.fail("k", "k needs at least one k-point");
    for (const auto& v : k)
        if (v.size() != static_cast<std::size_t>(info.dim))
            task.fail("k", fmt::format("each k-point needs {} components for a {}D model", info.dim, info.dim));
    const std::size_t nr = r.size() / 3;
    if (nr != k.size() && nr != 1 && k.size() != 1)
        task.fail("k", fmt::format("{} positions and {} k-points: give as many of each, or one of either", nr, k.size()));
    std::vector<std::array<double, 6>> points;
    for (std::size_t i = 0; i < std::max(nr, k.size()); ++i) {
        const double* ri = r.data() + 3 * (nr == 1 ? 0 : i);
        const auto& ki = k[k.size() == 1 ? 0 : i];
        std::array<double, 3> kr{0.0, 0.0, 0.0};
        std::copy(ki.begin(), ki.end(), kr.begin());
        const std::array<double, 3> kc = cartesian_k(info, kr);
        points.push_back({ri[0], ri[1], ri[2], kc[0], kc[1], kc[2]});
    }
    return points;
}

double derivative_step(const Mesh& mesh) {
    double shortest = 0.0;
    for (int i = 0; i < mesh.dim; ++i) {
        const double* g = mesh.basis[i];
        const double len = std::sqrt(g[0] * g[0] + g[1] * g[1] + g[2] * g[2]);
        shortest = i == 0 ? len : std::min(shortest, len);
    }
    return 1e-4 * shortest;
}

namespace {

double spin_texture_step(const SpinTexture& t) {
    switch (t.kind) {
        case TextureKind::uniform: return 1e-4;
        case TextureKind::skyrmion_lattice: return 1e-4 * std::min(t.radius, t.period);
        case TextureKind::skyrmion: return 1e-4 * t.radius;
        case TextureKind::domain_wall: return 1e-4 * t.width;
        case TextureKind::spiral: return 1e-4 * t.period;
        case TextureKind::table: return 1e-4 * std::min(t.table.spacing[0], t.table.spacing[1]);
    }
    return 1e-4;
}

}  // namespace

double position_step(const TextureTerms& t) {
    double step = spin_texture_step(t.texture);
    if (t.modulation.amplitude != 0.0) step = std::min(step, 1e-4 * t.modulation.period);
    const ScalarPotential& u = t.potential;
    if (u.shape == PotentialShape::cosine) step = std::min(step, 1e-4 * u.period);
    if (u.shape == PotentialShape::gaussian) step = std::min(step, 1e-4 * u.width);
    if (u.shape == PotentialShape::table) step = std::min(step, 1e-4 * std::min(u.table.spacing[0], u.table.spacing[1]));
    return step;
}

std::string first_order_warning(const double point[4], const std::string& which, double fraction) {
    return fmt::format("at {} (r = ({:g}, {:g}, {:g}), t = {:g}) the scalar curvature |F| (N bands: some band's 2|1 - D_n|) "
                       "is at least {} on {:.3g} % of the k-mesh: the energy correction and density-of-states factor (Eqs. 23, 28) are first order in F "
                       "and drop ~F^2/8 (over 1 %) there; the texture varies too fast for the gap (make it smoother or the "
                       "gap larger)",
                       which, point[0], point[1], point[2], point[3], kFirstOrderLimit, 100.0 * fraction);
}

double spin_texture_period(const SpinTexture& t, int axis) {
    switch (t.kind) {
        case TextureKind::uniform: return -1.0;
        case TextureKind::skyrmion_lattice: return axis < 2 ? t.period : -1.0;
        case TextureKind::spiral: return axis == 0 ? t.period : -1.0;
        case TextureKind::skyrmion: return axis < 2 ? 0.0 : -1.0;
        case TextureKind::domain_wall: return axis == 0 ? 0.0 : -1.0;
        case TextureKind::table: return axis < 2 && t.table.n[axis] > 1 ? t.table.n[axis] * t.table.spacing[axis] : -1.0;
    }
    return 0.0;
}

double curvature_period(const TextureTerms& t, int axis) {
    return common_period(spin_texture_period(t.texture, axis), modulation_period(t.modulation, axis));
}

double density_period(const TextureTerms& t, int axis) {
    return common_period(curvature_period(t, axis), potential_period(t.potential, axis));
}


PhaseAxes read_phase_axes(const TaskContext& ctx, const TextureTerms& texture, const std::string& key, int count) {
    const Section& task = ctx.task;
    const ModelInfo& info = *ctx.cfg.model;
    const char* what = count == 2 ? "plane" : "torus";
    const toml::array* names = task.node(key) ? task.node(key)->as_array() : nullptr;
    if (!names || names->size() != static_cast<std::size_t>(count))
        task.fail(key, fmt::format("{} needs {} axes, e.g. {}, from x, y, z, k1, k2, k3, t", key, count,
                                   count == 2 ? "[\"x\", \"y\"]" : "[\"k1\", \"k2\", \"x\", \"y\"]"));
    PhaseAxes out;
    out.edge.assign(static_cast<std::size_t>(count), {});
    double G[3][3];
    reciprocal_basis(info.bravais, G);
    bool k_axis = false;
    for (int a = 0; a < count; ++a) {
        const auto* name = (*names)[a].as_string();
        const std::string axis = name ? name->get() : "";
        const auto it = std::find(kPhaseAxisNames.begin(), kPhaseAxisNames.end(), axis);
        if (it == kPhaseAxisNames.end())
            task.fail(key, fmt::format("unknown axis '{}'; valid choices: x, y, z, k1, k2, k3, t", axis));
        const int I = static_cast<int>(it - kPhaseAxisNames.begin());
        if (std::find(out.axes.begin(), out.axes.end(), I) != out.axes.end())
            task.fail(key, fmt::format("the {}'s axes must differ ('{}' appears twice)", what, axis));
        out.axes.push_back(I);
        double* edge = out.edge[a].data();
        if (I == kCoordT) {
            edge[kCoordT] = require_time_period(ctx, texture, task, key);
            k_axis = k_axis || !is_sliding(texture);  // E's period shifts the kinetic momentum by G_i
        } else if (I < kCoordKx) {
            const double* B = texture.field;
            if (B[0] != 0.0 || B[1] != 0.0 || B[2] != 0.0)
                task.fail(key, fmt::format("a real-space axis ({}) with [texture] B: the vector potential a(r) = (B × r)/2 "
                                           "is not periodic; use a {} of k (and t) at fixed r (a B_modulation is periodic)",
                                           axis, what));
            const double L = curvature_period(texture, I);  // U enters no curvature
            if (L == 0.0)
                task.fail(key, fmt::format("the texture has no period along {} (domain walls and isolated skyrmions "
                                           "are not periodic, and a B_modulation's period must be a whole multiple or "
                                           "fraction of the texture's); use skyrmion_lattice, spiral or uniform",
                                           axis));
            edge[I] = L > 0.0 ? L : texture.texture.period;
        } else {
            const int i = I - kCoordKx;
            if (!info.lattice)
                task.fail(key, fmt::format("'{}' is a continuum model: its k-space has no period along {}; use a "
                                           "lattice model for a {} with a k axis",
                                           info.name, axis, what));
            if (i >= info.dim) task.fail(key, fmt::format("'{}' is a {}D model: it has no {}", info.name, info.dim, axis));
            for (int c = 0; c < 3; ++c) edge[kCoordKx + c] = G[i][c];
            k_axis = true;
        }
    }
    if (k_axis && !periodic_in_k(ctx, texture))
        task.fail(key, fmt::format("'{}' carries orbital-position phases, so H(k + G) equals H(k) only up to a "
                                   "unitary that does not commute with an in-plane exchange field: a {} with a k "
                                   "axis needs a uniform texture along z",
                                   info.name, what));
    // The fixed point.
    const std::vector<double> r = task.node("r") ? task.numbers("r", 3) : std::vector<double>{0.0, 0.0, 0.0};
    if (r.size() != 3) task.fail("r", "r needs three components [x, y, z]");
    std::vector<double> k = task.node("k") ? task.numbers("k", 3) : std::vector<double>(info.dim, 0.0);
    if (k.size() != static_cast<std::size_t>(info.dim))
        task.fail("k", fmt::format("k needs {} components for a {}D model", info.dim, info.dim));
    std::array<double, 3> kr{0.0, 0.0, 0.0};
    std::copy(k.begin(), k.end(), kr.begin());
    std::copy(kr.begin(), kr.end(), out.k_reduced);
    const std::array<double, 3> kc = cartesian_k(info, kr);
    for (int c = 0; c < 3; ++c) {
        out.at[kCoordX + c] = r[c];
        out.at[kCoordKx + c] = kc[c];
    }
    out.at[kCoordT] = task.number("t", 0.0);
    return out;
}

nlohmann::json bands_innermost(const std::vector<nlohmann::json>& band, std::size_t points) {
    nlohmann::json out = nlohmann::json::array();
    for (std::size_t a = 0; a < points; ++a) {
        nlohmann::json levels = nlohmann::json::array();
        for (std::size_t l = 0; l < band[0][a].size(); ++l) {
            nlohmann::json parts = nlohmann::json::array();
            for (const auto& b : band) parts.push_back(b[a][l]);
            levels.push_back(parts);
        }
        out.push_back(levels);
    }
    return out;
}

}  // namespace bzint
