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

// The Newton step δ with Σ_a δ_a ∂_a d = −d (Cramer's rule); false if J is singular.
BZINT_HD bool newton_step(const TwoBandPoint& h, double (&delta)[3]) {
    const double det = jacobian_det(h.dd);
    if (!(fabs(det) > 0.0)) return false;
    for (int a = 0; a < 3; ++a) {
        double J[3][3];
        for (int b = 0; b < 3; ++b)
            for (int i = 0; i < 3; ++i) J[b][i] = (b == a) ? -h.d[i] : h.dd[b][i];
        delta[a] = jacobian_det(J) / det;
    }
    return true;
}

// The point of the sphere K + R n̂(u, φ), n̂ = (√(1−u²) cos φ, √(1−u²) sin φ, u), and the integrand
// of Eq. 52's bracket per du dφ there: (1/4π) d̂·(∂_φd̂ × ∂_ud̂) n_z (∂_φk × ∂_uk points outward).
// `flux` gets the same without n_z: (1/4π) ∮ of it is χ.
template <class Model>
BZINT_HD double boundary_flux_density(const Model& model, const double (&K)[3], double R, double u, double phi, double mu,
                                      double T, double& flux) {
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
    const double nz = fermi(h.d0 + e - mu, T) - fermi(h.d0 - e - mu, T);
    return flux * nz;
}

}  // namespace bzint
