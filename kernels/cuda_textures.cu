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
    const int n_points = static_cast<int>(points.size() / 4), levels = static_cast<int>(mu.size());
    return texture_points_launch(kTwoBand, mp, terms, points, mu, n_points * mesh.count(), total, progress,
                                 [&](auto model, const TextureTerms& on_device, const double* dx, const double* dmu) {
                                     return TextureCurrentFn<decltype(model)>{{model, on_device}, mesh, dx, dmu, levels,
                                                                              n_points, T, step, by_band};
                                 });
}

long long texture_magnetisation_reduce(const ModelParams& mp, const TextureTerms& terms, const Mesh& mesh,
                                       const std::vector<double>& points, const std::vector<double>& mu, double T,
                                       bool by_band, std::vector<Neumaier>& total, Progress* progress) {
    return texture_magnetisation_launch(kTwoBand, mp, terms, mesh, points, mu, T, by_band, total, progress);
}

long long texture_transport_reduce(const ModelParams& mp, const TextureTerms& terms, const Mesh& mesh,
                                   const std::vector<double>& r, const std::vector<double>& mu, double T, double tau,
                                   const std::array<double, 3>& E, int band, std::vector<Neumaier>& total, Progress* progress) {
    return texture_transport_launch(kTwoBand, mp, terms, mesh, r, mu, T, tau, E, band, total, progress);
}

}  // namespace bzint::cuda
