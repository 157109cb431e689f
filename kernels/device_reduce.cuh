// The device's keyed reduction (the Fermi scans and the Chern planes launch it).
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
//
// The reduction itself is compiled once (device_reduce.cu: Thrust's sort and the segment sums are
// the same for every functor); each functor adds only its evaluation kernel, keyed_kernel<Fn>.
#pragma once
#include <thrust/device_vector.h>

#include <functional>
#include <vector>

#include "../host/neumaier.hpp"
#include "../host/refined_reduce.hpp"
#include "bzint/per_k.hpp"
#include "device_launch.cuh"

namespace bzint {
class Progress;
}

namespace bzint::cuda {

namespace {

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

}  // namespace

// One chunk's evaluation: points [begin, begin + count) of blocks of `block` points, the chunk's
// first block `first`; keyed_kernel's outputs (device pointers).
struct ChunkLaunch {
    long long begin, count, block, first;
    long long* keys;
    double* vals;
    unsigned long long* bad;
    char* flags;
};

// A functor's output shape: entries per point (Out::entries), values per entry, keys.
struct KeyedShape {
    long long entries;
    int values, keys;
};

// As cpu::keyed_reduce, with the same blocks and order, for a functor of `shape` whose chunks
// `evaluate` runs; `hot` collects the indices flagged for refinement, in order. The checkpoints,
// the first non-finite point and the ranks' shares are host/keyed_reduction.hpp's frame, as on
// the CPU.
long long keyed_reduce_chunks(const KeyedShape& shape, long long n, std::vector<Neumaier>& total, Progress* progress,
                              std::vector<long long>* hot, const std::function<void(const ChunkLaunch&)>& evaluate);

namespace {

// (A function object, so that refined_reduce can be handed it.)
struct KeyedReduce {
    template <class Fn>
    long long operator()(const Fn& fn, long long n, std::vector<Neumaier>& total, Progress* progress,
                         std::vector<long long>* hot = nullptr) const {
        const KeyedShape shape{Fn::Out::entries, fn.n_values(), fn.n_keys()};
        return keyed_reduce_chunks(shape, n, total, progress, hot, [&](const ChunkLaunch& c) {
            launch("keyed_kernel", &keyed_kernel<Fn>, grid_for(c.count), kThreads, fn, c.begin, c.count, c.block, c.first,
                   shape.keys, shape.values, c.keys, c.vals, c.bad, c.flags);
        });
    }
};
constexpr KeyedReduce keyed_reduce{};

// The flagged indices copied to the device for refinement's sub-grid pass.
struct DeviceIndices {
    thrust::device_vector<long long> v;
    const long long* get() const { return thrust::raw_pointer_cast(v.data()); }
    static DeviceIndices of(const std::vector<long long>& hot) { return {thrust::device_vector<long long>(hot.begin(), hot.end())}; }
};

// keyed_reduce with adaptive refinement (host/refined_reduce.hpp).
template <class Fn>
long long refined_reduce(const Fn& fn, long long n, std::vector<Neumaier>& total, Progress* progress, const Refine& refine,
                         long long& refined) {
    return bzint::refined_reduce(fn, n, total, progress, refine, refined, keyed_reduce, &DeviceIndices::of);
}

}  // namespace

}  // namespace bzint::cuda
