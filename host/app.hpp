// Running a run file: parse, validate, run the task, write <title>.json and CSV tables.
#pragma once
#include <nlohmann/json.hpp>

#include <string>
#include <vector>

#include "backend.hpp"
#include "run_file.hpp"
#include "task_registry.hpp"

namespace bzint {

// Runs the task of an already loaded (and --set-modified) run file; returns the output
// document (see docs/output.md). Throws InputError for bad input.
nlohmann::json run(const RunFile& file, Backend backend, const RunOptions& options = {});

// Writes DIR/<title>.json and DIR/<title>_<table>.csv; returns the JSON path.
std::string write_outputs(const nlohmann::json& doc, const std::string& dir);

// Where an interrupted run of <title> keeps its checkpoints (checkpoint.hpp).
std::string checkpoint_folder(const std::string& out_dir, const std::string& title);

// `bzint export-hr`: writes the run file's built-in lattice model as DIR/<title>_hr.dat and
// DIR/<title>_tb.dat (lattice and orbital positions inside); returns the two paths.
std::vector<std::string> export_hr(const RunFile& file, const std::string& out_dir);

}  // namespace bzint
