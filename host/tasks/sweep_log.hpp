// Sweep log of a sweep: DIR/<title>_sweep.jsonl, one row per finished value of what the sweep
// steps through — a field sweep's field values (dc_current, hybrid_current: key "E"), a beam's
// energies and directions of incidence (trajectories: key "beam", energy × D + direction). Its
// first line records the key and the
// run's complete input (input_record.hpp), a field sweep's without the swept field values (so
// more can be added on a resume); then one line per finished row, each with a checksum, written
// and synced as it finishes.
// With --resume the recorded rows are read back and not recomputed: a log of another input is
// refused naming what differs, a corrupt line is refused, and a last line cut by an interruption
// is dropped. Nothing is written before the first row is finished (a rejected or interrupted run
// leaves an existing log as it was). A finished sweep ends its log with {"complete": true}; a run
// without --resume replaces a complete log but refuses one an interrupted run left (resume it or
// remove it). Under MPI every rank reads it and rank 0 writes it. A run that writes no outputs
// (RunOptions::write_outputs false: Python without out=) keeps no log.
#pragma once
#include <map>
#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "../output_files.hpp"
#include "../task_registry.hpp"

namespace bzint {

// A longer log is refused when read back (not one of bzint's).
constexpr std::size_t kLargestSweepLog = std::size_t(1) << 30;

class SweepLog {
public:
    // key: the row's entry that names it ("E": the field values, left out of the recorded input).
    // keep false: no log (as without outputs), for a sweep whose rows would outgrow it.
    SweepLog(const TaskContext& ctx, std::string key, bool keep = true);
    // The recorded row whose key is `value`, or null.
    const nlohmann::json* find(double value) const;
    // Records a finished row (its entry `key` names it).
    void add(const nlohmann::json& row);
    // Marks the sweep finished.
    void complete();
    // The log's path, or null when none is kept.
    nlohmann::json file() const { return kept_on_disk_ ? nlohmann::json(path_) : nlohmann::json(nullptr); }

private:
    // Opens the log on its first write (nothing is written before a row is finished).
    AppendLog& log();
    std::string key_, path_;
    nlohmann::json header_;
    std::vector<std::string> kept_;  // the valid lines read back, rewritten before the first new row
    std::map<double, nlohmann::json> done_;
    std::unique_ptr<AppendLog> out_;
    bool kept_on_disk_;
};

}  // namespace bzint
