// Long density-matrix integrations report to a Monitor every kMonitorStride steps (and the rest
// at the end): monitor(steps done since the last call) may count progress, and returning false
// ends the integration early (its result is then marked not ok; the host sees the stop request
// that caused it). The device and every caller that does not watch use NoMonitor, which the
// compiler removes.
#pragma once
#include "bzint/hd.hpp"

namespace bzint {

constexpr long long kMonitorStride = 4096;  // a power of two

struct NoMonitor {
    BZINT_HD bool operator()(long long) const { return true; }
};

namespace detail {
// At the start of step n: true to go on.
template <class Monitor>
BZINT_HD bool monitor_step(const Monitor& monitor, long long n) {
    return ((n + 1) & (kMonitorStride - 1)) != 0 || monitor(kMonitorStride);
}
// After the last of `steps` steps: reports the steps since the last report.
template <class Monitor>
BZINT_HD void monitor_end(const Monitor& monitor, long long steps) {
    monitor(steps & (kMonitorStride - 1));
}
}  // namespace detail

}  // namespace bzint
