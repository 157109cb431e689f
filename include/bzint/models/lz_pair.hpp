#pragma once
#include "bzint/models/landau_zener.hpp"
#include "bzint/models/nband_traits.hpp"

namespace bzint::models {

// Two Landau–Zener crossings coupled by g: H = diag(H_LZ(v, delta1), H_LZ(v, delta2))
// + g (τx ⊗ σx). With g = 0 it is two decoupled copies (never degenerate if delta1 ≠ delta2).
struct LzPair {
    static constexpr const char* name = "lz_pair";
    static constexpr int dim = 1;
    static constexpr bool lattice = false;
    static constexpr int bands = 4;
    static constexpr int spin_stride = 1;  // a texture's J m·σ (nband_texture.hpp): each crossing's σ is its spin
    static constexpr ParamSpec params[] = {{"v", 1.0, "slope of the crossings (energy × L)"}, {"delta1", 1.0, "gap of the first crossing"}, {"delta2", 1.5, "gap of the second crossing"}, {"g", 0.2, "coupling of the two crossings"}};
    double v, delta1, delta2, g;
    BZINT_HD explicit LzPair(const double* p) : v(p[0]), delta1(p[1]), delta2(p[2]), g(p[3]) {}
    static void bravais(double[3][3]) {}

    BZINT_HD void operator()(const double k[3], NBandPoint<4>& p) const {
        clear(p);
        const double p1[2] = {v, delta1}, p2[2] = {v, delta2};
        TwoBandPoint t;
        LandauZener{p1}(k, t);
        add_two_band_block(t, 0, p);
        LandauZener{p2}(k, t);
        add_two_band_block(t, 2, p);
        for (int i = 0; i < 2; ++i) {  // τx ⊗ σx couples orbital i of one copy to 1 − i of the other
            p.H[i][3 - i] += {g, 0.0};
            p.H[3 - i][i] += {g, 0.0};
        }
    }
};

}  // namespace bzint::models
