#include "kpm.hpp"

#include <fftw3.h>

#include <algorithm>
#include <cmath>
#include <complex>
#include <cstring>
#include <stdexcept>
#include <string>

#include "../../kernels/cuda_backend.hpp"
#include "../stop.hpp"
#include "../workers.hpp"
#include "bzint/fermi.hpp"

namespace bzint {

ChebyshevScale chebyshev_scale(const SparseHamiltonian& H) {
    double lo = 1e300, hi = -1e300;
    for (long long i = 0; i < H.dim; ++i) {
        double diagonal = 0.0, radius = 0.0;
        for (long long e = H.row_start[i]; e < H.row_start[i + 1]; ++e) {
            if (H.column[e] == i)
                diagonal += H.value[e].real();
            else
                radius += std::abs(H.value[e]);
        }
        lo = std::min(lo, diagonal - radius);
        hi = std::max(hi, diagonal + radius);
    }
    ChebyshevScale s;
    s.center = 0.5 * (hi + lo);
    s.half_width = std::max(0.505 * (hi - lo), 1e-12 * std::max(1.0, std::fabs(s.center)));
    return s;
}

// The tail's prefactor: the pair of poles nearest [−1, 1], z = x ± iπT/half_width with residues
// −T/half_width, gives c_n ≈ (4T/half_width)/|√(z² − 1)| ρ^{−n} (1/(z − x) = Σ (2 − δ_n0) T_n(x)
// (z − √(z² − 1))^n/√(z² − 1)), and with ln ρ ≈ (πT/half_width)/|√(z² − 1)| the sum Σ_{n ≥ M} is
// (4/π) ρ^{−M}.
constexpr double kTailPrefactor = 4.0 / 3.14159265358979323846;

double moments_needed(ChebyshevScale s, const std::vector<double>& mu, double T, double tolerance) {
    constexpr double kPi = 3.14159265358979323846;
    double slowest = 1e300;  // ln ρ = Re acosh x (principal branch), stable for small Im x
    for (double m : mu) {
        const std::complex<double> x((m - s.center) / s.half_width, kPi * T / s.half_width);
        slowest = std::min(slowest, std::fabs(std::acosh(x).real()));
    }
    return std::ceil(std::log(kTailPrefactor / tolerance) / std::max(slowest, 1e-300)) + 16.0;
}

double moments_bound(double spectral_radius, double T, double tolerance) {
    return std::ceil(std::log(kTailPrefactor / tolerance) / std::max(std::asinh(3.14159265358979323846 * T / spectral_radius), 1e-300)) +
           16.0;
}

FermiSeries fermi_series(ChebyshevScale s, const std::vector<double>& mu, double T, long long moments) {
    const long long nodes = 4 * moments;
    std::vector<double> in(static_cast<std::size_t>(nodes)), out(static_cast<std::size_t>(nodes));
    const fftw_plan plan = fftw_plan_r2r_1d(static_cast<int>(nodes), in.data(), out.data(), FFTW_REDFT10, FFTW_ESTIMATE);
    if (!plan) throw std::runtime_error("FFTW could not plan a DCT of " + std::to_string(nodes) + " points");
    FermiSeries series;
    for (double m : mu) {
        // Nodes x_j = cos θ_j, θ_j = π(j + 1/2)/N: c_n = (2 − δ_n0)/N Σ_j f(x_j) cos nθ_j, and
        // FFTW's REDFT10 gives Y_n = 2 Σ_j X_j cos nθ_j.
        for (long long j = 0; j < nodes; ++j) {
            const double x = std::cos(3.14159265358979323846 * (double(j) + 0.5) / double(nodes));
            in[static_cast<std::size_t>(j)] = fermi(s.center + s.half_width * x - m, T);
        }
        fftw_execute(plan);
        std::vector<double> c(static_cast<std::size_t>(moments));
        for (long long n = 0; n < moments; ++n) c[static_cast<std::size_t>(n)] = out[static_cast<std::size_t>(n)] / double(nodes) * (n == 0 ? 0.5 : 1.0);
        // The dropped coefficients' sum: the quadrature's above its rounding, and at least the
        // nearest pole pair's geometric tail. A coefficient below 8ε of the function's values (at
        // most 1) is the DCT's rounding, not series — over the 3 × moments of them (measured ~3e-18
        // each at 15 000 moments, T = 0.005 on a half-width of 4) it would sum to ~1e-13 where the
        // series' own tail is 1e-20 — but a tail of many coefficients each below it would be lost
        // with them, so the tail is taken at least the poles' envelope (4T̃/|√(z² − 1)|) e^{−rM}/(1 − e^{−r})
        // (the coefficients are 4T̃ Re[wⁿ/√(z² − 1)], |w| = e^{−r}: about π/2 above their sum)
        // (T̃ = T/half_width, z = x + iπT̃, r = Re acosh z; moments_needed's kTailPrefactor is its
        // small-T̃ limit 4/π).
        double tail = 0.0;
        constexpr double kRounding = 8.0 * 2.220446049250313e-16;
        for (long long n = moments; n < nodes; ++n) {
            const double c = std::fabs(out[static_cast<std::size_t>(n)]) / double(nodes);
            if (c > kRounding) tail += c;
        }
        if (T > 0.0) {
            const double Tn = T / s.half_width;
            const std::complex<double> z((m - s.center) / s.half_width, 3.14159265358979323846 * Tn);
            const double rate = std::fabs(std::acosh(z).real());
            const double poles = 4.0 * Tn / std::abs(std::sqrt(z * z - 1.0)) * std::exp(-rate * double(moments)) / -std::expm1(-rate);
            tail = std::max(tail, poles);
        }
        series.tail = std::max(series.tail, tail);
        series.c.push_back(std::move(c));
    }
    fftw_destroy_plan(plan);
    return series;
}

ChebyshevRecursion chebyshev_recursion(const SparseHamiltonian& H, ChebyshevScale s, long long moments) {
    // std::complex<double> is two doubles, real part first ([complex.numbers.general]), as cplx.
    static_assert(sizeof(cplx) == sizeof(std::complex<double>));
    return {{H.dim, H.row_start.data(), H.column.data(), reinterpret_cast<const cplx*>(H.value.data())},
            s.center,
            1.0 / s.half_width,
            moments};
}

std::vector<double> diagonal_moments(const SparseHamiltonian& H, ChebyshevScale s, long long orbital, long long moments) {
    if (moments < 1) return {};
    const ChebyshevRecursion recursion = chebyshev_recursion(H, s, moments);
    std::vector<cplx> a(static_cast<std::size_t>(H.dim)), b(static_cast<std::size_t>(H.dim));
    std::vector<double> mu(static_cast<std::size_t>(moments), 0.0);
    recursion.start(orbital, a.data(), b.data(), 1, mu.data());
    for (long long n = 1; n <= recursion.last_step(); n += 16) {
        recursion.advance(a.data(), b.data(), 1, mu.data(), n, std::min(n + 16, recursion.last_step() + 1));
        throw_if_stopped();
    }
    return mu;
}

namespace {

// The series' coefficients level-major, c[level × moments + n], as the recursion's sums take them.
std::vector<double> flat_coefficients(const FermiSeries& series) {
    std::vector<double> c;
    for (const auto& level : series.c) c.insert(c.end(), level.begin(), level.end());
    return c;
}

long long series_moments(const FermiSeries& series) { return series.c.empty() ? 0 : static_cast<long long>(series.c[0].size()); }

void check_vector(const SparseHamiltonian& H, std::size_t size, const char* who) {
    if (static_cast<long long>(size) != H.dim) throw std::logic_error(std::string(who) + ": the vector is not the matrix's size");
}

}  // namespace

std::vector<double> vector_fermi_sums(const SparseHamiltonian& H, ChebyshevScale s, const FermiSeries& series,
                                      const std::vector<std::complex<double>>& r) {
    check_vector(H, r.size(), "vector_fermi_sums");
    const std::size_t levels = series.c.size();
    const long long moments = series_moments(series);
    std::vector<double> sums(levels, 0.0);
    if (moments < 1) return sums;
    const ChebyshevRecursion recursion = chebyshev_recursion(H, s, moments);
    std::vector<cplx> a(r.size()), b(r.size());
    std::memcpy(static_cast<void*>(a.data()), r.data(), r.size() * sizeof(cplx));
    std::vector<double> mu(static_cast<std::size_t>(moments), 0.0);
    recursion.start_from(a.data(), b.data(), 1, mu.data());
    for (long long n = 1; n <= recursion.last_step(); ++n) {
        throw_if_stopped();  // an atomic load, against a product over the whole box
        recursion.advance(a.data(), b.data(), 1, mu.data(), n, n + 1);
    }
    for (std::size_t j = 0; j < levels; ++j) sums[j] = chebyshev_sum(series.c[j].data(), mu.data(), moments);
    return sums;
}

std::vector<double> vector_fermi_diagonal(const SparseHamiltonian& H, ChebyshevScale s, const FermiSeries& series,
                                          const std::vector<std::complex<double>>& r, const std::vector<long long>& support) {
    check_vector(H, r.size(), "vector_fermi_diagonal");
    for (long long o : support)
        if (o < 0 || o >= H.dim) throw std::logic_error("vector_fermi_diagonal: the support names no orbital of the matrix");
    const std::size_t levels = series.c.size(), S = support.size();
    const long long moments = series_moments(series), L = static_cast<long long>(levels), size = static_cast<long long>(S);
    std::vector<double> value(S * levels, 0.0);
    if (moments < 1) return value;
    // (f(H)|r⟩)_o per level at the support: Σ_n c[level][n] (v_n)_o, v_n = T_n(H̃)|r⟩.
    const ChebyshevRecursion recursion = chebyshev_recursion(H, s, moments);
    const std::vector<double> c = flat_coefficients(series);
    std::vector<cplx> a(r.size()), b(r.size()), sum(S * levels, cplx{0.0, 0.0});
    std::memcpy(static_cast<void*>(a.data()), r.data(), r.size() * sizeof(cplx));
    std::vector<double> mu(2, 0.0);
    recursion.start_from(a.data(), b.data(), 1, mu.data());
    recursion.add_at_support(a.data(), 1, 0, support.data(), size, c.data(), L, sum.data(), 1);
    if (moments > 1) recursion.add_at_support(b.data(), 1, 1, support.data(), size, c.data(), L, sum.data(), 1);
    for (long long n = 1; n + 1 < moments; ++n) {
        throw_if_stopped();  // an atomic load, against a product over the whole box
        recursion.advance_at_support(a.data(), b.data(), 1, n, n + 1, support.data(), size, c.data(), L, sum.data(), 1);
    }
    for (std::size_t i = 0; i < S; ++i) {
        const std::complex<double> ro = r[static_cast<std::size_t>(support[i])];
        for (std::size_t j = 0; j < levels; ++j) {
            const cplx x = sum[i * levels + j];
            value[i * levels + j] = ro.real() * x.re + ro.imag() * x.im;  // Re(r_o* x)
        }
    }
    return value;
}

namespace {

std::vector<cuda::HostCsr> host_matrices(const std::vector<SparseHamiltonian>& H) {
    std::vector<cuda::HostCsr> matrices;
    for (const SparseHamiltonian& h : H)
        matrices.push_back({h.dim, static_cast<long long>(h.column.size()), h.row_start.data(), h.column.data(), h.value.data()});
    return matrices;
}

// A trace's jobs against the matrices: a matrix for each twist, of the vectors' size.
void check_jobs(const std::vector<SparseHamiltonian>& H, const TraceJobs& jobs) {
    if (jobs.twists() > static_cast<long long>(H.size())) throw std::logic_error("kpm: a trace's twist has no matrix");
    for (const SparseHamiltonian& h : H)
        if (h.dim != jobs.dim()) throw std::logic_error("kpm: a trace's vectors are not the matrices' size");
}

// Each job's matrix (its twist's), for the device.
std::vector<long long> job_matrices(const TraceJobs& jobs) {
    std::vector<long long> matrix(static_cast<std::size_t>(jobs.count()));
    for (long long job = 0; job < jobs.count(); ++job) matrix[static_cast<std::size_t>(job)] = jobs.twist(job);
    return matrix;
}

}  // namespace

void kpm_vector_sums(Backend b, const std::vector<SparseHamiltonian>& H, ChebyshevScale s, const FermiSeries& series,
                     const TraceJobs& jobs, const JobValues& take, Progress& progress) {
    check_jobs(H, jobs);
    if (b == Backend::cuda) {
        cuda::kpm_vector_sums(host_matrices(H), s.center, s.half_width, series_moments(series), flat_coefficients(series),
                              job_matrices(jobs), [&](long long job) { return jobs.start(job); }, take, &progress);
        return;
    }
    const VectorSums sums = [&](long long t, const std::vector<std::complex<double>>& r) {
        return vector_fermi_sums(H[static_cast<std::size_t>(t)], s, series, r);
    };
    sums_on_workers(sums, progress)(jobs, take);
}

void kpm_vector_diagonal(Backend b, const std::vector<SparseHamiltonian>& H, ChebyshevScale s, const FermiSeries& series,
                         const TraceJobs& jobs, const std::vector<std::vector<long long>>& support, const JobValues& take,
                         Progress& progress) {
    check_jobs(H, jobs);
    if (static_cast<long long>(support.size()) != jobs.sampling().colours)
        throw std::logic_error("kpm_vector_diagonal: not one support per colour");
    for (const std::vector<long long>& own : support)
        for (long long o : own)
            if (o < 0 || o >= jobs.dim()) throw std::logic_error("kpm_vector_diagonal: a support names no orbital of the matrices");
    if (b == Backend::cuda) {
        std::vector<long long> colour(static_cast<std::size_t>(jobs.count()));
        for (long long job = 0; job < jobs.count(); ++job) colour[static_cast<std::size_t>(job)] = jobs.colour(job);
        cuda::kpm_vector_diagonal(host_matrices(H), s.center, s.half_width, series_moments(series), flat_coefficients(series),
                                  job_matrices(jobs), support, colour, [&](long long job) { return jobs.start(job); }, take,
                                  &progress);
        return;
    }
    const VectorDiagonal diagonal = [&](long long t, const std::vector<std::complex<double>>& r, const std::vector<long long>& own) {
        return vector_fermi_diagonal(H[static_cast<std::size_t>(t)], s, series, r, own);
    };
    diagonal_on_workers(diagonal, progress)(jobs, support, take);
}

std::vector<double> kpm_diagonal(Backend b, const std::vector<SparseHamiltonian>& H, ChebyshevScale s, const FermiSeries& series,
                                 const std::vector<std::array<long long, 2>>& jobs, Progress& progress) {
    const std::size_t levels = series.c.size();
    const long long moments = levels > 0 ? static_cast<long long>(series.c[0].size()) : 0;
    std::vector<double> value(jobs.size() * levels, 0.0);
    if (moments < 1) return value;
    for (const auto& [t, orbital] : jobs)
        if (t < 0 || t >= static_cast<long long>(H.size()) || orbital < 0 || orbital >= H[static_cast<std::size_t>(t)].dim)
            throw std::logic_error("kpm_diagonal: a job names no orbital of its matrices");
    if (b == Backend::cuda)
        return cuda::kpm_diagonal(host_matrices(H), s.center, s.half_width, moments, flat_coefficients(series), jobs, &progress);
    workers::parallel_for(
        static_cast<long long>(jobs.size()), 1,
        [&](long long begin, long long end) {
            for (long long job = begin; job < end; ++job) {
                const auto& [t, orbital] = jobs[static_cast<std::size_t>(job)];
                const std::vector<double> m = diagonal_moments(H[static_cast<std::size_t>(t)], s, orbital, moments);
                for (std::size_t j = 0; j < levels; ++j)
                    value[static_cast<std::size_t>(job) * levels + j] = chebyshev_sum(series.c[j].data(), m.data(), moments);
                progress.add(1);
                count_stop_unit();
            }
        },
        [] { return !stop_requested(); });
    throw_if_stopped();
    return value;
}

}  // namespace bzint
