// Parameters of the quantum master equation (QME) of the RTA/DPA paper, Eq. 1, shared by
// the 2×2 (Bloch-vector) and N×N (density-matrix) solvers. Plain data.
#pragma once
#include "bzint/hd.hpp"

namespace bzint {

enum class Dissipation : int { none = 0, rta = 1, dpa = 2, exact = 3 };

struct QmeParams {
    Dissipation kind;
    double tau1, tau2;  // RTA: population and coherence relaxation times (Eq. 2)
    double gamma;       // DPA and exact: reservoir rate Γ (the DPA's D0 is the RTA with τ1 = τ2 = 1/2Γ)
    bool d1, d2;        // DPA: include D1 (Eq. 17) and D2 (Eq. 18); both on by default
    double mu, T;       // reservoir chemical potential and temperature
    double E[3];        // field (Cartesian); κ(t) = k − E t (Peierls substitution, e = 1)
};

}  // namespace bzint
