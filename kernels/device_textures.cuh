// The launchers' bodies that the two-band (cuda_textures.cu) and N-band (cuda_textures_nband.cu)
// textured models share, each translation unit instantiating them for its own list of models: a
// run's texture terms on the device (DeviceTextureTerms, with a table's coefficients) and its
// model, wrapped for a table (visit_textured); the keyed reductions over points of the density,
// the magnetisation and the transport; and the wave-packet loop (include/bzint/packet_motion.hpp's PacketRun), one thread
// per packet, in launches of at most `slice` steps so that a stop request is seen between them;
// after a launch in which a packet failed, no more.
#pragma once
#include <thrust/device_vector.h>

#include <algorithm>
#include <vector>

#include "../host/progress.hpp"
#include "../host/stop.hpp"
#include "bzint/packet_motion.hpp"
#include "bzint/texture_density.hpp"
#include "bzint/texture_magnetisation.hpp"
#include "bzint/texture_transport.hpp"
#include "device_launch.cuh"
#include "device_reduce.cuh"

namespace bzint::cuda {

// A run's texture terms for the device: a table texture's or potential's spline coefficients
// (host memory, host/texture_table.hpp) copied to the device, and the copy's splines reading them
// there. It owns the device copies: keep it alive while the kernels run.
class DeviceTextureTerms {
public:
    explicit DeviceTextureTerms(const TextureTerms& host) : terms_(host) {
        if (host.texture.kind == TextureKind::table) terms_.texture.table.coeff = upload(texture_, host.texture.table);
        if (host.potential.shape == PotentialShape::table) terms_.potential.table.coeff = upload(potential_, host.potential.table);
    }
    DeviceTextureTerms(const DeviceTextureTerms&) = delete;
    DeviceTextureTerms& operator=(const DeviceTextureTerms&) = delete;
    const TextureTerms& terms() const { return terms_; }

private:
    template <int C>
    static const double* upload(thrust::device_vector<double>& to, const PeriodicSpline<C>& s) {
        to.assign(s.coeff, s.coeff + static_cast<std::size_t>(C) * s.n[0] * s.n[1]);
        return thrust::raw_pointer_cast(to.data());
    }
    thrust::device_vector<double> texture_, potential_;
    TextureTerms terms_;
};

// Calls f(model) with the model visit(mp, ·) gives (a wrapper of visit_model or
// visit_nband_model), as WithTables<Model> when the run reads a table (texture.hpp): only such runs
// take the kernels that evaluate a spline.
template <class Visit, class F>
void visit_textured(Visit visit, const ModelParams& mp, const TextureTerms& terms, F&& f) {
    const bool tables = reads_tables(terms);
    visit(mp, [&](auto model) {
        if (tables) f(WithTables<decltype(model)>(model));
        else f(model);
    });
}

// The keyed reduction of a functor over points × mesh points for the models visit(mp, f) calls f
// with (a wrapper of visit_model or visit_nband_model): the points (positions, or positions and
// times), levels and tables copied to the device, and the functor
// make(model, device terms, device points, device levels) reduced over `count` indices. What the
// density's, current's, magnetisation's and transport's launchers share.
template <class Visit, class Make>
long long texture_points_launch(Visit visit, const ModelParams& mp, const TextureTerms& terms, const std::vector<double>& points,
                                const std::vector<double>& mu, long long count, std::vector<Neumaier>& total, Progress* progress,
                                Make make) {
    const thrust::device_vector<double> dx(points.begin(), points.end()), dmu(mu.begin(), mu.end());
    const DeviceTextureTerms device(terms);
    long long bad = -1;
    visit_textured(visit, mp, terms, [&](auto model) {
        const auto fn = make(model, device.terms(), thrust::raw_pointer_cast(dx.data()), thrust::raw_pointer_cast(dmu.data()));
        bad = keyed_reduce(fn, count, total, progress);
    });
    return bad;
}

// As engine.hpp's texture_density_reduce, for the models visit(mp, f) calls f with.
template <class Visit>
long long texture_density_launch(Visit visit, const ModelParams& mp, const TextureTerms& terms, const Mesh& mesh,
                                 const std::vector<double>& r, double t, const std::vector<double>& mu, double T,
                                 bool by_band, std::vector<Neumaier>& total, Progress* progress) {
    const int positions = static_cast<int>(r.size() / 3), levels = static_cast<int>(mu.size());
    return texture_points_launch(visit, mp, terms, r, mu, positions * mesh.count(), total, progress,
                                 [&](auto model, const TextureTerms& on_device, const double* dr, const double* dmu) {
                                     return TextureDensityFn<decltype(model)>{{model, on_device}, mesh, dr, t, dmu, levels,
                                                                              positions, T, by_band};
                                 });
}

// As engine.hpp's texture_magnetisation_reduce, for the models visit(mp, f) calls f with.
template <class Visit>
long long texture_magnetisation_launch(Visit visit, const ModelParams& mp, const TextureTerms& terms, const Mesh& mesh,
                                       const std::vector<double>& points, const std::vector<double>& mu, double T,
                                       bool by_band, std::vector<Neumaier>& total, Progress* progress) {
    const int n_points = static_cast<int>(points.size() / 4), levels = static_cast<int>(mu.size());
    return texture_points_launch(visit, mp, terms, points, mu, n_points * mesh.count(), total, progress,
                                 [&](auto model, const TextureTerms& on_device, const double* dx, const double* dmu) {
                                     return TextureMagnetisationFn<decltype(model)>{{model, on_device}, mesh, dx, dmu, levels,
                                                                                    n_points, T, by_band};
                                 });
}

// As engine.hpp's texture_transport_reduce, for the models visit(mp, f) calls f with.
template <class Visit>
long long texture_transport_launch(Visit visit, const ModelParams& mp, const TextureTerms& terms, const Mesh& mesh,
                                   const std::vector<double>& r, const std::vector<double>& mu, double T, double tau,
                                   const std::array<double, 3>& E, int band, std::vector<Neumaier>& total, Progress* progress) {
    const int positions = static_cast<int>(r.size() / 3), levels = static_cast<int>(mu.size());
    return texture_points_launch(visit, mp, terms, r, mu, positions * mesh.count(), total, progress,
                                 [&](auto model, const TextureTerms& on_device, const double* dr, const double* dmu) {
                                     return TextureTransportFn<decltype(model)>{{model, on_device}, mesh, dr, dmu, levels,
                                                                                positions, T, tau, {E[0], E[1], E[2]}, band};
                                 });
}

// One thread per packet; the first packet with a non-finite velocity in *bad.
template <class Fn>
__global__ void packet_kernel(Fn fn, long long count, unsigned long long* bad) {
    const long long i = blockIdx.x * static_cast<long long>(blockDim.x) + threadIdx.x;
    if (i < count && !fn(i)) atomicMin(bad, static_cast<unsigned long long>(i));
}

// Runs the packets of `run` (its start, out and state pointers set by make_fn) with the functor
// make_fn(run) returns; the samples into out, as engine.hpp's packet_trajectories. Returns the
// first packet whose velocity failed, or −1.
template <class MakeFn>
long long run_packets(const std::vector<double>& start, double t0, double dt, long long steps, long long stride, double step_r,
                      double step_p, long long slice, std::vector<double>& out, Progress* progress, MakeFn make_fn) {
    const long long packets = static_cast<long long>(start.size() / kPacketStart);
    const long long n = packets * (steps / stride + 1) * kPacketSample;
    const thrust::device_vector<double> d_start(start.begin(), start.end());
    thrust::device_vector<double> d_out(static_cast<std::size_t>(n), 0.0), state(static_cast<std::size_t>(packets * kPhaseCoords));
    thrust::device_vector<unsigned long long> bad(1, ~0ULL);
    auto fn = make_fn(PacketRun{thrust::raw_pointer_cast(d_start.data()), t0, dt, steps, stride, step_r, step_p,
                                thrust::raw_pointer_cast(d_out.data()), thrust::raw_pointer_cast(state.data())});
    for (fn.run.from = 0; fn.run.from < steps; fn.run.from = fn.run.to) {
        fn.run.to = std::min(steps, fn.run.from + slice);
        launch("packet_kernel", &packet_kernel<decltype(fn)>, grid_for(packets), kThreads, fn, packets,
               thrust::raw_pointer_cast(bad.data()));
        throw_if_stopped();
        if (progress) progress->add(packets * (fn.run.to - fn.run.from));
        // As the CPU loop (engine.cpp): no further slice once a packet failed, so that the first
        // failing packet of that slice is reported, and a failed run stops early.
        if (bad[0] != ~0ULL) break;
    }
    copy_to_host(d_out.begin(), n, out);
    const unsigned long long first = bad[0];
    return first == ~0ULL ? -1 : static_cast<long long>(first);
}

}  // namespace bzint::cuda
