// Two-band models seen as N-band ones, for tests that compare the N-band code paths with the
// two-band closed forms.
#pragma once
#include "bzint/models/nband_traits.hpp"
#include "bzint/models/qwz.hpp"

namespace bzint::test {

// qwz as an N = 2 model whose spin is its σ, as the two-band texture couples to it.
struct QwzAsNBand {
    static constexpr int dim = 2;
    static constexpr int bands = 2;
    static constexpr int spin_stride = 1;
    models::Qwz model;
    BZINT_HD void operator()(const double k[3], NBandPoint<2>& p) const {
        TwoBandPoint t;
        model(k, t);
        clear(p);
        add_two_band_block(t, 0, p);
    }
};

}  // namespace bzint::test
