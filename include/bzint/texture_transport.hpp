// Relaxation-time transport through a static texture in a uniform electric field: the
// non-adiabatic paper's comparison of its hybridised-band current (Eqs. 57–60 with δg_n of Eq. 64
// and the anomalous velocity and force of Eq. 67) with the single-band theory (Eqs. 43, 46–47 with
// δf_n of Eq. 65 and the velocities of Eq. 68), each band of a textured two-band or N-band model
// being a one-band manifold (docs/textures.md, "Transport through a texture").
//
// Units and signs: ħ = e = 1, the electron's charge −e, so the force of the field is −E (k̇ = −E,
// as [texture] E); Ω^{IJ}_s = q_s 𝓕_IJ is band s's Berry curvature in the (x^I, x^J) plane, the
// paper's Eq. 44 (∂_I R_J − ∂_J R_I, which is Ω^z for (kx, ky): docs/conventions.md); for an
// N-band model the Kubo sums of nband_phase_geometry.hpp.
#pragma once
#include "bzint/fermi.hpp"
#include "bzint/mesh.hpp"
#include "bzint/per_k.hpp"
#include "bzint/phase_space_motion.hpp"
#include "bzint/texture.hpp"
#include "bzint/texture_point.hpp"
#include "bzint/texture_density.hpp"

namespace bzint {

// Curvatures among positions and momenta at one point for I, J in (x, y, z, kx, ky, kz), the 15
// distinct ones: the texture's 𝓕_IJ, computed once for both bands of a two-band model (band s has
// q_s 𝓕), or one band's Ω^IJ.
struct PositionMomentumCurvature {
    double kk[3][3];  // 𝓕_{k_a k_c}
    double kx[3][3];  // 𝓕_{k_a x_c}; 𝓕_{x_a k_c} = −kx[c][a]
    double xx[3][3];  // 𝓕_{x_a x_c}
};

BZINT_HD void position_momentum_curvature(const PhaseSpacePoint& p, PositionMomentumCurvature& c) {
    for (int a = 0; a < 3; ++a) {
        c.kk[a][a] = c.xx[a][a] = 0.0;
        for (int b = 0; b < a; ++b) {
            c.kk[a][b] = texture_curvature(p, kCoordKx + a, kCoordKx + b);
            c.kk[b][a] = -c.kk[a][b];
            c.xx[a][b] = texture_curvature(p, kCoordX + a, kCoordX + b);
            c.xx[b][a] = -c.xx[a][b];
        }
        for (int b = 0; b < 3; ++b) c.kx[a][b] = texture_curvature(p, kCoordKx + a, kCoordX + b);
    }
}

// A band's velocities and drives at one point (r, k) in the field E.
struct BandTransport {
    double energy;        // ε_s
    double v_tilde[3];    // ṽ_s = v_b + v_h, v_h = Ω^KK E (Eqs. 67a, 62a)
    double x_dot[3];      // ẋ_s = ṽ_s + δṽ_s (Eq. 68a)
    double drive_hybrid;  // −F_b·ṽ_s + v_b·(−E + F̃_s): Eq. 64's brace, δg_s = −τ f′ × it
    double drive_single;  // −F_b·ẋ_s + v_b·ħk̇_s: Eq. 65's brace, δf_s = −τ f′ × it
};

// Eqs. 64–68 for one band from its energy ε, the gradient de[I] = ∂_I ε over the phase-space
// coordinates and its Berry curvatures Ω = q·curv (Ω^KK, Ω^KX, Ω^XX; a two-band model's band s
// has q_s 𝓕 with the curvatures shared by both bands, an N-band model's band n its own Ω_n, q = 1):
//   v_b = ∂_k ε, F_b = −∂_r ε (Eq. 66),
//   v_h = Ω^KK E, F_h = −Ω^XK E (Eqs. 67c, 67d),
//   δṽ = −Ω^KX v_b − Ω^KK F_b, δF̃ = Ω^XX v_b + Ω^XK F_b (Eqs. 68c, 68d),
//   ẋ = v_b + v_h + δṽ, ħk̇ = −E + F_b + F_h + δF̃ (Eqs. 68a, 68b),
// with (Ω^AB v)_α = Σ_β Ω^{a_α b_β} v_β. Eq. 67c prints v_h = −(e/ħ) Ω^KK E, the opposite sign of
// the paper's own Eqs. 43a and 62a; this follows Eqs. 43a/62a (the anomalous velocity −k̇ × Ω, as
// task hybrid_current does: docs/hybrid.md).
BZINT_HD void band_transport(double energy, const double de[kPhaseCoords], const PositionMomentumCurvature& curv, double q,
                             const double E[3], BandTransport& b) {
    b.energy = energy;
    double v[3], F[3], F_tilde[3], dF[3];
    for (int a = 0; a < 3; ++a) {
        v[a] = de[kCoordKx + a];
        F[a] = -de[kCoordX + a];
    }
    for (int a = 0; a < 3; ++a) {
        double vh = 0.0, Fh = 0.0, dv = 0.0;
        dF[a] = 0.0;
        for (int c = 0; c < 3; ++c) {
            const double kk = q * curv.kk[a][c], kx = q * curv.kx[a][c], xk = -q * curv.kx[c][a], xx = q * curv.xx[a][c];
            vh += kk * E[c];
            Fh -= xk * E[c];
            dv += -kx * v[c] - kk * F[c];
            dF[a] += xx * v[c] + xk * F[c];
        }
        b.v_tilde[a] = v[a] + vh;
        b.x_dot[a] = b.v_tilde[a] + dv;
        F_tilde[a] = F[a] + Fh;
    }
    b.drive_hybrid = 0.0;
    b.drive_single = 0.0;
    for (int a = 0; a < 3; ++a) {
        b.drive_hybrid += -F[a] * b.v_tilde[a] + v[a] * (-E[a] + F_tilde[a]);
        b.drive_single += -F[a] * b.x_dot[a] + v[a] * (-E[a] + F_tilde[a] + dF[a]);
    }
}

// Band s (−1 lower, +1 upper) of a two-band model from the point's d, ∂_I d and curvatures 𝓕:
// ε_s = d0 + s|d| and Ω^{IJ}_s = q_s 𝓕_IJ, q_s = −s/2.
BZINT_HD void band_transport(const PhaseSpacePoint& p, const PositionMomentumCurvature& curv, int s, const double E[3],
                             BandTransport& b) {
    double de[kPhaseCoords];
    band_energy_gradient(p, s, de);
    band_transport(p.d0 + s * sqrt(dot3(p.d, p.d)), de, curv, -0.5 * s, E, b);
}

// Band n's curvatures Ω_n^IJ among positions and momenta (Eq. 44, nband_phase_geometry.hpp).
template <int N>
BZINT_HD void band_curvature(const NBandPhaseEigen<N>& s, int n, PositionMomentumCurvature& omega) {
    for (int a = 0; a < 3; ++a)
        for (int c = 0; c < 3; ++c) {
            omega.kk[a][c] = phase_curvature<N>(s, n, kCoordKx + a, kCoordKx + c);
            omega.kx[a][c] = phase_curvature<N>(s, n, kCoordKx + a, kCoordX + c);
            omega.xx[a][c] = phase_curvature<N>(s, n, kCoordX + a, kCoordX + c);
        }
}

// Every band's transport at a phase-space point x in the field E, in order of energy; `finite`:
// whether every value is; per band, `beyond`: whether its gradient expansion fails,
// 2|1 − 𝒟_n| = 2|Σ_l Ω_n^{x_l k_l}| ≥ kFirstOrderLimit (for two bands |𝓕| ≥ kFirstOrderLimit, as
// texture_density's PhaseLevels); `degenerate`: whether it is degenerate with a neighbour there,
// where its own Ω, v_b and F_b are not defined (only their group's sums are): two-band models have
// no such point short of |d| = 0, which is not finite.
template <int N>
struct TransportBands {
    BandTransport band[N];
    bool finite;
    bool beyond[N], degenerate[N];
};

template <class Model>
BZINT_HD_INLINE TransportBands<2> transport_bands(const TexturedTwoBand<Model>& hamiltonian, const double x[kPhaseCoords],
                                                  const double E[3]) {
    PhaseSpacePoint p;
    hamiltonian(x, p);
    PositionMomentumCurvature curv;
    position_momentum_curvature(p, curv);
    TransportBands<2> t;
    band_transport(p, curv, -1, E, t.band[0]);
    band_transport(p, curv, +1, E, t.band[1]);
    // The scalar 𝓕 = Σ_l 𝓕_{x_l k_l} = −Σ_l 𝓕_{k_l x_l}, from the curvatures already at hand.
    const double F = -(curv.kx[0][0] + curv.kx[1][1] + curv.kx[2][2]);
    t.finite = dot3(p.d, p.d) > 0.0 && is_finite(F);
    for (int n = 0; n < 2; ++n) {
        t.beyond[n] = fabs(F) >= kFirstOrderLimit;
        t.degenerate[n] = false;
    }
    return t;
}

template <class Model>
BZINT_HD_INLINE TransportBands<Model::bands> transport_bands(const TexturedNBand<Model>& hamiltonian,
                                                             const double x[kPhaseCoords], const double E[3]) {
    constexpr int N = Model::bands;
    NBandPhaseEigen<N> s;
    TransportBands<N> t;
    t.finite = nband_phase_eigen_at(hamiltonian, x, s);
    for (int n = 0; n < N; ++n) {
        double de[kPhaseCoords];
        for (int I = 0; I < kPhaseCoords; ++I) de[I] = s.v[I][n][n].re;
        PositionMomentumCurvature omega;
        band_curvature<N>(s, n, omega);
        band_transport(s.e[n], de, omega, 1.0, E, t.band[n]);
        t.beyond[n] = 2.0 * fabs(omega.kx[0][0] + omega.kx[1][1] + omega.kx[2][2]) >= kFirstOrderLimit;
        t.degenerate[n] = (n > 0 && s.e[n] - s.e[n - 1] <= s.degenerate) || (n + 1 < N && s.e[n + 1] - s.e[n] <= s.degenerate);
    }
    return t;
}

constexpr int kTransportValuesPerLevel = 12;

// Point idx = position · mesh.count() + mesh index. Key 2·position + (on the coarse sub-mesh), as
// TextureDensityFn's. Values per level μ_j, to be multiplied by the mesh's measure d^dk/(2π)^d:
//   [12j + 0..2]  Σ_s f_s ṽ_s          (Eq. 60's equilibrium part)
//   [12j + 3..5]  Σ_s δg_s ṽ_s         (Eq. 60's relaxation part, δg_s of Eq. 64)
//   [12j + 6..8]  Σ_s f_s ẋ_s          (Eq. 47's equilibrium part)
//   [12j + 9..11] Σ_s δf_s ẋ_s         (Eq. 47's relaxation part, δf_s of Eq. 65)
// with f_s = f(ε_s − μ_j) (Eqs. 46b, 57b at first order in E) summed over the bands s (or band s
// alone, `band`: each band is its own manifold, so its part is its own terms), and
// [12 levels] = 1 where the gradient expansion fails (TransportBands::beyond), [12 levels + 1] = 1
// where two bands are degenerate (counted, not weighted) — for some band, or for band `band` alone. The texture is static and the field is
// E, so k = p at every point. Two-band and N-band models alike (Textured<Model>).
template <class Model>
struct TextureTransportFn {
    Textured<Model> hamiltonian;
    Mesh mesh;
    const double* r;   // positions, three numbers each
    const double* mu;  // levels
    int levels;        // at most (kMaxKeyedValues − 2) / 12
    int positions;
    double T;          // > 0
    double tau;        // the relaxation time
    double E[3];
    int band = -1;     // ≥ 0: that band's part alone (in order of energy); −1: the sum over the bands
    using Out = KeyedOutT<1>;
    static constexpr int kPerLevel = kTransportValuesPerLevel;
    BZINT_HD int n_values() const { return kPerLevel * levels + 2; }
    BZINT_HD int n_keys() const { return 2 * positions; }

    BZINT_HD bool operator()(long long idx, Out& out) const {
        double x[kPhaseCoords];
        out.key[0] = texture_point(hamiltonian, mesh, idx, r, 3, 0.0, x);
        const auto bands = transport_bands(hamiltonian, x, E);
        out.n = 1;
        bool finite = bands.finite;
        for (int j = 0; j < levels; ++j) {
            double* val = out.val[0] + kPerLevel * j;
            for (int c = 0; c < kPerLevel; ++c) val[c] = 0.0;
            for (int s = 0; s < static_cast<int>(sizeof(bands.band) / sizeof(bands.band[0])); ++s) {
                if (band >= 0 && s != band) continue;
                const BandTransport& b = bands.band[s];
                const FermiDerivs f = fermi_derivs(b.energy - mu[j], T);
                const double dg = -tau * f.f1 * b.drive_hybrid, df = -tau * f.f1 * b.drive_single;
                for (int c = 0; c < 3; ++c) {
                    val[c] += f.f * b.v_tilde[c];
                    val[3 + c] += dg * b.v_tilde[c];
                    val[6 + c] += f.f * b.x_dot[c];
                    val[9 + c] += df * b.x_dot[c];
                }
            }
            for (int c = 0; c < kPerLevel; ++c) finite = finite && is_finite(val[c]);
        }
        bool beyond = false, degenerate = false;
        for (int s = 0; s < static_cast<int>(sizeof(bands.band) / sizeof(bands.band[0])); ++s)
            if (band < 0 || s == band) {
                beyond = beyond || bands.beyond[s];
                degenerate = degenerate || bands.degenerate[s];
            }
        out.val[0][kPerLevel * levels] = beyond ? 1.0 : 0.0;
        out.val[0][kPerLevel * levels + 1] = degenerate ? 1.0 : 0.0;
        return finite;
    }
};

}  // namespace bzint
