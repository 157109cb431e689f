// Tasks ([task] kind = "...") and what they return.
#pragma once
#include <nlohmann/json.hpp>

#include <memory>
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
    // The leading columns that say where a row is (a scan variable; a position and a level): they
    // get no error column (error_estimate.cpp).
    std::size_t keys = 1;
};

struct TaskResult {
    nlohmann::json results = nlohmann::json::object();
    nlohmann::json units = nlohmann::json::object();
    std::vector<CsvTable> tables;
    long long kpoints = 0;
    // Error estimates: the same keys and shapes as `results` (error_estimate.hpp); null for tasks
    // that give none yet. no_estimate: why a task that gives estimates could not this time.
    nlohmann::json errors;
    std::string no_estimate;
    // The change of every result when the mesh points near a band touching (band_touching.hpp) are
    // left out, the same shape as `results`; `errors` is at least it. Null when there are none.
    nlohmann::json near_touching;
    // The same results (and tables) without those points; null when there are none. Read by the
    // tolerance loop, which compares the next pass with them (convergence.hpp); not written out.
    std::shared_ptr<const TaskResult> without_touching;
    // With [task] rtol/atol: the passes on denser meshes and whether the tolerance was met
    // (convergence.hpp); null otherwise. The tolerance applies to the keys `principal` names (all
    // estimated keys when empty): a task's physical quantity, not its band-resolved parts, which
    // near a band touching converge far more slowly than their sum (docs/accuracy.md).
    nlohmann::json convergence;
    std::vector<std::string> principal;
    // The occupations jump at a Fermi surface between neighbouring mesh points (T = 0 with a level
    // in a band, or an unresolved smearing; task_common.hpp FermiSurfaceCheck::step): the sub-mesh
    // estimate then fluctuates with the mesh and can fall short, so the tolerance loop does not stop
    // at its first pass (convergence.hpp).
    bool fermi_step = false;
    // Keys whose values are integers when converged (Chern numbers): their estimates are judged
    // against max(|value|, 1), the spacing of the integers, so that a converged 0 does not warn.
    std::vector<std::string> integer_valued;
    // What reduces the error, for the warnings (error_estimate.hpp); empty: the mesh advice.
    std::string remedy;
    // Warnings of the task's own about its settings (printed and listed with the estimates' ones).
    std::vector<std::string> warnings;
};

// Where a run writes, for tasks that record results as they complete (sweeps).
struct RunOptions {
    std::string out_dir = ".";
    bool resume = false;
    bool write_outputs = true;  // false: only the returned document (no outputs, checkpoints or sweep log written)
    bool print_warnings = true;  // false: the warnings are only in the document (Python issues them as its own)
};

struct TaskContext;
// A section of the run file as the running task reads it (its keys for this task kind).
Section task_section(const TaskContext& ctx, const char* name, const char* registry_name = nullptr);

struct TaskContext {
    const RunFile& file;
    const RunConfig& cfg;
    Section task;
    Backend backend;
    RunOptions options;
    const nlohmann::json& input;  // input_record.hpp
};

// Each task reads and validates all its keys in `check` (no output is opened, no heavy work
// done: bad input ends the run with status 2 before anything else), then `run` computes.
using CheckFn = void (*)(TaskContext&);
using TaskFn = TaskResult (*)(TaskContext&);

struct TaskInfo {
    const char* name;
    CheckFn check;
    TaskFn run;
};

const TaskInfo* find_task(const std::string& name);
std::string task_names();

// Task entry points (host/tasks/*.cpp).
void check_bands(TaskContext&);
void check_berry(TaskContext&);
void check_chern(TaskContext&);
void check_ahc(TaskContext&);
void check_cme(TaskContext&);
void check_anomaly(TaskContext&);
void check_dipole(TaskContext&);
void check_dc_current(TaskContext&);
void check_streda(TaskContext&);
void check_spin_density(TaskContext&);
void check_disorder_ahe(TaskContext&);
void check_hybrid_current(TaskContext&);
void check_phase_space_chern(TaskContext&);
void check_second_chern(TaskContext&);
void check_weyl_nodes(TaskContext&);
void check_texture_lattice(TaskContext&);
void check_texture_geometry(TaskContext&);
void check_texture_density(TaskContext&);
void check_texture_current(TaskContext&);
void check_texture_transport(TaskContext&);
void check_trajectories(TaskContext&);
void check_kinetic_ramp(TaskContext&);
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
TaskResult task_phase_space_chern(TaskContext&);
TaskResult task_second_chern(TaskContext&);
TaskResult task_weyl_nodes(TaskContext&);
TaskResult task_texture_lattice(TaskContext&);
TaskResult task_texture_geometry(TaskContext&);
TaskResult task_texture_density(TaskContext&);
TaskResult task_texture_current(TaskContext&);
TaskResult task_texture_transport(TaskContext&);
TaskResult task_trajectories(TaskContext&);
TaskResult task_kinetic_ramp(TaskContext&);

}  // namespace bzint
