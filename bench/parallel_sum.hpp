// Σ_i f(i) over i in [0, n) on the CPU backend's worker threads, for the benchmarks: every worker
// takes indices in turn and keeps its own partial sum (the order of the additions, and so the last
// bits, depend on the scheduling: a benchmark's sum only keeps the work from being optimised away).
#pragma once
#include <atomic>
#include <numeric>
#include <vector>

#include "workers.hpp"

namespace bzint::bench {

template <class F>
double parallel_sum(long long n, F&& f) {
    std::atomic<long long> next{0};
    std::vector<double> part(static_cast<std::size_t>(workers::count()), 0.0);
    workers::run([&](int w) {
        for (long long i; (i = next.fetch_add(1)) < n;) part[static_cast<std::size_t>(w)] += f(i);
    });
    return std::accumulate(part.begin(), part.end(), 0.0);
}

}  // namespace bzint::bench
