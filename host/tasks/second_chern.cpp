// The second Chern number of an N-band model's filled bands over a 4D torus of momenta and model
// parameters, or with a [texture] over a 4D torus of phase space and time
// (include/bzint/second_chern.hpp, phase_four_torus.hpp; docs/second-chern.md): by the integral of
// tr F∧F/8π² with its coarse-sub-mesh error estimate, by the lattice method (an integer, with its
// checks), and the smallest gap met.
#include <fmt/core.h>

#include <algorithm>
#include <cmath>
#include <string>

#include "../engine.hpp"
#include "../input_error.hpp"
#include "../texture_input.hpp"
#include "../wannier/wannier_model.hpp"
#include "second_chern_checks.hpp"
#include "task_common.hpp"

namespace bzint {

namespace {

constexpr long long kMaxTorusPoints = 1LL << 40;

std::string axis_choices(const ModelInfo& info) {
    std::string s;
    for (int i = 0; i < info.dim; ++i) s += fmt::format("k{}, ", i + 1);
    for (std::size_t j = 0; j < info.params.size(); ++j) s += (j ? ", " : "") + std::string(info.params[j].name);
    return s;
}

// The largest |H(s) − H(s + shift along axis a)| over a few points, relative to max |H|.
template <class Model>
double change_along(const FourTorus& torus, int a, double shift) {
    constexpr int N = Model::bands;
    double worst = 0.0;
    const double probes[3][4] = {{0.1, 0.27, 0.6, 0.33}, {0.71, 0.05, 0.42, 0.9}, {0.37, 0.83, 0.19, 0.55}};
    for (const auto& probe : probes) {
        double s[4] = {probe[0], probe[1], probe[2], probe[3]};
        NBandPoint<N> p, q;
        torus.at<Model, N>(s, p);
        s[a] += shift;
        torus.at<Model, N>(s, q);
        double scale = 1e-300, d = 0.0;
        for (int r = 0; r < N; ++r)
            for (int c = 0; c < N; ++c) {
                scale = std::max(scale, std::sqrt(norm2(p.H[r][c])));
                d = std::max(d, std::sqrt(norm2(p.H[r][c] - q.H[r][c])));
            }
        worst = std::max(worst, d / scale);
    }
    return worst;
}

// Refuses a parameter axis that does not close a torus once: H must repeat after `period`
// (checked at three points), change along the way (a parameter H hardly depends on, or a period
// far below its own, gives a torus of zero width and C₂ = 0), and not repeat after period/p for
// p = 2 … 8 (the torus would cover the circle p times and C₂ come out p-fold).
template <class Model>
void check_parameter_axis(const Section& task, const FourTorus& t, int a, const std::string& name) {
    const double period = t.period[a];
    const double defect = change_along<Model>(t, a, 1.0);
    if (defect > 1e-9)
        task.fail("period", fmt::format("H is not periodic in {} with period {:g} (changes by {:.2g} of |H|): give the "
                                        "parameter's period",
                                        name, period, defect));
    double largest = 0.0;
    for (double x : {0.25, 0.5, 0.75}) largest = std::max(largest, change_along<Model>(t, a, x));
    if (largest < 1e-6)
        task.fail("axes", fmt::format("H hardly changes along {} over the period {:g} (by {:.2g} of |H|): the torus would "
                                      "have no width along it",
                                      name, period, largest));
    for (int p = 2; p <= 8; ++p)
        if (change_along<Model>(t, a, 1.0 / p) <= 1e-9)
            task.fail("period", fmt::format("H repeats in {} after {:g} = period/{}: the torus would cover the circle {} "
                                            "times; give the shortest period",
                                            name, period / p, p, p));
}

// A built-in model of at least four bands (the torus's filled bands need two others above them).
void require_four_bands(const TaskContext& ctx) {
    const ModelInfo& info = *ctx.cfg.model;
    if (info.bands < 4 || is_wannier(ctx.cfg.params))
        ctx.task.fail("kind", fmt::format("task 'second_chern' needs a built-in lattice model of at least four bands with a "
                                      "periodic parameter (qhz); '{}' has {}",
                                      info.name,
                                      is_wannier(ctx.cfg.params) ? "a Wannier Hamiltonian" : fmt::format("{} bands", info.bands)));
}

// [task] n, filled and lattice: the grid of either torus.
void read_grid(const Section& task, const ModelInfo& info, FourGrid& t) {
    const std::vector<double> n = task.numbers("n", 4);
    if (n.size() != 4) task.fail("n", "n needs four even integers, one per axis");
    for (int a = 0; a < 4; ++a) {
        t.n[a] = static_cast<long long>(n[a]);
        if (static_cast<double>(t.n[a]) != n[a] || t.n[a] % 2 != 0)
            task.fail("n", fmt::format("n must be four even integers (the error estimate uses every other point); got {}",
                                       n[a]));
    }
    if (static_cast<long double>(t.n[0]) * t.n[1] * t.n[2] * t.n[3] > kMaxTorusPoints)
        task.fail("n", fmt::format("{} × {} × {} × {} points is more than 2^40", t.n[0], t.n[1], t.n[2], t.n[3]));
    t.filled = static_cast<int>(task.integer("filled", info.bands / 2));
    if (t.filled < 1 || t.filled >= info.bands)
        task.fail("filled", fmt::format("filled must be between 1 and {} for the {}-band model '{}'", info.bands - 1,
                                        info.bands, info.name));
    t.lattice = task.boolean("lattice", true);
}

FourTorus read_torus(const TaskContext& ctx) {
    const Section& task = ctx.task;
    task.only();
    const ModelInfo& info = *ctx.cfg.model;
    require_four_bands(ctx);
    if (!info.lattice)
        task.fail("kind", fmt::format("task 'second_chern' needs a lattice model (its momenta close the torus); '{}' is a "
                                      "continuum model",
                                      info.name));
    FourTorus t{};
    for (std::size_t j = 0; j < info.params.size(); ++j) t.params[j] = ctx.cfg.params.p[j];
    reciprocal_basis(info.bravais, t.G);
    const toml::array* axes = task.node("axes") ? task.node("axes")->as_array() : nullptr;
    if (!axes || axes->size() != 4)
        task.fail("axes", fmt::format("axes needs four names, each a momentum or a parameter of '{}': {}", info.name,
                                      axis_choices(info)));
    const double period = task.number("period", kTwoPi);
    bool k_axis[3] = {false, false, false};
    for (int a = 0; a < 4; ++a) {
        const auto* v = (*axes)[a].as_string();
        const std::string name = v ? v->get() : "";
        int code = -1;
        for (int i = 0; i < info.dim; ++i)
            if (name == fmt::format("k{}", i + 1)) code = i;
        for (std::size_t j = 0; j < info.params.size(); ++j)
            if (name == info.params[j].name) code = 3 + static_cast<int>(j);
        if (code < 0)
            task.fail("axes", fmt::format("unknown axis '{}'; valid choices for '{}': {}", name, info.name, axis_choices(info)));
        for (int b = 0; b < a; ++b)
            if (t.axis[b] == code) task.fail("axes", fmt::format("the axis '{}' appears twice", name));
        t.axis[a] = code;
        if (code < 3) {
            k_axis[code] = true;
            t.period[a] = 1.0;
        } else {
            t.period[a] = period;
        }
    }
    for (int i = 0; i < info.dim; ++i)
        if (!k_axis[i])
            task.fail("axes", fmt::format("the torus must contain every momentum of the {}D model '{}' (k1 … k{}); the "
                                          "remaining axes are its parameters",
                                          info.dim, info.name, info.dim));
    read_grid(task, info, t);
    // Every axis must close the torus once.
    visit_nband_model(ctx.cfg.params, [&](auto model) {
        using Model = decltype(model);
        for (int a = 0; a < 4; ++a) {
            if (t.axis[a] >= 3) {
                check_parameter_axis<Model>(task, t, a, info.params[t.axis[a] - 3].name);
                continue;
            }
            const double defect = change_along<Model>(t, a, 1.0);
            if (defect > 1e-9)
                task.fail("axes", fmt::format("H(k + G_{0}) differs from H(k) by {1:.2g} of |H| for '{2}' (orbital-position "
                                              "phases): the lattice method needs a periodic H; k{0} cannot be an axis",
                                              t.axis[a] + 1, defect, info.name));
        }
    });
    return t;
}

// A textured N-band model's torus of phase space and time ([texture] given): axes from x, y, z, k1,
// k2, k3, t, each closed by a period of H (texture_input.hpp read_phase_axes), at the fixed point
// [task] r, k, t. The texture (and its table, if any) lives in `texture`, which `torus.terms` copies.
struct PhaseTorusSetup {
    TextureSetup texture;
    PhaseFourTorus torus{};
};

PhaseTorusSetup read_phase_torus(const TaskContext& ctx) {
    const Section& task = ctx.task;
    PhaseTorusSetup s;
    s.texture = read_texture(ctx);
    task.only();
    const ModelInfo& info = *ctx.cfg.model;
    require_four_bands(ctx);
    if (task.has("period"))
        task.fail("period", "period is the parameter axes' period; a phase-space torus's axes are closed by the texture's "
                            "cell, the reciprocal vectors and the Bloch period");
    const PhaseAxes axes = read_phase_axes(ctx, s.texture, "axes", 4);
    PhaseFourTorus& t = s.torus;
    for (int a = 0; a < 4; ++a) std::copy(axes.edge[a].begin(), axes.edge[a].end(), t.edge[a]);
    std::copy(std::begin(axes.at), std::end(axes.at), t.origin);
    for (std::size_t j = 0; j < info.params.size(); ++j) t.params[j] = ctx.cfg.params.p[j];
    t.terms = s.texture;
    read_grid(task, info, t);
    require_small_gauge_shift(task, s.texture, {t.origin[0], t.origin[1], t.origin[2], t.origin[kCoordT]});
    return s;
}

bool textured(const TaskContext& ctx) { return ctx.file.root()["texture"].as_table() != nullptr; }

// The result from SecondChernFn's sums (second_chern.hpp) over either torus.
TaskResult second_chern_result(const TaskContext& ctx, const FourGrid& torus, const std::vector<Neumaier>& h, long long bad) {
    if (bad >= 0) {
        long long i[4];
        torus.grid_index(bad, i);
        throw NonFiniteError(fmt::format("the filled bands' curvature (Kubo form) is not finite at grid point ({}, {}, {}, {}) "
                                         "of the torus (s_a = i_a/n_a): the filled and empty bands touch there",
                                         i[0], i[1], i[2], i[3]));
    }
    const double integral = h[0].value(), integral_coarse = h[1].value();
    const GapBracket gap = gap_bracket(h[2].value(), h[3].value());

    TaskResult out;
    out.kpoints = torus.count();
    const std::string unit = energy_unit(*ctx.cfg.model);
    out.units = {{"second_chern", "dimensionless"},
                 {"second_chern_lattice", "dimensionless"},
                 {"first_chern_planes", "dimensionless"},
                 {"section_zeros", "dimensionless"},
                 {"smallest_gap", unit}};
    out.principal = {"second_chern"};
    out.integer_valued = {"second_chern", "second_chern_lattice", "first_chern_planes", "section_zeros"};
    out.results["second_chern"] = integral;
    out.errors["second_chern"] = std::fabs(integral - integral_coarse);
    if (torus.lattice)
        lattice_result(h, ctx.cfg.model->bands, torus.filled, integral, std::fabs(integral - integral_coarse), out);
    out.results["smallest_gap"] = gap.upper;
    out.errors["smallest_gap"] = gap.upper - gap.lower;
    out.remedy = "the second Chern number is not resolved by the torus's grid (or the gap closes on it): raise [task] n, or "
                 "move the parameters away from the transition (docs/second-chern.md)";
    if (gap.lower == 0.0)
        out.warnings.push_back(fmt::format("the filled and empty bands touch on the grid (a gap below {:g}): the second Chern "
                                           "number is not defined there",
                                           kGapFloor));
    const double off = std::fabs(integral - std::round(integral));
    if (off > std::max(1e-3, 2.0 * std::fabs(integral - integral_coarse)))
        out.warnings.push_back(fmt::format("second_chern = {:.6f} is {:.2g} from an integer, more than its error estimate: the "
                                           "integrand is not resolved (a small gap?) or the axes do not close a torus",
                                           integral, off));
    return out;
}

}  // namespace

void check_second_chern(TaskContext& ctx) {
    if (textured(ctx))
        read_phase_torus(ctx);
    else
        read_torus(ctx);
}

TaskResult task_second_chern(TaskContext& ctx) {
    std::vector<Neumaier> h;
    if (textured(ctx)) {
        const PhaseTorusSetup s = read_phase_torus(ctx);
        Progress progress("second_chern", s.torus.count());
        const long long bad = second_chern_reduce(ctx.backend, ctx.cfg.params, s.torus, h, &progress);
        progress.finish();
        return second_chern_result(ctx, s.torus, h, bad);
    }
    const FourTorus torus = read_torus(ctx);
    Progress progress("second_chern", torus.count());
    const long long bad = second_chern_reduce(ctx.backend, ctx.cfg.params, torus, h, &progress);
    progress.finish();
    return second_chern_result(ctx, torus, h, bad);
}

}  // namespace bzint
