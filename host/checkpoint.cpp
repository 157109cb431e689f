#include "checkpoint.hpp"

#include <atomic>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <fstream>

#include "ranks.hpp"

namespace bzint {

namespace {

std::atomic<bool> g_interrupt{false};
std::atomic<long long> g_rounds_left{-1};
CheckpointSession* g_active = nullptr;
void (*g_old_int)(int) = SIG_DFL;
void (*g_old_term)(int) = SIG_DFL;

extern "C" void on_signal(int) { g_interrupt.store(true); }

constexpr std::uint64_t kMagic = 0x627a696e74636b31ULL;  // "bzintck1"

// reduce_<i>.bin, or reduce_<i>.rank<r>.bin when several MPI ranks each save their share.
std::string state_path(const std::string& folder, int ordinal) {
    std::string name = folder + "/reduce_" + std::to_string(ordinal);
    if (ranks::size() > 1) name += ".rank" + std::to_string(ranks::rank());
    return name + ".bin";
}

}  // namespace

std::uint64_t fingerprint_of(const std::string& text) {
    std::uint64_t h = 1469598103934665603ULL;
    for (unsigned char c : text) {
        h ^= c;
        h *= 1099511628211ULL;
    }
    return h;
}

bool interrupt_requested() { return g_interrupt.load(); }

void interrupt_after_rounds(long long rounds) {
    g_rounds_left.store(rounds);
    g_interrupt.store(false);
}

void count_round() {
    long long left = g_rounds_left.load();
    if (left < 0) return;
    if (left == 0) {
        g_interrupt.store(true);
        g_rounds_left.store(-1);
    } else {
        g_rounds_left.store(left - 1);
    }
}

CheckpointSession::CheckpointSession(std::string folder, std::uint64_t fingerprint, bool resume)
    : folder_(std::move(folder)), fingerprint_(fingerprint), resume_(resume) {
    g_active = this;
    g_interrupt.store(false);
    g_old_int = std::signal(SIGINT, on_signal);
    g_old_term = std::signal(SIGTERM, on_signal);
}

CheckpointSession::~CheckpointSession() {
    std::signal(SIGINT, g_old_int);
    std::signal(SIGTERM, g_old_term);
    if (g_active == this) g_active = nullptr;
}

CheckpointSession* CheckpointSession::active() { return g_active; }

void CheckpointSession::complete() {
    ranks::barrier();  // every rank is past its last save
    std::error_code ec;
    if (ranks::is_root()) std::filesystem::remove_all(folder_, ec);
}

bool CheckpointSession::load(int ordinal, long long n, int nv, int nk, State& state) const {
    if (!resume_) return false;
    std::ifstream in(state_path(folder_, ordinal), std::ios::binary);
    if (!in) return false;
    std::uint64_t magic = 0, fp = 0;
    long long nn = 0, rounds = 0, bad = -1;
    int v = 0, k = 0;
    in.read(reinterpret_cast<char*>(&magic), sizeof magic);
    in.read(reinterpret_cast<char*>(&fp), sizeof fp);
    in.read(reinterpret_cast<char*>(&nn), sizeof nn);
    in.read(reinterpret_cast<char*>(&v), sizeof v);
    in.read(reinterpret_cast<char*>(&k), sizeof k);
    in.read(reinterpret_cast<char*>(&rounds), sizeof rounds);
    in.read(reinterpret_cast<char*>(&bad), sizeof bad);
    if (!in || magic != kMagic || fp != fingerprint_ || nn != n || v != nv || k != nk) return false;
    std::vector<Neumaier> total(static_cast<std::size_t>(nv) * nk);
    in.read(reinterpret_cast<char*>(total.data()), static_cast<std::streamsize>(total.size() * sizeof(Neumaier)));
    if (!in) return false;
    state.rounds_done = rounds;
    state.bad = bad;
    state.total.swap(total);
    return true;
}

void CheckpointSession::save(int ordinal, long long n, int nv, int nk, const State& state) const {
    std::error_code ec;
    std::filesystem::create_directories(folder_, ec);
    const std::string path = state_path(folder_, ordinal);
    const std::string tmp = path + ".tmp";
    {
        std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
        if (!out) return;  // a checkpoint that cannot be written only loses the resumption
        out.write(reinterpret_cast<const char*>(&kMagic), sizeof kMagic);
        out.write(reinterpret_cast<const char*>(&fingerprint_), sizeof fingerprint_);
        out.write(reinterpret_cast<const char*>(&n), sizeof n);
        out.write(reinterpret_cast<const char*>(&nv), sizeof nv);
        out.write(reinterpret_cast<const char*>(&nk), sizeof nk);
        out.write(reinterpret_cast<const char*>(&state.rounds_done), sizeof state.rounds_done);
        out.write(reinterpret_cast<const char*>(&state.bad), sizeof state.bad);
        out.write(reinterpret_cast<const char*>(state.total.data()),
                  static_cast<std::streamsize>(state.total.size() * sizeof(Neumaier)));
    }
    std::filesystem::rename(tmp, path, ec);  // atomic replace: an interrupted save keeps the old one
}

ReductionCheckpoint::ReductionCheckpoint(bool enabled, long long n, int nv, int nk)
    : session_(CheckpointSession::active()), enabled_(enabled && session_ != nullptr),
      ordinal_(session_ ? session_->next_ordinal() : -1), n_(n), nv_(nv), nk_(nk), last_(std::chrono::steady_clock::now()) {}

bool ReductionCheckpoint::resume(std::vector<Neumaier>& total, long long& next, long long& bad) const {
    CheckpointSession::State state;
    if (!enabled_ || !session_->load(ordinal_, n_, nv_, nk_, state)) return false;
    total.swap(state.total);
    next = state.rounds_done;
    bad = state.bad;
    return true;
}

void ReductionCheckpoint::save(long long next, long long bad, const std::vector<Neumaier>& total, bool force) {
    if (!enabled_) return;
    const auto now = std::chrono::steady_clock::now();
    if (!force && now - last_ < std::chrono::seconds(30)) return;
    CheckpointSession::State s;
    s.rounds_done = next;
    s.bad = bad;
    s.total = total;
    session_->save(ordinal_, n_, nv_, nk_, s);
    last_ = now;
}

void ReductionCheckpoint::between_rounds(long long next, long long bad, const std::vector<Neumaier>& total) {
    count_round();
    if (!session_ || !interrupt_requested()) return;
    save(next, bad, total, true);
    throw Interrupted("interrupted");
}

}  // namespace bzint
