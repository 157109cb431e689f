#include "backend.hpp"

#include <fmt/core.h>

#include "../kernels/cuda_backend.hpp"
#include "input_error.hpp"

namespace bzint {

Backend resolve_backend(const std::string& name) {
    if (name == "cpu") return Backend::cpu;
    if (name == "auto") return cuda::available() ? Backend::cuda : Backend::cpu;
    if (name == "cuda") {
        if (!cuda::compiled()) throw InputError("--backend cuda: this bzint was built without CUDA (nvcc not found)");
        if (!cuda::available()) throw InputError("--backend cuda: no CUDA device is present; use --backend cpu or auto");
        return Backend::cuda;
    }
    throw InputError(fmt::format("--backend {}: unknown backend; valid choices: auto, cpu, cuda", name));
}

const char* backend_name(Backend b) {
    if (b == Backend::cpu) return "cpu";
    return cuda::emulated() ? "cuda-emulated" : "cuda";
}

}  // namespace bzint
