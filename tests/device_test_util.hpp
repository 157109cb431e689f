// Shared by the device tests (ctest label `device`): CPU against CUDA.
#pragma once
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include <fstream>

#include "cuda_backend.hpp"
#include "run_file.hpp"
#include "wannier/export_model.hpp"
#include "wannier/tb_model.hpp"

namespace bzint::test {

// GTEST_SKIP/FAIL return from the enclosing function, so this must expand in the test body.
// Without a GPU a device test skips — except in the emulated build, which always has its device:
// there a skip would hide an untested path, so it fails.
#if defined(BZINT_CUDA_EMULATION)
#define REQUIRE_DEVICE() \
    if (!cuda::available()) FAIL() << "the emulated build must run every device test"
#else
#define REQUIRE_DEVICE()    \
    if (!cuda::available()) \
    GTEST_SKIP() << "no CUDA device (CUDA backend compiled in: " << (cuda::compiled() ? "yes" : "no") << ")"
#endif

#if defined(BZINT_SANITIZED)
inline constexpr bool kSanitized = true;
#else
inline constexpr bool kSanitized = false;
#endif

// The largest |x| of an array.
inline double largest_magnitude(const std::vector<double>& v) {
    double largest = 0.0;
    for (double x : v) largest = std::max(largest, std::fabs(x));
    return largest;
}

// CPU and device results of the same computation. The device runs the same per-k code and sums
// it in the same blocks and order as the CPU (docs/architecture.md), so in the emulated build —
// the host's own arithmetic — they are bitwise equal. On a GPU the transcendental functions
// (libdevice against glibc) differ by an ulp or two, and FMA contraction (BZINT_CUDA_FMAD, the
// default) rounds each contracted multiply-add once instead of twice: rounding of the same order,
// a few ulps per operation. The per-k values differ by at most 1e-13 (1 + |x|)
// (Backends.GeometryAgreesPerKPoint; on an H200, 2026-12-04, built with --fmad=false). A sum of such values
// moves by a fraction of the sum of its terms' magnitudes — its L1 mass — not of its value: where
// terms cancel (a Fermi-surface dipole that vanishes by symmetry, a Chern integral's departure from
// its integer) the value is no scale at all. (The per-k bound's absolute part and the Fermi weights'
// shift with each energy, f′Δε, add terms of the same order for the integrands here, where |x| and
// the weights' relative change stay O(1) per k; haldane's differences on the H200 were 1e-16 of
// their masses, a 1000× margin under rel = 1e-13.) Hence
//     |cpu_i − dev_i| ≤ rel (|cpu_i| + scale_i),
// with scale_i the entry's L1 mass or the quantity's natural unit, which the caller passes and
// justifies; without one, 1e-2 of the largest |value| (for arrays whose terms share a sign, where
// the value is its own mass). A computation that amplifies per-k rounding passes its own, larger
// `rel`, with its reason; one where the backends use different methods (Wannier models: FFT
// interpolation on the CPU, direct Fourier sums on the device) passes `same_method = false` and is
// held to `rel` in the emulated build too. So is the sanitized variant (BZINT_SANITIZED): its
// kernels are instrumented and compiled apart from the CPU's uninstrumented objects, the compiler
// inlines and folds them differently, and per-k values differ in the last bits (seen: the exact
// reservoir's lines and, at -O1, the N-band scans); it checks memory and undefined behaviour.
inline void expect_backends_agree(const std::vector<double>& cpu, const std::vector<double>& dev, const std::string& what,
                                  double rel = 1e-13, bool same_method = true, const std::vector<double>& scale = {}) {
    ASSERT_EQ(cpu.size(), dev.size()) << what;
    ASSERT_TRUE(scale.empty() || scale.size() == cpu.size()) << what;
    const double largest = largest_magnitude(cpu);
    for (std::size_t i = 0; i < cpu.size(); ++i) {
        const double mass = scale.empty() ? 1e-2 * largest : scale[i];
        if (cuda::emulated() && same_method && !kSanitized)
            EXPECT_EQ(cpu[i], dev[i]) << what << " [" << i << "]: the emulated device must give the CPU's bits";
        else
            EXPECT_NEAR(cpu[i], dev[i], rel * (std::fabs(cpu[i]) + mass)) << what << " [" << i << "]";
    }
}

// A Fermi scan's per-entry scale from the reference path's L1 masses (fermi_scan_reference with
// magnitude = true): each entry's own mass, plus 1e-2 of the scan's largest. The second term is for
// the fine energy bins at T > 0: a k-point whose energy crosses a bin edge by an ulp moves its term
// between two Fermi weights, which in the window's far tail (levels beyond the bands, entries of
// 1e-28 that the binned weights and the exact ones do not even share) is most of the entry, yet
// always a small part of the scan's largest sum (seen on an H200: differences up to 9e-29; haldane's
// largest surface mass is 2.8e4). At T = 0 it only loosens entries far below the largest.
inline std::vector<double> scan_mass_scale(std::vector<double> mass) {
    const double largest = largest_magnitude(mass);
    for (double& m : mass) m += 1e-2 * largest;
    return mass;
}

// The same scale for every entry: a quantity's natural unit.
inline std::vector<double> uniform_scale(std::size_t n, double unit) { return std::vector<double>(n, unit); }

// A Wannier model with more than 4 orbitals (the device's Wannier<16> kernels) that needs no data
// files: `copies` copies of the Weyl lattice (b0 = 0.3) exported as H(R), shifted on site by
// 0.15 per copy and coupled at R = 0 by 0.1 between neighbouring copies' orbitals. Written as
// DIR/tiled_hr.dat; returns the [model] section that reads it.
inline std::string tiled_wannier_model(const std::string& dir, int copies) {
    const RunConfig cfg =
        read_model_section(RunFile::parse("[model]\nname='weyl_lattice'\nb0=0.3\n[task]\nkind='bands'\n", "w.toml"));
    const TbModel one = export_model(*cfg.model, cfg.params);
    const int w = one.num_wann, W = w * copies;
    TbModel t = one;
    t.num_wann = W;
    t.has_positions = false;
    for (auto& r : t.r) r.clear();
    t.H.assign(one.R.size() * W * W, {0.0, 0.0});
    for (std::size_t iR = 0; iR < one.R.size(); ++iR) {
        const bool origin = one.R[iR] == std::array<int, 3>{0, 0, 0};
        for (int c = 0; c < copies; ++c)
            for (int m = 0; m < w; ++m)
                for (int n = 0; n < w; ++n) {
                    auto& h = t.H[(iR * W + c * w + m) * W + c * w + n];
                    h = one.h(iR, m, n);
                    if (origin && m == n) h += 0.15 * c * one.ndegen[iR];
                    if (origin && c + 1 < copies) {  // H(0) stays Hermitian: both triangles
                        t.H[(iR * W + c * w + m) * W + (c + 1) * w + n] = 0.1 * one.ndegen[iR];
                        t.H[(iR * W + (c + 1) * w + n) * W + c * w + m] = 0.1 * one.ndegen[iR];
                    }
                }
    }
    const std::string path = dir + "/tiled_hr.dat";
    std::ofstream f(path);
    write_hr(t, f, "tiled Weyl lattice (device tests)");
    f.close();
    std::string lattice = "[";
    for (int i = 0; i < 3; ++i)
        lattice += "[" + std::to_string(one.lattice[i][0]) + "," + std::to_string(one.lattice[i][1]) + "," +
                   std::to_string(one.lattice[i][2]) + "]" + (i < 2 ? "," : "]");
    return "[model]\nname='wannier'\nhr='" + path + "'\nlattice=" + lattice + "\n";
}

}  // namespace bzint::test
