#include "symmetrise.hpp"

#include <array>

namespace bzint {

namespace {

enum class Law { polar, axial };  // both odd under time reversal (v; Ω and m)

// Channels [first, first + comps.size()) of a sea or surface block: a scalar (rank 0, invariant
// or, `pseudo`, det R), a vector (rank 1) or a product of two (rank 2), each channel one Cartesian
// component (pair) of it.
struct Block {
    int rank;
    Law law[2];
    bool pseudo;
    std::vector<std::array<int, 2>> comps;
};

struct Laws {
    std::vector<Block> sea, surface;
};

Block vector_block(Law law, std::vector<int> axes) {
    Block b{1, {law, law}, false, {}};
    for (int a : axes) b.comps.push_back({a, 0});
    return b;
}
Block product_block(std::vector<std::array<int, 2>> comps) { return {2, {Law::polar, Law::axial}, false, comps}; }
Block pseudo_scalar() { return {0, {Law::polar, Law::polar}, true, {{0, 0}}}; }
std::vector<std::array<int, 2>> all_pairs() {
    std::vector<std::array<int, 2>> c;
    for (int i = 0; i < 3; ++i)
        for (int j = 0; j < 3; ++j) c.push_back({i, j});
    return c;
}

// The channels of fermi_scan.hpp band_scan_values, kind by kind.
Laws laws_of(ScanKind kind, int dim) {
    switch (kind) {
        case ScanKind::ahc:
            return {{dim == 2 ? vector_block(Law::axial, {2}) : vector_block(Law::axial, {0, 1, 2})}, {}};
        case ScanKind::cme: return {{pseudo_scalar()}, {product_block(all_pairs())}};  // v·Ω | v_i m_j
        case ScanKind::anomaly: return {{}, {pseudo_scalar()}};                     // v·Ω
        case ScanKind::dipole: return {{}, {product_block(dim == 2 ? std::vector<std::array<int, 2>>{{0, 2}, {1, 2}} : all_pairs())}};
        default: return {};
    }
}

// D(g) of one factor.
void factor_matrix(const PointOp& g, Law law, double D[3][3]) {
    const double f = g.k_sign() * (law == Law::axial ? g.det() : 1.0);
    for (int i = 0; i < 3; ++i)
        for (int j = 0; j < 3; ++j) D[i][j] = f * g.R[i][j];
}

// q[first..) ← (1/|G|) Σ_g D(g) q over the block's channels.
void symmetrise_block(const Block& b, const std::vector<PointOp>& group, double* q) {
    const std::size_t n = b.comps.size();
    std::vector<double> sum(n, 0.0);
    for (const PointOp& g : group) {
        double D0[3][3], D1[3][3];
        factor_matrix(g, b.law[0], D0);
        factor_matrix(g, b.law[1], D1);
        for (std::size_t c = 0; c < n; ++c) {
            double s = 0.0;
            if (b.rank == 0) {
                s = (b.pseudo ? g.det() : 1.0) * q[0];
            } else {
                for (std::size_t d = 0; d < n; ++d) {
                    double w = D0[b.comps[c][0]][b.comps[d][0]];
                    if (b.rank == 2) w *= D1[b.comps[c][1]][b.comps[d][1]];
                    s += w * q[d];
                }
            }
            sum[c] += s;
        }
    }
    for (std::size_t c = 0; c < n; ++c) q[c] = sum[c] / static_cast<double>(group.size());
}

void symmetrise_sums(std::vector<double>& v, int channels, const std::vector<Block>& blocks,
                     const std::vector<PointOp>& group) {
    if (channels == 0) return;
    for (std::size_t row = 0; row < v.size(); row += static_cast<std::size_t>(channels)) {
        std::size_t first = 0;
        for (const Block& b : blocks) {
            symmetrise_block(b, group, v.data() + row + first);
            first += b.comps.size();
        }
    }
}

}  // namespace

bool symmetrises(ScanKind kind) {
    return kind == ScanKind::ahc || kind == ScanKind::cme || kind == ScanKind::anomaly || kind == ScanKind::dipole;
}

void symmetrise(ScanResult& r, ScanKind kind, int dim, const std::vector<PointOp>& group) {
    const Laws laws = laws_of(kind, dim);
    auto one = [&](ScanResult& s) {
        symmetrise_sums(s.sea, s.channels.n_sea, laws.sea, group);
        symmetrise_sums(s.surface, s.channels.n_surface, laws.surface, group);
    };
    one(r);
    if (r.coarse) {
        auto c = std::make_shared<ScanResult>(*r.coarse);
        one(*c);
        r.coarse = c;
    }
    if (r.without_touching) {
        auto w = std::make_shared<ScanResult>(*r.without_touching);
        one(*w);
        r.without_touching = w;
    }
}

}  // namespace bzint
