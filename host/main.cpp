// bzint command line: bzint run FILE.toml [--set section.key=value ...] [--backend ...] [--out DIR]
// Exit status (README "Exit status", input_error.hpp): 0 done, 2 bad input (before any work),
// 3 a non-finite result, 4 an output that could not be written, 130 interrupted, 1 a bug.
#include <CLI/CLI.hpp>
#include <fmt/core.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>

#include "app.hpp"
#include "checkpoint.hpp"
#include "../kernels/cuda_backend.hpp"
#include "input_error.hpp"
#include "model_registry.hpp"
#include "output_files.hpp"
#include "ranks.hpp"
#include "run_keys.hpp"
#include "stop.hpp"
#include "task_registry.hpp"
#include "workers.hpp"

namespace {

// Leaves the process with `code`. Input errors (2) and non-finite results (3) are met by every
// rank alike; any other end may reach one rank only, so under MPI the others are ended too
// (MPI_Abort) rather than left waiting in a collective.
int leave(int code) {
    using namespace bzint;
    if (ranks::size() > 1 && code != kExitOk && code != kExitInput && code != kExitNonFinite) ranks::abort(code);
    ranks::finalize();
    return code;
}

int run_main(int argc, char** argv);

}  // namespace

int main(int argc, char** argv) {
    bzint::ranks::init(argc, argv);
    return leave(run_main(argc, argv));
}

namespace {

// Writes to standard output, checked: a failed write (a full disk behind a redirection) is a
// WriteError, not a silently cut text.
void say(const std::string& text) {
    if (std::fwrite(text.data(), 1, text.size(), stdout) != text.size() || std::fflush(stdout) != 0)
        throw bzint::WriteError(fmt::format("cannot write to standard output ({})", bzint::system_reason()));
}

std::string models_text() {
    std::string out;
    for (const auto& m : bzint::model_infos()) {
        out += fmt::format("{:<14} {}D {:<9} {} bands:", m.name, m.dim, m.lattice ? "lattice" : "continuum", m.bands);
        for (const auto& p : m.params) out += fmt::format(" {}={}", p.name, p.default_value);
        out += "\n";
    }
    out += fmt::format("{:<14} from Wannier90 files: hr = \"seedname_hr.dat\" with lattice = [[..], [..], [..]] (Å), or "
                       "tb = \"seedname_tb.dat\" (docs/wannier.md)\n",
                       "wannier");
    return out;
}

int run_main(int argc, char** argv) {
    using namespace bzint;
    CLI::App app{"bzint: GPU-accelerated Brillouin-zone integrals (Berry curvature, Fermi scans, Chern numbers, "
                 "density-matrix steady states)"};
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
    run->add_option("--threads", threads,
                    "threads of the CPU backend (default: OMP_NUM_THREADS if set, else the CPUs this process may use)");
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
    CLI::App* keys = app.add_subcommand("keys", "print the reference of every run-file key (docs/run-file.md)");
    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        const int code = app.exit(e);
        return code == 0 ? kExitOk : kExitInput;
    }
    const StopOnSignals stop_on_signals;  // from here on SIGINT/SIGTERM end the process with 130
    try {
        if (list->parsed()) {
            say(models_text());
            return kExitOk;
        }
        if (tasks->parsed()) {
            say(task_names() + "\n");
            return kExitOk;
        }
        if (keys->parsed()) {
            say(run_keys_markdown());
            return kExitOk;
        }
        if (exp->parsed()) {
            RunFile rf = RunFile::load(exp_file);
            for (const auto& s : exp_sets) rf.set(s);
            for (const auto& p : export_hr(rf, exp_out)) say(p + "\n");
            return kExitOk;
        }
        const int cpus = workers::available_cpus();
        if (run->count("--threads")) {
            if (threads < 1) throw InputError(fmt::format("--threads {}: must be at least 1", threads));
            if (threads > cpus) {
                if (ranks::is_root())
                    fmt::print(stderr, "bzint: note: --threads {} is more than the {} CPUs this process may use; running {}\n",
                               threads, cpus, cpus);
                threads = cpus;
            }
            workers::set_count(threads);
        } else if (const char* env = std::getenv("OMP_NUM_THREADS"); env && std::atoi(env) > cpus && ranks::is_root()) {
            fmt::print(stderr, "bzint: note: OMP_NUM_THREADS={} is more than the {} CPUs this process may use; running {}\n",
                       env, cpus, cpus);
        }
        RunFile rf = RunFile::load(file);
        for (const auto& s : sets) rf.set(s);
        const Backend b = resolve_backend(backend);
        if (b == Backend::cuda) cuda::select_device(ranks::local_rank());
        const auto doc = bzint::run(rf, b, RunOptions{out, resume, true});
        if (ranks::is_root()) say(output_json_path(out, doc["title"].get<std::string>()) + "\n");
        if (doc.contains("convergence") && !doc["convergence"]["converged"].get<bool>()) {
            if (ranks::is_root())
                fmt::print(stderr, "bzint: not converged: {}\n", doc["convergence"]["reason"].get<std::string>());
            return kExitNotConverged;
        }
        return kExitOk;
    } catch (const Interrupted&) {
        if (ranks::is_root()) {
            if (CheckpointSession::resumable_state_saved())
                fmt::print(stderr, "\nbzint: interrupted; finished work is saved in {} — run the same command with --resume "
                                   "to continue\n",
                           std::filesystem::path(out).string());
            else
                fmt::print(stderr, "\nbzint: interrupted; this run saved nothing to resume (its task keeps no intermediate "
                                   "state) — run the same command again to start over\n");
        }
        return kExitInterrupted;
    } catch (const InputError& e) {  // the same on every rank: rank 0 says it
        if (ranks::is_root()) fmt::print(stderr, "bzint: error: {}\n", e.what());
        return kExitInput;
    } catch (const NonFiniteError& e) {  // found after the ranks combined: the same on every rank
        if (ranks::is_root()) fmt::print(stderr, "bzint: error: {}\n", e.what());
        return kExitNonFinite;
    } catch (const WriteError& e) {
        fmt::print(stderr, "bzint: error: {}{}\n", e.what(),
                   stop_requested() ? "; interrupted, and the work since the last saved checkpoint is lost" : "");
        return kExitWrite;
    } catch (const std::exception& e) {
        if (ranks::size() > 1)
            fmt::print(stderr, "bzint: internal error on rank {}: {} (please report it)\n", ranks::rank(), e.what());
        else
            fmt::print(stderr, "bzint: internal error: {} (please report it)\n", e.what());
        return kExitInternal;
    }
}

}  // namespace
