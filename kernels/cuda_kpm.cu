// CUDA launcher of the kernel polynomial method (host/lattice/kpm.hpp kpm_diagonal): one thread
// per orbital of a batch runs include/bzint/kpm_moments.hpp's recursion, the batch's vectors
// interleaved (entry i of orbital j at i × batch + j) so that a warp's reads of a row coalesce.
// Launches of a few steps each, so that Ctrl-C is seen between them; the moments come back per
// batch and are summed with the series' coefficients on the host, in the CPU backend's order.
#include <thrust/device_vector.h>

#include "../host/progress.hpp"
#include "../host/stop.hpp"
#include "bzint/kpm_moments.hpp"
#include "cuda_backend.hpp"
#include "device_launch.cuh"

namespace bzint::cuda {

namespace {

__global__ void kpm_start_kernel(ChebyshevRecursion recursion, const long long* orbitals, long long batch, cplx* a, cplx* b,
                                 double* mu) {
    const long long j = blockIdx.x * static_cast<long long>(blockDim.x) + threadIdx.x;
    if (j < batch) recursion.start(orbitals[j], a + j, b + j, batch, mu + j * recursion.moments);
}

__global__ void kpm_advance_kernel(ChebyshevRecursion recursion, long long batch, cplx* a, cplx* b, double* mu, long long from,
                                   long long to) {
    const long long j = blockIdx.x * static_cast<long long>(blockDim.x) + threadIdx.x;
    if (j < batch) recursion.advance(a + j, b + j, batch, mu + j * recursion.moments, from, to);
}

}  // namespace

std::vector<double> kpm_diagonal(long long dim, const std::vector<long long>& row_start, const std::vector<long long>& column,
                                 const std::vector<std::complex<double>>& value, double center, double half_width,
                                 long long moments, const std::vector<double>& c, const std::vector<long long>& orbitals,
                                 Progress* progress) {
    static_assert(sizeof(cplx) == sizeof(std::complex<double>));
    const long long count = static_cast<long long>(orbitals.size());
    const std::size_t levels = moments > 0 ? c.size() / static_cast<std::size_t>(moments) : 0;
    std::vector<double> out(static_cast<std::size_t>(count) * levels, 0.0);
    const thrust::device_vector<long long> d_row(row_start.begin(), row_start.end()), d_column(column.begin(), column.end());
    const auto* values = reinterpret_cast<const cplx*>(value.data());
    const thrust::device_vector<cplx> d_value(values, values + value.size());
    const ChebyshevRecursion recursion{{dim, thrust::raw_pointer_cast(d_row.data()), thrust::raw_pointer_cast(d_column.data()),
                                        thrust::raw_pointer_cast(d_value.data())},
                                       center,
                                       1.0 / half_width,
                                       moments};
    // A batch's two vectors per orbital and its moments, within half the free memory.
    const long long batch_size = lines_per_launch(count, 2 * dim * static_cast<long long>(sizeof(cplx)) + moments * 8);
    // Steps per launch: about 10^8 row visits (~0.1 s on a GPU, longer in the emulation).
    const long long nnz = static_cast<long long>(column.size());
    const long long slice = std::max(1LL, 100000000LL / std::max(1LL, batch_size * (nnz + dim)));
    thrust::device_vector<cplx> a(static_cast<std::size_t>(batch_size * dim)), b(static_cast<std::size_t>(batch_size * dim));
    thrust::device_vector<double> mu(static_cast<std::size_t>(batch_size * moments));
    std::vector<double> host_mu;
    for (long long first = 0; first < count; first += batch_size) {
        const long long batch = std::min(batch_size, count - first);
        const thrust::device_vector<long long> d_orbitals(orbitals.begin() + first, orbitals.begin() + first + batch);
        cplx* pa = thrust::raw_pointer_cast(a.data());
        cplx* pb = thrust::raw_pointer_cast(b.data());
        double* pmu = thrust::raw_pointer_cast(mu.data());
        launch("kpm_start_kernel", &kpm_start_kernel, grid_for(batch), kThreads, recursion,
               thrust::raw_pointer_cast(d_orbitals.data()), batch, pa, pb, pmu);
        for (long long n = 1; n <= recursion.last_step(); n += slice) {
            launch("kpm_advance_kernel", &kpm_advance_kernel, grid_for(batch), kThreads, recursion, batch, pa, pb, pmu, n,
                   std::min(n + slice, recursion.last_step() + 1));
            throw_if_stopped();
        }
        copy_to_host(mu.begin(), batch * moments, host_mu);
        for (long long o = 0; o < batch; ++o)
            for (std::size_t j = 0; j < levels; ++j) {
                double d = 0.0;
                for (long long n = 0; n < moments; ++n)
                    d += c[j * static_cast<std::size_t>(moments) + static_cast<std::size_t>(n)] * host_mu[static_cast<std::size_t>(o * moments + n)];
                out[static_cast<std::size_t>(first + o) * levels + j] = d;
            }
        if (progress) progress->add(batch);
    }
    return out;
}

}  // namespace bzint::cuda
