// Which backend runs the per-k code.
#pragma once
#include <string>

namespace bzint {

enum class Backend { cpu, cuda };

// "auto" picks CUDA when it is compiled in and a device is present; "cuda" without a
// device is an InputError.
Backend resolve_backend(const std::string& name);
const char* backend_name(Backend b);

}  // namespace bzint
