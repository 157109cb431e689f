#include "fermi_contour.hpp"

#include <algorithm>
#include <cmath>
#include <map>

#include "../cpu_launch.hpp"
#include "bzint/fermi_contour.hpp"

namespace bzint {

std::vector<ContourPoint> fermi_contour(const ModelParams& mp, const Mesh& mesh, double mu, bool lattice,
                                        bool& touches_edge) {
    const long long n0 = mesh.n[0], n1 = mesh.n[1];
    touches_edge = false;
    std::map<std::pair<int, long long>, double> weight;  // ordered: deterministic output
    std::vector<double> row[2];                          // band energies of rows i0 and i0 + 1
    auto energies = [&](long long i0, std::vector<double>& out) {
        out.assign(2 * n1, 0.0);
        visit_model(mp, [&](auto model) {
            cpu::for_each_point(0, n1, [&](long long i1) {
                double k[3];
                mesh.k_of((i0 % n0) * n1 + i1, k);
                TwoBandPoint h;
                model(k, h);
                BandGeometry g[2];
                two_band_geometry(h, g);
                out[2 * i1] = g[0].energy;
                out[2 * i1 + 1] = g[1].energy;
            });
        });
    };
    const long long rows = lattice ? n0 : n0 - 1, cols = lattice ? n1 : n1 - 1;
    // Continuum boxes: the contour is closed inside the box only if μ lies above the lower
    // band and below the upper band everywhere on the box edge.
    double edge_lower_max = -HUGE_VAL, edge_upper_min = HUGE_VAL;
    auto edge = [&](long long i0, const std::vector<double>& r) {
        for (long long i1 = 0; i1 < n1; ++i1)
            if (i0 == 0 || i0 == n0 - 1 || i1 == 0 || i1 == n1 - 1) {
                edge_lower_max = std::max(edge_lower_max, r[2 * i1]);
                edge_upper_min = std::min(edge_upper_min, r[2 * i1 + 1]);
            }
    };
    energies(0, row[0]);
    edge(0, row[0]);
    for (long long i0 = 0; i0 < rows; ++i0) {
        energies(i0 + 1, row[1]);
        if (!lattice) edge(i0 + 1, row[1]);
        for (long long i1 = 0; i1 < cols; ++i1) {
            const long long j1 = (i1 + 1) % n1;
            // corners (i0, i1), (i0+1, i1), (i0+1, i1+1), (i0, i1+1) at unwrapped positions
            const long long ci[4][2] = {{i0, i1}, {i0 + 1, i1}, {i0 + 1, i1 + 1}, {i0, i1 + 1}};
            double pos[4][2];
            long long idx[4];
            for (int c = 0; c < 4; ++c) {
                const double frac[3] = {(static_cast<double>(ci[c][0]) + mesh.shift) * mesh.inv_n[0],
                                        (static_cast<double>(ci[c][1]) + mesh.shift) * mesh.inv_n[1], 0.0};
                double k[3];
                mesh.k_at(frac, k);
                pos[c][0] = k[0];
                pos[c][1] = k[1];
                idx[c] = (ci[c][0] % n0) * n1 + (ci[c][1] % n1);
            }
            for (int band = 0; band < 2; ++band) {
                const double e[4] = {row[0][2 * i1 + band], row[1][2 * i1 + band], row[1][2 * j1 + band],
                                     row[0][2 * j1 + band]};
                // Both diagonals, half weight each: the average keeps the square mesh's mirror
                // symmetries (x → −x, x ↔ y), which one diagonal would break at O(h²).
                const int tri[4][3] = {{0, 1, 2}, {0, 2, 3}, {0, 1, 3}, {1, 2, 3}};
                for (const auto& t : tri) {
                    const double p[3][2] = {{pos[t[0]][0], pos[t[0]][1]}, {pos[t[1]][0], pos[t[1]][1]},
                                            {pos[t[2]][0], pos[t[2]][1]}};
                    const double et[3] = {e[t[0]], e[t[1]], e[t[2]]};
                    double w[3] = {0, 0, 0};
                    triangle_delta_weights(p, et, mu, w);
                    for (int c = 0; c < 3; ++c) {
                        if (w[c] == 0.0) continue;
                        weight[{band, idx[t[c]]}] += 0.5 * w[c];
                    }
                }
            }
        }
        std::swap(row[0], row[1]);
    }
    if (!lattice) touches_edge = !(edge_lower_max < mu && mu < edge_upper_min);
    std::vector<ContourPoint> out;
    out.reserve(weight.size());
    for (const auto& [key, w] : weight) out.push_back({key.second, key.first, w});
    return out;
}

std::vector<FsState> contour_states(const ModelParams& mp, const Mesh& mesh, const std::vector<ContourPoint>& contour) {
    std::vector<FsState> fs(contour.size());
    visit_model(mp, [&](auto model) {
        cpu::for_each_point(0, static_cast<long long>(contour.size()), [&](long long i) {
            double k[3];
            mesh.k_of(contour[i].idx, k);
            TwoBandPoint h;
            model(k, h);
            fs[i] = fs_state(h, contour[i].band, contour[i].w);
        });
    });
    return fs;
}

}  // namespace bzint
