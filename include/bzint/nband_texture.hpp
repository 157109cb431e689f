// The textured N-band Hamiltonian
//   H(r, p, t) = H_0(p + a(r, t)) + J m(r − v t)·S + U(r),   S = σ ⊗ 1 on the model's spin index,
// the N-band form of texture.hpp's two-band one: the same texture, potential and fields
// (TextureTerms), coupled to an N-band model (nband_traits.hpp) that names its spin index, with
// analytic first derivatives along the seven phase-space coordinates x = (r, p, t). Its geometry
// (the Berry curvatures Ω^KK, Ω^KX, Ω^XK, Ω^XX of the non-adiabatic paper's Eq. 44):
// nband_phase_geometry.hpp. Readings: docs/textures.md "N-band textured models".
#pragma once
#include <type_traits>

#include "bzint/models/nband_traits.hpp"
#include "bzint/texture.hpp"

namespace bzint {

// H and its derivatives along every phase-space coordinate, dH[I] = ∂_I H (orbital basis).
template <int N>
struct NBandPhasePoint {
    cplx H[N][N];
    cplx dH[kPhaseCoords][N][N];
};

// Adds c·(m·S) to M, S = σ acting on the spin index: orbital i = (2q + σ) stride + r with spin σ,
// so the pairs (i, i + stride) with (i / stride) even are each spin's up and down. stride = 1:
// spin is the fastest index (up, down per orbital); stride = N/2: spin is the slowest (all up,
// then all down).
template <int N>
BZINT_HD void add_spin_term(int stride, const double m[3], double c, cplx (&M)[N][N]) {
    for (int i = 0; i < N; ++i) {
        if ((i / stride) % 2 != 0) continue;
        const int j = i + stride;
        M[i][i] += {c * m[2], 0.0};
        M[j][j] += {-c * m[2], 0.0};
        M[i][j] += {c * m[0], -c * m[1]};
        M[j][i] += {c * m[0], c * m[1]};
    }
}

// H(r, p, t) above for an N-band model with `spin_stride` (its spin index's stride, as
// add_spin_term reads it). Fields by minimal coupling exactly as TexturedTwoBand (texture.hpp):
// the kinetic momentum k = p + a(r, t), ∂_{r_a} H_0 = Σ_b ∂_a a_b ∂_{k_b} H_0 and
// ∂_t H_0 = −Σ_b E_b ∂_{k_b} H_0; a sliding texture's J ∂_t m·S (texture_at). No time-dependent mass: ṁ t σ_z is the two-band model's mass
// ramp (Sec. III B), and an N-band model's mass is its own matrix (host/texture_input.cpp refuses
// mass_rate here).
template <class Model>
struct TexturedNBand {
    static constexpr int N = Model::bands;
    static_assert(N % (2 * Model::spin_stride) == 0, "the spin index's stride must pair every orbital's up and down");
    Model model;
    TextureTerms terms;

    BZINT_HD void canonical_point(const double r[3], double t, const double k[3], double x[kPhaseCoords]) const {
        bzint::canonical_point(terms, r, t, k, x);
    }

    // The uniform Hamiltonian that phase-space point x sees, H(r, ·, t) at the kinetic momentum
    // k = p + a(r, t), with its momentum derivatives: the Bloch Hamiltonian of the local band
    // structure (texture_magnetisation.hpp), H's part of operator() below without its r and t
    // derivatives.
    BZINT_HD void bloch_at(const double x[kPhaseCoords], NBandPoint<N>& h) const {
        const KineticMomentum q = kinetic_momentum(terms, x);
        model(q.k, h);
        constexpr bool tables = EvaluatesTables<Model>::value;
        double m[3], dm[3][3], u, du[3];
        texture_at<tables>(terms, x, m, dm);
        terms.potential.template at<tables>(x, u, du);
        add_spin_term<N>(Model::spin_stride, m, terms.exchange, h.H);
        for (int i = 0; i < N; ++i) h.H[i][i] += {u, 0.0};
    }

    BZINT_HD void operator()(const double x[kPhaseCoords], NBandPhasePoint<N>& p) const {
        const KineticMomentum q = kinetic_momentum(terms, x);
        NBandPoint<N> h;
        model(q.k, h);
        constexpr bool tables = EvaluatesTables<Model>::value;
        double m[3], dm[3][3];
        texture_at<tables>(terms, x, m, dm);
        double u, du[3];
        terms.potential.template at<tables>(x, u, du);
        const double* E = terms.electric;
        for (int i = 0; i < N; ++i)
            for (int j = 0; j < N; ++j) {
                p.H[i][j] = h.H[i][j];
                for (int a = 0; a < 3; ++a) {
                    p.dH[kCoordKx + a][i][j] = h.dH[a][i][j];
                    cplx dr{0.0, 0.0};
                    for (int b = 0; b < 3; ++b) dr += q.dk_dr[a][b] * h.dH[b][i][j];
                    p.dH[kCoordX + a][i][j] = dr;
                }
                cplx dt{0.0, 0.0};
                for (int b = 0; b < 3; ++b) dt -= E[b] * h.dH[b][i][j];
                p.dH[kCoordT][i][j] = dt;
            }
        add_spin_term<N>(Model::spin_stride, m, terms.exchange, p.H);
        for (int a = 0; a < 3; ++a) {
            add_spin_term<N>(Model::spin_stride, dm[a], terms.exchange, p.dH[kCoordX + a]);
            // The slide's ∂_t (J m·S) = −v_a ∂_{r_a}(J m·S); skipped at rest (an N × N update per axis).
            if (terms.velocity[a] != 0.0)
                add_spin_term<N>(Model::spin_stride, dm[a], -terms.velocity[a] * terms.exchange, p.dH[kCoordT]);
        }
        for (int i = 0; i < N; ++i) {
            p.H[i][i] += {u, 0.0};
            for (int a = 0; a < 3; ++a) p.dH[kCoordX + a][i][i] += {du[a], 0.0};
        }
    }
};

// The textured Hamiltonian of a model: TexturedNBand for an N-band model (one that declares its
// `bands`, nband_traits.hpp), TexturedTwoBand for a two-band one.
template <class Model, class = void>
struct TexturedOf {
    using type = TexturedTwoBand<Model>;
};
template <class Model>
struct TexturedOf<Model, std::void_t<decltype(Model::bands)>> {
    using type = TexturedNBand<Model>;
};
template <class Model>
using Textured = typename TexturedOf<Model>::type;

// The number of bands of a model with a texture: 2 for a two-band model, else its `bands`.
template <class Model>
BZINT_HD constexpr int texture_bands() {
    if constexpr (std::is_same_v<Textured<Model>, TexturedTwoBand<Model>>)
        return 2;
    else
        return Model::bands;
}

// A model in a uniform exchange field b = J m — H_0(k) + b·S, S = σ on an N-band model's spin index
// (add_spin_term), or d(k) + b for a two-band model, as Textured<Model> adds J m(r) at every r —
// as a Bloch Hamiltonian k → H(k): a magnetised model (task weyl_nodes). Nothing of the texture
// but its uniform exchange can enter it.
template <class Model, class = void>
struct WithExchange {
    Model model;
    double b[3];
    BZINT_HD void operator()(const double k[3], TwoBandPoint& h) const {
        model(k, h);
        for (int i = 0; i < 3; ++i) h.d[i] += b[i];
    }
};
template <class Model>
struct WithExchange<Model, std::void_t<decltype(Model::bands)>> {
    static constexpr int bands = Model::bands;
    Model model;
    double b[3];
    BZINT_HD void operator()(const double k[3], NBandPoint<bands>& p) const {
        model(k, p);
        add_spin_term<bands>(Model::spin_stride, b, 1.0, p.H);
    }
};

}  // namespace bzint
