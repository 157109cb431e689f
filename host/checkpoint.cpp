#include "checkpoint.hpp"

#include <fmt/core.h>

#include <atomic>
#include <bit>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>

#include <nlohmann/json.hpp>

#include "input_error.hpp"
#include "input_record.hpp"
#include "output_files.hpp"
#include "ranks.hpp"

namespace bzint {

namespace {

CheckpointSession* g_active = nullptr;
std::atomic<bool> g_resumable{false};  // CheckpointSession::resumable_state_saved

// The format's version: 5 since a symmetry-reduced scan's MPI ranks share its stars'
// representatives (ranks::share), so an earlier version's saved position lies in another share.
constexpr char kMagic[8] = {'b', 'z', 'i', 'n', 't', 'c', 'k', '5'};

template <class T>
void put(std::string& out, const T& v) {
    out.append(reinterpret_cast<const char*>(&v), sizeof v);
}

// Reads the file's bytes, at most `limit`; false when it cannot be read or is longer.
bool read_file(const std::string& path, std::size_t limit, std::string& out) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return false;
    out.assign(std::istreambuf_iterator<char>(in), {});
    return out.size() <= limit;
}

// A saved file ends with the fingerprint of everything before it.
bool checksum_ok(const std::string& bytes) {
    std::uint64_t sum = 0;
    if (bytes.size() < sizeof sum) return false;
    std::memcpy(&sum, bytes.data() + bytes.size() - sizeof sum, sizeof sum);
    return sum == fingerprint_of(std::string_view(bytes.data(), bytes.size() - sizeof sum));
}

class Reader {
public:
    explicit Reader(const std::string& s) : s_(s) {}
    template <class T>
    bool get(T& v) {
        if (at_ + sizeof v > s_.size()) return false;
        std::memcpy(&v, s_.data() + at_, sizeof v);
        at_ += sizeof v;
        return true;
    }
    void skip(std::size_t n) { at_ += n; }
    bool bytes(std::size_t n, std::string& out) {
        if (at_ + n > s_.size()) return false;
        out.assign(s_.data() + at_, n);
        at_ += n;
        return true;
    }
    std::size_t at() const { return at_; }

private:
    const std::string& s_;
    std::size_t at_ = 0;
};

}  // namespace

std::uint64_t fingerprint_of(std::string_view text, std::uint64_t h) {
    for (unsigned char c : text) {
        h ^= c;
        h *= 1099511628211ULL;
    }
    return h;
}

namespace {

// The saved state in `folder` belongs to `input` and every file of it is whole (an InputError
// naming what is wrong otherwise).
void check_saved_state(const std::string& folder, const std::string& input, std::uint64_t fingerprint) {
    std::error_code ec;
    std::string saved;
    const std::string path = folder + "/input.json";
    nlohmann::json before, now = nlohmann::json::parse(input);
    if (!read_file(path, 64 << 20, saved))
        throw InputError(fmt::format("{}: cannot read the checkpoint's input.json; remove the folder to start over", folder));
    try {
        before = nlohmann::json::parse(saved);
    } catch (const std::exception&) {
        throw InputError(fmt::format("{}: the checkpoint's input.json is corrupt; remove the folder to start over", path));
    }
    if (before != now)
        throw InputError(fmt::format("cannot resume from {}: it was saved for another input ({}); restore that input to "
                                     "continue it, or remove the folder to start over",
                                     folder, join_differences(input_differences(before, now))));
    // Every saved state must be whole before any work starts.
    for (const auto& e : std::filesystem::directory_iterator(folder, ec)) {
        if (e.path().extension() != ".bin") continue;
        std::string bytes;
        const std::string file = e.path().string();
        if (!read_file(file, std::size_t(1) << 40, bytes) || bytes.size() < sizeof(std::uint64_t) + sizeof kMagic)
            throw InputError(fmt::format("{}: the checkpoint file is corrupt (cut short); remove {} to start over", file, folder));
        if (!checksum_ok(bytes))
            throw InputError(fmt::format("{}: the checkpoint file is corrupt (checksum mismatch); remove {} to start over",
                                         file, folder));
        std::uint64_t fp = 0;
        std::memcpy(&fp, bytes.data() + sizeof kMagic, sizeof fp);
        if (std::memcmp(bytes.data(), kMagic, sizeof kMagic) != 0)
            throw InputError(fmt::format("{}: the checkpoint was saved by another version of bzint, whose saved "
                                         "positions this one does not read; remove {} to start over",
                                         file, folder));
        if (fp != fingerprint)
            throw InputError(fmt::format("{}: the checkpoint file does not belong to {}/input.json; remove {} to start over",
                                         file, folder, folder));
    }
}

}  // namespace

CheckpointSession::CheckpointSession(std::string folder, std::string input, bool resume)
    : folder_(std::move(folder)), input_(std::move(input)), fingerprint_(fingerprint_of(input_)), resume_(resume) {
    std::error_code ec;
    // Every rank decides from the same state of the folder: ranks::all returns only once every
    // rank has looked, so no rank's first save can create the folder before another looks (a rank
    // that looked late took a faster rank's fresh folder for an interrupted run and left, while the
    // others waited for it in their next reduction: a hang, seen under load).
    const bool here = std::filesystem::exists(folder_, ec);
    if (!ranks::all(!here)) {
        if (!resume_)
            throw InputError(fmt::format("{} holds the saved state of an interrupted run: add --resume (in Python "
                                         "resume=True) to continue it, or remove the folder to start over",
                                         folder_));
        // Each rank reads the files for itself; if any finds a problem, every rank ends.
        std::string problem;
        try {
            check_saved_state(folder_, input_, fingerprint_);
        } catch (const InputError& e) {
            problem = e.what();
        }
        if (!ranks::all(problem.empty()))
            throw InputError(problem.empty() ? fmt::format("{}: another MPI rank found the checkpoint unusable (its message is "
                                                           "in that rank's output); remove the folder to start over",
                                                           folder_)
                                             : problem);
        input_written_ = true;
    }
    g_resumable.store(input_written_);
    g_active = this;
}

CheckpointSession::~CheckpointSession() {
    if (g_active == this) g_active = nullptr;
}

CheckpointSession* CheckpointSession::active() { return g_active; }

bool CheckpointSession::resumable_state_saved() { return g_resumable.load(); }
void CheckpointSession::note_resumable_state() { g_resumable.store(true); }

void CheckpointSession::remove() {
    ranks::barrier();  // every rank is past its last save
    std::error_code ec;
    if (ranks::is_root()) std::filesystem::remove_all(folder_, ec);
}

CheckpointSession::Scope::Scope(std::string label) {
    CheckpointSession* s = g_active;
    if (!s) return;
    previous_ = s->scope_;
    s->scope_ = std::move(label);
}

CheckpointSession::Scope::~Scope() {
    if (g_active) g_active->scope_ = previous_;
}

CheckpointSession::Name CheckpointSession::next_name() { return {scope_, ordinals_[scope_]++}; }

std::string CheckpointSession::path_of(const Name& name) const {
    std::string file = fmt::format("{}/reduce_{:08x}_{}", folder_, static_cast<unsigned>(fingerprint_of(name.scope)), name.ordinal);
    if (ranks::size() > 1) file += ".rank" + std::to_string(ranks::rank());
    return file + ".bin";
}

bool CheckpointSession::load(const Name& name, long long n, int nv, int nk, State& state) const {
    if (!resume_) return false;
    const std::string path = path_of(name);
    std::error_code ec;
    if (!std::filesystem::exists(path, ec)) return false;
    const std::size_t payload = static_cast<std::size_t>(nv) * nk * sizeof(Neumaier);
    std::string bytes;
    auto corrupt = [&](const char* why) {
        return InputError(fmt::format("{}: the checkpoint file is corrupt ({}); remove {} to start over", path, why, folder_));
    };
    if (!read_file(path, payload + 8 * static_cast<std::size_t>(nk) + name.scope.size() + 4096, bytes))
        throw corrupt("unreadable or too long");
    if (!checksum_ok(bytes)) throw corrupt(bytes.size() < sizeof(std::uint64_t) ? "too short" : "checksum mismatch");
    Reader r(bytes);
    char magic[8];
    std::uint64_t fp = 0;
    std::uint32_t scope_len = 0;
    std::string scope;
    int ordinal = 0, v = 0, k = 0;
    long long nn = 0, next = 0, bad = 0;
    if (!r.get(magic) || std::memcmp(magic, kMagic, sizeof magic) != 0) throw corrupt("not a bzint checkpoint of this version");
    if (!r.get(fp) || !r.get(scope_len) || scope_len > 4096 || !r.bytes(scope_len, scope) || !r.get(ordinal) || !r.get(nn) ||
        !r.get(v) || !r.get(k) || !r.get(next) || !r.get(bad))
        throw corrupt("cut short");
    if (fp != fingerprint_) throw corrupt("saved for another input than the folder's input.json");
    if (scope != name.scope || ordinal != name.ordinal || nn != n || v != nv || k != nk)
        throw corrupt("its reduction does not match this run's");
    if (next < 0) throw corrupt("wrong size");
    // The rows in runs (save): a run's first row and length, then its values; the rest are zero.
    state.total.assign(static_cast<std::size_t>(nv) * nk, Neumaier{});
    std::uint32_t runs = 0, first = 0, count = 0;
    if (!r.get(runs)) throw corrupt("cut short");
    std::uint64_t end_of_last = 0;
    for (std::uint32_t j = 0; j < runs; ++j) {
        if (!r.get(first) || !r.get(count) || first < end_of_last || std::uint64_t(first) + count > std::uint64_t(nk))
            throw corrupt("wrong size");
        const std::size_t n_bytes = static_cast<std::size_t>(count) * nv * sizeof(Neumaier);
        if (r.at() + n_bytes + sizeof(std::uint64_t) > bytes.size()) throw corrupt("wrong size");
        std::memcpy(static_cast<void*>(state.total.data() + static_cast<std::size_t>(first) * nv), bytes.data() + r.at(), n_bytes);
        r.skip(n_bytes);
        end_of_last = std::uint64_t(first) + count;
    }
    if (r.at() + sizeof(std::uint64_t) != bytes.size()) throw corrupt("wrong size");
    state.next = next;
    state.bad = bad;
    return true;
}

void CheckpointSession::save(const Name& name, long long n, int nv, int nk, long long next, long long bad,
                             const std::vector<Neumaier>& total) {
    std::error_code ec;
    std::filesystem::create_directories(folder_, ec);
    if (ec) throw WriteError(fmt::format("cannot create {}: {}", folder_, ec.message()));
    if (!input_written_) {
        write_atomically(folder_ + "/input.json", input_);
        input_written_ = true;
    }
    g_resumable.store(true);
    std::string out;
    out.reserve(64 + name.scope.size() + total.size() * sizeof(Neumaier));
    out.append(kMagic, sizeof kMagic);
    put(out, fingerprint_);
    put(out, static_cast<std::uint32_t>(name.scope.size()));
    out += name.scope;
    put(out, name.ordinal);
    put(out, n);
    put(out, nv);
    put(out, nk);
    put(out, next);
    put(out, bad);
    // Only the runs of rows that are not all zero: a Fermi scan's histogram has whole ranges of
    // energy bins no state reaches, and the section for points near a band touching is mostly
    // empty; a run is its first row, its length and its values.
    const std::size_t runs_at = out.size();
    put(out, std::uint32_t{0});
    std::uint32_t runs = 0;
    auto zero_row = [&](std::size_t row) {
        for (int v = 0; v < nv; ++v) {
            const Neumaier& x = total[row * nv + v];
            if (std::bit_cast<std::uint64_t>(x.s) != 0 || std::bit_cast<std::uint64_t>(x.c) != 0) return false;  // −0 is kept
        }
        return true;
    };
    for (std::size_t row = 0; row < static_cast<std::size_t>(nk);) {
        if (zero_row(row)) {
            ++row;
            continue;
        }
        std::size_t end = row + 1;
        while (end < static_cast<std::size_t>(nk) && !zero_row(end)) ++end;
        put(out, static_cast<std::uint32_t>(row));
        put(out, static_cast<std::uint32_t>(end - row));
        out.append(reinterpret_cast<const char*>(total.data() + row * nv), (end - row) * nv * sizeof(Neumaier));
        ++runs;
        row = end;
    }
    std::memcpy(out.data() + runs_at, &runs, sizeof runs);
    put(out, fingerprint_of(out));
    write_atomically(path_of(name), out);
}

ReductionCheckpoint::ReductionCheckpoint(bool enabled, long long n, int nv, int nk)
    : session_(CheckpointSession::active()), enabled_(enabled && session_ != nullptr),
      name_(session_ ? session_->next_name() : CheckpointSession::Name{"", -1}), n_(n), nv_(nv), nk_(nk) {}

bool ReductionCheckpoint::resume(std::vector<Neumaier>& total, long long& next, long long& bad) const {
    CheckpointSession::State state;
    if (!enabled_ || !session_->load(name_, n_, nv_, nk_, state)) return false;
    total.swap(state.total);
    next = state.next;
    bad = state.bad;
    return true;
}

void ReductionCheckpoint::save(long long next, long long bad, const std::vector<Neumaier>& total) {
    if (!enabled_) return;
    try {
        session_->save(name_, n_, nv_, nk_, next, bad, total);
    } catch (const WriteError& e) {
        if (stop_requested()) throw;  // the user must know the work since the last save is lost
        if (!warned_) std::fprintf(stderr, "bzint: warning: %s; the run goes on, but an interruption now would lose the work since the last save\n", e.what());
        warned_ = true;
    }
}

}  // namespace bzint
