// Host/device attribute and the few numerical helpers every per-k routine uses.
// Per-k physics is written once in headers under include/bzint/ on plain data:
// it compiles as ordinary C++ for the CPU backend and as __host__ __device__
// code for the CUDA backend (see docs/architecture.md).
#pragma once

#if defined(__CUDACC__)
#define BZINT_HD __host__ __device__ __forceinline__
#else
#define BZINT_HD inline
#endif

// For the few per-k routines inside the innermost loops (the QME snapshot, the Fermi
// function): inlined on the host too, so lane loops around them stay one block of code.
#if defined(__CUDACC__)
#define BZINT_HD_INLINE __host__ __device__ __forceinline__
#elif defined(__GNUC__)
#define BZINT_HD_INLINE inline __attribute__((always_inline))
#else
#define BZINT_HD_INLINE inline
#endif

#include <cmath>

namespace bzint {

constexpr double kPi = 3.14159265358979323846264338327950288;
constexpr double kTwoPi = 2.0 * kPi;

BZINT_HD double dot3(const double a[3], const double b[3]) {
    return a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
}

BZINT_HD void cross3(const double a[3], const double b[3], double out[3]) {
    out[0] = a[1] * b[2] - a[2] * b[1];
    out[1] = a[2] * b[0] - a[0] * b[2];
    out[2] = a[0] * b[1] - a[1] * b[0];
}

BZINT_HD bool is_finite(double x) { return x - x == 0.0; }

}  // namespace bzint
