// The carriers a beam's transport leaves out (host/tasks/other_carriers.hpp): other bands whose
// values reach the window, and other pockets of the beam's own band, on synthetic bands whose
// pockets are known in closed form.
#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "tasks/other_carriers.hpp"

using namespace bzint;

namespace {

using Momenta = std::vector<Momentum>;

// The massless cone ±|k| (band 0 below, band 1 above) on a continuum, in the plane or in space.
std::vector<double> cone(int b, const Momenta& k) {
    std::vector<double> e;
    for (const auto& q : k) e.push_back((b == 0 ? -1 : 1) * std::hypot(q[0], q[1], q[2]));
    return e;
}

// ε = −cos 2k_x − cos 2k_y on the square lattice (a = 1): minima −2 at Γ, X = (π, 0), Y and M =
// (π, π) (reduced [0, 0], [0.5, 0], [0, 0.5], [0.5, 0.5]), saddles 0 between them, so the pockets
// below 0 are four, apart.
std::vector<double> four_valleys(int, const Momenta& k) {
    std::vector<double> e;
    for (const auto& q : k) e.push_back(-std::cos(2 * q[0]) - std::cos(2 * q[1]));
    return e;
}

CarrierScan square_lattice() {
    const double G = 2 * std::acos(-1.0);
    CarrierScan s;
    s.lattice = true;
    s.reciprocal = {{{G, 0.0, 0.0}, {0.0, G, 0.0}}};
    s.direct = {{{1.0, 0.0, 0.0}, {0.0, 1.0, 0.0}}};
    return s;
}

}  // namespace

TEST(OtherCarriers, TheOtherBandOfAConeCountsWhereTheWindowReachesBelowItsTip) {
    // The upper band's pocket about k_0 = 0 at the window's top 0.8 has |k| ≤ 0.8; the lower band
    // spans (−∞, 0]: in a window [−0.2, 0.8] it has carriers (holes), in [0.1, 0.8] none.
    CarrierScan scan;
    scan.reach = 2.4;
    const auto below = other_carriers(scan, 2, 1, -0.2, 0.8, 0.85, cone);
    ASSERT_EQ(below.size(), 1u);
    EXPECT_EQ(below.front().rfind("band 0 (its values span [-3.39411, ", 0), 0u) << below.front();  // the corner, 2.4 √2
    EXPECT_TRUE(other_carriers(scan, 2, 1, 0.1, 0.8, 0.85, cone).empty());
}

TEST(OtherCarriers, AFourValleyBandsOtherPocketsAreNamedWhereTheWindowReachesThem) {
    // Below the saddles (hi = −0.55, off the grid's exact ties at −0.5) the pockets at X, Y and M are
    // apart from Γ's: 3 others; the lowest of them (−2; the first in the scan's order, Y) is named
    // in reduced coordinates. Above the saddles (hi = 0.5) the region
    // ε ≤ hi is one connected net: no other pocket.
    const CarrierScan scan = square_lattice();
    const auto apart = other_carriers(scan, 1, 0, -2.0, -0.55, 0.8, four_valleys);
    ASSERT_EQ(apart.size(), 1u);
    EXPECT_NE(apart.front().find("another pocket of band 0 ("), std::string::npos) << apart.front();
    EXPECT_NE(apart.front().find("the lowest -2 at k = [0, 0.5])"), std::string::npos) << apart.front();
    // Each valley's pocket ε ≤ −0.55 covers the same share of the zone: the others hold 3 of 4.
    const auto count = std::stoi(apart.front().substr(apart.front().find('(') + 1));
    int pocket = 0;
    const int n = scan_side(2);
    for (int i = 0; i < n; ++i)
        for (int j = 0; j < n; ++j) {
            const double kx = 2 * std::acos(-1.0) * i / n, ky = 2 * std::acos(-1.0) * j / n;
            pocket += -std::cos(2 * kx) - std::cos(2 * ky) <= -0.55;
        }
    EXPECT_EQ(4 * count, 3 * pocket);
    EXPECT_TRUE(other_carriers(scan, 1, 0, -2.0, 0.5, 0.8, four_valleys).empty());
}

// ε = (sin²k_x + sin²k_y + cos²k_z)^{1/2} on the cubic lattice (a = 1; weyl_lattice's upper band at
// m = 0): 0 at the 8 points (0 or π, 0 or π, ±π/2), and periodic under k_a → k_a + π, so the 8
// pockets below any window's top are copies of each other.
std::vector<double> eight_nodes(int, const Momenta& k) {
    std::vector<double> e;
    for (const auto& q : k) e.push_back(std::sqrt(std::pow(std::sin(q[0]), 2) + std::pow(std::sin(q[1]), 2) + std::pow(std::cos(q[2]), 2)));
    return e;
}

TEST(OtherCarriers, InSpaceAWeylBandsOtherNodesPocketsAreNamed) {
    // From k_0 = (0, 0, π/2), window [0, 0.5] (pockets of radius about 0.5, 2.5 spacings of 2π/32,
    // apart: the band reaches 1 between them): the 7 other nodes' pockets hold 7 times k_0's points.
    const double G = 2 * std::acos(-1.0);
    CarrierScan scan;
    scan.dim = 3;
    scan.lattice = true;
    scan.origin = {0.0, 0.0, G / 4};
    scan.reciprocal = {{{G, 0.0, 0.0}, {0.0, G, 0.0}, {0.0, 0.0, G}}};
    scan.direct = {{{1.0, 0.0, 0.0}, {0.0, 1.0, 0.0}, {0.0, 0.0, 1.0}}};
    const auto found = other_carriers(scan, 1, 0, 0.0, 0.5, 0.55, eight_nodes);
    ASSERT_EQ(found.size(), 1u);
    EXPECT_EQ(found.front().rfind("another pocket of band 0 (", 0), 0u) << found.front();
    const int n = scan_side(3), count = std::stoi(found.front().substr(found.front().find('(') + 1));
    int own = 0;  // the points of k_0's pocket: within π/2 of it along each axis
    for (int i = -n / 4; i < n / 4; ++i)
        for (int j = -n / 4; j < n / 4; ++j)
            for (int l = -n / 4; l < n / 4; ++l)
                own += eight_nodes(0, {{G * i / n, G * j / n, G / 4 + G * l / n}}).front() <= 0.5;
    EXPECT_EQ(count, 7 * own);
    // The lowest, named in reduced coordinates: a node, ε 0 to rounding — least at (0, π, π/2) and
    // (π, 0, π/2), |(sin π, cos π/2)| = 1.2246e-16 (5/4)^{1/2}, the first of them in the scan's order (k_x slowest).
    EXPECT_NE(found.front().find("the lowest 1.3692e-16 at k = [0, 0.5, 0.25])"), std::string::npos) << found.front();
    // Below the node's energy nothing of the band: a window [-1, -0.1] finds no pocket.
    EXPECT_TRUE(other_carriers(scan, 1, 0, -1.0, -0.1, 0.55, eight_nodes).empty());
}

TEST(OtherCarriers, InSpaceAConesLowerBandCountsWhereTheWindowReachesBelowItsTip) {
    CarrierScan scan;
    scan.dim = 3;
    scan.reach = 2.4;
    const auto below = other_carriers(scan, 2, 1, -0.2, 0.8, 0.85, cone);
    ASSERT_EQ(below.size(), 1u);
    EXPECT_EQ(below.front().rfind("band 0 (its values span [-4.15692, ", 0), 0u) << below.front();  // the corner, 2.4 √3
    EXPECT_TRUE(other_carriers(scan, 2, 1, 0.1, 0.8, 0.85, cone).empty());
}
