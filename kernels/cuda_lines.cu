// CUDA launchers of the density-matrix lines (dc_current on lattices, RTA/DPA): one thread per
// lattice line, its periodic-orbit steady state (two_band_dc.hpp, nband_dc.hpp). A launch can run
// for seconds (N-band lines: ~4 s for 1 000 lines on the H200; two-band ones at 1.5e9 k·steps/s,
// 1e5 lines × 2e4 steps ≈ 1.4 s), so the kernels watch for a stop request (device_stop.cuh).
// Launches hold as many lines as the device memory takes (lines_per_launch).
#include <thrust/device_vector.h>

#include "../host/stop.hpp"
#include "bzint/qme/nband_dc.hpp"
#include "bzint/qme/two_band_dc.hpp"
#include "cuda_backend.hpp"
#include "device_launch.cuh"
#include "device_stop.cuh"

namespace bzint::cuda {

namespace {

template <class Model>
__global__ void two_band_lines_kernel(Model model, QmeParams q, const double* k0, long long lines, double period,
                                      long long steps, DeviceStopMonitor stop, LineCurrent* out) {
    const long long l = blockIdx.x * static_cast<long long>(blockDim.x) + threadIdx.x;
    if (l < lines) out[l] = two_band_periodic_line(model, q, k0 + 3 * l, period, steps, stop);
}

template <int N, class Model>
__global__ void nband_lines_kernel(Model model, QmeParams q, const double* k0, long long lines, double period, long long steps,
                                   double* work, DeviceStopMonitor stop, LineCurrent* out) {
    const long long l = blockIdx.x * static_cast<long long>(blockDim.x) + threadIdx.x;
    if (l < lines)
        out[l] = nband_periodic_line<N>(model, q, k0 + 3 * l, period, steps, work + l * nband_workspace_doubles<N>(), stop);
}

}  // namespace

void dc_lines(const ModelParams& mp, int bands, const QmeParams& q, const std::vector<double>& k0, double period,
              long long steps, std::vector<LineCurrent>& out) {
    const long long lines = static_cast<long long>(k0.size() / 3);
    thrust::device_vector<double> dk(k0.begin(), k0.end());
    thrust::device_vector<LineCurrent> dout(lines);
    constexpr int kLineThreads = 64;
    const double* k = thrust::raw_pointer_cast(dk.data());
    LineCurrent* o = thrust::raw_pointer_cast(dout.data());
    const StopWatch watch;  // a launch can take seconds (device_stop.cuh)
    // Lines exist only for lattice models: no kernels are instantiated for continuum ones.
    if (bands == 2) {
        visit_model(mp, [&](auto model) {
            using Model = decltype(model);
            if constexpr (Model::lattice) {
                const long long per_launch = lines_per_launch(lines, sizeof(LineCurrent) + 3 * sizeof(double));
                watch.run_groups(lines, per_launch, [&](long long l, long long n) {
                    launch("two_band_lines_kernel", &two_band_lines_kernel<Model>, grid_for(n, kLineThreads), kLineThreads,
                           model, q, k + 3 * l, n, period, steps, watch.monitor(), o + l);
                });
            }
        });
    } else {
        visit_nband_model(mp, [&](auto model) {
            using Model = decltype(model);
            if constexpr (Model::lattice) {
                constexpr int N = Model::bands;
                const long long per_launch = lines_per_launch(lines, nband_workspace_doubles<N>() * 8);
                thrust::device_vector<double> work(per_launch * nband_workspace_doubles<N>());
                watch.run_groups(lines, per_launch, [&](long long l, long long n) {
                    launch("nband_lines_kernel", &nband_lines_kernel<N, Model>, grid_for(n, kLineThreads), kLineThreads,
                           model, q, k + 3 * l, n, period, steps, thrust::raw_pointer_cast(work.data()), watch.monitor(),
                           o + l);
                });
            }
        });
    }
    throw_if_stopped();  // a launch the emulator cut short on a stop request is not a result
    copy_to_host(dout.begin(), lines, out);
}

}  // namespace bzint::cuda
