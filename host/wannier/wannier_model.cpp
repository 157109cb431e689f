#include "wannier_model.hpp"

#include <fmt/core.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <mutex>

#include "../input_error.hpp"
#include "../model_registry.hpp"
#include "runtime_wannier.hpp"

namespace bzint {

namespace {

// The loaded models by number; a number is never reused, so a stale one cannot name another model.
std::mutex registry_mutex;
std::map<long long, std::shared_ptr<LoadedWannier>>& registry() {
    static std::map<long long, std::shared_ptr<LoadedWannier>> r;
    return r;
}
long long next_number = 0;

}  // namespace

int wannier_model_id() { return static_cast<int>(model_infos().size()); }

WannierData LoadedWannier::view() const {
    // Every band lies within W Σ_R max|H(R)|/ndegen of zero (Gershgorin); the padding orbitals
    // sit above twice that, so they are never occupied and never degenerate with a band.
    const int W = tb.num_wann;
    double bound = 0.0;
    for (std::size_t r = 0; r < tb.R.size(); ++r) {
        double mx = 0.0;
        for (int i = 0; i < W * W; ++i) mx = std::max(mx, std::sqrt(norm2(H[r * W * W + i])));
        bound += mx * inv_degen[r];
    }
    return {W,          static_cast<int>(tb.R.size()), R_cart.data(), inv_degen.data(), H.data(), tau.data(),
            2.0 * W * bound + 1.0, r.empty() ? nullptr : r.data()};
}

std::shared_ptr<LoadedWannier> make_wannier(TbModel tb, const double lattice[3][3], PositionTerms positions) {
    auto w = std::make_shared<LoadedWannier>();
    for (int i = 0; i < 3; ++i)
        for (int a = 0; a < 3; ++a) tb.lattice[i][a] = lattice[i][a];
    tb.has_lattice = true;
    w->padded = 2;
    while (w->padded < tb.num_wann) w->padded *= 2;
    if (w->padded > kMaxCompiledWannier) w->padded = tb.num_wann;  // only the run-time-sized engine: no padding
    const std::size_t nR = tb.R.size();
    w->R_cart.resize(3 * nR);
    w->inv_degen.resize(nR);
    for (std::size_t r = 0; r < nR; ++r) {
        for (int a = 0; a < 3; ++a)
            w->R_cart[3 * r + a] = tb.R[r][0] * lattice[0][a] + tb.R[r][1] * lattice[1][a] + tb.R[r][2] * lattice[2][a];
        w->inv_degen[r] = 1.0 / tb.ndegen[r];
    }
    // H(R) Hermitised, (H_mn(R) + conj H_nm(−R))/2: the files print 6–8 digits, so H(k) is Hermitian
    // only to the reader's tolerance (hermiticity_defect ≤ 1e-5 of max|H|). Every path then sees
    // the same exactly Hermitian H(k): the direct sum, and the FFT tables of the pairs m ≤ n.
    const std::vector<std::size_t> minus = minus_R_index(tb);
    const int W = tb.num_wann;
    w->H.resize(tb.H.size());
    for (std::size_t r = 0; r < nR; ++r) {
        for (int m = 0; m < W; ++m)
            for (int n = 0; n < W; ++n) {
                const std::complex<double> x = 0.5 * (tb.h(r, m, n) + std::conj(tb.h(minus[r], n, m)));
                w->H[(r * W + m) * W + n] = {x.real(), x.imag()};
            }
    }
    w->tau.assign(3 * tb.num_wann, 0.0);
    if (positions != PositionTerms::none && !tb.has_positions)
        throw InputError(fmt::format("{}: position terms need a tb.dat file with position matrix elements", tb.source));
    if (positions == PositionTerms::full) {  // [R][a][m][n] ⟨0m|r_a|Rn⟩
        w->r.resize(nR * 3 * W * W);
        for (std::size_t r = 0; r < nR; ++r)
            for (int a = 0; a < 3; ++a)
                for (int i = 0; i < W * W; ++i) {
                    const std::complex<double> x = tb.r[a][r * W * W + i];
                    w->r[(r * 3 + a) * W * W + i] = {x.real(), x.imag()};
                }
    }
    if (positions == PositionTerms::diagonal) {
        std::size_t zero = nR;
        for (std::size_t r = 0; r < nR; ++r)
            if (tb.R[r] == std::array<int, 3>{0, 0, 0}) zero = r;
        if (zero == nR) throw InputError(fmt::format("{}: orbital positions need the R = 0 block", tb.source));
        for (int m = 0; m < tb.num_wann; ++m)
            for (int a = 0; a < 3; ++a) w->tau[3 * m + a] = tb.r[a][(zero * tb.num_wann + m) * tb.num_wann + m].real();
    }
    w->tb = std::move(tb);
    return w;
}

std::shared_ptr<ModelInfo> register_wannier(std::shared_ptr<LoadedWannier> model, ModelParams& mp) {
    std::lock_guard<std::mutex> lock(registry_mutex);
    const long long number = next_number++;
    mp = ModelParams{};
    mp.id = wannier_model_id();
    mp.p[0] = static_cast<double>(number);
    auto info = std::shared_ptr<ModelInfo>(new ModelInfo, [number](ModelInfo* i) {
        {
            std::lock_guard<std::mutex> lock(registry_mutex);
            registry().erase(number);
        }
        delete i;
    });
    info->name = "wannier";
    info->id = mp.id;
    info->dim = 3;
    info->lattice = true;
    info->bands = model->tb.num_wann;
    for (int i = 0; i < 3; ++i)
        for (int a = 0; a < 3; ++a) info->bravais[i][a] = model->tb.lattice[i][a];
    registry().emplace(number, std::move(model));
    return info;
}

bool LoadedWannier::scans_by_fft(long long evaluated, long long count) const {
    if (!r.empty()) return false;  // the FFT tables hold H and ∂H only: the position connection is summed per k
    if (interpolation != Interpolation::automatic) return interpolation == Interpolation::fft;
    constexpr double kFftFlopCost = 5.0;  // FFTW's flops against the direct sum's vectorised ones (docs/wannier.md)
    const double W = tb.num_wann, transforms = 2.0 * W * (W + 1.0);
    const double chunk = std::min(static_cast<double>(count), static_cast<double>(fft_budget_bytes) / (16.0 * transforms));
    const double fft = kFftFlopCost * static_cast<double>(count) * transforms * 5.0 * std::log2(std::max(chunk, 2.0));
    const double direct = static_cast<double>(evaluated) * static_cast<double>(tb.R.size()) * (32.0 * W * W + 40.0);
    return fft < direct;
}

bool LoadedWannier::runtime_sized() const { return tb.num_wann > kMaxCompiledWannier; }

bool is_wannier(const ModelParams& mp) { return mp.id == wannier_model_id(); }

const LoadedWannier& wannier_of(const ModelParams& mp) {
    std::lock_guard<std::mutex> lock(registry_mutex);
    return *registry().at(static_cast<long long>(mp.p[0]));
}

}  // namespace bzint
