// CUDA launcher of the second Chern number's sums (second_chern.hpp SecondChernFn:
// device_reduce.cuh's keyed reduction), for the N-band models.
#include "bzint/second_chern.hpp"
#include "cuda_backend.hpp"
#include "device_reduce.cuh"

namespace bzint::cuda {

long long second_chern_reduce(const ModelParams& mp, const FourTorus& torus, std::vector<Neumaier>& total, Progress* progress) {
    long long bad = -1;
    visit_nband_model(mp, [&](auto model) {
        bad = keyed_reduce(SecondChernFn<decltype(model)>{torus}, torus.count(), total, progress);
    });
    return bad;
}

}  // namespace bzint::cuda
