// Interruption and --resume of mesh reductions (host/checkpoint.hpp): an interrupted scan,
// resumed, gives bitwise the result of an uninterrupted one, and recomputes only the rest.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "app.hpp"
#include "checkpoint.hpp"
#include "input_error.hpp"
#include "stop.hpp"
#include "test_util.hpp"
#include "run_file.hpp"
#include "wannier/export_model.hpp"
#include "wannier/tb_model.hpp"

using namespace bzint;

namespace {

// Haldane on 300² = 90 000 points at T = 0.1: 2 × 2 × 2434 keys × 3 moments, so blocks of 2^14
// points (neumaier.hpp reduce_block): 6 reduction blocks, several rounds on any thread count.
const char* kRun =
    "title='ckpt'\n[model]\nname='haldane'\nM=0.2\n[mesh]\nn=[300,300]\n[task]\nkind='ahc'\nmu={from=-3,to=3,count=301}\nT=0.1\n";

nlohmann::json run_in(const std::string& dir, bool resume) {
    return run(RunFile::parse(kRun, "ckpt.toml"), Backend::cpu, RunOptions{dir, resume});
}

// Stops the next reductions after `units` folded blocks, for the scope of a test step.
struct StopAfter {
    explicit StopAfter(long long units) { stop_after(units); }
    ~StopAfter() {
        stop_after(-1);
        clear_stop();
    }
};

}  // namespace

TEST(Checkpoint, InterruptedScanResumesToTheSameBits) {
    const test::TempDir base;
    const std::string a = base / "a", b = base / "b";
    const auto whole = run_in(a, false)["results"]["sigma_xy"];
    EXPECT_FALSE(std::filesystem::exists(checkpoint_folder(a, "ckpt")));  // removed when complete
    {
        const StopAfter stop(1);
        EXPECT_THROW(run_in(b, false), Interrupted);
    }
    EXPECT_TRUE(std::filesystem::exists(checkpoint_folder(b, "ckpt") + "/input.json"));
    const auto resumed = run_in(b, true)["results"]["sigma_xy"];
    ASSERT_EQ(whole.size(), resumed.size());
    for (std::size_t j = 0; j < whole.size(); ++j) EXPECT_EQ(whole[j].get<double>(), resumed[j].get<double>()) << j;
    EXPECT_FALSE(std::filesystem::exists(checkpoint_folder(b, "ckpt")));
}

TEST(Checkpoint, ADifferentInputRefusesToResumeAndSaysWhatDiffers) {
    const test::TempDir d;
    {
        const StopAfter stop(1);
        EXPECT_THROW(run_in(d.path(), false), Interrupted);
    }
    // Same title, another parameter: --resume is refused (exit 2) naming the difference...
    std::string other = kRun;
    other.replace(other.find("M=0.2"), 5, "M=0.3");
    try {
        run(RunFile::parse(other, "ckpt.toml"), Backend::cpu, RunOptions{d.path(), true});
        ADD_FAILURE() << "resumed from another input's checkpoint";
    } catch (const InputError& e) {
        EXPECT_NE(std::string(e.what()).find("run_file.model.M: 0.2 → 0.3"), std::string::npos) << e.what();
    }
    // ... and a fresh run over it too (the saved work is not discarded silently).
    EXPECT_THROW(run(RunFile::parse(other, "ckpt.toml"), Backend::cpu, RunOptions{d.path(), false}), InputError);
    // The same input resumes.
    EXPECT_NO_THROW(run_in(d.path(), true));
}

TEST(Checkpoint, WannierFftChunksResumeToTheSameBits) {
    // The Weyl lattice as a Wannier tb.dat, scanned by FFT in 4 chunks (fft_memory_mib = 1):
    // interrupted after two chunks and resumed, it gives the bits of an uninterrupted run.
    const test::TempDir tmp;
    const std::filesystem::path base = tmp.path();
    const RunConfig cfg = read_model_section(RunFile::parse("[model]\nname='weyl_lattice'\nb0=0.3\n[task]\nkind='bands'\n", "w.toml"));
    {
        std::ofstream f(base / "weyl_tb.dat");
        write_tb(export_model(*cfg.model, cfg.params), f, "test");
    }
    const std::string text = "title='fft'\n[model]\nname='wannier'\ntb='" + (base / "weyl_tb.dat").string() +
                             "'\ninterpolation='fft'\nfft_memory_mib=1\n[mesh]\nn=[24,24,24]\n[task]\nkind='ahc'\nmu={from=-1,to=1,count=41}\nT=0.05\n";
    auto go = [&](const std::string& dir, bool resume) {
        return run(RunFile::parse(text, "fft.toml"), Backend::cpu, RunOptions{dir, resume})["results"]["sigma"];
    };
    const auto whole = go((base / "a").string(), false);
    {
        const StopAfter stop(2);
        EXPECT_THROW(go((base / "b").string(), false), Interrupted);
    }
    const auto resumed = go((base / "b").string(), true);
    EXPECT_EQ(whole, resumed);
}
