#include "hoppings.hpp"

#include <fmt/core.h>

#include <algorithm>
#include <cmath>

namespace bzint {

namespace {

using cplx = std::complex<double>;

// H(k) = d0 + d·σ as a 2 × 2 matrix.
void matrix_of(const TwoBandPoint& p, cplx H[2][2]) {
    H[0][0] = p.d0 + p.d[2];
    H[1][1] = p.d0 - p.d[2];
    H[0][1] = cplx(p.d[0], -p.d[1]);
    H[1][0] = cplx(p.d[0], p.d[1]);
}

void cartesian(const double G[3][3], double f0, double f1, double k[3]) {
    for (int c = 0; c < 3; ++c) k[c] = f0 * G[0][c] + f1 * G[1][c];
}

}  // namespace

std::vector<Hopping> real_space_hoppings(const std::function<void(const double k[3], TwoBandPoint&)>& model,
                                         const double G[3][3], std::string& why) {
    constexpr int g = 16;
    constexpr double kTwoPi = 6.283185307179586476925286766559;
    // H(k) on the mesh k = (i/g) G_1 + (j/g) G_2.
    std::vector<cplx> Hk(static_cast<std::size_t>(g * g * 4));
    double largest = 0.0;
    for (int i = 0; i < g; ++i)
        for (int j = 0; j < g; ++j) {
            double k[3];
            cartesian(G, double(i) / g, double(j) / g, k);
            TwoBandPoint p;
            model(k, p);
            cplx H[2][2];
            matrix_of(p, H);
            for (int a = 0; a < 4; ++a) {
                Hk[static_cast<std::size_t>((i * g + j) * 4 + a)] = H[a / 2][a % 2];
                largest = std::max(largest, std::abs(H[a / 2][a % 2]));
            }
        }
    // H(R) = (1/g²) Σ_k H(k) e^{−ik·R}, R = (n1, n2) with −g/2 ≤ n < g/2 (k·R = 2π(i n1 + j n2)/g).
    std::vector<Hopping> all;
    double biggest_block = 0.0;
    for (int n1 = -g / 2; n1 < g / 2; ++n1)
        for (int n2 = -g / 2; n2 < g / 2; ++n2) {
            Hopping h{{n1, n2}, {}};
            for (int i = 0; i < g; ++i)
                for (int j = 0; j < g; ++j) {
                    const cplx phase = std::polar(1.0 / (g * g), -kTwoPi * double(i * n1 + j * n2) / g);
                    for (int a = 0; a < 4; ++a) h.block[a / 2][a % 2] += Hk[static_cast<std::size_t>((i * g + j) * 4 + a)] * phase;
                }
            double size = 0.0;
            for (int a = 0; a < 4; ++a) size = std::max(size, std::abs(h.block[a / 2][a % 2]));
            biggest_block = std::max(biggest_block, size);
            all.push_back(h);
        }
    std::vector<Hopping> kept;
    for (const Hopping& h : all) {
        double size = 0.0;
        for (int a = 0; a < 4; ++a) size = std::max(size, std::abs(h.block[a / 2][a % 2]));
        if (size > 1e-14 * biggest_block) kept.push_back(h);
    }
    // Off the mesh: Σ_R H(R) e^{ik·R} against H(k) at irrational fractions of the zone.
    double worst = 0.0;
    for (int t = 0; t < 8; ++t) {
        const double f0 = std::fmod(0.1234567 + 0.6180339887 * t, 1.0), f1 = std::fmod(0.7654321 + 0.4142135624 * t, 1.0);
        double k[3];
        cartesian(G, f0, f1, k);
        TwoBandPoint p;
        model(k, p);
        cplx H[2][2];
        matrix_of(p, H);
        for (const Hopping& h : kept) {
            const cplx phase = std::polar(1.0, kTwoPi * (f0 * h.cell[0] + f1 * h.cell[1]));
            for (int a = 0; a < 4; ++a) H[a / 2][a % 2] -= h.block[a / 2][a % 2] * phase;
        }
        for (int a = 0; a < 4; ++a) worst = std::max(worst, std::abs(H[a / 2][a % 2]));
    }
    if (!(worst <= 1e-10 * std::max(largest, 1e-300))) {
        why = fmt::format("its H(k) is not a sum of hoppings shorter than {} cells in the periodic gauge (off the "
                          "sampled mesh the sum misses H(k) by {:.3g} of max |H| = {:.3g})",
                          g / 2, worst / std::max(largest, 1e-300), largest);
        return {};
    }
    return kept;
}

}  // namespace bzint
