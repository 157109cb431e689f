// Which backend runs the per-k code.
#pragma once
#include <string>

namespace bzint {

enum class Backend { cpu, cuda };

// "auto" picks CUDA when it is compiled in and a device is present; "cuda" without a
// device is an InputError.
// Choosing CUDA also validates BZINT_CUDA_CHUNK, before any work.
Backend resolve_backend(const std::string& name);
// BZINT_CUDA_CHUNK=<points>: the cap on k-points per device launch (0: unset). An InputError
// (exit 2) naming the variable when it is not a positive integer.
long long cuda_chunk_cap();
const char* backend_name(Backend b);

}  // namespace bzint
