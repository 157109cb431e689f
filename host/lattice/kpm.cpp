#include "kpm.hpp"

#include <fftw3.h>

#include <algorithm>
#include <cmath>
#include <complex>
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

double moments_needed(ChebyshevScale s, const std::vector<double>& mu, double T, double tolerance) {
    constexpr double kPi = 3.14159265358979323846;
    double slowest = 1e300;  // ln ρ = Re acosh x (principal branch), stable for small Im x
    for (double m : mu) {
        const std::complex<double> x((m - s.center) / s.half_width, kPi * T / s.half_width);
        slowest = std::min(slowest, std::fabs(std::acosh(x).real()));
    }
    return std::ceil(std::log(1.0 / tolerance) / std::max(slowest, 1e-300)) + 16.0;
}

double moments_bound(double spectral_radius, double T, double tolerance) {
    return std::ceil(std::log(1.0 / tolerance) / std::max(std::asinh(3.14159265358979323846 * T / spectral_radius), 1e-300)) + 16.0;
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
        double tail = 0.0;
        for (long long n = moments; n < nodes; ++n) tail += std::fabs(out[static_cast<std::size_t>(n)]) / double(nodes);
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

std::vector<double> vector_fermi_sums(const SparseHamiltonian& H, ChebyshevScale s, const FermiSeries& series,
                                      const std::vector<std::complex<double>>& r) {
    const std::size_t levels = series.c.size();
    const long long moments = levels > 0 ? static_cast<long long>(series.c[0].size()) : 0;
    if (static_cast<long long>(r.size()) != H.dim) throw std::logic_error("vector_fermi_sums: the vector is not the matrix's size");
    std::vector<double> mu(static_cast<std::size_t>(moments), 0.0);
    auto dot = [&](const std::vector<std::complex<double>>& u, const std::vector<std::complex<double>>& v) {  // Re⟨u|v⟩
        double sum = 0.0;
        for (std::size_t i = 0; i < u.size(); ++i) sum += u[i].real() * v[i].real() + u[i].imag() * v[i].imag();
        return sum;
    };
    // v_n = T_n(H̃)|r⟩ by v_{n+1} = 2H̃v_n − v_{n−1}, and the moments two at a time from
    // T_m T_n = (T_{m+n} + T_{|m−n|})/2 (H̃ Hermitian): μ_{2n} = 2⟨v_n|v_n⟩ − μ_0 and
    // μ_{2n−1} = 2 Re⟨v_n|v_{n−1}⟩ − μ_1 — half the sparse products, as kpm_moments.hpp does.
    std::vector<std::complex<double>> previous(r), current(r.size()), next(r.size());
    if (moments > 0) mu[0] = dot(r, r);
    if (moments > 1) {
        H.scaled_apply(previous.data(), current.data(), s.center, s.half_width);
        mu[1] = dot(r, current);
    }
    for (long long n = 1; 2 * n - 1 < moments; ++n) {
        throw_if_stopped();  // an atomic load, against a product over the whole box
        if (2 * n < moments) mu[static_cast<std::size_t>(2 * n)] = 2.0 * dot(current, current) - mu[0];
        if (n >= 2) mu[static_cast<std::size_t>(2 * n - 1)] = 2.0 * dot(current, previous) - mu[1];
        if (2 * n + 1 >= moments) break;
        H.scaled_apply(current.data(), next.data(), s.center, s.half_width);
        for (std::size_t i = 0; i < r.size(); ++i) next[i] = 2.0 * next[i] - previous[i];
        previous.swap(current);
        current.swap(next);
    }
    std::vector<double> sums(levels);
    for (std::size_t j = 0; j < levels; ++j) sums[j] = chebyshev_sum(series.c[j].data(), mu.data(), moments);
    return sums;
}

std::vector<double> vector_fermi_diagonal(const SparseHamiltonian& H, ChebyshevScale s, const FermiSeries& series,
                                          const std::vector<std::complex<double>>& r, const std::vector<long long>& support) {
    const std::size_t levels = series.c.size(), S = support.size();
    const long long moments = levels > 0 ? static_cast<long long>(series.c[0].size()) : 0;
    if (static_cast<long long>(r.size()) != H.dim) throw std::logic_error("vector_fermi_diagonal: the vector is not the matrix's size");
    for (long long o : support)
        if (o < 0 || o >= H.dim) throw std::logic_error("vector_fermi_diagonal: the support names no orbital of the matrix");
    // (f(H)|r⟩)_o per level at the support: Σ_n c[level][n] (v_n)_o, v_n = T_n(H̃)|r⟩.
    std::vector<std::complex<double>> sum(S * levels, 0.0);
    auto add = [&](const std::vector<std::complex<double>>& v, long long n) {
        for (std::size_t i = 0; i < S; ++i) {
            const std::complex<double> x = v[static_cast<std::size_t>(support[i])];
            for (std::size_t j = 0; j < levels; ++j) sum[i * levels + j] += series.c[j][static_cast<std::size_t>(n)] * x;
        }
    };
    std::vector<std::complex<double>> previous(r), current(r.size()), next(r.size());
    if (moments > 0) add(previous, 0);
    if (moments > 1) {
        H.scaled_apply(previous.data(), current.data(), s.center, s.half_width);
        add(current, 1);
    }
    for (long long n = 2; n < moments; ++n) {
        throw_if_stopped();  // an atomic load, against a product over the whole box
        H.scaled_apply(current.data(), next.data(), s.center, s.half_width);
        for (std::size_t i = 0; i < r.size(); ++i) next[i] = 2.0 * next[i] - previous[i];
        add(next, n);
        previous.swap(current);
        current.swap(next);
    }
    std::vector<double> value(S * levels);
    for (std::size_t i = 0; i < S; ++i)
        for (std::size_t j = 0; j < levels; ++j) value[i * levels + j] = (std::conj(r[static_cast<std::size_t>(support[i])]) * sum[i * levels + j]).real();
    return value;
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
    if (b == Backend::cuda) {
        std::vector<double> c;
        for (const auto& level : series.c) c.insert(c.end(), level.begin(), level.end());
        std::vector<cuda::HostCsr> matrices;
        for (const SparseHamiltonian& h : H)
            matrices.push_back({h.dim, static_cast<long long>(h.column.size()), h.row_start.data(), h.column.data(), h.value.data()});
        return cuda::kpm_diagonal(matrices, s.center, s.half_width, moments, c, jobs, &progress);
    }
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
