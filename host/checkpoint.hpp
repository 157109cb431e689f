// Interruption and resumption of mesh reductions. While a run is active (CheckpointSession),
// every CPU keyed reduction of it is numbered in order and saves its running histogram — at
// most every 30 s, at every interruption (SIGINT/SIGTERM) and when it completes — to
// DIR/<title>.checkpoint/reduce_<i>.bin, with a fingerprint of the run file. `--resume` loads
// it and continues from the next round of blocks: the folding order is that of an
// uninterrupted run, so the result is bitwise the same. The folder is removed when the run
// completes. (dc_current sweeps keep their own per-field log.) Under MPI every rank saves its
// own share (reduce_<i>.rank<r>.bin); the rank count is part of the fingerprint, so a resume
// needs the same number of ranks.
#pragma once
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

// Set by the signal handler; reductions check it between rounds.
bool interrupt_requested();
// For tests: request an interruption after `rounds` more rounds of the next reductions (−1: off).
void interrupt_after_rounds(long long rounds);
// Called by a reduction once per completed round.
void count_round();

// 64-bit FNV-1a of a text (run-file fingerprints).
std::uint64_t fingerprint_of(const std::string& text);

}  // namespace bzint
