// Running a run file: parse, validate, run the task, write <title>.json and CSV tables.
#pragma once
#include <nlohmann/json.hpp>

#include <string>
#include <vector>

#include "backend.hpp"
#include "run_file.hpp"
#include "task_registry.hpp"

namespace bzint {

// Runs the task of an already loaded (and --set-modified) run file and returns the output
// document. In order: every key is validated (InputError: nothing written yet); the output
// prefix DIR/<title> is locked (InputError when another run holds it); the task runs, its
// reductions checkpointed (Interrupted on SIGINT/SIGTERM, the checkpoint kept); then, with
// options.write_outputs, DIR/<title>.json and its CSV tables are written atomically (WriteError).
nlohmann::json run(const RunFile& file, Backend backend, const RunOptions& options);

// Validates a run file as run() does before it writes or computes anything (InputError for bad
// input); the run-file fuzz target's entry point.
void check(const RunFile& file);

// Writes DIR/<title>_<table>.csv and DIR/<title>.json together (output_files.hpp).
void write_outputs(const nlohmann::json& doc, const std::vector<CsvTable>& tables, const std::string& dir);
std::string output_json_path(const std::string& dir, const std::string& title);

// Where an interrupted run of <title> keeps its checkpoints (checkpoint.hpp).
std::string checkpoint_folder(const std::string& out_dir, const std::string& title);

// `bzint export-hr`: writes the run file's built-in lattice model as DIR/<title>_hr.dat and
// DIR/<title>_tb.dat (lattice and orbital positions inside); returns the two paths.
std::vector<std::string> export_hr(const RunFile& file, const std::string& out_dir);

}  // namespace bzint
