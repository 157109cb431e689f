// The device's keyed reduction, compiled once (device_reduce.cuh declares it; its per-functor part,
// the evaluation kernel, is launched by the callers' `evaluate`): the chunks' grouping by
// (block, key) — a stable radix sort, the segment search, the values gathered into sorted order,
// the segment sums — the fold into
// the total on the host and progress, in host/keyed_reduction.hpp's frame (checkpoints, the first
// non-finite point, the ranks).
#include <thrust/copy.h>
#include <thrust/device_vector.h>
#include <thrust/gather.h>
#include <thrust/iterator/counting_iterator.h>
#include <thrust/sequence.h>
#include <thrust/sort.h>
#include <thrust/unique.h>
#if !defined(BZINT_CUDA_EMULATION)
#include <cub/device/device_radix_sort.cuh>
#endif

#include <algorithm>
#include <chrono>
#include <climits>
#include <cstdio>
#include <new>
#include <stdexcept>
#include <string>

#include "../host/backend.hpp"
#include "../host/keyed_reduction.hpp"
#include "../host/neumaier.hpp"
#include "../host/progress.hpp"
#include "../host/ranks.hpp"
#include "../host/refined_reduce.hpp"
#include "../host/stop.hpp"
#include "device_reduce.cuh"

namespace bzint::cuda {

namespace {

// The entries x[begin .. end) passed to add() in that order (the CPU's order, hence its bits); the
// loads of kBatch entries are issued before their adds, so that their latencies overlap. The
// entries are contiguous (reduce_chunk gathers them into sorted order first), so a batch is one
// or two 128-B lines: the H200 of run 3 (docs/performance.md) spent 265 ns per entry when each entry
// needed two dependent random loads (its slot in the sorted order, then its value).
template <class Add>
__device__ void in_sequence(const double* x, long long begin, long long end, Add& add) {
    constexpr int kBatch = 16;
    long long p = begin;
    for (; p + kBatch <= end; p += kBatch) {
        double y[kBatch];
#pragma unroll
        for (int b = 0; b < kBatch; ++b) y[b] = x[p + b];
#pragma unroll
        for (int b = 0; b < kBatch; ++b) add(y[b]);
    }
    for (; p < end; ++p) add(x[p]);
}

// Segment j (the grouped entries start[j] .. start[j+1]) summed in that order, value v per thread,
// continuing from seed[j] for the first `seeded` segments (a block begun in the previous chunk).
// Light histograms sum in plain doubles, as the CPU's light block sums do. The launch bounds let
// ptxas keep a batch's loads ahead of its adds (without them it interleaved them, at 32–34
// registers).
__global__ void __launch_bounds__(kThreads, 1)
    segment_sum_kernel(long long segments, int nv, long long slots, const long long* start, const double* grouped,
                       const Neumaier* seed, long long seeded, bool light, Neumaier* sums) {
    const long long t = blockIdx.x * static_cast<long long>(blockDim.x) + threadIdx.x;
    if (t >= segments * nv) return;
    const long long j = t / nv;
    const int v = static_cast<int>(t % nv);
    const double* x = grouped + v * slots;
    Neumaier s = j < seeded ? seed[t] : Neumaier{};
    if (light) {
        double d = s.s;
        auto plain = [&d](double y) { d += y; };
        in_sequence(x, start[j], start[j + 1], plain);
        s = Neumaier{d, 0.0};
    } else {
        auto compensated = [&s](double y) { s.add(y); };
        in_sequence(x, start[j], start[j + 1], compensated);
    }
    sums[t] = s;
}

struct IsFlagged {
    const char* flags;
    long long begin;
    __host__ __device__ bool operator()(long long i) const { return flags[i - begin] != 0; }
};

// The most points a chunk may hold: buffers of a quarter of the device memory free at the start,
// between 256 MiB and 8 GiB (256 MiB where the free memory is not known, as in the emulated build),
// or BZINT_CUDA_CHUNK=<points> (for small devices and for tests: any chunk gives the same bits).
// The segment sums run one thread per (block, key, value) of a chunk, each summing its entries in
// index order: a 1M-point chunk of a two-band ahc scan gave the H200 ~500 such sums for its 270 000
// thread slots, which left them latency-bound at ~2.5 ms per chunk (docs/performance.md); a chunk
// of 2^24 points runs 16x more of them at once.
inline long long chunk_capacity(long long E, int nv, long long my_n) {
    const long long bytes_per_point = E * (6 * 8 + 16 * nv + 16LL * nv) + 1 + 8;
    const long long free = runtime::free_memory();
    const long long budget = free > 0 ? std::clamp(free / 4, 1LL << 28, 1LL << 33) : 1LL << 28;
    long long chunk = std::max<long long>(1 << 12, budget / bytes_per_point);
    if (const long long cap = cuda_chunk_cap()) chunk = std::min(chunk, cap);
    return std::max<long long>(1, std::min(chunk, my_n));
}

// Chunks are sized by time as well: the first holds kFirstChunk points, and each later one the points
// the last chunk's rate gives in kChunkSeconds, up to the capacity. A stop request is honoured
// between chunks (a kernel cannot be cut short), so a chunk of a slow model (a Wannier scan at
// ~5e4 points/s: 0.08 s for the first) stays well under the second a stop may take; a fast one
// grows to the capacity within two chunks.
// A chunk also returns at most ~kChunkRows (block, key) rows to the host, by the last chunk's rows
// per point: a fine histogram (1 000 levels) returns ~0.1 rows per point, and a 2^24-point chunk's
// 2 M rows cost more in fresh host pages than its sums gain (weyl_lattice at 1 000 levels ran at
// 0.68x on the H200 of 2026-12-04 without this bound). BZINT_CUDA_CHUNK fixes the chunk instead.
constexpr long long kFirstChunk = 1 << 12;
constexpr double kChunkSeconds = 0.25;
constexpr double kChunkRows = 1 << 19;
inline long long next_chunk(long long count, double seconds, long long rows, long long capacity) {
    if (cuda_chunk_cap()) return capacity;
    const double rate = count / std::max(seconds, 1e-6);
    const double by_rows = kChunkRows * count / std::max<double>(1.0, static_cast<double>(rows));
    const double want = std::min({rate * kChunkSeconds, by_rows, static_cast<double>(capacity)});
    return std::max<long long>(std::min<long long>(256, capacity), static_cast<long long>(want));
}

// The device buffers of one keyed reduction, for chunks of `chunk` points.
struct ChunkBuffers {
    thrust::device_vector<long long> keys, order, segment_keys, segment_start, flagged;
    thrust::device_vector<long long> keys_alt, order_alt;  // the radix sort's other halves (sort_slots)
    thrust::device_vector<char> sort_scratch;
    thrust::device_vector<double> vals, grouped;  // grouped: vals in sorted order (in_sequence)
    thrust::device_vector<Neumaier> seeds, sums;
    thrust::device_vector<char> flags;
    void allocate(long long E, long long chunk, int nv, bool hot) {
        keys.resize(E * chunk);
        order.resize(E * chunk);
#if !defined(BZINT_CUDA_EMULATION)
        keys_alt.resize(E * chunk);
        order_alt.resize(E * chunk);
#endif
        segment_keys.resize(E * chunk);
        segment_start.resize(E * chunk + 1);
        vals.resize(E * chunk * nv);  // (sums: as the segments need, reduce_chunk)
        grouped.resize(E * chunk * nv);
        flags.resize(chunk);
        flagged.resize(hot ? chunk : 0);
    }
    void release() { *this = ChunkBuffers{}; }
};

// The fewest bits b with bound < 2^b (the chunk's keys are below bound = its blocks × n_keys).
inline int bits_below(long long bound) {
    int b = 0;
    while (b < 63 && (bound >> b) != 0) ++b;
    return b;
}

// Sorts keys[0, n) and their `order` stably by the keys' low `bits` bits. Every used key is below
// 2^bits − 1 and an unused entry's LLONG_MAX has all those bits set, so it still sorts last. On
// the device: CUB's radix sort, 8 bits a pass, so ⌈bits/8⌉ passes where Thrust's sort made 8 over
// all 64 bits (30-40 us each per 1M-point chunk on the H200, 2026-12-04), with its scratch kept
// between chunks. The emulated build has no CUB device algorithms: Thrust's stable sort there,
// which gives the same order (both are stable).
void sort_slots(ChunkBuffers& buf, long long n, int bits) {
#if defined(BZINT_CUDA_EMULATION)
    (void)bits;
    thrust::stable_sort_by_key(buf.keys.begin(), buf.keys.begin() + n, buf.order.begin());
#else
    cub::DoubleBuffer<long long> keys(thrust::raw_pointer_cast(buf.keys.data()), thrust::raw_pointer_cast(buf.keys_alt.data()));
    cub::DoubleBuffer<long long> order(thrust::raw_pointer_cast(buf.order.data()),
                                       thrust::raw_pointer_cast(buf.order_alt.data()));
    std::size_t bytes = 0;
    runtime::check(cub::DeviceRadixSort::SortPairs(nullptr, bytes, keys, order, n, 0, bits), "the radix sort's size");
    if (bytes > buf.sort_scratch.size()) buf.sort_scratch.resize(bytes);  // std::bad_alloc: a smaller chunk
    runtime::check(cub::DeviceRadixSort::SortPairs(thrust::raw_pointer_cast(buf.sort_scratch.data()), bytes, keys, order, n,
                                                   0, bits),
                   "the radix sort");
    if (keys.Current() != thrust::raw_pointer_cast(buf.keys.data())) buf.keys.swap(buf.keys_alt);
    if (order.Current() != thrust::raw_pointer_cast(buf.order.data())) buf.order.swap(buf.order_alt);
#endif
}

// The host side of the fold: block sums go into the total in block order; the block the chunk
// ended in keeps its partial sums (`open`) until a later chunk completes it.
class BlockFold {
public:
    BlockFold(std::vector<Neumaier>& total, int nk, int nv, bool light)
        : total_(total), nk_(nk), nv_(nv), light_(light), open_touched_(nk, 0), open_rows_(static_cast<std::size_t>(nk) * nv) {}

    long long open_block() const { return open_; }
    // The open block's partial sums for `keys` (segment keys of local block 0), in segment order.
    void seeds_for(const std::vector<long long>& keys, long long seeded, std::vector<Neumaier>& out) const {
        out.resize(static_cast<std::size_t>(seeded) * nv_);
        for (long long j = 0; j < seeded; ++j)
            std::copy_n(open_rows_.begin() + keys[j] % nk_ * nv_, nv_, out.begin() + j * nv_);
    }
    // Segment sums of a chunk whose first block is `first`; blocks ending at or before `done_end`
    // (a point index) are complete.
    void fold(const std::vector<long long>& keys, const std::vector<Neumaier>& sums, long long first, long long block,
              long long done_end) {
        for (std::size_t j = 0; j < keys.size(); ++j) {
            const long long b = first + keys[j] / nk_;
            const int key = static_cast<int>(keys[j] % nk_);
            if (open_ >= 0 && open_ < b) flush();
            const Neumaier* s = sums.data() + j * nv_;
            if (b == open_ || (b + 1) * block > done_end) {  // the block goes on in the next chunk
                open_ = b;
                std::copy_n(s, nv_, open_rows_.begin() + static_cast<std::size_t>(key) * nv_);
                if (!open_touched_[key]) {
                    open_touched_[key] = 1;
                    open_keys_.push_back(key);
                }
            } else {
                add(key, s);
            }
        }
        if (open_ >= 0 && (open_ + 1) * block <= done_end) flush();
    }
    // The last block of the share ends at the share's end, not at a multiple of the block.
    void finish() {
        if (open_ >= 0) flush();
    }

private:
    void add(int key, const Neumaier* s) {
        Neumaier* dst = total_.data() + static_cast<std::size_t>(key) * nv_;
        for (int v = 0; v < nv_; ++v) {
            if (light_) dst[v].add(s[v].s);
            else dst[v].add(s[v]);
        }
    }
    void flush() {
        for (int key : open_keys_) {
            add(key, open_rows_.data() + static_cast<std::size_t>(key) * nv_);
            std::fill_n(open_rows_.begin() + static_cast<std::size_t>(key) * nv_, nv_, Neumaier{});
            open_touched_[key] = 0;
        }
        open_keys_.clear();
        open_ = -1;
    }

    std::vector<Neumaier>& total_;
    const int nk_, nv_;
    const bool light_;
    long long open_ = -1;           // the block a chunk boundary cut, or −1
    std::vector<int> open_keys_;    // its keys so far, in first-seen order
    std::vector<char> open_touched_;
    std::vector<Neumaier> open_rows_;
};

}  // namespace

long long keyed_reduce_chunks(const KeyedShape& shape, long long n, std::vector<Neumaier>& total, Progress* progress,
                              std::vector<long long>* hot, const std::function<void(const ChunkLaunch&)>& evaluate) {
    const long long E = shape.entries;
    const int nv = shape.values, nk = shape.keys;
    const long long block = reduce_block(nk, nv);
    const bool light = light_histogram(nk, nv);
    const ranks::Share mine = ranks::share(n, block);
    const long long b_end = (mine.end + block - 1) / block;
    // When the device cannot hold a chunk's buffers or the sort's scratch (other work on it, a
    // small device), the chunk is halved and the chunk redone: the result does not depend on it.
    long long capacity = chunk_capacity(E, nv, mine.end - mine.begin);
    long long chunk = cuda_chunk_cap() ? capacity : std::min(capacity, kFirstChunk), allocated = 0;
    ChunkBuffers buf;
    auto shrink = [&] {
        // Half of what was held (or asked for): a small time-sized chunk in larger buffers halves
        // those buffers, not the chunk alone.
        const long long held = allocated > 0 ? std::max(chunk, allocated) : chunk;
        buf.release();
        allocated = 0;
        if (held <= 256)
            throw std::runtime_error("CUDA device out of memory for chunks of " + std::to_string(held) +
                                     " k-points; run with --backend cpu");
        capacity = chunk = held / 2;
        std::fprintf(stderr, "bzint: device memory is short; continuing with chunks of %lld k-points\n", chunk);
    };
    auto allocate = [&] {
        for (;;) {
            try {
                buf.allocate(E, chunk, nv, hot != nullptr);
                allocated = chunk;
                return;
            } catch (const std::bad_alloc&) {
                shrink();
            }
        }
    };
    allocate();
    thrust::device_vector<unsigned long long> bad(1, ULLONG_MAX);
    // Single elements move by copy_n: a device_vector's element reference binds a null execution
    // policy on Thrust's host systems (UBSan reports it in the emulated build).
    auto first_bad = [&]() {
        unsigned long long b = ULLONG_MAX;
        thrust::copy_n(bad.begin(), 1, &b);
        return b == ULLONG_MAX ? LLONG_MAX : static_cast<long long>(b);
    };
    BlockFold fold(total, nk, nv, light);
    std::vector<long long> hkeys;
    std::vector<Neumaier> hsums, hseeds;
    std::vector<long long> hflagged;
    // One chunk on the device: its points evaluated, their entries grouped by (block, key) and each
    // group summed; the segment keys and sums, and the flagged points, copied back.
    auto reduce_chunk = [&](long long begin, long long count) {
        const long long slots = E * count, end = begin + count, first = begin / block;
        evaluate(ChunkLaunch{begin, count, block, first, thrust::raw_pointer_cast(buf.keys.data()),
                             thrust::raw_pointer_cast(buf.vals.data()), thrust::raw_pointer_cast(bad.data()),
                             thrust::raw_pointer_cast(buf.flags.data())});
        hflagged.clear();
        if (hot) {
            auto last = thrust::copy_if(thrust::counting_iterator<long long>(begin), thrust::counting_iterator<long long>(end),
                                        buf.flagged.begin(), IsFlagged{thrust::raw_pointer_cast(buf.flags.data()), begin});
            copy_to_host(buf.flagged.begin(), last - buf.flagged.begin(), hflagged);
        }
        // Group the entries by (block, key), each group in slot (= index) order; find the groups.
        thrust::sequence(buf.order.begin(), buf.order.begin() + slots);
        sort_slots(buf, slots, bits_below(((end - 1) / block - first + 1) * nk));
        auto seg_end = thrust::unique_by_key_copy(buf.keys.begin(), buf.keys.begin() + slots,
                                                  thrust::counting_iterator<long long>(0), buf.segment_keys.begin(),
                                                  buf.segment_start.begin());
        long long segments = seg_end.first - buf.segment_keys.begin();
        copy_to_host(buf.segment_keys.begin(), segments, hkeys);
        long long used = slots;  // the unused entries (LLONG_MAX) sort last
        if (segments > 0 && hkeys.back() == LLONG_MAX) {
            --segments;
            hkeys.pop_back();
            thrust::copy_n(buf.segment_start.begin() + segments, 1, &used);
        }
        thrust::copy_n(&used, 1, buf.segment_start.begin() + segments);
        // The used entries' values in sorted order, so that each segment is contiguous (in_sequence):
        // one parallel gather instead of a dependent random load per entry inside the serial sums.
        for (int v = 0; v < nv; ++v)
            thrust::gather(buf.order.begin(), buf.order.begin() + used, buf.vals.begin() + v * slots,
                           buf.grouped.begin() + v * slots);
        // Segments of a block the previous chunk began continue its sums.
        long long seeded = 0;
        if (fold.open_block() == first)
            while (seeded < segments && hkeys[seeded] < nk) ++seeded;
        fold.seeds_for(hkeys, seeded, hseeds);
        if (seeded > 0) buf.seeds.assign(hseeds.begin(), hseeds.end());  // (Thrust's host copy reads *begin of an empty range)
        // A segment per (block, key) touched: few for a coarse histogram, so `sums` is sized by use
        // (a std::bad_alloc here halves the chunk, as any other).
        if (static_cast<long long>(buf.sums.size()) < segments * nv) buf.sums.resize(segments * nv);
        launch("segment_sum_kernel", &segment_sum_kernel, grid_for(segments * nv), kThreads, segments, nv, slots,
               thrust::raw_pointer_cast(buf.segment_start.data()), thrust::raw_pointer_cast(buf.grouped.data()),
               thrust::raw_pointer_cast(buf.seeds.data()), seeded, light,
               thrust::raw_pointer_cast(buf.sums.data()));
        copy_to_host(buf.sums.begin(), segments * nv, hsums);
    };
    // The frame's positions are blocks: blocks before `next` are in the total. A chunk may end
    // inside a block, whose partial sums the fold keeps; `begin` is the next point to evaluate.
    long long begin = 0;
    return keyed_reduction(
        n, nk, nv, mine.begin / block, b_end, total, hot,
        [&](long long next) {
            begin = std::max(mine.begin, next * block);
            if (progress) progress->update(ranks::scaled_progress(begin, mine, n));
        },
        [&](long long next, std::chrono::steady_clock::time_point deadline) {
            while (begin < mine.end) {
                const long long count = std::min(chunk, mine.end - begin), end = begin + count;
                const auto started = std::chrono::steady_clock::now();
                try {
                    reduce_chunk(begin, count);
                } catch (const std::bad_alloc&) {  // the sort's scratch or the seeds did not fit: a smaller chunk
                    shrink();
                    allocate();
                    continue;
                }
                // The emulator cut the chunk short: keep the state before it.
                if (stop_requested()) return ReductionStep{next, first_bad(), true};
                if (hot) hot->insert(hot->end(), hflagged.begin(), hflagged.end());
                fold.fold(hkeys, hsums, begin / block, block, end == mine.end ? LLONG_MAX : end);
                if (end == mine.end) fold.finish();  // the share's last block ends with it
                begin = end;
                next = begin == mine.end ? b_end : begin / block;
                chunk = next_chunk(count, std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count(),
                                   static_cast<long long>(hkeys.size()), capacity);
                if (begin < mine.end && chunk > allocated) {  // grown at least twofold: reallocated rarely
                    chunk = std::min(capacity, std::max(chunk, 2 * allocated));
                    buf.release();
                    allocate();
                }
                if (progress) progress->update(ranks::scaled_progress(begin, mine, n));
                count_stop_unit();
                if (stop_requested() || (hot && hot->size() > kMaxFlaggedPoints) ||
                    std::chrono::steady_clock::now() >= deadline)
                    return ReductionStep{next, first_bad(), stop_requested()};
            }
            return ReductionStep{b_end, first_bad()};
        });
}

}  // namespace bzint::cuda
