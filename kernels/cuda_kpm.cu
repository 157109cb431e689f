// CUDA launchers of the kernel polynomial method (host/lattice/kpm.hpp): one thread per job runs
// include/bzint/kpm_moments.hpp's recursion, from a unit vector (kpm_diagonal: {matrix, orbital})
// or from a start vector the host gives (kpm_vector_sums, kpm_vector_diagonal: random_trace.hpp's
// colour vectors). Every job of every matrix (the twists' boxes) shares one batch, so that a box's
// few requested orbitals or colours still give the device threads enough; the batch's vectors are
// interleaved (entry i of job j at i × batch + j) so that a warp's reads of a row coalesce.
// Launches of ~10^8 row visits, each waited for, so that Ctrl-C is seen between them; the moments
// (or the sums at a support) come back per batch and are finished on the host in the CPU backend's
// order.
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

// From the start vectors the host put in a.
__global__ void kpm_start_from_kernel(const ChebyshevRecursion* recursions, const long long* jobs, long long batch, cplx* a,
                                      cplx* b, double* mu) {
    const long long j = blockIdx.x * static_cast<long long>(blockDim.x) + threadIdx.x;
    if (j < batch) {
        const ChebyshevRecursion& r = recursions[jobs[2 * j]];
        r.start_from(a + j, b + j, batch, mu + j * r.moments);
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

// The diagonal's start: v_1, and v_0's and v_1's terms at the job's support (jobs[2j + 1] indexes
// the supports: offset[s] … offset[s + 1] of `support`).
__global__ void kpm_support_start_kernel(const ChebyshevRecursion* recursions, const long long* jobs, long long batch, cplx* a,
                                         cplx* b, const long long* support, const long long* offset, const double* c,
                                         long long levels, cplx* sum) {
    const long long j = blockIdx.x * static_cast<long long>(blockDim.x) + threadIdx.x;
    if (j < batch) {
        const ChebyshevRecursion& r = recursions[jobs[2 * j]];
        const long long s = jobs[2 * j + 1], size = offset[s + 1] - offset[s];
        double mu[2];
        r.start_from(a + j, b + j, batch, mu);
        r.add_at_support(a + j, batch, 0, support + offset[s], size, c, levels, sum + j, batch);
        if (r.moments > 1) r.add_at_support(b + j, batch, 1, support + offset[s], size, c, levels, sum + j, batch);
    }
}

__global__ void kpm_support_advance_kernel(const ChebyshevRecursion* recursions, const long long* jobs, long long batch, cplx* a,
                                           cplx* b, const long long* support, const long long* offset, const double* c,
                                           long long levels, cplx* sum, long long from, long long to) {
    const long long j = blockIdx.x * static_cast<long long>(blockDim.x) + threadIdx.x;
    if (j < batch) {
        const ChebyshevRecursion& r = recursions[jobs[2 * j]];
        const long long s = jobs[2 * j + 1];
        r.advance_at_support(a + j, b + j, batch, from, to, support + offset[s], offset[s + 1] - offset[s], c, levels, sum + j, batch);
    }
}

// Every matrix on the device, and a recursion pointing at each (the matrices share their dimension).
struct DeviceRecursions {
    std::vector<thrust::device_vector<long long>> rows, columns;
    std::vector<thrust::device_vector<cplx>> values;
    std::vector<ChebyshevRecursion> host;
    thrust::device_vector<ChebyshevRecursion> device;
    long long dim = 0, entries = 0;  // the largest matrix's nonzero entries

    DeviceRecursions(const std::vector<HostCsr>& matrices, double center, double half_width, long long moments) {
        static_assert(sizeof(cplx) == sizeof(std::complex<double>));
        // Reserved: a reallocation could copy the device vectors (their moves need not be noexcept)
        // and leave the recursions' pointers dangling.
        rows.reserve(matrices.size());
        columns.reserve(matrices.size());
        values.reserve(matrices.size());
        for (const HostCsr& m : matrices) {
            const auto* v = reinterpret_cast<const cplx*>(m.value);
            rows.emplace_back(m.row_start, m.row_start + m.dim + 1);
            columns.emplace_back(m.column, m.column + m.entries);
            values.emplace_back(v, v + m.entries);
            host.push_back({{m.dim, thrust::raw_pointer_cast(rows.back().data()), thrust::raw_pointer_cast(columns.back().data()),
                             thrust::raw_pointer_cast(values.back().data())},
                            center,
                            1.0 / half_width,
                            moments});
            entries = std::max(entries, m.entries);
        }
        dim = matrices.empty() ? 0 : matrices[0].dim;
        device.assign(host.begin(), host.end());
    }
    const ChebyshevRecursion* data() const { return thrust::raw_pointer_cast(device.data()); }

    // Steps per launch for a batch: about 10^8 row visits (~0.1 s on a GPU, longer in the emulation),
    // `extra` more visits a step per job (the diagonal's sums at a support).
    long long slice(long long batch, long long extra = 0) const {
        return std::max(1LL, 100000000LL / std::max(1LL, batch * (entries + dim + extra)));
    }
};

// Runs steps [first, last] as launches of `slice` steps, waiting for each and polling Ctrl-C.
template <class Launch>
void run_steps(long long first, long long last, long long slice, Launch launch_steps) {
    const StopWatch watch;
    for (long long n = first; n <= last; n += slice) {
        launch_steps(n, std::min(n + slice, last + 1));
        watch.wait();
        throw_if_stopped();
    }
}

// Jobs per batch within 2 GiB of host memory, `bytes` a job there (its start vector as made and
// interleaved, and what comes back). The device's share (lines_per_launch) is the other bound.
long long host_batch_cap(long long bytes) { return std::max(1LL, (1LL << 31) / std::max(1LL, bytes)); }

// The batch's start vectors, interleaved (entry i of job j at i × batch + j), onto the device.
void put_start_vectors(const std::vector<std::vector<std::complex<double>>>& r, long long dim, thrust::device_vector<cplx>& a) {
    const long long batch = static_cast<long long>(r.size());
    std::vector<cplx> flat(static_cast<std::size_t>(batch * dim));
    for (long long j = 0; j < batch; ++j)
        for (long long i = 0; i < dim; ++i) {
            const std::complex<double> x = r[static_cast<std::size_t>(j)][static_cast<std::size_t>(i)];
            flat[static_cast<std::size_t>(i * batch + j)] = {x.real(), x.imag()};
        }
    thrust::copy(flat.begin(), flat.end(), a.begin());
}


// Jobs first … first + batch − 1 on the device as {matrix, second} pairs (job(j)); with `start`
// their start vectors too, made on the host into r and put into a, interleaved.
using JobPair = std::function<std::array<long long, 2>(long long)>;
thrust::device_vector<long long> batch_jobs(long long first, long long batch, const JobPair& job, const HostStart* start, long long dim,
                                            std::vector<std::vector<std::complex<double>>>& r, thrust::device_vector<cplx>& a) {
    std::vector<long long> flat;
    r.clear();
    for (long long j = first; j < first + batch; ++j) {
        const std::array<long long, 2> x = job(j);
        flat.insert(flat.end(), {x[0], x[1]});
        if (start) {
            r.push_back((*start)(j));
            throw_if_stopped();
        }
    }
    if (start) put_start_vectors(r, dim, a);
    return thrust::device_vector<long long>(flat.begin(), flat.end());
}

// The moments of `count` jobs in batches of at most batch_size: job(j) = {matrix, orbital}; the
// start vectors are |orbital⟩ (kpm_start_kernel), or with `start` the host's (kpm_start_from_kernel).
// done(j, μ) receives each job's moments on this thread.
void moment_batches(const DeviceRecursions& recursions, long long count, long long batch_size, const JobPair& job, const HostStart* start,
                    const std::function<void(long long, const double*)>& done, Progress* progress) {
    const long long dim = recursions.dim, moments = recursions.host[0].moments, slice = recursions.slice(batch_size);
    thrust::device_vector<cplx> a(static_cast<std::size_t>(batch_size * dim)), b(static_cast<std::size_t>(batch_size * dim));
    thrust::device_vector<double> mu(static_cast<std::size_t>(batch_size * moments));
    std::vector<double> host_mu;
    for (long long first = 0; first < count; first += batch_size) {
        const long long batch = std::min(batch_size, count - first);
        std::vector<std::vector<std::complex<double>>> r;
        const thrust::device_vector<long long> d_jobs = batch_jobs(first, batch, job, start, dim, r, a);
        const long long* pj = thrust::raw_pointer_cast(d_jobs.data());
        cplx* pa = thrust::raw_pointer_cast(a.data());
        cplx* pb = thrust::raw_pointer_cast(b.data());
        double* pmu = thrust::raw_pointer_cast(mu.data());
        if (start)
            launch("kpm_start_from_kernel", &kpm_start_from_kernel, grid_for(batch), kThreads, recursions.data(), pj, batch, pa, pb, pmu);
        else
            launch("kpm_start_kernel", &kpm_start_kernel, grid_for(batch), kThreads, recursions.data(), pj, batch, pa, pb, pmu);
        run_steps(1, recursions.host[0].last_step(), slice, [&](long long from, long long to) {
            launch("kpm_advance_kernel", &kpm_advance_kernel, grid_for(batch), kThreads, recursions.data(), pj, batch, pa, pb, pmu, from,
                   to);
        });
        copy_to_host(mu.begin(), batch * moments, host_mu);
        for (long long o = 0; o < batch; ++o) done(first + o, host_mu.data() + o * moments);
        if (progress) progress->add(batch);
    }
}

}  // namespace

std::vector<double> kpm_diagonal(const std::vector<HostCsr>& matrices, double center, double half_width, long long moments,
                                 const std::vector<double>& c, const std::vector<std::array<long long, 2>>& jobs,
                                 Progress* progress) {
    const long long count = static_cast<long long>(jobs.size());
    const std::size_t levels = moments > 0 ? c.size() / static_cast<std::size_t>(moments) : 0;
    std::vector<double> out(static_cast<std::size_t>(count) * levels, 0.0);
    if (count == 0 || moments < 1 || matrices.empty()) return out;
    const DeviceRecursions recursions(matrices, center, half_width, moments);
    // A batch's two vectors per job and its moments, within half the free memory.
    const long long batch_size = lines_per_launch(count, 2 * recursions.dim * static_cast<long long>(sizeof(cplx)) + moments * 8);
    moment_batches(
        recursions, count, batch_size, [&](long long j) { return jobs[static_cast<std::size_t>(j)]; }, nullptr,
        [&](long long j, const double* mu) {
            for (std::size_t l = 0; l < levels; ++l)
                out[static_cast<std::size_t>(j) * levels + l] = chebyshev_sum(c.data() + l * static_cast<std::size_t>(moments), mu, moments);
        },
        progress);
    return out;
}

void kpm_vector_sums(const std::vector<HostCsr>& matrices, double center, double half_width, long long moments,
                     const std::vector<double>& c, const std::vector<long long>& job_matrix, const HostStart& start,
                     const HostTake& take, Progress* progress) {
    const long long count = static_cast<long long>(job_matrix.size());
    const std::size_t levels = moments > 0 ? c.size() / static_cast<std::size_t>(moments) : 0;
    if (count == 0 || moments < 1 || matrices.empty()) return;
    const DeviceRecursions recursions(matrices, center, half_width, moments);
    // Device and host: a job's two vectors (its start vector as made and interleaved) and moments.
    const long long per_job = 2 * recursions.dim * static_cast<long long>(sizeof(cplx)) + moments * 8;
    const long long batch_size = std::min(host_batch_cap(per_job), lines_per_launch(count, per_job));
    std::vector<double> sums(levels);
    moment_batches(
        recursions, count, batch_size, [&](long long j) { return std::array<long long, 2>{job_matrix[static_cast<std::size_t>(j)], 0}; },
        &start,
        [&](long long j, const double* mu) {
            for (std::size_t l = 0; l < levels; ++l) sums[l] = chebyshev_sum(c.data() + l * static_cast<std::size_t>(moments), mu, moments);
            take(j, sums.data(), sums.size());
        },
        progress);
}

void kpm_vector_diagonal(const std::vector<HostCsr>& matrices, double center, double half_width, long long moments,
                         const std::vector<double>& c, const std::vector<long long>& job_matrix,
                         const std::vector<std::vector<long long>>& supports, const std::vector<long long>& job_support,
                         const HostStart& start, const HostTake& take, Progress* progress) {
    const long long count = static_cast<long long>(job_matrix.size());
    const long long levels = moments > 0 ? static_cast<long long>(c.size()) / moments : 0;
    if (count == 0 || moments < 1 || matrices.empty()) return;
    const DeviceRecursions recursions(matrices, center, half_width, moments);
    const long long dim = recursions.dim;
    // The supports back to back, offset[s] … offset[s + 1], and the largest.
    std::vector<long long> flat_support, offset{0};
    long long widest = 0;
    for (const std::vector<long long>& s : supports) {
        flat_support.insert(flat_support.end(), s.begin(), s.end());
        offset.push_back(static_cast<long long>(flat_support.size()));
        widest = std::max(widest, static_cast<long long>(s.size()));
    }
    const thrust::device_vector<long long> d_support(flat_support.begin(), flat_support.end()), d_offset(offset.begin(), offset.end());
    const thrust::device_vector<double> d_c(c.begin(), c.end());
    // Per job: two vectors and its sums at the widest support (on the host: its start vector, made and
    // interleaved, and its sums).
    const long long batch_size =
        std::min(host_batch_cap((2 * dim + widest * levels) * static_cast<long long>(sizeof(cplx))),
                 lines_per_launch(count, (2 * dim + widest * levels) * static_cast<long long>(sizeof(cplx))));
    const long long slice = recursions.slice(batch_size, widest * levels);
    thrust::device_vector<cplx> a(static_cast<std::size_t>(batch_size * dim)), b(static_cast<std::size_t>(batch_size * dim));
    thrust::device_vector<cplx> sum(static_cast<std::size_t>(batch_size * std::max(1LL, widest * levels)));
    std::vector<cplx> host_sum;
    std::vector<double> values;
    for (long long first = 0; first < count; first += batch_size) {
        const long long batch = std::min(batch_size, count - first);
        std::vector<std::vector<std::complex<double>>> r;  // {matrix, support} per job
        const thrust::device_vector<long long> d_jobs = batch_jobs(
            first, batch,
            [&](long long j) {
                return std::array<long long, 2>{job_matrix[static_cast<std::size_t>(j)], job_support[static_cast<std::size_t>(j)]};
            },
            &start, dim, r, a);
        thrust::fill(sum.begin(), sum.end(), cplx{0.0, 0.0});
        const long long* pj = thrust::raw_pointer_cast(d_jobs.data());
        const long long* ps = thrust::raw_pointer_cast(d_support.data());
        const long long* po = thrust::raw_pointer_cast(d_offset.data());
        const double* pc = thrust::raw_pointer_cast(d_c.data());
        cplx* pa = thrust::raw_pointer_cast(a.data());
        cplx* pb = thrust::raw_pointer_cast(b.data());
        cplx* psum = thrust::raw_pointer_cast(sum.data());
        launch("kpm_support_start_kernel", &kpm_support_start_kernel, grid_for(batch), kThreads, recursions.data(), pj, batch, pa, pb,
               ps, po, pc, levels, psum);
        // Steps n = 1 … moments − 2 give v_2 … v_{moments − 1} (kpm_moments.hpp).
        run_steps(1, moments - 2, slice, [&](long long from, long long to) {
            launch("kpm_support_advance_kernel", &kpm_support_advance_kernel, grid_for(batch), kThreads, recursions.data(), pj, batch,
                   pa, pb, ps, po, pc, levels, psum, from, to);
        });
        copy_to_host(sum.begin(), batch * widest * levels, host_sum);
        for (long long o = 0; o < batch; ++o) {
            const std::vector<long long>& own = supports[static_cast<std::size_t>(job_support[static_cast<std::size_t>(first + o)])];
            values.assign(own.size() * static_cast<std::size_t>(levels), 0.0);
            for (std::size_t i = 0; i < own.size(); ++i) {
                const std::complex<double> ro = r[static_cast<std::size_t>(o)][static_cast<std::size_t>(own[i])];
                for (long long l = 0; l < levels; ++l) {
                    const cplx x = host_sum[static_cast<std::size_t>((static_cast<long long>(i) * levels + l) * batch + o)];
                    values[i * static_cast<std::size_t>(levels) + static_cast<std::size_t>(l)] = ro.real() * x.re + ro.imag() * x.im;
                }
            }
            take(first + o, values.data(), values.size());
        }
        if (progress) progress->add(batch);
    }
}

}  // namespace bzint::cuda
