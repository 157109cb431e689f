// N-band models: H(k) and its k-derivatives as complex N×N matrices (orbital basis).
// A model struct provides what a two-band model does (name, dim, lattice, params,
// bravais, constructor; see model_traits.hpp) plus `static constexpr int bands = N;` and
//   BZINT_HD void operator()(const double k[3], NBandPoint<N>& p) const;
#pragma once
#include "bzint/linalg/complex.hpp"
#include "bzint/models/model_traits.hpp"

namespace bzint {

template <int N>
struct NBandPoint {
    cplx H[N][N];
    cplx dH[3][N][N];  // ∂_a H
};

template <int N>
BZINT_HD void clear(NBandPoint<N>& p) {
    for (int i = 0; i < N; ++i)
        for (int j = 0; j < N; ++j) {
            p.H[i][j] = {0.0, 0.0};
            for (int a = 0; a < 3; ++a) p.dH[a][i][j] = {0.0, 0.0};
        }
}

// Adds d0 + d·σ (and its derivatives) to the 2×2 block starting at row/column `at`.
template <int N>
BZINT_HD void add_two_band_block(const TwoBandPoint& t, int at, NBandPoint<N>& p) {
    p.H[at][at] += {t.d0 + t.d[2], 0.0};
    p.H[at + 1][at + 1] += {t.d0 - t.d[2], 0.0};
    p.H[at][at + 1] += {t.d[0], -t.d[1]};
    p.H[at + 1][at] += {t.d[0], t.d[1]};
    for (int a = 0; a < 3; ++a) {
        p.dH[a][at][at] += {t.dd0[a] + t.dd[a][2], 0.0};
        p.dH[a][at + 1][at + 1] += {t.dd0[a] - t.dd[a][2], 0.0};
        p.dH[a][at][at + 1] += {t.dd[a][0], -t.dd[a][1]};
        p.dH[a][at + 1][at] += {t.dd[a][0], t.dd[a][1]};
    }
}

// A two-band model seen as an N = 2 model (for the N-band solvers and their tests).
template <class TwoBand>
struct AsNBand {
    static constexpr int bands = 2;
    TwoBand model;
    BZINT_HD void operator()(const double k[3], NBandPoint<2>& p) const {
        TwoBandPoint t;
        model(k, t);
        clear(p);
        add_two_band_block(t, 0, p);
    }
};

}  // namespace bzint

namespace bzint {

// The largest |H_ij − conj(H_ji)| relative to the largest |H_ij| at k, and where it is
// (for the Hermiticity check of task dc_current).
template <int N, class Model>
double hermiticity_defect(const Model& model, const double k[3], int& row, int& col) {
    NBandPoint<N> p;
    model(k, p);
    double worst = 0.0, scale = 1e-300;
    row = col = 0;
    for (int i = 0; i < N; ++i)
        for (int j = 0; j < N; ++j) {
            scale = fmax(scale, sqrt(norm2(p.H[i][j])));
            const double d = sqrt(norm2(p.H[i][j] - conj(p.H[j][i])));
            if (d > worst) {
                worst = d;
                row = i;
                col = j;
            }
        }
    return worst / scale;
}

}  // namespace bzint
