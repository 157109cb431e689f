// Weyl nodes of a 3D two-band model H = d0 + d·σ and the chiral anomaly of the kinetic-equation
// paper's Sec. III C (docs/textures.md, "The chiral anomaly"), and of the crossing of bands m and
// m + 1 of an N-band model (below: pair_crossing): a node is a zero of d(k); its
// chirality χ = sign det(∂d_i/∂k_a) (a right-handed node, d ≈ v(k − K), has χ = +1); and the
// particle flux through a momentum-space sphere around it, Eq. 52,
//
//   ∂_t ρ = (e²/4π²ħ²) [(1/4π) ∮ dS_k · 𝓑_k n_z] B·E,   n_z = f(ε₊) − f(ε₋),
//
// with 𝓑 the curvature of d̂ (Eq. 18; ∮ 𝓑·dS = 4πχ over a sphere around one node) — read with
// the 1/4π² that Eq. 53's −e²E·B/4π² fixes (Eq. 52 as printed omits it: with n_z = −1 its
// bracket is −1, and the paper then quotes −e²/4π²).
#pragma once
#include "bzint/fermi.hpp"
#include "bzint/nband_geometry.hpp"
#include "bzint/phase_space.hpp"
#include "bzint/two_band.hpp"

namespace bzint {

// det of the Jacobian J[a][i] = ∂d_i/∂k_a (TwoBandPoint::dd).
BZINT_HD double jacobian_det(const double (&J)[3][3]) {
    return J[0][0] * (J[1][1] * J[2][2] - J[1][2] * J[2][1]) - J[0][1] * (J[1][0] * J[2][2] - J[1][2] * J[2][0]) +
           J[0][2] * (J[1][0] * J[2][1] - J[1][1] * J[2][0]);
}

// Whether J is far from singular: |det J| against ‖J‖_F³, so that the test does not depend on the
// units of d or k (a node with one slow velocity, J = diag(10⁻³, 10⁻³, 1), passes at 10⁻⁸; a
// quadratic touching, where one column of J vanishes, does not).
BZINT_HD bool well_conditioned(const double (&J)[3][3], double tolerance) {
    double frobenius = 0.0;
    for (int a = 0; a < 3; ++a) frobenius += J[a][0] * J[a][0] + J[a][1] * J[a][1] + J[a][2] * J[a][2];
    return fabs(jacobian_det(J)) > tolerance * frobenius * sqrt(frobenius);
}

// A damped Newton (Levenberg–Marquardt) step for d(k) = 0: (MᵀM + λ)δ = −Mᵀd with M_ia = ∂_a d_i
// and λ = 10⁻¹² tr MᵀM, which is Newton's step where M is regular and stays finite where it is
// singular (on a mirror plane, where ∂d/∂k_z vanishes); false if MᵀM + λ is singular (M = 0).
BZINT_HD bool damped_newton_step(const TwoBandPoint& h, double (&delta)[3]) {
    double A[3][3], g[3];
    double trace = 0.0;
    for (int a = 0; a < 3; ++a) {
        g[a] = -(h.dd[a][0] * h.d[0] + h.dd[a][1] * h.d[1] + h.dd[a][2] * h.d[2]);
        for (int b = 0; b < 3; ++b) A[a][b] = h.dd[a][0] * h.dd[b][0] + h.dd[a][1] * h.dd[b][1] + h.dd[a][2] * h.dd[b][2];
        trace += A[a][a];
    }
    for (int a = 0; a < 3; ++a) A[a][a] += 1e-12 * trace;
    const double det = jacobian_det(A);
    if (!(fabs(det) > 0.0)) return false;
    for (int a = 0; a < 3; ++a) {
        double B[3][3];
        for (int b = 0; b < 3; ++b)
            for (int c = 0; c < 3; ++c) B[b][c] = (c == a) ? g[b] : A[b][c];
        delta[a] = jacobian_det(B) / det;
    }
    return true;
}

// The point K + R n̂(u, φ) of a sphere, n̂ = (√(1−u²) cos φ, √(1−u²) sin φ, u), and its tangents
// ∂_φk and ∂_uk, whose cross product R² n̂ points outward: dS = R² n̂ du dφ.
struct SpherePoint {
    double k[3], normal[3], dk_phi[3], dk_u[3];
};
BZINT_HD SpherePoint sphere_point(const double (&K)[3], double R, double u, double phi) {
    const double s = sqrt(1.0 - u * u), c = cos(phi), n = sin(phi);
    SpherePoint p{{0.0, 0.0, 0.0}, {s * c, s * n, u}, {-R * s * n, R * s * c, 0.0}, {-R * u / s * c, -R * u / s * n, R}};
    for (int a = 0; a < 3; ++a) p.k[a] = K[a] + R * p.normal[a];
    return p;
}

// What a point of the sphere contributes per du dφ to a node's two integrals.
struct SphereSample {
    double flux;     // the lower band's Berry flux density: its integral over the sphere is χ
    double bracket;  // Eq. 52's bracket's integrand
    double nz;       // the pair's occupation difference f(ε_upper) − f(ε_lower)
    double others;   // N bands: the largest |f(ε_n) − [n below the pair]| of the other bands (0 for two)
    bool resolved;   // the eigensolver converged and the pair's gap exceeds its degeneracy threshold
};

// A two-band model's sample: (1/4π) d̂·(∂_φd̂ × ∂_ud̂) for the flux, times n_z for the bracket.
template <class Model>
BZINT_HD SphereSample boundary_flux_density(const Model& model, const double (&K)[3], double R, double u, double phi,
                                            double mu, double T) {
    const SpherePoint q = sphere_point(K, R, u, phi);
    TwoBandPoint h;
    model(q.k, h);
    double d_phi[3], d_u[3];
    for (int i = 0; i < 3; ++i) {
        d_phi[i] = q.dk_phi[0] * h.dd[0][i] + q.dk_phi[1] * h.dd[1][i] + q.dk_phi[2] * h.dd[2][i];
        d_u[i] = q.dk_u[0] * h.dd[0][i] + q.dk_u[1] * h.dd[1][i] + q.dk_u[2] * h.dd[2][i];
    }
    SphereSample out;
    out.flux = solid_angle_density(h.d, d_phi, d_u) / (4.0 * kPi);
    const double e = sqrt(dot3(h.d, h.d));
    out.nz = fermi(h.d0 + e - mu, T) - fermi(h.d0 - e - mu, T);
    out.bracket = out.flux * out.nz;
    out.others = 0.0;
    out.resolved = true;
    return out;
}

// The crossing of bands m and m + 1 of an N-band model as a two-band one: at k₀, in the basis of
// the two eigenstates |m⟩, |m + 1⟩, degenerate perturbation theory gives
//   H(k₀ + δ) ≈ ε̄ + Σ_a δ_a V_a + d·σ,   d(k₀) = (0, 0, (ε_m − ε_{m+1})/2),
//   ∂_a d = (Re v_a^{m,m+1}, −Im v_a^{m,m+1}, (v_a^{mm} − v_a^{m+1,m+1})/2),
// v_a^{nm} = ⟨n|∂_a H|m⟩ — the traceless part of the pair's 2×2 block (h_{12} = d_x − i d_y), the
// rest of the spectrum entering only at second order in δ. So the damped Newton step above moves
// to the pair's touching as it does to a two-band model's, and since d(k₀ + δ) = R d_model(k₀ + δ)
// with R ∈ SO(3) fixed by the basis at k₀ (for a two-band model), det ∂d/∂k — the chirality — is
// the model's own, whichever basis the degenerate pair takes at the node (tests/test_weyl_nodes.cpp
// holds both to a two-band model read as N = 2). d0 is the pair's mean energy ε̄.
// Size-generic: energies e[0..W) ascending and v[(a W + n) W + m] = ⟨n|∂_a H|m⟩, as the fixed-size
// engine (NBandEigen) and the run-time-sized one of large Wannier models both lay them out.
BZINT_HD_INLINE void pair_crossing(int W, const double* e, const cplx* v, int m, TwoBandPoint& h) {
    const long long plane = static_cast<long long>(W) * W;
    clear(h);
    h.d0 = 0.5 * (e[m] + e[m + 1]);
    h.d[2] = 0.5 * (e[m] - e[m + 1]);
    for (int a = 0; a < 3; ++a) {
        const cplx* va = v + a * plane;
        const cplx c = va[m * W + m + 1];
        const double lower = va[m * W + m].re, upper = va[(m + 1) * W + m + 1].re;
        h.dd0[a] = 0.5 * (lower + upper);
        h.dd[a][0] = c.re;
        h.dd[a][1] = -c.im;
        h.dd[a][2] = 0.5 * (lower - upper);
    }
}

// What a point q of the sphere contributes for the crossing of bands m and m + 1 of an N-band
// model, from its W bands there in pair_crossing's layout (`solved`: the eigensolver converged,
// `degenerate` its degeneracy threshold); g: W entries of scratch for their Kubo geometry
// (nband_geometry.hpp). With Ω_n the Kubo curvatures, the lower
// band's flux (1/2π)∮Ω_m·dS is χ (a two-band model's lower band carries Ω = 𝓑/2: q_s = −s/2,
// phase_space.hpp), and Eq. 52's bracket (1/4π)∮𝓑 n_z·dS = −(1/2π)∮Σ_n f(ε_n) Ω_n·dS — the same
// integrand for N = 2, since f₋Ω₋ + f₊Ω₊ = −n_z 𝓑/2 — counts every band's occupied curvature. A
// band below the pair that is filled all over the sphere, or one above it that is empty, adds no
// flux (its curvature is smooth inside); `others` says how far the other bands are from that.
BZINT_HD_INLINE SphereSample pair_sphere_sample(int W, const double* e, const cplx* v, bool solved, double degenerate,
                                                int m, const SpherePoint& q, double R, double mu, double T,
                                                BandGeometry* g) {
    kubo_sums(W, e, v, W, degenerate, g);
    SphereSample out;
    out.resolved = solved && g[m + 1].energy - g[m].energy > 10.0 * degenerate;
    double occupied = 0.0;
    out.others = 0.0;
    for (int b = 0; b < W; ++b) {
        const double f = fermi(g[b].energy - mu, T);
        occupied += f * dot3(g[b].omega, q.normal);
        if (b != m && b != m + 1) out.others = fmax(out.others, fabs(f - (b < m ? 1.0 : 0.0)));
    }
    out.flux = R * R * dot3(g[m].omega, q.normal) / kTwoPi;
    out.bracket = -R * R * occupied / kTwoPi;
    out.nz = fermi(g[m + 1].energy - mu, T) - fermi(g[m].energy - mu, T);
    return out;
}

}  // namespace bzint
