#include "fermi_poles.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "bzint/fermi.hpp"
#include "bzint/qme/exact_reservoir.hpp"
#include "bzint/special/digamma.hpp"

namespace bzint {

namespace {

// Eigenvalues and eigenvector first components of a symmetric tridiagonal matrix
// (diagonal 0, off-diagonal e), by the implicit QL algorithm with shifts (Numerical
// Recipes tqli), tracking only the first row of the eigenvector matrix.
void tridiagonal_eigen(std::vector<double>& d, std::vector<double> e, std::vector<double>& z0) {
    const int n = static_cast<int>(d.size());
    z0.assign(n, 0.0);
    z0[0] = 1.0;
    e.push_back(0.0);
    for (int l = 0; l < n; ++l) {
        int iter = 0, m;
        do {
            for (m = l; m < n - 1; ++m) {
                const double dd = std::fabs(d[m]) + std::fabs(d[m + 1]);
                if (std::fabs(e[m]) <= 1e-16 * dd) break;
            }
            if (m != l) {
                if (++iter > 200) throw std::runtime_error("tridiagonal eigensolver did not converge");
                double g = (d[l + 1] - d[l]) / (2.0 * e[l]);
                double r = std::hypot(g, 1.0);
                g = d[m] - d[l] + e[l] / (g + std::copysign(r, g));
                double s = 1.0, c = 1.0, p = 0.0;
                int i;
                for (i = m - 1; i >= l; --i) {
                    double f = s * e[i];
                    const double b = c * e[i];
                    e[i + 1] = (r = std::hypot(f, g));
                    if (r == 0.0) {
                        d[i + 1] -= p;
                        e[m] = 0.0;
                        break;
                    }
                    s = f / r;
                    c = g / r;
                    g = d[i + 1] - p;
                    r = (d[i] - g) * s + 2.0 * c * b;
                    d[i + 1] = g + (p = s * r);
                    g = c * r - b;
                    f = z0[i + 1];  // first row of the eigenvector matrix
                    z0[i + 1] = s * z0[i] + c * f;
                    z0[i] = c * z0[i] - s * f;
                }
                if (r == 0.0 && i >= l) continue;
                d[l] -= p;
                e[l] = g;
                e[m] = 0.0;
            }
        } while (m != l);
    }
}

}  // namespace

FermiPoles ozaki_poles(int P) {
    const int n = 2 * P;
    std::vector<double> d(n, 0.0), e(n - 1), z0;
    for (int m = 1; m < n; ++m) e[m - 1] = 1.0 / (2.0 * std::sqrt((2.0 * m - 1.0) * (2.0 * m + 1.0)));
    tridiagonal_eigen(d, e, z0);
    FermiPoles poles;
    std::vector<std::pair<double, double>> pz;
    for (int i = 0; i < n; ++i)
        if (d[i] > 0) pz.push_back({1.0 / d[i], z0[i] * z0[i] / (4.0 * d[i] * d[i])});
    std::sort(pz.begin(), pz.end());
    for (const auto& [z, r] : pz) {
        poles.zeta.push_back(z);
        poles.eta.push_back(r);
    }
    return poles;
}

double fermi_from_poles(const FermiPoles& poles, double x, double T) {
    const double y = x / T;
    double s = 0.5;
    for (std::size_t p = 0; p < poles.zeta.size(); ++p) s -= poles.eta[p] * 2.0 * y / (y * y + poles.zeta[p] * poles.zeta[p]);
    return s;
}

FermiPoles choose_fermi_poles(double x_max, double T, double tolerance) {
    for (int P = 2; P <= 4000; P = P < 16 ? P + 2 : P * 5 / 4) {
        FermiPoles poles = ozaki_poles(P);
        double err = 0.0;
        const int n = 4000;
        for (int i = 0; i <= n; ++i) {
            const double x = x_max * i / n;
            err = std::max(err, std::fabs(fermi_from_poles(poles, x, T) - fermi(x, T)));
        }
        if (err <= tolerance) {
            poles.error = err;
            return poles;
        }
    }
    throw std::runtime_error("no Padé expansion of the Fermi function reached the tolerance");
}

}  // namespace bzint

namespace bzint {

double broadened_occupation_exact(double e, double gamma, double mu, double T) {
    const double w = kTwoPi * T;
    return 0.5 - digamma({0.5 + gamma / w, (e - mu) / w}).im / kPi;
}

double reservoir_pole_error(const FermiPoles& poles, double gamma, double mu, double T, double emin, double emax) {
    const ReservoirPoles rp{static_cast<int>(poles.zeta.size()), poles.zeta.data(), poles.eta.data()};
    double err = 0.0;
    const int n = 400;
    for (int i = 0; i <= n; ++i) {
        const double e = emin + (emax - emin) * i / n;
        err = std::max(err, std::fabs(broadened_occupation(e, gamma, mu, T, rp) - broadened_occupation_exact(e, gamma, mu, T)));
    }
    return err;
}

FermiPoles choose_reservoir_poles(double gamma, double mu, double T, double emin, double emax, double tolerance) {
    for (int P = 8; P <= 4096; P = P * 3 / 2) {
        FermiPoles poles = ozaki_poles(P);
        poles.error = reservoir_pole_error(poles, gamma, mu, T, emin, emax);
        if (poles.error <= tolerance) return poles;
    }
    throw std::runtime_error("no Padé expansion reached the requested accuracy of the broadened occupation");
}

}  // namespace bzint

namespace bzint {

ExactSetup::ExactSetup(FermiPoles p, double gamma, double T, double h) : poles(std::move(p)) {
    const int P = static_cast<int>(poles.zeta.size());
    coef.resize(1 + P);
    coef[0] = etd_coefficients({-2.0 * gamma, 0.0}, h);
    for (int i = 0; i < P; ++i) coef[1 + i] = etd_coefficients({-(gamma + poles.zeta[i] * T), 0.0}, h);
    x = ExactParams{gamma, {P, poles.zeta.data(), poles.eta.data()}, coef.data(), etd_coefficients({0.0, 0.0}, h)};
}

}  // namespace bzint
