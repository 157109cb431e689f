// Compensated (Neumaier) summation: the error of a sum is O(ε) relative, independent of
// the number of terms, so reductions agree across orders to ~1e-16 relative. Host and device
// (the CUDA backend's segment sums run the same additions as the CPU's block sums).
#pragma once
#include <cmath>

#include "bzint/hd.hpp"

namespace bzint {

// Reductions over k sum fixed blocks of consecutive indices, each in index order, and fold the
// blocks in block order (block_reducer.hpp); MPI ranks take whole blocks (ranks.hpp). The block
// is 2^13 indices, larger for large histograms (up to 2^18, so that a block's fold — a row per
// key it touched — stays small beside its sums: a 1000-level scan at T > 0 has ~10^5 rows). It
// depends on the histogram's shape alone, never on threads or ranks; changing it changes the last
// bits of results.
constexpr long long kReduceBlock = 1 << 13;
// Above 1 MiB a histogram is so fine (many levels at small T) that a block adds few values to each
// key: its block sums are then plain doubles (half the memory traffic), folded into the
// compensated total as before (block_reducer.hpp).
constexpr bool light_histogram(long long keys, long long values) { return keys * values * 16 > (1LL << 20); }
constexpr long long reduce_block(long long keys, long long values) {
    long long block = kReduceBlock;
    while (block < (1 << 18) && keys * values > 2 * block) block *= 2;
    return block;
}

struct Neumaier {
    double s = 0.0;
    double c = 0.0;

    BZINT_HD void add(double x) {
        const double t = s + x;
        if (std::fabs(s) >= std::fabs(x))
            c += (s - t) + x;
        else
            c += (x - t) + s;
        s = t;
    }
    BZINT_HD void add(const Neumaier& o) {
        add(o.s);
        c += o.c;
    }
    BZINT_HD double value() const { return s + c; }
};

}  // namespace bzint
