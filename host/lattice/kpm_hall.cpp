#include "kpm_hall.hpp"

#include <fftw3.h>

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

#include "../stop.hpp"
#include "../workers.hpp"
#include "bzint/fermi.hpp"

namespace bzint {

namespace {

constexpr double kPiHall = 3.14159265358979323846;

std::shared_ptr<fftw_plan_s> r2r_plan(long long n, fftw_r2r_kind kind) {
    std::vector<double> in(static_cast<std::size_t>(n)), out(static_cast<std::size_t>(n));
    // Unaligned: each worker executes it on its own arrays (fftw_execute_r2r is thread-safe, the
    // planner is not: plans are made here, on one thread).
    // Preserving the input: bastin_sums relies on its zero padding staying zero.
    const fftw_plan p =
        fftw_plan_r2r_1d(static_cast<int>(n), in.data(), out.data(), kind, FFTW_ESTIMATE | FFTW_UNALIGNED | FFTW_PRESERVE_INPUT);
    if (!p) throw std::runtime_error("FFTW could not plan a DCT of " + std::to_string(n) + " points");
    return {p, fftw_destroy_plan};
}

double node(long long j, long long Q) { return std::cos(kPiHall * (double(j) + 0.5) / double(Q)); }

// The series' tables for M moments: f at the nodes, the resolvent's per-node constants, and the
// tail of the coefficients from a type-II DCT of each row a' < 2M of each level's F (c_{a'b'} =
// (2 − δ_a'0)(2 − δ_b'0)/(2Q) × DCT-II_b'[f h_a']).
BastinSeries tabulate(ChebyshevScale scale, const std::vector<double>& mu, double T, const std::vector<double>& broadening, long long M) {
    BastinSeries s;
    s.scale = scale;
    s.mu = mu;
    s.T = T;
    s.broadening = broadening;
    s.moments = M;
    s.nodes = 2 * M;
    const long long Q = s.nodes;
    const std::size_t q = static_cast<std::size_t>(Q);
    for (double m : mu)
        for (long long j = 0; j < Q; ++j) s.f.push_back(fermi(scale.center + scale.half_width * node(j, Q) - m, T));
    for (double eta : broadening)
        for (long long j = 0; j < Q; ++j) {
            const ResolventSquare r({node(j, Q), -eta / scale.half_width});
            s.square_u.push_back(1.0 / (r.s * r.s));
            s.square_v.push_back(r.z / (r.s * r.s * r.s));
            s.zeta.push_back(r.zeta);
        }
    s.dct = r2r_plan(Q, FFTW_REDFT01);
    const std::shared_ptr<fftw_plan_s> forward = r2r_plan(Q, FFTW_REDFT10);
    // The smallest broadening's coefficients fall slowest: its tail bounds the others'. One level
    // per job on the worker pool (FFTW's execute is thread-safe on the job's own arrays).
    const std::size_t e = static_cast<std::size_t>(std::min_element(broadening.begin(), broadening.end()) - broadening.begin());
    std::vector<double> tails(mu.size(), 0.0);
    workers::parallel_for(
        static_cast<long long>(mu.size()), 1,
        [&](long long begin, long long end) {
            std::vector<double> re(q), im(q), cre(q), cim(q);
            for (std::size_t l = static_cast<std::size_t>(begin); l < static_cast<std::size_t>(end); ++l) {
                std::vector<std::complex<double>> power(q, 1.0);
                double tail = 0.0;
                for (long long a = 0; a < 2 * M; ++a) {
                    if (a % 64 == 0) throw_if_stopped();
                    for (std::size_t j = 0; j < q; ++j) {
                        const std::complex<double> h = power[j] * (double(a) * s.square_u[e * q + j] + s.square_v[e * q + j]);
                        const std::complex<double> g = s.f[l * q + j] * h;
                        re[j] = g.real();
                        im[j] = g.imag();
                        power[j] *= s.zeta[e * q + j];
                    }
                    fftw_execute_r2r(forward.get(), re.data(), cre.data());
                    fftw_execute_r2r(forward.get(), im.data(), cim.data());
                    const double wa = a == 0 ? 1.0 : 2.0;
                    double largest = 0.0, row = 0.0;
                    for (long long b = 0; b < Q; ++b)
                        largest = std::max(largest, std::hypot(cre[static_cast<std::size_t>(b)], cim[static_cast<std::size_t>(b)]));
                    // Coefficients below 1e-14 of their row's largest are the quadrature's rounding
                    // (each is ~1e-16 of the row), not the function's: counted, 2M² of them would
                    // make a floor far above the sum's own rounding.
                    for (long long b = a >= M ? 0 : M; b < Q; ++b) {
                        const double c = std::hypot(cre[static_cast<std::size_t>(b)], cim[static_cast<std::size_t>(b)]);
                        if (c > 1e-14 * largest) row += c;
                    }
                    tail += wa / (2.0 * double(Q)) * 2.0 * row;  // (2 − δ_b'0) ≤ 2
                }
                tails[l] = tail;
            }
        },
        [] { return !stop_requested(); });
    throw_if_stopped();
    for (double t : tails) s.tail = std::max(s.tail, t);
    return s;
}

}  // namespace

ResolventSquare::ResolventSquare(std::complex<double> z_) : z(z_), s(std::sqrt(z_ - 1.0) * std::sqrt(z_ + 1.0)), zeta(z_ - s) {}

BastinRates bastin_rates(ChebyshevScale scale, const std::vector<double>& mu, double T, double broadening) {
    BastinRates r;
    r.broadening = std::asinh(broadening / scale.half_width);
    r.fermi = 1e300;
    for (double m : mu) {
        const std::complex<double> x((m - scale.center) / scale.half_width, kPiHall * T / scale.half_width);
        r.fermi = std::min(r.fermi, std::fabs(std::acosh(x).real()));
    }
    return r;
}

double bastin_moments_needed(ChebyshevScale scale, const std::vector<double>& mu, double T, double broadening, double magnitude,
                             double tolerance) {
    const BastinRates r = bastin_rates(scale, mu, T, broadening);
    const double rate = std::min(r.broadening, r.fermi);
    return std::ceil(std::log(std::max(magnitude / tolerance, 2.0)) / std::max(rate, 1e-300)) + 16.0;
}

BastinSeries bastin_series(ChebyshevScale scale, const std::vector<double>& mu, double T, const std::vector<double>& broadening,
                           double tolerance, long long start, long long limit) {
    long long M = std::max(16LL, std::min(start, limit));
    BastinSeries s = tabulate(scale, mu, T, broadening, M);
    while (s.tail > tolerance && M < limit) {
        M = std::min(limit, M + std::max(16LL, M / 4));
        s = tabulate(scale, mu, T, broadening, M);
    }
    return s;
}

Eigen::MatrixXcd hall_moments(const SparseHamiltonian& H, const std::array<SparseHamiltonian, 2>& V, ChebyshevScale scale,
                              long long moments, const std::vector<std::complex<double>>& r) {
    const Eigen::Index D = static_cast<Eigen::Index>(H.dim), M = static_cast<Eigen::Index>(moments);
    if (static_cast<Eigen::Index>(r.size()) != D || V[0].dim != H.dim || V[1].dim != H.dim)
        throw std::logic_error("hall_moments: the vector and matrices differ in size");
    // Columns a' of left: T_{a'}(H̃) V_1|r⟩, by v_{a'+1} = 2H̃v_{a'} − v_{a'−1}.
    Eigen::MatrixXcd left(D, M);
    Eigen::VectorXcd product(D);
    V[0].scaled_apply(r.data(), left.col(0).data(), 0.0, 1.0);
    for (Eigen::Index a = 1; a < M; ++a) {
        if (a % 16 == 0) throw_if_stopped();
        H.scaled_apply(left.col(a - 1).data(), product.data(), scale.center, scale.half_width);
        if (a == 1)
            left.col(1) = product;
        else
            left.col(a) = 2.0 * product - left.col(a - 2);
    }
    // V_2 T_{b'}(H̃)|r⟩ in blocks of columns, each block's inner products one GEMM: at most 64
    // columns, and at most ~2.5e8 multiply-adds (~0.3 s on a core) between two polls of Ctrl-C.
    const Eigen::Index kBlock = std::clamp<Eigen::Index>(static_cast<Eigen::Index>(2.5e8 / (double(M) * double(D))), 1, 64);
    Eigen::MatrixXcd mu(M, M), right(D, std::min(kBlock, M));
    Eigen::VectorXcd previous = Eigen::Map<const Eigen::VectorXcd>(r.data(), D), current(D), next(D);
    for (Eigen::Index b0 = 0; b0 < M; b0 += kBlock) {
        throw_if_stopped();
        const Eigen::Index nb = std::min(kBlock, M - b0);
        for (Eigen::Index i = 0; i < nb; ++i) {
            const Eigen::Index b = b0 + i;
            // current = T_b(H̃)|r⟩
            if (b == 0) {
                current = previous;
            } else if (b == 1) {
                H.scaled_apply(previous.data(), current.data(), scale.center, scale.half_width);
            } else {
                H.scaled_apply(current.data(), next.data(), scale.center, scale.half_width);
                next = 2.0 * next - previous;
                previous.swap(current);
                current.swap(next);
            }
            V[1].scaled_apply(current.data(), right.col(i).data(), 0.0, 1.0);
        }
        mu.middleCols(b0, nb).noalias() = left.adjoint() * right.leftCols(nb);
    }
    return mu;
}

std::vector<double> bastin_sums(const BastinSeries& series, const Eigen::MatrixXcd& moments) {
    const long long M = series.moments, Q = series.nodes;
    const std::size_t q = static_cast<std::size_t>(Q), levels = series.mu.size(), E = series.broadening.size();
    if (moments.rows() != M || moments.cols() != M) throw std::logic_error("bastin_sums: the moments are not the series' size");
    std::vector<std::complex<double>> sum(E * levels, 0.0), power(E * q, 1.0), g(q);
    std::vector<double> re(q, 0.0), im(q, 0.0), hre(q), him(q);
    for (long long a = 0; a < M; ++a) {
        if (a % 64 == 0) throw_if_stopped();
        // Â_{a'}(y_j) = Σ_{b'} (2 − δ_b'0) T_{b'}(y_j)(μ_{a'b'} − μ_{b'a'}): a type-III DCT (FFTW's
        // REDFT01, Y_j = X_0 + 2 Σ_{b'≥1} X_{b'} cos(π b'(j + ½)/Q)) of the real and imaginary parts.
        for (long long b = 0; b < M; ++b) {
            const std::complex<double> A = moments(a, b) - moments(b, a);
            re[static_cast<std::size_t>(b)] = A.real();
            im[static_cast<std::size_t>(b)] = A.imag();
        }
        fftw_execute_r2r(series.dct.get(), re.data(), hre.data());
        fftw_execute_r2r(series.dct.get(), im.data(), him.data());
        // Σ_{b'} c_{a'b'} A_{a'b'} = (2 − δ_a'0)/Q Σ_j f(y_j) h_{a'}(y_j) Â_{a'}(y_j), h_{a'} the
        // resolvent's a'-th coefficient at z = y_j − iη̃.
        const double wa = (a == 0 ? 1.0 : 2.0) / double(Q);
        for (std::size_t e = 0; e < E; ++e) {
            for (std::size_t j = 0; j < q; ++j) {
                std::complex<double>& p = power[e * q + j];
                g[j] = p * (double(a) * series.square_u[e * q + j] + series.square_v[e * q + j]) * std::complex<double>(hre[j], him[j]);
                p *= series.zeta[e * q + j];
            }
            for (std::size_t l = 0; l < levels; ++l) {
                const double* f = series.f.data() + l * q;
                std::complex<double> acc = 0.0;
                for (std::size_t j = 0; j < q; ++j) acc += f[j] * g[j];
                sum[e * levels + l] += wa * acc;
            }
        }
    }
    // S = −(1/a²) Im Σ c (μ − μᵀ)
    std::vector<double> S(E * levels);
    const double w2 = series.scale.half_width * series.scale.half_width;
    for (std::size_t i = 0; i < S.size(); ++i) S[i] = -sum[i].imag() / w2;
    return S;
}

std::vector<double> twist_bastin_sums(const std::vector<SparseHamiltonian>& H, const std::vector<std::array<SparseHamiltonian, 2>>& V,
                                      const BastinSeries& series, const TraceSampling& trace, Progress& progress) {
    const std::size_t levels = series.mu.size(), E = series.broadening.size(), width = (E + 1) * levels;
    const long long twists = static_cast<long long>(H.size());
    if (static_cast<long long>(V.size()) != twists) throw std::logic_error("twist_bastin_sums: a derivative per twist is needed");
    if (trace.draws == 0) {
        std::vector<double> rows(static_cast<std::size_t>(twists) * width, 0.0);
        // The exact trace: the sums are linear in the moments, so each job sums the moments of a
        // chunk of 64 unit vectors (in the orbitals' order) and takes the sums once; the chunks'
        // sums are added per twist in their order (fixed chunks: the bits do not depend on the threads).
        constexpr long long kChunk = 64;
        const long long dim = twists > 0 ? H[0].dim : 0, chunks = (dim + kChunk - 1) / kChunk;
        std::vector<double> chunk_sums(static_cast<std::size_t>(twists * chunks) * E * levels, 0.0);
        workers::parallel_for(
            twists * chunks, 1,
            [&](long long begin, long long end) {
                for (long long job = begin; job < end; ++job) {
                    const long long t = job / chunks, first = (job % chunks) * kChunk;
                    const SparseHamiltonian& h = H[static_cast<std::size_t>(t)];
                    Eigen::MatrixXcd sum = Eigen::MatrixXcd::Zero(series.moments, series.moments);
                    for (long long o = first; o < std::min(first + kChunk, h.dim); ++o) {
                        std::vector<std::complex<double>> r(static_cast<std::size_t>(h.dim), 0.0);
                        r[static_cast<std::size_t>(o)] = 1.0;
                        sum += hall_moments(h, V[static_cast<std::size_t>(t)], series.scale, series.moments, r);
                        progress.add(1);
                        count_stop_unit();
                    }
                    const std::vector<double> S = bastin_sums(series, sum);
                    std::copy(S.begin(), S.end(), chunk_sums.begin() + static_cast<std::ptrdiff_t>(static_cast<std::size_t>(job) * E * levels));
                }
            },
            [] { return !stop_requested(); });
        throw_if_stopped();
        for (long long t = 0; t < twists; ++t)
            for (long long c = 0; c < chunks; ++c)
                for (std::size_t i = 0; i < E * levels; ++i)
                    rows[static_cast<std::size_t>(t) * width + i] += chunk_sums[static_cast<std::size_t>(t * chunks + c) * E * levels + i];
        return rows;
    }
    return random_trace(
        twists, twists > 0 ? H[0].dim : 0, trace, E * levels, levels,
        [&](long long t, const std::vector<std::complex<double>>& r) {
            return bastin_sums(series, hall_moments(H[static_cast<std::size_t>(t)], V[static_cast<std::size_t>(t)], series.scale, series.moments, r));
        },
        progress);
}

double row_sum_norm(const SparseHamiltonian& A) {
    double norm = 0.0;
    for (long long i = 0; i < A.dim; ++i) {
        double row = 0.0;
        for (long long e = A.row_start[static_cast<std::size_t>(i)]; e < A.row_start[static_cast<std::size_t>(i) + 1]; ++e)
            row += std::abs(A.value[static_cast<std::size_t>(e)]);
        norm = std::max(norm, row);
    }
    return norm;
}

}  // namespace bzint
