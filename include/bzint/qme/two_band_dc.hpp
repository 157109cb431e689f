// DC steady states of the two-band QME (two_band_qme.hpp) along κ(t) = k − E t.
//
// Lattice models: with E along a reciprocal vector G, κ returns to itself after the period
// t_p = |G|/|E|, and the steady state on that line is the periodic orbit. The RHS is
// affine, y(t_p) = M y(0) + c, so the orbit is the fixed point (1 − M) y0 = c, found by
// integrating the 4 homogeneous solutions and the particular one over a single period
// (no waiting for transients). The current integrals ride along as extra ODE components,
// so the line's time-averaged current is linear in y0 as well.
//
// Integration: classical RK4 with fixed steps; H(κ) is evaluated at t, t + h/2, t + h.
#pragma once
#include "bzint/qme/monitor.hpp"
#include "bzint/qme/small_linalg.hpp"
#include "bzint/qme/two_band_qme.hpp"

namespace bzint {

struct LineCurrent {
    double J[3];        // ⟨j − j_eq⟩ over the period (or the trajectory integral, see below)
    double J_intra[3];  // its intraband part (Eq. 4); J_inter = J − J_intra
    bool ok;            // false: a degeneracy on the line, a singular one-period map, or (exact reservoir) an unstable step
};

// Occupations recorded along a continuum trajectory (host only): every `stride`-th step's
// (κ, n_−, n_+), up to `capacity` entries.
struct TrajectoryRecord {
    double* kappa;
    double* n_minus;
    double* n_plus;
    int stride;
    int capacity;
    int count;
};

namespace detail {

// L k-points (lanes) advanced in lockstep, in structure-of-arrays form so that the right-hand
// side and the RK4 updates vectorise across lanes; L = 1 is the plain per-k routine (one
// CUDA thread per k). D is the number of current components (the model's dimension). The
// augmented state of one solution is y (4), ∫j (D), ∫j_intra (D). The snapshot itself (H,
// |d|, Fermi functions, DPA sources) is computed by lane_stage from the pieces of
// two_band_qme.hpp.
template <int D>
constexpr int aug_size() {
    return 4 + 2 * D;
}

template <int L, int D>
struct LaneStage {
    double d[3][L], dd0[D][L], dd[D][3][L];  // H = d0 + d·σ and its derivatives
    double dhat[3][L];
    double vbar[D][L];  // d̂·∂_a d (so ∂_a ε_± = ∂_a d0 ± vbar_a)
    double src[4][L];   // the y-independent part of dy/dt
    double jeq[D][L];   // equilibrium current −Σ f ∂ε
    double g1, g2;
    bool ok;
};

// The snapshot at κ_l = k0_l − E_l t_l on every lane. The lanes share every QME parameter but
// the field E (q[0] gives the rest). Each piece of two_band_qme.hpp runs as its own loop over
// the lanes, so that all but the model call and the rare exponentials vectorise: the model
// (it may call sincos) and the Fermi functions / Im ψ′ outside their saturated / asymptotic
// range run per lane.
template <int L, int D, class Model>
BZINT_HD_INLINE void lane_stage(const Model& model, const QmeParams* q, const double (*k0)[3], const double* t,
                                LaneStage<L, D>& st) {
    const QmeParams q0 = q[0];  // a copy: stores to st cannot alias it, so lane loops vectorise
    const QmeRates rates = qme_rates(q0);
    const bool dpa = q0.kind == Dissipation::dpa;
    double d0[L], dEd[3][L];
    for (int l = 0; l < L; ++l) {
        double k[3];
        for (int a = 0; a < 3; ++a) k[a] = k0[l][a] - q[l].E[a] * t[l];
        TwoBandPoint h;
        model(k, h);
        d0[l] = h.d0;
        for (int i = 0; i < 3; ++i) {
            st.d[i][l] = h.d[i];
            // ∂_E d: only the DPA's sources use it (then ∂_E d̂ = 0 for the others)
            dEd[i][l] = dpa ? q[l].E[0] * h.dd[0][i] + q[l].E[1] * h.dd[1][i] + q[l].E[2] * h.dd[2][i] : 0.0;
        }
        for (int a = 0; a < D; ++a) {
            st.dd0[a][l] = h.dd0[a];
            for (int i = 0; i < 3; ++i) st.dd[a][i][l] = h.dd[a][i];
        }
    }
    double dn[L], inv_dn[L], dE_dhat[3][L], ep[L], em[L], fpl[L], fmi[L], fp_pl[L], fp_mi[L];
    long long exact_fermi[L];  // flags as wide as the doubles: 8 lanes fill one vector
    long long bad = 0;
    for (int l = 0; l < L; ++l) {
        const double d[3] = {st.d[0][l], st.d[1][l], st.d[2][l]}, dE[3] = {dEd[0][l], dEd[1][l], dEd[2][l]};
        double dhat[3], dEdh[3];
        snapshot_geometry(d, dE, dn[l], inv_dn[l], dhat, dEdh);
        bad |= !(dn[l] > 0.0) | !is_finite(dn[l]) | !is_finite(dEdh[0] + dEdh[1] + dEdh[2]);
        for (int i = 0; i < 3; ++i) {
            st.dhat[i][l] = dhat[i];
            dE_dhat[i][l] = dEdh[i];
        }
        for (int a = 0; a < D; ++a)
            st.vbar[a][l] = dhat[0] * st.dd[a][0][l] + dhat[1] * st.dd[a][1][l] + dhat[2] * st.dd[a][2][l];
        ep[l] = d0[l] + dn[l];
        em[l] = d0[l] - dn[l];
        const bool sat_p = fermi_and_slope_saturated(ep[l] - q0.mu, q0.T, fpl[l], fp_pl[l]);
        const bool sat_m = fermi_and_slope_saturated(em[l] - q0.mu, q0.T, fmi[l], fp_mi[l]);
        exact_fermi[l] = !(sat_p & sat_m);
    }
    st.ok = bad == 0;
    for (int l = 0; l < L; ++l)
        if (exact_fermi[l]) {
            fermi_and_slope(ep[l] - q0.mu, q0.T, fpl[l], fp_pl[l]);
            fermi_and_slope(em[l] - q0.mu, q0.T, fmi[l], fp_mi[l]);
        }
    for (int l = 0; l < L; ++l) {
        const double dhat[3] = {st.dhat[0][l], st.dhat[1][l], st.dhat[2][l]};
        double src[4];
        relaxation_source(rates.g1, fpl[l], fmi[l], dhat, src);
        for (int i = 0; i < 4; ++i) st.src[i][l] = src[i];
        for (int a = 0; a < D; ++a)
            st.jeq[a][l] = -(st.dd0[a][l] * (fpl[l] + fmi[l]) + st.vbar[a][l] * (fpl[l] - fmi[l]));
    }
    if (dpa) {
        double psi_p[L], psi_m[L];
        long long exact_psi[L];
        for (int l = 0; l < L; ++l) {
            const bool asym_p = psi_slope_asymptotic(ep[l], q0, psi_p[l]);
            const bool asym_m = psi_slope_asymptotic(em[l], q0, psi_m[l]);
            exact_psi[l] = !(asym_p & asym_m);
        }
        for (int l = 0; l < L; ++l)
            if (exact_psi[l]) {
                psi_p[l] = psi_slope(ep[l], q0);
                psi_m[l] = psi_slope(em[l], q0);
            }
        for (int l = 0; l < L; ++l) {
            const double dhat[3] = {st.dhat[0][l], st.dhat[1][l], st.dhat[2][l]};
            const double dEdh[3] = {dE_dhat[0][l], dE_dhat[1][l], dE_dhat[2][l]};
            double src[4] = {st.src[0][l], st.src[1][l], st.src[2][l], st.src[3][l]};
            dpa_source(q0, dn[l], inv_dn[l], dhat, dEdh, ep[l], em[l], fpl[l], fmi[l], fp_pl[l], fp_mi[l], psi_p[l], psi_m[l],
                       src);
            for (int i = 0; i < 4; ++i) st.src[i][l] = src[i];
        }
    }
    st.g1 = rates.g1;
    st.g2 = rates.g2;
}

// dz/dt for one augmented solution on all lanes: ṙ = 2 d × r − g2 r − (g1 − g2)(r·d̂) d̂ + src,
// ȧ = −g1 a + src (two_band_qme.hpp), and the currents j_a = −(∂_a d0 a + ∂_a d·r) (Eq. 3) and
// j_intra,a = −(∂_a d0 a + (d̂·∂_a d)(d̂·r)) (Eq. 4).
template <int L, int D>
BZINT_HD_INLINE void lane_rhs(const LaneStage<L, D>& st, const double (&z)[aug_size<D>()][L],
                       double (&dz)[aug_size<D>()][L], bool homogeneous) {
    const double on = homogeneous ? 0.0 : 1.0;
    for (int l = 0; l < L; ++l) {
        const double r0 = z[1][l], r1 = z[2][l], r2 = z[3][l];
        const double d0 = st.d[0][l], d1 = st.d[1][l], d2 = st.d[2][l];
        const double h0 = st.dhat[0][l], h1 = st.dhat[1][l], h2 = st.dhat[2][l];
        const double rp = r0 * h0 + r1 * h1 + r2 * h2;
        const double a = (st.g1 - st.g2) * rp;  // −g1 r∥ d̂ − g2 (r − r∥ d̂) = −g2 r − (g1 − g2) r∥ d̂
        dz[0][l] = -st.g1 * z[0][l] + on * st.src[0][l];
        dz[1][l] = 2.0 * (d1 * r2 - d2 * r1) - st.g2 * r0 - a * h0 + on * st.src[1][l];
        dz[2][l] = 2.0 * (d2 * r0 - d0 * r2) - st.g2 * r1 - a * h1 + on * st.src[2][l];
        dz[3][l] = 2.0 * (d0 * r1 - d1 * r0) - st.g2 * r2 - a * h2 + on * st.src[3][l];
        for (int c = 0; c < D; ++c) {
            const double base = st.dd0[c][l] * z[0][l];
            dz[4 + c][l] = -(base + st.dd[c][0][l] * r0 + st.dd[c][1][l] * r1 + st.dd[c][2][l] * r2);
            dz[4 + D + c][l] = -(base + st.vbar[c][l] * rp);
        }
    }
}

// Advances `S` augmented solutions (the first n_hom homogeneous) on L lanes by `steps` RK4
// steps of h[l], along κ_l(t) = k0_l − E_l t from t = 0; accumulates the equilibrium current
// (Simpson) into jeq. `record` (host, L = 1) receives every stride-th (κ, n_−, n_+).
template <int L, int D, int S, class Model, class Monitor = NoMonitor>
BZINT_HD bool lane_evolve(const Model& model, const QmeParams* q, const double (*k0)[3], const double* h, long long steps,
                          double (&z)[S][aug_size<D>()][L], int n_hom, double (&jeq)[D][L], TrajectoryRecord* record,
                          const Monitor& monitor = Monitor{}) {
    constexpr int A = aug_size<D>();
    LaneStage<L, D> stages[3];  // rotated, not copied: start, midpoint, end of the step
    LaneStage<L, D>*s0 = &stages[0], *s1 = &stages[1], *s2 = &stages[2];
    double t[L], h_half[L], h_step[L], h_sixth[L];  // local copies: no aliasing with z in the update loops
    for (int l = 0; l < L; ++l) {
        t[l] = 0.0;
        h_step[l] = h[l];
        h_half[l] = 0.5 * h[l];
        h_sixth[l] = h[l] / 6.0;
    }
    lane_stage<L, D>(model, q, k0, t, *s0);
    bool ok = s0->ok;
    for (long long n = 0; n < steps; ++n) {
        if (!monitor_step(monitor, n)) return false;
        if (record && n % record->stride == 0 && record->count < record->capacity) {
            const double par = z[0][1][0] * s0->dhat[0][0] + z[0][2][0] * s0->dhat[1][0] + z[0][3][0] * s0->dhat[2][0];
            record->kappa[record->count] = k0[0][0] - q[0].E[0] * n * h[0];
            record->n_minus[record->count] = 0.5 * (z[0][0][0] - par);
            record->n_plus[record->count] = 0.5 * (z[0][0][0] + par);
            ++record->count;
        }
        for (int l = 0; l < L; ++l) t[l] = (n + 0.5) * h_step[l];
        lane_stage<L, D>(model, q, k0, t, *s1);
        for (int l = 0; l < L; ++l) t[l] = (n + 1.0) * h_step[l];
        lane_stage<L, D>(model, q, k0, t, *s2);
        ok = ok && s1->ok && s2->ok;
        for (int sol = 0; sol < S; ++sol) {
            const bool hom = sol < n_hom;
            double k1[A][L], k2[A][L], k3[A][L], k4[A][L], tmp[A][L], y[A][L];  // y: a local copy of z[sol]
            for (int i = 0; i < A; ++i)
                for (int l = 0; l < L; ++l) y[i][l] = z[sol][i][l];
            lane_rhs<L, D>(*s0, y, k1, hom);
            for (int i = 0; i < A; ++i)
                for (int l = 0; l < L; ++l) tmp[i][l] = y[i][l] + h_half[l] * k1[i][l];
            lane_rhs<L, D>(*s1, tmp, k2, hom);
            for (int i = 0; i < A; ++i)
                for (int l = 0; l < L; ++l) tmp[i][l] = y[i][l] + h_half[l] * k2[i][l];
            lane_rhs<L, D>(*s1, tmp, k3, hom);
            for (int i = 0; i < A; ++i)
                for (int l = 0; l < L; ++l) tmp[i][l] = y[i][l] + h_step[l] * k3[i][l];
            lane_rhs<L, D>(*s2, tmp, k4, hom);
            for (int i = 0; i < A; ++i)
                for (int l = 0; l < L; ++l)
                    z[sol][i][l] = y[i][l] + h_sixth[l] * (k1[i][l] + 2.0 * k2[i][l] + 2.0 * k3[i][l] + k4[i][l]);
        }
        for (int a = 0; a < D; ++a)
            for (int l = 0; l < L; ++l) jeq[a][l] += h_sixth[l] * (s0->jeq[a][l] + 4.0 * s1->jeq[a][l] + s2->jeq[a][l]);
        LaneStage<L, D>* done = s0;  // the end of this step starts the next
        s0 = s2;
        s2 = done;
    }
    monitor_end(monitor, steps);
    return ok;
}

}  // namespace detail

// The periodic-orbit steady states on L lines (starting points k0[l], same field and period):
// returns each line's period-averaged current minus the equilibrium current.
template <int L, class Model, class Monitor = NoMonitor>
BZINT_HD void two_band_periodic_lines(const Model& model, const QmeParams& q, const double (*k0)[3], double period,
                                      long long steps, LineCurrent* out, const Monitor& monitor = Monitor{}) {
    using namespace detail;
    constexpr int D = Model::dim, A = aug_size<D>();
    double z[5][A][L], jeq[D][L], h[L];
    QmeParams ql[L];
    for (int l = 0; l < L; ++l) {
        ql[l] = q;
        h[l] = period / static_cast<double>(steps);
        for (int a = 0; a < D; ++a) jeq[a][l] = 0.0;
        for (int sol = 0; sol < 5; ++sol)
            for (int i = 0; i < A; ++i) z[sol][i][l] = (sol < 4 && i == sol) ? 1.0 : 0.0;
    }
    const bool ok = lane_evolve<L, D, 5>(model, ql, k0, h, steps, z, 4, jeq, nullptr, monitor);
    for (int l = 0; l < L; ++l) {
        double M[16], y0[4];  // fixed point of y ↦ M y + c
        for (int r = 0; r < 4; ++r) {
            for (int c = 0; c < 4; ++c) M[r * 4 + c] = (r == c ? 1.0 : 0.0) - z[c][r][l];
            y0[r] = z[4][r][l];
        }
        out[l].ok = ok && solve_dense(4, M, y0);
        for (int a = 0; a < 3; ++a) {
            out[l].J[a] = out[l].J_intra[a] = 0.0;
            if (a >= D) continue;
            double J = z[4][4 + a][l] - jeq[a][l], Ji = z[4][4 + D + a][l] - jeq[a][l];
            for (int c = 0; c < 4; ++c) {
                J += z[c][4 + a][l] * y0[c];
                Ji += z[c][4 + D + a][l] * y0[c];
            }
            out[l].J[a] = J / period;
            out[l].J_intra[a] = Ji / period;
        }
    }
}

template <class Model, class Monitor = NoMonitor>
BZINT_HD LineCurrent two_band_periodic_line(const Model& model, const QmeParams& q, const double k0[3], double period,
                                            long long steps, const Monitor& monitor = Monitor{}) {
    const double k[1][3] = {{k0[0], k0[1], k0[2]}};
    LineCurrent out;
    two_band_periodic_lines<1>(model, q, k, period, steps, &out, monitor);
    return out;
}

// The first-order (adiabatic) steady state at a snapshot: populations f (their O(E) shift
// (E·∇f)/γ1 is added where it matters, in the tails of dc_current), and the coherence
// ρ_+− = W_+− m of dpa_d1.hpp first_order_coherence (Eq. 8 for the RTA, Eq. 19 for the DPA).
BZINT_HD void two_band_adiabatic_state(const QmeParams& q, const TwoBandPoint& h, const TwoBandSnapshot& s, double y[4]) {
    two_band_equilibrium_state(s, y);
    double w2[3], rot[3];  // w2 = d̂ × ∂_E d̂ = Bloch vector of 2W; i·W ↔ −d̂ × w
    cross3(s.dhat, s.dE_dhat, w2);
    cross3(s.dhat, w2, rot);
    const cplx m = first_order_coherence(q, h.d0 + s.dn, h.d0 - s.dn, s.f_plus, s.f_minus, s.fp_plus, s.fp_minus);
    for (int i = 0; i < 3; ++i) y[1 + i] += m.re * w2[i] - m.im * rot[i];
}

}  // namespace bzint

namespace bzint {

// Continuum trajectories on L lanes (q[l] may differ in E): each from the adiabatic state at
// κ = ±K to ∓K; returns (1/2π)∫dκ (j − j_eq) per lane and the final states.
template <int L, class Model, class Monitor = NoMonitor>
BZINT_HD void two_band_trajectories(const Model& model, const QmeParams* q, double K, long long steps, double (*y_end)[4],
                                    LineCurrent* out, TrajectoryRecord* record, const Monitor& monitor = Monitor{}) {
    using namespace detail;
    constexpr int D = Model::dim, A = aug_size<D>();
    double z[1][A][L], jeq[D][L], h[L], k0[L][3];
    for (int l = 0; l < L; ++l) {
        const double Ex = q[l].E[0];
        k0[l][0] = Ex > 0 ? K : -K;
        k0[l][1] = k0[l][2] = 0.0;
        h[l] = 2.0 * K / fabs(Ex) / static_cast<double>(steps);
        TwoBandPoint hp;
        model(k0[l], hp);
        double y[4];
        two_band_adiabatic_state(q[l], hp, two_band_snapshot(hp, q[l]), y);
        for (int i = 0; i < A; ++i) z[0][i][l] = i < 4 ? y[i] : 0.0;
        for (int a = 0; a < D; ++a) jeq[a][l] = 0.0;
    }
    const bool ok = lane_evolve<L, D, 1>(model, q, k0, h, steps, z, 0, jeq, record, monitor);
    for (int l = 0; l < L; ++l) {
        const double scale = fabs(q[l].E[0]) / kTwoPi;  // dκ = |E| dt
        for (int a = 0; a < 3; ++a) {
            out[l].J[a] = a < D ? scale * (z[0][4 + a][l] - jeq[a][l]) : 0.0;
            out[l].J_intra[a] = a < D ? scale * (z[0][4 + D + a][l] - jeq[a][l]) : 0.0;
        }
        for (int i = 0; i < 4; ++i) y_end[l][i] = z[0][i][l];
        out[l].ok = ok;
    }
}

template <class Model, class Monitor = NoMonitor>
BZINT_HD LineCurrent two_band_trajectory(const Model& model, const QmeParams& q, double K, long long steps, double y_end[4],
                                         TrajectoryRecord* record, const Monitor& monitor = Monitor{}) {
    double y[1][4];
    LineCurrent out;
    two_band_trajectories<1>(model, &q, K, steps, y, &out, record, monitor);
    for (int i = 0; i < 4; ++i) y_end[i] = y[0][i];
    return out;
}

}  // namespace bzint
