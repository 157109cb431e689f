// The CUDA backend (the declarations of kernels/cuda_backend.hpp): the launchers of the per-k
// functors of include/bzint/per_k.hpp — the same code the CPU backend runs — one translation
// unit per family, so that nvcc compiles them in parallel: the band geometry and the Fermi scans
// (cuda_scans.cu, which chooses among cuda_scans_two_band.cu, _nband.cu and _wannier.cu), the
// Chern planes (cuda_chern.cu), the density-matrix lines (cuda_lines.cu) and those with the exact
// reservoir (cuda_exact.cu); the keyed reduction they share is device_reduce.cuh. Here: the device
// itself. Every kernel is launched through kernels/device_runtime.hpp, so these files also build
// as host C++ for the emulator (CMake option BZINT_CUDA_EMULATION, kernels/emulation/).
#include <algorithm>
#include <string>

#include "cuda_backend.hpp"
#include "device_runtime.hpp"

namespace bzint::cuda {

bool compiled() { return true; }

bool emulated() {
#if defined(BZINT_CUDA_EMULATION)
    return true;
#else
    return false;
#endif
}

// A device is usable when one is present and this binary holds code for it (the build's
// CMAKE_CUDA_ARCHITECTURES, sm_80 and sm_90 by default), so that `auto` never picks a device
// on which every launch would fail.
bool available() { return runtime::device_count() > 0 && runtime::has_code_for_device(); }

void select_device(int local_rank) { runtime::set_device(local_rank % std::max(1, runtime::device_count())); }

std::string device_name() { return available() ? runtime::device_name() : "none"; }

}  // namespace bzint::cuda
