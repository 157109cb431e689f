// The CUDA backend for the emulator: kernels/cuda_backend.cu itself, compiled as host C++
// (BZINT_CUDA_EMULATION; kernels/emulation/cuda_emulation.hpp supplies what CUDA would).
#include "../cuda_backend.cu"
