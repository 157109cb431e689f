// libFuzzer target for the Wannier90 readers: any byte string must either parse or raise an
// InputError — never crash, hang, read out of bounds or throw anything else (sanitizers on).
// Build and run: tests/fuzz/run.sh [seconds]. Seeds: tests/wannier_corpus/.
#include <cstddef>
#include <cstdint>
#include <string>

#include "input_error.hpp"
#include "wannier/tb_model.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string text(reinterpret_cast<const char*>(data), size);
    try {
        (void)bzint::parse_hr(text, "fuzz_hr");
    } catch (const bzint::InputError&) {
    }
    try {
        (void)bzint::parse_tb(text, "fuzz_tb");
    } catch (const bzint::InputError&) {
    }
    return 0;
}
