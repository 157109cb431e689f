// The density-matrix solvers behind task dc_current, behind one interface so the sweep, tails
// and line reduction are written once: TwoBandSolver (Bloch form, fast), NBandSolver<N> (N×N,
// instantaneous eigenbasis from the Jacobi solver) and ExactSolver<N> (the exact reservoir).
// Every integration reports its steps to a StepMonitor: progress inside a field, and a stop
// request ends it within kMonitorStride steps.
#pragma once
#include <cmath>
#include <vector>

#include "../progress.hpp"
#include "../stop.hpp"

#include "bzint/qme/exact_reservoir.hpp"
#include "bzint/qme/nband_dc.hpp"
#include "../../kernels/cuda_backend.hpp"
#include "../qme/fermi_poles.hpp"
#include "bzint/qme/two_band_dc.hpp"

namespace bzint {

// Counts the k·steps of `lanes` lines (or trajectories) integrated together; false on a stop.
struct StepMonitor {
    Progress* progress = nullptr;
    long long lanes = 1;
    bool operator()(long long steps) const {
        if (progress) progress->add(steps * lanes);
        return !stop_requested();
    }
};

// The first-order (adiabatic) current minus equilibrium at a point of the tails: total and intraband.
struct FirstOrder {
    double total, intra;
};

template <class Model>
struct TwoBandSolver {
    Model model;
    using State = std::vector<double>;  // (a, r)
    long long work_doubles() const { return 0; }
    static constexpr int kPassesPerLine = 1;  // integrations of the period per line

    // Lines in batches of kLanes (vectorised across lines; the last batch padded).
    static constexpr int kLanes = 8;
    void lines(const QmeParams& q, const double (*k0)[3], int count, double period, long long steps, double*,
               LineCurrent* out, const StepMonitor& monitor) const {
        double k[kLanes][3];
        LineCurrent res[kLanes];
        const int last = count > 1 ? count - 1 : 0;  // pad with the last line
        for (int l = 0; l < kLanes; ++l)
            for (int a = 0; a < 3; ++a) k[l][a] = k0[l < last ? l : last][a];
        two_band_periodic_lines<kLanes>(model, q, k, period, steps, res, StepMonitor{monitor.progress, count});
        for (int l = 0; l < count; ++l) out[l] = res[l];
    }
    void cuda_lines(const ModelParams& mp, const QmeParams& q, const std::vector<double>& k0, double period, long long steps,
                    std::vector<LineCurrent>& out) const {
        cuda::dc_lines(mp, 2, q, k0, period, steps, out);
    }
    LineCurrent trajectory(const QmeParams& q, double K, long long steps, State& end, TrajectoryRecord* rec,
                           const StepMonitor& monitor) const {
        end.assign(4, 0.0);
        return two_band_trajectory(model, q, K, steps, end.data(), rec, monitor);
    }
    // The lane stage (two_band_dc.hpp) at κ, for the single k-point evaluations below.
    detail::LaneStage<1, Model::dim> stage_at(const QmeParams& q, double kappa) const {
        const double k0[1][3] = {{kappa, 0.0, 0.0}}, t[1] = {0.0};
        detail::LaneStage<1, Model::dim> st;
        detail::lane_stage<1, Model::dim>(model, &q, k0, t, st);
        return st;
    }
    // The snapshot and the first-order (adiabatic) state y at κ.
    TwoBandSnapshot adiabatic_at(const QmeParams& q, double kappa, double y[4]) const {
        const double k[3] = {kappa, 0, 0};
        TwoBandPoint h;
        model(k, h);
        const TwoBandSnapshot s = two_band_snapshot(h, q);
        two_band_adiabatic_state(q, h, s, y);
        return s;
    }
    // The first-order current minus equilibrium at κ (x component): total and intraband.
    FirstOrder first_order_current(const QmeParams& q, double kappa) const {
        double y[4];
        const TwoBandSnapshot s = adiabatic_at(q, kappa, y);
        const double g1 = qme_rates(q).g1;
        const auto st = stage_at(q, kappa);
        if (g1 > 0) {  // populations f + E ∂_κ f / γ1 (Eq. 7)
            const double dep = st.dd0[0][0] + st.vbar[0][0], dem = st.dd0[0][0] - st.vbar[0][0];
            const double dnp = q.E[0] * s.fp_plus * dep / g1, dnm = q.E[0] * s.fp_minus * dem / g1;
            y[0] += dnp + dnm;
            for (int i = 0; i < 3; ++i) y[1 + i] += (dnp - dnm) * s.dhat[i];
        }
        constexpr int A = detail::aug_size<Model::dim>();
        double z[A][1] = {}, dz[A][1];
        for (int i = 0; i < 4; ++i) z[i][0] = y[i];
        detail::lane_rhs<1, Model::dim>(st, z, dz, true);  // rows 4.. hold j and j_intra
        return {dz[4][0] - st.jeq[0][0], dz[4 + Model::dim][0] - st.jeq[0][0]};
    }
    static constexpr int kBands = 2;
    // The final state's excess population over the first-order state per band, dn[α] (lower,
    // upper), and the population of the upper band, at κ.
    void end_state(const QmeParams& q, double kappa, const State& y, double* dn, double& upper) const {
        double yad[4];
        const TwoBandSnapshot s = adiabatic_at(q, kappa, yad);
        const double dpar = dot3(y.data() + 1, s.dhat) - dot3(yad + 1, s.dhat), da = y[0] - yad[0];
        dn[0] = 0.5 * (da - dpar);
        dn[1] = 0.5 * (da + dpar);
        upper = 0.5 * (y[0] + dot3(y.data() + 1, s.dhat));
    }
    // The band velocities ∂ε_α/∂κ at κ (lower, upper).
    void velocities(const QmeParams& q, double kappa, double* v) const {
        const auto st = stage_at(q, kappa);
        v[0] = st.dd0[0][0] - st.vbar[0][0];
        v[1] = st.dd0[0][0] + st.vbar[0][0];
    }
    // ε_max − ε_min at k (sets the automatic step).
    double width(const double k[3]) const {
        TwoBandPoint h;
        model(k, h);
        return 2.0 * sqrt(dot3(h.d, h.d));
    }
};

// Solvers without a lane-batched line integrator take lattice lines one at a time.
template <class Solver>
struct OneLinePerBatch {
    static constexpr int kLanes = 1;
    void lines(const QmeParams& q, const double (*k0)[3], int, double period, long long steps, double* work,
               LineCurrent* out, const StepMonitor& monitor) const {
        out[0] = static_cast<const Solver&>(*this).line(q, k0[0], period, steps, work, monitor);
    }
};

template <int N, class Model>
struct NBandSolver : OneLinePerBatch<NBandSolver<N, Model>> {
    Model model;
    using State = std::vector<cplx>;  // ρ, row-major
    long long work_doubles() const { return nband_workspace_doubles<N>(); }
    static constexpr int kPassesPerLine = 1;

    LineCurrent line(const QmeParams& q, const double k0[3], double period, long long steps, double* work,
                     const StepMonitor& monitor) const {
        return nband_periodic_line<N>(model, q, k0, period, steps, work, monitor);
    }
    void cuda_lines(const ModelParams& mp, const QmeParams& q, const std::vector<double>& k0, double period, long long steps,
                    std::vector<LineCurrent>& out) const {
        cuda::dc_lines(mp, N, q, k0, period, steps, out);
    }
    LineCurrent trajectory(const QmeParams& q, double K, long long steps, State& end, TrajectoryRecord* rec,
                           const StepMonitor& monitor) const {
        cplx rho[N][N];
        const LineCurrent lc = nband_trajectory<N>(model, q, K, steps, rho, rec, monitor);
        end.assign(&rho[0][0], &rho[0][0] + N * N);
        return lc;
    }
    void snapshot(const QmeParams& q, double kappa, NBandSnapshot<N>& s) const {
        const double k[3] = {kappa, 0, 0};
        nband_snapshot<N>(model, q, k, s);
    }
    FirstOrder first_order_current(const QmeParams& q, double kappa) const {
        NBandSnapshot<N> s;
        snapshot(q, kappa, s);
        cplx rho[N][N];
        nband_adiabatic_state<N>(q, s, rho);
        const double g1 = qme_rates(q).g1;
        if (g1 > 0)  // populations f + E ∂_κ f / γ1, added in the eigenbasis
            for (int i = 0; i < N; ++i)
                for (int j = 0; j < N; ++j)
                    for (int al = 0; al < N; ++al)
                        rho[i][j] += (q.E[0] * s.fp[al] * s.v[0][al] / g1) * (s.U[i][al] * conj(s.U[j][al]));
        double j[3], ji[3], je[3];
        nband_current<N>(s, rho, j, ji);
        nband_equilibrium_current<N>(s, je);
        return {j[0] - je[0], ji[0] - je[0]};
    }
    static constexpr int kBands = N;
    void end_state(const QmeParams& q, double kappa, const State& y, double* dn, double& upper) const {
        NBandSnapshot<N> s;
        snapshot(q, kappa, s);
        cplx rho[N][N], ad[N][N], r[N][N], rad[N][N];
        for (int i = 0; i < N; ++i)
            for (int j = 0; j < N; ++j) rho[i][j] = y[i * N + j];
        nband_adiabatic_state<N>(q, s, ad);
        to_eigenbasis<N>(s, rho, r);
        to_eigenbasis<N>(s, ad, rad);
        upper = 0.0;
        for (int al = 0; al < N; ++al) {
            dn[al] = r[al][al].re - rad[al][al].re;
            if (al >= N / 2) upper += r[al][al].re;
        }
    }
    void velocities(const QmeParams& q, double kappa, double* v) const {
        NBandSnapshot<N> s;
        snapshot(q, kappa, s);
        for (int al = 0; al < N; ++al) v[al] = s.v[0][al];
    }
    double width(const double k[3]) const {
        QmeParams q{};
        NBandSnapshot<N> s;
        nband_snapshot<N>(model, q, k, s);
        return s.e[N - 1] - s.e[0];
    }
};

// The exact reservoir (exact_reservoir.hpp) for an N-band model (two-band models through
// AsNBand). Holds the Padé poles; the ETDRK4 coefficients are built per step size.
template <int N, class Model>
struct ExactSolver : OneLinePerBatch<ExactSolver<N, Model>> {
    Model model;
    FermiPoles poles;
    long long work_doubles() const { return 2 * exact_workspace<N>(static_cast<int>(poles.zeta.size())); }
    static constexpr int kPassesPerLine = 3;  // exact_periodic_line integrates the period three times

    LineCurrent line(const QmeParams& q, const double k0[3], double period, long long steps, double* work,
                     const StepMonitor& monitor) const {
        const ExactSetup p(poles, q.gamma, q.T, period / static_cast<double>(steps));
        return exact_periodic_line<N>(model, q, p.x, k0, period, steps, reinterpret_cast<cplx*>(work), monitor);
    }
    void cuda_lines(const ModelParams& mp, const QmeParams& q, const std::vector<double>& k0, double period, long long steps,
                    std::vector<LineCurrent>& out) const {
        const ExactSetup p(poles, q.gamma, q.T, period / static_cast<double>(steps));
        cuda::dc_lines_exact(mp, N, q, p.x, k0, period, steps, out);
    }
    using State = std::vector<cplx>;
    LineCurrent trajectory(const QmeParams& q, double K, long long steps, State& end, TrajectoryRecord* rec,
                           const StepMonitor& monitor) const {
        const ExactSetup p(poles, q.gamma, q.T, 2.0 * K / std::fabs(q.E[0]) / static_cast<double>(steps));
        std::vector<cplx> work(exact_workspace<N>(p.x.poles.P));
        end.assign(N * N, cplx{0.0, 0.0});
        return exact_trajectory<N>(model, q, p.x, K, steps, work.data(), end.data(), rec, monitor);
    }
    // No first-order closed form for the exact reservoir: the window must hold the response.
    FirstOrder first_order_current(const QmeParams&, double) const { return {0.0, 0.0}; }
    static constexpr int kBands = N;
    void end_state(const QmeParams& q, double kappa, const State& y, double* dn, double& upper) const {
        NBandSnapshot<N> s;
        plain_snapshot(q, kappa, s);
        const ReservoirPoles rp{static_cast<int>(poles.zeta.size()), poles.zeta.data(), poles.eta.data()};
        cplx rho[N][N], r[N][N];
        for (int i = 0; i < N; ++i)
            for (int j = 0; j < N; ++j) rho[i][j] = y[i * N + j];
        to_eigenbasis<N>(s, rho, r);
        upper = 0.0;
        for (int al = 0; al < N; ++al) {
            dn[al] = r[al][al].re - broadened_occupation(s.e[al], q.gamma, q.mu, q.T, rp);
            if (al >= N / 2) upper += r[al][al].re;
        }
    }
    void velocities(const QmeParams& q, double kappa, double* v) const {
        NBandSnapshot<N> s;
        plain_snapshot(q, kappa, s);
        for (int al = 0; al < N; ++al) v[al] = s.v[0][al];
    }
    // The band structure at κ (without the dissipator's pieces).
    void plain_snapshot(const QmeParams& q, double kappa, NBandSnapshot<N>& s) const {
        const double k[3] = {kappa, 0, 0};
        QmeParams plain = q;
        plain.kind = Dissipation::none;
        nband_snapshot<N>(model, plain, k, s);
    }
    // ‖∂_a H‖₁ at k (the trace norm, Σ|eigenvalues|), a = 0..2: the most Tr[∂_a H ρ] can change
    // when ρ changes by at most 1 in operator norm (the pole error's reach, dc_current.cpp).
    void velocity_trace_norms(const double k[3], double (&out)[3]) const {
        NBandPoint<N> p;
        model(k, p);
        for (int a = 0; a < 3; ++a) {
            cplx A[N][N], V[N][N];
            double e[N];
            for (int i = 0; i < N; ++i)
                for (int j = 0; j < N; ++j) A[i][j] = p.dH[a][i][j];
            hermitian_eigen<N>(A, e, V);
            out[a] = 0.0;
            for (int al = 0; al < N; ++al) out[a] += std::fabs(e[al]);
        }
    }
    double width(const double k[3]) const {
        double lo, hi;
        range(k, lo, hi);
        return hi - lo;
    }
    void range(const double k[3], double& lo, double& hi) const {
        QmeParams q{};
        NBandSnapshot<N> s;
        nband_snapshot<N>(model, q, k, s);
        lo = s.e[0];
        hi = s.e[N - 1];
    }
};

}  // namespace bzint
