// Exact wide-band fermionic reservoir (rate Γ per orbital, temperature T, chemical potential
// μ) for the same per-k problem as the RTA/DPA QME, by the auxiliary-mode hierarchy of a
// Padé expansion of the Fermi function (docs/exact.md):
//   dρ/dt   = −i[H(t), ρ] − 2Γρ + Γ·1 + Σ_p (Π_p + Π_p†),
//   dΠ_p/dt = −i(H(t) − μ)Π_p − (Γ + ζ_p T)Π_p − 2iΓ η_p T·1,
// with f(x) = ½ − Σ_p η_p[(x/T + iζ_p)⁻¹ + (x/T − iζ_p)⁻¹]. Orbital basis, N×N. The scalar
// decays 2Γ and a_p = Γ + ζ_p T are integrated exactly by ETDRK4 (etdrk4.hpp), so the high
// poles do not limit the step. The state (ρ, Π_1..Π_P) lives in a caller-provided workspace.
#pragma once
#include "bzint/qme/monitor.hpp"
#include "bzint/qme/etdrk4.hpp"
#include "bzint/qme/nband_dc.hpp"

namespace bzint {

struct ReservoirPoles {
    int P;
    const double* zeta;
    const double* eta;
};

// The hierarchy's parameters for one step size h: coef[0] for ρ (λ = −2Γ), coef[1 + p] for
// pole p (λ = −a_p), coef_free for undamped blocks (λ = 0: the period propagator, currents).
struct ExactParams {
    double gamma;
    ReservoirPoles poles;
    const EtdCoefficients* coef;
    EtdCoefficients coef_free;
};

// n_Γ(ε) from the pole sum: the hierarchy's own static occupation,
// ½ − 2T Σ_p η_p x/(x² + (Γ + ζ_p T)²), x = ε − μ.
BZINT_HD double broadened_occupation(double e, double gamma, double mu, double T, const ReservoirPoles& poles) {
    const double x = e - mu;
    double n = 0.5;
    for (int p = 0; p < poles.P; ++p) {
        const double a = gamma + poles.zeta[p] * T;
        n -= 2.0 * T * poles.eta[p] * x / (x * x + a * a);
    }
    return n;
}

template <int N>
BZINT_HD long long exact_workspace(int P) {  // complex numbers per k or line
    return 10LL * (1 + P) * N * N + N * N * N * N;  // z, 8 stage blocks, Π(0), the ρ fixed-point matrix
}

namespace detail {

// Whether U, the one-period propagator of −i(H − μ), grew: ‖U‖_F² > N (1 + kGrowthTolerance).
// The exact U is unitary (‖U‖_F² = N). RK4 (ETDRK4 with λ = 0) multiplies a mode of frequency ω
// by R(ihω) a step, |R(iy)|² = 1 − y⁶/72 + y⁸/576: below 1 for |y| < 2√2, where U contracts
// slightly (an accuracy matter, which the step-halving estimate reports: qwz's line through Γ at
// 256 steps a period loses 2.5 %), above 1 beyond, where U grows as |R|^steps — a step too long
// for the bands' energies. (qwz at E = 0.05 with 64 steps a period gave currents of 1e201, which
// only the step-halving estimate's 7 % flagged, as a warning.)
constexpr double kGrowthTolerance = 0.1;
template <int N>
BZINT_HD bool propagator_grew(const cplx* U) {
    double f = 0.0;
    for (int e = 0; e < N * N; ++e) f += norm2(U[e]);
    return !(f <= N * (1.0 + kGrowthTolerance));
}

template <int N>
BZINT_HD void left_mul_minus_i(const cplx (&H)[N][N], double shift, const cplx* X, cplx* out) {  // out = −i(H − shift)X
    for (int i = 0; i < N; ++i)
        for (int j = 0; j < N; ++j) {
            cplx s = {0.0, 0.0};
            for (int k = 0; k < N; ++k) s += H[i][k] * X[k * N + j];
            s -= shift * X[i * N + j];
            out[i * N + j] = {s.im, -s.re};
        }
}

// The non-stiff part N(z) of the hierarchy (the full RHS plus the scalar decays). With
// `first_is_U` the first block is the period propagator U (dU/dt = −i(H − μ)U) instead of ρ.
template <int N>
BZINT_HD void exact_nonstiff(const ExactParams& x, double mu, double T, const cplx (&H)[N][N], const cplx* z, cplx* dz,
                             bool first_is_U) {
    constexpr int M = N * N;
    if (first_is_U) {
        left_mul_minus_i<N>(H, mu, z, dz);
    } else {
        for (int i = 0; i < N; ++i)
            for (int j = 0; j < N; ++j) {
                cplx c = {0.0, 0.0};
                for (int k = 0; k < N; ++k) c += H[i][k] * z[k * N + j] - z[i * N + k] * H[k][j];
                dz[i * N + j] = {c.im, -c.re};
            }
        for (int i = 0; i < N; ++i) dz[i * N + i].re += x.gamma;
        for (int p = 0; p < x.poles.P; ++p) {
            const cplx* Pi = z + M * (1 + p);
            for (int i = 0; i < N; ++i)
                for (int j = 0; j < N; ++j) dz[i * N + j] += Pi[i * N + j] + conj(Pi[j * N + i]);
        }
    }
    for (int p = 0; p < x.poles.P; ++p) {
        left_mul_minus_i<N>(H, mu, z + M * (1 + p), dz + M * (1 + p));
        for (int i = 0; i < N; ++i) dz[M * (1 + p) + i * N + i].im -= 2.0 * x.gamma * x.poles.eta[p] * T;
    }
}

template <int N, class Model>
BZINT_HD void exact_snapshot(const Model& model, const QmeParams& q, const double k0[3], double t, NBandSnapshot<N>& s,
                             const NBandSnapshot<N>* guess = nullptr) {
    double k[3];
    for (int a = 0; a < 3; ++a) k[a] = k0[a] - q.E[a] * t;
    QmeParams plain = q;
    plain.kind = Dissipation::none;  // H, ∂H and the band projectors only
    nband_snapshot<N>(model, plain, k, s, guess);
}

template <int N>
BZINT_HD void exact_current(const NBandSnapshot<N>& s, const cplx* rho, double j[3], double ji[3]) {
    cplx r[N][N];
    for (int i = 0; i < N; ++i)
        for (int k = 0; k < N; ++k) r[i][k] = rho[i * N + k];
    nband_current<N>(s, r, j, ji);
}

template <int N>
BZINT_HD void exact_equilibrium_current(const NBandSnapshot<N>& s, double gamma, double mu, double T,
                                        const ReservoirPoles& poles, double j[3]) {
    for (int a = 0; a < 3; ++a) {
        double t = 0.0;
        for (int al = 0; al < N; ++al) t += broadened_occupation(s.e[al], gamma, mu, T, poles) * s.v[a][al];
        j[a] = -t;
    }
}

// Simpson's rule for the broadened equilibrium current over one step.
template <int N>
BZINT_HD void add_exact_equilibrium(const ExactParams& x, const QmeParams& q, const NBandSnapshot<N>& s0,
                                    const NBandSnapshot<N>& s1, const NBandSnapshot<N>& s2, double h, double* jeq) {
    double e0[3], e1[3], e2[3];
    exact_equilibrium_current<N>(s0, x.gamma, q.mu, q.T, x.poles, e0);
    exact_equilibrium_current<N>(s1, x.gamma, q.mu, q.T, x.poles, e1);
    exact_equilibrium_current<N>(s2, x.gamma, q.mu, q.T, x.poles, e2);
    for (int a = 0; a < 3; ++a) jeq[a] += h / 6.0 * (e0[a] + 4.0 * e1[a] + e2[a]);
}

// One ETDRK4 step of z (S = (1 + P)N² entries) from snapshots at t, t + h/2, t + h; with J
// non-null the current integrals (λ = 0 blocks) ride along. w: 8S scratch entries.
template <int N>
BZINT_HD void exact_step(const ExactParams& x, const QmeParams& q, const NBandSnapshot<N>& s0,
                         const NBandSnapshot<N>& s1, const NBandSnapshot<N>& s2, cplx* z, cplx* w, bool first_is_U,
                         double* J, double* Ji) {
    constexpr int M = N * N;
    const int S = (1 + x.poles.P) * M;
    cplx *n0 = w, *na = w + S, *nb = w + 2 * S, *nc = w + 3 * S, *a = w + 4 * S, *b = w + 5 * S, *c = w + 6 * S;
    auto coef = [&](int e) -> const EtdCoefficients& { return (e < M && first_is_U) ? x.coef_free : x.coef[e / M]; };
    double j0[3], ja[3], jb[3], jc[3], i0[3], ia[3], ib[3], ic[3];
    const bool cur = J != nullptr;
    exact_nonstiff<N>(x, q.mu, q.T, s0.p.H, z, n0, first_is_U);
    if (cur) exact_current<N>(s0, z, j0, i0);
    for (int e = 0; e < S; ++e) a[e] = coef(e).E2 * z[e] + coef(e).Q * n0[e];
    exact_nonstiff<N>(x, q.mu, q.T, s1.p.H, a, na, first_is_U);
    if (cur) exact_current<N>(s1, a, ja, ia);
    for (int e = 0; e < S; ++e) b[e] = coef(e).E2 * z[e] + coef(e).Q * na[e];
    exact_nonstiff<N>(x, q.mu, q.T, s1.p.H, b, nb, first_is_U);
    if (cur) exact_current<N>(s1, b, jb, ib);
    for (int e = 0; e < S; ++e) c[e] = coef(e).E2 * a[e] + coef(e).Q * (2.0 * nb[e] - n0[e]);
    exact_nonstiff<N>(x, q.mu, q.T, s2.p.H, c, nc, first_is_U);
    if (cur) exact_current<N>(s2, c, jc, ic);
    for (int e = 0; e < S; ++e) {
        const EtdCoefficients& k = coef(e);
        z[e] = k.E * z[e] + k.f1 * n0[e] + 2.0 * (k.f2 * (na[e] + nb[e])) + k.f3 * nc[e];
    }
    if (cur) {
        const EtdCoefficients& k = x.coef_free;  // = RK4 weights h/6, h/3, h/3, h/6
        for (int d = 0; d < 3; ++d) {
            J[d] += k.f1.re * j0[d] + 2.0 * k.f2.re * (ja[d] + jb[d]) + k.f3.re * jc[d];
            Ji[d] += k.f1.re * i0[d] + 2.0 * k.f2.re * (ia[d] + ib[d]) + k.f3.re * ic[d];
        }
    }
}

template <int N>
BZINT_HD bool solve_complex(cplx (&A)[N][N], cplx (&B)[N][N]) {  // A X = B, partial pivoting
    for (int c = 0; c < N; ++c) {
        int piv = c;
        for (int r = c + 1; r < N; ++r)
            if (norm2(A[r][c]) > norm2(A[piv][c])) piv = r;
        if (!(norm2(A[piv][c]) > 0.0)) return false;
        for (int k = 0; k < N; ++k) {
            const cplx t = A[c][k];
            A[c][k] = A[piv][k];
            A[piv][k] = t;
            const cplx u = B[c][k];
            B[c][k] = B[piv][k];
            B[piv][k] = u;
        }
        for (int r = c + 1; r < N; ++r) {
            const cplx f = cdiv(A[r][c], A[c][c]);
            for (int k = 0; k < N; ++k) {
                A[r][k] -= f * A[c][k];
                B[r][k] -= f * B[c][k];
            }
        }
    }
    for (int r = N - 1; r >= 0; --r)
        for (int k = 0; k < N; ++k) {
            cplx s = B[r][k];
            for (int c = r + 1; c < N; ++c) s -= A[r][c] * B[c][k];
            B[r][k] = cdiv(s, A[r][r]);
        }
    return true;
}

}  // namespace detail

// The static steady state at a snapshot: ρ = U n_Γ U†, Π_p = −2iΓη_pT U diag(1/(i(ε − μ) + a_p)) U†.
template <int N>
BZINT_HD void exact_static_state(const NBandSnapshot<N>& s, double gamma, double mu, double T,
                                 const ReservoirPoles& poles, cplx* z) {
    constexpr int M = N * N;
    cplx D[N][N], B[N][N];
    for (int al = 0; al < N; ++al)
        for (int be = 0; be < N; ++be) D[al][be] = {al == be ? broadened_occupation(s.e[al], gamma, mu, T, poles) : 0.0, 0.0};
    from_eigenbasis<N>(s.U, D, B);
    for (int e = 0; e < M; ++e) z[e] = B[e / N][e % N];
    for (int p = 0; p < poles.P; ++p) {
        const double a = gamma + poles.zeta[p] * T;
        for (int al = 0; al < N; ++al)
            for (int be = 0; be < N; ++be)
                D[al][be] = al == be ? cdiv({0.0, -2.0 * gamma * poles.eta[p] * T}, {a, s.e[al] - mu}) : cplx{0.0, 0.0};
        from_eigenbasis<N>(s.U, D, B);
        for (int e = 0; e < M; ++e) z[M * (1 + p) + e] = B[e / N][e % N];
    }
}

// Evolves the hierarchy along κ(t) = k0 − E t from the static state at t = 0 for `steps`
// steps of h (the ExactParams' step); returns ρ(t_end) in rho_out (N² entries) and the
// integrated current minus the broadened equilibrium one (not divided by anything).
template <int N, class Model, class Monitor = NoMonitor>
BZINT_HD LineCurrent exact_evolve(const Model& model, const QmeParams& q, const ExactParams& x, const double k0[3],
                                  double h, long long steps, cplx* work, cplx* rho_out, TrajectoryRecord* record,
                                  const Monitor& monitor = Monitor{}) {
    using namespace detail;
    constexpr int M = N * N;
    const int S = (1 + x.poles.P) * M;
    cplx *z = work, *w = work + S;
    NBandSnapshot<N> s0, s1, s2;
    exact_snapshot<N>(model, q, k0, 0.0, s0);
    exact_static_state<N>(s0, x.gamma, q.mu, q.T, x.poles, z);
    double J[3] = {0, 0, 0}, Ji[3] = {0, 0, 0}, jeq[3] = {0, 0, 0};
    bool ok = s0.ok;
    for (long long n = 0; n < steps && ok; ++n) {
        if (!monitor_step<kMonitorStrideExact>(monitor, n)) ok = false;
        if (record && n % record->stride == 0 && record->count < record->capacity) {
            cplx r[N][N];
            for (int e = 0; e < M; ++e) r[e / N][e % N] = z[e];
            record_band_occupations<N>(*record, s0, r, k0[0] - q.E[0] * n * h);
        }
        exact_snapshot<N>(model, q, k0, (n + 0.5) * h, s1, &s0);  // warm-started from the previous point
        exact_snapshot<N>(model, q, k0, (n + 1.0) * h, s2, &s1);
        ok = ok && s1.ok && s2.ok;
        exact_step<N>(x, q, s0, s1, s2, z, w, false, J, Ji);
        add_exact_equilibrium<N>(x, q, s0, s1, s2, h, jeq);
        s0 = s2;
    }
    monitor_end<kMonitorStrideExact>(monitor, steps);
    LineCurrent out{};
    for (int a = 0; a < 3; ++a) {
        out.J[a] = J[a] - jeq[a];
        out.J_intra[a] = Ji[a] - jeq[a];
    }
    if (rho_out)
        for (int e = 0; e < M; ++e) rho_out[e] = z[e];
    out.ok = ok;
    return out;
}

// The continuum trajectory (as two_band_trajectory): from the static state at κ = ±K to ∓K;
// returns (1/2π)∫dκ (j − j_eq). The ExactParams must be built for h = 2K/(|E| steps).
template <int N, class Model, class Monitor = NoMonitor>
BZINT_HD LineCurrent exact_trajectory(const Model& model, const QmeParams& q, const ExactParams& x, double K, long long steps,
                                      cplx* work, cplx* rho_end, TrajectoryRecord* record, const Monitor& monitor = Monitor{}) {
    const double k0[3] = {q.E[0] > 0 ? K : -K, 0.0, 0.0};
    const double h = 2.0 * K / fabs(q.E[0]) / static_cast<double>(steps);
    LineCurrent lc = exact_evolve<N>(model, q, x, k0, h, steps, work, rho_end, record, monitor);
    const double scale = fabs(q.E[0]) / kTwoPi;
    for (int a = 0; a < 3; ++a) {
        lc.J[a] *= scale;
        lc.J_intra[a] *= scale;
    }
    return lc;
}

// The periodic orbit on a lattice line (as two_band_periodic_line). The Π_p do not depend on ρ
// and their homogeneous one-period map is X ↦ e^{−a_p t_p} U X, U the period propagator of
// −i(H − μ); ρ's is X ↦ e^{−2Γ t_p} U X U†. Three passes over the period: (1) U and the
// particular Π_p → Π_p(0) by an N×N solve each; (2) the particular ρ with those Π → ρ(0) by an
// N²×N² solve; (3) the orbit, accumulating the current. The ExactParams' step is period/steps.
template <int N, class Model, class Monitor = NoMonitor>
BZINT_HD LineCurrent exact_periodic_line(const Model& model, const QmeParams& q, const ExactParams& x,
                                         const double k0[3], double period, long long steps, cplx* work,
                                         const Monitor& monitor = Monitor{}) {
    using namespace detail;
    constexpr int M = N * N;
    const int S = (1 + x.poles.P) * M;
    cplx *z = work, *w = work + S, *pi0 = w + 8 * S, *U = pi0;  // U shares the ρ slot of pi0 (unused there)
    double* A = reinterpret_cast<double*>(pi0 + S);
    const double h = period / static_cast<double>(steps);
    bool ok = true;
    NBandSnapshot<N> s0, s1, s2;
    auto integrate = [&](bool first_is_U, double* J, double* Ji, double* jeq) {
        exact_snapshot<N>(model, q, k0, 0.0, s0);
        for (long long n = 0; n < steps && ok; ++n) {
            if (!monitor_step<kMonitorStrideExact>(monitor, n)) ok = false;
            exact_snapshot<N>(model, q, k0, (n + 0.5) * h, s1, &s0);
            exact_snapshot<N>(model, q, k0, (n + 1.0) * h, s2, &s1);
            ok = ok && s0.ok && s1.ok && s2.ok;
            exact_step<N>(x, q, s0, s1, s2, z, w, first_is_U, J, Ji);
            if (jeq) add_exact_equilibrium<N>(x, q, s0, s1, s2, h, jeq);
            s0 = s2;
        }
        monitor_end<kMonitorStrideExact>(monitor, steps);
    };
    // Pass 1: (U, particular Π_p).
    for (int e = 0; e < S; ++e) z[e] = {0.0, 0.0};
    for (int i = 0; i < N; ++i) z[i * N + i] = {1.0, 0.0};
    integrate(true, nullptr, nullptr, nullptr);
    for (int e = 0; e < M; ++e) U[e] = z[e];
    ok = ok && !propagator_grew<N>(U);
    for (int p = 0; p < x.poles.P; ++p) {  // (1 − e^{−a_p t_p} U) Π_p(0) = c_p
        const double damp = exp(-(x.gamma + x.poles.zeta[p] * q.T) * period);
        cplx Am[N][N], B[N][N];
        for (int i = 0; i < N; ++i)
            for (int j = 0; j < N; ++j) {
                Am[i][j] = cplx{i == j ? 1.0 : 0.0, 0.0} - damp * U[i * N + j];
                B[i][j] = z[M * (1 + p) + i * N + j];
            }
        ok = ok && solve_complex<N>(Am, B);
        for (int i = 0; i < N; ++i)
            for (int j = 0; j < N; ++j) pi0[M * (1 + p) + i * N + j] = B[i][j];
    }
    // ρ's homogeneous map needs U: build 1 − e^{−2Γt_p} U·U† now, in Hermitian coordinates.
    const double damp = exp(-2.0 * x.gamma * period);
    for (int m = 0; m < M; ++m) {
        cplx B[N][N], C[N][N];
        hermitian_basis<N>(m, B);
        for (int i = 0; i < N; ++i)
            for (int j = 0; j < N; ++j) {
                cplx v = {0.0, 0.0};
                for (int k = 0; k < N; ++k)
                    for (int l = 0; l < N; ++l) v += U[i * N + k] * (B[k][l] * conj(U[j * N + l]));
                C[i][j] = B[i][j] - damp * v;
            }
        double col[M];
        hermitian_coords<N>(C, col);
        for (int r = 0; r < M; ++r) A[r * M + m] = col[r];
    }
    // Pass 2: the particular ρ from 0, with the periodic Π.
    for (int e = 0; e < M; ++e) z[e] = {0.0, 0.0};
    for (int e = M; e < S; ++e) z[e] = pi0[e];
    integrate(false, nullptr, nullptr, nullptr);
    double y0[M];
    {
        cplx C[N][N];
        for (int e = 0; e < M; ++e) C[e / N][e % N] = z[e];
        hermitian_coords<N>(C, y0);
    }
    ok = ok && solve_dense(M, A, y0);
    // Pass 3: the orbit.
    for (int e = 0; e < M; ++e) z[e] = {0.0, 0.0};
    for (int m = 0; m < M; ++m) {
        cplx B[N][N];
        hermitian_basis<N>(m, B);
        for (int e = 0; e < M; ++e) z[e] += y0[m] * B[e / N][e % N];
    }
    for (int e = M; e < S; ++e) z[e] = pi0[e];
    double J[3] = {0, 0, 0}, Ji[3] = {0, 0, 0}, jeq[3] = {0, 0, 0};
    integrate(false, J, Ji, jeq);
    LineCurrent out{};
    for (int a = 0; a < 3; ++a) {
        out.J[a] = (J[a] - jeq[a]) / period;
        out.J_intra[a] = (Ji[a] - jeq[a]) / period;
    }
    out.ok = ok && is_finite(out.J[0] + out.J[1] + out.J[2]);
    return out;
}

}  // namespace bzint
