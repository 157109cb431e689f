// CUDA launchers of the phase-space texture reductions (include/bzint/phase_slice.hpp,
// texture_density.hpp, texture_current.hpp, texture_magnetisation.hpp, texture_transport.hpp: device_reduce.cuh's keyed
// reduction); the points, levels and tables are copied to the device. A run that reads a table takes
// kernels of its own (device_textures.cuh's visit_textured).
#include <thrust/device_vector.h>

#include "bzint/packet_motion.hpp"
#include "bzint/texture_current.hpp"
#include "bzint/texture_density.hpp"
#include "bzint/texture_magnetisation.hpp"
#include "bzint/texture_transport.hpp"
#include "cuda_backend.hpp"
#include "device_textures.cuh"
#include "device_reduce.cuh"

namespace bzint::cuda {

namespace {
// The two-band models' visit (visit_model), as device_textures.cuh's launchers take it.
constexpr auto kTwoBand = [](const ModelParams& p, auto&& f) { visit_model(p, f); };
}  // namespace

long long packet_trajectories(const ModelParams& mp, const TextureTerms& terms, const std::vector<double>& start, double t0,
                              double dt, long long steps, long long stride, double step_r, double step_p, std::vector<double>& out,
                              Progress* progress) {
    const DeviceTextureTerms device(terms);
    long long bad = -1;
    // Launches of at most 2·10^4 steps per packet (~0.1 s): a stop request is seen between them.
    visit_textured(kTwoBand, mp, terms, [&](auto model) {
        bad = run_packets(start, t0, dt, steps, stride, step_r, step_p, 20000, out, progress, [&](const PacketRun& run) {
            return PacketTrajectoryFn<decltype(model)>{{model, device.terms()}, run};
        });
    });
    return bad;
}

long long phase_plane_reduce(const ModelParams& mp, const TextureTerms& terms, const PhaseSlice& slice,
                             std::vector<Neumaier>& total, Progress* progress) {
    const DeviceTextureTerms device(terms);
    long long bad = -1;
    visit_textured(kTwoBand, mp, terms, [&](auto model) {
        using Model = decltype(model);
        bad = keyed_reduce(PhaseSliceChernFn<Model>{{model, device.terms()}, slice}, slice.count(), total, progress);
    });
    return bad;
}

long long texture_density_reduce(const ModelParams& mp, const TextureTerms& terms, const Mesh& mesh,
                                 const std::vector<double>& r, double t, const std::vector<double>& mu, double T,
                                 bool by_band, std::vector<Neumaier>& total, Progress* progress) {
    return texture_density_launch(kTwoBand, mp, terms, mesh, r, t, mu, T, by_band, total, progress);
}

long long texture_current_reduce(const ModelParams& mp, const TextureTerms& terms, const Mesh& mesh,
                                 const std::vector<double>& points, const std::vector<double>& mu, double T, double step,
                                 bool by_band, std::vector<Neumaier>& total, Progress* progress) {
    const thrust::device_vector<double> dx(points.begin(), points.end()), dmu(mu.begin(), mu.end());
    const DeviceTextureTerms device(terms);
    const long long n_points = static_cast<long long>(points.size() / 4);
    long long bad = -1;
    visit_textured(kTwoBand, mp, terms, [&](auto model) {
        using Model = decltype(model);
        const TextureCurrentFn<Model> fn{{model, device.terms()}, mesh, thrust::raw_pointer_cast(dx.data()),
                                         thrust::raw_pointer_cast(dmu.data()), static_cast<int>(mu.size()),
                                         static_cast<int>(n_points), T, step, by_band};
        bad = keyed_reduce(fn, n_points * mesh.count(), total, progress);
    });
    return bad;
}

long long texture_magnetisation_reduce(const ModelParams& mp, const TextureTerms& terms, const Mesh& mesh,
                                       const std::vector<double>& points, const std::vector<double>& mu, double T,
                                       std::vector<Neumaier>& total, Progress* progress) {
    const thrust::device_vector<double> dx(points.begin(), points.end()), dmu(mu.begin(), mu.end());
    const DeviceTextureTerms device(terms);
    const long long n_points = static_cast<long long>(points.size() / 4);
    long long bad = -1;
    visit_textured(kTwoBand, mp, terms, [&](auto model) {
        using Model = decltype(model);
        const TextureMagnetisationFn<Model> fn{{model, device.terms()}, mesh, thrust::raw_pointer_cast(dx.data()),
                                               thrust::raw_pointer_cast(dmu.data()), static_cast<int>(mu.size()),
                                               static_cast<int>(n_points), T};
        bad = keyed_reduce(fn, n_points * mesh.count(), total, progress);
    });
    return bad;
}

long long texture_transport_reduce(const ModelParams& mp, const TextureTerms& terms, const Mesh& mesh,
                                   const std::vector<double>& r, const std::vector<double>& mu, double T, double tau,
                                   const std::array<double, 3>& E, int band, std::vector<Neumaier>& total, Progress* progress) {
    return texture_transport_launch(kTwoBand, mp, terms, mesh, r, mu, T, tau, E, band, total, progress);
}

}  // namespace bzint::cuda
