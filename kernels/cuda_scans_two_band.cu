// The two-band models' Fermi scans on the device (device_scans.cuh).
#include "device_scans.cuh"

namespace bzint::cuda {

long long two_band_scan(const ModelParams& mp, const ScanJob& job) {
    long long bad = -1;
    visit_model(mp, [&](auto model) {
        using Model = decltype(model);
        bad = refined_reduce(ScanFn<Model>{model, job.mesh, job.kind, job.bins, job.fields, job.refine.threshold},
                             job.mesh.count(), job.total, job.progress, job.refine, job.refined);
    });
    return bad;
}

}  // namespace bzint::cuda
