// The CUDA emulator's device side: what kernels/cuda_*.cu need of CUDA, for a host C++
// compiler (CMake option BZINT_CUDA_EMULATION). It lets the CUDA launchers — the same kernels,
// the same Thrust algorithms (on Thrust's sequential CPP system) and the same chunking — run on a
// machine without a GPU, so that every commit executes them. A correctness tool, not a fast path.
//
// Execution model (kernels/emulation/cuda_emulation.cpp): the blocks of a grid are spread over the
// worker threads; the threads of one block run as cooperative fibers on one worker, each with its
// own stack and its own threadIdx. A fiber runs until it finishes or waits at a barrier —
// __syncthreads() for the block, __syncwarp() and the warp intrinsics (__shfl_*_sync,
// __ballot_sync, __any_sync, __all_sync) for the lanes of its warp (32 consecutive threads) named in
// the mask — so code that relies on barriers behaves as on a device. The emulator is strict where a
// device is undefined: a barrier that not every thread reaches, a shuffle from a lane outside the
// mask, or a lane calling with a mask that omits itself, ends the launch with an error naming the
// kernel. Static __shared__ variables are per block (thread_local: one block at a time per
// worker; dynamic `extern __shared__` arrays are not emulated); atomics are std::atomic_ref
// operations, valid on shared and global memory alike.
// Only 1-D grids and blocks are emulated (all that bzint launches).
#pragma once
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <functional>
#include <string>
#include <type_traits>

// The CUDA toolkit's host headers, when CCCL finds them, define these qualifiers for a host
// compiler; the emulator's meaning replaces theirs.
#undef __global__
#undef __device__
#undef __host__
#undef __forceinline__
#undef __shared__
#undef __launch_bounds__
#define __global__
#define __device__
#define __host__
#define __forceinline__ inline
#define __shared__ static thread_local
#define __launch_bounds__(...)

namespace bzint::cuda::emulation {
struct Dim3 {
    unsigned x = 1, y = 1, z = 1;
};
}  // namespace bzint::cuda::emulation
// constinit: no dynamic initialisation, so no TLS wrapper call at each use (GCC's UBSan mis-checks
// that wrapper's result as a null pointer).
extern thread_local constinit bzint::cuda::emulation::Dim3 threadIdx, blockIdx, blockDim, gridDim;
constexpr int warpSize = 32;

// ---- the emulator ------------------------------------------------------------------------------
namespace bzint::cuda::emulation {

// ---- the runtime calls of kernels/device_runtime.hpp --------------------------------------------
int device_count();
void set_device(int device);
std::string device_name();
bool has_code_for_device();
// 0: the emulated device's memory is the host's, which it does not size (device_reduce.cu then
// keeps its default chunk buffers).
long long free_memory();
// Launches run to their end in the calling thread: a host flag is plain memory, and every kernel
// launched has ended when the launch returns.
int* alloc_host_flag();
void free_host_flag(int* flag);
inline bool kernels_done() { return true; }
struct LaunchError {
    std::string what;        // empty: no error
    bool resources = false;  // an injected failure (inject_resource_failure)
};
// The launch just made (launches are synchronous here): an invalid configuration, or an
// injected failure.
LaunchError launch_error(bool wait);
// For tests: the next launch of `kernel` fails as a device fails a launch whose per-thread frame
// or registers do not fit ("too many resources requested for launch"), without running.
void inject_resource_failure(const std::string& kernel);

// Runs body() as every thread of a grid of `grid` blocks of `block` threads; rethrows the first
// exception a thread threw (kernels do not throw; the emulator's own checks do).
void run_grid(const char* kernel, unsigned grid, unsigned block, const std::function<void()>& body);

// Block barrier; warp barrier over the lanes of `mask`.
void block_barrier();
void warp_barrier(unsigned mask);
// Publishes this lane's 8 bytes to the lanes of `mask` and waits for them: the warp's 32 slots.
// Pair with warp_release(mask) once the slot read is done.
const std::uint64_t* warp_publish(unsigned mask, std::uint64_t bits);
void warp_release(unsigned mask);
// This thread's lane in its warp.
inline unsigned lane() { return threadIdx.x % 32u; }
// Ends the launch with an error naming the kernel (an emulator check failed).
[[noreturn]] void fail(const char* what);

template <class T>
std::uint64_t to_bits(T v) {
    static_assert(sizeof(T) <= 8 && std::is_trivially_copyable_v<T>, "warp shuffles move at most 8 bytes");
    std::uint64_t b = 0;
    std::memcpy(&b, &v, sizeof(T));
    return b;
}
template <class T>
T from_bits(std::uint64_t b) {
    T v;
    std::memcpy(&v, &b, sizeof(T));
    return v;
}
// The value of lane `src`, or this lane's own when the source lies outside [lo, hi) — the
// device's rules: lo..hi is this lane's segment of `width` lanes for up/down shuffles, and
// lanes 0 .. the segment's end for xor (earlier segments may be read, later ones not).
template <class T>
T shuffle(unsigned mask, T v, int src, int lo, int hi) {
    const std::uint64_t* slots = warp_publish(mask, to_bits(v));
    T out = v;
    if (src >= lo && src < hi) {
        if (!(mask >> src & 1u)) fail("a warp shuffle read a lane outside its mask");
        out = from_bits<T>(slots[src]);
    }
    warp_release(mask);
    return out;
}

// The segment of `width` lanes this lane is in: [base, base + width). width must be a power of
// two from 1 to 32.
inline int segment_base(int width) {
    if (width < 1 || width > 32 || (width & (width - 1))) fail("a warp shuffle's width is not a power of two up to 32");
    return static_cast<int>(lane()) & ~(width - 1);
}

}  // namespace bzint::cuda::emulation

inline void __syncthreads() { bzint::cuda::emulation::block_barrier(); }
inline void __syncwarp(unsigned mask = 0xffffffffu) { bzint::cuda::emulation::warp_barrier(mask); }
inline void __threadfence() { std::atomic_thread_fence(std::memory_order_seq_cst); }

template <class T>
T __shfl_sync(unsigned mask, T v, int src, int width = 32) {
    using namespace bzint::cuda::emulation;
    const int base = segment_base(width);
    return shuffle(mask, v, base + ((src % width) + width) % width, base, base + width);
}
template <class T>
T __shfl_down_sync(unsigned mask, T v, unsigned delta, int width = 32) {
    using namespace bzint::cuda::emulation;
    const int base = segment_base(width);
    return shuffle(mask, v, static_cast<int>(lane() + delta), base, base + width);
}
template <class T>
T __shfl_up_sync(unsigned mask, T v, unsigned delta, int width = 32) {
    using namespace bzint::cuda::emulation;
    const int base = segment_base(width);
    return shuffle(mask, v, static_cast<int>(lane()) - static_cast<int>(delta), base, base + width);
}
template <class T>
T __shfl_xor_sync(unsigned mask, T v, int lane_mask, int width = 32) {
    using namespace bzint::cuda::emulation;
    const int base = segment_base(width);
    return shuffle(mask, v, static_cast<int>(lane() ^ static_cast<unsigned>(lane_mask)), 0, base + width);
}
inline unsigned __ballot_sync(unsigned mask, int predicate) {
    using namespace bzint::cuda::emulation;
    const std::uint64_t* slots = warp_publish(mask, predicate != 0);
    unsigned out = 0;
    for (unsigned l = 0; l < 32; ++l)
        if ((mask >> l & 1u) && slots[l]) out |= 1u << l;
    warp_release(mask);
    return out;
}
inline int __any_sync(unsigned mask, int predicate) { return __ballot_sync(mask, predicate) != 0; }
inline int __all_sync(unsigned mask, int predicate) { return __ballot_sync(mask, !predicate) == 0; }

// Atomics: the device's read-modify-write operations, returning the old value.
// The value parameter does not take part in deduction: atomicAdd(unsigned long long*, 1) works,
// as on a device.
template <class T>
T atomicAdd(T* address, std::type_identity_t<T> v) {
    return std::atomic_ref<T>(*address).fetch_add(v);
}
template <class T>
T atomicSub(T* address, std::type_identity_t<T> v) {
    return std::atomic_ref<T>(*address).fetch_sub(v);
}
template <class T>
T atomicExch(T* address, std::type_identity_t<T> v) {
    return std::atomic_ref<T>(*address).exchange(v);
}
template <class T>
T atomicCAS(T* address, std::type_identity_t<T> expected, std::type_identity_t<T> desired) {
    std::atomic_ref<T>(*address).compare_exchange_strong(expected, desired);
    return expected;
}
template <class T>
T atomicMin(T* address, std::type_identity_t<T> v) {
    std::atomic_ref<T> a(*address);
    T old = a.load();
    while (v < old && !a.compare_exchange_weak(old, v)) {
    }
    return old;
}
template <class T>
T atomicMax(T* address, std::type_identity_t<T> v) {
    std::atomic_ref<T> a(*address);
    T old = a.load();
    while (v > old && !a.compare_exchange_weak(old, v)) {
    }
    return old;
}
