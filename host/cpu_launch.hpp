// The CPU backend: generic launchers that call the per-k functors of per_k.hpp on
// the worker threads (workers.hpp).
//
// Deterministic reduction (block_reducer.hpp): fixed blocks of indices, each summed in index
// order, folded in block order — bitwise identical for any number of threads. Under MPI each
// rank reduces its share of whole blocks and the rank totals are folded in rank order
// (ranks.hpp). Checkpoints (checkpoint.hpp) are saved between blocks every 30 s and on a stop.
#pragma once
#include <algorithm>
#include <chrono>
#include <climits>
#include <cstdint>
#include <vector>

#include "block_reducer.hpp"
#include "bzint/per_k.hpp"
#include "checkpoint.hpp"
#include "neumaier.hpp"
#include "progress.hpp"
#include "ranks.hpp"
#include "refined_reduce.hpp"
#include "stop.hpp"
#include "workers.hpp"

namespace bzint::cpu {

// fn(idx) for idx in [begin, end), in parallel chunks; throws Interrupted on a stop request.
template <class Fn>
void for_each_point(long long begin, long long end, const Fn& fn, Progress* progress = nullptr) {
    workers::parallel_for(
        end - begin, 256,
        [&](long long b, long long e) {
            for (long long i = begin + b; i < begin + e; ++i) fn(i);
            if (progress) progress->add(e - b);
        },
        [] { return !stop_requested(); });
    throw_if_stopped();
}

// Sums fn's keyed values over [0, n) into total[key * n_values + v], in blocks of `block` (0: the
// histogram's reduce_block).
// Returns the smallest index whose values were not finite, or −1. With `hot`, the indices
// whose output asks for refinement are appended to it in increasing order. On a stop request
// the state is saved (when checkpoints are on) and Interrupted is thrown.
template <class Fn>
long long keyed_reduce(const Fn& fn, long long n, std::vector<Neumaier>& total, Progress* progress,
                       std::vector<long long>* hot = nullptr, long long block = 0) {
    const int nv = fn.n_values();
    const int nk = fn.n_keys();
    if (block == 0) block = reduce_block(nk, nv);
    total.assign(static_cast<std::size_t>(nk) * nv, Neumaier{});
    // A symmetry-reduced scan evaluates only its stars' representatives: the ranks share those.
    const std::uint8_t* weight = nullptr;
    if constexpr (requires { fn.orbit; }) weight = fn.orbit;
    const ranks::Share mine = ranks::share(n, block, weight);
    const long long b_end = (mine.end + block - 1) / block;

    // Checkpoints: resume from the saved block; save every 30 s, on a stop and at the end. Not
    // for refinement's first pass, whose flagged points are not saved.
    ReductionCheckpoint checkpoint(!hot, n, nv, nk);
    long long next = mine.begin / block, bad = LLONG_MAX, saved_bad = -1;
    if (checkpoint.resume(total, next, saved_bad) && saved_bad >= 0) bad = saved_bad;
    auto as_index = [](long long b) { return b == LLONG_MAX ? -1 : b; };
    const long long my_n = mine.end - mine.begin;
    const double scale = my_n > 0 ? static_cast<double>(n) / static_cast<double>(my_n) : 1.0;
    if (progress) progress->update(static_cast<long long>(scale * static_cast<double>(std::min(mine.end, next * block) - mine.begin)));
    BlockReducer<Fn> reducer(fn, total, block);
    while (next < b_end) {
        const auto r = reducer.run(fn, mine.end, next, b_end, hot, 0, progress, scale,
                                   std::chrono::steady_clock::now() + kCheckpointInterval);
        if (r.too_many_flagged) throw_too_many_flagged(n);
        next = r.next;
        bad = std::min(bad, r.bad);
        checkpoint.save(next, as_index(bad), total);
        if (r.stopped) throw Interrupted("interrupted");
    }
    ranks::combine(total);
    if (hot) ranks::combine_concat(*hot);
    return ranks::combine_first(as_index(bad));
}

// Host-side flagged indices for refinement's second pass (refined_reduce.hpp).
struct StagedIndices {
    const long long* p;
    const long long* get() const { return p; }
};

// keyed_reduce with adaptive refinement (refined_reduce.hpp).
template <class Fn>
long long refined_reduce(const Fn& fn, long long n, std::vector<Neumaier>& total, Progress* progress, const Refine& refine,
                         long long& refined) {
    return bzint::refined_reduce(
        fn, n, total, progress, refine, refined,
        [](const auto& f, long long count, std::vector<Neumaier>& t, Progress* pr, std::vector<long long>* hot) {
            return keyed_reduce(f, count, t, pr, hot);
        },
        [](const std::vector<long long>& hot) { return StagedIndices{hot.data()}; });
}

}  // namespace bzint::cpu
