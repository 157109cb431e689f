// Reference path for the exact reservoir (host only, slow, no pole expansion): the direct
// frequency-grid formula of docs/exact.md,
//   ρ(t) = ½ + 2Γ ∫ dω/2π [f(ω) − ½] Φ_ω(t) Φ_ω(t)†,
//   i ∂_t Φ_ω = (H(t) − ω − iΓ) Φ_ω + i·1,   Φ_ω = 0 far in the past,
// with the exact Fermi function. Φ_ω is integrated by ETDRK4 with the scalar part iω − Γ
// exact (so any ω costs the same); the ω integral uses ω = μ + W tan θ and Gauss–Legendre in θ.
#pragma once
#include <algorithm>
#include <cmath>
#include <vector>

#include "bzint/fermi.hpp"
#include "bzint/special/gauss_legendre.hpp"
#include "bzint/models/nband_traits.hpp"
#include "bzint/qme/etdrk4.hpp"

namespace bzint {

// ρ at the times t_start + n_j h (j = 0..), for κ(t) = k0 − E t with t from t_start = 0,
// returned as N² entries per requested step index. `nodes` Gauss–Legendre points in θ.
template <int N, class Model>
std::vector<cplx> reservoir_reference(const Model& model, const double k0[3], const double E[3], double gamma,
                                      double mu, double T, double h, const std::vector<int>& at_steps, int nodes,
                                      double W) {
    constexpr int M = N * N;
    const int last = at_steps.empty() ? 0 : *std::max_element(at_steps.begin(), at_steps.end());
    std::vector<cplx> rho(at_steps.size() * M, cplx{0.0, 0.0});
    std::vector<double> gx, gw;
    gauss_legendre(nodes, gx, gw);
    // H at every half step, shared by all frequencies.
    std::vector<NBandPoint<N>> H(2 * last + 1);
    for (int s = 0; s <= 2 * last; ++s) {
        double k[3];
        for (int a = 0; a < 3; ++a) k[a] = k0[a] - E[a] * (0.5 * h * s);
        model(k, H[s]);
    }
    auto nonstiff = [&](const NBandPoint<N>& p, const cplx* X, cplx* out) {  // −iHΦ + 1
        for (int i = 0; i < N; ++i)
            for (int j = 0; j < N; ++j) {
                cplx s = {0.0, 0.0};
                for (int k = 0; k < N; ++k) s += p.H[i][k] * X[k * N + j];
                out[i * N + j] = {s.im, -s.re};
                if (i == j) out[i * N + j].re += 1.0;
            }
    };
    for (int node = 0; node < nodes; ++node) {
        const double th = 0.5 * kPi * gx[node];
        const double omega = mu + W * std::tan(th);
        const double weight = 0.5 * kPi * gw[node] * W / (std::cos(th) * std::cos(th));  // dω
        const double g = 2.0 * gamma / kTwoPi * (fermi(omega - mu, T) - 0.5) * weight;
        const EtdCoefficients c = etd_coefficients({-gamma, omega}, h);
        cplx phi[M] = {}, n0[M], na[M], nb[M], nc[M], a[M], b[M], cc[M];
        for (int step = 0; step <= last; ++step) {
            for (std::size_t r = 0; r < at_steps.size(); ++r)
                if (at_steps[r] == step)
                    for (int i = 0; i < N; ++i)
                        for (int j = 0; j < N; ++j) {
                            cplx s = {0.0, 0.0};
                            for (int k = 0; k < N; ++k) s += phi[i * N + k] * conj(phi[j * N + k]);
                            rho[r * M + i * N + j] += g * s;
                        }
            if (step == last) break;
            nonstiff(H[2 * step], phi, n0);
            for (int e = 0; e < M; ++e) a[e] = c.E2 * phi[e] + c.Q * n0[e];
            nonstiff(H[2 * step + 1], a, na);
            for (int e = 0; e < M; ++e) b[e] = c.E2 * phi[e] + c.Q * na[e];
            nonstiff(H[2 * step + 1], b, nb);
            for (int e = 0; e < M; ++e) cc[e] = c.E2 * a[e] + c.Q * (2.0 * nb[e] - n0[e]);
            nonstiff(H[2 * step + 2], cc, nc);
            for (int e = 0; e < M; ++e) phi[e] = c.E * phi[e] + c.f1 * n0[e] + 2.0 * (c.f2 * (na[e] + nb[e])) + c.f3 * nc[e];
        }
    }
    for (std::size_t r = 0; r < at_steps.size(); ++r)
        for (int i = 0; i < N; ++i) rho[r * M + i * N + i].re += 0.5;
    return rho;
}

}  // namespace bzint
