#include "app.hpp"
#include "error_estimate.hpp"

#include <fmt/core.h>

#include <algorithm>

#include <chrono>
#include <cstdio>
#include <cmath>
#include <filesystem>
#include <memory>
#include <optional>
#include <sstream>

#include "../kernels/cuda_backend.hpp"
#include "checkpoint.hpp"
#include "input_error.hpp"
#include "input_record.hpp"
#include "output_files.hpp"
#include "run_keys.hpp"
#include "stop.hpp"
#include "workers.hpp"
#include "ranks.hpp"
#include "task_registry.hpp"
#include "wannier/export_model.hpp"
#include "wannier/runtime_wannier.hpp"
#include "wannier/wannier_model.hpp"
#include "tasks/task_common.hpp"

namespace bzint {

using nlohmann::json;

namespace {

// Every number in a result must be finite (never a silent NaN).
void check_finite(const json& j, const std::string& path) {
    if (j.is_number_float() && !std::isfinite(j.get<double>()))
        throw NonFiniteError(fmt::format("non-finite value in the result at {}", path));
    if (j.is_array())
        for (std::size_t i = 0; i < j.size(); ++i) check_finite(j[i], fmt::format("{}[{}]", path, i));
    if (j.is_object())
        for (auto it = j.begin(); it != j.end(); ++it) check_finite(it.value(), path + "." + it.key());
}

// The defaults this run used: every key the task reads that the run file leaves out, with the
// default run_keys.cpp documents (a built-in model's parameters are all in "model").
json defaults_used(const RunFile& file, const RunConfig& cfg) {
    json out = json::object();
    const std::string diss = file.root()["dissipation"]["kind"].value_or(std::string());
    const std::string texture = file.root()["texture"]["kind"].value_or(std::string());
    for (const KeySpec& k : run_keys()) {
        const std::string section(k.section);
        std::string table = section;
        if (!diss.empty() && section == "dissipation " + diss)
            table = "dissipation";
        else if (!texture.empty() && section == "texture " + texture)
            table = "texture";
        else if (section != "task" && section != "field" && section != "dissipation" && section != "disorder")
            continue;
        if (std::string_view(k.default_text) == "required" || find_key(section, k.key, cfg.task) != &k) continue;
        if (table != "task" && !file.root().contains(table)) continue;  // a section the task does not read
        const toml::table* t = file.root()[table].as_table();
        if (t && t->contains(k.key)) continue;
        out[table][k.key] = k.default_text;
    }
    return out;
}

// The tasks a model can run, and the backend a task of it runs on (N-band and Wannier models run
// a subset; Wannier tasks other than the Fermi scans run on the CPU).
Backend task_backend(const RunFile& file, const RunConfig& cfg, Backend backend) {
    static const std::vector<std::string> nband_tasks{"bands", "berry", "chern", "ahc", "cme", "anomaly", "dipole", "streda", "dc_current", "hybrid_current", "second_chern", "texture_geometry", "phase_space_chern", "texture_density", "trajectories", "weyl_nodes", "texture_lattice", "texture_transport", "texture_current"};
    if (cfg.model->bands != 2 && std::find(nband_tasks.begin(), nband_tasks.end(), cfg.task) == nband_tasks.end())
        throw InputError(fmt::format("{}: task '{}' supports the two-band models; '{}' has {} bands (N-band models run "
                                     "the tasks {})",
                                     file.path(), cfg.task, cfg.model->name, cfg.model->bands, join(nband_tasks)));
    if (is_wannier(cfg.params)) {
        static const std::vector<std::string> wannier_tasks{"bands", "berry", "chern", "ahc", "cme", "anomaly", "dipole", "streda", "hybrid_current", "weyl_nodes"};
        if (std::find(wannier_tasks.begin(), wannier_tasks.end(), cfg.task) == wannier_tasks.end())
            throw InputError(fmt::format("{}: task '{}' does not take wannier models yet; they run the tasks {}", file.path(),
                                         cfg.task, join(wannier_tasks)));
        const LoadedWannier& w = wannier_of(cfg.params);
        const bool position_matrix = !w.r.empty();  // tasks checked in run_file.cpp
        // On the device: the Fermi-scan tasks of models with up to 16 orbitals (direct Fourier sum
        // per k); everything else runs on the CPU.
        static const std::vector<std::string> device_tasks{"ahc", "cme", "anomaly", "dipole", "streda", "hybrid_current"};
        if (backend == Backend::cuda &&
            (std::find(device_tasks.begin(), device_tasks.end(), cfg.task) == device_tasks.end() ||
             cuda::wannier_device_size(cfg.model->bands) == 0 || position_matrix)) {
            std::fprintf(stderr, "bzint: this wannier task runs on the CPU backend (on the device: %s with up to 16 "
                                 "orbitals, without position_matrix)\n", join(device_tasks).c_str());
            backend = Backend::cpu;
        }
    }
    // The homogeneous kinetic equation's time stepping (host/tasks/kinetic_ramp.cpp) runs on the CPU.
    if (backend == Backend::cuda && cfg.task == "kinetic_ramp") {
        std::fprintf(stderr, "bzint: task kinetic_ramp runs on the CPU backend\n");
        backend = Backend::cpu;
    }
    return backend;
}

}  // namespace

void check(const RunFile& file) {
    const RunConfig cfg = read_common(file);
    const json input = input_record(file, cfg);
    TaskContext ctx{file, cfg, Section(file, file.root()["task"].as_table(), "task", cfg.task),
                    task_backend(file, cfg, Backend::cpu), RunOptions{"", false, false}, input};
    find_task(cfg.task)->check(ctx);
}

json run(const RunFile& file, Backend requested, const RunOptions& options) {
    const RunConfig cfg = read_common(file);
    const Backend backend = task_backend(file, cfg, requested);
    const json input = input_record(file, cfg);
    TaskContext ctx{file, cfg, Section(file, file.root()["task"].as_table(), "task", cfg.task), backend, options, input};
    const TaskInfo* task = find_task(cfg.task);
    const StopOnSignals stop_on_signals;
    task->check(ctx);  // every key, range and memory estimate: bad input ends here, before any output
    throw_if_stopped();

    // The output prefix: the folder made and writable, this run its only writer (rank 0 holds the
    // lock; every rank learns whether it got it).
    std::unique_ptr<OutputLock> lock;
    std::string refused;
    if (options.write_outputs && ranks::is_root()) {
        try {
            lock = std::make_unique<OutputLock>(options.out_dir, cfg.title);
        } catch (const InputError& e) {
            refused = e.what();
        }
    }
    if (!ranks::all(refused.empty())) throw InputError(refused);
    json checkpoint_input = input;
    checkpoint_input["backend"] = backend_name(backend);
    checkpoint_input["ranks"] = ranks::size();
    checkpoint_input["reduce_block"] = kReduceBlock;  // the base of every reduction's block (neumaier.hpp)
    std::optional<CheckpointSession> checkpoints;  // none when nothing is written (Python without out=)
    if (options.write_outputs)
        checkpoints.emplace(checkpoint_folder(options.out_dir, cfg.title), checkpoint_input.dump(), options.resume);

    const auto start = std::chrono::steady_clock::now();
    TaskResult r;
    try {
        r = task->run(ctx);
        check_finite(r.results, "results");
        if (!r.errors.is_null()) check_finite(r.errors, "errors");
    } catch (const Interrupted&) {
        throw;  // the saved state is resumable
    } catch (...) {
        if (checkpoints) checkpoints->remove();  // nothing a resume could mend (input found bad during the run included)
        throw;
    }
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

    json model = {{"name", cfg.model->name}};
    for (const auto& [k, v] : cfg.param_values) model[k] = v;
    if (is_wannier(cfg.params)) {
        const LoadedWannier& w = wannier_of(cfg.params);
        model["file"] = w.tb.source;
        model["num_wann"] = w.tb.num_wann;
        model["lattice_angstrom"] = {std::vector<double>(w.tb.lattice[0], w.tb.lattice[0] + 3),
                                     std::vector<double>(w.tb.lattice[1], w.tb.lattice[1] + 3),
                                     std::vector<double>(w.tb.lattice[2], w.tb.lattice[2] + 3)};
        model["orbital_positions"] = std::any_of(w.tau.begin(), w.tau.end(), [](double t) { return t != 0.0; });
        model["position_matrix"] = !w.r.empty();
    }
    json doc;
    doc["title"] = cfg.title;
    doc["task"] = cfg.task;
    doc["model"] = model;
    doc["mesh"] = cfg.mesh_n ? json(std::vector<long long>(cfg.mesh_n->begin(), cfg.mesh_n->begin() + cfg.model->dim))
                             : json(nullptr);
    doc["backend"] = backend_name(backend);
    doc["ranks"] = ranks::size();
    if (backend == Backend::cuda) doc["device"] = cuda::device_name();
    doc["input"] = input;
    doc["input"]["defaults_used"] = defaults_used(file, cfg);
    doc["run"] = {{"threads", workers::count()}, {"resumed", options.resume}, {"checkpoint_interval_s", kCheckpointInterval.count()}};
    doc["units"] = r.units;
    doc["units"]["length"] = length_unit_meaning(*cfg.model);
    doc["results"] = r.results;
    // Error estimates (docs/accuracy.md) and the warnings for results they say are not converged.
    if (!r.errors.is_null() || !r.no_estimate.empty()) doc["errors"] = r.errors;
    if (!r.near_touching.is_null()) doc["near_touching"] = r.near_touching;
    if (!r.convergence.is_null()) doc["convergence"] = r.convergence;
    std::vector<std::string> warnings = accuracy_warnings(r, *cfg.model);
    warnings.insert(warnings.end(), r.warnings.begin(), r.warnings.end());
    if (!warnings.empty()) doc["warnings"] = warnings;
    if (options.print_warnings && ranks::is_root())
        for (const auto& w : warnings) std::fprintf(stderr, "bzint: warning: %s\n", w.c_str());
    doc["timing"] = {{"seconds", seconds},
                     {"kpoints", r.kpoints},
                     {"kpoints_per_second", seconds > 0 ? static_cast<double>(r.kpoints) / seconds : 0.0}};
    json csv_names = json::array();
    for (const auto& t : r.tables) csv_names.push_back(fmt::format("{}_{}.csv", cfg.title, t.name));
    doc["csv"] = csv_names;
    // The outputs first, then the checkpoint goes: if they cannot be written (or a stop comes while
    // they are), the saved states still let --resume write them without computing anything again.
    if (options.write_outputs && ranks::is_root()) write_outputs(doc, r.tables, options.out_dir);
    if (checkpoints) checkpoints->remove();
    return doc;
}

namespace {

// A table as CSV text. Formatting a large table takes seconds: a stop request ends it (the run
// then ends with status 130, its checkpoint, if any, kept for --resume).
std::string csv_text(const CsvTable& t) {
    std::string out = "# " + t.comment + "\n";
    for (std::size_t i = 0; i < t.columns.size(); ++i) out += (i ? "," : "") + t.columns[i];
    out += "\n";
    auto it = std::back_inserter(out);
    for (std::size_t r = 0; r < t.rows.size(); ++r) {
        if ((r & 4095) == 4095) throw_if_stopped();
        const auto& row = t.rows[r];
        for (std::size_t i = 0; i < row.size(); ++i) fmt::format_to(it, "{}{:.17g}", i ? "," : "", row[i]);
        out += "\n";
    }
    return out;
}

}  // namespace

void write_outputs(const json& doc, const std::vector<CsvTable>& tables, const std::string& dir) {
    const std::string title = doc["title"].get<std::string>();
    AtomicFiles files;
    for (const auto& t : tables)
        files.stage((std::filesystem::path(dir) / fmt::format("{}_{}.csv", title, t.name)).string(), csv_text(t));
    files.stage(output_json_path(dir, title), doc.dump(2) + "\n");
    files.commit();  // the CSV files first, the JSON last: a JSON in place has its tables beside it
}

std::string output_json_path(const std::string& dir, const std::string& title) {
    return (std::filesystem::path(dir) / (title + ".json")).string();
}

std::string checkpoint_folder(const std::string& out_dir, const std::string& title) {
    return (std::filesystem::path(out_dir) / (title + ".checkpoint")).string();
}

std::vector<std::string> export_hr(const RunFile& file, const std::string& out_dir) {
    const RunConfig cfg = read_model_section(file);
    if (cfg.loaded_model) throw InputError(fmt::format("{}: export-hr writes built-in models; this one came from a file", file.path()));
    const TbModel tb = export_model(*cfg.model, cfg.params);
    const OutputLock lock(out_dir, cfg.title);
    std::string params;
    for (const auto& [k, v] : cfg.param_values) params += fmt::format(" {}={}", k, v);
    const std::string header = fmt::format("bzint export-hr: {}{} (H(R) in the model's energy unit; lattice in its length unit)",
                                           cfg.model->name, params);
    std::vector<std::string> paths;
    AtomicFiles files;
    for (const char* kind : {"hr", "tb"}) {
        const std::string path = (std::filesystem::path(out_dir) / fmt::format("{}_{}.dat", cfg.title, kind)).string();
        std::ostringstream text;
        if (std::string(kind) == "hr") {
            write_hr(tb, text, header);
        } else {
            write_tb(tb, text, header);
        }
        files.stage(path, text.str());
        paths.push_back(path);
    }
    files.commit();
    return paths;
}

}  // namespace bzint
