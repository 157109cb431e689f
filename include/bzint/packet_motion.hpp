// Wave-packet trajectories in a textured phase space (the kinetic-equation paper's Eq. 24;
// docs/textures.md): a packet of band s at (r, p) moves with ṙ_s, ṗ_s, integrated in time by the
// classical fourth-order Runge–Kutta method (the stepping shared with nband_packet_motion.hpp's
// N-band packets).
#pragma once
#include "bzint/phase_space_motion.hpp"
#include "bzint/texture.hpp"

namespace bzint {

constexpr int kPacketStart = 7;   // x, y, z, px, py, pz (canonical), band index (two-band: 0 lower, 1 upper)
constexpr int kPacketBand = 6;    // the band index's place in a start
constexpr int kPacketSample = 8;  // x, y, z, px, py, pz, t, ε̄

// What a batch of packets shares: Runge–Kutta steps (from, to] of the `steps` steps of dt from t0,
// packet i continuing from state + i · kPhaseCoords (from 0: from its start, which is written
// there); a sample (kPacketSample numbers) at the start and after every `stride` steps, written to
// out + i · samples · kPacketSample, samples = steps / stride + 1. The host runs the steps in
// slices, so that a stop request is seen between them.
struct PacketRun {
    const double* start;     // kPacketStart numbers per packet
    double t0, dt;
    long long steps, stride;
    double step_r, step_p;   // of the energy correction's differences along r and p
    double* out;
    double* state;           // kPhaseCoords per packet between slices
    long long from = 0, to = 0;

    BZINT_HD int samples() const { return static_cast<int>(steps / stride) + 1; }
};

// Packet i's steps of run by the classical fourth-order Runge–Kutta method, with the band's
// phase-space velocity fn.rate(x, band, velocity) = (ṙ, ṗ) (false where it fails) and its sample
// fn.record(x, band, sample). False if a velocity failed (the packet stops there).
template <class Fn>
BZINT_HD bool packet_steps(const Fn& fn, const PacketRun& run, long long i) {
    const double* st = run.start + kPacketStart * i;
    const int band = static_cast<int>(st[kPacketBand]);
    double x[kPhaseCoords];
    double* o = run.out + i * run.samples() * kPacketSample;
    double* saved = run.state + i * kPhaseCoords;
    if (run.from == 0) {
        for (int a = 0; a < 6; ++a) x[a] = st[a];
        x[kCoordT] = run.t0;
        fn.record(x, band, o);
    } else {
        for (int a = 0; a < kPhaseCoords; ++a) x[a] = saved[a];
    }
    bool finite = true;
    for (long long n = run.from + 1; n <= run.to && finite; ++n) {
        // The classical Runge–Kutta stages k1 … k4 on (r, p), t advancing with them; each stage
        // is added to the weighted sum as it comes, so only one is held (no spills on the device).
        const double c[4] = {0.0, 0.5, 0.5, 1.0}, w[4] = {1.0, 2.0, 2.0, 1.0};
        double k[6] = {0.0, 0.0, 0.0, 0.0, 0.0, 0.0}, sum[6] = {0.0, 0.0, 0.0, 0.0, 0.0, 0.0}, y[kPhaseCoords];
        for (int stage = 0; stage < 4; ++stage) {
            for (int a = 0; a < 6; ++a) y[a] = x[a] + c[stage] * run.dt * k[a];
            y[kCoordT] = x[kCoordT] + c[stage] * run.dt;
            finite = finite && fn.rate(y, band, k);
            for (int a = 0; a < 6; ++a) sum[a] += w[stage] * k[a];
        }
        for (int a = 0; a < 6; ++a) x[a] += run.dt / 6 * sum[a];
        x[kCoordT] = run.t0 + n * run.dt;
        if (n % run.stride == 0) fn.record(x, band, o + (n / run.stride) * kPacketSample);
    }
    for (int a = 0; a < kPhaseCoords; ++a) saved[a] = x[a];
    return finite;
}

// A packet of a textured two-band model's band s (−1 lower, +1 upper; band index (s + 1)/2).
// ε̄_s = ε_s + δε is conserved by a static H up to the terms Eq. 24 drops.
template <class Model>
struct PacketTrajectoryFn {
    TexturedTwoBand<Model> hamiltonian;
    PacketRun run;

    // (ṙ_s, ṗ_s) at x; false where they are not finite (a touching, |d| = 0).
    BZINT_HD bool rate(const double x[kPhaseCoords], int band, double velocity[6]) const {
        PhaseSpacePoint p;
        hamiltonian(x, p);
        double grad_F[6] = {0.0, 0.0, 0.0, 0.0, 0.0, 0.0};
        scalar_curvature_gradient(hamiltonian, x, kCoordX, 3, run.step_r, grad_F);
        scalar_curvature_gradient(hamiltonian, x, kCoordKx, Model::dim, run.step_p, grad_F + 3);
        semiclassical_velocities(p, 2 * band - 1, grad_F, velocity, velocity + 3);
        bool finite = true;
        for (int a = 0; a < 6; ++a) finite = finite && is_finite(velocity[a]);
        return finite;
    }

    BZINT_HD void record(const double x[kPhaseCoords], int band, double* sample) const {
        PhaseSpacePoint p;
        hamiltonian(x, p);
        const double e = sqrt(dot3(p.d, p.d));
        for (int a = 0; a < 6; ++a) sample[a] = x[a];
        sample[6] = x[kCoordT];
        sample[7] = p.d0 + (2 * band - 1) * e + energy_correction(e, phase_space_scalar_curvature(p));
    }

    BZINT_HD bool operator()(long long i) const { return packet_steps(*this, run, i); }
};

}  // namespace bzint
