#include "task_common.hpp"

#include <fmt/core.h>

#include "../input_error.hpp"

namespace bzint {

Mesh require_mesh(const TaskContext& ctx) {
    if (!ctx.cfg.mesh_n)
        throw InputError(fmt::format("{}: task '{}' integrates over k and needs a [mesh] table with n = [..] ({} integers)",
                                     ctx.file.path(), ctx.cfg.task, ctx.cfg.model->dim));
    return make_mesh(*ctx.cfg.model, ctx.cfg.params, *ctx.cfg.mesh_n);
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
    if (T < 0.0) ctx.task.fail("T", fmt::format("must be ≥ 0, got {}", T));
    return T;
}

std::string energy_unit(const ModelInfo& m) {
    return fmt::format("energy unit of the '{}' parameters (hbar = e = 1)", m.name);
}

std::string length_unit(const ModelInfo& m) { return m.lattice ? "a" : "L"; }

std::string length_unit_meaning(const ModelInfo& m) {
    return m.lattice ? "a: the length unit of the model's Bravais vectors (docs/conventions.md)"
                     : "L: the length unit implied by the parameters, L = v/E with hbar = 1 (docs/conventions.md)";
}

}  // namespace bzint
