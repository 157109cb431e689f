// CUDA launchers of the phase-space texture reductions (include/bzint/phase_slice.hpp,
// texture_density.hpp, texture_current.hpp, texture_transport.hpp: device_reduce.cuh's keyed
// reduction); the points and levels are copied to the device.
#include <thrust/device_vector.h>

#include "../host/progress.hpp"
#include "../host/stop.hpp"
#include "bzint/packet_motion.hpp"
#include "bzint/texture_current.hpp"
#include "bzint/texture_density.hpp"
#include "bzint/texture_transport.hpp"
#include "cuda_backend.hpp"
#include "device_launch.cuh"
#include "device_reduce.cuh"

namespace bzint::cuda {

namespace {

// One thread per packet; the first packet with a non-finite velocity in *bad.
template <class Fn>
__global__ void packet_kernel(Fn fn, long long count, unsigned long long* bad) {
    const long long i = blockIdx.x * static_cast<long long>(blockDim.x) + threadIdx.x;
    if (i < count && !fn(i)) atomicMin(bad, static_cast<unsigned long long>(i));
}

}  // namespace

long long packet_trajectories(const ModelParams& mp, const TextureTerms& terms, const std::vector<double>& start, double t0,
                              double dt, long long steps, long long stride, double step_r, double step_p, std::vector<double>& out,
                              Progress* progress) {
    const long long packets = static_cast<long long>(start.size() / kPacketStart);
    const long long n = packets * (steps / stride + 1) * kPacketSample;
    const thrust::device_vector<double> d_start(start.begin(), start.end());
    thrust::device_vector<double> d_out(static_cast<std::size_t>(n), 0.0), state(static_cast<std::size_t>(packets * kPhaseCoords));
    thrust::device_vector<unsigned long long> bad(1, ~0ULL);
    // Launches of at most 2·10^4 steps per packet (~0.1 s): a stop request is seen between them.
    const long long slice = std::min(steps, 20000LL);
    visit_model(mp, [&](auto model) {
        PacketTrajectoryFn<decltype(model)> fn{{model, terms},
                                               {thrust::raw_pointer_cast(d_start.data()), t0, dt, steps, stride, step_r, step_p,
                                                thrust::raw_pointer_cast(d_out.data()), thrust::raw_pointer_cast(state.data())}};
        for (fn.run.from = 0; fn.run.from < steps; fn.run.from = fn.run.to) {
            fn.run.to = std::min(steps, fn.run.from + slice);
            launch("packet_kernel", &packet_kernel<decltype(fn)>, grid_for(packets), kThreads, fn, packets,
                   thrust::raw_pointer_cast(bad.data()));
            throw_if_stopped();
            if (progress) progress->add(packets * (fn.run.to - fn.run.from));
        }
    });
    copy_to_host(d_out.begin(), n, out);
    const unsigned long long first = bad[0];
    return first == ~0ULL ? -1 : static_cast<long long>(first);
}

long long phase_plane_reduce(const ModelParams& mp, const TextureTerms& terms, const PhaseSlice& slice,
                             std::vector<Neumaier>& total, Progress* progress) {
    long long bad = -1;
    visit_model(mp, [&](auto model) {
        using Model = decltype(model);
        bad = keyed_reduce(PhaseSliceChernFn<Model>{{model, terms}, slice}, slice.count(), total, progress);
    });
    return bad;
}

long long texture_density_reduce(const ModelParams& mp, const TextureTerms& terms, const Mesh& mesh,
                                 const std::vector<double>& r, double t, const std::vector<double>& mu, double T,
                                 bool by_band, std::vector<Neumaier>& total, Progress* progress) {
    const thrust::device_vector<double> dr(r.begin(), r.end()), dmu(mu.begin(), mu.end());
    const long long positions = static_cast<long long>(r.size() / 3);
    long long bad = -1;
    visit_model(mp, [&](auto model) {
        using Model = decltype(model);
        const TextureDensityFn<Model> fn{{model, terms}, mesh, thrust::raw_pointer_cast(dr.data()), t,
                                         thrust::raw_pointer_cast(dmu.data()), static_cast<int>(mu.size()),
                                         static_cast<int>(positions), T, by_band};
        bad = keyed_reduce(fn, positions * mesh.count(), total, progress);
    });
    return bad;
}

long long texture_current_reduce(const ModelParams& mp, const TextureTerms& terms, const Mesh& mesh,
                                 const std::vector<double>& points, const std::vector<double>& mu, double T, double step,
                                 bool by_band, std::vector<Neumaier>& total, Progress* progress) {
    const thrust::device_vector<double> dx(points.begin(), points.end()), dmu(mu.begin(), mu.end());
    const long long n_points = static_cast<long long>(points.size() / 4);
    long long bad = -1;
    visit_model(mp, [&](auto model) {
        using Model = decltype(model);
        const TextureCurrentFn<Model> fn{{model, terms}, mesh, thrust::raw_pointer_cast(dx.data()),
                                         thrust::raw_pointer_cast(dmu.data()), static_cast<int>(mu.size()),
                                         static_cast<int>(n_points), T, step, by_band};
        bad = keyed_reduce(fn, n_points * mesh.count(), total, progress);
    });
    return bad;
}

long long texture_transport_reduce(const ModelParams& mp, const TextureTerms& terms, const Mesh& mesh,
                                   const std::vector<double>& r, const std::vector<double>& mu, double T, double tau,
                                   const std::array<double, 3>& E, std::vector<Neumaier>& total, Progress* progress) {
    const thrust::device_vector<double> dr(r.begin(), r.end()), dmu(mu.begin(), mu.end());
    const long long positions = static_cast<long long>(r.size() / 3);
    long long bad = -1;
    visit_model(mp, [&](auto model) {
        using Model = decltype(model);
        const TextureTransportFn<Model> fn{{model, terms}, mesh, thrust::raw_pointer_cast(dr.data()),
                                           thrust::raw_pointer_cast(dmu.data()), static_cast<int>(mu.size()),
                                           static_cast<int>(positions), T, tau, {E[0], E[1], E[2]}};
        bad = keyed_reduce(fn, positions * mesh.count(), total, progress);
    });
    return bad;
}

}  // namespace bzint::cuda
