#include "runtime_wannier.hpp"

#include "bzint/position_curvature.hpp"
#include "bzint/semiclassical.hpp"

// One thread per k-point already fills the machine (host/workers.hpp): no threads inside Eigen.
#define EIGEN_DONT_PARALLELIZE
#include <Eigen/Dense>
#include <algorithm>
#include <cmath>
#include <complex>

namespace bzint {

namespace {

using Matrix = Eigen::Matrix<std::complex<double>, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
using MatrixMap = Eigen::Map<Matrix>;
// Eigen's eigenvectors are column-major whatever the matrix's order: column c (the c-th
// eigenvector) is contiguous, which the readers of eigenvectors().data() rely on.
static_assert(!Eigen::SelfAdjointEigenSolver<Matrix>::EigenvectorsType::IsRowMajor);

// cplx and std::complex<double> are both two doubles, real part first.
static_assert(sizeof(cplx) == sizeof(std::complex<double>));
std::complex<double>* as_std(cplx* x) { return reinterpret_cast<std::complex<double>*>(x); }

// A thread's buffers for one k-point of W orbitals, kept between points (allocated once per size).
struct Workspace {
    int W = 0;
    std::vector<cplx> h;  // [4][W][W]: H, then ∂_x H, ∂_y H, ∂_z H (add_wannier_sum's layout)
    std::vector<cplx> v;  // [3][W][W]: ⟨n|∂_a H|m⟩ (kubo_sums' layout)
    std::vector<cplx> connection;  // [6][W][W]: A_a, then (∇×A)_c (add_position_connection), when d.r is set
    std::vector<cplx> abar;        // [3][W][W]: U† A_a U
    std::vector<double> curl_diag; // [3][W]: Re (U† (∇×A)_c U)_nn
    Matrix product;       // ∂_a H · U
    Matrix corners[4];    // the eigenvectors at a plaquette's corners (RuntimeWannierChernFn)
    Matrix overlap;       // ⟨u_a(c)|u_b(d)⟩
    std::vector<cplx> link, manifold;
    Eigen::SelfAdjointEigenSolver<Matrix> solver;
    std::vector<cplx> ve;  // [W][W]: E·v_nm (RuntimeWannierHybridFn)
    Matrix moving_frame;   // H̄ on the active manifold
    Eigen::SelfAdjointEigenSolver<Matrix> hybrid_solver;
    std::vector<BandGeometry> g;
    std::vector<double> energy, slope, e_plus, e_minus;  // RuntimeWannierHybridFn's per slot

    void size(int n) {
        if (W == n) return;
        W = n;
        const std::size_t plane = static_cast<std::size_t>(n) * n;
        h.assign(4 * plane, cplx{0.0, 0.0});
        v.assign(3 * plane, cplx{0.0, 0.0});
        connection.clear();  // these three: sized by the first model with a position matrix
        abar.clear();
        curl_diag.clear();
        product.resize(n, n);
        solver = Eigen::SelfAdjointEigenSolver<Matrix>(n);
        g.resize(static_cast<std::size_t>(n));
        link.resize(static_cast<std::size_t>(n));
        manifold.resize(static_cast<std::size_t>(n));
        ve.clear();  // sized by the first hybrid scan at this size
    }
    cplx* H() { return h.data(); }
    cplx* dH() { return h.data() + static_cast<std::size_t>(W) * W; }
};

Workspace& workspace(int W) {
    thread_local Workspace ws;
    ws.size(W);
    return ws;
}

// From H and ∂H in the workspace (orbital basis, phases applied) to the eigenvectors U (columns,
// ascending energies) and v_a = U† ∂_aH U in ws.v. False when the eigensolver did not converge.
bool eigen_from_workspace(Workspace& ws) {
    const int W = ws.W;
    const std::size_t plane = static_cast<std::size_t>(W) * W;
    ws.solver.compute(MatrixMap(as_std(ws.H()), W, W), Eigen::ComputeEigenvectors);  // reads the lower triangle
    const bool ok = ws.solver.info() == Eigen::Success;
    const auto& U = ws.solver.eigenvectors();  // column-major (Eigen's choice): no row-major copy
    for (int a = 0; a < 3; ++a) {
        ws.product.noalias() = MatrixMap(as_std(ws.dH() + a * plane), W, W) * U;
        MatrixMap(as_std(ws.v.data() + a * plane), W, W).noalias() = U.adjoint() * ws.product;
    }
    return ok;
}

bool geometry_from_workspace(Workspace& ws, BandGeometry* g) {
    const bool ok = eigen_from_workspace(ws);
    const double* e = ws.solver.eigenvalues().data();
    kubo_sums(ws.W, e, ws.v.data(), ws.W, degenerate_threshold(ws.W, e), g);
    return ok;
}

// The WYSV terms of a model with its position matrix (position_curvature.hpp) added to g, after
// eigen_from_workspace at k.
void add_position_terms_at(const WannierData& d, const double k[3], Workspace& ws, BandGeometry* g) {
    const int W = ws.W;
    const std::size_t plane = static_cast<std::size_t>(W) * W;
    if (ws.connection.empty()) {  // the first model with a position matrix at this size
        ws.connection.resize(6 * plane);
        ws.abar.resize(3 * plane);
        ws.curl_diag.resize(3 * static_cast<std::size_t>(W));
    }
    std::fill(ws.connection.begin(), ws.connection.end(), cplx{0.0, 0.0});
    add_position_connection(d, k, ws.connection.data(), ws.connection.data() + 3 * plane, W);
    const auto& U = ws.solver.eigenvectors();
    for (int a = 0; a < 3; ++a) {
        ws.product.noalias() = MatrixMap(as_std(ws.connection.data() + a * plane), W, W) * U;
        MatrixMap(as_std(ws.abar.data() + a * plane), W, W).noalias() = U.adjoint() * ws.product;
    }
    for (int c = 0; c < 3; ++c) {
        ws.product.noalias() = MatrixMap(as_std(ws.connection.data() + (3 + c) * plane), W, W) * U;
        for (int n = 0; n < W; ++n) ws.curl_diag[c * W + n] = U.col(n).dot(ws.product.col(n)).real();  // dot conjugates U
    }
    const double* e = ws.solver.eigenvalues().data();
    add_position_terms(W, e, ws.v.data(), ws.abar.data(), W, degenerate_threshold(W, e), ws.curl_diag.data(), g);
}

// H(k) and ∂H(k) of the model into the workspace by the Fourier sum.
Workspace& evaluate(const WannierData& d, const double k[3]) {
    Workspace& ws = workspace(d.num_wann);
    std::fill(ws.h.begin(), ws.h.end(), cplx{0.0, 0.0});
    add_wannier_sum(d, k, ws.H(), ws.dH(), ws.W);
    apply_orbital_phases(d, k, ws.H(), ws.dH(), ws.W);
    return ws;
}

}  // namespace

double runtime_workspace_bytes(int W) {
    const double w = W;
    return 32.0 * w * w * sizeof(cplx) + w * (sizeof(BandGeometry) + 8 * sizeof(double) + 2 * sizeof(cplx));
}

bool runtime_wannier_geometry(const WannierData& d, const double k[3], BandGeometry* g, bool position_terms) {
    Workspace& ws = evaluate(d, k);
    const bool ok = geometry_from_workspace(ws, g);
    if (position_terms && d.r) add_position_terms_at(d, k, ws, g);
    return ok;
}

bool runtime_wannier_bands(const WannierData& d, const double k[3], double* e, cplx* v) {
    Workspace& ws = evaluate(d, k);
    const bool ok = eigen_from_workspace(ws);
    std::copy(ws.solver.eigenvalues().data(), ws.solver.eigenvalues().data() + ws.W, e);
    std::copy(ws.v.begin(), ws.v.end(), v);
    return ok;
}

bool runtime_wannier_curvature_tensor(const WannierData& d, const double k[3], double* omega) {
    Workspace& ws = evaluate(d, k);
    const bool ok = eigen_from_workspace(ws);
    const double* e = ws.solver.eigenvalues().data();
    const int W = ws.W;
    curvature_tensor_from_velocities(W, e, ws.v.data(), W, tensor_degenerate_threshold(W, e), omega);
    return ok;
}

bool runtime_wannier_geometry(const WannierData& d, const cplx* table, long long ld, long long i, const double k[3],
                              BandGeometry* g) {
    Workspace& ws = workspace(d.num_wann);
    read_tabulated(table, ld, ws.W, i, ws.H(), ws.dH(), ws.W);  // every entry written
    apply_orbital_phases(d, k, ws.H(), ws.dH(), ws.W);
    return geometry_from_workspace(ws, g);
}

bool RuntimeWannierScanFn::bin(const BandGeometry* g, double w, Out& out) const {
    out.resize(model.num_wann, n_values());
    return bin_band_geometry(g, model.num_wann, kind, mesh, bins, fields, refine_above, w, out);
}

bool RuntimeWannierScanFn::at(const double k[3], double w, Out& out) const {
    Workspace& ws = workspace(model.num_wann);
    const bool ok = runtime_wannier_geometry(model, k, ws.g.data(), model.r != nullptr);
    return bin(ws.g.data(), w, out) && ok;
}

bool RuntimeWannierScanFn::at_tabulated(const cplx* table, long long ld, int, long long i, const double k[3], double w,
                                        Out& out) const {
    Workspace& ws = workspace(model.num_wann);
    const bool ok = runtime_wannier_geometry(model, table, ld, i, k, ws.g.data());
    return bin(ws.g.data(), w, out) && ok;
}

namespace {

// The eigenvectors U of H and only E·v = U† (E·∂H) U into ws.ve: what the hybridised energies need
// (one transform in place of eigen_from_workspace's three). ws.v's first plane is the scratch.
bool field_coupling_from_workspace(Workspace& ws, const double E[3]) {
    const int W = ws.W;
    const std::size_t plane = static_cast<std::size_t>(W) * W;
    ws.solver.compute(MatrixMap(as_std(ws.H()), W, W), Eigen::ComputeEigenvectors);
    const auto& U = ws.solver.eigenvectors();
    MatrixMap field(as_std(ws.v.data()), W, W);
    field.setZero();
    for (int a = 0; a < 3; ++a)
        if (E[a] != 0.0) field += E[a] * MatrixMap(as_std(ws.dH() + a * plane), W, W);
    ws.product.noalias() = field * U;
    MatrixMap(as_std(ws.ve.data()), W, W).noalias() = U.adjoint() * ws.product;
    return ws.solver.info() == Eigen::Success;
}

// The hybridised energies at k into energy[0..W) (slots as HybridBands'), with the workspace left
// holding ε_n, E·v and η of the active slots (ws.hybrid_solver) at k, and with `velocities` v too.
// False at a degeneracy within a coupling or a failed eigensolve.
bool hybridise_at(const WannierData& d, const HybridSetup& s, const double k[3], Workspace& ws, double* energy,
                  bool velocities) {
    const int W = d.num_wann, M = s.hi - s.lo + 1;
    evaluate(d, k);
    if (ws.ve.empty()) ws.ve.resize(static_cast<std::size_t>(W) * W);
    bool ok;
    if (velocities) {
        ok = eigen_from_workspace(ws);
        field_velocity(W, s.E, ws.v.data(), W, ws.ve.data());
    } else {
        ok = field_coupling_from_workspace(ws, s.E);
    }
    const double* eps = ws.solver.eigenvalues().data();
    ws.moving_frame.resize(M, M);
    ok = moving_frame_block(s.lo, s.hi, eps, ws.ve.data(), W, s.degenerate,
                            reinterpret_cast<cplx*>(ws.moving_frame.data()), M) &&
         ok;
    ws.hybrid_solver.compute(ws.moving_frame, Eigen::ComputeEigenvectors);
    ok = ws.hybrid_solver.info() == Eigen::Success && ok;
    for (int n = 0; n < W; ++n) energy[n] = eps[n];
    for (int c = 0; c < M; ++c) energy[s.lo + c] = ws.hybrid_solver.eigenvalues()[c];  // ascending, as the slots
    return ok;
}

}  // namespace

bool RuntimeWannierHybridFn::at(const double k[3], double w, Out& out) const {
    const int W = model.num_wann, M = setup.hi - setup.lo + 1;
    Workspace& ws = workspace(W);
    std::vector<double>& slope = ws.slope, &e_plus = ws.e_plus, &e_minus = ws.e_minus;
    slope.assign(W, 0.0);
    double kp[3], km[3];
    bool finite = true;
    if (const double En = field_step_points(setup, k, kp, km); En > 0.0) {
        e_plus.resize(W);
        e_minus.resize(W);
        finite = hybridise_at(model, setup, kp, ws, e_plus.data(), false) && finite;
        finite = hybridise_at(model, setup, km, ws, e_minus.data(), false) && finite;
        for (int n = 0; n < W; ++n) slope[n] = field_slope(setup, En, e_plus[n], e_minus[n]);
    }
    std::vector<double>& energy = ws.energy;
    energy.resize(W);
    finite = hybridise_at(model, setup, k, ws, energy.data(), true) && finite;  // last: the workspace holds k
    const double* eps = ws.solver.eigenvalues().data();
    // η of active slot lo + c: column c of H̄'s eigenvectors (column-major, Eigen's choice).
    const cplx* eta = reinterpret_cast<const cplx*>(ws.hybrid_solver.eigenvectors().data());
    const cplx one{1.0, 0.0};
    out.resize(W, n_values());
    out.n = W;
    out.hot = out.near_touching = false;
    for (int slot = 0; slot < W; ++slot) {
        const bool active = slot >= setup.lo && slot <= setup.hi;
        const int first = active ? setup.lo : slot, last = active ? setup.hi : slot;
        double vb[3], vh[3], vr[3];
        finite = hybrid_velocity(W, first, last, eps, ws.v.data(), ws.ve.data(), W, active ? eta + (slot - setup.lo) * M : &one,
                                 1, setup.degenerate, vb, vh, vr) &&
                 finite;
        finite = keyed_hybrid_slot(bins, setup, energy[slot], vb, vh, vr, slope[slot], slot, W, w, out) && finite;
    }
    return finite;
}

bool RuntimeWannierChernFn::operator()(long long idx, Out& out) const {
    const int W = model.num_wann;
    Workspace& ws = workspace(W);
    long long i[3];
    mesh.indices(idx, i);
    bool ok = true;
    for (int c = 0; c < 4; ++c) {
        double k[3];
        plaquette_corner(mesh, i, c, k);
        evaluate(model, k);
        if (c == 0) {
            ok = geometry_from_workspace(ws, ws.g.data()) && ok;
        } else {
            ws.solver.compute(MatrixMap(as_std(ws.H()), W, W), Eigen::ComputeEigenvectors);
            ok = ws.solver.info() == Eigen::Success && ok;
        }
        ws.corners[c] = ws.solver.eigenvectors();
    }
    std::fill(ws.link.begin(), ws.link.end(), cplx{1.0, 0.0});
    std::fill(ws.manifold.begin(), ws.manifold.end(), cplx{1.0, 0.0});
    for (int c = 0; c < 4; ++c) {
        ws.overlap.noalias() = ws.corners[c].adjoint() * ws.corners[(c + 1) % 4];
        for (int n = 0; n < W; ++n) {  // Eigen's determinant: LU with partial pivoting, as leading_determinant
            const std::complex<double> o = ws.overlap(n, n), det = ws.overlap.topLeftCorner(n + 1, n + 1).determinant();
            ws.link[n] = ws.link[n] * cplx{o.real(), o.imag()};
            ws.manifold[n] = ws.manifold[n] * cplx{det.real(), det.imag()};
        }
    }
    out.resize(1, n_values());
    out.n = 1;
    out.hot = out.near_touching = false;
    out.key[0] = static_cast<int>(i[2]);
    return chern_plaquette_values(W, mesh, ws.g.data(), ws.link.data(), ws.manifold.data(), out.val[0]) && ok;
}

}  // namespace bzint
