// The CUDA emulator's primitives (kernels/emulation/), each with a kernel whose result is known
// in closed form: barriers and static shared memory, the warp intrinsics, atomics on shared and
// global memory, and the errors the emulator raises where a device is undefined. Built in the
// emulated build only (ctest label `device`).
#include <gtest/gtest.h>

#include <numeric>
#include <stdexcept>
#include <string>
#include <vector>

#include "device_runtime.hpp"
#include "engine.hpp"
#include "model_registry.hpp"
#include "test_util.hpp"

using bzint::cuda::launch;

namespace {

// Tree reduction in shared memory: out[block] = Σ_t t over the block = B(B−1)/2.
__global__ void block_sum_kernel(long long* out) {
    __shared__ long long partial[256];
    const unsigned t = threadIdx.x;
    partial[t] = t;
    __syncthreads();
    for (unsigned half = blockDim.x / 2; half > 0; half /= 2) {
        if (t < half) partial[t] += partial[t + half];
        __syncthreads();
    }
    if (t == 0) out[blockIdx.x] = partial[0];
}

// Warp sums by __shfl_down_sync; lane 0 of each warp adds its warp's sum to the block total.
__global__ void warp_sum_kernel(double* out) {
    __shared__ double block_total;
    if (threadIdx.x == 0) block_total = 0.0;
    __syncthreads();
    double v = threadIdx.x + 1.0;
    for (int d = 16; d > 0; d /= 2) v += __shfl_down_sync(0xffffffffu, v, d);
    if (threadIdx.x % 32 == 0) atomicAdd(&block_total, v);
    __syncthreads();
    if (threadIdx.x == 0) out[blockIdx.x] = block_total;
}

// Broadcast, butterfly and inclusive scan within a warp, per lane.
__global__ void shuffle_kernel(int* broadcast, int* butterfly, int* scan) {
    const int lane = threadIdx.x % 32;
    broadcast[threadIdx.x] = __shfl_sync(0xffffffffu, lane * 10, 5);
    int x = lane;
    for (int m = 1; m < 32; m *= 2) x += __shfl_xor_sync(0xffffffffu, x, m);
    butterfly[threadIdx.x] = x;
    int s = 1;
    for (int d = 1; d < 32; d *= 2) {
        const int y = __shfl_up_sync(0xffffffffu, s, d);
        if (lane >= d) s += y;
    }
    scan[threadIdx.x] = s;
}

__global__ void vote_kernel(unsigned* ballot, int* any, int* all) {
    const int lane = threadIdx.x % 32;
    ballot[threadIdx.x] = __ballot_sync(0xffffffffu, lane % 3 == 0);
    any[threadIdx.x] = __any_sync(0xffffffffu, lane == 31);
    all[threadIdx.x] = __all_sync(0xffffffffu, lane < 31);
}

// A block of 48 threads: its second warp has 16 lanes, and a mask naming them.
__global__ void partial_warp_kernel(int* out) {
    const unsigned mask = threadIdx.x < 32 ? 0xffffffffu : 0x0000ffffu;
    int v = 1;
    for (int d = 8; d > 0; d /= 2) v += __shfl_xor_sync(mask, v, d, 16);
    out[threadIdx.x] = v;
}

__global__ void atomics_kernel(double* sum, unsigned long long* minimum, int* cas_winner, int* shared_counts) {
    __shared__ int count;
    if (threadIdx.x == 0) count = 0;
    __syncthreads();
    atomicAdd(&count, 1);
    atomicAdd(sum, 0.5);
    atomicMin(minimum, static_cast<unsigned long long>(1000 + blockIdx.x * blockDim.x + threadIdx.x));
    atomicCAS(cas_winner, -1, static_cast<int>(blockIdx.x));
    __syncthreads();
    if (threadIdx.x == 0) shared_counts[blockIdx.x] = count;
}

__global__ void divergent_barrier_kernel() {
    if (threadIdx.x < 16) __syncthreads();
}

__global__ void outside_mask_kernel(int* out) {
    out[threadIdx.x] = __shfl_sync(0x0000ffffu, 1, 20);
}

__global__ void overlapping_masks_kernel(int* out) {
    const unsigned mask = threadIdx.x < 16 ? 0x0000ffffu : 0xffffffffu;
    out[threadIdx.x] = __shfl_sync(mask, 1, 0);
}

// Two disjoint halves of a warp shuffle at the same time, each within its own mask.
__global__ void disjoint_masks_kernel(int* out) {
    const unsigned lane = threadIdx.x % 32;
    const unsigned mask = lane < 16 ? 0x0000ffffu : 0xffff0000u;
    out[threadIdx.x] = __shfl_sync(mask, static_cast<int>(lane), lane < 16 ? 15 : 31);
}

// xor with width 8: a lane may read an earlier segment (lane ^ 8 from lanes 8..15), never a later one.
__global__ void xor_width_kernel(int* out) {
    out[threadIdx.x] = __shfl_xor_sync(0xffffffffu, static_cast<int>(threadIdx.x), 8, 8);
}

__global__ void counter_kernel(unsigned long long* n) { atomicAdd(n, 1); }

__global__ void noop_kernel() {}

}  // namespace

TEST(DeviceEmulator, SharedMemoryTreeReductionWithBarriers) {
    std::vector<long long> out(7);
    launch("block_sum_kernel", &block_sum_kernel, 7, 256, out.data());
    for (long long v : out) EXPECT_EQ(v, 256 * 255 / 2);
}

TEST(DeviceEmulator, WarpShuffleReductionAndSharedAtomicAdd) {
    std::vector<double> out(3);
    launch("warp_sum_kernel", &warp_sum_kernel, 3, 128, out.data());
    for (double v : out) EXPECT_EQ(v, 128.0 * 129.0 / 2);  // Σ_{t=1}^{128} t
}

TEST(DeviceEmulator, BroadcastButterflyAndScanShuffles) {
    std::vector<int> broadcast(64), butterfly(64), scan(64);
    launch("shuffle_kernel", &shuffle_kernel, 1, 64, broadcast.data(), butterfly.data(), scan.data());
    for (int t = 0; t < 64; ++t) {
        EXPECT_EQ(broadcast[t], 50);
        EXPECT_EQ(butterfly[t], 31 * 32 / 2);  // every lane ends with the warp's sum
        EXPECT_EQ(scan[t], t % 32 + 1);        // inclusive scan of ones
    }
}

TEST(DeviceEmulator, Votes) {
    std::vector<unsigned> ballot(32);
    std::vector<int> any(32), all(32);
    launch("vote_kernel", &vote_kernel, 1, 32, ballot.data(), any.data(), all.data());
    unsigned expected = 0;
    for (int l = 0; l < 32; l += 3) expected |= 1u << l;
    for (int l = 0; l < 32; ++l) {
        EXPECT_EQ(ballot[l], expected);
        EXPECT_EQ(any[l], 1);
        EXPECT_EQ(all[l], 0);
    }
}

TEST(DeviceEmulator, PartialLastWarpWithItsMask) {
    std::vector<int> out(48);
    launch("partial_warp_kernel", &partial_warp_kernel, 1, 48, out.data());
    for (int v : out) EXPECT_EQ(v, 16);  // a 16-lane butterfly of ones
}

TEST(DeviceEmulator, AtomicsOnSharedAndGlobalMemory) {
    double sum = 0.0;
    unsigned long long minimum = ~0ULL;
    int winner = -1;
    std::vector<int> counts(9);
    launch("atomics_kernel", &atomics_kernel, 9, 96, &sum, &minimum, &winner, counts.data());
    EXPECT_EQ(sum, 0.5 * 9 * 96);
    EXPECT_EQ(minimum, 1000u);
    EXPECT_GE(winner, 0);
    EXPECT_LT(winner, 9);
    for (int c : counts) EXPECT_EQ(c, 96);
}

TEST(DeviceEmulator, ABarrierNotEveryThreadReachesIsAnErrorNamingTheKernel) {
    try {
        launch("divergent_barrier_kernel", &divergent_barrier_kernel, 2, 64);
        FAIL() << "no error";
    } catch (const std::runtime_error& e) {
        EXPECT_NE(std::string(e.what()).find("divergent_barrier_kernel"), std::string::npos) << e.what();
    }
}

TEST(DeviceEmulator, AShuffleFromALaneOutsideTheMaskIsAnError) {
    std::vector<int> out(16);
    try {
        launch("outside_mask_kernel", &outside_mask_kernel, 1, 16, out.data());
        FAIL() << "no error";
    } catch (const std::runtime_error& e) {
        EXPECT_NE(std::string(e.what()).find("outside its mask"), std::string::npos) << e.what();
    }
}

TEST(DeviceEmulator, AnInvalidBlockSizeIsALaunchError) {
    try {
        launch("noop_kernel", &noop_kernel, 1, 2048);
        FAIL() << "no error";
    } catch (const std::runtime_error& e) {
        EXPECT_NE(std::string(e.what()).find("noop_kernel"), std::string::npos) << e.what();
    }
}

TEST(DeviceEmulator, DisjointMasksShuffleIndependently) {
    std::vector<int> out(32);
    launch("disjoint_masks_kernel", &disjoint_masks_kernel, 1, 32, out.data());
    for (int l = 0; l < 32; ++l) EXPECT_EQ(out[l], l < 16 ? 15 : 31);
}

TEST(DeviceEmulator, OverlappingDifferentMasksAreAnError) {
    std::vector<int> out(32);
    EXPECT_THROW(launch("overlapping_masks_kernel", &overlapping_masks_kernel, 1, 32, out.data()), std::runtime_error);
}

TEST(DeviceEmulator, XorShuffleReadsEarlierSegmentsOnly) {
    // CUDA Programming Guide, __shfl_xor_sync: with width < 32 a lane may read from earlier groups
    // of `width` lanes; reading a later group returns its own value.
    std::vector<int> out(32);
    launch("xor_width_kernel", &xor_width_kernel, 1, 32, out.data());
    for (int l = 0; l < 32; ++l) EXPECT_EQ(out[l], (l & 8) ? l ^ 8 : l) << l;
}

TEST(DeviceEmulator, AtomicAddTakesAnIntegerLiteral) {
    unsigned long long n = 0;
    launch("counter_kernel", &counter_kernel, 5, 64, &n);
    EXPECT_EQ(n, 320u);
}

TEST(DeviceEmulator, ALaunchThatDoesNotFitNamesTheKernelAndTheRemedy) {
    // A device refuses a launch whose per-thread frame does not fit (cudaErrorLaunchOutOfResources);
    // the message must name the kernel and say what to change, not "internal error".
    const bzint::ModelParams mp = bzint::test::defaults(*bzint::find_model("haldane"));
    const bzint::Mesh mesh = bzint::make_mesh(*bzint::find_model("haldane"), mp, {40, 40, 1});
    bzint::cuda::emulation::inject_resource_failure("keyed_kernel");
    try {
        bzint::fermi_scan(bzint::Backend::cuda, mp, mesh, bzint::ScanKind::ahc, {0.0}, 0.0, nullptr);
        FAIL() << "no error";
    } catch (const std::runtime_error& e) {
        const std::string what = e.what();
        EXPECT_NE(what.find("keyed_kernel"), std::string::npos) << what;
        EXPECT_NE(what.find("BZINT_CUDA_CHUNK"), std::string::npos) << what;
    }
}
