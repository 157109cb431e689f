// The lattice method's second Chern number from the planes' FHS numbers and the sections' zero
// counts, with the checks that certify it (docs/second-chern.md "The lattice method").
#include "second_chern_checks.hpp"

#include <fmt/core.h>

#include <algorithm>
#include <cmath>
#include <string>

#include "bzint/second_chern.hpp"

namespace bzint {

// The lattice method's C₂ = (c₀₁c₂₃ − c₀₂c₁₃ + c₀₃c₁₂) − Z from the planes' FHS numbers c and the
// sections' zero counts (second_chern_lattice.hpp), with its checks: every slice of a plane gives
// the same integer (its plain and weighted means are that integer), no plaquette's flux exceeds
// π/2, every Newton run from inside a simplex converged, the independent sections' counts agree,
// and the integral, where its estimate is below ¼, rounds to the same integer. Then the estimate
// is 0; otherwise it is 1 plus the spread, and a warning says which check failed.
void lattice_result(const std::vector<Neumaier>& h, int bands, int filled, double integral, double integral_error,
                    TaskResult& out) {
    if (h[kLatticeFailed].value() > 0.0) {
        out.warnings.push_back(fmt::format("the lattice method is left out: at {:g} grid cubes a link between neighbouring "
                                           "points vanishes, the sections are dependent, or more than {} zeros fall in one "
                                           "cube (the grid is too coarse, or the gap nearly closes); raise [task] n",
                                           h[kLatticeFailed].value(), kZerosPerCube));
        return;
    }
    double c[kPlanes], off = 0.0;
    nlohmann::json planes = nlohmann::json::array(), plane_errors = nlohmann::json::array();
    for (int p = 0; p < kPlanes; ++p) {
        const double mean = h[kPlaneFlux + p].value(), weighted = h[kPlaneFluxWeighted + p].value();
        c[p] = std::round(mean);
        const double plane_off = std::max(std::fabs(mean - c[p]), std::fabs(weighted - c[p]));
        off = std::max(off, plane_off);
        planes.push_back(mean);
        plane_errors.push_back(plane_off);
    }
    double zeros[kSectionSets], low = h[kSectionZeros].value(), high = low;
    for (int k = 0; k < kSectionSets; ++k) {
        zeros[k] = h[kSectionZeros + k].value();
        low = std::min(low, zeros[k]);
        high = std::max(high, zeros[k]);
    }
    const double half_c1_squared = c[0] * c[5] - c[1] * c[4] + c[2] * c[3];
    const double c2 = (counts_complement(bands, filled) ? zeros[0] - half_c1_squared : half_c1_squared - zeros[0]) + 0.0;  // no −0
    out.results["second_chern_lattice"] = c2;
    out.results["first_chern_planes"] = planes;
    out.errors["first_chern_planes"] = plane_errors;
    out.results["section_zeros"] = zeros[0];
    out.errors["section_zeros"] = high - low;
    std::vector<std::string> failed;
    // The slices' FHS sums are integers to round-off (~1e-13 for the plane).
    if (off > 1e-9) failed.push_back(fmt::format("the slices of a plane give different first Chern numbers (their means are "
                                                 "{:.2g} from an integer)",
                                                 off));
    if (h[kLargeFlux].value() > 0.0)
        failed.push_back(fmt::format("{:g} plaquettes carry a Berry flux above π/2 (each plaquette's FHS flux is exact below π; the check keeps a margin of two)",
                                     h[kLargeFlux].value()));
    if (h[kUnresolvedZeros].value() > 0.0)
        failed.push_back(fmt::format("{:g} Newton searches for a section's zero did not converge", h[kUnresolvedZeros].value()));
    if (high > low)
        failed.push_back(fmt::format("independent sections have between {:g} and {:g} signed zeros", low, high));
    if (section_bundle_rank(bands, filled) > 2)
        failed.push_back(fmt::format("with {} filled and {} empty bands the section's zeros are counted on a sub-bundle split "
                                     "off by other sections, where a zero can be narrower than a cell",
                                     filled, bands - filled));
    if (failed.empty() && integral_error < 0.25 && std::fabs(c2 - integral) > 0.5)
        failed.push_back(fmt::format("the integral, {:.4f} ± {:.2g}, rounds elsewhere", integral, integral_error));
    if (failed.empty()) {
        out.errors["second_chern_lattice"] = 0.0;
        return;
    }
    out.errors["second_chern_lattice"] = 1.0 + (high - low) + off;
    std::string why;
    for (const std::string& f : failed) why += (why.empty() ? "" : "; ") + f;
    out.warnings.push_back(fmt::format("the lattice method's checks fail ({}): the grid does not resolve the filled bundle; "
                                       "raise [task] n",
                                       why));
}

}  // namespace bzint
