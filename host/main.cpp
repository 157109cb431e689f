// bzint command line: bzint run FILE.toml [--set section.key=value ...] [--backend ...] [--out DIR]
#include <CLI/CLI.hpp>
#include <fmt/core.h>
#include <omp.h>

#include "app.hpp"
#include "../kernels/cuda_backend.hpp"
#include "checkpoint.hpp"
#include "input_error.hpp"
#include "model_registry.hpp"
#include "ranks.hpp"
#include "task_registry.hpp"

namespace {

// Leaves the process with `code`. Input errors (2) and non-finite results (3) are met by every
// rank alike; an internal error (1) or an interruption (130) may reach one rank only, so under
// MPI the others are ended too (MPI_Abort) rather than left waiting in a collective.
int leave(int code) {
    if (bzint::ranks::size() > 1 && (code == 1 || code == 130)) bzint::ranks::abort(code);
    bzint::ranks::finalize();
    return code;
}

int run_main(int argc, char** argv);

}  // namespace

int main(int argc, char** argv) {
    bzint::ranks::init(argc, argv);
    return leave(run_main(argc, argv));
}

namespace {

int run_main(int argc, char** argv) {
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
        if (b == bzint::Backend::cuda) bzint::cuda::select_device(bzint::ranks::local_rank());
        const auto doc = bzint::run(rf, b, bzint::RunOptions{out, resume});
        if (bzint::ranks::is_root()) fmt::print("{}\n", bzint::write_outputs(doc, out));
        return 0;
    } catch (const bzint::Interrupted&) {
        if (bzint::ranks::is_root()) fmt::print(stderr, "bzint: interrupted; finished work is saved in {} — run the same command with --resume to "
                           "continue\n",
                   out);
        return 130;
    } catch (const bzint::InputError& e) {  // the same on every rank: rank 0 says it
        if (bzint::ranks::is_root()) fmt::print(stderr, "bzint: error: {}\n", e.what());
        return 2;
    } catch (const bzint::NonFiniteError& e) {  // found after the ranks combined: the same on every rank
        if (bzint::ranks::is_root()) fmt::print(stderr, "bzint: error: {}\n", e.what());
        return 3;
    } catch (const std::exception& e) {
        if (bzint::ranks::size() > 1)
            fmt::print(stderr, "bzint: internal error on rank {}: {}\n", bzint::ranks::rank(), e.what());
        else
            fmt::print(stderr, "bzint: internal error: {}\n", e.what());
        return 1;
    }
}

}  // namespace
