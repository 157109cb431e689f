#include "kpm.hpp"

#include <fftw3.h>

#include <algorithm>
#include <cmath>
#include <complex>
#include <stdexcept>
#include <string>

#include "../stop.hpp"
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

std::vector<double> diagonal_moments(const SparseHamiltonian& H, ChebyshevScale s, long long orbital, long long moments) {
    using cplx = std::complex<double>;
    const std::size_t D = static_cast<std::size_t>(H.dim);
    std::vector<cplx> previous(D), current(D), next(D);
    std::vector<double> mu(static_cast<std::size_t>(moments), 0.0);
    previous[static_cast<std::size_t>(orbital)] = 1.0;  // v_0
    H.scaled_apply(previous.data(), current.data(), s.center, s.half_width);  // v_1
    const double mu0 = 1.0, mu1 = current[static_cast<std::size_t>(orbital)].real();
    mu[0] = mu0;
    if (moments > 1) mu[1] = mu1;
    // With v_{n−1} = previous, v_n = current: μ_{2n} and μ_{2n−1}, then v_{n+1} = 2H̃v_n − v_{n−1}.
    for (long long n = 1; 2 * n - 1 < moments; ++n) {
        double norm = 0.0, overlap = 0.0;
        for (std::size_t i = 0; i < D; ++i) {
            norm += std::norm(current[i]);
            overlap += (std::conj(current[i]) * previous[i]).real();
        }
        if (2 * n < moments) mu[static_cast<std::size_t>(2 * n)] = 2.0 * norm - mu0;
        if (n >= 2) mu[static_cast<std::size_t>(2 * n - 1)] = 2.0 * overlap - mu1;
        if (2 * n + 1 >= moments) break;  // v_{n+1} would give only moments past the last
        H.scaled_apply(current.data(), next.data(), s.center, s.half_width);
        for (std::size_t i = 0; i < D; ++i) next[i] = 2.0 * next[i] - previous[i];
        std::swap(previous, current);
        std::swap(current, next);
        if (n % 16 == 0) throw_if_stopped();
    }
    return mu;
}

}  // namespace bzint
