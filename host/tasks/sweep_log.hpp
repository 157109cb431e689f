// Sweep log of a field sweep (dc_current, hybrid_current): DIR/<title>_sweep.jsonl, one JSON
// line per finished field value, written as each finishes. With --resume the recorded values
// are read back (a line cut by the interruption is dropped) and not recomputed. Under MPI every
// rank reads it and rank 0 writes it.
#pragma once
#include <filesystem>
#include <fstream>
#include <map>
#include <string>

#include <nlohmann/json.hpp>

#include "../task_registry.hpp"

namespace bzint {

class SweepLog {
public:
    explicit SweepLog(const TaskContext& ctx);
    // The recorded row of field value E, or null.
    const nlohmann::json* find(double E) const;
    // Records a finished row (its "E" is the key).
    void add(const nlohmann::json& row);
    std::string path() const { return path_.string(); }

private:
    std::filesystem::path path_;
    std::map<double, nlohmann::json> done_;
    std::ofstream out_;
};

}  // namespace bzint
