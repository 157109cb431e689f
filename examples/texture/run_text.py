"""Runs bzint on a run file given as text, for the example scripts beside it."""
import json
import os
import subprocess
import sys


def run(bzint, text, title, out):
    """Writes `text` (a run file without its title) to OUT/TITLE.toml, runs it and returns the JSON
    document; a failed run ends the script with bzint's message."""
    path = os.path.join(out, title + ".toml")
    with open(path, "w") as f:
        f.write(f'title = "{title}"\n' + text)
    done = subprocess.run([bzint, "run", path, "--out", out], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    if done.returncode != 0:
        sys.exit(f"bzint failed on {path} (exit {done.returncode}):\n{done.stderr}")
    with open(os.path.join(out, title + ".json")) as f:
        return json.load(f)


def script_arguments(default_png, option, default):
    """The example scripts' command line: [bzint] [out.png] [OPTION N]. Returns (bzint, png, N), the
    bzint binary defaulting to build/bzint."""
    args = sys.argv[1:]
    value = default
    if option in args:
        i = args.index(option)
        value = int(args[i + 1])
        del args[i:i + 2]
    return (args[0] if len(args) > 0 else "build/bzint"), (args[1] if len(args) > 1 else default_png), value


def save_figure(fig, png):
    """Lays out and writes the examples' figures alike (130 dpi), and says where."""
    fig.tight_layout()
    fig.savefig(png, dpi=130)
    print(f"wrote {png}")


def print_tensor(name, doc, key):
    """Prints a 2 x 2 result [i][j] with its estimate and unit, as `name key: [[...]] unit`."""
    value, error = doc["results"][key], doc["errors"][key]
    rows = "; ".join(", ".join(f"{v:.5g} ± {e:.1g}" for v, e in zip(vr, er)) for vr, er in zip(value, error))
    print(f"{name} {key}: [[{rows}]] {doc['units'][key].split(',')[0]}")


def plot_currents(axes, curves):
    """Draws j n_i = (sigma n_i) E for a unit field E turning through every direction, for each
    (label, sigma n_i [i][j], colour, line style) of `curves`, a dot where E is along x."""
    import numpy as np
    from matplotlib.ticker import MaxNLocator

    field = np.linspace(0, 2 * np.pi, 361)
    unit = np.array([np.cos(field), np.sin(field)])
    for label, sigma, colour, line in curves:
        j = np.array(sigma) @ unit
        axes.plot(j[0], j[1], line, color=colour, label=label)
        axes.plot(*(np.array(sigma) @ [1.0, 0.0]), "o", color=colour, ms=4)
    axes.plot(0, 0, "k+")
    axes.set_aspect("equal")
    axes.xaxis.set_major_locator(MaxNLocator(5))
    axes.set_xlabel("j_x n_i  ((e²/h)/L² per unit E)")
    axes.set_ylabel("j_y n_i  ((e²/h)/L² per unit E)")
    axes.set_title("current for a unit field in every direction (dots: E along x)")
    axes.legend(fontsize=7, loc="lower left")


def skyrmion_beam(energy, packets, extra="", texture=""):
    """The beam examples' run file: dirac2d (v = 1, m = 0.5) with an isolated Neel skyrmion (R = 10,
    J = 0.3), a beam of the upper band along +x from x = -30 across |b| <= 20 at `energy`, refined,
    4000 steps of dt = 0.1; `extra` adds [task.beam] keys, `texture` [texture] keys."""
    return f"""[model]
name = "dirac2d"
v = 1.0
m = 0.5
[texture]
kind = "skyrmion"
exchange = 0.3
radius = 10.0
{texture}[task]
kind = "trajectories"
band = "upper"
dt = 0.1
steps = 4000
samples = 20
[task.beam]
energy = {energy}
direction = [1, 0]
centre = [-30, 0]
width = 40
packets = {packets}
refine = 20
{extra}"""


QWZ = 'name = "qwz"\nu = -1.0\n'
# Two coupled QWZ copies (4 bands; the texture's J m.S on each copy's sigma): C = +1 and -1.
QWZ_PAIR = 'name = "qwz_pair"\nu1 = -1.0\nu2 = 1.2\ng = 0.2\n'


def qwz_skyrmion_lattice(L, model=QWZ):
    """The [model] and [texture] of the lattice-reference examples: qwz (u = -1, a Chern insulator),
    or another [model] body, with one skyrmion of radius L/2 per L x L cells, J = 0.4, Bloch
    helicity."""
    return f"""[model]
{model}[texture]
kind = "skyrmion_lattice"
exchange = 0.4
period = {L}.0
radius = {L / 2}
helicity = 1.5707963267948966
"""


def lattice_hall(bzint, model, box, twists, mu, T, out, title, extra=""):
    """Task texture_lattice with hall = true for a textured model (`model`: its [model] and [texture]
    sections) on a box of box x box cells with twists x twists twists, at the levels `mu` (run-file
    text) and T; `extra`: more [task] keys. Returns the JSON document."""
    return run(bzint, model + f"""[task]
kind = "texture_lattice"
box = [{box}, {box}]
twists = [{twists}, {twists}]
hall = true
bound_charge = false
mu = {mu}
T = {T}
""" + extra, title, out)


def exact_and_semiclassical(bzint, model, L, positions, mu, T, twists, mesh, out, tag, bound_charge=False, probing_distance=None):
    """The density at `positions` (lattice points) of a textured model (`model`: its [model] and
    [texture] sections) from task texture_lattice (kernel polynomial method on a box of L x L
    cells, which the texture must repeat over) and from task texture_density (Eqs. 23 and 28 on a
    mesh x mesh k-mesh): the two JSON documents. With `probing_distance` d the exact side is the
    whole box's map (map = true: `positions` must be every cell, x-major) with its densities (and,
    with bound_charge, its electrons) probed (colours d cells apart)."""
    r = json.dumps(positions)
    where = f"r = {r}\n" if probing_distance is None else \
        f'map = true\ndensity_trace = "probing"\nprobing_distance = [{probing_distance}, {probing_distance}]\n' + \
        ('bound_charge_trace = "probing"\n' if bound_charge else "")
    exact = run(bzint, model + f"""[task]
kind = "texture_lattice"
box = [{L}, {L}]
twists = [{twists}, {twists}]
method = "kpm"
bound_charge = {"true" if bound_charge else "false"}
mu = {json.dumps(mu)}
T = {T}
""" + where, f"exact_{tag}", out)
    if exact["results"]["r"] != positions:
        sys.exit("the map's cells are not `positions` in its order (x-major, every cell of the box)")
    semi = run(bzint, model + f"""[mesh]
n = [{mesh}, {mesh}]
[task]
kind = "texture_density"
mu = {json.dumps(mu)}
T = {T}
r = {r}
""", f"semiclassical_{tag}", out)
    return exact, semi
