// Wannier90 tight-binding models: the readers of seedname_hr.dat and seedname_tb.dat, their
// validation, and the writers used by `bzint export-hr`. Fourier convention (docs/conventions.md):
//   H(k) = Σ_R e^{ik·R} H(R) / ndegen(R),   R Cartesian (Å), no orbital-position phases,
// with H_mn(R) = ⟨0m|H|Rn⟩ as in Wannier90's files.
#pragma once
#include <array>
#include <complex>
#include <iosfwd>
#include <string>
#include <vector>

namespace bzint {

struct TbModel {
    std::string source;                     // file the model came from (for messages)
    int num_wann = 0;
    std::vector<std::array<int, 3>> R;      // lattice-vector indices (units of the lattice rows)
    std::vector<int> ndegen;                // degeneracy weights, ≥ 1
    std::vector<std::complex<double>> H;    // H[(iR · num_wann + m) · num_wann + n] = H_mn(R), energy units of the file
    bool has_lattice = false;
    double lattice[3][3] = {};              // rows A_1..A_3 (Å)
    bool has_positions = false;
    std::vector<std::complex<double>> r[3]; // ⟨0m|r_a|Rn⟩ (tb.dat), same layout as H

    std::complex<double> h(std::size_t iR, int m, int n) const { return H[(iR * num_wann + m) * num_wann + n]; }
};

// Parse the text of a file; every problem is an InputError naming `name`, the line and what
// was expected. Both check the structure (counts, ndegen, every (R, m, n) exactly once, R
// distinct) and that the model is Hermitian: H(−R) = H(R)† (the error names R and the pair).
TbModel parse_hr(const std::string& text, const std::string& name);
TbModel parse_tb(const std::string& text, const std::string& name);
TbModel read_hr(const std::string& path);
TbModel read_tb(const std::string& path);

// For every R, the index of −R; an InputError naming R when −R is missing (the model cannot be
// Hermitian).
std::vector<std::size_t> minus_R_index(const TbModel& model);

// The largest |H_mn(R) − conj(H_nm(−R))| relative to max |H|, and where; throws if −R is missing.
struct HermiticityDefect {
    double relative = 0.0;
    std::array<int, 3> R{};
    int m = 0, n = 0;
};
HermiticityDefect hermiticity_defect(const TbModel& model);

void write_hr(const TbModel& model, std::ostream& out, const std::string& header);
void write_tb(const TbModel& model, std::ostream& out, const std::string& header);

}  // namespace bzint
