// Wannier models' Fermi scans on the device: the direct Fourier sum per k-point of models::Wannier<N>
// (device_scans.cuh).
#include <thrust/device_vector.h>

#include <stdexcept>

#include "../host/wannier/wannier_model.hpp"
#include "cuda_backend.hpp"
#include "device_scans.cuh"

namespace bzint::cuda {

namespace {

// A loaded Wannier model's arrays on the device, padded to 4 or 16 orbitals (models::Wannier<N>
// pads with uncoupled orbitals far above the bands for any N ≥ num_wann).
struct DeviceWannier {
    thrust::device_vector<double> R, inv_degen, tau;
    thrust::device_vector<cplx> H;
    WannierData view;
    explicit DeviceWannier(const LoadedWannier& w)
        : R(w.R_cart.begin(), w.R_cart.end()), inv_degen(w.inv_degen.begin(), w.inv_degen.end()),
          tau(w.tau.begin(), w.tau.end()), H(w.H.begin(), w.H.end()) {
        view = w.view();
        view.R = thrust::raw_pointer_cast(R.data());
        view.inv_degen = thrust::raw_pointer_cast(inv_degen.data());
        view.tau = thrust::raw_pointer_cast(tau.data());
        view.H = thrust::raw_pointer_cast(H.data());
        view.r = nullptr;  // the position matrix's terms run on the CPU (host/app.cpp)
    }
};

template <class F>
void visit_device_wannier(const ModelParams& mp, F&& f) {
    const LoadedWannier& w = wannier_of(mp);
    const DeviceWannier d(w);
    switch (wannier_device_size(w.tb.num_wann)) {
        case 4: f(models::Wannier<4>{d.view}); break;
        case 16: f(models::Wannier<16>{d.view}); break;
        default: throw std::logic_error("wannier model too large for the device path");
    }
}

}  // namespace

long long wannier_scan(const ModelParams& mp, const ScanJob& job) {
    long long bad = -1;
    visit_device_wannier(mp, [&](auto model) { bad = nband_scan_reduce(model, job); });
    return bad;
}

}  // namespace bzint::cuda
