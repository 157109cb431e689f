// Adaptive refinement on top of a backend's keyed reduction (both backends use this one
// definition): the first pass flags the hot mesh points, the second reduces their sub-grids
// (per_k.hpp RefineFn) into the same histogram.
#pragma once
#include <vector>

#include "bzint/per_k.hpp"
#include "neumaier.hpp"
#include "progress.hpp"

namespace bzint {

// The first pass keeps the flagged mesh indices in memory: at most this many (512 MiB).
constexpr std::size_t kMaxFlaggedPoints = std::size_t(1) << 26;
// An InputError: [task] refine.threshold flags more than kMaxFlaggedPoints of the n mesh points.
[[noreturn]] void throw_too_many_flagged(long long n);

// reduce(fn, n, total, progress, hot*) is the backend's keyed_reduce; stage(hot) returns an
// object whose get() is a pointer to the flagged indices that the backend's functors can read.
// Returns the first non-finite mesh index or −1; `refined` counts the refined points.
template <class Fn, class Reduce, class Stage>
long long refined_reduce(const Fn& fn, long long n, std::vector<Neumaier>& total, Progress* progress, const Refine& refine,
                         long long& refined, Reduce reduce, Stage stage) {
    std::vector<long long> hot;
    long long bad = reduce(fn, n, total, progress, refine.threshold > 0.0 ? &hot : nullptr);
    refined = static_cast<long long>(hot.size());
    if (hot.empty()) return bad;
    const auto staged = stage(hot);
    const RefineFn<Fn> rf{fn, staged.get(), refine.m};
    const long long count = refined * (rf.sub_points() + 1);
    std::vector<Neumaier> extra;
    Progress sub("refinement", count);
    const long long bad2 = reduce(rf, count, extra, progress ? &sub : nullptr, nullptr);
    if (progress) sub.finish();
    for (std::size_t i = 0; i < total.size(); ++i) total[i].add(extra[i]);
    if (bad < 0 && bad2 >= 0) bad = hot[bad2 / (rf.sub_points() + 1)];
    return bad;
}

}  // namespace bzint
