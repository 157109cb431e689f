// The device's Fermi scans by model family, one translation unit each (cuda_scans_two_band.cu,
// cuda_scans_nband.cu, cuda_scans_wannier.cu, through device_scans.cuh), so that nvcc compiles
// them in parallel; cuda_scans.cu's scan_reduce chooses among them.
#pragma once
#include <vector>

#include "cuda_backend.hpp"

namespace bzint::cuda {

// One scan's arguments (scan_reduce's, with the energy levels already on the device in bins).
struct ScanJob {
    const Mesh& mesh;
    ScanKind kind;
    const Binning& bins;
    const ScanFields& fields;
    std::vector<Neumaier>& total;
    Progress* progress;
    const Refine& refine;
    long long& refined;
};

// The two-band models' scans (ScanFn, with refinement): every kind but the hybridised bands.
long long two_band_scan(const ModelParams& mp, const ScanJob& job);
// The built-in N-band models' scans, and the two-band models' hybridised bands (as N = 2).
long long nband_scan(const ModelParams& mp, const ScanJob& job);
// A Wannier model's scans (padded to wannier_device_size orbitals).
long long wannier_scan(const ModelParams& mp, const ScanJob& job);

}  // namespace bzint::cuda
