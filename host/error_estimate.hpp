// Error estimates of reduced results (docs/accuracy.md). A task computes its results twice from
// one pass over the mesh — from the mesh's sums and from its 2×-coarser sub-mesh's — and the
// estimate is their difference, element by element, in the results' own keys, shapes and units.
#pragma once
#include <nlohmann/json.hpp>

#include <string>
#include <vector>

#include "model_registry.hpp"
#include "task_registry.hpp"

namespace bzint {

// |fine − coarse| for every numeric leaf of `fine` (the same keys and shapes; string leaves are
// left out). Inputs echoed in the results (μ, T) come out exactly 0.
nlohmann::json difference_estimate(const nlohmann::json& fine, const nlohmann::json& coarse);

// The larger of two estimates of the same shape, element by element (a task with two sources of
// error, such as a time step and a mesh, takes the larger of their differences).
nlohmann::json larger(const nlohmann::json& a, const nlohmann::json& b);

// fine.errors from the coarse sub-mesh's results of the same task (null: the mesh has no coarse
// sub-mesh, and fine.errors says so), and an `<column>_error` column in each table for every
// column but the first (the scan variable). With `without_touching` (the same results without the
// mesh points near a band touching) fine.near_touching is the change, and every estimate at least
// it: a point sitting next to a node can make its own sum wrong by any amount.
void attach_errors(TaskResult& fine, const TaskResult* coarse, const TaskResult* without_touching = nullptr);

// With a tolerance (convergence.hpp): the change of every estimated element from `previous`, the
// last pass on a mesh half as dense per axis and of another offset (its results without the points
// near a band touching, where it met any), is a second estimate of r's error, and each estimate
// becomes the larger of the two — in `errors` and in the tables' error columns. At T = 0 in a metal
// either estimate alone can fall short (docs/accuracy.md); both together rarely do. Elements whose
// estimate is exactly 0 (inputs echoed, counts) or null are left as they are.
void widen_by_previous_pass(TaskResult& r, const TaskResult& previous);

// Below this magnitude (in the reported unit) a result and its estimate are taken as zero: no
// warning for rounding noise on a quantity that vanishes.
constexpr double kNegligible = 1e-10;
// Nor for a value whose estimate is below this fraction of the quantity's largest value (a zero
// crossing of a scanned curve).
constexpr double kScaleFloor = 1e-3;
// A warning for each of the task's principal result keys (all when none are named) whose estimate
// exceeds `relative` × |value| at some element (and kNegligible, and kScaleFloor × the key's
// largest |value|): it names the key, the worst element, the value and estimate with the unit,
// and the settings that reduce it. Where fine.near_touching is set, the same for it, naming the touching.
std::vector<std::string> accuracy_warnings(const TaskResult& r, const ModelInfo& model, double relative = 1e-2);

// What to do about a band touching next to a mesh point of `model`: in 3D move the mesh off it
// ([mesh] shift on a lattice, another count on a continuum box, whose points are midpoints); in 2D
// keep it and refine the whole mesh, as the tolerance loop does (convergence.cpp next_mesh).
std::string touching_remedy(const ModelInfo& model);

}  // namespace bzint
