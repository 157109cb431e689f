#include "app.hpp"

#include <fmt/core.h>

#include <algorithm>

#include <chrono>
#include <cstdio>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "../kernels/cuda_backend.hpp"
#include "checkpoint.hpp"
#include "input_error.hpp"
#include "ranks.hpp"
#include "task_registry.hpp"
#include "wannier/export_model.hpp"
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

json table_json(const CsvTable& t) {
    return {{"name", t.name}, {"comment", t.comment}, {"columns", t.columns}, {"rows", t.rows}};
}

}  // namespace

json run(const RunFile& file, Backend backend, const RunOptions& options) {
    const RunConfig cfg = read_common(file);
    static const std::vector<std::string> nband_tasks{"bands", "berry", "chern", "ahc", "cme", "anomaly", "dipole", "streda", "dc_current", "hybrid_current"};
    if (cfg.model->bands != 2 && std::find(nband_tasks.begin(), nband_tasks.end(), cfg.task) == nband_tasks.end())
        throw InputError(fmt::format("{}: task '{}' supports the two-band models; '{}' has {} bands (N-band models run "
                                     "the tasks {})",
                                     file.path(), cfg.task, cfg.model->name, cfg.model->bands, join(nband_tasks)));
    if (is_wannier(cfg.params)) {
        static const std::vector<std::string> wannier_tasks{"bands", "berry", "chern", "ahc", "cme", "anomaly", "dipole", "streda", "hybrid_current"};
        if (std::find(wannier_tasks.begin(), wannier_tasks.end(), cfg.task) == wannier_tasks.end())
            throw InputError(fmt::format("{}: task '{}' does not take wannier models yet; they run the tasks {}", file.path(),
                                         cfg.task, join(wannier_tasks)));
        const bool position_matrix = !wannier_of(cfg.params).r.empty();  // tasks checked in run_file.cpp
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
    TaskContext ctx{file, cfg, Section(file, file.root()["task"].as_table(), "task"), backend, options};
    std::ostringstream fingerprint;
    fingerprint << file.root() << "\nbackend=" << backend_name(backend) << "\nranks=" << ranks::size();
    CheckpointSession checkpoints(checkpoint_folder(options.out_dir, cfg.title), fingerprint_of(fingerprint.str()),
                                  options.resume);
    const auto start = std::chrono::steady_clock::now();
    TaskResult r = find_task(cfg.task)->run(ctx);
    checkpoints.complete();
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    check_finite(r.results, "results");

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
    doc["units"] = r.units;
    doc["units"]["length"] = length_unit_meaning(*cfg.model);
    doc["results"] = r.results;
    doc["timing"] = {{"seconds", seconds},
                     {"kpoints", r.kpoints},
                     {"kpoints_per_second", seconds > 0 ? static_cast<double>(r.kpoints) / seconds : 0.0}};
    json tables = json::array();
    for (const auto& t : r.tables) tables.push_back(table_json(t));
    doc["_tables"] = tables;  // written as CSV by write_outputs, not into the JSON
    return doc;
}

std::string write_outputs(const json& doc_in, const std::string& dir) {
    json doc = doc_in;
    const json tables = doc["_tables"];
    doc.erase("_tables");
    std::filesystem::create_directories(dir);
    const std::string title = doc["title"].get<std::string>();
    json csv_names = json::array();
    for (const auto& t : tables) {
        const std::string name = fmt::format("{}_{}.csv", title, t["name"].get<std::string>());
        const auto path = std::filesystem::path(dir) / name;
        std::ofstream out(path);
        if (!out) throw std::runtime_error(fmt::format("cannot write {}", path.string()));
        out << "# " << t["comment"].get<std::string>() << "\n";
        const auto& cols = t["columns"];
        for (std::size_t i = 0; i < cols.size(); ++i) out << (i ? "," : "") << cols[i].get<std::string>();
        out << "\n";
        for (const auto& row : t["rows"]) {
            for (std::size_t i = 0; i < row.size(); ++i) out << (i ? "," : "") << fmt::format("{:.17g}", row[i].get<double>());
            out << "\n";
        }
        csv_names.push_back(name);
    }
    doc["csv"] = csv_names;
    const auto path = std::filesystem::path(dir) / (title + ".json");
    std::ofstream out(path);
    if (!out) throw std::runtime_error(fmt::format("cannot write {}", path.string()));
    out << doc.dump(2) << "\n";
    return path.string();
}

std::string checkpoint_folder(const std::string& out_dir, const std::string& title) {
    return (std::filesystem::path(out_dir) / (title + ".checkpoint")).string();
}

std::vector<std::string> export_hr(const RunFile& file, const std::string& out_dir) {
    const RunConfig cfg = read_model_section(file);
    if (cfg.loaded_model) throw InputError(fmt::format("{}: export-hr writes built-in models; this one came from a file", file.path()));
    const TbModel tb = export_model(*cfg.model, cfg.params);
    std::filesystem::create_directories(out_dir);
    std::string params;
    for (const auto& [k, v] : cfg.param_values) params += fmt::format(" {}={}", k, v);
    const std::string header = fmt::format("bzint export-hr: {}{} (H(R) in the model's energy unit; lattice in its length unit)",
                                           cfg.model->name, params);
    std::vector<std::string> paths;
    for (const char* kind : {"hr", "tb"}) {
        const std::string path = (std::filesystem::path(out_dir) / fmt::format("{}_{}.dat", cfg.title, kind)).string();
        std::ofstream f(path);
        if (!f) throw InputError(fmt::format("{}: cannot write", path));
        if (std::string(kind) == "hr") {
            write_hr(tb, f, header);
        } else {
            write_tb(tb, f, header);
        }
        paths.push_back(path);
    }
    return paths;
}

}  // namespace bzint
