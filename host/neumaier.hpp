// Compensated (Neumaier) summation: the error of a sum is O(ε) relative, independent of
// the number of terms, so reductions agree across orders to ~1e-16 relative.
#pragma once
#include <cmath>

namespace bzint {

// Reductions over k sum fixed blocks of this many consecutive indices, each in index order,
// and fold the blocks in block order (cpu_launch.hpp); MPI ranks take whole blocks (ranks.hpp).
// A constant of the format of results: changing it changes the last bits.
constexpr long long kReduceBlock = 1 << 13;

struct Neumaier {
    double s = 0.0;
    double c = 0.0;

    void add(double x) {
        const double t = s + x;
        if (std::fabs(s) >= std::fabs(x))
            c += (s - t) + x;
        else
            c += (x - t) + s;
        s = t;
    }
    void add(const Neumaier& o) {
        add(o.s);
        c += o.c;
    }
    double value() const { return s + c; }
};

}  // namespace bzint
