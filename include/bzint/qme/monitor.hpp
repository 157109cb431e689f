// Long density-matrix integrations report to a Monitor every Stride steps (and the rest at the
// end): monitor(steps done since the last call) may count progress, and returning false ends the
// integration early (its result is then marked not ok; the host sees the stop request that caused
// it). The stride is set by the cost of a step, so that a report comes every millisecond or so:
// 4096 for the two-band solver, 64 for N×N, 8 for the exact reservoir (whose steps carry
// hundreds to thousands of auxiliary modes). The device and every caller that does not watch use
// NoMonitor, which the compiler removes.
#pragma once
#include "bzint/hd.hpp"

namespace bzint {

constexpr long long kMonitorStride = 4096;  // two-band steps; a power of two, as every stride
constexpr long long kMonitorStrideNBand = 64;
constexpr long long kMonitorStrideExact = 8;

struct NoMonitor {
    BZINT_HD bool operator()(long long) const { return true; }
};

namespace detail {
// At the start of step n: true to go on.
template <long long Stride = kMonitorStride, class Monitor>
BZINT_HD bool monitor_step(const Monitor& monitor, long long n) {
    return ((n + 1) & (Stride - 1)) != 0 || monitor(Stride);
}
// After the last of `steps` steps: reports the steps since the last report.
template <long long Stride = kMonitorStride, class Monitor>
BZINT_HD void monitor_end(const Monitor& monitor, long long steps) {
    monitor(steps & (Stride - 1));
}
}  // namespace detail

}  // namespace bzint
