#include "progress.hpp"

#include <fmt/core.h>

#include <cstdio>

#include "ranks.hpp"

namespace bzint {

Progress::Progress(std::string what, long long total, std::string unit)
    : what_(std::move(what)), unit_(std::move(unit)), total_(total), start_(clock::now()), last_(start_) {}

void Progress::update(long long done) {
    if (!ranks::is_root()) return;  // one progress line per run, not per rank
    const auto now = clock::now();
    const double elapsed = std::chrono::duration<double>(now - start_).count();
    if (elapsed < 2.0 || std::chrono::duration<double>(now - last_).count() < 1.0) return;
    last_ = now;
    const double rate = done / elapsed;
    const double eta = rate > 0 ? (total_ - done) / rate : 0.0;
    fmt::print(stderr, "\r[bzint] {}: {}/{} {} ({:.1f}%), {:.3g} {}/s, ETA {:.0f} s   ", what_, done, total_, unit_,
               100.0 * done / total_, rate, unit_, eta);
    std::fflush(stderr);
    printed_ = true;
}

void Progress::finish() {
    if (printed_) fmt::print(stderr, "\n");
    printed_ = false;
}

}  // namespace bzint
