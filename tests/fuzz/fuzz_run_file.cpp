// libFuzzer target for the run-file reader and its validation (app.hpp check: TOML parsing, every
// section's keys and ranges, the tasks' own checks and memory estimates): any byte string must
// either pass or raise an InputError — never crash, hang, allocate without bound, or throw anything
// else (ASan and UBSan on). Build and run: tests/fuzz/run.sh run_file [seconds]. Seeds: the
// examples, tests/bad_input/ and tests/run_file_corpus/ (replayed by RunFileCorpus.* in ctest).
#include <cstddef>
#include <cstdint>
#include <string>

#include "app.hpp"
#include "input_error.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string text(reinterpret_cast<const char*>(data), size);
    try {
        bzint::check(bzint::RunFile::parse(text, "fuzz.toml"));
    } catch (const bzint::InputError&) {
    }
    return 0;
}
