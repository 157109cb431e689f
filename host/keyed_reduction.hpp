// The frame every executor's keyed reduction runs in — the CPU's blocks (cpu_launch.hpp), the
// Wannier FFT's chunks (wannier/fft_reduce.hpp) and the device's chunks (kernels/device_reduce.cu):
// the running total, the checkpoint (resumed at the saved position, saved every 30 s, on a stop
// request and at the end; checkpoint.hpp), the first non-finite index merged with the saved one,
// the cap on flagged points (refined_reduce.hpp) and the ranks' combination (ranks.hpp). An
// executor only sums: it folds positions [next, …) of its share into the total, in position order,
// until a deadline.
#pragma once
#include <algorithm>
#include <chrono>
#include <climits>
#include <vector>

#include "checkpoint.hpp"
#include "neumaier.hpp"
#include "ranks.hpp"
#include "refined_reduce.hpp"
#include "stop.hpp"

namespace bzint {

// What one call of an executor's `advance` did.
struct ReductionStep {
    long long next;                  // positions before it are folded into the total
    long long bad = LLONG_MAX;       // the first non-finite index among them, or LLONG_MAX
    bool stopped = false;            // a stop was requested; nothing from `next` on is folded
    bool too_many_flagged = false;   // the executor's flagged points overflowed kMaxFlaggedPoints
};

// A keyed reduction of n points into `total` (n_keys × n_values, Neumaier), this rank's positions
// [first, last). start(next) is called once with the position the reduction resumes from (for the
// progress so far); advance(next, deadline) folds from `next` and returns at the deadline, on a
// stop request or at `last`. With `hot`, the executor appends the flagged indices in order.
// Returns the first non-finite index over ranks, or −1; throws Interrupted after saving on a stop.
template <class Start, class Advance>
long long keyed_reduction(long long n, int n_keys, int n_values, long long first, long long last, std::vector<Neumaier>& total,
                          std::vector<long long>* hot, Start&& start, Advance&& advance) {
    total.assign(static_cast<std::size_t>(n_keys) * n_values, Neumaier{});
    // Not for refinement's first pass, whose flagged points are not saved.
    ReductionCheckpoint checkpoint(!hot, n, n_values, n_keys);
    long long next = first, bad = LLONG_MAX, saved_bad = -1;
    if (checkpoint.resume(total, next, saved_bad) && saved_bad >= 0) bad = saved_bad;
    auto as_index = [](long long b) { return b == LLONG_MAX ? -1 : b; };
    start(next);
    while (next < last) {
        const ReductionStep r = advance(next, std::chrono::steady_clock::now() + kCheckpointInterval);
        if (r.too_many_flagged || (hot && hot->size() > kMaxFlaggedPoints)) throw_too_many_flagged(n);
        next = r.next;
        bad = std::min(bad, r.bad);
        checkpoint.save(next, as_index(bad), total);
        if (r.stopped) throw Interrupted("interrupted");
    }
    ranks::combine(total);
    if (hot) ranks::combine_concat(*hot);
    return ranks::combine_first(as_index(bad));
}

}  // namespace bzint
