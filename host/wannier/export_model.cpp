#include "export_model.hpp"

#include <fmt/core.h>

#include <cmath>
#include <complex>
#include <array>
#include <map>
#include <vector>

#include "../input_error.hpp"

namespace bzint {

namespace {

using cd = std::complex<double>;

// The model's orbital count: two, or an N-band model's N.
template <class M>
constexpr int orbitals_of() {
    if constexpr (requires { M::bands; })
        return M::bands;
    else
        return 2;
}

// The orbital positions τ_m (zero unless the model declares them; only two-band models do).
template <class M>
std::vector<std::array<double, 3>> positions_of() {
    std::vector<std::array<double, 3>> tau(orbitals_of<M>(), std::array<double, 3>{});
    if constexpr (requires(double t[2][3]) { M::orbital_positions(t); }) {
        double t[2][3] = {};
        M::orbital_positions(t);
        for (int m = 0; m < 2; ++m)
            for (int a = 0; a < 3; ++a) tau[m][a] = t[m][a];
    }
    return tau;
}

// H(k) as a W × W row-major matrix in the periodic gauge: H_mn e^{ik·(τ_m − τ_n)}. A two-band
// model's d0 + d·σ; an N-band model's own matrix.
template <class M>
std::vector<cd> periodic_h(const M& model, const std::vector<std::array<double, 3>>& tau, const double k[3]) {
    constexpr int W = orbitals_of<M>();
    std::vector<cd> H(W * W);
    if constexpr (requires { M::bands; }) {
        NBandPoint<W> p;
        model(k, p);
        for (int m = 0; m < W; ++m)
            for (int n = 0; n < W; ++n) H[m * W + n] = cd(p.H[m][n].re, p.H[m][n].im);
    } else {
        TwoBandPoint h;
        model(k, h);
        H = {h.d0 + h.d[2], cd(h.d[0], -h.d[1]), cd(h.d[0], h.d[1]), h.d0 - h.d[2]};
    }
    for (int m = 0; m < W; ++m)
        for (int n = 0; n < W; ++n) {
            double ph = 0.0;
            for (int a = 0; a < 3; ++a) ph += k[a] * (tau[m][a] - tau[n][a]);
            H[m * W + n] *= std::polar(1.0, ph);
        }
    return H;
}

constexpr int kGrid = 8;  // hoppings up to ±3 lattice vectors per axis

}  // namespace

TbModel export_model(const ModelInfo& info, const ModelParams& mp) {
    if (!info.lattice)
        throw InputError(fmt::format("export-hr: '{}' is a continuum model; only lattice models have H(R)", info.name));
    TbModel tb;
    tb.source = "export-hr " + info.name;
    tb.num_wann = info.bands;
    tb.has_lattice = true;
    for (int i = 0; i < 3; ++i)
        for (int a = 0; a < 3; ++a) tb.lattice[i][a] = info.bravais[i][a];
    double G[3][3];
    reciprocal_basis(info.bravais, G);
    const int n[3] = {kGrid, info.dim >= 2 ? kGrid : 1, info.dim >= 3 ? kGrid : 1};
    const std::size_t W = static_cast<std::size_t>(info.bands);
    std::vector<std::array<double, 3>> tau;
    std::map<std::array<int, 3>, std::vector<cd>> HR;
    double scale = 0.0;
    visit_any_model(mp, [&](auto model) {
        using M = decltype(model);
        tau = positions_of<M>();
        std::vector<std::vector<cd>> Hk;
        std::vector<std::array<double, 3>> ks;
        for (int i = 0; i < n[0]; ++i)
            for (int j = 0; j < n[1]; ++j)
                for (int l = 0; l < n[2]; ++l) {
                    std::array<double, 3> k{};
                    for (int a = 0; a < 3; ++a) k[a] = (i * G[0][a]) / n[0] + (j * G[1][a]) / n[1] + (l * G[2][a]) / n[2];
                    Hk.push_back(periodic_h(model, tau, k.data()));
                    ks.push_back({static_cast<double>(i) / n[0], static_cast<double>(j) / n[1], static_cast<double>(l) / n[2]});
                }
        const double inv = 1.0 / static_cast<double>(Hk.size());
        for (int r0 = -n[0] / 2; r0 < (n[0] + 1) / 2; ++r0)
            for (int r1 = -n[1] / 2; r1 < (n[1] + 1) / 2; ++r1)
                for (int r2 = -n[2] / 2; r2 < (n[2] + 1) / 2; ++r2) {
                    std::vector<cd> s(W * W);
                    for (std::size_t q = 0; q < Hk.size(); ++q) {
                        const cd e = std::polar(inv, -kTwoPi * (ks[q][0] * r0 + ks[q][1] * r1 + ks[q][2] * r2));
                        for (std::size_t c = 0; c < W * W; ++c) s[c] += e * Hk[q][c];
                    }
                    for (const cd& v : s) scale = std::max(scale, std::abs(v));
                    HR[{r0, r1, r2}] = std::move(s);
                }
        // Keep the nonzero R (and their −R), then check H(k) off the grid.
        std::map<std::array<int, 3>, std::vector<cd>> kept;
        for (const auto& [R, s] : HR) {
            double mx = 0.0;
            for (const cd& v : s) mx = std::max(mx, std::abs(v));
            if (mx > 1e-13 * scale) {
                kept[R] = s;
                kept[{-R[0], -R[1], -R[2]}] = HR.at({-R[0], -R[1], -R[2]});
            }
        }
        HR.swap(kept);
        for (const double f : {0.1234, 0.3711, 0.8123}) {
            double k[3];
            for (int a = 0; a < 3; ++a) k[a] = f * G[0][a] + (info.dim >= 2 ? 0.57 * f * G[1][a] : 0) + (info.dim >= 3 ? 0.31 * G[2][a] : 0);
            const std::vector<cd> want = periodic_h(model, tau, k);
            std::vector<cd> S(W * W);
            for (const auto& [R, s] : HR) {
                double ph = 0.0;
                for (int a = 0; a < 3; ++a) ph += k[a] * (R[0] * info.bravais[0][a] + R[1] * info.bravais[1][a] + R[2] * info.bravais[2][a]);
                for (std::size_t c = 0; c < W * W; ++c) S[c] += std::polar(1.0, ph) * s[c];
            }
            for (std::size_t c = 0; c < W * W; ++c)
                if (std::abs(S[c] - want[c]) > 1e-12 * (1 + scale))
                    throw InputError(fmt::format("export-hr: '{}' has hoppings beyond ±{} lattice vectors (or no lattice "
                                                 "Fourier series); it cannot be exported",
                                                 info.name, kGrid / 2 - 1));
        }
    });
    for (const auto& [R, s] : HR) {
        tb.R.push_back(R);
        tb.ndegen.push_back(1);
        tb.H.insert(tb.H.end(), s.begin(), s.end());  // layout [m][n]
    }
    tb.has_positions = true;
    for (auto& rc : tb.r) rc.assign(tb.H.size(), cd(0.0, 0.0));
    for (std::size_t i = 0; i < tb.R.size(); ++i)
        if (tb.R[i] == std::array<int, 3>{0, 0, 0})
            for (std::size_t m = 0; m < W; ++m)
                for (int a = 0; a < 3; ++a) tb.r[a][(i * W + m) * W + m] = tau[m][a];
    return tb;
}

TbModel stacked_copies(const TbModel& one, int copies, double shift, double coupling) {
    TbModel many = one;
    const int w = one.num_wann, W = copies * w;
    many.source = fmt::format("{} × {}", one.source, copies);
    many.num_wann = W;
    many.H.assign(one.R.size() * W * W, {0.0, 0.0});
    for (auto& r : many.r) r.assign(one.has_positions ? many.H.size() : 0, {0.0, 0.0});
    for (std::size_t r = 0; r < one.R.size(); ++r) {
        const bool origin = one.R[r] == std::array<int, 3>{0, 0, 0};
        for (int c = 0; c < copies; ++c)
            for (int m = 0; m < w; ++m) {
                const int i = c * w + m;
                for (int n = 0; n < w; ++n) {
                    many.H[(r * W + i) * W + c * w + n] = one.h(r, m, n);
                    for (int a = 0; a < 3 && one.has_positions; ++a)
                        many.r[a][(r * W + i) * W + c * w + n] = one.r[a][(r * w + m) * w + n];
                }
                if (!origin) continue;
                many.H[(r * W + i) * W + i] += c * shift;
                if (c + 1 < copies && coupling != 0.0) {
                    const std::complex<double> t = coupling * std::polar(1.0, static_cast<double>(c + m));
                    many.H[(r * W + i) * W + i + w] = t;
                    many.H[(r * W + i + w) * W + i] = std::conj(t);
                }
            }
    }
    return many;
}

}  // namespace bzint
