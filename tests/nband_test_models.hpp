// Two-band models seen as N-band ones, for tests that compare the N-band code paths with the
// two-band closed forms.
#pragma once
#include "bzint/models/nband_traits.hpp"
#include "bzint/models/qwz.hpp"
#include "bzint/models/weyl_lattice.hpp"

namespace bzint::test {

// A two-band model as an N = 2 model whose spin is its σ, as the two-band texture couples to it.
template <class Model>
struct TwoBandAsNBand {
    static constexpr int dim = Model::dim;
    static constexpr int bands = 2;
    static constexpr int spin_stride = 1;
    Model model;
    BZINT_HD void operator()(const double k[3], NBandPoint<2>& p) const {
        TwoBandPoint t;
        model(k, t);
        clear(p);
        add_two_band_block(t, 0, p);
    }
};
using QwzAsNBand = TwoBandAsNBand<models::Qwz>;

}  // namespace bzint::test
