#include "box_hamiltonian.hpp"

#include <algorithm>
#include <utility>

#include "../stop.hpp"

namespace bzint {

void SparseHamiltonian::scaled_apply(const std::complex<double>* x, std::complex<double>* y, double center,
                                     double half_width) const {
    const double s = 1.0 / half_width;
    for (long long i = 0; i < dim; ++i) {
        std::complex<double> acc = -center * x[i];
        for (long long e = row_start[i]; e < row_start[i + 1]; ++e) acc += value[e] * x[column[e]];
        y[i] = s * acc;
    }
}

double PeierlsField::phase(const double r[2], const double R[2], const long long w[2]) const {
    double angle = modulation.line_integral(r, R);
    if (uniform_bz == 0.0) return angle;
    // ∫ a·dl along the segment: a is linear, so a at the midpoint times R, (B_z/2)(r × R)_z.
    angle += 0.5 * uniform_bz * (r[0] * R[1] - r[1] * R[0]);
    if (w[0] == 0 && w[1] == 0) return angle;
    // The target r + R = r' + L with r' in the box: ψ(r' + L) = exp(i[π N_φ w_1 w_2 − χ_L(r')]) ψ(r')
    // beside the twist (the caller's θ·w).
    const double L[2] = {double(w[0] * box[0]) * a1[0] + double(w[1] * box[1]) * a2[0],
                         double(w[0] * box[0]) * a1[1] + double(w[1] * box[1]) * a2[1]};
    const double target[2] = {r[0] + R[0] - L[0], r[1] + R[1] - L[1]};
    angle -= 0.5 * uniform_bz * (L[0] * target[1] - L[1] * target[0]);
    if ((flux_quanta * w[0] * w[1]) % 2 != 0) angle += kPi;
    return angle;
}

void add_two_orbital_site(OnSiteBlocks& blocks, const std::array<double, 2>& potential, const std::array<double, 3>& f) {
    blocks.insert(blocks.end(), {{potential[0] + f[2], 0.0}, {f[0], -f[1]}, {f[0], f[1]}, {potential[1] - f[2], 0.0}});
}

namespace {

// The box's sparse matrix: each hop's entry t_αβ(R) e^{i(θ·w + Peierls)} times weight(R, α, β) (the
// matrix itself: 1), and the on-site terms where on_site is given.
template <class Weight>
SparseHamiltonian assemble(int N, const std::vector<Hopping>& hoppings, const int cells[2], const OnSiteBlocks* on_site,
                           const double twist[2], const PeierlsField* peierls, Weight weight) {
    using cplx = std::complex<double>;
    const long long S1 = cells[0], S2 = cells[1];
    SparseHamiltonian H;
    H.dim = N * S1 * S2;
    H.row_start.push_back(0);
    auto wrap = [](long long n, long long S, long long& winding) {
        winding = (n >= 0 ? n / S : -((-n + S - 1) / S));
        return n - winding * S;
    };
    // Row (c, α): H(R)_{αβ} to cell c + R, which the box wraps with the twist's phase; a few
    // entries per row, so a linear search merges the hoppings that wrap onto one column.
    std::vector<std::vector<std::pair<long long, cplx>>> row(static_cast<std::size_t>(N));
    for (long long n1 = 0; n1 < S1; ++n1)
        for (long long n2 = 0; n2 < S2; ++n2) {
            const long long c = n1 * S2 + n2;
            if (c % 4096 == 0) throw_if_stopped();
            for (auto& entries : row) entries.clear();
            auto add = [&](int a, long long col, cplx v) {
                for (auto& [c2, w] : row[static_cast<std::size_t>(a)])
                    if (c2 == col) {
                        w += v;
                        return;
                    }
                row[static_cast<std::size_t>(a)].emplace_back(col, v);
            };
            for (const Hopping& h : hoppings) {
                long long w1, w2;
                const long long m1 = wrap(n1 + h.cell[0], S1, w1), m2 = wrap(n2 + h.cell[1], S2, w2);
                const double twist_angle = twist[0] * double(w1) + twist[1] * double(w2);
                const long long d = m1 * S2 + m2;
                for (int a = 0; a < N; ++a)
                    for (int b = 0; b < N; ++b) {
                        const cplx t = h.at(N, a, b);
                        if (t == cplx(0.0, 0.0)) continue;
                        double angle = twist_angle;
                        if (peierls) {  // from orbital a at r_c + τ_a to orbital b at r_c + R + τ_b
                            const PeierlsField& p = *peierls;
                            const std::array<double, 2> ta = p.position(a), tb = p.position(b);
                            const double r[2] = {double(n1) * p.a1[0] + double(n2) * p.a2[0] + ta[0],
                                                 double(n1) * p.a1[1] + double(n2) * p.a2[1] + ta[1]};
                            const double R[2] = {h.cell[0] * p.a1[0] + h.cell[1] * p.a2[0] + tb[0] - ta[0],
                                                 h.cell[0] * p.a1[1] + h.cell[1] * p.a2[1] + tb[1] - ta[1]};
                            const long long w[2] = {w1, w2};
                            angle += p.phase(r, R, w);
                        }
                        add(a, N * d + b, weight(h, a, b) * t * std::polar(1.0, angle));
                    }
            }
            if (on_site) {
                const cplx* o = on_site->data() + static_cast<std::size_t>(c) * static_cast<std::size_t>(N * N);
                for (int a = 0; a < N; ++a)
                    for (int b = 0; b < N; ++b) add(a, N * c + b, o[a * N + b]);
            }
            for (auto& entries : row) {
                std::sort(entries.begin(), entries.end(), [](const auto& x, const auto& y) { return x.first < y.first; });
                for (const auto& [col, v] : entries)
                    if (v != cplx(0.0, 0.0)) {
                        H.column.push_back(col);
                        H.value.push_back(v);
                    }
                H.row_start.push_back(static_cast<long long>(H.column.size()));
            }
        }
    return H;
}

}  // namespace

SparseHamiltonian box_hamiltonian(int orbitals, const std::vector<Hopping>& hoppings, const int cells[2],
                                  const OnSiteBlocks& on_site, const double twist[2], const PeierlsField* peierls) {
    return assemble(orbitals, hoppings, cells, &on_site, twist, peierls, [](const Hopping&, int, int) { return 1.0; });
}

std::array<SparseHamiltonian, 2> box_twist_derivatives(int orbitals, const std::vector<Hopping>& hoppings, const int cells[2],
                                                       const double twist[2], const PeierlsField* peierls,
                                                       const std::vector<std::array<double, 2>>& tau_fraction) {
    auto fraction = [&](int a, int i) { return tau_fraction.empty() ? 0.0 : tau_fraction[static_cast<std::size_t>(a)][static_cast<std::size_t>(i)]; };
    std::array<SparseHamiltonian, 2> d;
    for (int i = 0; i < 2; ++i)
        d[static_cast<std::size_t>(i)] = assemble(orbitals, hoppings, cells, nullptr, twist, peierls, [&](const Hopping& h, int a, int b) {
            // i × the hop's displacement from orbital a to orbital b along a_i, in box lengths.
            return std::complex<double>(0.0, (double(h.cell[i]) + fraction(b, i) - fraction(a, i)) / double(cells[i]));
        });
    return d;
}

}  // namespace bzint
