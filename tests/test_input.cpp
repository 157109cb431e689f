// Run-file reading: --set overrides and error messages (the command-line exit status is
// checked by the cli_bad_input.* tests, one per file in tests/bad_input/).
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <iterator>

#include "input_error.hpp"
#include "run_keys.hpp"
#include "test_util.hpp"

using namespace bzint;

namespace {

std::string error_of(const std::string& text, const std::vector<std::string>& sets = {}) {
    try {
        RunFile rf = RunFile::parse(text, "in.toml");
        for (const auto& s : sets) rf.set(s);
        const test::TempDir dir;
        run(rf, Backend::cpu, RunOptions{dir.path(), false});
    } catch (const InputError& e) {
        return e.what();
    }
    return "";
}

const char* kQwz = "[model]\nname = 'qwz'\nu = -1.0\n[mesh]\nn = [16, 16]\n[task]\nkind = 'ahc'\nmu = 0.0\n";

}  // namespace

TEST(Input, SetOverridesTypedValues) {
    RunFile rf = RunFile::parse(kQwz, "in.toml");
    rf.set("model.u=1.0");
    rf.set("task.mu={from = -1, to = 1, count = 3}");
    const test::TempDir dir;
    const auto doc = run(rf, Backend::cpu, RunOptions{dir.path(), false});
    EXPECT_EQ(doc["model"]["u"].get<double>(), 1.0);
    EXPECT_EQ(doc["results"]["mu"].size(), 3u);
    EXPECT_NEAR(doc["results"]["sigma_xy"][1].get<double>(), 1.0, 1e-2);  // C_lower = −1 for 0 < u < 2
}

TEST(Input, MessagesNameFileLineKeyAndChoices) {
    EXPECT_NE(error_of(kQwz, {"task.mu={from = 1, to = 0, count = 3}"}).find("'to' must be greater than 'from'"),
              std::string::npos);
    EXPECT_NE(error_of(kQwz, {"task.mu={from = 0, to = 1, n = 3}"}).find("unknown key 'n'; valid keys: from, to, count"),
              std::string::npos);
    EXPECT_NE(error_of(kQwz, {"mesh.n=[16]"}).find("[mesh] n: must be an array of 2 integers"), std::string::npos);
    EXPECT_NE(error_of("title = 'x'\n[model]\nname = 'qwz'\n[task]\nkind = 'ahc'\nfoo = 1\n").find("in.toml:6: [task] unknown key 'foo'"),
              std::string::npos);
    EXPECT_NE(error_of("[model]\nname = 'qwz'\n[task]\nkind = 'ahc'\n[extra]\n").find("unknown key 'extra'; valid keys: title, model, mesh, task"),
              std::string::npos);
    EXPECT_NE(error_of("[model]\nname = \"qwz\"\n[task]\nkind = \"bands\"\npath = [[0, 0, 0], [1, 0, 0]]\n")
                  .find("each point needs 2 coordinates"),
              std::string::npos);
    EXPECT_NE(error_of(kQwz, {"task.kind=berry", "task.mu=[]"}).find("unknown key 'mu'"), std::string::npos);
}

TEST(Input, TomlSyntaxErrorReportsLine) {
    const std::string e = error_of("[model]\nname = 'qwz'\n\nu = [1,\n");
    EXPECT_NE(e.find("in.toml:"), std::string::npos) << e;
    EXPECT_NE(e.find("TOML syntax error"), std::string::npos) << e;
}

TEST(RunFileCorpus, EveryInputValidatesOrIsAnInputError) {
    // The run-file fuzz target's seeds and finds (tests/fuzz/run.sh run_file), replayed through
    // the same validation: each must pass or raise an InputError, nothing else.
    const std::filesystem::path src = BZINT_SOURCE_DIR;
    std::vector<std::filesystem::path> files;
    for (const char* dir : {"examples", "tests/bad_input", "tests/run_file_corpus"})
        for (const auto& e : std::filesystem::recursive_directory_iterator(src / dir))
            if (e.is_regular_file() && (std::string(dir) == "tests/run_file_corpus" || e.path().extension() == ".toml"))
                files.push_back(e.path());
    ASSERT_GT(files.size(), 80u);
    int passed = 0, refused = 0;
    for (const auto& f : files) {
        std::ifstream in(f, std::ios::binary);
        const std::string text{std::istreambuf_iterator<char>(in), {}};
        try {
            check(RunFile::parse(text, f.string()));
            ++passed;
        } catch (const InputError&) {
            ++refused;
        } catch (const std::exception& e) {
            ADD_FAILURE() << f << ": " << e.what();
        }
    }
    EXPECT_GT(passed, 40);
    EXPECT_GT(refused, 40);
}

TEST(RunKeys, EveryNumericKeyHasARangeAndEveryKeyAMeaning) {
    for (const KeySpec& k : run_keys()) {
        EXPECT_GT(std::string_view(k.meaning).size(), 2u) << k.section << " " << k.key;
        const std::string type = k.type;
        const bool numeric = type.find("number") != std::string::npos || type.find("integer") != std::string::npos ||
                             type == "levels" || type.find("point") != std::string::npos;
        if (numeric) {
            EXPECT_FALSE(std::isnan(k.min)) << k.section << " " << k.key;
            EXPECT_LE(k.max, 1e12) << k.section << " " << k.key;  // products of them stay finite
        }
    }
    for (const ModelInfo& m : model_infos())
        for (const ParamSpec& p : m.params) {
            EXPECT_LE(p.max, kMaxParameter) << m.name << " " << p.name;
            EXPECT_GT(std::string_view(p.meaning).size(), 2u) << m.name << " " << p.name;
        }
}
