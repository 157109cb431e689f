// The CPU backend: generic launchers that call the per-k functors of per_k.hpp on
// the worker threads (workers.hpp).
//
// Deterministic reduction (block_reducer.hpp): fixed blocks of indices, each summed in index
// order, folded in block order — bitwise identical for any number of threads. Under MPI each
// rank reduces its share of whole blocks and the rank totals are folded in rank order
// (ranks.hpp). Checkpoints are saved between blocks every 30 s and on a stop, in the frame every
// executor shares (keyed_reduction.hpp).
#pragma once
#include <algorithm>
#include <chrono>
#include <climits>
#include <cstdint>
#include <vector>

#include "block_reducer.hpp"
#include "bzint/per_k.hpp"
#include "keyed_reduction.hpp"
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
// histogram's reduce_block), in keyed_reduction.hpp's frame (checkpoints, ranks). Returns the
// smallest index whose values were not finite, or −1. With `hot`, the indices whose output asks
// for refinement are appended to it in increasing order. On a stop request the state is saved
// (when checkpoints are on) and Interrupted is thrown.
// (A function object, so that refined_reduce can be handed it.)
struct KeyedReduce {
    template <class Fn>
    long long operator()(const Fn& fn, long long n, std::vector<Neumaier>& total, Progress* progress,
                         std::vector<long long>* hot = nullptr, long long block = 0) const {
        const int nv = fn.n_values();
        const int nk = fn.n_keys();
        if (block == 0) block = reduce_block(nk, nv);
        // A symmetry-reduced scan evaluates only its stars' representatives: the ranks share those.
        const std::uint8_t* weight = nullptr;
        if constexpr (requires { fn.orbit; }) weight = fn.orbit;
        const ranks::Share mine = ranks::share(n, block, weight);
        const long long my_n = mine.end - mine.begin;
        const double scale = my_n > 0 ? static_cast<double>(n) / static_cast<double>(my_n) : 1.0;
        const long long b_end = (mine.end + block - 1) / block;
        BlockReducer<Fn> reducer(fn, total, block);
        return keyed_reduction(
            n, nk, nv, mine.begin / block, b_end, total, hot,
            [&](long long next) {
                const long long done = std::min(mine.end, next * block) - mine.begin;
                if (progress) progress->update(static_cast<long long>(scale * static_cast<double>(done)));
            },
            [&](long long next, std::chrono::steady_clock::time_point deadline) {
                const auto r = reducer.run(fn, mine.end, next, b_end, hot, 0, progress, scale, deadline);
                return ReductionStep{r.next, r.bad, r.stopped, r.too_many_flagged};
            });
    }
};
inline constexpr KeyedReduce keyed_reduce{};

// Host-side flagged indices for refinement's second pass (refined_reduce.hpp).
struct StagedIndices {
    const long long* p;
    const long long* get() const { return p; }
    static StagedIndices of(const std::vector<long long>& hot) { return {hot.data()}; }
};

// keyed_reduce with adaptive refinement (refined_reduce.hpp).
template <class Fn>
long long refined_reduce(const Fn& fn, long long n, std::vector<Neumaier>& total, Progress* progress, const Refine& refine,
                         long long& refined) {
    return bzint::refined_reduce(fn, n, total, progress, refine, refined, keyed_reduce, &StagedIndices::of);
}

}  // namespace bzint::cpu
