// Resumption that checks what it resumes, and errors that name what went wrong: each test here
// failed before the reliability work (issue "Nothing silent, nothing lost").
#include <fmt/core.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iterator>

#include "checkpoint.hpp"
#include "cpu_launch.hpp"
#include "input_error.hpp"
#include "stop.hpp"
#include "test_util.hpp"
#include "workers.hpp"

using namespace bzint;

namespace {

nlohmann::json run_in(const std::string& text, const std::string& dir, bool resume) {
    return run(RunFile::parse(text, "run.toml"), Backend::cpu, RunOptions{dir, resume});
}

std::string error_of(const std::string& text, const std::string& dir, bool resume) {
    try {
        run_in(text, dir, resume);
    } catch (const InputError& e) {
        return e.what();
    }
    return "";
}

// Stops the next reductions after `units` folded blocks, for the scope of a test step.
struct StopAfter {
    explicit StopAfter(long long units) { stop_after(units); }
    ~StopAfter() {
        stop_after(-1);
        clear_stop();
    }
};

std::string read_text(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), {}};
}

// qwz on 100² = 10 000 points: two reduction blocks per field value.
const char* kHybrid =
    "title='hyb'\n[model]\nname='qwz'\nu=-1.2\n[mesh]\nn=[100,100]\n[field]\nE=[0.02,0.05,0.08]\n"
    "[task]\nkind='hybrid_current'\nmu={from=-0.5,to=0.5,count=5}\n";

}  // namespace

TEST(Resume, HybridSweepInterruptedInsideAFieldResumesEachFieldToItsOwnResult) {
    // Interrupted in the second field value after its first block: the first field is in the sweep
    // log, the second in the checkpoint. Resumed, every field gets its own result, bitwise that of
    // an uninterrupted run (the checkpoint of a reduction is named by its field value: before,
    // every field after a resume got an earlier field's result).
    const test::TempDir a, b;
    const auto whole = run_in(kHybrid, a.path(), false)["results"]["J"];
    {
        const StopAfter stop(2);
        EXPECT_THROW(run_in(kHybrid, b.path(), false), Interrupted);
    }
    const auto resumed = run_in(kHybrid, b.path(), true)["results"]["J"];
    EXPECT_EQ(whole, resumed);
    EXPECT_NE(whole[0], whole[1]);  // the fields differ, so a mix-up would show
}

TEST(Resume, SweepOfAnotherInputIsRefusedNamingTheDifference) {
    const test::TempDir d;
    const std::string text =
        "title='lz'\n[model]\nname='landau_zener'\n[field]\nE=[0.2,0.4]\n[dissipation]\nkind='dpa'\ngamma=0.01\n"
        "[task]\nkind='dc_current'\nT=0.01\nwindow=4.0\nsteps=4000\n";
    const auto doc = run_in(text, d.path(), false);
    // The result records every setting that produced it, the defaults included.
    EXPECT_EQ(doc["input"]["run_file"]["dissipation"]["gamma"].get<double>(), 0.01);
    EXPECT_EQ(doc["input"]["run_file"]["field"]["E"][1].get<double>(), 0.4);
    EXPECT_EQ(doc["input"]["defaults_used"]["dissipation"]["d1"], "true");
    EXPECT_EQ(doc["input"]["defaults_used"]["task"]["mu"], "0");
    std::string other = text;
    other.replace(other.find("gamma=0.01"), 10, "gamma=0.02");
    const std::string e = error_of(other, d.path(), true);
    EXPECT_NE(e.find("lz_sweep.jsonl:1: the log was written for another input (run_file.dissipation.gamma: 0.01 → 0.02)"),
              std::string::npos)
        << e;
    // More field values resume: the rows are keyed by E.
    std::string more = text;
    more.replace(more.find("E=[0.2,0.4]"), 11, "E=[0.2,0.4,0.6]");
    const auto extended = run_in(more, d.path(), true);
    EXPECT_EQ(extended["results"]["J"][1], doc["results"]["J"][1]);
}

TEST(Resume, CorruptCheckpointIsRefused) {
    const std::string text =
        "title='ck'\n[model]\nname='haldane'\nM=0.2\n[mesh]\nn=[200,200]\n[task]\nkind='ahc'\nmu=0.0\nT=0.05\n";
    const test::TempDir d;
    {
        const StopAfter stop(1);
        EXPECT_THROW(run_in(text, d.path(), false), Interrupted);
    }
    std::string state;
    for (const auto& e : std::filesystem::directory_iterator(d / "ck.checkpoint"))
        if (e.path().extension() == ".bin") state = e.path().string();
    ASSERT_FALSE(state.empty());
    const std::string good = read_text(state);
    auto rewrite = [&](const std::string& bytes) {
        std::ofstream out(state, std::ios::binary | std::ios::trunc);
        out << bytes;
    };
    std::string flipped = good;
    flipped[good.size() / 2] ^= 0x10;  // one bit in the saved sums
    rewrite(flipped);
    EXPECT_NE(error_of(text, d.path(), true).find("the checkpoint file is corrupt (checksum mismatch)"), std::string::npos);
    rewrite(good.substr(0, good.size() - 100));  // cut short
    EXPECT_NE(error_of(text, d.path(), true).find("the checkpoint file is corrupt"), std::string::npos);
    rewrite(good);
    {
        std::ofstream out(d / "ck.checkpoint/input.json", std::ios::trunc);
        out << "{\"run_file\": ";
    }
    EXPECT_NE(error_of(text, d.path(), true).find("input.json is corrupt"), std::string::npos);
}

TEST(Determinism, LatticeDcCurrentIsBitwiseIndependentOfThreadCount) {
    // The lines of a lattice dc_current run are a keyed reduction in fixed blocks (dc_current.cpp).
    const std::string text =
        "[model]\nname='qwz'\nu=-1.0\n[mesh]\nn=[1,61]\n[field]\nE=[0.05]\n[dissipation]\nkind='rta'\ntau1=7.0\n"
        "[task]\nkind='dc_current'\nT=0.1\nsteps=500\n";
    const int saved = workers::count();
    std::vector<nlohmann::json> J;
    for (int threads : {1, 2, 5}) {
        workers::set_count(threads);
        J.push_back(test::results(text)["J"]);
    }
    workers::set_count(saved);
    EXPECT_EQ(J[0], J[1]);
    EXPECT_EQ(J[0], J[2]);
}

TEST(Errors, NonFiniteBandGeometryNamesThePoint) {
    // dirac2d with m = 0 is degenerate at k = 0: the Berry curvature is undefined there.
    try {
        test::results("[model]\nname='dirac2d'\nm=0.0\n[task]\nkind='berry'\npoints=[[0.3,0.1],[0,0]]\n");
        ADD_FAILURE() << "no error";
    } catch (const NonFiniteError& e) {
        EXPECT_NE(std::string(e.what()).find("at point 1 (k = (0, 0, 0))"), std::string::npos) << e.what();
    }
}

TEST(Errors, WannierExampleWithoutSharedDataSaysWhy) {
    const test::TempDir d;
    const std::string e = error_of("[model]\nname='wannier'\nhr='../shared/data/wannier/none_hr.dat'\n"
                                   "lattice=[[1,0,0],[0,1,0],[0,0,1]]\n[task]\nkind='bands'\npath=[[0,0,0],[0.5,0,0]]\n",
                                   d.path(), false);
    EXPECT_NE(e.find("no such file"), std::string::npos) << e;
    EXPECT_NE(e.find("shared data"), std::string::npos) << e;
}

TEST(Resume, LatticeDcCurrentInterruptedInsideAFieldResumesToTheSameBits) {
    // A stop cuts the lines being integrated short (StepMonitor): their blocks must be abandoned,
    // not folded with partial currents (nor reported as a degenerate line on --resume).
    const std::string text =
        "title='dcl'\n[model]\nname='qwz'\nu=-1.0\n[mesh]\nn=[1,32]\n[field]\nE=[0.05,0.1]\n[dissipation]\n"
        "kind='dpa'\ngamma=0.05\n[task]\nkind='dc_current'\nT=0.1\nsteps=8192\n";
    const test::TempDir a, b;
    const auto whole = run_in(text, a.path(), false)["results"]["J"];
    for (long long units : {1, 5, 9}) {  // blocks: 4 per solve, 2 solves (step halving) per field
        const test::TempDir d;
        {
            const StopAfter stop(units);
            EXPECT_THROW(run_in(text, d.path(), false), Interrupted);
        }
        EXPECT_EQ(run_in(text, d.path(), true)["results"]["J"], whole) << "stopped after " << units << " blocks";
    }
}

namespace {

// A keyed functor that fails (throws) at one index: the shape of a scan functor.
struct Throws {
    using Out = KeyedOutT<1, 1>;
    long long at;
    int n_values() const { return 1; }
    int n_keys() const { return 4; }
    bool operator()(long long i, Out& out) const {
        if (i == at) throw std::runtime_error("functor failed");
        out.n = 1;
        out.key[0] = static_cast<int>(i % 4);
        out.val[0][0] = 1.0;
        return true;
    }
};

}  // namespace

TEST(BlockReducer, AFailingFunctorEndsTheReductionWithItsError) {
    // The exception reaches the caller; the other workers stop instead of waiting for the block
    // that will never be folded.
    const int saved = workers::count();
    for (int threads : {1, 2, 5}) {
        workers::set_count(threads);
        std::vector<Neumaier> total;
        EXPECT_THROW(cpu::keyed_reduce(Throws{5000}, 200000, total, nullptr, nullptr, 64), std::runtime_error) << threads;
    }
    workers::set_count(saved);
}
