// Writing results, logs and checkpoints so that nothing is ever half-written or silently lost:
// every byte written is checked, files are synced to disk and put in place by rename (a reader
// sees the old file or the new one, never a part), a failed write is a WriteError naming the
// file and the reason, and one run at a time holds an output prefix (DIR/<title>).
#pragma once
#include <string>
#include <string_view>
#include <vector>

namespace bzint {

// Writes files together: stage() writes each to a temporary beside its target (checked and
// synced), commit() renames them all into place. A failure anywhere removes the temporaries and
// throws WriteError; files already in place stay as they were.
class AtomicFiles {
public:
    AtomicFiles() = default;
    AtomicFiles(const AtomicFiles&) = delete;
    AtomicFiles& operator=(const AtomicFiles&) = delete;
    ~AtomicFiles();
    void stage(const std::string& path, std::string_view content);
    void commit();

private:
    std::vector<std::pair<std::string, std::string>> staged_;  // (temporary, target)
};

// One file written atomically (AtomicFiles with one file).
void write_atomically(const std::string& path, std::string_view content);

// A log that grows a line at a time (sweep logs): each line is written whole, checked and synced
// before the next result is computed.
class AppendLog {
public:
    // Replaces `path` atomically by `head` (already complete lines) and opens it for appending.
    AppendLog(const std::string& path, std::string_view head);
    ~AppendLog();
    AppendLog(const AppendLog&) = delete;
    AppendLog& operator=(const AppendLog&) = delete;
    void append_line(std::string_view line);

private:
    std::string path_;
    int fd_ = -1;
};

// The output folder and prefix of a run, made ready before any work: the folder exists (or is
// created) and is writable, and this process holds DIR/<title>.lock. A second run on the same
// prefix is refused (InputError naming the holder's pid, host and start). Released on exit.
class OutputLock {
public:
    OutputLock(const std::string& dir, const std::string& title);
    ~OutputLock();
    OutputLock(const OutputLock&) = delete;
    OutputLock& operator=(const OutputLock&) = delete;

private:
    std::string path_;
    int fd_ = -1;
};

// "the system's reason" for the last failed call (strerror(errno)).
std::string system_reason();

}  // namespace bzint
