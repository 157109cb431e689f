#include "task_common.hpp"

#include <fmt/core.h>

#include <algorithm>
#include <cmath>

#include "../engine.hpp"
#include "../input_error.hpp"
#include "../neumaier.hpp"
#include "../workers.hpp"

namespace bzint {

Mesh require_mesh(const TaskContext& ctx) {
    if (!ctx.cfg.mesh_n)
        throw InputError(fmt::format("{}: task '{}' integrates over k and needs a [mesh] table with n = [..] ({} integers)",
                                     ctx.file.path(), ctx.cfg.task, ctx.cfg.model->dim));
    return make_mesh(*ctx.cfg.model, ctx.cfg.params, *ctx.cfg.mesh_n, ctx.cfg.mesh_shift);
}

void require_dim(const TaskContext& ctx, int lo, int hi) {
    const int d = ctx.cfg.model->dim;
    if (d < lo || d > hi) {
        const std::string want = lo == hi ? fmt::format("{}D", lo) : fmt::format("{}D to {}D", lo, hi);
        ctx.task.fail("kind", fmt::format("task '{}' needs a {} model; '{}' is {}D", ctx.cfg.task, want,
                                          ctx.cfg.model->name, d));
    }
}

double read_temperature(const TaskContext& ctx) {
    const double T = ctx.task.number("T", 0.0);
    // −∂f/∂ε reaches 1/(4T): below 1e-12 (in the model's energy unit) it overflows the sums.
    if (T > 0.0 && T < 1e-12) ctx.task.fail("T", fmt::format("must be 0 or at least 1e-12, got {}", T));
    return T;
}

void require_scan_memory(const TaskContext& ctx, ScanKind kind, const std::vector<double>& mu, double T) {
    const Binning bins = make_binning(mu, T);
    const ScanChannels ch = scan_channels(kind, ctx.cfg.model->dim);
    // Two halves, the mesh and its coarse sub-mesh, and for all kinds but hybrid a second pair for the
    // points near a band touching (per_k.hpp key_by_submesh).
    const double sections = kind == ScanKind::hybrid ? 1.0 : 2.0;
    const int bands = scanned_bands(ctx.cfg.params);
    const double keys = 2.0 * sections * static_cast<double>(bands) * bins.n_bins();
    const double values = static_cast<double>(ch.n_sea + ch.n_surface) * bins.n_moments();
    const double per_histogram = keys * values * sizeof(Neumaier) + keys;
    const double bytes = (2 * workers::count() + 1) * per_histogram + 2.0 * static_cast<double>(mu.size()) * keys / bins.n_bins() * values * 8;
    require_memory(ctx.task, "mu", bytes,
                   fmt::format("a scan over {} levels at T = {:g} ({} energy bins × {} bands, two histograms per thread)",
                               mu.size(), T, bins.n_bins(), bands));
}

namespace {

std::array<double, 3> magnetic_from(const TaskContext& ctx, const std::string& key, const toml::node* n) {
    const int d = ctx.cfg.model->dim;
    if (d == 2) {
        auto v = n->value<double>();
        if (!v || !std::isfinite(*v))
            ctx.task.fail(key, fmt::format("the 2D model '{}' takes B as one number, B_z (in hbar/(e {}^2))",
                                           ctx.cfg.model->name, length_unit(*ctx.cfg.model)));
        ctx.task.check_range(key, *v);
        return {0.0, 0.0, *v};
    }
    const toml::array* a = n->as_array();
    std::array<double, 3> out{0, 0, 0};
    if (!a || a->size() != 3)
        ctx.task.fail(key, fmt::format("the {}D model '{}' takes B as [Bx, By, Bz] (in hbar/(e {}^2))", d, ctx.cfg.model->name,
                                       length_unit(*ctx.cfg.model)));
    for (int i = 0; i < 3; ++i) {
        auto v = (*a)[i].value<double>();
        if (!v || !std::isfinite(*v)) ctx.task.fail(key, "must contain finite numbers [Bx, By, Bz]");
        ctx.task.check_range(key, *v);
        out[i] = *v;
    }
    return out;
}

}  // namespace

std::array<double, 3> read_magnetic_field(const TaskContext& ctx, const std::string& key) {
    const toml::node* n = ctx.task.node(key);
    return n ? magnetic_from(ctx, key, n) : std::array<double, 3>{0, 0, 0};
}

std::vector<std::array<double, 3>> read_magnetic_fields(const TaskContext& ctx, const std::string& key) {
    std::vector<std::array<double, 3>> out;
    const toml::node* n = ctx.task.node(key);
    if (!n) return out;
    const toml::array* a = n->as_array();
    if (!a || a->empty())
        ctx.task.fail(key, ctx.cfg.model->dim == 2 ? "must be a non-empty list of B_z values" : "must be a non-empty list of [Bx, By, Bz]");
    if (static_cast<long long>(a->size()) > kMaxFieldList)
        ctx.task.fail(key, fmt::format("has {} fields; at most {} (one mesh pass each)", a->size(), kMaxFieldList));
    for (const toml::node& e : *a) out.push_back(magnetic_from(ctx, key, &e));
    return out;
}

std::array<double, 3> read_in_plane_vector(const TaskContext& ctx, const std::string& key) {
    std::array<double, 3> out{0, 0, 0};
    if (!ctx.task.has(key)) return out;
    const int d = ctx.cfg.model->dim;
    const auto v = ctx.task.numbers(key, 3);
    if (static_cast<int>(v.size()) != d)
        ctx.task.fail(key, fmt::format("needs {} Cartesian components for the {}D model '{}'", d, d, ctx.cfg.model->name));
    for (int i = 0; i < d; ++i) out[i] = v[i];
    return out;
}

double conductivity_factor(const ModelInfo& m) { return m.name == "wannier" ? 3874.045865 : 1.0; }

std::string conductivity_unit(const ModelInfo& m, int dim) {
    if (m.name == "wannier") return "S/cm";
    return dim == 2 ? "e^2/h" : "e^2/(h a)";
}

std::string energy_unit(const ModelInfo& m) {
    if (m.name == "wannier") return "eV";
    return fmt::format("energy unit of the '{}' parameters (hbar = e = 1)", m.name);
}

std::string length_unit(const ModelInfo& m) {
    if (m.name == "wannier") return "Angstrom";
    return m.lattice ? "a" : "L";
}

GeometryUnits geometry_units(const ModelInfo& m) {
    const std::string eu = energy_unit(m), lu = length_unit(m);
    return {eu, eu + " x " + lu + " (dE/dk, hbar = 1)", lu + "^2 (Omega_n = curl_k A_n, components [x, y, z])",
            "e/hbar x energy unit x " + lu + "^2 (hbar = e = 1)"};
}

std::string length_unit_meaning(const ModelInfo& m) {
    if (m.name == "wannier") return "Angstrom: the unit of the Wannier90 files' lattice and positions";
    return m.lattice ? "a: the length unit of the model's Bravais vectors (docs/conventions.md)"
                     : "L: the length unit implied by the parameters, L = v/E with hbar = 1 (docs/conventions.md)";
}

namespace {

// Band states on a sub-grid of the mesh, ≤ 4096 points (64 per axis in 2D, 16 in 3D, spread
// evenly along every axis: a stride through the linear index would alias onto one plane when it is
// a multiple of the last count): out[bands·i + band]. Empty when a sample sits on a degeneracy (the
// hybrid scan allows them): nothing to judge by.
std::vector<BandGeometry> sampled_states(const TaskContext& ctx, const Mesh& mesh) {
    const long long per_axis = mesh.dim == 1 ? 4096 : mesh.dim == 2 ? 64 : 16;
    long long m[3] = {1, 1, 1};
    for (int a = 0; a < 3; ++a) m[a] = std::min(mesh.n[a], per_axis);
    std::vector<std::array<double, 3>> k;
    k.reserve(static_cast<std::size_t>(m[0] * m[1] * m[2]));
    long long i[3];
    for (long long j0 = 0; j0 < m[0]; ++j0)
        for (long long j1 = 0; j1 < m[1]; ++j1)
            for (long long j2 = 0; j2 < m[2]; ++j2) {
                const long long j[3] = {j0, j1, j2};
                for (int a = 0; a < 3; ++a) i[a] = j[a] * mesh.n[a] / m[a];
                std::array<double, 3> q{};
                mesh.k_at_indices(i, q.data());
                k.push_back(q);
            }
    try {
        return geometry_at_points(Backend::cpu, ctx.cfg.params, k);
    } catch (const NonFiniteError&) {
        return {};
    }
}

double largest_spacing(const Mesh& mesh) {
    double spacing = 0.0;
    for (int a = 0; a < mesh.dim; ++a)
        spacing = std::max(spacing, std::sqrt(mesh.basis[a][0] * mesh.basis[a][0] + mesh.basis[a][1] * mesh.basis[a][1] +
                                              mesh.basis[a][2] * mesh.basis[a][2]) /
                                        static_cast<double>(mesh.n[a]));
    return spacing;
}

// Spacing × the largest band velocity of sampled states within 10T of a level, over T (T > 0).
double smearing_ratio(const std::vector<BandGeometry>& g, const Mesh& mesh, const std::vector<double>& mu, double T) {
    std::vector<double> levels = mu;
    std::sort(levels.begin(), levels.end());
    double v_fermi = 0.0;
    for (const BandGeometry& s : g) {
        const auto above = std::lower_bound(levels.begin(), levels.end(), s.energy);
        double gap = above == levels.end() ? INFINITY : *above - s.energy;
        if (above != levels.begin()) gap = std::min(gap, s.energy - *(above - 1));
        if (gap <= 10.0 * T) v_fermi = std::max(v_fermi, std::sqrt(s.v[0] * s.v[0] + s.v[1] * s.v[1] + s.v[2] * s.v[2]));
    }
    return v_fermi * largest_spacing(mesh) / T;
}

}  // namespace

FermiSurfaceCheck::FermiSurfaceCheck(const TaskContext& ctx, const Mesh& mesh, const std::vector<double>& mu, double T)
    : ctx_(ctx), mesh_(mesh), mu_(mu), T_(T) {}

const std::vector<BandGeometry>& FermiSurfaceCheck::states() const {
    if (!sampled_) {
        states_ = sampled_states(ctx_, mesh_);
        sampled_ = true;
    }
    return states_;
}

std::vector<std::string> FermiSurfaceCheck::smearing_warning(const std::string& term) const {
    if (T_ <= 0.0 || mu_.empty()) return {};
    const double ratio = smearing_ratio(states(), mesh_, mu_, T_);
    if (!(ratio > kResolvedSmearing)) return {};
    return {fmt::format("{} at T = {:g}: the mesh does not resolve the Fermi smearing (spacing × band velocity at the Fermi "
                        "level = {:.3g} T, above {:g} T): the Fermi surface is sampled like a T = 0 step and the error "
                        "estimate may miss its error; raise [mesh] n about {:.2g}-fold along each axis, or T (docs/accuracy.md)",
                        term, T_, ratio, kResolvedSmearing, ratio / 2.0)};
}

bool FermiSurfaceCheck::step() const {
    if (mu_.empty()) return false;
    const std::vector<BandGeometry>& g = states();
    if (g.empty()) return true;  // a sample on a degeneracy: not known, so judged a step (checked by a second pass)
    if (T_ > 0.0) return !(smearing_ratio(g, mesh_, mu_, T_) <= kResolvedSmearing);
    const int bands = model_bands(ctx_.cfg.params);
    for (int n = 0; n < bands; ++n) {
        double lo = INFINITY, hi = -INFINITY;
        for (std::size_t i = n; i < g.size(); i += bands) {
            lo = std::min(lo, g[i].energy);
            hi = std::max(hi, g[i].energy);
        }
        for (double m : mu_)
            if (lo < m && m < hi) return true;
    }
    return false;
}

GapBracket gap_bracket(double s_p, double s_2p) {
    const double upper = std::pow(s_p / s_2p, 1.0 / kGapPower);
    // A point at the floor makes S_2p^(−1/2p) ≤ the floor: the true gap there may be 0.
    const double least = std::pow(s_2p, -0.5 / kGapPower);
    const double lower = least <= kGapFloor * (1 + 1e-12) ? 0.0 : least;
    return {std::min(lower, upper), upper};
}

}  // namespace bzint
