// DC steady states of the N-band QME (nband_qme.hpp): the same constructions as
// two_band_dc.hpp — the periodic orbit on a lattice line as the fixed point of the affine
// one-period map, and the continuum trajectory — for an N×N density matrix. The fixed point
// needs the N² homogeneous solutions (a basis of Hermitian matrices) and the particular one;
// their storage lives in a caller-provided workspace (nband_workspace_doubles<N>()).
#pragma once
#include "bzint/qme/monitor.hpp"
#include "bzint/qme/nband_qme.hpp"
#include "bzint/qme/small_linalg.hpp"
#include "bzint/qme/two_band_dc.hpp"

namespace bzint {

template <int N>
struct NBandAug {
    cplx rho[N][N];
    double J[3], Ji[3];
};

template <int N>
constexpr long long nband_workspace_doubles() {
    return (N * N + 1) * static_cast<long long>(sizeof(NBandAug<N>) / sizeof(double)) + N * N * N * N + N * N;
}

namespace detail {

// Coordinates of a Hermitian matrix: ρ_jj, then for j < k Re ρ_jk, Im ρ_jk.
template <int N>
BZINT_HD void hermitian_basis(int m, cplx (&rho)[N][N]) {
    for (int i = 0; i < N; ++i)
        for (int j = 0; j < N; ++j) rho[i][j] = {0.0, 0.0};
    if (m < N) {
        rho[m][m] = {1.0, 0.0};
        return;
    }
    int idx = N;
    for (int j = 0; j < N; ++j)
        for (int k = j + 1; k < N; ++k, idx += 2) {
            if (m == idx) {
                rho[j][k] = {1.0, 0.0};
                rho[k][j] = {1.0, 0.0};
                return;
            }
            if (m == idx + 1) {
                rho[j][k] = {0.0, 1.0};
                rho[k][j] = {0.0, -1.0};
                return;
            }
        }
}

template <int N>
BZINT_HD void hermitian_coords(const cplx (&rho)[N][N], double* y) {
    for (int j = 0; j < N; ++j) y[j] = rho[j][j].re;
    int idx = N;
    for (int j = 0; j < N; ++j)
        for (int k = j + 1; k < N; ++k, idx += 2) {
            y[idx] = rho[j][k].re;
            y[idx + 1] = rho[j][k].im;
        }
}

template <int N>
BZINT_HD void nband_aug_rhs(const QmeParams& q, const NBandSnapshot<N>& s, const NBandAug<N>& z, NBandAug<N>& dz,
                            bool homogeneous) {
    nband_qme_rhs<N>(q, s, z.rho, dz.rho, homogeneous);
    nband_current<N>(s, z.rho, dz.J, dz.Ji);
}

template <int N>
BZINT_HD void axpy(NBandAug<N>& out, const NBandAug<N>& x, double a, const NBandAug<N>& y) {
    for (int i = 0; i < N; ++i)
        for (int j = 0; j < N; ++j) out.rho[i][j] = x.rho[i][j] + a * y.rho[i][j];
    for (int c = 0; c < 3; ++c) {
        out.J[c] = x.J[c] + a * y.J[c];
        out.Ji[c] = x.Ji[c] + a * y.Ji[c];
    }
}

template <int N>
BZINT_HD void nband_rk4(const QmeParams& q, const NBandSnapshot<N>& s0, const NBandSnapshot<N>& s1,
                        const NBandSnapshot<N>& s2, double h, NBandAug<N>& z, bool homogeneous) {
    NBandAug<N> k1, k2, k3, k4, tmp;
    nband_aug_rhs<N>(q, s0, z, k1, homogeneous);
    axpy<N>(tmp, z, 0.5 * h, k1);
    nband_aug_rhs<N>(q, s1, tmp, k2, homogeneous);
    axpy<N>(tmp, z, 0.5 * h, k2);
    nband_aug_rhs<N>(q, s1, tmp, k3, homogeneous);
    axpy<N>(tmp, z, h, k3);
    nband_aug_rhs<N>(q, s2, tmp, k4, homogeneous);
    for (int i = 0; i < N; ++i)
        for (int j = 0; j < N; ++j)
            z.rho[i][j] += (h / 6.0) * (k1.rho[i][j] + 2.0 * k2.rho[i][j] + 2.0 * k3.rho[i][j] + k4.rho[i][j]);
    for (int c = 0; c < 3; ++c) {
        z.J[c] += h / 6.0 * (k1.J[c] + 2.0 * k2.J[c] + 2.0 * k3.J[c] + k4.J[c]);
        z.Ji[c] += h / 6.0 * (k1.Ji[c] + 2.0 * k2.Ji[c] + 2.0 * k3.Ji[c] + k4.Ji[c]);
    }
}

template <int N, class Model>
BZINT_HD void nband_stage(const Model& model, const QmeParams& q, const double k0[3], double t, NBandSnapshot<N>& s,
                          const NBandSnapshot<N>* guess = nullptr) {
    double k[3];
    for (int a = 0; a < 3; ++a) k[a] = k0[a] - q.E[a] * t;
    nband_snapshot<N>(model, q, k, s, guess);
}

// Records (κ, occupation of the lower half of the bands, of the upper half) for ρ (orbital).
template <int N>
BZINT_HD void record_band_occupations(TrajectoryRecord& record, const NBandSnapshot<N>& s, const cplx (&rho)[N][N],
                                      double kappa) {
    cplx r[N][N];
    to_eigenbasis<N>(s, rho, r);
    double lo = 0.0, hi = 0.0;
    for (int al = 0; al < N; ++al) (al < N / 2 ? lo : hi) += r[al][al].re;
    record.kappa[record.count] = kappa;
    record.n_minus[record.count] = lo;
    record.n_plus[record.count] = hi;
    ++record.count;
}

template <int N>
BZINT_HD void add_equilibrium_simpson(const NBandSnapshot<N>& s0, const NBandSnapshot<N>& s1,
                                      const NBandSnapshot<N>& s2, double h, double jeq[3]) {
    double e0[3], e1[3], e2[3];
    nband_equilibrium_current<N>(s0, e0);
    nband_equilibrium_current<N>(s1, e1);
    nband_equilibrium_current<N>(s2, e2);
    for (int a = 0; a < 3; ++a) jeq[a] += h / 6.0 * (e0[a] + 4.0 * e1[a] + e2[a]);
}

}  // namespace detail

template <int N, class Model, class Monitor = NoMonitor>
BZINT_HD LineCurrent nband_periodic_line(const Model& model, const QmeParams& q, const double k0[3], double period,
                                         long long steps, double* work, const Monitor& monitor = Monitor{}) {
    using namespace detail;
    constexpr int M = N * N;
    NBandAug<N>* z = reinterpret_cast<NBandAug<N>*>(work);
    double* A = work + (M + 1) * (sizeof(NBandAug<N>) / sizeof(double));
    double* y0 = A + M * M;
    for (int m = 0; m <= M; ++m) {  // the basis elements, then the particular solution from 0
        hermitian_basis<N>(m < M ? m : 0, z[m].rho);
        if (m == M) z[m].rho[0][0] = {0.0, 0.0};
        for (int c = 0; c < 3; ++c) z[m].J[c] = z[m].Ji[c] = 0.0;
    }
    LineCurrent out{};
    double jeq[3] = {0, 0, 0};
    const double h = period / static_cast<double>(steps);
    NBandSnapshot<N> s0, s1, s2;
    nband_stage<N>(model, q, k0, 0.0, s0);
    bool ok = s0.ok;
    for (long long n = 0; n < steps && ok; ++n) {
        if (!monitor_step<kMonitorStrideNBand>(monitor, n)) ok = false;
        nband_stage<N>(model, q, k0, (n + 0.5) * h, s1, &s0);  // warm-started from the previous point
        nband_stage<N>(model, q, k0, (n + 1.0) * h, s2, &s1);
        ok = ok && s1.ok && s2.ok;
        for (int m = 0; m <= M; ++m) nband_rk4<N>(q, s0, s1, s2, h, z[m], m < M);
        add_equilibrium_simpson<N>(s0, s1, s2, h, jeq);
        s0 = s2;
    }
    monitor_end<kMonitorStrideNBand>(monitor, steps);
    for (int m = 0; m < M; ++m) {  // A = 1 − M (column m: coordinates of the propagated basis element)
        double col[M];
        hermitian_coords<N>(z[m].rho, col);
        for (int r = 0; r < M; ++r) A[r * M + m] = (r == m ? 1.0 : 0.0) - col[r];
    }
    hermitian_coords<N>(z[M].rho, y0);
    ok = ok && solve_dense(M, A, y0);
    for (int a = 0; a < 3; ++a) {
        double J = z[M].J[a] - jeq[a], Ji = z[M].Ji[a] - jeq[a];
        for (int m = 0; m < M; ++m) {
            J += y0[m] * z[m].J[a];
            Ji += y0[m] * z[m].Ji[a];
        }
        out.J[a] = J / period;
        out.J_intra[a] = Ji / period;
    }
    out.ok = ok && is_finite(out.J[0] + out.J[1] + out.J[2]);
    return out;
}

// The continuum trajectory (as two_band_trajectory); `rho_end` receives the final state and
// `record` the occupations of the lower half and upper half of the bands.
template <int N, class Model, class Monitor = NoMonitor>
BZINT_HD LineCurrent nband_trajectory(const Model& model, const QmeParams& q, double K, long long steps,
                                      cplx (&rho_end)[N][N], TrajectoryRecord* record, const Monitor& monitor = Monitor{}) {
    using namespace detail;
    LineCurrent out{};
    const double Ex = q.E[0];
    const double k0[3] = {Ex > 0 ? K : -K, 0.0, 0.0};
    const double duration = 2.0 * K / fabs(Ex), h = duration / static_cast<double>(steps);
    NBandSnapshot<N> s0, s1, s2;
    nband_stage<N>(model, q, k0, 0.0, s0);
    NBandAug<N> z;
    nband_adiabatic_state<N>(q, s0, z.rho);
    for (int c = 0; c < 3; ++c) z.J[c] = z.Ji[c] = 0.0;
    double jeq[3] = {0, 0, 0};
    bool ok = s0.ok;
    for (long long n = 0; n < steps && ok; ++n) {
        if (!monitor_step<kMonitorStrideNBand>(monitor, n)) ok = false;
        if (record && n % record->stride == 0 && record->count < record->capacity)
            record_band_occupations<N>(*record, s0, z.rho, k0[0] - Ex * n * h);
        nband_stage<N>(model, q, k0, (n + 0.5) * h, s1, &s0);  // warm-started from the previous point
        nband_stage<N>(model, q, k0, (n + 1.0) * h, s2, &s1);
        ok = ok && s1.ok && s2.ok;
        nband_rk4<N>(q, s0, s1, s2, h, z, false);
        add_equilibrium_simpson<N>(s0, s1, s2, h, jeq);
        s0 = s2;
    }
    monitor_end<kMonitorStrideNBand>(monitor, steps);
    const double scale = fabs(Ex) / kTwoPi;
    for (int a = 0; a < 3; ++a) {
        out.J[a] = scale * (z.J[a] - jeq[a]);
        out.J_intra[a] = scale * (z.Ji[a] - jeq[a]);
    }
    for (int i = 0; i < N; ++i)
        for (int j = 0; j < N; ++j) rho_end[i][j] = z.rho[i][j];
    out.ok = ok;
    return out;
}

}  // namespace bzint
