// Weyl nodes of a 3D two-band model H = d0 + d·σ and the chiral anomaly of the kinetic-equation
// paper's Sec. III C (docs/textures.md, "The chiral anomaly"): a node is a zero of d(k); its
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

// The point of the sphere K + R n̂(u, φ), n̂ = (√(1−u²) cos φ, √(1−u²) sin φ, u), and the integrand
// of Eq. 52's bracket per du dφ there: (1/4π) d̂·(∂_φd̂ × ∂_ud̂) n_z (∂_φk × ∂_uk points outward).
// `flux` gets the same without n_z — (1/4π) ∮ of it is χ — and `nz` the occupation difference.
template <class Model>
BZINT_HD double boundary_flux_density(const Model& model, const double (&K)[3], double R, double u, double phi, double mu,
                                      double T, double& flux, double& nz) {
    const double s = sqrt(1.0 - u * u), c = cos(phi), n = sin(phi);
    const double k[3] = {K[0] + R * s * c, K[1] + R * s * n, K[2] + R * u};
    const double dk_phi[3] = {-R * s * n, R * s * c, 0.0};
    const double dk_u[3] = {-R * u / s * c, -R * u / s * n, R};
    TwoBandPoint h;
    model(k, h);
    double d_phi[3], d_u[3];
    for (int i = 0; i < 3; ++i) {
        d_phi[i] = dk_phi[0] * h.dd[0][i] + dk_phi[1] * h.dd[1][i] + dk_phi[2] * h.dd[2][i];
        d_u[i] = dk_u[0] * h.dd[0][i] + dk_u[1] * h.dd[1][i] + dk_u[2] * h.dd[2][i];
    }
    flux = solid_angle_density(h.d, d_phi, d_u) / (4.0 * kPi);
    const double e = sqrt(dot3(h.d, h.d));
    nz = fermi(h.d0 + e - mu, T) - fermi(h.d0 - e - mu, T);
    return flux * nz;
}

}  // namespace bzint
