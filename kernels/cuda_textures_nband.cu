// CUDA launchers of the N-band textured models' work (include/bzint/nband_texture.hpp through
// phase_slice.hpp's NBandPhaseSliceChernFn, texture_density.hpp's TextureDensityFn,
// texture_magnetisation.hpp's TextureMagnetisationFn, texture_transport.hpp's TextureTransportFn and
// second_chern.hpp's SecondChernFn over a PhaseFourTorus: device_reduce.cuh's keyed reduction;
// nband_packet_motion.hpp's wave packets: device_textures.cuh), apart from the two-band ones
// (cuda_textures.cu) so that the two compile in parallel. The positions and levels are copied to
// the device, tables too (device_textures.cuh's visit_textured: a run that reads one takes kernels
// of its own).
#include <thrust/device_vector.h>

#include "bzint/nband_packet_motion.hpp"
#include "bzint/phase_four_torus.hpp"
#include "bzint/phase_slice.hpp"
#include "bzint/second_chern.hpp"
#include "bzint/texture_density.hpp"
#include "cuda_backend.hpp"
#include "device_textures.cuh"
#include "device_reduce.cuh"

namespace bzint::cuda {

namespace {
// The N-band models' visit (visit_nband_model), as device_textures.cuh's launchers take it.
constexpr auto kNBand = [](const ModelParams& p, auto&& f) { visit_nband_model(p, f); };
}  // namespace

long long nband_phase_plane_reduce(const ModelParams& mp, const TextureTerms& terms, const PhaseSlice& slice,
                                   std::vector<Neumaier>& total, Progress* progress) {
    const DeviceTextureTerms device(terms);
    long long bad = -1;
    visit_textured(kNBand, mp, terms, [&](auto model) {
        using Model = decltype(model);
        bad = keyed_reduce(NBandPhaseSliceChernFn<Model>{{model, device.terms()}, slice}, slice.count(), total, progress);
    });
    return bad;
}

long long nband_texture_density_reduce(const ModelParams& mp, const TextureTerms& terms, const Mesh& mesh,
                                       const std::vector<double>& r, double t, const std::vector<double>& mu, double T,
                                       bool by_band, std::vector<Neumaier>& total, Progress* progress) {
    return texture_density_launch(kNBand, mp, terms, mesh, r, t, mu, T, by_band, total, progress);
}

long long nband_texture_magnetisation_reduce(const ModelParams& mp, const TextureTerms& terms, const Mesh& mesh,
                                             const std::vector<double>& points, const std::vector<double>& mu, double T,
                                             bool by_band, std::vector<Neumaier>& total, Progress* progress) {
    return texture_magnetisation_launch(kNBand, mp, terms, mesh, points, mu, T, by_band, total, progress);
}

long long nband_texture_transport_reduce(const ModelParams& mp, const TextureTerms& terms, const Mesh& mesh,
                                         const std::vector<double>& r, const std::vector<double>& mu, double T, double tau,
                                         const std::array<double, 3>& E, int band, std::vector<Neumaier>& total, Progress* progress) {
    return texture_transport_launch(kNBand, mp, terms, mesh, r, mu, T, tau, E, band, total, progress);
}

long long second_chern_reduce(const ModelParams& mp, const PhaseFourTorus& torus, std::vector<Neumaier>& total,
                              Progress* progress) {
    const DeviceTextureTerms device(torus.terms);
    PhaseFourTorus on_device = torus;
    on_device.terms = device.terms();
    long long bad = -1;
    visit_textured(kNBand, mp, torus.terms, [&](auto model) {
        bad = keyed_reduce(SecondChernFn<decltype(model), PhaseFourTorus>{on_device}, torus.count(), total, progress);
    });
    return bad;
}

long long nband_packet_trajectories(const ModelParams& mp, const TextureTerms& terms, const std::vector<double>& start, double t0,
                                    double dt, long long steps, long long stride, double step_r, double step_p,
                                    std::vector<double>& out, Progress* progress) {
    const DeviceTextureTerms device(terms);
    long long bad = -1;
    // An N-band step costs ~20× a two-band one (engine.cpp): launches of 10^3 steps keep a stop
    // request's wait as short.
    visit_textured(kNBand, mp, terms, [&](auto model) {
        bad = run_packets(start, t0, dt, steps, stride, step_r, step_p, 1000, out, progress, [&](const PacketRun& run) {
            return NBandPacketTrajectoryFn<decltype(model)>{{model, device.terms()}, run};
        });
    });
    return bad;
}

}  // namespace bzint::cuda
