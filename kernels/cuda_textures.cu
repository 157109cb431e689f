// CUDA launchers of the phase-space texture reductions (include/bzint/phase_slice.hpp,
// texture_density.hpp, texture_current.hpp: device_reduce.cuh's keyed reduction); the points and
// levels are copied to the device.
#include <thrust/device_vector.h>

#include "bzint/texture_current.hpp"
#include "bzint/texture_density.hpp"
#include "cuda_backend.hpp"
#include "device_reduce.cuh"

namespace bzint::cuda {

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
                                 std::vector<Neumaier>& total, Progress* progress) {
    const thrust::device_vector<double> dr(r.begin(), r.end()), dmu(mu.begin(), mu.end());
    const long long positions = static_cast<long long>(r.size() / 3);
    long long bad = -1;
    visit_model(mp, [&](auto model) {
        using Model = decltype(model);
        const TextureDensityFn<Model> fn{{model, terms}, mesh, thrust::raw_pointer_cast(dr.data()), t,
                                         thrust::raw_pointer_cast(dmu.data()), static_cast<int>(mu.size()),
                                         static_cast<int>(positions), T};
        bad = keyed_reduce(fn, positions * mesh.count(), total, progress);
    });
    return bad;
}

long long texture_current_reduce(const ModelParams& mp, const TextureTerms& terms, const Mesh& mesh,
                                 const std::vector<double>& points, const std::vector<double>& mu, double T, double step,
                                 std::vector<Neumaier>& total, Progress* progress) {
    const thrust::device_vector<double> dx(points.begin(), points.end()), dmu(mu.begin(), mu.end());
    const long long n_points = static_cast<long long>(points.size() / 4);
    long long bad = -1;
    visit_model(mp, [&](auto model) {
        using Model = decltype(model);
        const TextureCurrentFn<Model> fn{{model, terms}, mesh, thrust::raw_pointer_cast(dx.data()),
                                         thrust::raw_pointer_cast(dmu.data()), static_cast<int>(mu.size()),
                                         static_cast<int>(n_points), T, step};
        bad = keyed_reduce(fn, n_points * mesh.count(), total, progress);
    });
    return bad;
}

}  // namespace bzint::cuda
