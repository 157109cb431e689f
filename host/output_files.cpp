#include "output_files.hpp"

#include <fcntl.h>
#include <fmt/core.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <ctime>
#include <filesystem>

#include "input_error.hpp"

namespace bzint {

namespace {

std::atomic<long long> g_serial{0};

std::string temporary_for(const std::string& target) {
    return fmt::format("{}.tmp.{}.{}", target, static_cast<long long>(getpid()), g_serial.fetch_add(1));
}

// Writes all of `data` to fd, retrying short writes and EINTR; false on an error (errno set).
bool write_all(int fd, std::string_view data) {
    while (!data.empty()) {
        const ssize_t w = ::write(fd, data.data(), data.size());
        if (w < 0) {
            if (errno == EINTR) continue;
            return false;
        }
        if (w == 0) {
            errno = EIO;
            return false;
        }
        data.remove_prefix(static_cast<std::size_t>(w));
    }
    return true;
}

[[noreturn]] void fail(const std::string& path, const std::string& what) {
    throw WriteError(fmt::format("cannot write {}: {} ({})", path, what, system_reason()));
}

// Writes a new file (it must not exist) with `content`, synced; removes it on failure.
void write_new(const std::string& path, std::string_view content, const std::string& target) {
    const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (fd < 0) fail(target, "cannot create it");
    const bool ok = write_all(fd, content) && ::fsync(fd) == 0;
    const int saved = errno;
    const bool closed = ::close(fd) == 0;
    if (!ok || !closed) {
        ::unlink(path.c_str());
        errno = ok ? errno : saved;
        fail(target, "the write failed");
    }
}

// Makes a rename in `dir` durable (best effort: some file systems cannot sync a folder).
void sync_folder(const std::string& file) {
    const std::string dir = std::filesystem::path(file).parent_path().string();
    const int fd = ::open(dir.empty() ? "." : dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return;
    ::fsync(fd);
    ::close(fd);
}

}  // namespace

std::string system_reason() { return std::strerror(errno); }

AtomicFiles::~AtomicFiles() {
    for (const auto& [tmp, target] : staged_) ::unlink(tmp.c_str());
}

void AtomicFiles::stage(const std::string& path, std::string_view content) {
    const std::string tmp = temporary_for(path);
    try {
        write_new(tmp, content, path);
    } catch (...) {
        for (const auto& [t, target] : staged_) ::unlink(t.c_str());
        staged_.clear();
        throw;
    }
    staged_.emplace_back(tmp, path);
}

void AtomicFiles::commit() {
    for (std::size_t i = 0; i < staged_.size(); ++i) {
        if (::rename(staged_[i].first.c_str(), staged_[i].second.c_str()) != 0) {
            const int saved = errno;
            const std::string target = staged_[i].second;
            for (std::size_t j = i; j < staged_.size(); ++j) ::unlink(staged_[j].first.c_str());
            staged_.clear();
            errno = saved;
            fail(target, "cannot put it in place");
        }
    }
    if (!staged_.empty()) sync_folder(staged_.front().second);
    staged_.clear();
}

void write_atomically(const std::string& path, std::string_view content) {
    AtomicFiles f;
    f.stage(path, content);
    f.commit();
}

AppendLog::AppendLog(const std::string& path, std::string_view head) : path_(path) {
    write_atomically(path, head);
    fd_ = ::open(path.c_str(), O_WRONLY | O_APPEND | O_CLOEXEC);
    if (fd_ < 0) fail(path, "cannot open it for appending");
}

AppendLog::~AppendLog() {
    if (fd_ >= 0) ::close(fd_);
}

void AppendLog::append_line(std::string_view line) {
    std::string whole(line);
    whole += '\n';
    if (!write_all(fd_, whole) || ::fdatasync(fd_) != 0) fail(path_, "appending a line failed");
}

OutputLock::OutputLock(const std::string& dir, const std::string& title) {
    if (dir.empty()) throw InputError("--out: the folder name is empty; give a folder, e.g. --out results");
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    if (ec) throw InputError(fmt::format("--out {}: cannot create the folder ({})", dir, ec.message()));
    if (!std::filesystem::is_directory(dir, ec))
        throw InputError(fmt::format("--out {}: exists and is not a folder; give a folder for the outputs", dir));
    // The names the outputs will take must be free for files: a folder (or anything else that is
    // not a regular file) under one of them would be found only after the computation.
    for (const auto& e : std::filesystem::directory_iterator(dir, ec)) {
        const std::string name = e.path().filename().string();
        const bool output = name == title + ".json" || name == title + "_sweep.jsonl" ||
                            (name.rfind(title + "_", 0) == 0 && name.size() > 4 && name.substr(name.size() - 4) == ".csv");
        if (output && !e.is_regular_file(ec))
            throw InputError(fmt::format("--out {}: {} is not a regular file, so the output of that name cannot be written; "
                                         "move it or give this run another --out folder or title",
                                         dir, e.path().string()));
        if (name == title + ".checkpoint" && !e.is_directory(ec))
            throw InputError(fmt::format("--out {}: {} is not a checkpoint folder; move it or give this run another --out "
                                         "folder or title",
                                         dir, e.path().string()));
    }
    path_ = (std::filesystem::path(dir) / (title + ".lock")).string();
    for (;;) {
        fd_ = ::open(path_.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
        if (fd_ < 0)
            throw InputError(fmt::format("--out {}: cannot write in this folder ({}); choose a writable folder", dir,
                                         system_reason()));
        if (::flock(fd_, LOCK_EX | LOCK_NB) != 0) {
            const int saved = errno;
            char holder[512] = {};
            const ssize_t got = ::pread(fd_, holder, sizeof holder - 1, 0);
            ::close(fd_);
            fd_ = -1;
            if (saved != EWOULDBLOCK) {
                errno = saved;
                throw InputError(fmt::format("--out {}: cannot lock {} ({})", dir, path_, system_reason()));
            }
            std::string who = got > 0 ? std::string(holder, static_cast<std::size_t>(got)) : std::string("unknown");
            while (!who.empty() && who.back() == '\n') who.pop_back();
            throw InputError(fmt::format("another bzint run ({}) is writing the outputs {}/{}.*; wait for it to finish, or "
                                         "give this run another --out folder or title",
                                         who, dir, title));
        }
        // The file may have been removed by its previous holder between open and flock.
        struct stat a {}, b {};
        if (::fstat(fd_, &a) == 0 && ::stat(path_.c_str(), &b) == 0 && a.st_ino == b.st_ino && a.st_dev == b.st_dev) break;
        ::close(fd_);
        fd_ = -1;
    }
    char host[256] = {};
    ::gethostname(host, sizeof host - 1);
    const std::time_t now = std::time(nullptr);
    char when[64] = {};
    std::strftime(when, sizeof when, "%Y-%m-%d %H:%M:%S", std::localtime(&now));
    const std::string who = fmt::format("pid {} on {}, started {}\n", static_cast<long long>(getpid()), host, when);
    if (::ftruncate(fd_, 0) != 0 || !write_all(fd_, who)) {
        const int saved = errno;
        ::unlink(path_.c_str());
        ::close(fd_);
        errno = saved;
        fail(path_, "cannot write the lock");
    }
}

OutputLock::~OutputLock() {
    if (fd_ < 0) return;
    ::unlink(path_.c_str());  // while holding it: the next run locks a new file
    ::close(fd_);
}

}  // namespace bzint
