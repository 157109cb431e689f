#include "born_response.hpp"

#include <array>
#include <cmath>

namespace bzint {

namespace {

constexpr double kMirrorTolerance = 1e-12;

// The ket of point i on the Fermi shell (mirror = false) or on the other band (mirror = true).
const cplx* ket(const FsState& f, bool mirror) { return f.u[mirror ? 1 - f.band : f.band]; }
const double* bloch(const FsState& f, bool mirror) { return f.s[mirror ? 1 - f.band : f.band]; }

// Solves the Born collision equation on one shell (Eq. 28 with Eq. 50 or 51 on the right):
//   2π u0² Σ_j w_j |⟨x_i|x_j⟩|² (φ_i − φ_j) = b_i,    Σ_i w_i φ_i = 0.
// With |⟨x_i|x_j⟩|² = ⟨x_i|P_j|x_i⟩ the left side is 2π u0² [φ_i g_i − ⟨x_i|P_φ|x_i⟩],
// g_i = ⟨x_i|P|x_i⟩, P = Σ w_j P_j, P_φ = Σ w_j φ_j P_j = c0 + c·σ; the normalisation makes
// c0 = 0, and c solves the 4×3 self-consistency system (least squares: it is consistent).
std::vector<double> solve_shell(const std::vector<FsState>& fs, bool mirror, const Mat2& P, double u0sq,
                                std::vector<double> b) {
    const std::size_t n = fs.size();
    double W = 0.0, Wb = 0.0;
    for (std::size_t i = 0; i < n; ++i) {
        W += fs[i].w;
        Wb += fs[i].w * b[i];
    }
    const double scale = 1.0 / (kTwoPi * u0sq);
    std::vector<double> g(n);
    double M[4][3] = {}, r[4] = {};
    for (std::size_t j = 0; j < n; ++j) {
        b[j] = (b[j] - Wb / W) * scale;  // the solvable part: Σ w b = 0
        const cplx* x = ket(fs[j], mirror);
        g[j] = sandwich(x, P, x).re;
        const double* nj = bloch(fs[j], mirror);
        const double e[4] = {1.0, nj[0], nj[1], nj[2]};
        const double fac = 0.5 * fs[j].w / g[j];
        for (int a = 0; a < 4; ++a) {
            r[a] += fac * e[a] * b[j];
            for (int c = 0; c < 3; ++c) M[a][c] -= fac * e[a] * nj[c];
        }
    }
    for (int c = 0; c < 3; ++c) M[1 + c][c] += 1.0;
    double A[3][4] = {};  // normal equations [MᵀM | Mᵀr]
    for (int p = 0; p < 3; ++p) {
        for (int q = 0; q < 3; ++q)
            for (int a = 0; a < 4; ++a) A[p][q] += M[a][p] * M[a][q];
        for (int a = 0; a < 4; ++a) A[p][3] += M[a][p] * r[a];
    }
    for (int p = 0; p < 3; ++p) {  // Gauss–Jordan with partial pivoting
        int piv = p;
        for (int q = p + 1; q < 3; ++q)
            if (std::fabs(A[q][p]) > std::fabs(A[piv][p])) piv = q;
        for (int c = 0; c < 4; ++c) std::swap(A[p][c], A[piv][c]);
        for (int q = 0; q < 3; ++q) {
            if (q == p) continue;
            const double f = A[q][p] / A[p][p];
            for (int c = 0; c < 4; ++c) A[q][c] -= f * A[p][c];
        }
    }
    const double c[3] = {A[0][3] / A[0][0], A[1][3] / A[1][1], A[2][3] / A[2][2]};
    std::vector<double> phi(n);
    double mean = 0.0;
    for (std::size_t i = 0; i < n; ++i) {
        phi[i] = (b[i] + dot3(c, bloch(fs[i], mirror))) / g[i];
        mean += fs[i].w * phi[i];
    }
    for (auto& p : phi) p -= mean / W;
    return phi;
}

// Σ_j w_j φ_j |x_j⟩⟨x_j|
Mat2 weighted_projector(const std::vector<FsState>& fs, const std::vector<double>& phi, bool mirror) {
    Mat2 a = mat2_zero();
    for (std::size_t j = 0; j < fs.size(); ++j) add_outer(a, {fs[j].w * phi[j], 0.0}, ket(fs[j], mirror), ket(fs[j], mirror));
    return a;
}

}  // namespace

bool mirror_shell_exact(const std::vector<FsState>& fs) {
    for (const auto& f : fs)
        if (std::fabs(f.mirror_d0) > kMirrorTolerance * (std::fabs(f.e[0]) + std::fabs(f.e[1]))) return false;
    return true;
}

namespace {

// The aggregate path (O(N)): every sum over partner points is a matrix element of a 2×2
// aggregate of the contour.
struct AggregateOps {
    const std::vector<FsState>& fs;
    double u0sq;
    FsAggregates agg;

    AggregateOps(const std::vector<FsState>& f, double u) : fs(f), u0sq(u) {
        agg.P = agg.Pm = mat2_zero();
        for (int c = 0; c < 3; ++c) agg.QR[c] = agg.QT[c] = mat2_zero();
        for (const auto& s : fs) accumulate(agg, s);
    }
    double out_rate(std::size_t i) const { return kTwoPi * u0sq * diagonal_element(fs[i], agg.P); }
    // β_i (Eq. 47) and γ_i (Eq. 61): extrinsic vertices of R and 𝒯.
    void vertices(std::size_t i, double beta[3], double gamma[3]) const {
        for (int c = 0; c < 3; ++c) {
            beta[c] = kTwoPi * u0sq * extrinsic_vertex(fs[i], fs[i].R[c], agg, agg.QR[c]);
            gamma[c] = kTwoPi * u0sq * extrinsic_vertex(fs[i], fs[i].T[c], agg, agg.QT[c]);
        }
    }
    std::vector<double> solve(bool mirror, const std::vector<double>& b) const {
        return solve_shell(fs, mirror, mirror ? agg.Pm : agg.P, u0sq, b);
    }
    // D′^{ob}_i = −π u0² ⟨ū_i|(φ_i P − P_φ)|u_i⟩ (Eq. 33).
    std::vector<cplx> coherence_driver(const std::vector<double>& phi) const {
        const Mat2 Pphi = weighted_projector(fs, phi, false);
        std::vector<cplx> D(fs.size());
        for (std::size_t i = 0; i < fs.size(); ++i) {
            Mat2 A = mat2_zero();
            add_scaled(A, phi[i], agg.P);
            add_scaled(A, -1.0, Pphi);
            D[i] = -kPi * u0sq * sandwich(ket(fs[i], true), A, ket(fs[i], false));
        }
        return D;
    }
    // The diagonal of the Born collision integral acting on the steady coherence S_ext, on the
    // Fermi shell (jb) and on the mirror shell (jo) (docs/disorder.md §5):
    //   jb_i = 2π u0² {Re[⟨u_i|P|ū_i⟩ S_i] − Re⟨u_i|𝒮|u_i⟩},  jo_i = 2π u0² {Re[⟨ū_i|P̄|u_i⟩ S_i*] − Re⟨ū_i|𝒮|ū_i⟩},
    //   𝒮 = Σ_j w_j |ū_j⟩ S_j ⟨u_j|.
    void collision_of_coherence(const std::vector<cplx>& S, std::vector<double>& jb, std::vector<double>& jo) const {
        Mat2 Sagg = mat2_zero();
        for (std::size_t i = 0; i < fs.size(); ++i) add_outer(Sagg, fs[i].w * S[i], ket(fs[i], true), ket(fs[i], false));
        for (std::size_t i = 0; i < fs.size(); ++i) {
            const cplx* u = ket(fs[i], false);
            const cplx* ub = ket(fs[i], true);
            jb[i] = kTwoPi * u0sq * ((sandwich(u, agg.P, ub) * S[i]).re - sandwich(u, Sagg, u).re);
            jo[i] = kTwoPi * u0sq * ((sandwich(ub, agg.Pm, u) * conj(S[i])).re - sandwich(ub, Sagg, ub).re);
        }
    }
};

// The pair-sum path (O(N²)): the same sums written out over all pairs (i, j), with
// O^{ab}_{ij} = ⟨u^a_i|u^b_j⟩, and a dense conjugate-gradient solve.
struct PairOps {
    const std::vector<FsState>& fs;
    double u0sq;

    cplx O(std::size_t i, bool mi, std::size_t j, bool mj) const { return inner2(ket(fs[i], mi), ket(fs[j], mj)); }
    double out_rate(std::size_t i) const {
        double r = 0.0;
        for (std::size_t j = 0; j < fs.size(); ++j) r += fs[j].w * norm2(O(i, false, j, false));
        return kTwoPi * u0sq * r;
    }
    void vertices(std::size_t i, double beta[3], double gamma[3]) const {
        for (int c = 0; c < 3; ++c) beta[c] = gamma[c] = 0.0;
        for (std::size_t j = 0; j < fs.size(); ++j) {
            // Y_ij = Re[Q^{bo}_i O^{ob}_ij O^{bb}_ji], β_i = 2π u0² Σ_j w_j (Y_ij − Y_ji)
            const cplx a = O(i, true, j, false) * O(j, false, i, false);
            const cplx b = O(j, true, i, false) * O(i, false, j, false);
            for (int c = 0; c < 3; ++c) {
                beta[c] += fs[j].w * ((fs[i].R[c] * a).re - (fs[j].R[c] * b).re);
                gamma[c] += fs[j].w * ((fs[i].T[c] * a).re - (fs[j].T[c] * b).re);
            }
        }
        for (int c = 0; c < 3; ++c) {
            beta[c] *= kTwoPi * u0sq;
            gamma[c] *= kTwoPi * u0sq;
        }
    }
    // Conjugate gradients on the symmetric form Σ_j S_ij (φ_i − φ_j) = w_i b_i,
    // S_ij = 2π u0² w_i w_j |O_ij|², in the subspace Σ w φ = 0.
    std::vector<double> solve(bool mirror, std::vector<double> b) const {
        const std::size_t n = fs.size();
        std::vector<double> S(n * n), diag(n, 0.0);
        double W = 0.0, Wb = 0.0;
        for (std::size_t i = 0; i < n; ++i) {
            W += fs[i].w;
            Wb += fs[i].w * b[i];
            for (std::size_t j = 0; j < n; ++j) {
                S[i * n + j] = kTwoPi * u0sq * fs[i].w * fs[j].w * norm2(O(i, mirror, j, mirror));
                diag[i] += S[i * n + j];
            }
        }
        auto apply = [&](const std::vector<double>& x) {
            std::vector<double> y(n);
            for (std::size_t i = 0; i < n; ++i) {
                double s = diag[i] * x[i];
                for (std::size_t j = 0; j < n; ++j) s -= S[i * n + j] * x[j];
                y[i] = s;
            }
            return y;
        };
        std::vector<double> x(n, 0.0), r(n), p;
        for (std::size_t i = 0; i < n; ++i) r[i] = fs[i].w * (b[i] - Wb / W);
        p = r;
        double rr = 0.0, r0 = 0.0;
        for (double v : r) rr += v * v;
        r0 = rr;
        for (std::size_t it = 0; it < 10 * n && rr > 1e-26 * r0; ++it) {  // residual 1e-13: far below the 1e-8 comparisons
            const auto Ap = apply(p);
            double pAp = 0.0;
            for (std::size_t i = 0; i < n; ++i) pAp += p[i] * Ap[i];
            const double alpha = rr / pAp;
            double rr_new = 0.0;
            for (std::size_t i = 0; i < n; ++i) {
                x[i] += alpha * p[i];
                r[i] -= alpha * Ap[i];
                rr_new += r[i] * r[i];
            }
            for (std::size_t i = 0; i < n; ++i) p[i] = r[i] + rr_new / rr * p[i];
            rr = rr_new;
        }
        double mean = 0.0;
        for (std::size_t i = 0; i < n; ++i) mean += fs[i].w * x[i];
        for (auto& v : x) v -= mean / W;
        return x;
    }
    std::vector<cplx> coherence_driver(const std::vector<double>& phi) const {
        std::vector<cplx> D(fs.size(), cplx{0.0, 0.0});
        for (std::size_t i = 0; i < fs.size(); ++i) {
            for (std::size_t j = 0; j < fs.size(); ++j)
                D[i] += (fs[j].w * (phi[i] - phi[j])) * (O(i, true, j, false) * O(j, false, i, false));
            D[i] = -kPi * u0sq * D[i];
        }
        return D;
    }
    void collision_of_coherence(const std::vector<cplx>& S, std::vector<double>& jb, std::vector<double>& jo) const {
        for (std::size_t i = 0; i < fs.size(); ++i) {
            double b = 0.0, o = 0.0;
            for (std::size_t j = 0; j < fs.size(); ++j) {
                b += fs[j].w * ((O(i, false, j, false) * O(j, false, i, true) * S[i]).re -
                                (O(i, false, j, true) * S[j] * O(j, false, i, false)).re);
                o += fs[j].w * ((O(i, true, j, true) * O(j, true, i, false) * conj(S[i])).re -
                                (O(i, true, j, true) * S[j] * O(j, false, i, true)).re);
            }
            jb[i] = kTwoPi * u0sq * b;
            jo[i] = kTwoPi * u0sq * o;
        }
    }
};

// Assembles every piece from the five solves, whichever path supplies the sums.
template <class Ops>
BornResponse respond(const std::vector<FsState>& fs, bool skew, const Ops& ops) {
    BornResponse out{};
    out.skew = skew && mirror_shell_exact(fs);
    const std::size_t n = fs.size();
    if (n == 0) return out;
    double W = 0.0, rate = 0.0;
    for (std::size_t i = 0; i < n; ++i) {
        W += fs[i].w;
        rate += fs[i].w * ops.out_rate(i);
    }
    out.dos = W;
    out.rate_out = rate / W;
    std::vector<std::array<double, 3>> beta(n), gamma(n);
    for (std::size_t i = 0; i < n; ++i) ops.vertices(i, beta[i].data(), gamma[i].data());

    for (int fb = 0; fb < 2; ++fb) {  // field direction
        std::vector<double> b(n);
        // Eq. 50: J0[n^(−1)] = e E·∂f/∂k = −E·v δ(ε − μ) (charge −e, e = 1).
        for (std::size_t i = 0; i < n; ++i) b[i] = -fs[i].v[fs[i].band][fb];
        const std::vector<double> phi = ops.solve(false, b);
        // Eqs. 37–38: J0[n^(sj)] = −J_E(n_FD) = E·β δ(ε − μ).
        for (std::size_t i = 0; i < n; ++i) b[i] = beta[i][fb];
        const std::vector<double> phi_sj = ops.solve(false, b);
        std::vector<double> phi_sk(n, 0.0), phi_skm(n, 0.0);
        if (out.skew) {
            // S_ext^{ob} = D′^{ob}/(i(ε_o − ε_b)) (Eq. 31); J0[n^(sk)] = −J_sk (Eq. 35).
            const std::vector<cplx> D = ops.coherence_driver(phi);
            std::vector<cplx> S(n);
            for (std::size_t i = 0; i < n; ++i)
                S[i] = (-1.0 / (fs[i].e[1 - fs[i].band] - fs[i].e[fs[i].band])) * times_i(D[i]);
            std::vector<double> jb(n), jo(n);
            ops.collision_of_coherence(S, jb, jo);
            for (std::size_t i = 0; i < n; ++i) {
                jb[i] = -jb[i];
                jo[i] = -jo[i];
            }
            phi_sk = ops.solve(false, jb);
            phi_skm = ops.solve(true, jo);
        }
        for (int a = 0; a < 2; ++a) {
            double drude = 0, ext = 0, sj = 0, sk = 0;
            for (std::size_t i = 0; i < n; ++i) {
                const FsState& f = fs[i];
                drude -= f.w * f.v[f.band][a] * phi[i];
                ext -= f.w * beta[i][a] * phi[i];
                sj -= f.w * f.v[f.band][a] * phi_sj[i];
                sk -= f.w * (f.v[f.band][a] * phi_sk[i] + f.v[1 - f.band][a] * phi_skm[i]);
            }
            out.sigma_drude[a][fb] = drude;
            out.sigma_ext[a][fb] = ext;
            out.sigma_sj[a][fb] = sj;
            out.sigma_sk[a][fb] = sk;
        }
        for (int c = 0; c < 3; ++c) {
            double ed = 0, ext = 0, sj = 0, sk = 0;
            for (std::size_t i = 0; i < n; ++i) {
                const FsState& f = fs[i];
                ed += f.w * f.s[f.band][c] * phi[i];
                ext += f.w * gamma[i][c] * phi[i];
                sj += f.w * f.s[f.band][c] * phi_sj[i];
                sk += f.w * (f.s[f.band][c] * phi_sk[i] + f.s[1 - f.band][c] * phi_skm[i]);
            }
            out.s_edelstein[c][fb] = ed;
            out.s_ext[c][fb] = ext;
            out.s_sj[c][fb] = sj;
            out.s_sk[c][fb] = sk;
        }
    }
    return out;
}

}  // namespace

BornResponse born_response(const std::vector<FsState>& fs, double u0sq, bool skew) {
    return respond(fs, skew, AggregateOps(fs, u0sq));
}

BornResponse born_response_reference(const std::vector<FsState>& fs, double u0sq, bool skew) {
    return respond(fs, skew, PairOps{fs, u0sq});
}

}  // namespace bzint
