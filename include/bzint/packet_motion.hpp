// Wave-packet trajectories in a textured phase space (the kinetic-equation paper's Eq. 24;
// docs/textures.md): a packet of band s at (r, p) moves with ṙ_s, ṗ_s, integrated in time by the
// classical fourth-order Runge–Kutta method.
#pragma once
#include "bzint/phase_space_motion.hpp"
#include "bzint/texture.hpp"

namespace bzint {

constexpr int kPacketStart = 7;   // x, y, z, px, py, pz (canonical), band s = ±1
constexpr int kPacketSample = 8;  // x, y, z, px, py, pz, t, ε̄_s

// Packet i: Runge–Kutta steps (from, to] of the `steps` steps of dt from t0, continuing from
// state + i · kPhaseCoords (from 0: from the start, which is written there); a sample
// (kPacketSample numbers) at the start and after every `stride` steps, written to
// out + i · samples · kPacketSample, samples = steps / stride + 1. The host runs the steps in
// slices, so that a stop request is seen between them. ε̄_s = ε_s + δε is conserved by a static H
// up to the terms Eq. 24 drops.
template <class Model>
struct PacketTrajectoryFn {
    TexturedTwoBand<Model> hamiltonian;
    const double* start;     // kPacketStart numbers per packet
    double t0, dt;
    long long steps, stride;
    double step_r, step_p;   // of ∂𝓕's differences along r and p
    double* out;
    double* state;           // kPhaseCoords per packet between slices
    long long from = 0, to = 0;

    BZINT_HD int samples() const { return static_cast<int>(steps / stride) + 1; }

    // (ṙ_s, ṗ_s) at x.
    BZINT_HD bool rate(const double x[kPhaseCoords], int s, double k[6]) const {
        PhaseSpacePoint p;
        hamiltonian(x, p);
        double grad_F[6] = {0.0, 0.0, 0.0, 0.0, 0.0, 0.0};
        scalar_curvature_gradient(hamiltonian, x, kCoordX, 3, step_r, grad_F);
        scalar_curvature_gradient(hamiltonian, x, kCoordKx, Model::dim, step_p, grad_F + 3);
        semiclassical_velocities(p, s, grad_F, k, k + 3);
        bool finite = true;
        for (int a = 0; a < 6; ++a) finite = finite && is_finite(k[a]);
        return finite;
    }

    BZINT_HD void record(const double x[kPhaseCoords], int s, double* sample) const {
        PhaseSpacePoint p;
        hamiltonian(x, p);
        const double e = sqrt(dot3(p.d, p.d));
        for (int a = 0; a < 6; ++a) sample[a] = x[a];
        sample[6] = x[kCoordT];
        sample[7] = p.d0 + s * e + energy_correction(e, phase_space_scalar_curvature(p));
    }

    BZINT_HD bool operator()(long long i) const {
        const double* st = start + kPacketStart * i;
        const int s = st[6] > 0.0 ? 1 : -1;
        double x[kPhaseCoords];
        double* o = out + i * samples() * kPacketSample;
        double* saved = state + i * kPhaseCoords;
        if (from == 0) {
            for (int a = 0; a < 6; ++a) x[a] = st[a];
            x[kCoordT] = t0;
            record(x, s, o);
        } else {
            for (int a = 0; a < kPhaseCoords; ++a) x[a] = saved[a];
        }
        bool finite = true;
        for (long long n = from + 1; n <= to && finite; ++n) {
            // The classical Runge–Kutta stages k1 … k4 on (r, p), t advancing with them; each stage
            // is added to the weighted sum as it comes, so only one is held (no spills on the device).
            const double c[4] = {0.0, 0.5, 0.5, 1.0}, w[4] = {1.0, 2.0, 2.0, 1.0};
            double k[6] = {0.0, 0.0, 0.0, 0.0, 0.0, 0.0}, sum[6] = {0.0, 0.0, 0.0, 0.0, 0.0, 0.0}, y[kPhaseCoords];
            for (int stage = 0; stage < 4; ++stage) {
                for (int a = 0; a < 6; ++a) y[a] = x[a] + c[stage] * dt * k[a];
                y[kCoordT] = x[kCoordT] + c[stage] * dt;
                finite = finite && rate(y, s, k);
                for (int a = 0; a < 6; ++a) sum[a] += w[stage] * k[a];
            }
            for (int a = 0; a < 6; ++a) x[a] += dt / 6 * sum[a];
            x[kCoordT] = t0 + n * dt;
            if (n % stride == 0) record(x, s, o + (n / stride) * kPacketSample);
        }
        for (int a = 0; a < kPhaseCoords; ++a) saved[a] = x[a];
        return finite;
    }
};

}  // namespace bzint
