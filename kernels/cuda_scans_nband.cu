// The built-in N-band models' Fermi scans on the device, and the two-band models' hybridised
// bands as N = 2 (device_scans.cuh).
#include "device_scans.cuh"

namespace bzint::cuda {

long long nband_scan(const ModelParams& mp, const ScanJob& job) {
    long long bad = -1;
    if (mp.id >= kTwoBandModels)
        visit_nband_model(mp, [&](auto model) { bad = nband_scan_reduce(model, job); });
    else
        visit_model(mp, [&](auto model) { bad = nband_scan_reduce(AsNBand<decltype(model)>{model}, job); });
    return bad;
}

}  // namespace bzint::cuda
