// Interruption and resumption of mesh reductions. While a run is active (CheckpointSession),
// every keyed reduction of it (CPU blocks, Wannier FFT chunks, CUDA chunks) is numbered in order
// and saves its running histogram — at
// most every 30 s, at every interruption (SIGINT/SIGTERM) and when it completes — to
// DIR/<title>.checkpoint/reduce_<i>.bin, with a fingerprint of the run file. `--resume` loads
// it and continues from the next round of blocks: the folding order is that of an
// uninterrupted run, so the result is bitwise the same. The folder is removed when the run
// completes. (dc_current sweeps keep their own per-field log.) Under MPI every rank saves its
// own share (reduce_<i>.rank<r>.bin); the rank count is part of the fingerprint, so a resume
// needs the same number of ranks.
#pragma once
#include <chrono>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include "neumaier.hpp"

namespace bzint {

// Thrown by a reduction after it has saved its state on SIGINT/SIGTERM.
struct Interrupted : std::runtime_error {
    using std::runtime_error::runtime_error;
};

class CheckpointSession {
public:
    // Installs the signal handlers for the lifetime of the session.
    CheckpointSession(std::string folder, std::uint64_t fingerprint, bool resume);
    ~CheckpointSession();
    CheckpointSession(const CheckpointSession&) = delete;
    CheckpointSession& operator=(const CheckpointSession&) = delete;
    // The run completed: its checkpoints are no longer needed.
    void complete();

    static CheckpointSession* active();

    // The state of reduction number `ordinal` of this run.
    struct State {
        long long rounds_done = 0;
        long long bad = -1;
        std::vector<Neumaier> total;
    };
    int next_ordinal() { return ordinal_++; }
    // True when a saved state for (ordinal, shape) was loaded into `state`.
    bool load(int ordinal, long long n, int nv, int nk, State& state) const;
    void save(int ordinal, long long n, int nv, int nk, const State& state) const;

private:
    std::string folder_;
    std::uint64_t fingerprint_;
    bool resume_;
    int ordinal_ = 0;
};

// The checkpoint of one reduction of the active session: numbered in the order the run's
// reductions start; inactive without a session or when `enabled` is false (refinement's
// first pass, whose flagged points are not saved). `bad` is the first non-finite index so
// far or −1.
class ReductionCheckpoint {
public:
    ReductionCheckpoint(bool enabled, long long n, int nv, int nk);
    // A saved state of this reduction: its total, the next round to run and `bad`.
    bool resume(std::vector<Neumaier>& total, long long& next, long long& bad) const;
    // Saves (next, bad, total) when 30 s have passed since the last save, or now with `force`.
    void save(long long next, long long bad, const std::vector<Neumaier>& total, bool force = false);
    // Between rounds: on an interruption request, saves and throws Interrupted.
    void between_rounds(long long next, long long bad, const std::vector<Neumaier>& total);

private:
    CheckpointSession* session_;
    bool enabled_;
    int ordinal_;
    long long n_;
    int nv_, nk_;
    std::chrono::steady_clock::time_point last_;
};

// Set by the signal handler; reductions check it between rounds.
bool interrupt_requested();
// For tests: request an interruption after `rounds` more rounds of the next reductions (−1: off).
void interrupt_after_rounds(long long rounds);
// Called by a reduction once per completed round.
void count_round();

// 64-bit FNV-1a of a text (run-file fingerprints).
std::uint64_t fingerprint_of(const std::string& text);

}  // namespace bzint
