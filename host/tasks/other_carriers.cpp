// The carriers a beam's transport leaves out (other_carriers.hpp).
#include "other_carriers.hpp"

#include <fmt/core.h>

#include <algorithm>
#include <cmath>
#include <limits>

namespace bzint {

std::vector<std::string> other_carriers(const CarrierScan& scan, int bands, int band, double lo, double hi, double pocket,
                                        const std::function<std::vector<double>(int, const std::vector<std::array<double, 2>>&)>& energies) {
    const int side = scan.lattice ? kScanSide : kScanSide + 1, half = kScanSide / 2;
    // Point (i, j): the offset from k_0 in the scan's steps (on a lattice, the nearest image of k_0's).
    auto offset = [&](int i, int j) {
        if (scan.lattice) {
            const double a = (i > half ? i - side : i) / double(side), b = (j > half ? j - side : j) / double(side);
            return std::array<double, 2>{a * scan.reciprocal[0][0] + b * scan.reciprocal[1][0],
                                         a * scan.reciprocal[0][1] + b * scan.reciprocal[1][1]};
        }
        return std::array<double, 2>{scan.reach * (i - half) / half, scan.reach * (j - half) / half};
    };
    std::vector<std::array<double, 2>> momenta;
    for (int i = 0; i < side; ++i)
        for (int j = 0; j < side; ++j) {
            const std::array<double, 2> d = offset(i, j);
            momenta.push_back({scan.origin[0] + d[0], scan.origin[1] + d[1]});
        }
    std::vector<std::string> out;
    for (int b = 0; b < bands; ++b) {
        const std::vector<double> e = energies(b, momenta);
        if (b != band) {
            double least = std::numeric_limits<double>::infinity(), most = -least;
            for (double v : e)
                if (std::isfinite(v)) least = std::min(least, v), most = std::max(most, v);
            if (most >= lo && least <= hi) out.push_back(fmt::format("band {} (its values span [{:.6g}, {:.6g}])", b, least, most));
            continue;
        }
        // The region ε ≤ hi connected to the momenta within `pocket` of k_0: k_0's pocket.
        std::vector<char> reached(e.size(), 0);
        std::vector<int> queue;
        for (int p = 0; p < side * side; ++p) {
            const std::array<double, 2> d = offset(p / side, p % side);
            if (e[p] <= hi && std::hypot(d[0], d[1]) <= pocket) reached[p] = 1, queue.push_back(p);
        }
        while (!queue.empty()) {
            const int p = queue.back(), i = p / side, j = p % side;
            queue.pop_back();
            for (const auto& [di, dj] : {std::array<int, 2>{1, 0}, {-1, 0}, {0, 1}, {0, -1}}) {
                int ni = i + di, nj = j + dj;
                if (scan.lattice) ni = (ni + side) % side, nj = (nj + side) % side;
                if (ni < 0 || nj < 0 || ni >= side || nj >= side) continue;
                const int q = ni * side + nj;
                if (!reached[q] && e[q] <= hi) reached[q] = 1, queue.push_back(q);
            }
        }
        int count = 0, lowest = -1;
        for (int p = 0; p < side * side; ++p)
            if (!reached[p] && e[p] <= hi) {
                ++count;
                if (lowest < 0 || e[p] < e[lowest]) lowest = p;
            }
        if (count > 0) {
            std::array<double, 2> k = momenta[lowest];
            if (scan.lattice) {
                const double turn = 2 * std::acos(-1.0);
                k = {(k[0] * scan.direct[0][0] + k[1] * scan.direct[0][1]) / turn, (k[0] * scan.direct[1][0] + k[1] * scan.direct[1][1]) / turn};
            }
            out.push_back(fmt::format("another pocket of band {} ({} momenta of the scan, the lowest {:.6g} at k = [{:.6g}, {:.6g}])",
                                      b, count, e[lowest], k[0], k[1]));
        }
    }
    return out;
}

}  // namespace bzint
