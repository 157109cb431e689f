// Tasks ([task] kind = "...") and what they return.
#pragma once
#include <nlohmann/json.hpp>

#include <string>
#include <vector>

#include "backend.hpp"
#include "run_file.hpp"

namespace bzint {

// A table written as CSV beside the JSON: <title>_<name>.csv, with a '#' line of units.
struct CsvTable {
    std::string name;
    std::string comment;
    std::vector<std::string> columns;
    std::vector<std::vector<double>> rows;
};

struct TaskResult {
    nlohmann::json results = nlohmann::json::object();
    nlohmann::json units = nlohmann::json::object();
    std::vector<CsvTable> tables;
    long long kpoints = 0;
};

// Where a run writes, for tasks that record results as they complete (sweeps).
struct RunOptions {
    std::string out_dir = ".";
    bool resume = false;
};

struct TaskContext {
    const RunFile& file;
    const RunConfig& cfg;
    Section task;
    Backend backend;
    RunOptions options;
};

using TaskFn = TaskResult (*)(TaskContext&);

struct TaskInfo {
    const char* name;
    TaskFn run;
};

const TaskInfo* find_task(const std::string& name);
std::string task_names();

// Task entry points (host/tasks/*.cpp).
TaskResult task_bands(TaskContext&);
TaskResult task_berry(TaskContext&);
TaskResult task_chern(TaskContext&);
TaskResult task_ahc(TaskContext&);
TaskResult task_cme(TaskContext&);
TaskResult task_anomaly(TaskContext&);
TaskResult task_dipole(TaskContext&);
TaskResult task_dc_current(TaskContext&);
TaskResult task_streda(TaskContext&);
TaskResult task_spin_density(TaskContext&);
TaskResult task_disorder_ahe(TaskContext&);
TaskResult task_hybrid_current(TaskContext&);

}  // namespace bzint
