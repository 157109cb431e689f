// The sanitized variant's defaults (CMake option BZINT_SANITIZED_EMULATION), compiled into each of
// its executables: the sanitizer runtimes ask for these before reading ASAN_OPTIONS and
// UBSAN_OPTIONS, which still override them. Any finding stops the program with a report — except
// UBSan's inside CCCL, which tests/sanitizer.supp names (UBSan is built recoverable so that its
// suppressions apply) — and a leak is a finding.
extern "C" {
const char* __asan_default_options() { return "detect_leaks=1:halt_on_error=1"; }
const char* __ubsan_default_options() {
    return "halt_on_error=1:print_stacktrace=1:suppressions=" BZINT_SANITIZER_SUPPRESSIONS;
}
}
