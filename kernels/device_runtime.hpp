// The device runtime as the CUDA backend (kernels/cuda_*.cu) uses it: kernel launches,
// launch errors and device queries. Under nvcc these are CUDA's runtime calls; in the emulated
// build (BZINT_CUDA_EMULATION) the emulator's (kernels/emulation/). No other file of the backend
// calls the CUDA runtime, and no kernel is launched anywhere else.
#pragma once
#include <cstddef>
#include <cstdlib>
#include <stdexcept>
#include <string>

#if defined(BZINT_CUDA_EMULATION)
#include "emulation/cuda_emulation.hpp"
#else
#include <cuda_runtime.h>
#endif

namespace bzint::cuda {

#if defined(BZINT_CUDA_EMULATION)
namespace runtime = emulation;
#else
namespace runtime {

inline std::string error_text(cudaError_t err) { return cudaGetErrorString(err); }
inline void check(cudaError_t err, const char* what) {
    if (err != cudaSuccess) throw std::runtime_error(std::string("CUDA error in ") + what + ": " + error_text(err));
}

inline int device_count() {
    int count = 0;
    if (cudaGetDeviceCount(&count) != cudaSuccess) {
        cudaGetLastError();
        return 0;
    }
    return count;
}
inline void set_device(int device) { check(cudaSetDevice(device), "cudaSetDevice"); }
inline std::string device_name() {
    cudaDeviceProp prop{};
    int dev = 0;
    if (cudaGetDevice(&dev) != cudaSuccess || cudaGetDeviceProperties(&prop, dev) != cudaSuccess) return "none";
    return prop.name;
}
// The device memory free now, in bytes; 0 when it cannot be asked.
inline long long free_memory() {
    std::size_t free = 0, total = 0;
    if (cudaMemGetInfo(&free, &total) != cudaSuccess) {
        cudaGetLastError();
        return 0;
    }
    return static_cast<long long>(free);
}

// A flag in page-locked host memory that kernels read as they run (device_stop.cuh); null when
// it cannot be had. Kernels see the host's writes to it without a copy (unified addressing).
inline int* alloc_host_flag() {
    void* p = nullptr;
    if (cudaHostAlloc(&p, sizeof(int), cudaHostAllocMapped) != cudaSuccess) {
        cudaGetLastError();
        return nullptr;
    }
    *static_cast<volatile int*>(p) = 0;
    return static_cast<int*>(p);
}
inline void free_host_flag(int* flag) {
    if (flag) cudaFreeHost(flag);
}
// Whether every kernel launched so far has ended (an error ends it as well: the next check
// reports it).
inline bool kernels_done() {
    const cudaError_t err = cudaStreamQuery(0);
    return err != cudaErrorNotReady;
}

namespace {
__global__ void probe_kernel() {}
}  // namespace
// Whether this binary holds code for the current device (its CMAKE_CUDA_ARCHITECTURES): asking
// for a kernel's attributes fails where every launch would.
inline bool has_code_for_device() {
    cudaFuncAttributes attributes{};
    const bool ok = cudaFuncGetAttributes(&attributes, probe_kernel) == cudaSuccess;
    cudaGetLastError();  // clear the failure, if any, so that no later check reports it
    return ok;
}

// The launch just made: "" when it is fine; with `wait`, after the kernel has run.
struct LaunchError {
    std::string what;  // empty: no error
    bool resources = false;  // the kernel's frame, registers or buffers do not fit the device
};
inline LaunchError launch_error(bool wait) {
    cudaError_t err = cudaGetLastError();
    if (err == cudaSuccess && wait) err = cudaDeviceSynchronize();
    if (err == cudaSuccess) return {};
    return {error_text(err), err == cudaErrorLaunchOutOfResources || err == cudaErrorMemoryAllocation};
}

}  // namespace runtime
#endif

// BZINT_CUDA_SYNC_CHECK=1: wait for every kernel and check it, so that a fault names its kernel
// (launches are otherwise asynchronous and a fault surfaces at the next synchronising call).
inline bool sync_check() {
    static const bool on = [] {
        const char* v = std::getenv("BZINT_CUDA_SYNC_CHECK");
        return v && std::string(v) == "1";
    }();
    return on;
}

// After a launch: a launch that failed for resources says which kernel and what to change.
inline void check_launch(const char* kernel) {
    const runtime::LaunchError e = runtime::launch_error(sync_check());
    if (e.what.empty()) return;
    std::string msg = std::string("CUDA kernel ") + kernel + " failed: " + e.what;
    if (e.resources)
        msg += " — the kernel's per-thread frame or its buffers do not fit this device: cap the points per launch with "
               "BZINT_CUDA_CHUNK=<points> (e.g. 65536), use a model with fewer bands, or run with --backend cpu";
    else if (!sync_check())
        msg += " (run with BZINT_CUDA_SYNC_CHECK=1 to find the kernel that faulted)";
    throw std::runtime_error(msg);
}

// kernel<<<grid, block>>>(args...) on a 1-D grid; nothing for an empty grid.
template <class... Params, class... Args>
void launch(const char* name, void (*kernel)(Params...), unsigned grid, unsigned block, const Args&... args) {
    if (grid == 0) return;
#if defined(BZINT_CUDA_EMULATION)
    emulation::run_grid(name, grid, block, [&] { kernel(args...); });
#else
    kernel<<<grid, block>>>(args...);
#endif
    check_launch(name);
}

}  // namespace bzint::cuda
