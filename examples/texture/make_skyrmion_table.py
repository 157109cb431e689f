"""Writes skyrmion_table.dat, the texture that skyrmion_table.toml reads: one skyrmion per square cell
of side L = 72 with the profile a micromagnetic skyrmion takes between two walls (Romming et al.,
PRL 114, 177203 (2015)), theta(rho) = 2 arctan[sinh(R/w) / sinh(rho/w)] with R = 9 and w = 3:
m = -z at the centre, +z far from it (tilted by at most 3e-4 rad on the cell's edges), Neel (m in the radial plane),
sampled on a 48 x 48 grid. No built-in texture has this profile: it stands for the output of a
micromagnetic code. Run: python3 make_skyrmion_table.py (writes beside this script)."""
import math
import os

L, R, W, N = 72.0, 9.0, 3.0, 48


def m_at(x, y):
    dx, dy = x - L / 2, y - L / 2
    rho = math.hypot(dx, dy)
    theta = math.pi if rho == 0 else 2 * math.atan(math.sinh(R / W) / math.sinh(rho / W))
    phi = math.atan2(dy, dx)
    return math.sin(theta) * math.cos(phi), math.sin(theta) * math.sin(phi), math.cos(theta)


def main():
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "skyrmion_table.dat")
    with open(path, "w") as f:
        f.write(f"# A skyrmion lattice cell, L = {L:g}, on a {N} x {N} grid (make_skyrmion_table.py)\n")
        f.write("# x y mx my mz\n")
        for j in range(N):
            for i in range(N):
                x, y = i * L / N, j * L / N
                mx, my, mz = m_at(x, y)
                f.write(f"{x:g} {y:g} {mx:.10f} {my:.10f} {mz:.10f}\n")


if __name__ == "__main__":
    main()
