#include "random_trace.hpp"

#include <cmath>
#include <stdexcept>

#include "../stop.hpp"
#include "../workers.hpp"
#include "bzint/splitmix64.hpp"

namespace bzint {

std::vector<int> probing_colours(int orbitals, const int cells[2], const int distance[2]) {
    std::vector<int> colour;
    colour.reserve(static_cast<std::size_t>(orbitals) * static_cast<std::size_t>(cells[0]) * static_cast<std::size_t>(cells[1]));
    for (int n1 = 0; n1 < cells[0]; ++n1)
        for (int n2 = 0; n2 < cells[1]; ++n2)
            for (int a = 0; a < orbitals; ++a) colour.push_back(a + orbitals * ((n1 % distance[0]) * distance[1] + n2 % distance[1]));
    return colour;
}

std::vector<std::complex<double>> random_phase_vector(unsigned long long seed, long long twist, long long index, long long dim) {
    constexpr double kTwoPi = 2.0 * 3.14159265358979323846;
    unsigned long long z = splitmix64_mix(splitmix64_mix(splitmix64_mix(seed + kSplitmix64Increment) + static_cast<unsigned long long>(twist)) +
                                          static_cast<unsigned long long>(index));
    std::vector<std::complex<double>> r(static_cast<std::size_t>(dim));
    for (auto& x : r) {
        const double phi = kTwoPi * splitmix64_unit(z);
        x = {std::cos(phi), std::sin(phi)};
    }
    return r;
}

std::vector<double> random_trace(long long twists, long long dim, const TraceSampling& trace, std::size_t width,
                                 std::size_t variance_width, const VectorSums& sums, Progress& progress) {
    const long long R = trace.draws, C = trace.colours;
    if (R < 1 || variance_width > width) throw std::logic_error("random_trace: no draws, or a variance beyond the sums");
    if (C > 1) {
        // A colour outside 0 … C − 1 would drop its orbitals from every vector: a biased trace.
        bool valid = static_cast<long long>(trace.colour.size()) == dim;
        for (int c : trace.colour) valid = valid && c >= 0 && c < C;
        if (!valid) throw std::logic_error("random_trace: a colour in 0 … colours − 1 per orbital is needed");
    }
    std::vector<double> job_sums(static_cast<std::size_t>(twists * C * R) * width, 0.0);
    workers::parallel_for(
        twists * C * R, 1,
        [&](long long begin, long long end) {
            for (long long job = begin; job < end; ++job) {
                const long long t = job / (C * R), c = (job / R) % C;
                std::vector<std::complex<double>> r = random_phase_vector(trace.seed, t, job % R, dim);
                if (C > 1)
                    for (std::size_t o = 0; o < r.size(); ++o)
                        if (trace.colour[o] != c) r[o] = 0.0;
                const std::vector<double> S = sums(t, r);
                if (S.size() != width) throw std::logic_error("random_trace: a vector's sums are not `width` numbers");
                std::copy(S.begin(), S.end(), job_sums.begin() + static_cast<std::ptrdiff_t>(static_cast<std::size_t>(job) * width));
                progress.add(1);
                count_stop_unit();
            }
        },
        [] { return !stop_requested(); });
    throw_if_stopped();
    const std::size_t row_width = width + variance_width;
    std::vector<double> rows(static_cast<std::size_t>(twists) * row_width, 0.0);
    for (long long t = 0; t < twists; ++t) {
        double* row = rows.data() + static_cast<std::size_t>(t) * row_width;
        auto job = [&](long long c, long long k) { return job_sums.data() + static_cast<std::size_t>((t * C + c) * R + k) * width; };
        for (long long k = 0; k < R; ++k)
            for (long long c = 0; c < C; ++c)
                for (std::size_t i = 0; i < width; ++i) row[i] += job(c, k)[i];
        for (std::size_t i = 0; i < width; ++i) row[i] /= double(R);
        if (R < 2) continue;
        // Each colour's sample variance over the draws, summed over the colours (independent), over
        // R: the variance of the draws' mean.
        for (std::size_t i = 0; i < variance_width; ++i) {
            double variance = 0.0;
            for (long long c = 0; c < C; ++c) {
                double mean = 0.0, square = 0.0;
                for (long long k = 0; k < R; ++k) mean += job(c, k)[i];
                mean /= double(R);
                for (long long k = 0; k < R; ++k) square += (job(c, k)[i] - mean) * (job(c, k)[i] - mean);
                variance += square / (double(R) - 1.0);
            }
            row[width + i] = variance / double(R);
        }
    }
    return rows;
}

}  // namespace bzint
