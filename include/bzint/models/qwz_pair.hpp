#pragma once
#include "bzint/models/nband_traits.hpp"
#include "bzint/models/qwz.hpp"

namespace bzint::models {

// Two QWZ copies coupled by g: H = diag(h_QWZ(u1), h_QWZ(u2)) + g (τx ⊗ σx). With u1 = −u2
// the copies carry opposite Chern numbers (a quantum-spin-Hall-like pair); g = 0 decouples them.
struct QwzPair {
    static constexpr const char* name = "qwz_pair";
    static constexpr int dim = 2;
    static constexpr bool lattice = true;
    static constexpr int bands = 4;
    static constexpr int spin_stride = 1;  // a texture's J m·σ (nband_texture.hpp): each QWZ copy's σ is its spin (as the two-band texture couples to qwz)
    static constexpr ParamSpec params[] = {{"u1", -1.0, "mass of the first QWZ copy"}, {"u2", 1.2, "mass of the second QWZ copy"}, {"g", 0.2, "coupling of the copies"}};
    double u1, u2, g;
    BZINT_HD explicit QwzPair(const double* p) : u1(p[0]), u2(p[1]), g(p[2]) {}
    static void bravais(double A[3][3]) { Qwz::bravais(A); }

    BZINT_HD void operator()(const double k[3], NBandPoint<4>& p) const {
        clear(p);
        TwoBandPoint t;
        Qwz{&u1}(k, t);
        add_two_band_block(t, 0, p);
        Qwz{&u2}(k, t);
        add_two_band_block(t, 2, p);
        for (int i = 0; i < 2; ++i) {
            p.H[i][3 - i] += {g, 0.0};
            p.H[3 - i][i] += {g, 0.0};
        }
    }
};

}  // namespace bzint::models
