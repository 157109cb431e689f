// The errors a run ends with, and their exit status (README "Exit status"; main.cpp maps them).
#pragma once
#include <stdexcept>
#include <string>

namespace bzint {

enum ExitStatus : int {
    kExitOk = 0,
    kExitInternal = 1,     // a bug: please report it
    kExitInput = 2,        // bad input or usage, found before any work
    kExitNonFinite = 3,    // a non-finite number in a result (names the k-point)
    kExitWrite = 4,        // an output, log or checkpoint could not be written
    kExitNotConverged = 5, // [task] rtol/atol not met within max_points/max_seconds: the best result is written
    kExitInterrupted = 130 // SIGINT/SIGTERM: finished work is saved, --resume continues
};

// Bad input: a message that names the file, line, section and key, and the valid choices.
struct InputError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

// A non-finite number in a result: names the k-point. The input was valid, so not status 2.
struct NonFiniteError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

// A file could not be written (disk full, permissions, I/O error): names the file and the
// system's reason. Nothing partial is left under the file's name.
struct WriteError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

}  // namespace bzint
