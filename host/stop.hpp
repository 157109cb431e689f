// Stopping a run on SIGINT/SIGTERM. The handler only sets a flag; every long loop of every
// task and backend polls stop_requested() (reductions between blocks and every 64 points,
// density-matrix integrations every 8 to 4096 steps (qme/monitor.hpp), point loops per chunk),
// saves what can be resumed and throws Interrupted, so a run ends within a second with exit
// status 130.
// A second signal ends the process at once (exit status 130, nothing saved).
#pragma once
#include <stdexcept>

namespace bzint {

struct Interrupted : std::runtime_error {
    using std::runtime_error::runtime_error;
};

// Installs the handlers for its lifetime (the command line, or a run; the previous handlers come
// back after it). Nested, the inner one changes nothing. In a Python process (second_ends_process
// false) a second signal is not fatal: it only repeats the request, so that an impatient Ctrl-C
// in a notebook does not end the kernel.
class StopOnSignals {
public:
    explicit StopOnSignals(bool second_ends_process = true);
    ~StopOnSignals();
    StopOnSignals(const StopOnSignals&) = delete;
    StopOnSignals& operator=(const StopOnSignals&) = delete;
};

bool stop_requested();
// Throws Interrupted when a stop was requested.
void throw_if_stopped();

// For tests: a stop is requested after `units` more calls of count_stop_unit() (−1: never);
// reductions count one unit per folded block (one per chunk of the Wannier FFT path and of the
// CUDA backend); the lattice reference one per diagonalisation, kernel-polynomial job and link.
void stop_after(long long units);
void count_stop_unit();
// Clears a requested stop (tests; a new run starts clear).
void clear_stop();

}  // namespace bzint
