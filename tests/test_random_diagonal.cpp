// The diagonal of an operator by probing (host/lattice/random_trace.hpp's random_diagonal) and the
// draws' fold (fold_draws) on a small dense Hermitian matrix, against the estimates written out by
// hand from the same random phases (random_phase_vector).
#include <gtest/gtest.h>

#include <cmath>
#include <complex>
#include <vector>

#include "lattice/random_trace.hpp"
#include "progress.hpp"
#include "workers.hpp"

namespace {

using cd = std::complex<double>;

// A 12 × 12 Hermitian matrix with a distinct diagonal and every element nonzero, per twist t
// (A_t = A_0 + t × the identity): [row × 12 + column].
constexpr long long kDim = 12;
std::vector<cd> matrix(long long t) {
    std::vector<cd> A(kDim * kDim);
    for (long long i = 0; i < kDim; ++i)
        for (long long j = 0; j <= i; ++j) {
            const cd a = i == j ? cd(0.3 * double(i) - 1.0 + double(t), 0.0) : cd(0.1 * std::sin(1.0 + i + 2.0 * j), 0.05 * std::cos(3.0 * i - j));
            A[i * kDim + j] = a;
            A[j * kDim + i] = std::conj(a);
        }
    return A;
}

// Re(r_o* (A r)_o) at the support, two numbers each: the estimate and twice it (a second "level").
std::vector<double> diagonal(long long t, const std::vector<cd>& r, const std::vector<long long>& support) {
    const std::vector<cd> A = matrix(t);
    std::vector<double> d;
    for (long long o : support) {
        cd Ar = 0.0;
        for (long long j = 0; j < kDim; ++j) Ar += A[o * kDim + j] * r[static_cast<std::size_t>(j)];
        const double x = (std::conj(r[static_cast<std::size_t>(o)]) * Ar).real();
        d.insert(d.end(), {x, 2.0 * x});
    }
    return d;
}

}  // namespace

TEST(RandomDiagonal, EachEstimateIsItsOwnColoursTermsWrittenOut) {
    // 12 orbitals in 3 colours (o mod 3), 2 twists, 3 draws, the orbitals {7, 0, 7, 5} selected (7
    // twice): each selected estimate in each draw is A_oo + Re Σ_j φ_o* φ_j A_oj over the orbitals j
    // ≠ o of o's colour, with φ the draw's phases; each job's colour sum is ⟨r_c|A|r_c⟩; both to 1e-13
    // (rounding of sums of 12 terms of order 1).
    bzint::TraceSampling trace{3, 5, 3, {}};
    for (long long o = 0; o < kDim; ++o) trace.colour.push_back(static_cast<int>(o % 3));
    const std::vector<long long> selected{7, 0, 7, 5};
    bzint::Progress quiet("test", 2 * 3 * 3, "vectors");
    const bzint::RandomDiagonal d = bzint::random_diagonal(bzint::TraceJobs(2, kDim, trace), 2, selected, bzint::diagonal_on_workers(diagonal, quiet));
    ASSERT_EQ(d.selected.size(), 2u * 3u * 4u * 2u);
    ASSERT_EQ(d.colour_sums.size(), 2u * 3u * 3u * 2u);
    for (long long t = 0; t < 2; ++t) {
        const std::vector<cd> A = matrix(t);
        for (long long k = 0; k < 3; ++k) {
            const std::vector<cd> phi = bzint::random_phase_vector(5, t, k, kDim);
            for (std::size_t slot = 0; slot < selected.size(); ++slot) {
                const long long o = selected[slot];
                double expected = A[o * kDim + o].real();
                for (long long j = 0; j < kDim; ++j)
                    if (j != o && j % 3 == o % 3) expected += (std::conj(phi[o]) * phi[j] * A[o * kDim + j]).real();
                const std::size_t at = ((static_cast<std::size_t>(t * 3 + k)) * selected.size() + slot) * 2;
                EXPECT_NEAR(d.selected[at], expected, 1e-13) << t << " " << k << " " << o;
                EXPECT_NEAR(d.selected[at + 1], 2.0 * expected, 1e-13) << t << " " << k << " " << o;
            }
            for (long long c = 0; c < 3; ++c) {
                cd sum = 0.0;
                for (long long i = c; i < kDim; i += 3)
                    for (long long j = c; j < kDim; j += 3) sum += std::conj(phi[i]) * A[i * kDim + j] * phi[j];
                EXPECT_NEAR(d.colour_sums[static_cast<std::size_t>((t * 3 + c) * 3 + k) * 2], sum.real(), 1e-13) << t << " " << c << " " << k;
            }
        }
    }
}

TEST(RandomDiagonal, ColourSumsFoldAsTheRandomTrace) {
    // The colour sums, folded by fold_draws, are random_trace's rows for the same phases with
    // ⟨r|A|r⟩ as its vector sums: the mean over the draws of the colours' sum and each colour's
    // spread (1e-13). With every orbital its own colour the selected estimates are A_oo exactly in
    // every draw, with no spread (1e-14).
    bzint::TraceSampling trace{4, 9, 4, {}};
    for (long long o = 0; o < kDim; ++o) trace.colour.push_back(static_cast<int>((o / 2) % 4));
    bzint::Progress quiet("test", 2 * 4 * 4 * 3, "vectors");
    const bzint::RandomDiagonal d = bzint::random_diagonal(bzint::TraceJobs(2, kDim, trace), 2, {}, bzint::diagonal_on_workers(diagonal, quiet));
    const std::vector<double> folded = bzint::fold_draws(2, 4, 4, 2, 2, d.colour_sums);
    const std::vector<double> rows = bzint::random_trace(
        2, kDim, trace, 2, 2,
        [](long long t, const std::vector<cd>& r) {
            const std::vector<cd> A = matrix(t);
            cd sum = 0.0;
            for (long long i = 0; i < kDim; ++i)
                for (long long j = 0; j < kDim; ++j) sum += std::conj(r[i]) * A[i * kDim + j] * r[j];
            return std::vector<double>{sum.real(), 2.0 * sum.real()};
        },
        quiet);
    ASSERT_EQ(folded.size(), rows.size());
    for (std::size_t i = 0; i < rows.size(); ++i) EXPECT_NEAR(folded[i], rows[i], 1e-13) << i;
    bzint::TraceSampling every{3, 2, kDim, {}};
    for (long long o = 0; o < kDim; ++o) every.colour.push_back(static_cast<int>(o));
    std::vector<long long> all;
    for (long long o = 0; o < kDim; ++o) all.push_back(o);
    const bzint::RandomDiagonal exact = bzint::random_diagonal(bzint::TraceJobs(1, kDim, every), 2, all, bzint::diagonal_on_workers(diagonal, quiet));
    const std::vector<cd> A = matrix(0);
    for (long long k = 0; k < 3; ++k)
        for (long long o = 0; o < kDim; ++o) EXPECT_NEAR(exact.selected[static_cast<std::size_t>(k * kDim + o) * 2], A[o * kDim + o].real(), 1e-14);
}

TEST(RandomDiagonal, BitwiseIndependentOfThreadCount) {
    // Each job writes its own slots and sums, and the draws are folded serially in a fixed order:
    // on 1, 2, 3 and 7 threads the estimates, the colour sums and their fold are the same bits.
    bzint::TraceSampling trace{3, 4, 3, {}};
    for (long long o = 0; o < kDim; ++o) trace.colour.push_back(static_cast<int>(o % 3));
    const std::vector<long long> selected{1, 4, 11, 6};
    const int saved = bzint::workers::count();
    std::vector<std::vector<double>> runs;
    for (int threads : {1, 2, 3, 7}) {
        bzint::workers::set_count(threads);
        bzint::Progress quiet("test", 3 * 3 * 3, "vectors");
        const bzint::RandomDiagonal d = bzint::random_diagonal(bzint::TraceJobs(3, kDim, trace), 2, selected, bzint::diagonal_on_workers(diagonal, quiet));
        std::vector<double> v = d.selected;
        v.insert(v.end(), d.colour_sums.begin(), d.colour_sums.end());
        const std::vector<double> folded = bzint::fold_draws(3, 3, 3, 2, 2, d.colour_sums);
        v.insert(v.end(), folded.begin(), folded.end());
        runs.push_back(v);
    }
    bzint::workers::set_count(saved);
    for (std::size_t t = 1; t < runs.size(); ++t)
        for (std::size_t i = 0; i < runs[0].size(); ++i) ASSERT_EQ(runs[t][i], runs[0][i]) << "entry " << i;
}
