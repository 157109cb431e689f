// The carriers a beam's transport leaves out (other_carriers.hpp).
#include "other_carriers.hpp"

#include <fmt/core.h>

#include <algorithm>
#include <cmath>
#include <limits>

namespace bzint {

int scan_side(int dim) { return dim == 2 ? 96 : 32; }

std::vector<std::string> other_carriers(const CarrierScan& scan, int bands, int band, double lo, double hi, double pocket,
                                        const std::function<std::vector<double>(int, const std::vector<Momentum>&)>& energies) {
    const int dim = scan.dim, n = scan_side(dim), side = scan.lattice ? n : n + 1, half = n / 2;
    int points = 1;
    for (int a = 0; a < dim; ++a) points *= side;
    // Point p's index along axis a (the first axis the slowest).
    auto index = [&](int p, int a) {
        for (int b = dim - 1; b > a; --b) p /= side;
        return p % side;
    };
    // Point p's offset from k_0 in the scan's steps (on a lattice, the nearest image of k_0's).
    auto offset = [&](int p) {
        Momentum d{};
        for (int a = 0; a < dim; ++a) {
            const int i = index(p, a);
            if (scan.lattice) {
                const double f = (i > half ? i - side : i) / double(side);
                for (int c = 0; c < 3; ++c) d[c] += f * scan.reciprocal[a][c];
            } else {
                d[a] = scan.reach * (i - half) / half;
            }
        }
        return d;
    };
    std::vector<Momentum> momenta;
    momenta.reserve(static_cast<std::size_t>(points));
    for (int p = 0; p < points; ++p) {
        const Momentum d = offset(p);
        momenta.push_back({scan.origin[0] + d[0], scan.origin[1] + d[1], scan.origin[2] + d[2]});
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
        for (int p = 0; p < points; ++p) {
            const Momentum d = offset(p);
            if (e[p] <= hi && std::hypot(d[0], d[1], d[2]) <= pocket) reached[p] = 1, queue.push_back(p);
        }
        while (!queue.empty()) {
            const int p = queue.back();
            queue.pop_back();
            int stride = 1;  // the step in p of axis a
            for (int a = dim - 1; a >= 0; --a, stride *= side) {
                const int i = index(p, a);
                for (int step : {1, -1}) {
                    int j = i + step;
                    if (scan.lattice) j = (j + side) % side;
                    if (j < 0 || j >= side) continue;
                    const int q = p + (j - i) * stride;
                    if (!reached[q] && e[q] <= hi) reached[q] = 1, queue.push_back(q);
                }
            }
        }
        int count = 0, lowest = -1;
        for (int p = 0; p < points; ++p)
            if (!reached[p] && e[p] <= hi) {
                ++count;
                if (lowest < 0 || e[p] < e[lowest]) lowest = p;
            }
        if (count > 0) {
            Momentum k = momenta[lowest];
            if (scan.lattice) {
                const double turn = 2 * std::acos(-1.0);
                const Momentum cartesian = k;
                for (int a = 0; a < dim; ++a)
                    k[a] = (cartesian[0] * scan.direct[a][0] + cartesian[1] * scan.direct[a][1] + cartesian[2] * scan.direct[a][2]) / turn;
            }
            out.push_back(fmt::format("another pocket of band {} ({} momenta of the scan, the lowest {:.6g} at k = {})", b, count,
                                      e[lowest], momentum_text(k, dim, 6)));
        }
    }
    return out;
}

}  // namespace bzint
