// Spin textures m(r) and the textured two-band Hamiltonian
//   H(r, p, t) = H_0(p + a(r, t)) + J m(r − v t)·σ + ṁ t σ_z + U(r),  a(r, t) = (B × r)/2 − E t,
// of the kinetic-equation paper (Eq. 12: an exchange field J m(r, t) of a magnetic texture, at rest
// or sliding rigidly at velocity v, coupled to a uniform model, the time-dependent mass of its
// Sec. III B, uniform magnetic and electric
// fields through the vector potential a(r, t) and a static scalar potential U(r), Eq. 32), with analytic first
// derivatives in r, k and t (phase_space.hpp). Definitions and readings: docs/textures.md.
#pragma once
#include <type_traits>

#include "bzint/hd.hpp"
#include "bzint/periodic_spline.hpp"
#include "bzint/phase_space.hpp"
#include "bzint/two_band.hpp"

namespace bzint {

enum class TextureKind : int { uniform, skyrmion_lattice, skyrmion, domain_wall, spiral, table };

// The skyrmion profile's smooth step: β(x) = ψ(x)/(ψ(x) + ψ(1 − x)), ψ(y) = e^{−1/y} (y > 0) and 0
// otherwise — 0 for x ≤ 0, 1 for x ≥ 1, infinitely differentiable, every derivative 0 at both
// ends — and β'(x). β is computed directly (not as 1 − a step) so that it is exact near 0, where
// the core's sin θ = sin πβ must vanish with it.
BZINT_HD void smooth_step(double x, double& b, double& db) {
    if (x <= 0.0 || x >= 1.0) {
        b = x <= 0.0 ? 0.0 : 1.0;
        db = 0.0;
        return;
    }
    const double c = exp(-1.0 / x), a = exp(-1.0 / (1.0 - x)), s = a + c;
    if (c == 0.0 || a == 0.0) {  // within ~1.3e-3 of an end ψ underflows; every derivative is 0 there
        b = c == 0.0 ? 0.0 : 1.0;
        db = 0.0;
        return;
    }
    b = c / s;
    db = a * c * (1.0 / (x * x) + 1.0 / ((1.0 - x) * (1.0 - x))) / (s * s);
}

// m = s/|s| for a spline s through a table of m, and its gradient ∂_a m = (∂_a s − m (m·∂_a s))/|s|
// (a = x, y; dm[2] is left as it is).
BZINT_HD void spline_direction(const PeriodicSpline<3>& spline, const double r[3], double m[3], double dm[3][3]) {
    double s[3], ds[2][3];
    spline(r[0], r[1], s, ds);
    const double len = sqrt(s[0] * s[0] + s[1] * s[1] + s[2] * s[2]);
    for (int i = 0; i < 3; ++i) m[i] = s[i] / len;
    for (int a = 0; a < 2; ++a) {
        const double along = m[0] * ds[a][0] + m[1] * ds[a][1] + m[2] * ds[a][2];
        for (int i = 0; i < 3; ++i) dm[a][i] = (ds[a][i] - m[i] * along) / len;
    }
}

// A unit-vector field m(r) in the plane z = const and its gradient dm[a][i] = ∂_{r_a} m_i.
// With θ the polar angle and Φ = Wφ + γ the azimuth of m:
// - uniform: m = `direction` everywhere.
// - skyrmion (isolated, centred at the origin) and skyrmion_lattice (one per square cell
//   [0, L)², centred at (L/2, L/2), R ≤ L/2): m = (sin θ cos Φ, sin θ sin Φ, p cos θ) with φ the
//   angle of r about the centre, θ(ρ) = π(1 − β(ρ/R)): m = −p ẑ at the centre and p ẑ from ρ = R
//   on. Smooth (C∞) everywhere; it wraps the sphere Q = −pW times, Q = (1/4π) ∫ m·(∂_x m × ∂_y m).
// - domain_wall (along x, centred at x = 0, width w): θ = 2 arctan e^{x/w}, Φ = γ (γ = 0 Néel,
//   π/2 Bloch): m goes from p ẑ to −p ẑ.
// - spiral (along x, period L): θ = 2π W x/L, Φ = γ.
// - table: m(r) = s(r)/|s(r)| for the periodic spline s through a table of m on a grid of the plane
//   (host/texture_table.cpp, docs/textures.md): C² like s wherever s ≠ 0. Reading the table checks
//   |s| ≥ 0.5 at each grid cell's edge midpoints and centre (|s| = 1 on the grid points); an s = 0
//   elsewhere would give a NaN, the non-finite error naming the point.
struct SpinTexture {
    TextureKind kind = TextureKind::uniform;
    double direction[3] = {0.0, 0.0, 1.0};
    double period = 1.0;    // L
    double radius = 0.5;    // R
    double width = 1.0;     // w
    double winding = 1.0;   // W (an integer)
    double helicity = 0.0;  // γ
    double polarity = 1.0;  // p = ±1
    PeriodicSpline<3> table;  // s (its coefficients in host memory, or on the device for its kernels)

    // m and dm at r. A table's spline is evaluated in host code always, and in device code only
    // where kTables asks for it: the kernels of a textured WithTables<Model> (below), which the
    // device launchers pick for a run that reads a table. Inlined into every texture kernel, the
    // spline's 16-term sum cost each 30–50 registers and 130–220 B of stack (docs/textures.md).
    template <bool kTables = false>
    BZINT_HD void at(const double r[3], double m[3], double dm[3][3]) const {
        for (int a = 0; a < 3; ++a)
            for (int i = 0; i < 3; ++i) dm[a][i] = 0.0;
        if (kind == TextureKind::uniform) {
            for (int i = 0; i < 3; ++i) m[i] = direction[i];
            return;
        }
        if (kind == TextureKind::table) {
#if defined(__CUDA_ARCH__)
            constexpr bool spline_here = kTables;
#else
            constexpr bool spline_here = true;
#endif
            if constexpr (spline_here) {
                spline_direction(table, r, m, dm);
            } else {  // a plain kernel never meets a table (the launchers wrap its model): a NaN if it did
                for (int i = 0; i < 3; ++i) m[i] = NAN;
            }
            return;
        }
        // θ and its gradient, φ's gradient (for the azimuth Wφ + γ), and φ.
        double sin_t, cos_t, dtheta[2] = {0.0, 0.0}, dphi[2] = {0.0, 0.0}, phi = 0.0;
        if (kind == TextureKind::domain_wall) {
            const double u = r[0] / width;
            sin_t = 1.0 / cosh(u);
            cos_t = -tanh(u);
            dtheta[0] = sin_t / width;  // d/dx 2 arctan e^u = sech u / w
        } else if (kind == TextureKind::spiral) {
            const double q = kTwoPi * winding / period;
            sincos(q * r[0], &sin_t, &cos_t);
            dtheta[0] = q;
        } else {
            double x = r[0], y = r[1];
            if (kind == TextureKind::skyrmion_lattice) {  // the nearest centre (L/2, L/2) + cell
                x -= period * (floor(x / period) + 0.5);
                y -= period * (floor(y / period) + 0.5);
            }
            const double rho = sqrt(x * x + y * y);
            if (rho >= radius || rho == 0.0) {  // outside, or the centre (where every derivative is 0)
                m[0] = m[1] = 0.0;
                m[2] = rho == 0.0 ? -polarity : polarity;
                return;
            }
            double b, db;
            smooth_step(rho / radius, b, db);
            sin_t = sin(kPi * b);    // θ = π(1 − β): sin θ = sin πβ
            cos_t = -cos(kPi * b);
            const double dt = -kPi * db / radius;  // dθ/dρ
            dtheta[0] = dt * x / rho;
            dtheta[1] = dt * y / rho;
            dphi[0] = -y / (rho * rho);
            dphi[1] = x / (rho * rho);
            phi = atan2(y, x);
        }
        double sin_f, cos_f;  // (φ = 0 for the walls and spirals: Φ = γ)
        sincos(winding * phi + helicity, &sin_f, &cos_f);
        m[0] = sin_t * cos_f;
        m[1] = sin_t * sin_f;
        m[2] = polarity * cos_t;
        for (int a = 0; a < 2; ++a) {
            const double w = winding * dphi[a];
            dm[a][0] = dtheta[a] * cos_t * cos_f - w * sin_t * sin_f;
            dm[a][1] = dtheta[a] * cos_t * sin_f + w * sin_t * cos_f;
            dm[a][2] = -polarity * dtheta[a] * sin_t;
        }
    }
    BZINT_HD void operator()(const double r[3], double m[3], double dm[3][3]) const { at<false>(r, m, dm); }
};

enum class PotentialShape : int { none, cosine, gaussian, table };

// A static scalar potential U(r) added to H as U(r)·1: the paper's φ(r, t) of Eq. 32 (the
// electron's charge absorbed, so U is the potential energy and the force on an electron −∇U), here
// independent of t, with its gradient du[a] = ∂_{r_a} U:
// - cosine: U = A cos(2π r_axis/L) along x (axis 0) or y (axis 1), a gate's or a superlattice's
//   modulation, periodic with L;
// - gaussian: U = A exp(−ρ²/2w²), ρ the distance from the z axis, a gate's or a tip's bump;
// - table: U = s(r), the periodic spline through a table of U on a grid of the plane
//   (host/texture_table.cpp, docs/textures.md): C², periodic with the table's cell.
// `amplitude` bounds |U| for every shape: A, or for a table max |c_ij| over the spline's
// coefficients (its weights are ≥ 0 and sum to 1), the bound the exact lattice reference's
// spectrum estimate takes.
struct ScalarPotential {
    PotentialShape shape = PotentialShape::none;
    double amplitude = 0.0;     // A (energy)
    double period = 1.0;        // L
    double width = 1.0;         // w
    int axis = 0;
    PeriodicSpline<1> table;    // s (its coefficients in host memory, or on the device for its kernels)

    // U and ∇U at r; a table's spline in device code only where kTables asks, as SpinTexture::at.
    template <bool kTables = false>
    BZINT_HD void at(const double r[3], double& u, double du[3]) const {
        du[0] = du[1] = du[2] = 0.0;
        u = 0.0;
        if (shape == PotentialShape::cosine) {
            const double q = kTwoPi / period;
            double s, c;
            sincos(q * r[axis], &s, &c);
            u = amplitude * c;
            du[axis] = -amplitude * q * s;
        } else if (shape == PotentialShape::gaussian) {
            const double w2 = width * width;
            u = amplitude * exp(-0.5 * (r[0] * r[0] + r[1] * r[1]) / w2);
            du[0] = -u * r[0] / w2;
            du[1] = -u * r[1] / w2;
        } else if (shape == PotentialShape::table) {
#if defined(__CUDA_ARCH__)
            constexpr bool spline_here = kTables;
#else
            constexpr bool spline_here = true;
#endif
            if constexpr (spline_here) {
                double s[1], ds[2][1];
                table(r[0], r[1], s, ds);
                u = s[0];
                du[0] = ds[0][0];
                du[1] = ds[1][0];
            } else {  // as SpinTexture::at: a NaN, were it ever reached
                u = NAN;
            }
        }
    }
    BZINT_HD void operator()(const double r[3], double& u, double du[3]) const { at<false>(r, u, du); }
};

// A magnetic field along z modulated along x (axis 0) or y (axis 1), B_z(r) = B1 cos(2π r_axis/L):
// a magnetic superlattice. Its vector potential in the gauge that keeps H periodic with L,
//   a_y = (B1 L/2π) sin(2πx/L)  (axis x),   a_x = −(B1 L/2π) sin(2πy/L)  (axis y),
// so that ∂_x a_y − ∂_y a_x = B_z(r). Its nonzero parts are named, not indexed by the axis, so that
// the device keeps them in registers.
struct ModulationGauge {
    double ax, ay;    // a_x, a_y
    double dx_ay;     // ∂a_y/∂x
    double dy_ax;     // ∂a_x/∂y
};

struct FieldModulation {
    double amplitude = 0.0;  // B1 (ħ/(e length²)); 0: none
    double period = 1.0;     // L
    int axis = 0;

    BZINT_HD ModulationGauge operator()(const double r[3]) const {
        ModulationGauge g{0.0, 0.0, 0.0, 0.0};
        if (amplitude == 0.0) return g;
        const double q = kTwoPi / period;
        double s, c;
        sincos(q * (axis == 0 ? r[0] : r[1]), &s, &c);
        if (axis == 0) {
            g.ay = amplitude * s / q;
            g.dx_ay = amplitude * c;
        } else {
            g.ax = -amplitude * s / q;
            g.dy_ax = -amplitude * c;
        }
        return g;
    }

    // ∫ a·dl along the straight segment from r to r + R (in-plane components): the Peierls phase
    // of a hop on a lattice (texture_lattice's box). Axis x: R_y (A/q) (cos qx − cos q(x + R_x))/(q R_x),
    // the limit R_y (A/q) sin qx when R_x = 0, with A = B1; axis y the same with x ↔ y and a sign.
    BZINT_HD double line_integral(const double r[2], const double R[2]) const {
        if (amplitude == 0.0) return 0.0;
        const double q = kTwoPi / period;
        const double u = axis == 0 ? r[0] : r[1], du = axis == 0 ? R[0] : R[1], across = axis == 0 ? R[1] : R[0];
        const double sign = axis == 0 ? 1.0 : -1.0;
        // (cos qu − cos q(u + du))/(q du) = 2 sin(q(u + du/2)) sin(q du/2)/(q du): no cancellation.
        const double half = 0.5 * q * du;
        const double mean_sin = half == 0.0 ? sin(q * u) : sin(q * u + half) * sin(half) / half;
        return sign * across * amplitude / q * mean_sin;
    }
};

// What a texture adds to a uniform model (the run file's [texture]), as plain data for both
// backends.
struct TextureTerms {
    SpinTexture texture;
    double exchange = 0.0;              // J (energy)
    double mass_rate = 0.0;             // ṁ (energy per time)
    double field[3] = {0.0, 0.0, 0.0};     // B (ħ/(e length²))
    double electric[3] = {0.0, 0.0, 0.0};  // E (energy/(e length))
    double velocity[3] = {0.0, 0.0, 0.0};  // v (length per time): the texture is m(r − v t)
    ScalarPotential potential;                // U(r)
    FieldModulation modulation;               // a modulated B_z(r), on top of the uniform B
};

// The texture at x = (r, p, t): m(r − v t) and its gradient ∂_{r_a} m_i there (a rigid slide;
// docs/textures.md "A sliding texture"). Its rate is ∂_t m_i = −Σ_a v_a ∂_{r_a} m_i, which the
// textured models add row by row. Shared by the two-band and the N-band textured models; kTables
// as SpinTexture::at.
template <bool kTables = false>
BZINT_HD void texture_at(const TextureTerms& terms, const double x[kPhaseCoords], double m[3], double dm[3][3]) {
    const double* v = terms.velocity;
    const double t = x[kCoordT];
    const double r[3] = {x[kCoordX] - v[0] * t, x[kCoordX + 1] - v[1] * t, x[kCoordX + 2] - v[2] * t};
    terms.texture.template at<kTables>(r, m, dm);
}

// Whether a texture or potential is read from a table (host/texture_table.cpp).
BZINT_HD_INLINE bool reads_tables(const TextureTerms& t) {
    return t.texture.kind == TextureKind::table || t.potential.shape == PotentialShape::table;
}

// A model whose textured Hamiltonian evaluates table textures and potentials in device code too
// (SpinTexture::at): the device launchers wrap a run's model in it when reads_tables(terms)
// (kernels/device_textures.cuh), so that only such runs take kernels with the spline's sum, and
// the kernels of every other run keep their registers. It is its model in every other respect.
template <class Model>
struct WithTables : Model {
    static constexpr bool evaluates_tables = true;
    BZINT_HD explicit WithTables(const Model& m) : Model(m) {}
    BZINT_HD explicit WithTables(const double* p) : Model(p) {}
};
template <class Model, class = void>
struct EvaluatesTables : std::false_type {};
template <class Model>
struct EvaluatesTables<Model, std::void_t<decltype(Model::evaluates_tables)>> : std::bool_constant<Model::evaluates_tables> {};

// Whether the texture's H feels a magnetic field, uniform or modulated.
BZINT_HD_INLINE bool has_magnetic_field(const TextureTerms& t) {
    return t.field[0] != 0.0 || t.field[1] != 0.0 || t.field[2] != 0.0 || t.modulation.amplitude != 0.0;
}

// The kinetic momentum k = p + a(r, t) at x = (r, p, t) and its derivatives along r,
// dk_dr[a][b] = ∂a_b/∂r_a (∂k/∂p = 1 and ∂k/∂t = −E need no table): the uniform field's
// (B × r)/2, the modulation's periodic gauge and the electric field's −E t (below). Shared by the
// two-band and the N-band textured models (nband_texture.hpp).
struct KineticMomentum {
    double k[3];
    double dk_dr[3][3];
};

BZINT_HD KineticMomentum kinetic_momentum(const TextureTerms& terms, const double x[kPhaseCoords]) {
    const ModulationGauge g = terms.modulation(x + kCoordX);
    const double B0 = 0.5 * terms.field[0], B1 = 0.5 * terms.field[1], B2 = 0.5 * terms.field[2];
    const double d_uniform[3][3] = {{0.0, B2, -B1}, {-B2, 0.0, B0}, {B1, -B0, 0.0}};
    KineticMomentum q;
    for (int b = 0; b < 3; ++b) {
        q.k[b] = x[kCoordKx + b] - terms.electric[b] * x[kCoordT];
        for (int a = 0; a < 3; ++a) {
            q.k[b] += x[kCoordX + a] * d_uniform[a][b];  // (B × r)/2 = Σ_a r_a ∂_a a_b
            q.dk_dr[a][b] = d_uniform[a][b];
        }
    }
    q.k[0] += g.ax;
    q.k[1] += g.ay;
    q.dk_dr[0][1] += g.dx_ay;
    q.dk_dr[1][0] += g.dy_ax;
    return q;
}

// x = (r, p, t) for the kinetic momentum k at position r and time t: p = k − a(r, t).
BZINT_HD void canonical_point(const TextureTerms& terms, const double r[3], double t, const double k[3],
                              double x[kPhaseCoords]) {
    const double* B = terms.field;
    const ModulationGauge g = terms.modulation(r);
    const double a[3] = {g.ax + 0.5 * (B[1] * r[2] - B[2] * r[1]), g.ay + 0.5 * (B[2] * r[0] - B[0] * r[2]),
                         0.5 * (B[0] * r[1] - B[1] * r[0])};
    for (int b = 0; b < 3; ++b) {
        x[kCoordX + b] = r[b];
        x[kCoordKx + b] = k[b] - a[b] + terms.electric[b] * t;
    }
    x[kCoordT] = t;
}

// H(r, p, t) = H_0(p + a(r, t)) + J m(r − v t)·σ + ṁ t σ_z + U(r) for a built-in two-band model H_0
// (model_traits.hpp), as a PhaseSpacePoint at x = (r, p, t). Fields enter by minimal coupling (the
// paper's Eq. 32 with e = 1, read for bzint's charge −e: p + a is the kinetic momentum): a uniform
// B in the symmetric gauge a = (B × r)/2, where the phase-space curvature gives the
// density-of-states factor 1 + B·Ω_n and the energy −m_n·B of task `streda`; a modulated B_z(r)
// in FieldModulation's periodic gauge; E in the temporal gauge a = −E t, φ = 0, so that H stays
// periodic in r and the kinetic momentum moves as k̇ = −E (docs/textures.md). Without fields, p
// is k.
template <class Model>
struct TexturedTwoBand {
    Model model;
    TextureTerms terms;

    BZINT_HD void canonical_point(const double r[3], double t, const double k[3], double x[kPhaseCoords]) const {
        bzint::canonical_point(terms, r, t, k, x);
    }

    BZINT_HD void operator()(const double x[kPhaseCoords], PhaseSpacePoint& p) const {
        const KineticMomentum q = kinetic_momentum(terms, x);
        const double(&da)[3][3] = q.dk_dr;
        const double* E = terms.electric;
        const double* k = q.k;
        TwoBandPoint h;
        model(k, h);
        clear(p);
        constexpr bool tables = EvaluatesTables<Model>::value;
        double m[3], dm[3][3];
        texture_at<tables>(terms, x, m, dm);
        const double J = terms.exchange;
        double u, du[3];
        terms.potential.template at<tables>(x, u, du);
        p.d0 = h.d0 + u;
        for (int i = 0; i < 3; ++i) p.d[i] = h.d[i] + J * m[i];
        p.d[2] += terms.mass_rate * x[kCoordT];
        for (int a = 0; a < 3; ++a) {
            p.dd0[kCoordKx + a] = h.dd0[a];
            p.dd0[kCoordX + a] = du[a];
            for (int b = 0; b < 3; ++b) p.dd0[kCoordX + a] += da[a][b] * h.dd0[b];
            for (int i = 0; i < 3; ++i) {
                p.dd[kCoordKx + a][i] = h.dd[a][i];
                double dr = J * dm[a][i];
                p.dd[kCoordT][i] -= terms.velocity[a] * dr;  // the slide's ∂_t (J m) = −v_a ∂_{r_a}(J m)
                for (int b = 0; b < 3; ++b) dr += da[a][b] * h.dd[b][i];
                p.dd[kCoordX + a][i] = dr;
            }
        }
        // ∂_t at fixed (r, p), beyond the slide's (above): ṁ σ_z, and the kinetic momentum's drift
        // ∂_t k = −E.
        p.dd[kCoordT][2] += terms.mass_rate;
        for (int b = 0; b < 3; ++b) {
            p.dd0[kCoordT] -= E[b] * h.dd0[b];
            for (int i = 0; i < 3; ++i) p.dd[kCoordT][i] -= E[b] * h.dd[b][i];
        }
    }
};

}  // namespace bzint
