// The lattice method's result and its checks (host/tasks/second_chern_checks.cpp), apart from the
// task so that tests can judge chosen sums: a torus that fails one check is hard to build on purpose.
#pragma once

#include <vector>

#include "../neumaier.hpp"
#include "../task_registry.hpp"

namespace bzint {

// From SecondChernFn's sums h (include/bzint/second_chern.hpp's layout) over a torus of a model
// with `bands` bands and `filled` filled, and the integral with its estimate: writes
// second_chern_lattice, first_chern_planes and section_zeros to out, with a warning where a
// check fails.
void lattice_result(const std::vector<Neumaier>& h, int bands, int filled, double integral, double integral_error,
                    TaskResult& out);

}  // namespace bzint
