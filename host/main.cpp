// bzint command line: bzint run FILE.toml [--set section.key=value ...] [--backend ...] [--out DIR]
#include <CLI/CLI.hpp>
#include <fmt/core.h>
#include <omp.h>

#include "app.hpp"
#include "checkpoint.hpp"
#include "input_error.hpp"
#include "model_registry.hpp"
#include "task_registry.hpp"

int main(int argc, char** argv) {
    CLI::App app{"bzint: GPU-accelerated Brillouin-zone integrals (Berry curvature, Fermi scans, Chern numbers)"};
    app.require_subcommand(1);
    CLI::App* run = app.add_subcommand("run", "run a TOML run file");
    std::string file, backend = "auto", out = ".";
    std::vector<std::string> sets;
    int threads = 0;
    bool resume = false;
    run->add_option("file", file, "run file (TOML)")->required();
    run->add_option("--set", sets, "override a run-file value: section.key=value (repeatable)");
    run->add_option("--backend", backend, "auto | cpu | cuda (auto = CUDA when a device is present)");
    run->add_option("--out", out, "output directory (default: .)");
    run->add_option("--threads", threads, "OpenMP threads for the CPU backend (default: all cores)");
    run->add_flag("--resume", resume,
                  "continue an interrupted run: finished mesh blocks and sweep points recorded in DIR are not recomputed");
    CLI::App* exp = app.add_subcommand("export-hr", "write a built-in lattice model as Wannier90 hr.dat and tb.dat");
    std::string exp_file, exp_out = ".";
    std::vector<std::string> exp_sets;
    exp->add_option("file", exp_file, "run file whose [model] is written (TOML)")->required();
    exp->add_option("--set", exp_sets, "override a run-file value: section.key=value (repeatable)");
    exp->add_option("--out", exp_out, "output directory (default: .)");
    CLI::App* list = app.add_subcommand("models", "list the built-in models with their parameters and defaults");
    CLI::App* tasks = app.add_subcommand("tasks", "list the task kinds");
    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        const int code = app.exit(e);
        return code == 0 ? 0 : 2;
    }
    if (list->parsed()) {
        for (const auto& m : bzint::model_infos()) {
            fmt::print("{:<14} {}D {:<9} {} bands:", m.name, m.dim, m.lattice ? "lattice" : "continuum", m.bands);
            for (const auto& p : m.params) fmt::print(" {}={}", p.name, p.default_value);
            fmt::print("\n");
        }
        return 0;
    }
    if (tasks->parsed()) {
        fmt::print("{}\n", bzint::task_names());
        return 0;
    }
    try {
        if (exp->parsed()) {
            bzint::RunFile rf = bzint::RunFile::load(exp_file);
            for (const auto& s : exp_sets) rf.set(s);
            for (const auto& p : bzint::export_hr(rf, exp_out)) fmt::print("{}\n", p);
            return 0;
        }
        if (threads > 0) omp_set_num_threads(threads);
        bzint::RunFile rf = bzint::RunFile::load(file);
        for (const auto& s : sets) rf.set(s);
        const bzint::Backend b = bzint::resolve_backend(backend);
        const auto doc = bzint::run(rf, b, bzint::RunOptions{out, resume});
        const std::string path = bzint::write_outputs(doc, out);
        fmt::print("{}\n", path);
        return 0;
    } catch (const bzint::Interrupted&) {
        fmt::print(stderr, "bzint: interrupted; finished work is saved in {} — run the same command with --resume to "
                           "continue\n",
                   out);
        return 130;
    } catch (const bzint::InputError& e) {
        fmt::print(stderr, "bzint: error: {}\n", e.what());
        return 2;
    } catch (const bzint::NonFiniteError& e) {
        fmt::print(stderr, "bzint: error: {}\n", e.what());
        return 3;
    } catch (const std::exception& e) {
        fmt::print(stderr, "bzint: internal error: {}\n", e.what());
        return 1;
    }
}
