// CUDA launcher of the Chern planes (ChernFn, NBandChernFn: device_reduce.cuh's keyed reduction).
#include "bzint/per_k.hpp"
#include "cuda_backend.hpp"
#include "device_reduce.cuh"

namespace bzint::cuda {

long long chern_reduce(const ModelParams& mp, const Mesh& mesh, std::vector<Neumaier>& total, Progress* progress) {
    long long bad = -1;
    if (mp.id >= kTwoBandModels) {
        visit_nband_model(mp, [&](auto model) {
            using Model = decltype(model);
            bad = keyed_reduce(NBandChernFn<Model>{model, mesh}, mesh.count(), total, progress);
        });
        return bad;
    }
    visit_model(mp, [&](auto model) {
        using Model = decltype(model);
        bad = keyed_reduce(ChernFn<Model>{model, mesh}, mesh.count(), total, progress);
    });
    return bad;
}

}  // namespace bzint::cuda
