// Wave packets of a textured N-band model (nband_texture.hpp): a packet of band n at (r, p) moves
// with Eq. 24's velocities in their N-band form (nband_phase_geometry.hpp: phase_velocities, Ω_n
// for q_s 𝓕 and δε_n of Sundaram and Niu), stepped by packet_motion.hpp's Runge–Kutta method.
// Eq. 24 is the motion of an isolated band: a packet whose band comes within reach of another
// level (a degeneracy, a crossing inside the energy correction's difference stencil, or a gap that
// closes within two steps) stops there, as a two-band packet stops at |d| = 0.
#pragma once
#include "bzint/models/all.hpp"
#include "bzint/nband_phase_geometry.hpp"
#include "bzint/packet_motion.hpp"

namespace bzint {

// The distance from level n to the nearest other level of s.
template <int N>
BZINT_HD double level_gap(const NBandPhaseEigen<N>& s, int n) {
    double gap = INFINITY;
    if (n > 0) gap = s.e[n] - s.e[n - 1];
    if (n + 1 < N) gap = fmin(gap, s.e[n + 1] - s.e[n]);
    return gap;
}

// Band n is isolated at s if its gap is above the degeneracy threshold and well above how far
// the levels move within the difference stencil (then no crossing lies inside it, and the n-th
// level at every shifted point is band n).
template <int N>
BZINT_HD bool isolated_band(const NBandPhaseEigen<N>& s, int n, const StencilGaps& stencil) {
    const double gap = level_gap<N>(s, n);
    return gap > s.degenerate && gap > 4.0 * stencil.largest_move;
}

// Whether band n's gap to a neighbour, extrapolated linearly along the packet's motion
// ẋ = (ṙ, ṗ, ṫ = 1), closes within `lead` time: a crossing the Runge–Kutta steps would step over,
// after which the n-th level would be another band. (The stencil test above sees only ~h.)
template <int N>
BZINT_HD bool gap_closes(const NBandPhaseEigen<N>& s, int n, const double velocity[6], double lead) {
    for (int m = n - 1; m <= n + 1; m += 2) {
        if (m < 0 || m >= N) continue;
        double rate = s.v[kCoordT][m][m].re - s.v[kCoordT][n][n].re;  // d(ε_m − ε_n)/dt along the path
        for (int a = 0; a < 6; ++a) rate += velocity[a] * (s.v[kCoordX + a][m][m].re - s.v[kCoordX + a][n][n].re);
        const double gap = s.e[m] - s.e[n];  // negative below n
        if (gap * (gap + lead * rate) <= 0.0) return true;
    }
    return false;
}

template <class Model>
struct NBandPacketTrajectoryFn {
    static constexpr int N = Model::bands;
    TexturedNBand<Model> hamiltonian;
    PacketRun run;

    // (ṙ_n, ṗ_n) at x; false where the eigensolver fails, a velocity is not finite, or band n is
    // not isolated: at a degeneracy, with a crossing inside the difference stencil, or with its gap
    // closing within two steps at its present rate (gap_closes).
    BZINT_HD bool rate(const double x[kPhaseCoords], int n, double velocity[6]) const {
        NBandPhasePoint<N> p;
        hamiltonian(x, p);
        NBandPhaseEigen<N> s;
        if (!nband_phase_eigen<N>(p, s)) return false;
        double grad[N][6] = {};
        StencilGaps stencil;
        const bool ok = energy_correction_gradients(hamiltonian, x, s, kCoordX, 3, run.step_r, grad, 0, stencil) &&
                        energy_correction_gradients(hamiltonian, x, s, kCoordKx, Model::dim, run.step_p, grad, 3, stencil);
        if (!ok || !isolated_band<N>(s, n, stencil)) return false;
        phase_velocities<N>(s, n, grad[n], velocity, velocity + 3);
        bool finite = true;
        for (int a = 0; a < 6; ++a) finite = finite && is_finite(velocity[a]);
        return finite && !gap_closes<N>(s, n, velocity, 2.0 * run.dt);
    }

    BZINT_HD void record(const double x[kPhaseCoords], int n, double* sample) const {
        NBandPhasePoint<N> p;
        hamiltonian(x, p);
        NBandPhaseEigen<N> s;
        nband_phase_eigen<N>(p, s);  // a failure here fails the rate at the same point (task trajectories checks the last)
        for (int a = 0; a < 6; ++a) sample[a] = x[a];
        sample[6] = x[kCoordT];
        sample[7] = s.e[n] + phase_energy_correction<N>(s, n);
    }

    BZINT_HD bool operator()(long long i) const { return packet_steps(*this, run, i); }
};

// Calls f(fn) with the packet functor of the model mp names — PacketTrajectoryFn for a two-band
// model, NBandPacketTrajectoryFn for an N-band one (as Textured<Model> picks its Hamiltonian) — on
// the given texture and run (host side).
template <class F>
void visit_packet_motion(const ModelParams& mp, const TextureTerms& terms, const PacketRun& run, F&& f) {
    visit_any_model(mp, [&](auto model) {
        using Model = decltype(model);
        if constexpr (std::is_same_v<Textured<Model>, TexturedNBand<Model>>)
            f(NBandPacketTrajectoryFn<Model>{{model, terms}, run});
        else
            f(PacketTrajectoryFn<Model>{{model, terms}, run});
    });
}

}  // namespace bzint
