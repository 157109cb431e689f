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
    : w_(w), W_(w.tb.num_wann), Q_(4 * w.tb.num_wann * w.tb.num_wann) {
    if (mesh.dim != 3 || mesh.shift != 0.0 || mesh.origin[0] != 0.0 || mesh.origin[1] != 0.0 || mesh.origin[2] != 0.0)
        throw std::logic_error("WannierFft: the FFT path needs a Γ-centred 3D lattice mesh");
    for (int a = 0; a < 3; ++a) {
        N_[a] = static_cast<int>(mesh.n[a]);
        F_[a] = N_[a];
    }
    // Shrink the largest axis to its next smaller divisor until both arrays fit.
    const long long max_points = std::max<long long>(1, static_cast<long long>(budget_bytes / (2 * sizeof(cplx) * Q_)));
    while (static_cast<long long>(F_[0]) * F_[1] * F_[2] > max_points) {
        int a = 0;
        for (int b = 1; b < 3; ++b)
            if (F_[b] > F_[a]) a = b;
        if (F_[a] == 1) break;
        F_[a] = divisor_at_most(N_[a], F_[a] - 1);
    }
    for (int a = 0; a < 3; ++a) D_[a] = N_[a] / F_[a];
    M_ = static_cast<long long>(F_[0]) * F_[1] * F_[2];
    fold_.resize(w.tb.R.size());
    for (std::size_t r = 0; r < w.tb.R.size(); ++r) {
        long long idx = 0;
        for (int a = 0; a < 3; ++a) idx = idx * F_[a] + ((w.tb.R[r][a] % F_[a]) + F_[a]) % F_[a];
        fold_[r] = idx;
    }
    in_ = static_cast<cplx*>(fftw_malloc(sizeof(cplx) * Q_ * M_));
    out_ = static_cast<cplx*>(fftw_malloc(sizeof(cplx) * Q_ * M_));
    if (!in_ || !out_) throw std::bad_alloc();
    // One transform per orbital pair and component: input contiguous, output strided by Q so
    // that each point's 4W² values are contiguous. FFTW_BACKWARD is the e^{+2πi n·ρ/F} sum.
    int dims[3] = {F_[0], F_[1], F_[2]};
    plan_ = fftw_plan_many_dft(3, dims, 1, reinterpret_cast<fftw_complex*>(in_), nullptr, 1, static_cast<int>(M_),
                               reinterpret_cast<fftw_complex*>(out_), nullptr, Q_, 1, FFTW_BACKWARD,
                               FFTW_ESTIMATE | FFTW_UNALIGNED);
    if (!plan_) throw std::runtime_error("FFTW could not plan the Wannier interpolation");
}

WannierFft::~WannierFft() {
    if (plan_) fftw_destroy_plan(static_cast<fftw_plan>(plan_));
    fftw_free(in_);
    fftw_free(out_);
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
    workers::parallel_for(W * W, 1, [&](long long mn0, long long mn1) {
      for (long long mn = mn0; mn < mn1; ++mn) {
        cplx* h = in_ + static_cast<long long>(mn) * M_;
        cplx* d[3];
        for (int a = 0; a < 3; ++a) d[a] = in_ + static_cast<long long>((1 + a) * W * W + mn) * M_;
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
        for (long long q = q0; q < q1; ++q)
            fftw_execute_dft(plan, reinterpret_cast<fftw_complex*>(in_ + q * M_), reinterpret_cast<fftw_complex*>(out_ + q));
    }, keep_going);
    return out_;  // cut short when a stop was requested: the caller checks stop_requested()
}

}  // namespace bzint
