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
#include "bzint/qme/small_linalg.hpp"
#include "bzint/qme/two_band_qme.hpp"

namespace bzint {

struct LineCurrent {
    double J[3];        // ⟨j − j_eq⟩ over the period (or the trajectory integral, see below)
    double J_intra[3];  // its intraband part (Eq. 4); J_inter = J − J_intra
    bool ok;            // false: a degeneracy on the line, or a singular one-period map
};

namespace detail {

// Augmented state of one solution: y (4), ∫j (3), ∫j_intra (3).
constexpr int kAug = 10;

template <class Model>
struct TwoBandStage {
    TwoBandPoint h;
    TwoBandSnapshot s;
};

template <class Model>
BZINT_HD void stage_at(const Model& model, const QmeParams& q, const double k0[3], double t, TwoBandStage<Model>& st) {
    double k[3];
    for (int a = 0; a < 3; ++a) k[a] = k0[a] - q.E[a] * t;
    model(k, st.h);
    st.s = two_band_snapshot(st.h, q);
}

template <class Model>
BZINT_HD void aug_rhs(const QmeParams& q, const TwoBandStage<Model>& st, const double* z, double* dz, bool homogeneous) {
    two_band_qme_rhs(q, st.h, st.s, z, dz, homogeneous);
    two_band_current(st.h, st.s, z, dz + 4, dz + 7);
}

// One RK4 step of `count` augmented solutions (the first n_hom are homogeneous).
template <class Model>
BZINT_HD void rk4_step(const QmeParams& q, const TwoBandStage<Model>& s0, const TwoBandStage<Model>& s1,
                       const TwoBandStage<Model>& s2, double h, double (*z)[kAug], int count, int n_hom) {
    for (int sol = 0; sol < count; ++sol) {
        const bool hom = sol < n_hom;
        double k1[kAug], k2[kAug], k3[kAug], k4[kAug], tmp[kAug];
        aug_rhs(q, s0, z[sol], k1, hom);
        for (int i = 0; i < kAug; ++i) tmp[i] = z[sol][i] + 0.5 * h * k1[i];
        aug_rhs(q, s1, tmp, k2, hom);
        for (int i = 0; i < kAug; ++i) tmp[i] = z[sol][i] + 0.5 * h * k2[i];
        aug_rhs(q, s1, tmp, k3, hom);
        for (int i = 0; i < kAug; ++i) tmp[i] = z[sol][i] + h * k3[i];
        aug_rhs(q, s2, tmp, k4, hom);
        for (int i = 0; i < kAug; ++i) z[sol][i] += h / 6.0 * (k1[i] + 2.0 * k2[i] + 2.0 * k3[i] + k4[i]);
    }
}

template <class Model>
BZINT_HD bool stage_finite(const TwoBandStage<Model>& st) {
    return st.s.dn > 0.0 && is_finite(st.s.dn) && is_finite(st.s.dE_dhat[0] + st.s.dE_dhat[1] + st.s.dE_dhat[2]);
}

}  // namespace detail

// The periodic-orbit steady state on the line through k0 (period t_p, `steps` RK4 steps):
// returns the period-averaged current minus the equilibrium current.
template <class Model>
BZINT_HD LineCurrent two_band_periodic_line(const Model& model, const QmeParams& q, const double k0[3], double period,
                                            int steps) {
    using namespace detail;
    LineCurrent out{};
    double z[5][kAug];
    for (int s = 0; s < 5; ++s)
        for (int i = 0; i < kAug; ++i) z[s][i] = (s < 4 && i == s) ? 1.0 : 0.0;
    double jeq[3] = {0, 0, 0};
    const double h = period / steps;
    TwoBandStage<Model> s0, s1, s2;
    stage_at(model, q, k0, 0.0, s0);
    bool ok = stage_finite(s0);
    double e0[3], e1[3], e2[3];  // Simpson for the equilibrium current (RK4's weights)
    two_band_equilibrium_current(s0.h, s0.s, e0);
    for (int n = 0; n < steps; ++n) {
        const double t = n * h;
        stage_at(model, q, k0, t + 0.5 * h, s1);
        stage_at(model, q, k0, t + h, s2);
        ok = ok && stage_finite(s1) && stage_finite(s2);
        rk4_step(q, s0, s1, s2, h, z, 5, 4);
        two_band_equilibrium_current(s1.h, s1.s, e1);
        two_band_equilibrium_current(s2.h, s2.s, e2);
        for (int a = 0; a < 3; ++a) {
            jeq[a] += h / 6.0 * (e0[a] + 4.0 * e1[a] + e2[a]);
            e0[a] = e2[a];
        }
        s0 = s2;
    }
    // Fixed point of y ↦ M y + c.
    double A[16], y0[4];
    for (int r = 0; r < 4; ++r) {
        for (int c = 0; c < 4; ++c) A[r * 4 + c] = (r == c ? 1.0 : 0.0) - z[c][r];
        y0[r] = z[4][r];
    }
    ok = ok && solve_dense(4, A, y0);
    for (int a = 0; a < 3; ++a) {
        double J = z[4][4 + a] - jeq[a], Ji = z[4][7 + a] - jeq[a];
        for (int c = 0; c < 4; ++c) {
            J += z[c][4 + a] * y0[c];
            Ji += z[c][7 + a] * y0[c];
        }
        out.J[a] = J / period;
        out.J_intra[a] = Ji / period;
    }
    out.ok = ok;
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

// One continuum trajectory (1D models, E along x): κ runs from +K to −K (E > 0; reversed
// for E < 0), starting in the adiabatic state. Returns (1/2π)∫_{−K}^{K} dκ (j − j_eq) in J
// and the final state in y_end; `record` (host only, may be null) receives every
// `stride`-th (κ, n_−, n_+).
struct TrajectoryRecord {
    double* kappa;
    double* n_minus;
    double* n_plus;
    int stride;
    int capacity;
    int count;
};

template <class Model>
BZINT_HD LineCurrent two_band_trajectory(const Model& model, const QmeParams& q, double K, int steps, double y_end[4],
                                         TrajectoryRecord* record) {
    using namespace detail;
    LineCurrent out{};
    const double Ex = q.E[0];
    const double k0[3] = {Ex > 0 ? K : -K, 0.0, 0.0};
    const double duration = 2.0 * K / fabs(Ex), h = duration / steps;
    TwoBandStage<Model> s0, s1, s2;
    stage_at(model, q, k0, 0.0, s0);
    double z[1][kAug] = {};
    two_band_adiabatic_state(q, s0.h, s0.s, z[0]);
    double jeq[3] = {0, 0, 0};
    bool ok = stage_finite(s0);
    for (int n = 0; n < steps; ++n) {
        if (record && n % record->stride == 0 && record->count < record->capacity) {
            record->kappa[record->count] = k0[0] - Ex * n * h;
            const double par = dot3(z[0] + 1, s0.s.dhat);
            record->n_minus[record->count] = 0.5 * (z[0][0] - par);
            record->n_plus[record->count] = 0.5 * (z[0][0] + par);
            ++record->count;
        }
        const double t = n * h;
        stage_at(model, q, k0, t + 0.5 * h, s1);
        stage_at(model, q, k0, t + h, s2);
        ok = ok && stage_finite(s1) && stage_finite(s2);
        rk4_step(q, s0, s1, s2, h, z, 1, 0);
        double e0[3], e1[3], e2[3];  // (recomputed: this loop also records occupations)
        two_band_equilibrium_current(s0.h, s0.s, e0);
        two_band_equilibrium_current(s1.h, s1.s, e1);
        two_band_equilibrium_current(s2.h, s2.s, e2);
        for (int a = 0; a < 3; ++a) jeq[a] += h / 6.0 * (e0[a] + 4.0 * e1[a] + e2[a]);
        s0 = s2;
    }
    const double scale = fabs(Ex) / kTwoPi;  // dκ = |E| dt
    for (int a = 0; a < 3; ++a) {
        out.J[a] = scale * (z[0][4 + a] - jeq[a]);
        out.J_intra[a] = scale * (z[0][7 + a] - jeq[a]);
    }
    for (int i = 0; i < 4; ++i) y_end[i] = z[0][i];
    out.ok = ok;
    return out;
}

}  // namespace bzint
