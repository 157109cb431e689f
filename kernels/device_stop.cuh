// A stop request (Ctrl-C, host/stop.hpp) reaching kernels that run for seconds. One launch of the
// density-matrix line kernels integrates every line's whole period at once: on the H200 of
// 2026-12-04 the exact-reservoir lines ran ~15 s per launch and the N-band lines ~4 s, so a stop
// checked only between launches would take that long. Such kernels take a DeviceStopMonitor
// (qme/monitor.hpp: it is asked every 8 to 4096 steps) that reads a flag in host memory, and the
// host waits for them through StopWatch::wait, which raises the flag when a stop is requested;
// the threads then end their lines marked not ok and the launcher discards the launch
// (throw_if_stopped), as it discards one the emulator cut short. (With BZINT_CUDA_SYNC_CHECK=1,
// a debugging mode, launch() waits for each kernel itself, so a stop reaches it only at its end.)
#pragma once
#include <algorithm>
#include <chrono>
#include <thread>

#include "../host/stop.hpp"
#include "device_runtime.hpp"

namespace bzint::cuda {

namespace {

struct DeviceStopMonitor {
    const volatile int* flag;  // null: none could be had, and the kernel runs to its end
    __host__ __device__ bool operator()(long long) const {
#if defined(BZINT_CUDA_EMULATION)
        return !stop_requested();  // the emulator runs the kernel in the host thread that a signal reaches
#else
        return flag == nullptr || *flag == 0;
#endif
    }
};

class StopWatch {
public:
    StopWatch() : flag_(runtime::alloc_host_flag()) {}
    ~StopWatch() { runtime::free_host_flag(flag_); }
    StopWatch(const StopWatch&) = delete;
    StopWatch& operator=(const StopWatch&) = delete;

    DeviceStopMonitor monitor() const { return {flag_}; }
    // Lines [0, lines) in groups of `per_launch`: launch_group(first, count) for each, waiting for
    // each group's kernels (wait); no group is launched after a stop request.
    template <class LaunchGroup>
    void run_groups(long long lines, long long per_launch, LaunchGroup&& launch_group) const {
        for (long long l = 0; l < lines && !stop_requested(); l += per_launch) {
            launch_group(l, std::min(per_launch, lines - l));
            wait();
        }
    }
    // Until the kernels launched so far have ended, raising the flag on a stop request; polls
    // every 2 ms.
    void wait() const {
        while (!runtime::kernels_done()) {
            if (flag_ && stop_requested()) *static_cast<volatile int*>(flag_) = 1;
            std::this_thread::sleep_for(std::chrono::milliseconds(2));
        }
    }

private:
    int* flag_;
};

}  // namespace

}  // namespace bzint::cuda
