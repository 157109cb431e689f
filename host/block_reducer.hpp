// The CPU backend's deterministic keyed reduction.
//
// What is summed, and in which order, is fixed by the indices alone: [0, n) is cut into blocks
// of `block` consecutive indices; each block is summed in index order, with Neumaier
// compensation, into a histogram of its own (keys × values); the block histograms are folded
// into the running total in block order. The total is therefore bitwise the same for any number
// of threads and any scheduling of them (tests/test_determinism.cpp).
//
// How it runs (docs/architecture.md): a free worker takes the next block, sums it into its own
// dense histogram, and hands over only the keys the block touched (in key order) through a ring
// of 2 × workers slots. Folding is split into key stripes; each stripe is folded in block order by
// whichever worker finds it free, so folding is parallel and its cost follows the touched keys,
// not the histogram's size (a 1000-level finite-T scan folds about what a one-level scan
// folds). No worker waits on another except when the ring is full — it then folds what it can,
// or sleeps on a condition variable: nothing spins, and a descheduled thread delays only the
// folding of the blocks after its own.
#pragma once
#include <algorithm>
#include <chrono>
#include <climits>
#include <condition_variable>
#include <cstddef>
#include <mutex>
#include <vector>

#include "neumaier.hpp"
#include "progress.hpp"
#include "stop.hpp"
#include "workers.hpp"

namespace bzint::cpu {

template <class Fn>
class BlockReducer {
public:
    using clock = std::chrono::steady_clock;

    // `shape` fixes the histogram (n_keys × n_values); `total` is the running total it folds into.
    BlockReducer(const Fn& shape, std::vector<Neumaier>& total, long long block)
        : total_(total), nv_(shape.n_values()), nk_(shape.n_keys()), block_(block) {}

    struct Outcome {
        long long next;  // blocks [b0, next) are folded into the total
        long long bad;   // the first non-finite index (+ offset) among them, or LLONG_MAX
        bool stopped;    // a stop was requested; blocks from `next` on were not folded
    };

    // Folds blocks [b0, b1) of indices [0, n) of fn (a functor of the constructor's shape).
    // Stops handing out blocks at `deadline` (the caller saves a checkpoint and calls again) or
    // on a stop request (blocks in progress are abandoned within 64 points). Flagged indices
    // + offset are appended to `hot` in increasing order; progress counts points × scale.
    template <class F>
    Outcome run(const F& fn, long long n, long long b0, long long b1, std::vector<long long>* hot, long long offset,
                Progress* progress, double progress_scale, clock::time_point deadline) {
        if (b0 >= b1) return {b1, LLONG_MAX, false};
        Round r(*this, fn, n, b0, b1, hot, offset, progress, progress_scale, deadline);
        workers::run([&](int w) { r.work(w); });
        return r.outcome();
    }

private:
    // One block's touched keys, in increasing order, with their compensated sums.
    struct Slot {
        long long block = -1;  // the block it holds; −1: free
        bool ready = false;
        int stripes_left = 0;  // stripes that have not folded it yet
        std::vector<int> keys;
        std::vector<Neumaier> vals;           // n_values per key
        std::vector<std::size_t> stripe_at;   // stripe s is keys[stripe_at[s], stripe_at[s + 1])
        std::vector<long long> hot;
        long long bad = LLONG_MAX;
    };
    // A worker's dense histogram, zero between blocks except inside [lo, hi] while summing.
    struct Scratch {
        std::vector<Neumaier> hist;
        std::vector<unsigned char> touched;
    };

    template <class F>
    class Round {
    public:
        Round(BlockReducer& red, const F& fn, long long n, long long b0, long long b1, std::vector<long long>* hot,
              long long offset, Progress* progress, double scale, clock::time_point deadline)
            : red_(red), fn_(fn), n_(n), b0_(b0), b1_(b1), hot_(hot), offset_(offset), progress_(progress), scale_(scale),
              deadline_(deadline), workers_(workers::count()), stripes_(std::max(1, std::min(workers_, red.nk_))),
              next_claim_(b0), fold_next_(stripes_, b0), busy_(stripes_, false) {
            red_.slots_.resize(static_cast<std::size_t>(2 * workers_));
            for (Slot& s : red_.slots_) {
                s.block = -1;
                s.ready = false;
            }
            if (static_cast<int>(red_.scratch_.size()) < workers_) red_.scratch_.resize(workers_);
        }

        void work(int w) {
            Scratch& sc = red_.scratch_[w];
            if (sc.hist.empty()) {
                sc.hist.assign(static_cast<std::size_t>(red_.nk_) * red_.nv_, Neumaier{});
                sc.touched.assign(static_cast<std::size_t>(red_.nk_), 0);
            }
            std::unique_lock<std::mutex> lk(m_);
            for (;;) {
                if (!halt_ && (stop_requested() || clock::now() >= deadline_)) halt_ = true;
                if (halt_ || next_claim_ >= b1_) {
                    while (fold_some(lk)) {
                    }
                    return;
                }
                const long long b = next_claim_;
                Slot& slot = slot_of(b);
                if (slot.block != -1) {  // the ring is full: block b − ring not folded by every stripe yet
                    if (!fold_some(lk)) ready_.wait(lk);
                    continue;
                }
                slot.block = b;
                slot.ready = false;
                ++next_claim_;
                lk.unlock();
                const bool complete = sum_block(b, sc, slot);
                lk.lock();
                if (!complete) {  // abandoned on a stop: the stripes end before it
                    halt_ = true;
                    slot.block = -1;
                    ready_.notify_all();
                    continue;
                }
                slot.ready = true;
                slot.stripes_left = stripes_;
                while (fold_some(lk)) {
                }
            }
        }

        Outcome outcome() const {
            // Every block before the first unfinished one has been folded by every stripe.
            const long long next = *std::min_element(fold_next_.begin(), fold_next_.end());
            return {next, bad_, next < b1_ && stop_requested()};
        }

    private:
        Slot& slot_of(long long b) { return red_.slots_[static_cast<std::size_t>((b - b0_) % (2 * workers_))]; }

        // Sums block b in index order into the worker's histogram and moves the touched keys
        // into `slot`. False when abandoned on a stop request.
        bool sum_block(long long b, Scratch& sc, Slot& slot) {
            const int nv = red_.nv_, nk = red_.nk_;
            const long long begin = b * red_.block_, end = std::min(n_, begin + red_.block_);
            int lo = nk, hi = -1;
            slot.bad = LLONG_MAX;
            slot.hot.clear();
            typename F::Out out;
            long long counted = begin;
            for (long long i = begin; i < end; ++i) {
                if (((i - begin) & 63) == 63) {
                    if (stop_requested()) {
                        clear(sc, lo, hi);
                        return false;
                    }
                    if (progress_ && i + 1 - counted >= 1024) {
                        progress_->add(static_cast<long long>(scale_ * static_cast<double>(i + 1 - counted)));
                        counted = i + 1;
                    }
                }
                if (!fn_(i, out) && slot.bad == LLONG_MAX) slot.bad = i + offset_;
                if (hot_ && out.hot) slot.hot.push_back(i + offset_);
                for (int e = 0; e < out.n; ++e) {
                    const int key = out.key[e];
                    lo = std::min(lo, key);
                    hi = std::max(hi, key);
                    sc.touched[static_cast<std::size_t>(key)] = 1;
                    Neumaier* row = sc.hist.data() + static_cast<std::size_t>(key) * nv;
                    for (int v = 0; v < nv; ++v) row[v].add(out.val[e][v]);
                }
            }
            if (progress_) progress_->add(static_cast<long long>(scale_ * static_cast<double>(end - counted)));
            // The touched keys in increasing order; the stripe boundaries among them.
            slot.keys.clear();
            slot.vals.clear();
            slot.stripe_at.assign(static_cast<std::size_t>(stripes_) + 1, 0);
            int s = 0;
            for (int key = lo; key <= hi; ++key) {
                if (!sc.touched[static_cast<std::size_t>(key)]) continue;
                while (s < stripes_ && key >= stripe_begin(s + 1)) slot.stripe_at[static_cast<std::size_t>(++s)] = slot.keys.size();
                Neumaier* row = sc.hist.data() + static_cast<std::size_t>(key) * nv;
                slot.keys.push_back(key);
                slot.vals.insert(slot.vals.end(), row, row + nv);
                std::fill(row, row + nv, Neumaier{});
                sc.touched[static_cast<std::size_t>(key)] = 0;
            }
            while (s < stripes_) slot.stripe_at[static_cast<std::size_t>(++s)] = slot.keys.size();
            return true;
        }

        void clear(Scratch& sc, int lo, int hi) {
            for (int key = lo; key <= hi; ++key) {
                Neumaier* row = sc.hist.data() + static_cast<std::size_t>(key) * red_.nv_;
                std::fill(row, row + red_.nv_, Neumaier{});
                sc.touched[static_cast<std::size_t>(key)] = 0;
            }
        }

        int stripe_begin(int s) const {
            return static_cast<int>(static_cast<long long>(red_.nk_) * s / stripes_);
        }

        // With the lock held: folds, for one free stripe, the run of consecutive ready blocks it
        // has not folded yet (in block order), with the lock released meanwhile. False when no
        // free stripe has a ready block to fold.
        bool fold_some(std::unique_lock<std::mutex>& lk) {
            for (int s = 0; s < stripes_; ++s) {
                if (busy_[s]) continue;
                const long long from = fold_next_[s];
                long long upto = from;
                while (upto < b1_ && slot_of(upto).block == upto && slot_of(upto).ready) ++upto;
                if (upto == from) continue;
                busy_[s] = true;
                lk.unlock();
                const int nv = red_.nv_;
                for (long long b = from; b < upto; ++b) {
                    const Slot& slot = slot_of(b);
                    for (std::size_t i = slot.stripe_at[s]; i < slot.stripe_at[s + 1]; ++i) {
                        Neumaier* dst = red_.total_.data() + static_cast<std::size_t>(slot.keys[i]) * nv;
                        const Neumaier* src = slot.vals.data() + i * nv;
                        for (int v = 0; v < nv; ++v) dst[v].add(src[v]);
                    }
                    if (s == 0) {  // stripe 0 also carries the block's flags, in block order
                        if (hot_) hot_->insert(hot_->end(), slot.hot.begin(), slot.hot.end());
                        bad_ = std::min(bad_, slot.bad);
                        count_stop_unit();
                    }
                }
                lk.lock();
                fold_next_[s] = upto;
                busy_[s] = false;
                for (long long b = from; b < upto; ++b) {
                    Slot& slot = slot_of(b);
                    if (--slot.stripes_left == 0) {
                        slot.block = -1;
                        slot.ready = false;
                    }
                }
                ready_.notify_all();
                return true;
            }
            return false;
        }

        BlockReducer& red_;
        const F& fn_;
        const long long n_, b0_, b1_;
        std::vector<long long>* hot_;
        const long long offset_;
        Progress* progress_;
        const double scale_;
        const clock::time_point deadline_;
        const int workers_, stripes_;
        std::mutex m_;
        std::condition_variable ready_;
        long long next_claim_;
        std::vector<long long> fold_next_;
        std::vector<bool> busy_;
        bool halt_ = false;
        long long bad_ = LLONG_MAX;  // written by stripe 0's folder only
    };

    std::vector<Neumaier>& total_;
    const int nv_, nk_;
    const long long block_;
    std::vector<Slot> slots_;
    std::vector<Scratch> scratch_;
};

}  // namespace bzint::cpu
