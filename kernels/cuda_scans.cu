// CUDA launchers of the band geometry at points, and the Fermi scans' choice of model family
// (cuda_scans.hpp: every scan kind of the two-band, N-band and Wannier models, by
// device_reduce.cuh's keyed reduction, with refinement).
#include <thrust/device_vector.h>

#include "../host/stop.hpp"
#include "../host/wannier/wannier_model.hpp"
#include "bzint/per_k.hpp"
#include "cuda_scans.hpp"
#include "device_launch.cuh"

namespace bzint::cuda {

namespace {

template <class Model>
__global__ void geometry_points_kernel(Model model, const double* k, long long count, BandGeometry* out) {
    const long long t = blockIdx.x * static_cast<long long>(blockDim.x) + threadIdx.x;
    if (t >= count) return;
    TwoBandPoint h;
    model(k + 3 * t, h);
    two_band_geometry(h, out + 2 * t);
}

template <class Model>
__global__ void nband_points_kernel(Model model, const double* k, long long count, BandGeometry* out) {
    constexpr int N = Model::bands;
    const long long t = blockIdx.x * static_cast<long long>(blockDim.x) + threadIdx.x;
    if (t >= count) return;
    NBandPoint<N> h;
    model(k + 3 * t, h);
    BandGeometry g[N];
    nband_geometry<N>(h, g);
    for (int n = 0; n < N; ++n) out[N * t + n] = g[n];
}

}  // namespace

void geometry_at_points(const ModelParams& mp, const double* k, long long count, BandGeometry* out) {
    thrust::device_vector<double> dk(k, k + 3 * count);
    if (mp.id >= kTwoBandModels) {
        visit_nband_model(mp, [&](auto model) {
            using Model = decltype(model);
            thrust::device_vector<BandGeometry> d(Model::bands * count);
            launch("nband_points_kernel", &nband_points_kernel<Model>, grid_for(count), kThreads, model,
                   thrust::raw_pointer_cast(dk.data()), count, thrust::raw_pointer_cast(d.data()));
            throw_if_stopped();
            thrust::copy(d.begin(), d.end(), out);
        });
        return;
    }
    thrust::device_vector<BandGeometry> d(2 * count);
    visit_model(mp, [&](auto model) {
        launch("geometry_points_kernel", &geometry_points_kernel<decltype(model)>, grid_for(count), kThreads, model,
               thrust::raw_pointer_cast(dk.data()), count, thrust::raw_pointer_cast(d.data()));
    });
    throw_if_stopped();
    thrust::copy(d.begin(), d.end(), out);
}

int wannier_device_size(int num_wann) { return num_wann <= 4 ? 4 : num_wann <= 16 ? 16 : 0; }

long long scan_reduce(const ModelParams& mp, const Mesh& mesh, ScanKind kind, const Binning& bins,
                      const ScanFields& fields, const std::vector<double>& levels, std::vector<Neumaier>& total, Progress* progress,
                      const Refine& refine, long long& refined) {
    thrust::device_vector<double> dlevels(levels.begin(), levels.end());
    Binning dbins = bins;
    dbins.levels = thrust::raw_pointer_cast(dlevels.data());
    const ScanJob job{mesh, kind, dbins, fields, total, progress, refine, refined};
    if (is_wannier(mp)) return wannier_scan(mp, job);
    if (mp.id >= kTwoBandModels || kind == ScanKind::hybrid) return nband_scan(mp, job);
    return two_band_scan(mp, job);
}

}  // namespace bzint::cuda
