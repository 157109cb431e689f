// Progress on stderr for long runs: done/total, rate and time left. The first report comes
// after one second of work; if the whole will take more than a minute it is also said once, on
// its own line, with the rate it was measured at. Afterwards a report at most every second on a
// terminal (rewritten in place) and every five seconds otherwise (one line each), so a long run
// is never silent for more than a few seconds; BZINT_PROGRESS_SECONDS sets both intervals. Any
// thread may report; under MPI only rank 0 prints.
#pragma once
#include <atomic>
#include <chrono>
#include <functional>
#include <mutex>
#include <string>

namespace bzint {

// A report as the stderr line gives it, for an observer that shows it otherwise.
struct ProgressReport {
    const std::string& what;
    const std::string& unit;
    long long done, total;
    bool finished;  // finish(): the bar, if any, can close
};
// While one is set, reports go to it instead of stderr (Python's progress bar, python/bindings.cpp).
// It is called from any thread, at the same moments as the stderr line, one call at a time per
// Progress. Set it only while no task runs.
void set_progress_observer(std::function<void(const ProgressReport&)> observer);

class Progress {
public:
    Progress(std::string what, long long total, std::string unit = "k");
    // The work done so far (counts only forward). Safe from any thread.
    void update(long long done);
    // Adds `units` of work done. Safe from any thread.
    void add(long long units);
    // Ends the line, if one was printed.
    void finish();

    // "42 s", "3.5 min", "2.1 h", "4.0 days", "1.3e+03 years".
    static std::string duration(double seconds);

private:
    using clock = std::chrono::steady_clock;
    void report(long long done);
    std::string what_, unit_;
    long long total_;
    clock::time_point start_;
    std::atomic<long long> done_{0};
    std::atomic<long long> next_report_ns_;
    std::mutex print_;
    bool printed_ = false, estimated_ = false, tty_;
};

}  // namespace bzint
