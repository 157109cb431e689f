// What the scan families' translation units share: the functors of one N-band model (built-in or
// Wannier) on the device, through device_reduce.cuh's keyed reduction.
#pragma once
#include "bzint/per_k.hpp"
#include "cuda_scans.hpp"
#include "device_reduce.cuh"

namespace bzint::cuda {

namespace {

// The scan functors of one N-band model (built-in or Wannier) on the device.
template <class Model>
long long nband_scan_reduce(const Model& model, const ScanJob& job) {
    if (job.kind == ScanKind::hybrid)
        return keyed_reduce(HybridScanFn<Model>{model, job.mesh, job.bins, job.fields.hybrid}, job.mesh.count(), job.total,
                            job.progress);
    return refined_reduce(NBandScanFn<Model>{model, job.mesh, job.kind, job.bins, job.fields, job.refine.threshold},
                          job.mesh.count(), job.total, job.progress, job.refine, job.refined);
}

}  // namespace

}  // namespace bzint::cuda
