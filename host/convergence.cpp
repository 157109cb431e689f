#include "convergence.hpp"

#include <fmt/core.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <memory>

#include "error_estimate.hpp"
#include "input_error.hpp"
#include "model_registry.hpp"
#include "wannier/wannier_model.hpp"

namespace bzint {

using nlohmann::json;

namespace {

constexpr long long kDefaultMaxPoints = 1LL << 34;
constexpr double kDefaultMaxSeconds = 3600.0;

// The worst element of `errors` against atol + rtol·|value|: the ratio error / allowance (≤ 1:
// met) and where it is.
struct Worst {
    double ratio = 0.0;
    std::string where;
};

void worst_of(const json& v, const json& e, const std::string& where, const Tolerance& t, Worst& w) {
    if (v.is_number() && e.is_number()) {
        const double allowed = t.atol + t.rtol * std::fabs(v.get<double>()), err = e.get<double>();
        const double ratio = allowed > 0.0 ? err / allowed : (err > 0.0 ? INFINITY : 0.0);
        if (ratio > w.ratio) w = {ratio, where};
        return;
    }
    if (v.is_array() && e.is_array())
        for (std::size_t i = 0; i < v.size() && i < e.size(); ++i) worst_of(v[i], e[i], fmt::format("{}[{}]", where, i), t, w);
    if (v.is_object() && e.is_object())
        for (const auto& [k, x] : v.items())
            if (e.contains(k)) worst_of(x, e[k], where + "." + k, t, w);
}

Worst worst_element(const TaskResult& r, const Tolerance& t) {
    Worst w;
    if (!r.errors.is_object()) return {INFINITY, "(no estimate)"};
    for (const auto& [key, e] : r.errors.items()) {
        const bool principal = r.principal.empty() || std::find(r.principal.begin(), r.principal.end(), key) != r.principal.end();
        if (principal && r.results.contains(key)) worst_of(r.results[key], e, key, t, w);
    }
    return w;
}

// The mesh of the next pass: every axis of more than one point doubled, and its shift (in the
// new spacings).
//
// A doubled Γ-centred mesh keeps every point of the last one, and with it a point next to a band
// touching — the singular contribution the sub-mesh estimate flags, whose weight would then fall
// only by 2^d per pass. So a lattice mesh the user did not shift moves by half a spacing along
// every axis: no point of the earlier passes is on it, and as a midpoint mesh with a centred
// sub-mesh it keeps inversion symmetry (make_mesh). Only where every axis has more than one point
// and an odd factor (a centred sub-mesh); Wannier models keep the Γ-centred mesh, which their FFT
// scans need. A [mesh] shift given is kept, in spacings.
//
// Except in 2D after a pass that met points near a band touching (`touching`). A 3D Weyl node is
// integrable, and a small gap in 3D holds a part of σ of order gap/velocity; but in 2D a gap that
// the mesh does not resolve keeps its crossing's whole Berry flux — half a quantum, 1/2 e²/h in
// σ_xy — within gap/velocity of one point. Moved off that point, every later pass would miss the
// flux, and its estimate with it. So the next mesh is then the one that contains the last one's
// points: on a lattice doubled with shift 2s mod 1 (s the last shift: ½ → 0); a continuum box's
// midpoints are nested only under an odd factor, so the box grows three-fold. The flagged point
// stays sampled, and flagged, with near_touching in the estimate, until the mesh resolves the gap.
struct NextMesh {
    std::array<long long, 3> n;
    std::array<double, 3> shift;
};

NextMesh next_mesh(const TaskContext& ctx, int dim, const std::array<long long, 3>& n, const std::array<double, 3>& last,
                   bool touching) {
    const bool keep = dim == 2 && touching;
    const bool lattice = ctx.cfg.model->lattice;
    NextMesh next{n, ctx.cfg.mesh_shift};
    for (int a = 0; a < dim; ++a)
        if (n[a] > 1) next.n[a] = (keep && !lattice ? 3 : 2) * n[a];
    if (keep) {
        for (int a = 0; a < dim; ++a) next.shift[a] = n[a] > 1 ? std::fmod(2.0 * last[a], 1.0) : last[a];  // one line stays
        return next;
    }
    const auto& given = ctx.cfg.mesh_shift;
    // Wannier models' FFT and [mesh] symmetry's stars need the Γ-centred mesh.
    if (!lattice || is_wannier(ctx.cfg.params) || !ctx.cfg.symmetry.empty() || given[0] != 0.0 || given[1] != 0.0 ||
        given[2] != 0.0)
        return next;
    std::array<double, 3> half{0.0, 0.0, 0.0};
    for (int a = 0; a < dim; ++a) {
        if (Mesh::coarse_step_of(next.n[a], 0.5) <= 1) return next;
        half[a] = 0.5;
    }
    next.shift = half;
    return next;
}

}  // namespace

Tolerance read_tolerance(const TaskContext& ctx) {
    Tolerance t;
    // A tolerance is asked for by either key; atol then defaults to the warning floor (1e-10 in the
    // result's unit), so that a component that vanishes by symmetry (rounding noise ~1e-19) meets
    // a purely relative tolerance.
    t.rtol = ctx.task.number("rtol", 0.0);
    t.atol = ctx.task.number("atol", t.rtol > 0.0 ? kNegligible : 0.0);
    t.max_points = ctx.task.integer("max_points", kDefaultMaxPoints);
    t.max_seconds = ctx.task.number("max_seconds", kDefaultMaxSeconds);
    return t;
}

void require_sub_mesh(const TaskContext& ctx, const Tolerance& t, const Mesh& first) {
    if (t.active() && first.coarse_factor() == 0)
        throw InputError(fmt::format(
            "{}: [mesh] n: rtol/atol need an error estimate, which needs a coarser sub-mesh: every count must have a factor "
            "2, 3, 5 or 7 (on a continuum model's box: 3, 5 or 7) (docs/accuracy.md)",
            ctx.file.path()));
    if (t.active() && first.count() > t.max_points)
        ctx.task.fail("max_points", fmt::format("is below the first mesh's {} points", first.count()));
}

TaskResult converge(const TaskContext& ctx, const Tolerance& tol, const Mesh& first,
                    const std::function<TaskResult(const Mesh&)>& compute) {
    if (!tol.active()) return compute(first);
    using clock = std::chrono::steady_clock;
    const auto start = clock::now();
    std::array<long long, 3> n{first.n[0], first.n[1], first.n[2]};
    Mesh mesh = first;
    std::array<double, 3> shift = ctx.cfg.mesh_shift;  // in spacings
    json passes = json::array();
    std::shared_ptr<const TaskResult> previous;
    while (true) {
        const auto t0 = clock::now();
        TaskResult r = compute(mesh);
        const double seconds = std::chrono::duration<double>(clock::now() - t0).count();
        if (previous) widen_by_previous_pass(r, *previous);
        const Worst w = worst_element(r, tol);
        passes.push_back({{"n", std::vector<long long>(n.begin(), n.begin() + mesh.dim)},
                          {"shift", std::vector<double>(shift.begin(), shift.begin() + mesh.dim)},
                          {"points", mesh.count()},
                          {"seconds", seconds},
                          {"worst_error_over_tolerance", std::isfinite(w.ratio) ? json(w.ratio) : json(nullptr)},
                          {"worst", w.where},
                          {"fermi_step", r.fermi_step},
                          {"near_touching", !r.near_touching.is_null()}});
        std::string stop;
        const NextMesh next = next_mesh(ctx, mesh.dim, n, shift, !r.near_touching.is_null());
        long double next_points = 1;
        for (int a = 0; a < mesh.dim; ++a) next_points *= static_cast<long double>(next.n[a]);
        const double elapsed = std::chrono::duration<double>(clock::now() - start).count();
        const double predicted = seconds * static_cast<double>(next_points / static_cast<long double>(mesh.count()));
        // One pass's estimate of a Fermi step can fall short of its error (docs/accuracy.md): such a
        // result is checked against a second pass (widen_by_previous_pass) before it is accepted.
        const bool unchecked = r.fermi_step && !previous;
        if (w.ratio <= 1.0 && !unchecked) {
            stop = "";
        } else if (next_points > static_cast<long double>(tol.max_points)) {
            stop = fmt::format("the next mesh would have {:.4g} points, above [task] max_points = {}",
                               static_cast<double>(next_points), tol.max_points);
        } else if (elapsed + predicted > tol.max_seconds) {
            stop = fmt::format("the next mesh would take about {:.3g} s more, beyond [task] max_seconds = {:g} ({:.3g} s spent)",
                               predicted, tol.max_seconds, elapsed);
        } else {
            previous = std::make_shared<const TaskResult>(std::move(r));
            n = next.n;
            shift = next.shift;
            mesh = make_mesh(*ctx.cfg.model, ctx.cfg.params, n, shift);
            continue;
        }
        const bool met = w.ratio <= 1.0;
        r.convergence = {{"rtol", tol.rtol}, {"atol", tol.atol}, {"converged", met}, {"passes", passes}};
        if (met && !stop.empty()) {
            r.convergence["unchecked"] = fmt::format(
                "the occupations may jump at a Fermi surface on the mesh, where one mesh's estimate can fall short of its error, "
                "and the second pass that would check it was not run: {}",
                stop);
            r.warnings.push_back(r.convergence["unchecked"].get<std::string>());
        } else if (!stop.empty()) {
            r.convergence["reason"] = fmt::format(
                "{} is {:.3g} times its tolerance atol + rtol·|value| on the densest mesh, and {}; the result is the best "
                "reached, with its estimate",
                w.where, w.ratio, stop);
        }
        return r;
    }
}

}  // namespace bzint
