// What every CUDA launcher of the backend shares (kernels/cuda_*.cu, one translation unit per
// family so that nvcc compiles them in parallel): the launch geometry and the copy back to the
// host. Every kernel is launched through kernels/device_runtime.hpp, so these files also build as
// host C++ for the emulator (CMake option BZINT_CUDA_EMULATION, kernels/emulation/).
#pragma once
#include <thrust/copy.h>
#include <thrust/device_vector.h>

#include <algorithm>
#include <vector>

#include "../host/backend.hpp"
#include "device_runtime.hpp"

namespace bzint::cuda {

namespace {

constexpr int kThreads = 256;

inline unsigned grid_for(long long n, int threads = kThreads) { return static_cast<unsigned>((n + threads - 1) / threads); }

// Lines per launch of a line kernel whose lines need `bytes_per_line` of device memory each
// (workspace and result): as many as half the memory free now holds (1 GiB where that is not
// known, as in the emulated build), at most BZINT_CUDA_CHUNK (tests). The exact reservoir at
// N = 4 with 300 poles needs 775 KB per line: 10^5 lines would not fit in one launch.
inline long long lines_per_launch(long long lines, long long bytes_per_line) {
    const long long free = runtime::free_memory();
    long long n = std::max<long long>(1, (free > 0 ? free / 2 : 1LL << 30) / std::max<long long>(1, bytes_per_line));
    if (const long long cap = cuda_chunk_cap()) n = std::min(n, cap);
    return std::min(n, std::max<long long>(1, lines));
}

// n elements from the device into `to` (resized). Nothing is copied for n = 0: Thrust's host
// systems dereference the destination even of an empty copy (UBSan, in the emulated build).
template <class Iterator, class T>
void copy_to_host(Iterator from, long long n, std::vector<T>& to) {
    to.resize(static_cast<std::size_t>(n));
    if (n > 0) thrust::copy_n(from, n, to.data());
}

}  // namespace

}  // namespace bzint::cuda
