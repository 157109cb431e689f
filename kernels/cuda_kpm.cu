// CUDA launcher of the kernel polynomial method (host/lattice/kpm.hpp kpm_diagonal): one thread
// per job {matrix, orbital} runs include/bzint/kpm_moments.hpp's recursion. Every job of every
// matrix (the twists' boxes) shares one batch, so that a box's few requested orbitals still give
// the device threads enough; the batch's vectors are interleaved (entry i of job j at
// i × batch + j) so that a warp's reads of a row coalesce. Launches of ~10^8 row visits, each
// waited for, so that Ctrl-C is seen between them; the moments come back per batch and are summed
// with the series' coefficients on the host, in the CPU backend's order.
#include <thrust/device_vector.h>

#include "../host/progress.hpp"
#include "../host/stop.hpp"
#include "bzint/kpm_moments.hpp"
#include "cuda_backend.hpp"
#include "device_launch.cuh"
#include "device_stop.cuh"

namespace bzint::cuda {

namespace {

__global__ void kpm_start_kernel(const ChebyshevRecursion* recursions, const long long* jobs, long long batch, cplx* a, cplx* b,
                                 double* mu) {
    const long long j = blockIdx.x * static_cast<long long>(blockDim.x) + threadIdx.x;
    if (j < batch) {
        const ChebyshevRecursion& r = recursions[jobs[2 * j]];
        r.start(jobs[2 * j + 1], a + j, b + j, batch, mu + j * r.moments);
    }
}

__global__ void kpm_advance_kernel(const ChebyshevRecursion* recursions, const long long* jobs, long long batch, cplx* a, cplx* b,
                                   double* mu, long long from, long long to) {
    const long long j = blockIdx.x * static_cast<long long>(blockDim.x) + threadIdx.x;
    if (j < batch) {
        const ChebyshevRecursion& r = recursions[jobs[2 * j]];
        r.advance(a + j, b + j, batch, mu + j * r.moments, from, to);
    }
}

}  // namespace

std::vector<double> kpm_diagonal(const std::vector<HostCsr>& matrices, double center, double half_width, long long moments,
                                 const std::vector<double>& c, const std::vector<std::array<long long, 2>>& jobs,
                                 Progress* progress) {
    static_assert(sizeof(cplx) == sizeof(std::complex<double>));
    const long long count = static_cast<long long>(jobs.size());
    const std::size_t levels = moments > 0 ? c.size() / static_cast<std::size_t>(moments) : 0;
    std::vector<double> out(static_cast<std::size_t>(count) * levels, 0.0);
    if (count == 0 || moments < 1 || matrices.empty()) return out;
    const long long dim = matrices[0].dim;
    // Every matrix on the device, and a recursion pointing at each.
    std::vector<thrust::device_vector<long long>> rows, columns;
    std::vector<thrust::device_vector<cplx>> values;
    std::vector<ChebyshevRecursion> recursion;
    // Reserved: a reallocation could copy the device vectors (their moves need not be noexcept)
    // and leave the recursions' pointers dangling.
    rows.reserve(matrices.size());
    columns.reserve(matrices.size());
    values.reserve(matrices.size());
    long long entries = 0;
    for (const HostCsr& m : matrices) {
        const auto* v = reinterpret_cast<const cplx*>(m.value);
        rows.emplace_back(m.row_start, m.row_start + m.dim + 1);
        columns.emplace_back(m.column, m.column + m.entries);
        values.emplace_back(v, v + m.entries);
        recursion.push_back({{m.dim, thrust::raw_pointer_cast(rows.back().data()), thrust::raw_pointer_cast(columns.back().data()),
                              thrust::raw_pointer_cast(values.back().data())},
                             center,
                             1.0 / half_width,
                             moments});
        entries = std::max(entries, m.entries);
    }
    const thrust::device_vector<ChebyshevRecursion> d_recursion(recursion.begin(), recursion.end());
    // A batch's two vectors per job and its moments, within half the free memory.
    const long long batch_size = lines_per_launch(count, 2 * dim * static_cast<long long>(sizeof(cplx)) + moments * 8);
    // Steps per launch: about 10^8 row visits (~0.1 s on a GPU, longer in the emulation).
    const long long slice = std::max(1LL, 100000000LL / std::max(1LL, batch_size * (entries + dim)));
    const long long last = recursion[0].last_step();
    thrust::device_vector<cplx> a(static_cast<std::size_t>(batch_size * dim)), b(static_cast<std::size_t>(batch_size * dim));
    thrust::device_vector<double> mu(static_cast<std::size_t>(batch_size * moments));
    std::vector<double> host_mu;
    const StopWatch watch;
    for (long long first = 0; first < count; first += batch_size) {
        const long long batch = std::min(batch_size, count - first);
        std::vector<long long> flat;  // {matrix, orbital} per job of the batch
        for (long long j = first; j < first + batch; ++j) flat.insert(flat.end(), {jobs[j][0], jobs[j][1]});
        const thrust::device_vector<long long> d_jobs(flat.begin(), flat.end());
        const ChebyshevRecursion* r = thrust::raw_pointer_cast(d_recursion.data());
        const long long* pj = thrust::raw_pointer_cast(d_jobs.data());
        cplx* pa = thrust::raw_pointer_cast(a.data());
        cplx* pb = thrust::raw_pointer_cast(b.data());
        double* pmu = thrust::raw_pointer_cast(mu.data());
        launch("kpm_start_kernel", &kpm_start_kernel, grid_for(batch), kThreads, r, pj, batch, pa, pb, pmu);
        for (long long n = 1; n <= last; n += slice) {
            launch("kpm_advance_kernel", &kpm_advance_kernel, grid_for(batch), kThreads, r, pj, batch, pa, pb, pmu, n,
                   std::min(n + slice, last + 1));
            watch.wait();
            throw_if_stopped();
        }
        copy_to_host(mu.begin(), batch * moments, host_mu);
        for (long long o = 0; o < batch; ++o)
            for (std::size_t j = 0; j < levels; ++j)
                out[static_cast<std::size_t>(first + o) * levels + j] =
                    chebyshev_sum(c.data() + j * static_cast<std::size_t>(moments), host_mu.data() + o * moments, moments);
        if (progress) progress->add(batch);
    }
    return out;
}

}  // namespace bzint::cuda
