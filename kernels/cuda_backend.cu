// CUDA launchers for the per-k functors of include/bzint/per_k.hpp (the same code the
// CPU backend runs). Every kernel is launched through kernels/device_runtime.hpp, so this file
// also builds as host C++ for the emulator (CMake option BZINT_CUDA_EMULATION, kernels/emulation/).
//
// Keyed reductions sum exactly what the CPU backend sums, in the same order
// (host/block_reducer.hpp): the mesh is cut into the CPU's reduction blocks; each block is summed
// key by key in index order — Neumaier-compensated, or in plain doubles for a light histogram —
// and the block sums are folded into the compensated total in block order on the host. The
// device evaluates a chunk of points, sorts its entries stably by (block, key) — so each key's
// entries keep their index order — and sums each (block, key) segment in one thread. A block cut
// by a chunk boundary carries its partial sums into the next chunk, which continues them. The
// result therefore depends on neither the chunk size (BZINT_CUDA_CHUNK, free device memory) nor
// anything but the per-k values: bitwise the CPU's wherever the device computes the same per-k
// values (the emulated build), within a few ulps of it on a GPU (docs/architecture.md).
#include <thrust/device_vector.h>
#include <thrust/copy.h>
#include <thrust/iterator/counting_iterator.h>
#include <thrust/sequence.h>
#include <thrust/sort.h>
#include <thrust/unique.h>

#include <algorithm>
#include <chrono>
#include <climits>
#include <cstdio>
#include <cstdlib>
#include <new>
#include <stdexcept>
#include <string>

#include "../host/backend.hpp"
#include "../host/checkpoint.hpp"
#include "../host/neumaier.hpp"
#include "../host/progress.hpp"
#include "../host/ranks.hpp"
#include "../host/refined_reduce.hpp"
#include "../host/stop.hpp"
#include "../host/wannier/wannier_model.hpp"
#include "bzint/per_k.hpp"
#include "bzint/qme/exact_reservoir.hpp"
#include "bzint/qme/nband_dc.hpp"
#include "cuda_backend.hpp"
#include "device_runtime.hpp"

namespace bzint::cuda {

namespace {

constexpr int kThreads = 256;

unsigned grid_for(long long n, int threads = kThreads) { return static_cast<unsigned>((n + threads - 1) / threads); }

template <class Model>
__global__ void geometry_points_kernel(Model model, const double* k, long long count, BandGeometry* out) {
    const long long t = blockIdx.x * static_cast<long long>(blockDim.x) + threadIdx.x;
    if (t >= count) return;
    TwoBandPoint h;
    model(k + 3 * t, h);
    two_band_geometry(h, out + 2 * t);
}

template <class Model>
__global__ void nband_points_kernel(Model model, const double* k, long long count, BandGeometry* out) {
    constexpr int N = Model::bands;
    const long long t = blockIdx.x * static_cast<long long>(blockDim.x) + threadIdx.x;
    if (t >= count) return;
    NBandPoint<N> h;
    model(k + 3 * t, h);
    BandGeometry g[N];
    nband_geometry<N>(h, g);
    for (int n = 0; n < N; ++n) out[N * t + n] = g[n];
}

// Entry e of point t goes to slot E t + e (E = Fn::Out::entries); values are stored value-major.
// Each slot's sort key is (block of the point − first block of the chunk) · n_keys + key, or
// LLONG_MAX for an unused entry, so that a stable sort groups a block's entries by key in index order.
template <class Fn>
__global__ void keyed_kernel(Fn fn, long long begin, long long count, long long block, long long first_block, int nk,
                             int nv, long long* keys, double* vals, unsigned long long* bad, char* hot) {
    constexpr int E = Fn::Out::entries;
    const long long t = blockIdx.x * static_cast<long long>(blockDim.x) + threadIdx.x;
    if (t >= count) return;
    typename Fn::Out out;
    if (!fn(begin + t, out)) atomicMin(bad, static_cast<unsigned long long>(begin + t));
    hot[t] = out.hot ? 1 : 0;
    const long long slots = E * count;
    const long long row = ((begin + t) / block - first_block) * nk;
    for (int e = 0; e < E; ++e) {
        const long long s = E * t + e;
        keys[s] = e < out.n ? row + out.key[e] : LLONG_MAX;
        for (int v = 0; v < nv; ++v) vals[v * slots + s] = e < out.n ? out.val[e][v] : 0.0;
    }
}

// Segment j (entries order[start[j] .. start[j+1])) summed in that order, value v per thread,
// continuing from seed[j] for the first `seeded` segments (a block begun in the previous chunk).
// Light histograms sum in plain doubles, as the CPU's light block sums do.
__global__ void segment_sum_kernel(long long segments, int nv, long long slots, const long long* start,
                                   const long long* order, const double* vals, const Neumaier* seed, long long seeded,
                                   bool light, Neumaier* sums) {
    const long long t = blockIdx.x * static_cast<long long>(blockDim.x) + threadIdx.x;
    if (t >= segments * nv) return;
    const long long j = t / nv;
    const int v = static_cast<int>(t % nv);
    const double* x = vals + v * slots;
    Neumaier s = j < seeded ? seed[t] : Neumaier{};
    if (light) {
        double d = s.s;
        for (long long p = start[j]; p < start[j + 1]; ++p) d += x[order[p]];
        s = Neumaier{d, 0.0};
    } else {
        for (long long p = start[j]; p < start[j + 1]; ++p) s.add(x[order[p]]);
    }
    sums[t] = s;
}

// n elements from the device into `to` (resized). Nothing is copied for n = 0: Thrust's host
// systems dereference the destination even of an empty copy (UBSan, in the emulated build).
template <class Iterator, class T>
void copy_to_host(Iterator from, long long n, std::vector<T>& to) {
    to.resize(static_cast<std::size_t>(n));
    if (n > 0) thrust::copy_n(from, n, to.data());
}

struct IsFlagged {
    const char* flags;
    long long begin;
    __host__ __device__ bool operator()(long long i) const { return flags[i - begin] != 0; }
};

// Points per chunk: buffers near 256 MiB, or BZINT_CUDA_CHUNK=<points> (for small devices and
// for tests: any chunk gives the same bits).
long long chunk_points(long long E, int nv, long long my_n) {
    const long long bytes_per_point = E * (4 * 8 + 8 * nv + 16LL * nv) + 1 + 8;
    long long chunk = std::max<long long>(1 << 12, (1LL << 28) / bytes_per_point);
    if (const long long cap = cuda_chunk_cap()) chunk = std::min(chunk, cap);
    return std::max<long long>(1, std::min(chunk, my_n));
}

// The device buffers of one keyed reduction, for chunks of `chunk` points.
struct ChunkBuffers {
    thrust::device_vector<long long> keys, order, segment_keys, segment_start, flagged;
    thrust::device_vector<double> vals;
    thrust::device_vector<Neumaier> seeds, sums;
    thrust::device_vector<char> flags;
    void allocate(long long E, long long chunk, int nv, bool hot) {
        keys.resize(E * chunk);
        order.resize(E * chunk);
        segment_keys.resize(E * chunk);
        segment_start.resize(E * chunk + 1);
        vals.resize(E * chunk * nv);
        sums.resize(E * chunk * nv);
        flags.resize(chunk);
        flagged.resize(hot ? chunk : 0);
    }
    void release() { *this = ChunkBuffers{}; }
};

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

// As cpu::keyed_reduce, with the same blocks, order and checkpoints; `hot` collects the indices
// flagged for refinement, in order. Under MPI this rank reduces its share of whole blocks and
// the ranks combine (host/ranks.hpp).
template <class Fn>
long long keyed_reduce(const Fn& fn, long long n, std::vector<Neumaier>& total, Progress* progress,
                       std::vector<long long>* hot = nullptr) {
    constexpr long long E = Fn::Out::entries;
    const int nv = fn.n_values();
    const int nk = fn.n_keys();
    const long long block = reduce_block(nk, nv);
    const bool light = light_histogram(nk, nv);
    total.assign(static_cast<std::size_t>(nk) * nv, Neumaier{});
    const ranks::Share mine = ranks::share(n, block);
    const long long b_end = (mine.end + block - 1) / block;
    // When the device cannot hold a chunk's buffers or the sort's scratch (other work on it, a
    // small device), the chunk is halved and the chunk redone: the result does not depend on it.
    long long chunk = chunk_points(E, nv, mine.end - mine.begin);
    ChunkBuffers buf;
    auto shrink = [&] {
        buf.release();
        if (chunk <= 256)
            throw std::runtime_error("CUDA device out of memory for chunks of " + std::to_string(chunk) +
                                     " k-points; run with --backend cpu");
        chunk /= 2;
        std::fprintf(stderr, "bzint: device memory is short; continuing with chunks of %lld k-points\n", chunk);
    };
    auto allocate = [&] {
        for (;;) {
            try {
                buf.allocate(E, chunk, nv, hot != nullptr);
                return;
            } catch (const std::bad_alloc&) {
                shrink();
            }
        }
    };
    allocate();
    thrust::device_vector<unsigned long long> bad(1, ULLONG_MAX);
    // Checkpoints (host/checkpoint.hpp): the total of the finished blocks and the next block, as
    // on the CPU; saved every 30 s, on SIGINT/SIGTERM and at the end.
    ReductionCheckpoint checkpoint(!hot, n, nv, nk);
    auto last_save = std::chrono::steady_clock::now();
    long long next_block = mine.begin / block, saved_bad = -1;
    checkpoint.resume(total, next_block, saved_bad);
    // Single elements move by copy_n: a device_vector's element reference binds a null execution
    // policy on Thrust's host systems (UBSan reports it in the emulated build).
    auto first_bad = [&]() {
        unsigned long long b = ULLONG_MAX;
        thrust::copy_n(bad.begin(), 1, &b);
        const long long d = b == ULLONG_MAX ? -1 : static_cast<long long>(b);
        return saved_bad < 0 ? d : d < 0 ? saved_bad : std::min(d, saved_bad);
    };
    BlockFold fold(total, nk, nv, light);
    std::vector<long long> hkeys;
    std::vector<Neumaier> hsums, hseeds;
    std::vector<long long> hflagged;
    // One chunk on the device: its points evaluated, their entries grouped by (block, key) and each
    // group summed; the segment keys and sums, and the flagged points, copied back.
    auto reduce_chunk = [&](long long begin, long long count) {
        const long long slots = E * count, end = begin + count, first = begin / block;
        launch("keyed_kernel", &keyed_kernel<Fn>, grid_for(count), kThreads, fn, begin, count, block, first, nk, nv,
               thrust::raw_pointer_cast(buf.keys.data()), thrust::raw_pointer_cast(buf.vals.data()),
               thrust::raw_pointer_cast(bad.data()), thrust::raw_pointer_cast(buf.flags.data()));
        hflagged.clear();
        if (hot) {
            auto last = thrust::copy_if(thrust::counting_iterator<long long>(begin), thrust::counting_iterator<long long>(end),
                                        buf.flagged.begin(), IsFlagged{thrust::raw_pointer_cast(buf.flags.data()), begin});
            copy_to_host(buf.flagged.begin(), last - buf.flagged.begin(), hflagged);
        }
        // Group the entries by (block, key), each group in slot (= index) order; find the groups.
        thrust::sequence(buf.order.begin(), buf.order.begin() + slots);
        thrust::stable_sort_by_key(buf.keys.begin(), buf.keys.begin() + slots, buf.order.begin());
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
        // Segments of a block the previous chunk began continue its sums.
        long long seeded = 0;
        if (fold.open_block() == first)
            while (seeded < segments && hkeys[seeded] < nk) ++seeded;
        fold.seeds_for(hkeys, seeded, hseeds);
        if (seeded > 0) buf.seeds.assign(hseeds.begin(), hseeds.end());  // (Thrust's host copy reads *begin of an empty range)
        launch("segment_sum_kernel", &segment_sum_kernel, grid_for(segments * nv), kThreads, segments, nv, slots,
               thrust::raw_pointer_cast(buf.segment_start.data()), thrust::raw_pointer_cast(buf.order.data()),
               thrust::raw_pointer_cast(buf.vals.data()), thrust::raw_pointer_cast(buf.seeds.data()), seeded, light,
               thrust::raw_pointer_cast(buf.sums.data()));
        copy_to_host(buf.sums.begin(), segments * nv, hsums);
    };
    long long begin = std::max(mine.begin, next_block * block);
    if (progress) progress->update(ranks::scaled_progress(begin, mine, n));
    while (begin < mine.end) {
        const long long count = std::min(chunk, mine.end - begin), end = begin + count;
        try {
            reduce_chunk(begin, count);
        } catch (const std::bad_alloc&) {  // the sort's scratch or the seeds did not fit: a smaller chunk
            shrink();
            allocate();
            continue;
        }
        if (stop_requested()) {  // the emulator cut the chunk short: keep the state before it
            checkpoint.save(next_block, first_bad(), total);
            throw_if_stopped();
        }
        if (hot) {
            if (hot->size() + hflagged.size() > kMaxFlaggedPoints) throw_too_many_flagged(n);
            hot->insert(hot->end(), hflagged.begin(), hflagged.end());
        }
        fold.fold(hkeys, hsums, begin / block, block, end == mine.end ? LLONG_MAX : end);
        begin = end;
        // Blocks before `next_block` are in the total.
        next_block = begin == mine.end ? b_end : begin / block;
        if (progress) progress->update(ranks::scaled_progress(begin, mine, n));
        count_stop_unit();
        const auto now = std::chrono::steady_clock::now();
        if (stop_requested() || now - last_save >= kCheckpointInterval) {
            checkpoint.save(next_block, first_bad(), total);
            last_save = now;
            throw_if_stopped();
        }
    }
    fold.finish();
    const long long bad_index = first_bad();
    checkpoint.save(b_end, bad_index, total);
    ranks::combine(total);
    if (hot) ranks::combine_concat(*hot);
    return ranks::combine_first(bad_index);
}

// keyed_reduce with adaptive refinement (host/refined_reduce.hpp); the flagged indices are
// copied to the device for the sub-grid pass.
struct DeviceIndices {
    thrust::device_vector<long long> v;
    const long long* get() const { return thrust::raw_pointer_cast(v.data()); }
};

template <class Fn>
long long refined_reduce(const Fn& fn, long long n, std::vector<Neumaier>& total, Progress* progress, const Refine& refine,
                         long long& refined) {
    return bzint::refined_reduce(
        fn, n, total, progress, refine, refined,
        [](const auto& f, long long count, std::vector<Neumaier>& t, Progress* pr, std::vector<long long>* hot) {
            return keyed_reduce(f, count, t, pr, hot);
        },
        [](const std::vector<long long>& hot) { return DeviceIndices{thrust::device_vector<long long>(hot.begin(), hot.end())}; });
}

template <class Model>
__global__ void two_band_lines_kernel(Model model, QmeParams q, const double* k0, long long lines, double period,
                                      long long steps, LineCurrent* out) {
    const long long l = blockIdx.x * static_cast<long long>(blockDim.x) + threadIdx.x;
    if (l < lines) out[l] = two_band_periodic_line(model, q, k0 + 3 * l, period, steps);
}

template <int N, class Model>
__global__ void nband_lines_kernel(Model model, QmeParams q, const double* k0, long long lines, double period, long long steps,
                                   double* work, LineCurrent* out) {
    const long long l = blockIdx.x * static_cast<long long>(blockDim.x) + threadIdx.x;
    if (l < lines)
        out[l] = nband_periodic_line<N>(model, q, k0 + 3 * l, period, steps, work + l * nband_workspace_doubles<N>());
}

template <int N, class Model>
__global__ void exact_lines_kernel(Model model, QmeParams q, ExactParams x, const double* k0, long long lines,
                                   double period, long long steps, cplx* work, long long work_per_line, LineCurrent* out) {
    const long long l = blockIdx.x * static_cast<long long>(blockDim.x) + threadIdx.x;
    if (l < lines) out[l] = exact_periodic_line<N>(model, q, x, k0 + 3 * l, period, steps, work + l * work_per_line);
}

}  // namespace

bool compiled() { return true; }

bool emulated() {
#if defined(BZINT_CUDA_EMULATION)
    return true;
#else
    return false;
#endif
}

// A device is usable when one is present and this binary holds code for it (the build's
// CMAKE_CUDA_ARCHITECTURES, sm_80 and sm_90 by default), so that `auto` never picks a device
// on which every launch would fail.
bool available() { return runtime::device_count() > 0 && runtime::has_code_for_device(); }

void select_device(int local_rank) { runtime::set_device(local_rank % std::max(1, runtime::device_count())); }

std::string device_name() { return available() ? runtime::device_name() : "none"; }

void geometry_at_points(const ModelParams& mp, const double* k, long long count, BandGeometry* out) {
    thrust::device_vector<double> dk(k, k + 3 * count);
    if (mp.id >= kTwoBandModels) {
        visit_nband_model(mp, [&](auto model) {
            using Model = decltype(model);
            thrust::device_vector<BandGeometry> d(Model::bands * count);
            launch("nband_points_kernel", &nband_points_kernel<Model>, grid_for(count), kThreads, model,
                   thrust::raw_pointer_cast(dk.data()), count, thrust::raw_pointer_cast(d.data()));
            throw_if_stopped();
            thrust::copy(d.begin(), d.end(), out);
        });
        return;
    }
    thrust::device_vector<BandGeometry> d(2 * count);
    visit_model(mp, [&](auto model) {
        launch("geometry_points_kernel", &geometry_points_kernel<decltype(model)>, grid_for(count), kThreads, model,
               thrust::raw_pointer_cast(dk.data()), count, thrust::raw_pointer_cast(d.data()));
    });
    throw_if_stopped();
    thrust::copy(d.begin(), d.end(), out);
}

int wannier_device_size(int num_wann) { return num_wann <= 4 ? 4 : num_wann <= 16 ? 16 : 0; }

namespace {

// A loaded Wannier model's arrays on the device, padded to 4 or 16 orbitals (models::Wannier<N>
// pads with uncoupled orbitals far above the bands for any N ≥ num_wann).
struct DeviceWannier {
    thrust::device_vector<double> R, inv_degen, tau;
    thrust::device_vector<cplx> H;
    WannierData view;
    explicit DeviceWannier(const LoadedWannier& w)
        : R(w.R_cart.begin(), w.R_cart.end()), inv_degen(w.inv_degen.begin(), w.inv_degen.end()),
          tau(w.tau.begin(), w.tau.end()), H(w.H.begin(), w.H.end()) {
        view = w.view();
        view.R = thrust::raw_pointer_cast(R.data());
        view.inv_degen = thrust::raw_pointer_cast(inv_degen.data());
        view.tau = thrust::raw_pointer_cast(tau.data());
        view.H = thrust::raw_pointer_cast(H.data());
        view.r = nullptr;  // the position matrix's terms run on the CPU (host/app.cpp)
    }
};

template <class F>
void visit_device_wannier(const ModelParams& mp, F&& f) {
    const LoadedWannier& w = wannier_of(mp);
    const DeviceWannier d(w);
    switch (wannier_device_size(w.tb.num_wann)) {
        case 4: f(models::Wannier<4>{d.view}); break;
        case 16: f(models::Wannier<16>{d.view}); break;
        default: throw std::logic_error("wannier model too large for the device path");
    }
}

// The scan functors of one N-band model (built-in or Wannier) on the device.
template <class Model>
long long nband_scan_reduce(const Model& model, const Mesh& mesh, ScanKind kind, const Binning& dbins,
                            const ScanFields& fields, std::vector<Neumaier>& total, Progress* progress, const Refine& refine,
                            long long& refined) {
    if (kind == ScanKind::hybrid)
        return keyed_reduce(HybridScanFn<Model>{model, mesh, dbins, fields.hybrid}, mesh.count(), total, progress);
    return refined_reduce(NBandScanFn<Model>{model, mesh, kind, dbins, fields, refine.threshold}, mesh.count(), total,
                          progress, refine, refined);
}

}  // namespace

long long scan_reduce(const ModelParams& mp, const Mesh& mesh, ScanKind kind, const Binning& bins,
                      const ScanFields& fields, const std::vector<double>& levels, std::vector<Neumaier>& total, Progress* progress,
                      const Refine& refine, long long& refined) {
    thrust::device_vector<double> dlevels(levels.begin(), levels.end());
    Binning dbins = bins;
    dbins.levels = thrust::raw_pointer_cast(dlevels.data());
    long long bad = -1;
    auto nband = [&](auto model) { bad = nband_scan_reduce(model, mesh, kind, dbins, fields, total, progress, refine, refined); };
    if (is_wannier(mp)) {
        visit_device_wannier(mp, nband);
        return bad;
    }
    if (mp.id >= kTwoBandModels) {
        visit_nband_model(mp, nband);
        return bad;
    }
    if (kind == ScanKind::hybrid) {
        visit_model(mp, [&](auto model) { nband(AsNBand<decltype(model)>{model}); });
        return bad;
    }
    visit_model(mp, [&](auto model) {
        using Model = decltype(model);
        bad = refined_reduce(ScanFn<Model>{model, mesh, kind, dbins, fields, refine.threshold}, mesh.count(), total,
                             progress, refine, refined);
    });
    return bad;
}

long long chern_reduce(const ModelParams& mp, const Mesh& mesh, std::vector<Neumaier>& total, Progress* progress) {
    long long bad = -1;
    if (mp.id >= kTwoBandModels) {
        visit_nband_model(mp, [&](auto model) {
            using Model = decltype(model);
            bad = keyed_reduce(NBandChernFn<Model>{model, mesh}, mesh.count(), total, progress);
        });
        return bad;
    }
    visit_model(mp, [&](auto model) {
        using Model = decltype(model);
        bad = keyed_reduce(ChernFn<Model>{model, mesh}, mesh.count(), total, progress);
    });
    return bad;
}

void dc_lines(const ModelParams& mp, int bands, const QmeParams& q, const std::vector<double>& k0, double period,
              long long steps, std::vector<LineCurrent>& out) {
    const long long lines = static_cast<long long>(k0.size() / 3);
    thrust::device_vector<double> dk(k0.begin(), k0.end());
    thrust::device_vector<LineCurrent> dout(lines);
    constexpr int kLineThreads = 64;
    const unsigned grid = grid_for(lines, kLineThreads);
    // Lines exist only for lattice models: no kernels are instantiated for continuum ones.
    if (bands == 2) {
        visit_model(mp, [&](auto model) {
            using Model = decltype(model);
            if constexpr (Model::lattice)
                launch("two_band_lines_kernel", &two_band_lines_kernel<Model>, grid, kLineThreads, model, q,
                       thrust::raw_pointer_cast(dk.data()), lines, period, steps, thrust::raw_pointer_cast(dout.data()));
        });
    } else {
        visit_nband_model(mp, [&](auto model) {
            using Model = decltype(model);
            if constexpr (Model::lattice) {
                constexpr int N = Model::bands;
                thrust::device_vector<double> work(lines * nband_workspace_doubles<N>());
                launch("nband_lines_kernel", &nband_lines_kernel<N, Model>, grid, kLineThreads, model, q,
                       thrust::raw_pointer_cast(dk.data()), lines, period, steps, thrust::raw_pointer_cast(work.data()),
                       thrust::raw_pointer_cast(dout.data()));
            }
        });
    }
    throw_if_stopped();  // a launch the emulator cut short on a stop request is not a result
    copy_to_host(dout.begin(), lines, out);
}

void dc_lines_exact(const ModelParams& mp, int bands, const QmeParams& q, const ExactParams& x,
                    const std::vector<double>& k0, double period, long long steps, std::vector<LineCurrent>& out) {
    const long long lines = static_cast<long long>(k0.size() / 3);
    const int P = x.poles.P;
    thrust::device_vector<double> dk(k0.begin(), k0.end()), zeta(x.poles.zeta, x.poles.zeta + P),
        eta(x.poles.eta, x.poles.eta + P);
    thrust::device_vector<EtdCoefficients> coef(x.coef, x.coef + 1 + P);
    thrust::device_vector<LineCurrent> dout(lines);
    ExactParams dx = x;
    dx.poles.zeta = thrust::raw_pointer_cast(zeta.data());
    dx.poles.eta = thrust::raw_pointer_cast(eta.data());
    dx.coef = thrust::raw_pointer_cast(coef.data());
    constexpr int kLineThreads = 64;
    const unsigned grid = grid_for(lines, kLineThreads);
    auto run = [&](auto model) {
        using Model = decltype(model);
        constexpr int N = Model::bands;
        const long long per_line = exact_workspace<N>(P);
        thrust::device_vector<cplx> work(lines * per_line);
        launch("exact_lines_kernel", &exact_lines_kernel<N, Model>, grid, kLineThreads, model, q, dx,
               thrust::raw_pointer_cast(dk.data()), lines, period, steps, thrust::raw_pointer_cast(work.data()), per_line,
               thrust::raw_pointer_cast(dout.data()));
    };
    if (bands == 2)
        visit_model(mp, [&](auto model) {
            if constexpr (decltype(model)::lattice) run(AsNBand<decltype(model)>{model});
        });
    else
        visit_nband_model(mp, [&](auto model) {
            if constexpr (decltype(model)::lattice) run(model);
        });
    throw_if_stopped();  // a launch the emulator cut short on a stop request is not a result
    copy_to_host(dout.begin(), lines, out);
}

}  // namespace bzint::cuda
