#include "wannier_fft.hpp"

#include "../stop.hpp"
#include "../workers.hpp"

#include <fftw3.h>

#include <cmath>
#include <cstring>
#include <stdexcept>

#include "bzint/hd.hpp"
#include "wannier_model.hpp"

namespace bzint {

namespace {

// The largest divisor of n that is at most cap (≥ 1).
int divisor_at_most(int n, long long cap) {
    for (long long d = std::min<long long>(n, cap); d > 1; --d)
        if (n % d == 0) return static_cast<int>(d);
    return 1;
}

}  // namespace

WannierFft::WannierFft(const LoadedWannier& w, const Mesh& mesh, std::size_t budget_bytes)
    : w_(w), W_(w.tb.num_wann), P_(w.tb.num_wann * (w.tb.num_wann + 1) / 2), Q_(4 * P_) {
    if (mesh.dim != 3 || mesh.shift != 0.0 || mesh.origin[0] != 0.0 || mesh.origin[1] != 0.0 || mesh.origin[2] != 0.0)
        throw std::logic_error("WannierFft: the FFT path needs a Γ-centred 3D lattice mesh");
    for (int a = 0; a < 3; ++a) {
        N_[a] = static_cast<int>(mesh.n[a]);
        F_[a] = N_[a];
    }
    // Shrink the largest axis to its next smaller divisor until the table fits (with its padding).
    const long long max_points = std::max<long long>(1, static_cast<long long>(budget_bytes / (sizeof(cplx) * Q_)) - 8);
    while (static_cast<long long>(F_[0]) * F_[1] * F_[2] > max_points) {
        int a = 0;
        for (int b = 1; b < 3; ++b)
            if (F_[b] > F_[a]) a = b;
        if (F_[a] == 1) break;
        F_[a] = divisor_at_most(N_[a], F_[a] - 1);
    }
    for (int a = 0; a < 3; ++a) D_[a] = N_[a] / F_[a];
    M_ = static_cast<long long>(F_[0]) * F_[1] * F_[2];
    // A point's 4P numbers lie one leading dimension apart: an odd number of 64-byte lines, so
    // that they do not all fall into the same cache sets (a power-of-two stride would), and a
    // whole number of lines, so that every table is as aligned as the first for FFTW's SIMD code.
    ld_ = (M_ + 3) / 4 * 4;
    if ((ld_ / 4) % 2 == 0) ld_ += 4;
    fold_.resize(w.tb.R.size());
    for (std::size_t r = 0; r < w.tb.R.size(); ++r) {
        long long idx = 0;
        for (int a = 0; a < 3; ++a) idx = idx * F_[a] + ((w.tb.R[r][a] % F_[a]) + F_[a]) % F_[a];
        fold_[r] = idx;
    }
    table_ = static_cast<cplx*>(fftw_malloc(sizeof(cplx) * Q_ * ld_));
    if (!table_) throw std::bad_alloc();
    // One in-place transform per table. FFTW_BACKWARD is the e^{+2πi n·ρ/F} sum.
    int dims[3] = {F_[0], F_[1], F_[2]};
    auto* data = reinterpret_cast<fftw_complex*>(table_);
    plan_ = fftw_plan_many_dft(3, dims, 1, data, nullptr, 1, static_cast<int>(ld_), data, nullptr, 1,
                               static_cast<int>(ld_), FFTW_BACKWARD, FFTW_ESTIMATE);
    if (!plan_) throw std::runtime_error("FFTW could not plan the Wannier interpolation");
}

WannierFft::~WannierFft() {
    if (plan_) fftw_destroy_plan(static_cast<fftw_plan>(plan_));
    fftw_free(table_);
}

void WannierFft::shift_of(long long chunk, int s[3]) const {
    s[2] = static_cast<int>(chunk % D_[2]);
    chunk /= D_[2];
    s[1] = static_cast<int>(chunk % D_[1]);
    s[0] = static_cast<int>(chunk / D_[1]);
}

const cplx* WannierFft::transform(long long chunk) {
    int s[3];
    shift_of(chunk, s);
    const int W = W_;
    const std::size_t nR = w_.tb.R.size();
    // Phases of the shift: e^{2πi Σ_i s_i r_i/N_i}/ndegen (exact integer arithmetic mod N_i).
    std::vector<cplx> phase(nR);
    for (std::size_t r = 0; r < nR; ++r) {
        double frac = 0.0;
        for (int a = 0; a < 3; ++a) {
            const long long p = (static_cast<long long>(s[a]) * w_.tb.R[r][a]) % N_[a];
            frac += static_cast<double>(p) / N_[a];
        }
        const double t = kTwoPi * frac;
        phase[r] = w_.inv_degen[r] * cplx{std::cos(t), std::sin(t)};
    }
    const auto keep_going = [] { return !stop_requested(); };
    workers::parallel_for(P_, 1, [&](long long p0, long long p1) {
      for (long long pair = p0; pair < p1; ++pair) {
        int m = 0, n = 0;
        hermitian_pair(static_cast<int>(pair), W, m, n);
        const long long mn = static_cast<long long>(m) * W + n;
        cplx* h = table_ + pair * ld_;
        cplx* d[3];
        for (int a = 0; a < 3; ++a) d[a] = table_ + ((1 + a) * static_cast<long long>(P_) + pair) * ld_;
        std::memset(static_cast<void*>(h), 0, sizeof(cplx) * M_);
        for (int a = 0; a < 3; ++a) std::memset(static_cast<void*>(d[a]), 0, sizeof(cplx) * M_);
        for (std::size_t r = 0; r < nR; ++r) {
            const cplx t = phase[r] * w_.H[r * W * W + mn];
            const cplx it = times_i(t);
            const long long at = fold_[r];
            h[at] += t;
            for (int a = 0; a < 3; ++a) d[a][at] += w_.R_cart[3 * r + a] * it;
        }
      }
    }, keep_going);
    const fftw_plan plan = static_cast<fftw_plan>(plan_);
    workers::parallel_for(Q_, 1, [&](long long q0, long long q1) {
        for (long long q = q0; q < q1; ++q) {
            auto* row = reinterpret_cast<fftw_complex*>(table_ + q * ld_);
            fftw_execute_dft(plan, row, row);
        }
    }, keep_going);
    return table_;  // cut short when a stop was requested: the caller checks stop_requested()
}

}  // namespace bzint
