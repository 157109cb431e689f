#include "progress.hpp"

#include <fmt/core.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>

#include "ranks.hpp"

namespace bzint {

namespace {
constexpr long long kSecond = 1000000000LL;

// BZINT_PROGRESS_SECONDS (a number ≥ 0) sets the first report and the interval between reports
// (default: 1 s, then 1 s on a terminal and 5 s in a log).
long long env_interval_ns() {
    static const long long ns = [] {
        const char* s = std::getenv("BZINT_PROGRESS_SECONDS");
        if (!s) return -1LL;
        char* end = nullptr;
        const double v = std::strtod(s, &end);
        return end != s && v >= 0.0 && v < 1e6 ? static_cast<long long>(v * kSecond) : -1LL;
    }();
    return ns;
}

std::function<void(const ProgressReport&)> g_observer;

}  // namespace

void set_progress_observer(std::function<void(const ProgressReport&)> observer) { g_observer = std::move(observer); }

Progress::Progress(std::string what, long long total, std::string unit)
    : what_(std::move(what)), unit_(std::move(unit)), total_(total), start_(clock::now()),
      next_report_ns_(env_interval_ns() >= 0 ? env_interval_ns() : kSecond), tty_(isatty(fileno(stderr)) != 0) {}

std::string Progress::duration(double s) {
    if (s < 90) return fmt::format("{:.0f} s", s);
    if (s < 5400) return fmt::format("{:.1f} min", s / 60);
    if (s < 172800) return fmt::format("{:.1f} h", s / 3600);
    if (s < 3.15576e7 * 2) return fmt::format("{:.1f} days", s / 86400);
    return fmt::format("{:.2g} years", s / 3.15576e7);
}

void Progress::add(long long units) { report(done_.fetch_add(units, std::memory_order_relaxed) + units); }

void Progress::update(long long done) {
    long long prev = done_.load(std::memory_order_relaxed);
    while (done > prev && !done_.compare_exchange_weak(prev, done, std::memory_order_relaxed)) {
    }
    report(done > prev ? done : prev);
}

void Progress::report(long long done) {
    if (!ranks::is_root()) return;  // one progress line per run, not per rank
    const long long now = std::chrono::duration_cast<std::chrono::nanoseconds>(clock::now() - start_).count();
    if (now < next_report_ns_.load(std::memory_order_relaxed)) return;
    std::unique_lock<std::mutex> lk(print_, std::try_to_lock);
    if (!lk.owns_lock() || now < next_report_ns_.load()) return;
    next_report_ns_.store(now + (env_interval_ns() >= 0 ? env_interval_ns() : (tty_ ? 1 : 5) * kSecond));
    if (g_observer) {
        g_observer(ProgressReport{what_, unit_, done, total_, false});
        printed_ = true;
        return;
    }
    const double elapsed = static_cast<double>(now) / kSecond;
    const double rate = static_cast<double>(done) / elapsed;
    const double left = rate > 0 ? static_cast<double>(total_ - done) / rate : 0.0;
    if (!estimated_) {
        estimated_ = true;
        if (left > 60.0) {
            fmt::print(stderr, "{}[bzint] {}: {} {} at the measured {:.3g} {}/s: about {} in all\n", printed_ ? "\n" : "",
                       what_, total_, unit_, rate, unit_, duration(static_cast<double>(total_) / rate));
            printed_ = false;
        }
    }
    fmt::print(stderr, "{}[bzint] {}: {}/{} {} ({:.1f}%), {:.3g} {}/s, {} left{}", tty_ ? "\r" : "", what_, done, total_,
               unit_, total_ > 0 ? 100.0 * static_cast<double>(done) / static_cast<double>(total_) : 100.0, rate, unit_,
               duration(left), tty_ ? "   " : "\n");
    std::fflush(stderr);
    printed_ = tty_;
}

void Progress::finish() {
    std::lock_guard<std::mutex> lk(print_);
    if (printed_ && g_observer)
        g_observer(ProgressReport{what_, unit_, done_.load(), total_, true});
    else if (printed_)
        fmt::print(stderr, "\n");
    printed_ = false;
}

}  // namespace bzint
