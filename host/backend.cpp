#include "backend.hpp"

#include <fmt/core.h>

#include <cerrno>
#include <cstdlib>

#include "../kernels/cuda_backend.hpp"
#include "input_error.hpp"

namespace bzint {

long long cuda_chunk_cap() {
    const char* cap = std::getenv("BZINT_CUDA_CHUNK");
    if (!cap) return 0;
    char* end = nullptr;
    errno = 0;
    const long long c = std::strtoll(cap, &end, 10);
    if (end == cap || *end != '\0' || c < 1 || errno == ERANGE)
        throw InputError(fmt::format("environment variable BZINT_CUDA_CHUNK={}: expected a positive integer number of "
                                     "k-points per device launch (e.g. 65536), or unset it",
                                     cap));
    return c;
}

Backend resolve_backend(const std::string& name) {
    if (name == "cpu") return Backend::cpu;
    if (name == "auto") {
        if (!cuda::available()) return Backend::cpu;
        cuda_chunk_cap();
        return Backend::cuda;
    }
    if (name == "cuda") {
        if (!cuda::compiled()) throw InputError("--backend cuda: this bzint was built without CUDA (nvcc not found)");
        if (!cuda::available()) throw InputError("--backend cuda: no CUDA device is present; use --backend cpu or auto");
        cuda_chunk_cap();
        return Backend::cuda;
    }
    throw InputError(fmt::format("--backend {}: unknown backend; valid choices: auto, cpu, cuda", name));
}

const char* backend_name(Backend b) {
    if (b == Backend::cpu) return "cpu";
    return cuda::emulated() ? "cuda-emulated" : "cuda";
}

}  // namespace bzint
