#include "hoppings.hpp"

#include <fmt/core.h>

#include <algorithm>
#include <cmath>

namespace bzint {

namespace {

using cplx = std::complex<double>;

void cartesian(const double G[3][3], double f0, double f1, double k[3]) {
    for (int c = 0; c < 3; ++c) k[c] = f0 * G[0][c] + f1 * G[1][c];
}

double largest_entry(const std::vector<cplx>& block) {
    double size = 0.0;
    for (const cplx& v : block) size = std::max(size, std::abs(v));
    return size;
}

}  // namespace

Hopping two_orbital_hopping(int R1, int R2, cplx h00, cplx h01, cplx h10, cplx h11) { return {{R1, R2}, {h00, h01, h10, h11}}; }

std::vector<Hopping> real_space_hoppings(int orbitals, const std::function<void(const double k[3], cplx* H)>& model,
                                         const double G[3][3], std::string& why) {
    constexpr int g = 16;
    constexpr double kTwoPi = 6.283185307179586476925286766559;
    const std::size_t entries = static_cast<std::size_t>(orbitals * orbitals);
    // H(k) on the mesh k = (i/g) G_1 + (j/g) G_2.
    std::vector<cplx> Hk(static_cast<std::size_t>(g * g) * entries);
    double largest = 0.0;
    for (int i = 0; i < g; ++i)
        for (int j = 0; j < g; ++j) {
            double k[3];
            cartesian(G, double(i) / g, double(j) / g, k);
            cplx* H = Hk.data() + static_cast<std::size_t>(i * g + j) * entries;
            model(k, H);
            for (std::size_t a = 0; a < entries; ++a) largest = std::max(largest, std::abs(H[a]));
        }
    // H(R) = (1/g²) Σ_k H(k) e^{−ik·R}, R = (n1, n2) with −g/2 ≤ n < g/2 (k·R = 2π(i n1 + j n2)/g).
    std::vector<Hopping> all;
    double biggest_block = 0.0;
    for (int n1 = -g / 2; n1 < g / 2; ++n1)
        for (int n2 = -g / 2; n2 < g / 2; ++n2) {
            Hopping h{{n1, n2}, std::vector<cplx>(entries)};
            for (int i = 0; i < g; ++i)
                for (int j = 0; j < g; ++j) {
                    const cplx phase = std::polar(1.0 / (g * g), -kTwoPi * double(i * n1 + j * n2) / g);
                    const cplx* H = Hk.data() + static_cast<std::size_t>(i * g + j) * entries;
                    for (std::size_t a = 0; a < entries; ++a) h.block[a] += H[a] * phase;
                }
            biggest_block = std::max(biggest_block, largest_entry(h.block));
            all.push_back(std::move(h));
        }
    std::vector<Hopping> kept;
    for (Hopping& h : all)
        if (largest_entry(h.block) > 1e-14 * biggest_block) kept.push_back(std::move(h));
    // Off the mesh: Σ_R H(R) e^{ik·R} against H(k) at irrational fractions of the zone.
    double worst = 0.0;
    std::vector<cplx> H(entries);
    for (int t = 0; t < 8; ++t) {
        const double f0 = std::fmod(0.1234567 + 0.6180339887 * t, 1.0), f1 = std::fmod(0.7654321 + 0.4142135624 * t, 1.0);
        double k[3];
        cartesian(G, f0, f1, k);
        model(k, H.data());
        for (const Hopping& h : kept) {
            const cplx phase = std::polar(1.0, kTwoPi * (f0 * h.cell[0] + f1 * h.cell[1]));
            for (std::size_t a = 0; a < entries; ++a) H[a] -= h.block[a] * phase;
        }
        worst = std::max(worst, largest_entry(H));
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
