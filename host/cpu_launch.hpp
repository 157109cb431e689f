// The OpenMP backend: generic launchers that call the per-k functors of per_k.hpp.
//
// Deterministic reduction: the index range is cut into fixed blocks of kReduceBlock
// points, independent of thread count and chunking. Each block is summed in index order
// (Neumaier) into its own histogram; the blocks are folded into the total in block order.
// The result is therefore bitwise identical for any number of threads. Under MPI each rank
// reduces its share of whole blocks and the rank totals are folded in rank order (ranks.hpp).
#pragma once
#include <omp.h>

#include <algorithm>
#include <chrono>
#include <climits>
#include <vector>

#include "bzint/per_k.hpp"
#include "neumaier.hpp"
#include "checkpoint.hpp"
#include "progress.hpp"
#include "ranks.hpp"
#include "refined_reduce.hpp"

namespace bzint::cpu {

// fn(idx) for idx in [begin, end), in parallel.
template <class Fn>
void for_each_point(long long begin, long long end, const Fn& fn) {
#pragma omp parallel for schedule(static)
    for (long long i = begin; i < end; ++i) fn(i);
}

// Folds fn's keyed values over whole blocks into a running compensated histogram: blocks
// [b0, b1) of [0, n) are summed in rounds of one block per thread, each block in index order
// into its thread's histogram, and the rounds fold into `total` in block order. The histograms
// are kept between calls (the Wannier FFT path folds one FFT chunk after another).
template <class Fn>
class BlockReducer {
public:
    BlockReducer(const Fn& fn, std::vector<Neumaier>& total)
        : fn_(fn), total_(total), nv_(fn.n_values()), nk_(fn.n_keys()), slots_(std::max(1, omp_get_max_threads())),
          hist_(slots_, std::vector<Neumaier>(static_cast<std::size_t>(nk_) * nv_)), key_lo_(slots_), key_hi_(slots_),
          hot_slot_(slots_) {}

    // Blocks [b0, b1) of indices [0, n) of `fn` (a functor of the same shape as the
    // constructor's); after each round, after_round(next block) — it may throw to stop.
    // Flagged indices + `offset` go to `hot` in increasing order. Returns the first
    // non-finite index (+ offset) or LLONG_MAX.
    template <class F, class AfterRound>
    long long run(const F& fn, long long n, long long b0, long long b1, std::vector<long long>* hot, long long offset,
                  AfterRound&& after_round) {
        long long bad = LLONG_MAX;
        for (long long round = b0; round < b1; round += slots_) {
            const int in_round = static_cast<int>(std::min<long long>(slots_, b1 - round));
#pragma omp parallel for schedule(static, 1) reduction(min : bad)
            for (int s = 0; s < in_round; ++s) {
                const long long begin = (round + s) * kReduceBlock, end = std::min(n, begin + kReduceBlock);
                Neumaier* h = hist_[s].data();
                int lo = nk_, hi = -1;
                long long first_bad = -1;
                typename F::Out out;
                for (long long i = begin; i < end; ++i) {
                    if (!fn(i, out) && first_bad < 0) first_bad = i + offset;
                    if (hot && out.hot) hot_slot_[s].push_back(i + offset);
                    for (int e = 0; e < out.n; ++e) {
                        const int key = out.key[e];
                        lo = std::min(lo, key);
                        hi = std::max(hi, key);
                        Neumaier* row = h + static_cast<std::size_t>(key) * nv_;
                        for (int v = 0; v < nv_; ++v) row[v].add(out.val[e][v]);
                    }
                }
                key_lo_[s] = lo;
                key_hi_[s] = hi;
                if (first_bad >= 0) bad = std::min(bad, first_bad);
            }
            if (hot)
                for (int s = 0; s < in_round; ++s) {
                    hot->insert(hot->end(), hot_slot_[s].begin(), hot_slot_[s].end());
                    hot_slot_[s].clear();
                }
            // Fold in block order; parallel over keys, each key folds the slots in order.
            int lo = nk_, hi = -1;
            for (int s = 0; s < in_round; ++s) {
                lo = std::min(lo, key_lo_[s]);
                hi = std::max(hi, key_hi_[s]);
            }
#pragma omp parallel for schedule(static)
            for (int key = lo; key <= hi; ++key) {
                for (int s = 0; s < in_round; ++s) {
                    if (key < key_lo_[s] || key > key_hi_[s]) continue;
                    Neumaier* row = hist_[s].data() + static_cast<std::size_t>(key) * nv_;
                    Neumaier* dst = total_.data() + static_cast<std::size_t>(key) * nv_;
                    for (int v = 0; v < nv_; ++v) {
                        dst[v].add(row[v]);
                        row[v] = Neumaier{};
                    }
                }
            }
            after_round(round + in_round, bad);
        }
        return bad;
    }

private:
    const Fn& fn_;
    std::vector<Neumaier>& total_;
    int nv_, nk_, slots_;
    std::vector<std::vector<Neumaier>> hist_;
    std::vector<int> key_lo_, key_hi_;
    std::vector<std::vector<long long>> hot_slot_;
};

// Sums fn's keyed values over [0, n) into total[key * n_values + v].
// Returns the smallest index whose values were not finite, or −1. With `hot`, the indices
// whose output asks for refinement are appended to it in increasing order.
template <class Fn>
long long keyed_reduce(const Fn& fn, long long n, std::vector<Neumaier>& total, Progress* progress,
                       std::vector<long long>* hot = nullptr) {
    const int nv = fn.n_values();
    const int nk = fn.n_keys();
    total.assign(static_cast<std::size_t>(nk) * nv, Neumaier{});
    const ranks::Share mine = ranks::share(n, kReduceBlock);
    const long long n_blocks = (mine.end + kReduceBlock - 1) / kReduceBlock;
    long long bad = LLONG_MAX;

    // Checkpoints (checkpoint.hpp): resume from the saved block, save now and then and on an
    // interruption. Not for refinement's first pass, whose flagged points are not saved.
    ReductionCheckpoint checkpoint(!hot, n, nv, nk);
    long long first_block = mine.begin / kReduceBlock, saved_bad = -1;
    if (checkpoint.resume(total, first_block, saved_bad) && saved_bad >= 0) bad = saved_bad;
    auto as_index = [](long long b) { return b == LLONG_MAX ? -1 : b; };
    BlockReducer<Fn> reducer(fn, total);
    const long long bad_run = reducer.run(fn, mine.end, first_block, n_blocks, hot, 0, [&](long long next, long long bad_so_far) {
        bad = std::min(bad, bad_so_far);
        if (progress) progress->update(ranks::scaled_progress(std::min(mine.end, next * kReduceBlock), mine, n));
        checkpoint.between_rounds(next, as_index(bad), total);
        checkpoint.save(next, as_index(bad), total);
    });
    bad = std::min(bad, bad_run);
    checkpoint.save(n_blocks, as_index(bad), total, true);
    ranks::combine(total);
    if (hot) ranks::combine_concat(*hot);
    return ranks::combine_first(bad == LLONG_MAX ? -1 : bad);
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
