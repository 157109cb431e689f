// Interruption and resumption of mesh reductions (docs/architecture.md, "Interruption and
// resumption"). While a run is active (CheckpointSession), each keyed reduction of it (CPU
// blocks, Wannier FFT chunks, CUDA chunks) is named by its scope and its ordinal in that scope —
// a sweep opens one scope per field value, so a resumed sweep that skips finished fields still
// meets each reduction under its own name — and saves its running histogram every 30 s, on a
// stop request and when it completes, to DIR/<title>.checkpoint/reduce_<scope>_<i>.bin, with
// the fingerprint of the run's complete input and a checksum of the whole file. The folder's
// input.json is that input in full. `--resume` refuses (InputError) a folder whose input differs
// from this run's, naming what differs, and any file that fails its checksum; it continues each
// reduction from its saved block, so the result is bitwise that of an uninterrupted run. The
// folder is removed when the run completes, and when it fails for any reason but a stop.
// Under MPI every rank saves its own share (….rank<r>.bin); the rank count is in the input.
#pragma once
#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "neumaier.hpp"
#include "stop.hpp"

namespace bzint {

constexpr auto kCheckpointInterval = std::chrono::seconds(30);

class CheckpointSession {
public:
    // `input`: the canonical JSON text of everything the saved states depend on (input_record.hpp
    // plus backend and ranks). On `resume`, checks the folder against it (InputError); without
    // `resume`, a folder left by an interrupted run is refused (InputError: resume or remove it).
    CheckpointSession(std::string folder, std::string input, bool resume);
    ~CheckpointSession();
    CheckpointSession(const CheckpointSession&) = delete;
    CheckpointSession& operator=(const CheckpointSession&) = delete;
    // The run completed, or failed in a way that resuming cannot mend: the folder goes.
    void remove();

    static CheckpointSession* active();

    // Whether the last run left anything --resume can continue (a reduction's saved state, a
    // folder it resumed, a sweep log's finished rows): the message of an interrupted run says so,
    // or that there is nothing to resume (tasks that keep no state, e.g. texture_lattice).
    static bool resumable_state_saved();
    static void note_resumable_state();

    // Reductions started while a Scope lives are numbered from 0 within its label.
    class Scope {
    public:
        explicit Scope(std::string label);
        ~Scope();
        Scope(const Scope&) = delete;
        Scope& operator=(const Scope&) = delete;

    private:
        std::string previous_;
    };

    // The state of one reduction.
    struct State {
        long long next = 0;  // the next block (or chunk) to reduce
        long long bad = -1;  // the first non-finite index so far, or −1
        std::vector<Neumaier> total;
    };
    struct Name {
        std::string scope;
        int ordinal;
    };
    Name next_name();
    // True when a saved state for (name, shape) was loaded; InputError for a corrupt file.
    bool load(const Name& name, long long n, int nv, int nk, State& state) const;
    // Saves a state (next, bad, total as in State); throws WriteError when it cannot be written.
    void save(const Name& name, long long n, int nv, int nk, long long next, long long bad, const std::vector<Neumaier>& total);

private:
    std::string path_of(const Name& name) const;
    std::string folder_, input_;
    std::uint64_t fingerprint_;
    bool resume_, input_written_ = false;
    std::string scope_;
    std::map<std::string, int> ordinals_;
};

// The checkpoint of one reduction of the active session; inactive without a session or when
// `enabled` is false (refinement's first pass, whose flagged points are not saved).
class ReductionCheckpoint {
public:
    ReductionCheckpoint(bool enabled, long long n, int nv, int nk);
    // A saved state of this reduction: its total, the next block (or chunk) and `bad`.
    bool resume(std::vector<Neumaier>& total, long long& next, long long& bad) const;
    // Saves the state. A save that fails on a stop request is a WriteError (the work since the
    // last save is lost and the user must know); a periodic save that fails is reported once on
    // stderr and the run goes on.
    void save(long long next, long long bad, const std::vector<Neumaier>& total);

private:
    CheckpointSession* session_;
    bool enabled_;
    CheckpointSession::Name name_;
    long long n_;
    int nv_, nk_;
    bool warned_ = false;
};

// 64-bit FNV-1a of a text (input fingerprints and file checksums); continued from `h` for a text
// read in pieces.
constexpr std::uint64_t kFingerprintStart = 1469598103934665603ULL;
std::uint64_t fingerprint_of(std::string_view text, std::uint64_t h = kFingerprintStart);

}  // namespace bzint
