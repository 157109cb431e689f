// CUDA launcher of the density-matrix lines with the exact reservoir (exact_reservoir.hpp): one
// thread per lattice line, its workspace of exact_workspace<N>(P) numbers in global memory. A
// launch runs for seconds: it watches for a stop request (device_stop.cuh). Launches hold as many
// lines as the device memory takes (lines_per_launch).
#include <thrust/device_vector.h>

#include "../host/stop.hpp"
#include "bzint/qme/exact_reservoir.hpp"
#include "cuda_backend.hpp"
#include "device_launch.cuh"
#include "device_stop.cuh"

namespace bzint::cuda {

namespace {

template <int N, class Model>
__global__ void exact_lines_kernel(Model model, QmeParams q, ExactParams x, const double* k0, long long lines,
                                   double period, long long steps, cplx* work, long long work_per_line, DeviceStopMonitor stop,
                                   LineCurrent* out) {
    const long long l = blockIdx.x * static_cast<long long>(blockDim.x) + threadIdx.x;
    if (l < lines) out[l] = exact_periodic_line<N>(model, q, x, k0 + 3 * l, period, steps, work + l * work_per_line, stop);
}

}  // namespace

void dc_lines_exact(const ModelParams& mp, int bands, const QmeParams& q, const ExactParams& x,
                    const std::vector<double>& k0, double period, long long steps, std::vector<LineCurrent>& out) {
    const long long lines = static_cast<long long>(k0.size() / 3);
    const int P = x.poles.P;
    thrust::device_vector<double> dk(k0.begin(), k0.end()), zeta(x.poles.zeta, x.poles.zeta + P),
        eta(x.poles.eta, x.poles.eta + P);
    thrust::device_vector<EtdCoefficients> coef(x.coef, x.coef + 1 + P);
    thrust::device_vector<LineCurrent> dout(lines);
    ExactParams dx = x;
    dx.poles.zeta = thrust::raw_pointer_cast(zeta.data());
    dx.poles.eta = thrust::raw_pointer_cast(eta.data());
    dx.coef = thrust::raw_pointer_cast(coef.data());
    constexpr int kLineThreads = 64;
    auto run = [&](auto model) {
        using Model = decltype(model);
        constexpr int N = Model::bands;
        const long long per_line = exact_workspace<N>(P);
        const long long per_launch = lines_per_launch(lines, per_line * static_cast<long long>(sizeof(cplx)));
        thrust::device_vector<cplx> work(per_launch * per_line);
        const StopWatch watch;  // a launch takes seconds (device_stop.cuh)
        watch.run_groups(lines, per_launch, [&](long long l, long long n) {
            launch("exact_lines_kernel", &exact_lines_kernel<N, Model>, grid_for(n, kLineThreads), kLineThreads, model, q, dx,
                   thrust::raw_pointer_cast(dk.data()) + 3 * l, n, period, steps, thrust::raw_pointer_cast(work.data()),
                   per_line, watch.monitor(), thrust::raw_pointer_cast(dout.data()) + l);
        });
    };
    if (bands == 2)
        visit_model(mp, [&](auto model) {
            if constexpr (decltype(model)::lattice) run(AsNBand<decltype(model)>{model});
        });
    else
        visit_nband_model(mp, [&](auto model) {
            if constexpr (decltype(model)::lattice) run(model);
        });
    throw_if_stopped();  // a launch the emulator cut short on a stop request is not a result
    copy_to_host(dout.begin(), lines, out);
}

}  // namespace bzint::cuda
