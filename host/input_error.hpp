// Bad input: a message that names the file, line, section and key, and the valid
// choices. main() prints it and exits with status 2.
#pragma once
#include <stdexcept>
#include <string>

namespace bzint {

struct InputError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

// A non-finite number in a result: names the k-point. Also exit status 2 is wrong here
// (the input was valid); main() exits with 3.
struct NonFiniteError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

}  // namespace bzint
