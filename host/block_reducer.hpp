// The CPU backend's deterministic keyed reduction.
//
// What is summed, and in which order, is fixed by the indices and the histogram's shape alone:
// [0, n) is cut into blocks of `block` consecutive indices; each block is summed in index order
// into a histogram of its own (keys × values) — Neumaier-compensated, or in plain doubles for a
// histogram over 1 MiB (light_histogram: a block then adds few values to each key) — and the
// block histograms are folded into the compensated running total in block order. The total is
// therefore bitwise the same for any number of threads and any scheduling of them
// (tests/test_determinism.cpp).
//
// How it runs (docs/architecture.md): a free worker takes the next block and sums it into one of
// its two dense histograms; it hands over the histogram with the list of keys the block touched
// (in key order) through a ring of 2 × workers slots. Folding is split into key stripes; each
// stripe is folded in block order by whichever worker finds it free, which also zeroes the rows it
// folded; so folding is parallel, its cost follows the touched keys and not the histogram's size
// (a 1000-level finite-T scan folds about what a one-level scan folds), and nothing is copied.
// No worker waits on another except when the ring is full or both its histograms are still
// being folded — it then folds what it can, or sleeps on a condition variable: nothing spins, and
// a descheduled thread delays only the folding of the blocks after its own.
#pragma once
#include <algorithm>
#include <atomic>
#include <chrono>
#include <climits>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <vector>

#include "neumaier.hpp"
#include "progress.hpp"
#include "refined_reduce.hpp"
#include "stop.hpp"
#include "workers.hpp"

namespace bzint::cpu {

template <class Fn>
class BlockReducer {
public:
    using clock = std::chrono::steady_clock;

    // `shape` fixes the histogram (n_keys × n_values); `total` is the running total it folds into.
    BlockReducer(const Fn& shape, std::vector<Neumaier>& total, long long block)
        : total_(total), nv_(shape.n_values()), nk_(shape.n_keys()), block_(block), light_(light_histogram(nk_, nv_)) {}

    struct Outcome {
        long long next;  // blocks [b0, next) are folded into the total
        long long bad;   // the first non-finite index (+ offset) among them, or LLONG_MAX
        bool stopped;    // a stop was requested; blocks from `next` on were not folded
        bool too_many_flagged;  // more than kMaxFlaggedPoints indices asked for refinement: abandoned
    };

    // Folds blocks [b0, b1) of indices [0, n) of fn (a functor of the constructor's shape).
    // Stops handing out blocks at `deadline` (the caller saves a checkpoint and calls again) or
    // on a stop request (blocks in progress are abandoned within 64 points). Flagged indices
    // + offset are appended to `hot` in increasing order; progress counts points × scale.
    template <class F>
    Outcome run(const F& fn, long long n, long long b0, long long b1, std::vector<long long>* hot, long long offset,
                Progress* progress, double progress_scale, clock::time_point deadline) {
        if (b0 >= b1) return {b1, LLONG_MAX, false, false};
        Round<F> r(*this, fn, n, b0, b1, hot, offset, progress, progress_scale, deadline);
        workers::run([&](int w) { r.work(w); });
        return r.outcome();
    }

private:
    // Histograms per worker: a worker may run this many blocks ahead of the oldest unfolded one,
    // which covers a scheduler time slice lost to other work on the machine.
    static constexpr int kBuffers = 2;
    // A worker's dense histograms: zero except while a block is summed into one and until
    // its rows are folded (the folders zero them).
    struct Scratch {
        std::vector<Neumaier> hist[kBuffers];
        std::vector<double> light[kBuffers];  // the same, for a light histogram
        std::vector<std::uint64_t> touched;  // a bit per key of the histogram being summed; cleared as listed
        bool held[kBuffers] = {};            // a slot holds it (guarded by the round's mutex)
    };
    // One block: the histogram it was summed into and its touched keys, in increasing order.
    struct Slot {
        long long block = -1;  // the block it holds; −1: free
        bool ready = false;
        int stripes_left = 0;  // stripes that have not folded it yet
        Scratch* owner = nullptr;
        int buffer = 0;
        Neumaier* rows = nullptr;             // owner->hist[buffer]
        double* light_rows = nullptr;         // owner->light[buffer]
        std::vector<int> keys;
        std::vector<std::size_t> stripe_at;   // stripe s is keys[stripe_at[s], stripe_at[s + 1])
        std::vector<long long> hot;
        long long bad = LLONG_MAX;
    };

    template <class F>
    class Round {
    public:
        Round(BlockReducer& red, const F& fn, long long n, long long b0, long long b1, std::vector<long long>* hot,
              long long offset, Progress* progress, double scale, clock::time_point deadline)
            : red_(red), fn_(fn), n_(n), b0_(b0), b1_(b1), hot_(hot), offset_(offset), progress_(progress), scale_(scale),
              deadline_(deadline), workers_(workers::count()), stripes_(std::max(1, std::min(workers_, red.nk_))),
              next_claim_(b0), fold_next_(stripes_, b0), busy_(stripes_, false) {
            // A round cut short by a stop may have left published blocks unfolded: zero their rows and
            // release their histograms before the slots are reused.
            for (Slot& s : red_.slots_) {
                if (s.block != -1 && s.ready)
                    for (int key : s.keys) {
                        const std::size_t at = static_cast<std::size_t>(key) * red_.nv_;
                        if (s.rows) std::fill(s.rows + at, s.rows + at + red_.nv_, Neumaier{});
                        if (s.light_rows) std::fill(s.light_rows + at, s.light_rows + at + red_.nv_, 0.0);
                    }
                if (s.block != -1) s.owner->held[s.buffer] = false;
            }
            red_.slots_.resize(static_cast<std::size_t>(kBuffers * workers_));
            for (Slot& s : red_.slots_) {
                s.block = -1;
                s.ready = false;
            }
            if (static_cast<int>(red_.scratch_.size()) < workers_) red_.scratch_.resize(workers_);
        }

        void work(int w) {
            if (w >= workers_) return;  // the pool grew since this round was sized
            Scratch& sc = red_.scratch_[w];
            if (sc.touched.empty()) {
                const std::size_t size = static_cast<std::size_t>(red_.nk_) * red_.nv_;
                for (int i = 0; i < kBuffers; ++i) {
                    if (red_.light_) sc.light[i].assign(size, 0.0);
                    else sc.hist[i].assign(size, Neumaier{});
                }
                sc.touched.assign(static_cast<std::size_t>(red_.nk_ + 63) / 64, 0);
            }
            std::unique_lock<std::mutex> lk(m_);
            for (;;) {
                if (!halt_ && (stop_requested() || too_many_flagged_.load() || clock::now() >= deadline_)) halt_ = true;
                if (halt_ || next_claim_ >= b1_) {
                    while (fold_some(lk)) {
                    }
                    return;
                }
                const long long b = next_claim_;
                Slot& slot = slot_of(b);
                int buffer = -1;
                for (int i = 0; i < kBuffers && buffer < 0; ++i)
                    if (!sc.held[i]) buffer = i;
                if (slot.block != -1 || buffer < 0) {  // the ring is full, or both histograms are in flight
                    if (!fold_some(lk)) ready_.wait(lk);
                    continue;
                }
                slot.block = b;
                slot.ready = false;
                slot.owner = &sc;
                slot.buffer = buffer;
                slot.rows = red_.light_ ? nullptr : sc.hist[buffer].data();
                slot.light_rows = red_.light_ ? sc.light[buffer].data() : nullptr;
                sc.held[buffer] = true;
                ++next_claim_;
                lk.unlock();
                bool complete = false;
                try {
                    complete = red_.light_ ? sum_block(b, sc, slot, slot.light_rows) : sum_block(b, sc, slot, slot.rows);
                } catch (...) {  // the functor failed (its rows cleared): end the round, let the others finish
                    lk.lock();
                    halt_ = true;
                    slot.block = -1;
                    sc.held[buffer] = false;
                    ready_.notify_all();
                    throw;
                }
                lk.lock();
                if (!complete) {  // abandoned on a stop (its histogram cleared): the stripes end before it
                    halt_ = true;
                    slot.block = -1;
                    sc.held[buffer] = false;
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
            return {next, bad_, next < b1_ && stop_requested(), too_many_flagged_.load()};
        }

    private:
        Slot& slot_of(long long b) { return red_.slots_[static_cast<std::size_t>((b - b0_) % (kBuffers * workers_))]; }

        static void accumulate(Neumaier& sum, double x) { sum.add(x); }
        static void accumulate(double& sum, double x) { sum += x; }

        // Sums block b in index order into the worker's histogram `hist` and moves the touched keys
        // into `slot`. False when abandoned on a stop request.
        template <class Row>
        bool sum_block(long long b, Scratch& sc, Slot& slot, Row* const hist) {
            const int nv = red_.nv_, nk = red_.nk_;
            const long long begin = b * red_.block_, end = std::min(n_, begin + red_.block_);
            int lo = nk, hi = -1;
            slot.bad = LLONG_MAX;
            slot.hot.clear();
            // A software pipeline of kAhead points: each point's histogram rows are prefetched when
            // its values are computed and added kAhead points later, so the (random) row accesses
            // of a large histogram overlap the computation. Values are still added in index order.
            constexpr int kAhead = 8;
            typename F::Out out[kAhead];
            auto add = [&](const typename F::Out& o) {
                for (int e = 0; e < o.n; ++e) {
                    Row* row = hist + static_cast<std::size_t>(o.key[e]) * nv;
                    for (int v = 0; v < nv; ++v) accumulate(row[v], o.val[e][v]);
                }
            };
            const int row_lines = std::min(4, static_cast<int>((nv * sizeof(Row) + 63) / 64));
            long long counted = begin;
            try {
                for (long long i = begin; i < end; ++i) {
                    if (((i - begin) & 63) == 63) {
                        if (stop_requested()) {
                            clear(sc, hist, lo, hi);
                            return false;
                        }
                        if (progress_ && i + 1 - counted >= 1024) {
                            progress_->add(static_cast<long long>(scale_ * static_cast<double>(i + 1 - counted)));
                            counted = i + 1;
                        }
                    }
                    typename F::Out& o = out[(i - begin) % kAhead];
                    if (i - begin >= kAhead) add(o);  // point i − kAhead
                    if (!fn_(i, o) && slot.bad == LLONG_MAX) slot.bad = i + offset_;
                    if (hot_ && o.hot) slot.hot.push_back(i + offset_);
                    for (int e = 0; e < o.n; ++e) {
                        const int key = o.key[e];
                        lo = std::min(lo, key);
                        hi = std::max(hi, key);
                        sc.touched[static_cast<std::size_t>(key) >> 6] |= std::uint64_t(1) << (key & 63);
                        const char* row = reinterpret_cast<const char*>(hist + static_cast<std::size_t>(key) * nv);
                        for (int l = 0; l < row_lines; ++l) __builtin_prefetch(row + 64 * l, 1);
                    }
                }
                for (long long i = std::max(begin, end - kAhead); i < end; ++i) add(out[(i - begin) % kAhead]);
                // A stop seen by the functor itself (a density-matrix line cut short) makes this
                // block's values partial: abandon it whole.
                if (stop_requested()) {
                    clear(sc, hist, lo, hi);
                    return false;
                }
                if (progress_) progress_->add(static_cast<long long>(scale_ * static_cast<double>(end - counted)));
                // The touched keys in increasing order; the stripe boundaries among them. The rows
                // stay in the histogram: the folders read and zero them.
                slot.keys.clear();
                slot.stripe_at.assign(static_cast<std::size_t>(stripes_) + 1, 0);
                int s = 0;
                for (int word = lo >> 6; hi >= 0 && word <= hi >> 6; ++word) {
                    std::uint64_t bits = sc.touched[static_cast<std::size_t>(word)];
                    while (bits) {
                        const int key = word * 64 + __builtin_ctzll(bits);
                        bits &= bits - 1;
                        while (s < stripes_ && key >= stripe_begin(s + 1))
                            slot.stripe_at[static_cast<std::size_t>(++s)] = slot.keys.size();
                        slot.keys.push_back(key);
                    }
                    sc.touched[static_cast<std::size_t>(word)] = 0;
                }
                while (s < stripes_) slot.stripe_at[static_cast<std::size_t>(++s)] = slot.keys.size();
                return true;
            } catch (...) {  // the functor (or an allocation) failed: leave the histogram zero
                clear(sc, hist, lo, hi);
                throw;
            }
        }

        template <class Row>
        void clear(Scratch& sc, Row* hist, int lo, int hi) {
            for (int key = lo; key <= hi; ++key) {
                Row* row = hist + static_cast<std::size_t>(key) * red_.nv_;
                std::fill(row, row + red_.nv_, Row{});
            }
            for (int word = lo >> 6; hi >= 0 && word <= hi >> 6; ++word) sc.touched[static_cast<std::size_t>(word)] = 0;
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
                try {
                    fold_stripe(s, from, upto);
                } catch (...) {  // out of memory for the flagged indices: end the round
                    lk.lock();
                    busy_[s] = false;
                    halt_ = true;
                    ready_.notify_all();
                    throw;
                }
                lk.lock();
                fold_next_[s] = upto;
                busy_[s] = false;
                for (long long b = from; b < upto; ++b) {
                    Slot& slot = slot_of(b);
                    if (--slot.stripes_left == 0) {
                        slot.block = -1;
                        slot.ready = false;
                        slot.owner->held[slot.buffer] = false;
                    }
                }
                ready_.notify_all();
                return true;
            }
            return false;
        }

        // Folds stripe s of blocks [from, upto) into the total, in block order, zeroing the rows.
        void fold_stripe(int s, long long from, long long upto) {
            const int nv = red_.nv_;
            for (long long b = from; b < upto; ++b) {
                const Slot& slot = slot_of(b);
                const std::size_t first = slot.stripe_at[s], last = slot.stripe_at[s + 1];
                for (std::size_t i = first; i < last; ++i) {
                    if (i + 8 < last) {  // the rows are far apart in large histograms: fetch them ahead
                        const std::size_t ahead = static_cast<std::size_t>(slot.keys[i + 8]) * nv;
                        __builtin_prefetch(red_.total_.data() + ahead, 1);
                        if (slot.rows) __builtin_prefetch(slot.rows + ahead, 1);
                        if (slot.light_rows) __builtin_prefetch(slot.light_rows + ahead, 1);
                    }
                    const std::size_t at = static_cast<std::size_t>(slot.keys[i]) * nv;
                    Neumaier* dst = red_.total_.data() + at;
                    if (slot.rows) {
                        Neumaier* src = slot.rows + at;
                        for (int v = 0; v < nv; ++v) {
                            dst[v].add(src[v]);
                            src[v] = Neumaier{};
                        }
                    } else {
                        double* src = slot.light_rows + at;
                        for (int v = 0; v < nv; ++v) {
                            dst[v].add(src[v]);
                            src[v] = 0.0;
                        }
                    }
                }
                if (s == 0) {  // stripe 0 also carries the block's flags, in block order
                    if (hot_ && hot_->size() + slot.hot.size() > kMaxFlaggedPoints)
                        too_many_flagged_.store(true);
                    else if (hot_)
                        hot_->insert(hot_->end(), slot.hot.begin(), slot.hot.end());
                    bad_ = std::min(bad_, slot.bad);
                    count_stop_unit();
                }
            }
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
        std::atomic<bool> too_many_flagged_{false};
    };

    std::vector<Neumaier>& total_;
    const int nv_, nk_;
    const long long block_;
    const bool light_;  // block sums in plain doubles (light_histogram)
    std::vector<Slot> slots_;
    std::vector<Scratch> scratch_;
};

}  // namespace bzint::cpu
