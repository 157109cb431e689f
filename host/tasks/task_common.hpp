// Helpers shared by the task implementations.
#pragma once
#include <string>

#include "../model_registry.hpp"
#include "../task_registry.hpp"

namespace bzint {

// The integration mesh from [mesh] n; a missing [mesh] is an error naming the task.
Mesh require_mesh(const TaskContext& ctx);
// An error unless the model's dimension is one of those allowed.
void require_dim(const TaskContext& ctx, int lo, int hi);
// [task] T ≥ 0 (default 0).
double read_temperature(const TaskContext& ctx);
// Unit texts for this model's energies and lengths.
std::string energy_unit(const ModelInfo& m);
std::string length_unit(const ModelInfo& m);          // "a" (lattices) or "L" (continuum)
std::string length_unit_meaning(const ModelInfo& m);  // what that symbol means

}  // namespace bzint
