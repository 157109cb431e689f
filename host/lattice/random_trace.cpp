#include "random_trace.hpp"

#include <algorithm>
#include <array>
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

namespace {

// A colour outside 0 … C − 1 would drop its orbitals from every vector: a biased trace.
void check_colours(long long dim, const TraceSampling& trace) {
    if (trace.draws < 1) throw std::logic_error("random trace: no draws");
    if (trace.colours == 1) return;
    bool valid = static_cast<long long>(trace.colour.size()) == dim;
    for (int c : trace.colour) valid = valid && c >= 0 && c < trace.colours;
    if (!valid) throw std::logic_error("random trace: a colour in 0 … colours − 1 per orbital is needed");
}

}  // namespace

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

TraceJobs::TraceJobs(long long twists, long long dim, const TraceSampling& trace) : twists_(twists), dim_(dim), trace_(trace) {
    check_colours(dim, trace);
}

std::vector<std::complex<double>> TraceJobs::start(long long job) const {
    std::vector<std::complex<double>> r = random_phase_vector(trace_.seed, twist(job), job % trace_.draws, dim_);
    if (trace_.colours > 1) {
        const long long c = colour(job);
        for (std::size_t o = 0; o < r.size(); ++o)
            if (trace_.colour[o] != c) r[o] = 0.0;
    }
    return r;
}

namespace {

// run(job) for every job on the worker pool, as the runners' contract says.
void each_job_on_workers(const TraceJobs& jobs, const std::function<void(long long)>& run, Progress& progress) {
    workers::parallel_for(
        jobs.count(), 1,
        [&](long long begin, long long end) {
            for (long long job = begin; job < end; ++job) {
                run(job);
                progress.add(1);
                count_stop_unit();
            }
        },
        [] { return !stop_requested(); });
    throw_if_stopped();
}

}  // namespace

TraceRunner sums_on_workers(const VectorSums& sums, Progress& progress) {
    return [sums, &progress](const TraceJobs& jobs, const JobValues& take) {
        each_job_on_workers(
            jobs,
            [&](long long job) {
                const std::vector<double> v = sums(jobs.twist(job), jobs.start(job));
                take(job, v.data(), v.size());
            },
            progress);
    };
}

DiagonalRunner diagonal_on_workers(const VectorDiagonal& diagonal, Progress& progress) {
    return [diagonal, &progress](const TraceJobs& jobs, const std::vector<std::vector<long long>>& support, const JobValues& take) {
        each_job_on_workers(
            jobs,
            [&](long long job) {
                const std::vector<long long>& own = support[static_cast<std::size_t>(jobs.colour(job))];
                const std::vector<double> v = diagonal(jobs.twist(job), jobs.start(job), own);
                take(job, v.data(), v.size());
            },
            progress);
    };
}

std::vector<double> random_trace(long long twists, long long dim, const TraceSampling& trace, std::size_t width,
                                 std::size_t variance_width, const VectorSums& sums, Progress& progress) {
    if (variance_width > width) throw std::logic_error("random_trace: a variance beyond the sums");
    const TraceJobs jobs(twists, dim, trace);
    return fold_draws(twists, trace.colours, trace.draws, width, variance_width,
                      random_trace_jobs(jobs, width, sums_on_workers(sums, progress)));
}

std::vector<double> random_trace_jobs(const TraceJobs& jobs, std::size_t width, const TraceRunner& run) {
    std::vector<double> job_sums(static_cast<std::size_t>(jobs.count()) * width, 0.0);
    run(jobs, [&](long long job, const double* values, std::size_t count) {
        if (count != width) throw std::logic_error("random_trace: a vector's sums are not `width` numbers");
        std::copy(values, values + width, job_sums.begin() + static_cast<std::ptrdiff_t>(static_cast<std::size_t>(job) * width));
    });
    return job_sums;
}

std::vector<double> fold_draws(long long twists, long long C, long long R, std::size_t width, std::size_t variance_width,
                               const std::vector<double>& job_sums) {
    if (job_sums.size() != static_cast<std::size_t>(twists * C * R) * width || variance_width > width)
        throw std::logic_error("fold_draws: the job sums are not twists x colours x draws x width, or a variance beyond them");
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

RandomDiagonal random_diagonal(const TraceJobs& jobs, std::size_t width, const std::vector<long long>& selected,
                               const DiagonalRunner& run) {
    const TraceSampling& trace = jobs.sampling();
    const long long R = trace.draws, C = trace.colours, dim = jobs.dim();
    auto colour_of = [&](long long o) { return static_cast<std::size_t>(C > 1 ? trace.colour[static_cast<std::size_t>(o)] : 0); };
    // Each colour's orbitals in increasing order, and where each selected orbital sits among its
    // colour's: {index in the colour, slot in `selected`}.
    std::vector<std::vector<long long>> support(static_cast<std::size_t>(C));
    for (long long o = 0; o < dim; ++o) support[colour_of(o)].push_back(o);
    std::vector<std::vector<std::array<std::size_t, 2>>> picks(static_cast<std::size_t>(C));
    for (std::size_t slot = 0; slot < selected.size(); ++slot) {
        const long long o = selected[slot];
        if (o < 0 || o >= dim) throw std::logic_error("random_diagonal: a selected orbital outside the box");
        const std::vector<long long>& own = support[colour_of(o)];
        picks[colour_of(o)].push_back({static_cast<std::size_t>(std::lower_bound(own.begin(), own.end(), o) - own.begin()), slot});
    }
    RandomDiagonal out;
    const std::size_t S = selected.size();
    out.selected.assign(static_cast<std::size_t>(jobs.twists() * R) * S * width, 0.0);
    out.colour_sums.assign(static_cast<std::size_t>(jobs.count()) * width, 0.0);
    run(jobs, support, [&](long long job, const double* d, std::size_t count) {
        const long long t = jobs.twist(job), c = jobs.colour(job), k = job % R;
        const std::vector<long long>& own = support[static_cast<std::size_t>(c)];
        if (count != own.size() * width) throw std::logic_error("random_diagonal: not `width` numbers per orbital");
        // Every (twist, draw, slot) belongs to one colour's job, and every job its own sums.
        double* sums = out.colour_sums.data() + static_cast<std::size_t>(job) * width;
        for (std::size_t i = 0; i < own.size(); ++i)
            for (std::size_t w = 0; w < width; ++w) sums[w] += d[i * width + w];
        for (const auto& [index, slot] : picks[static_cast<std::size_t>(c)])
            std::copy(d + index * width, d + (index + 1) * width,
                      out.selected.begin() + static_cast<std::ptrdiff_t>(((static_cast<std::size_t>(t * R + k)) * S + slot) * width));
    });
    return out;
}

}  // namespace bzint
