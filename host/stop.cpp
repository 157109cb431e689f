#include "stop.hpp"

#include <unistd.h>

#include <atomic>
#include <csignal>

namespace bzint {

namespace {

std::atomic<bool> g_stop{false};
std::atomic<long long> g_units_left{-1};
std::atomic<int> g_depth{0};  // StopOnSignals alive: the outermost installs and restores
std::atomic<bool> g_second_ends_process{true};
struct sigaction g_old_int, g_old_term;

extern "C" void on_signal(int) {
    if (g_stop.exchange(true) && g_second_ends_process.load()) _exit(130);  // the second signal: now
}

}  // namespace

StopOnSignals::StopOnSignals(bool second_ends_process) {
    if (g_depth.fetch_add(1) > 0) return;  // nested (a run inside the command line): a signal already seen stays
    g_second_ends_process.store(second_ends_process);
    g_stop.store(false);
    struct sigaction sa {};
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, &g_old_int);
    sigaction(SIGTERM, &sa, &g_old_term);
}

StopOnSignals::~StopOnSignals() {
    if (g_depth.fetch_sub(1) > 1) return;
    sigaction(SIGINT, &g_old_int, nullptr);
    sigaction(SIGTERM, &g_old_term, nullptr);
}

bool stop_requested() { return g_stop.load(std::memory_order_relaxed); }

void throw_if_stopped() {
    if (stop_requested()) throw Interrupted("interrupted");
}

void stop_after(long long units) {
    g_units_left.store(units);
    g_stop.store(false);
}

void count_stop_unit() {
    long long left = g_units_left.load();
    while (left >= 0) {
        if (g_units_left.compare_exchange_weak(left, left - 1)) {
            if (left == 0) g_stop.store(true);
            return;
        }
    }
}

void clear_stop() { g_stop.store(false); }

}  // namespace bzint
