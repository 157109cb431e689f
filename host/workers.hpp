// The CPU backend's threads: one small pool whose idle threads sleep on a condition variable
// and never spin, so that a machine shared with other work (a workstation, a shared cluster
// node) loses nothing to waiting threads, and a descheduled thread delays only its own work.
// Threads start on first use (importing or linking bzint starts none).
#pragma once
#include <algorithm>
#include <atomic>
#include <functional>

namespace bzint::workers {

// The CPUs this process may run on (its affinity mask, as taskset and cgroups set it).
int available_cpus();

// The number of threads parallel work uses: set_count's, else OMP_NUM_THREADS (as job scripts
// set it), else available_cpus().
int count();

// Sets the thread count (1..kMaxThreads); the command line clamps requests to available_cpus()
// first (more threads than CPUs only add waiting), tests may ask for more.
constexpr int kMaxThreads = 1024;
void set_count(int n);
// Back to the default above (Python's bzint.run with threads=None after a call that set one).
void use_default_count();

// Runs body(w) for w = 0..count()−1, worker 0 on the calling thread, and returns when all have
// returned; the first exception thrown by any of them is rethrown here. body must be a dynamic
// work loop (take work from shared counters until none is left): a call made from inside a
// worker runs body(0) alone.
void run(const std::function<void(int)>& body);

// body(begin, end) over [0, n) in chunks of `grain` indices handed out in order to whichever
// worker is free. Stops handing out chunks when `keep_going()` is false.
template <class Body, class KeepGoing>
void parallel_for(long long n, long long grain, Body&& body, KeepGoing&& keep_going) {
    std::atomic<long long> next{0};
    run([&](int) {
        for (;;) {
            const long long b = next.fetch_add(grain, std::memory_order_relaxed);
            if (b >= n || !keep_going()) return;
            body(b, std::min(n, b + grain));
        }
    });
}

}  // namespace bzint::workers
