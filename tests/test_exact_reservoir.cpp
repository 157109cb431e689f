// The exact wide-band reservoir (exact_reservoir.hpp): its equilibrium against the closed
// form, convergence in the number of Padé poles, and agreement with the independent
// frequency-grid reference path (reservoir_reference.hpp) for a continuum and a lattice model.
#include <gtest/gtest.h>

#include <cmath>

#include "bzint/models/all.hpp"
#include "bzint/qme/exact_reservoir.hpp"
#include "bzint/qme/reservoir_reference.hpp"
#include "qme/fermi_poles.hpp"
#include "tasks/dc_solvers.hpp"
#include "input_error.hpp"
#include "test_util.hpp"

using namespace bzint;
using bzint::test::results;

namespace {

struct Hierarchy : ExactSetup {
    Hierarchy(int P, double gamma, double T, double h) : ExactSetup(ozaki_poles(P), gamma, T, h) {}
};

}  // namespace

TEST(ExactReservoir, PadePolesReproduceTheFermiFunction) {
    // Ozaki's first pole is the lowest Matsubara frequency π with residue 1.
    const FermiPoles p = ozaki_poles(20);
    EXPECT_NEAR(p.zeta[0], M_PI, 1e-12);
    EXPECT_NEAR(p.eta[0], 1.0, 1e-12);
    for (double x : {-30.0, -2.0, 0.0, 0.7, 25.0}) EXPECT_NEAR(fermi_from_poles(p, x, 1.0), fermi(x, 1.0), 1e-12) << x;
}

TEST(ExactReservoir, StaticEquilibriumIsTheBroadenedOccupation) {
    // Static H: the hierarchy's steady state is n(ε) = ½ − (1/π) Im ψ(½ + (Γ + i(ε − μ))/(2πT)),
    // here reached by evolving from an arbitrary state with E = 0 until it has relaxed.
    const double gamma = 0.5, T = 0.5, mu = 0.1;
    const FermiPoles chosen = choose_reservoir_poles(gamma, mu, T, -3.0, 3.0, 1e-10);
    EXPECT_LT(chosen.error, 1e-10);
    const double p[2] = {1.0, 0.5};
    const AsNBand<models::LandauZener> lz{models::LandauZener(p)};
    for (double kappa : {-2.0, 0.3, 1.5}) {
        const Hierarchy h(static_cast<int>(chosen.zeta.size()), gamma, T, 0.05);
        QmeParams q{};
        q.mu = mu;
        q.T = T;
        std::vector<cplx> work(exact_workspace<2>(h.x.poles.P));
        cplx rho[4];
        const double k0[3] = {kappa, 0, 0};
        exact_evolve<2>(lz, q, h.x, k0, 0.05, 800, work.data(), rho, nullptr);  // 40/Γ: relaxed
        NBandSnapshot<2> s;
        nband_snapshot<2>(lz, q, k0, s);
        cplx r[2][2] = {{rho[0], rho[1]}, {rho[2], rho[3]}}, rr[2][2];
        to_eigenbasis<2>(s, r, rr);
        for (int a = 0; a < 2; ++a)
            EXPECT_NEAR(rr[a][a].re, broadened_occupation_exact(s.e[a], gamma, mu, T), 1e-8) << "kappa " << kappa << " band " << a;
        EXPECT_NEAR(std::hypot(rr[0][1].re, rr[0][1].im), 0.0, 1e-12);
    }
}

TEST(ExactReservoir, ConvergesInThePoleNumber) {
    // A lattice line's period-averaged current for P = 2, 4, 8, 16, 32: the differences shrink
    // by orders of magnitude until the time-step floor.
    const double u = -1.0;
    const AsNBand<models::Qwz> qwz{models::Qwz(&u)};
    QmeParams q{};
    q.mu = 0.2;
    q.T = 0.1;
    q.E[0] = 0.1;
    const double period = kTwoPi / 0.1, k0[3] = {0.0, 0.7, 0.0};
    std::vector<double> J;
    for (int P : {2, 4, 8, 16, 32}) {
        const Hierarchy h(P, 0.05, q.T, period / 6000);
        q.gamma = 0.05;
        std::vector<cplx> work(exact_workspace<2>(P));
        J.push_back(exact_periodic_line<2>(qwz, q, h.x, k0, period, 6000, work.data()).J[0]);
    }
    // Measured: differences 1.9e-3, 6.9e-6, 1.0e-9, 7e-10 (the last at the time-step floor).
    std::vector<double> d;
    for (std::size_t i = 0; i + 1 < J.size(); ++i) d.push_back(std::fabs(J[i + 1] - J[i]));
    EXPECT_LT(d[1], 1e-2 * d[0]);
    EXPECT_LT(d[2], 1e-2 * d[1]);
    EXPECT_LT(d[3], 1e-8);
}

namespace {

// ρ(κ) from the hierarchy and from the frequency grid, both started 48 time units (24/Γ)
// before the first comparison point.
template <class Model>
void compare_with_reference(const Model& model, const double k_start[3], const double E[3]) {
    const double gamma = 0.5, T = 0.5, mu = 0.0, h = 0.01;
    const int hist = 4800;
    const std::vector<int> at = {hist, hist + 150, hist + 300, hist + 450};
    const auto ref = reservoir_reference<2>(model, k_start, E, gamma, mu, T, h, at, 1600, 1.0);
    const Hierarchy hier(80, gamma, T, h);
    QmeParams q{};
    q.mu = mu;
    q.T = T;
    for (int a = 0; a < 3; ++a) q.E[a] = E[a];
    std::vector<cplx> work(exact_workspace<2>(80));
    for (std::size_t r = 0; r < at.size(); ++r) {
        cplx rho[4];
        exact_evolve<2>(model, q, hier.x, k_start, h, at[r], work.data(), rho, nullptr);
        for (int e = 0; e < 4; ++e) {
            EXPECT_NEAR(rho[e].re, ref[4 * r + e].re, 1e-6) << "point " << r << " element " << e;
            EXPECT_NEAR(rho[e].im, ref[4 * r + e].im, 1e-6) << "point " << r << " element " << e;
        }
    }
}

}  // namespace

TEST(ExactReservoir, AgreesWithTheFrequencyGridReferenceLandauZener) {
    // v = 1, δ = 0.5, Γ = 0.5, T = 0.5, μ = 0, E = 0.5: ρ at κ = 2, 1.25, 0.5, −0.25.
    const double p[2] = {1.0, 0.5};
    const AsNBand<models::LandauZener> lz{models::LandauZener(p)};
    const double k0[3] = {2.0 + 0.5 * 48.0, 0, 0}, E[3] = {0.5, 0, 0};
    compare_with_reference(lz, k0, E);
}

TEST(ExactReservoir, AgreesWithTheFrequencyGridReferenceLattice) {
    // qwz u = −1 along a line k_y = 0.7, E = 0.3 x̂.
    const double u = -1.0;
    const AsNBand<models::Qwz> qwz{models::Qwz(&u)};
    const double k0[3] = {0.4, 0.7, 0}, E[3] = {0.3, 0, 0};
    compare_with_reference(qwz, k0, E);
}

TEST(ExactReservoir, SmallFieldResponseAgainstDpaAndRta) {
    // Landau–Zener, T = 0.01δ, τ⁻¹ = 2Γ = 0.02δ (the paper's Fig. 3): at small E the RTA is
    // linear (metallic), the DPA has no linear term, and the exact reservoir lies in between:
    // its damping-induced interband excitation gives a small linear coefficient that the DPA
    // includes only partly (docs/exact.md).
    const std::string tail = "[task]\nkind='dc_current'\nT=0.01\nwindow=5.0\n";
    const std::string head = "[model]\nname='landau_zener'\n[field]\nE=[0.03]\n[dissipation]\n";
    const auto rta = results(head + "kind='rta'\ntau1=50.0\n" + tail);
    const auto dpa = results(head + "kind='dpa'\ngamma=0.01\n" + tail);
    const auto exa = results(head + "kind='exact'\ngamma=0.01\npole_tolerance=1e-7\n" + tail);
    auto slope = [](const nlohmann::json& r) { return r["J"][0].get<double>() / 0.03; };
    EXPECT_GT(slope(rta), 1e-3);                       // σ_RTA ≈ 1.06e-3 (S22)
    EXPECT_LT(std::fabs(slope(dpa)), 1e-5);             // no linear term
    EXPECT_GT(slope(exa), 10 * std::fabs(slope(dpa)));  // the reservoir's own excitation
    EXPECT_LT(slope(exa), 0.1 * slope(rta));            // far below the RTA's spurious one
    EXPECT_GT(exa["poles"].get<int>(), 8);
    EXPECT_LT(exa["pole_error"].get<double>(), 1e-7);
}

TEST(ExactReservoir, RefusesAStepTooLongForTheBands) {
    // qwz (u = −1) on the line kx = 0 (mesh [1, 100], E along y): d = (0, sin ky, cos ky), |d| = 1,
    // so the bandwidth (the coherences' largest frequency ε₊ − ε₋) is 2. At E = 0.05 one period is
    // 2π/0.05 = 125.7 and h·2 = 251/steps; RK4 is stable to h·2 ≈ 2.78 (host/tasks/dc_current.cpp,
    // kRk4StableStep), i.e. from 91 steps. Below that the integration grows without bound (at 64
    // steps: currents of ~1e201, reported with only a warning before this check). The task must
    // refuse before any work, naming the key and the least stable count; at 128 steps it runs, and
    // J_y is the converged 0.0079559 (400 steps, run 2026-12-04) to 1 %.
    const std::string base = "[model]\nname='qwz'\nu=-1.0\n[mesh]\nn=[1,100]\n[field]\nE=[0.05]\ndirection=1\n"
                             "[dissipation]\nkind='exact'\ngamma=0.05\n[task]\nkind='dc_current'\nT=0.1\nmu=0.0\nsteps=";
    for (const char* few : {"64\n", "90\n"}) {
        try {
            test::results(base + few);
            ADD_FAILURE() << "no error at steps = " << few;
        } catch (const InputError& e) {
            EXPECT_NE(std::string(e.what()).find("[task] steps"), std::string::npos) << e.what();
            EXPECT_NE(std::string(e.what()).find("at least 91 steps"), std::string::npos) << e.what();
        }
    }
    const auto r = test::results(base + "128\n");
    EXPECT_NEAR(r["J"][0][1].get<double>(), 0.0079559, 0.01 * 0.0079559);
}
