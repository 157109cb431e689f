"""Writes moire_table.dat, the potential that moire_potential.toml reads: the triangular moire potential
U(r) = 2A sum_j cos(G_j . r) of a superlattice of period a_M = 12 (the lowest harmonics of a twisted
or mismatched bilayer's potential), with A = 0.05 and G_1, G_2, G_3 of length 4 pi/(sqrt(3) a_M), 120 degrees
apart: U = 6A = 0.3 on the moire sites (the origin and its lattice), -2A on their bonds' midpoints
and -3A at the triangles' centres.
The rectangular cell [a_M, sqrt(3) a_M] holds two sites and is a period of U; sampled on a 32 x 56 grid.
No built-in potential has this shape: it stands for a potential computed elsewhere.
Run: python3 make_moire_table.py (writes beside this script)."""
import math
import os

A, A_M, N = 0.05, 12.0, (32, 56)
G = 4 * math.pi / (math.sqrt(3) * A_M)
G_VECTORS = [(0.0, G), (-G * math.sqrt(3) / 2, -G / 2), (G * math.sqrt(3) / 2, -G / 2)]
CELL = (A_M, math.sqrt(3) * A_M)


def u_at(x, y):
    return 2 * A * sum(math.cos(gx * x + gy * y) for gx, gy in G_VECTORS)


def main():
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "moire_table.dat")
    with open(path, "w") as f:
        f.write(f"# A triangular moire potential, a_M = {A_M:g}, A = {A:g}, on a {N[0]} x {N[1]} grid of the cell "
                f"[{CELL[0]:.12g}, {CELL[1]:.12g}] (make_moire_table.py)\n")
        f.write("# x y U\n")
        for j in range(N[1]):
            for i in range(N[0]):
                x, y = i * CELL[0] / N[0], j * CELL[1] / N[1]
                f.write(f"{x:.12g} {y:.12g} {u_at(x, y):.12f}\n")


if __name__ == "__main__":
    main()
