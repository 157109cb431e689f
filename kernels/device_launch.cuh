// What every CUDA launcher of the backend shares (kernels/cuda_*.cu, one translation unit per
// family so that nvcc compiles them in parallel): the launch geometry and the copy back to the
// host. Every kernel is launched through kernels/device_runtime.hpp, so these files also build as
// host C++ for the emulator (CMake option BZINT_CUDA_EMULATION, kernels/emulation/).
#pragma once
#include <thrust/copy.h>
#include <thrust/device_vector.h>

#include <vector>

#include "device_runtime.hpp"

namespace bzint::cuda {

namespace {

constexpr int kThreads = 256;

inline unsigned grid_for(long long n, int threads = kThreads) { return static_cast<unsigned>((n + threads - 1) / threads); }

// n elements from the device into `to` (resized). Nothing is copied for n = 0: Thrust's host
// systems dereference the destination even of an empty copy (UBSan, in the emulated build).
template <class Iterator, class T>
void copy_to_host(Iterator from, long long n, std::vector<T>& to) {
    to.resize(static_cast<std::size_t>(n));
    if (n > 0) thrust::copy_n(from, n, to.data());
}

}  // namespace

}  // namespace bzint::cuda
