// Tolerances drive the work (docs/accuracy.md): with [task] rtol and/or atol a mesh task is
// repeated on meshes of twice the density per axis until every reported quantity meets
// error ≤ atol + rtol·|value| (element by element, as scipy.integrate), or a cap on points or
// time stops it with the best result and its estimate (exit status 5).
#pragma once
#include <cmath>
#include <functional>

#include "bzint/mesh.hpp"
#include "task_registry.hpp"

namespace bzint {

struct Tolerance {
    double rtol = 0.0, atol = 0.0;
    long long max_points = 0;  // the largest mesh a refinement may reach
    double max_seconds = 0.0;  // the time all passes together may take
    bool active() const { return rtol > 0.0 || atol > 0.0; }
};

// [task] rtol, atol, max_points, max_seconds.
Tolerance read_tolerance(const TaskContext& ctx);
// With a tolerance: InputError on [mesh] n when `mesh` has no coarser sub-mesh to estimate errors
// with, or has more points than max_points.
void require_sub_mesh(const TaskContext& ctx, const Tolerance& t, const Mesh& mesh);
// Whether error ≤ atol + rtol·|value|.
inline bool within(const Tolerance& t, double value, double error) { return error <= t.atol + t.rtol * std::fabs(value); }

// compute(mesh) once without a tolerance; with one, on the first mesh and then on denser ones
// ([mesh] shift kept in units of the spacing) until the estimate meets it or a cap is reached.
// The result's `convergence` records every pass.
TaskResult converge(const TaskContext& ctx, const Tolerance& tol, const Mesh& first,
                    const std::function<TaskResult(const Mesh&)>& compute);

}  // namespace bzint
