#pragma once
#include "bzint/models/nband_traits.hpp"

namespace bzint::models {

// The lattice Dirac model of Qi, Hughes and Zhang (PRB 78, 195424 (2008), Sec. II B) with its
// fourth momentum k_4 written as the parameter theta:
//   H(k, θ) = Σ_{i=1..3} sin k_i Γ_i + sin θ Γ_4 + (m + Σ_i cos k_i + cos θ) Γ_0,
// in their representation Γ_0 = 1⊗τ_z, Γ_{1,2,3} = σ_{x,y,z}⊗τ_x, Γ_4 = 1⊗τ_y (basis index
// 2σ + τ; the five anticommute and square to 1, and Γ_0Γ_1Γ_2Γ_3Γ_4 = −1). At fixed θ it is a
// 3D four-band Dirac insulator (time-reversal invariant at θ = 0, π); over (k, θ) it is the 4D
// model whose filled pair has the second Chern number of task second_chern (docs/second-chern.md).
struct Qhz {
    static constexpr const char* name = "qhz";
    static constexpr int dim = 3;
    static constexpr bool lattice = true;
    static constexpr int bands = 4;
    static constexpr int spin_stride = 2;  // a texture's J m·σ (nband_texture.hpp): basis index 2σ + τ: spin is the slow index
    static constexpr ParamSpec params[] = {{"m", 1.0, "Dirac mass (the gap closes at m = 0, ±2, ±4 for some θ)"},
                                           {"theta", 0.0, "the fourth momentum k_4 (radians)"}};
    double m, theta;
    BZINT_HD explicit Qhz(const double* p) : m(p[0]), theta(p[1]) {}
    static void bravais(double A[3][3]) { set_rows(A, {{1, 0, 0}, {0, 1, 0}, {0, 0, 1}}); }  // cubic, a = 1

    // Adds c Γ_a to M.
    BZINT_HD static void add_gamma(int a, double c, cplx (&M)[4][4]) {
        switch (a) {
            case 0:  // 1⊗τ_z
                for (int i = 0; i < 4; ++i) M[i][i] += {(i % 2 == 0) ? c : -c, 0.0};
                break;
            case 1:  // σ_x⊗τ_x
                for (int i = 0; i < 4; ++i) M[i][3 - i] += {c, 0.0};
                break;
            case 2:  // σ_y⊗τ_x
                M[0][3] += {0.0, -c};
                M[1][2] += {0.0, -c};
                M[2][1] += {0.0, c};
                M[3][0] += {0.0, c};
                break;
            case 3:  // σ_z⊗τ_x
                M[0][1] += {c, 0.0};
                M[1][0] += {c, 0.0};
                M[2][3] += {-c, 0.0};
                M[3][2] += {-c, 0.0};
                break;
            default:  // 1⊗τ_y
                for (int i = 0; i < 4; i += 2) {
                    M[i][i + 1] += {0.0, -c};
                    M[i + 1][i] += {0.0, c};
                }
        }
    }

    BZINT_HD void operator()(const double k[3], NBandPoint<4>& p) const {
        clear(p);
        double mass = m + cos(theta);
        for (int i = 0; i < 3; ++i) {
            const double s = sin(k[i]), c = cos(k[i]);
            mass += c;
            add_gamma(i + 1, s, p.H);
            add_gamma(i + 1, c, p.dH[i]);  // ∂_i: cos k_i Γ_i − sin k_i Γ_0
            add_gamma(0, -s, p.dH[i]);
        }
        add_gamma(4, sin(theta), p.H);
        add_gamma(0, mass, p.H);
    }
};

}  // namespace bzint::models
