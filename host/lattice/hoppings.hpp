// The real-space form of a lattice model with N orbitals per cell: the hopping blocks H(R) of
// H(k) = Σ_R H(R) e^{ik·R}, H(R)_{αβ} = ⟨0α|H|Rβ⟩, with every orbital at its cell's origin (the
// periodic gauge, H(k + G) = H(k)). The exact lattice reference of a textured model
// (docs/textures.md "The exact lattice reference") is built from them.
#pragma once
#include <complex>
#include <functional>
#include <string>
#include <vector>

namespace bzint {

struct Hopping {
    int cell[2];                              // R = cell[0] a_1 + cell[1] a_2
    std::vector<std::complex<double>> block;  // H(R), N × N by rows
    std::complex<double> at(int orbitals, int a, int b) const {
        return block[static_cast<std::size_t>(a * orbitals + b)];
    }
};

// A 2 × 2 block H(R) from its rows (two-band hand-made lattices).
Hopping two_orbital_hopping(int R1, int R2, std::complex<double> h00, std::complex<double> h01, std::complex<double> h10,
                            std::complex<double> h11);

// H(R) of a 2D model with `orbitals` orbitals per cell from H(k) (N × N by rows, written by `model`)
// on a g × g mesh of the zone (g = 16): the discrete Fourier transform is exact for hoppings that
// reach less than g/2 cells. The result is checked against H(k) itself at points off that mesh;
// where they differ by more than 1e-10 × max|H| (a longer range, or a model that is not periodic in
// k), the return is empty and `why` says so. Blocks below 1e-14 × max|H(R)| are left out. G: the
// reciprocal basis rows.
std::vector<Hopping> real_space_hoppings(int orbitals, const std::function<void(const double k[3], std::complex<double>* H)>& model,
                                         const double G[3][3], std::string& why);

}  // namespace bzint
