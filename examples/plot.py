#!/usr/bin/env python3
"""Turn bzint outputs into PNG plots.

usage: plot.py OUTDIR [TITLE ...]

For every <title>.json in OUTDIR (or only the titles named) this writes <title>.png:
sigma_xy(mu) for `ahc`, bands along the path, Berry-curvature maps for `berry` planes and the
band geometry at `berry` points, C per band for 2D `chern` and C(k_z) for 3D, the Berry-flux map of
`phase_space_chern` (with map = true), each band's change and radial flow in k for `kinetic_ramp`
(with map = true), the scans of `cme`,
`anomaly` and `dipole`, n(mu, B) and dn/dB for `streda`, the spin density by both formulas with
their difference for `spin_density`, the pieces of the disorder AHE and spin density for
`disorder_ahe`, J(E) (and the Landau-Zener probability or the band occupations) for
`dc_current`, and sigma(mu) per field with its pieces for `hybrid_current`. An output it cannot
plot is named on stderr. Needs numpy and matplotlib (Debian: python3-numpy python3-matplotlib).
"""
import csv
import json
import os
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402


def read_csv(path):
    with open(path) as f:
        lines = [line for line in f if not line.startswith("#")]
    rows = list(csv.reader(lines))
    header, data = rows[0], np.array(rows[1:], dtype=float)
    return {name: data[:, i] for i, name in enumerate(header)}


def label(doc, key):
    return f"{key} [{doc['units'].get(key, '')}]"


def plot_ahc(doc, ax):
    r = doc["results"]
    mu = np.array(r["mu"])
    if "sigma_xy" in r:
        band = np.array(r["sigma_band"])
        ax.plot(mu, r["sigma_xy"], "k-", lw=2, label="total")
        for n in range(band.shape[1]):
            ax.plot(mu, band[:, n], "--", label=f"band {n}")
        ax.set_ylabel(label(doc, "sigma_xy"))
    else:
        s = np.array(r["sigma"])
        for c, name in enumerate(["yz", "zx", "xy"]):
            ax.plot(mu, s[:, c], label=f"sigma_{name}")
        ax.set_ylabel(label(doc, "sigma"))
    ax.set_xlabel("mu")
    ax.axhline(0, color="gray", lw=0.5)
    ax.legend()


def plot_bands(doc, ax):
    r = doc["results"]
    E = np.array(r["energies"])
    for n in range(E.shape[1]):
        ax.plot(r["distance"], E[:, n], "k-")
    for lab in r.get("labels", []):
        ax.axvline(lab["distance"], color="gray", lw=0.5)
    if "labels" in r:
        ax.set_xticks([lab["distance"] for lab in r["labels"]], [lab["label"] for lab in r["labels"]])
    ax.set_ylabel(label(doc, "energies"))


def plot_berry_points(doc, ax):
    """Omega_z (or |Omega|) of every band at the requested points."""
    r = doc["results"]
    w = np.array(r["omega"])  # [point][band][component]
    idx = np.arange(w.shape[0])
    for n in range(w.shape[1]):
        ax.plot(idx, w[:, n, 2], "o-", label=f"Omega_z, band {n}")
    ax.set_xticks(idx)
    ax.set_xlabel("point (as listed in [task] points)")
    ax.set_ylabel("Omega_z [" + doc["units"]["omega"].split(" ")[0] + "]")
    ax.axhline(0, color="gray", lw=0.5)
    ax.legend(fontsize=8)


def plot_berry(doc, ax, outdir):
    if "plane" not in doc["results"]:
        plot_berry_points(doc, ax)
        return True
    n1, n2 = doc["results"]["plane"]["n"]
    t = read_csv(os.path.join(outdir, doc["results"]["plane"]["csv"]))
    kx, ky = t["kx"].reshape(n1, n2), t["ky"].reshape(n1, n2)
    w = t["omega_z_band0"].reshape(n1, n2)
    lim = np.percentile(np.abs(w), 99) or 1.0
    m = ax.pcolormesh(kx, ky, w, cmap="RdBu_r", vmin=-lim, vmax=lim, shading="auto")
    ax.set_aspect("equal")
    ax.set_xlabel("kx")
    ax.set_ylabel("ky")
    plt.colorbar(m, ax=ax, label="Omega_z, lower band [" + doc["units"]["omega"].split(" ")[0] + "]")
    return True


def plot_scan(doc, ax, key, total_key=None):
    r = doc["results"]
    mu = np.array(r["mu"])
    v = np.array(r[key])
    if total_key:
        ax.plot(mu, r[total_key], "k-", lw=2, label="total")
    flat = v.reshape(len(mu), -1)
    names = {
        "anomaly_flux": ["band 0", "band 1"],
        "cme_band": ["band 0", "band 1"],
    }.get(key)
    for c in range(flat.shape[1]):
        if np.max(np.abs(flat[:, c])) == 0:
            continue
        name = names[c] if names else (["D_x", "D_y"][c] if flat.shape[1] == 2 else f"D_{'xyz'[c // 3]}{'xyz'[c % 3]}")
        ax.plot(mu, flat[:, c], "--" if total_key else "-", label=name)
    ax.set_xlabel("mu")
    ax.set_ylabel(label(doc, key))
    ax.axhline(0, color="gray", lw=0.5)
    ax.legend()


def plot_chern(doc, ax):
    r = doc["results"]
    if "k3_reduced" not in r:  # 2D: one Chern number per band, by both methods
        bands = np.arange(len(r["chern"]))
        ax.bar(bands - 0.2, r["chern"], 0.4, label="integral of Omega")
        ax.bar(bands + 0.2, r["chern_fhs"], 0.4, label="link method")
        ax.set_xticks(bands, [f"band {n}" for n in bands])
        ax.set_ylabel("Chern number")
        ax.axhline(0, color="gray", lw=0.5)
        ax.legend()
        return True
    c = np.array(r["chern"])
    k3 = np.array(r["k3_reduced"])
    ax.step(k3, c[:, 0], where="mid", label="integral, band 0")
    ax.plot(k3, np.array(r["chern_fhs"])[:, 0], "o", ms=3, label="link method, band 0")
    ax.set_xlabel("k3 (reduced)")
    ax.set_ylabel("C(k3)")
    ax.legend()
    return True


def plot_phase_space_chern(doc, ax, outdir):
    """The lower half of the bands' Berry-flux density over the plane (map = true; two-band: the
    lower band), titled with their Chern number by the integral and by the manifold's link method."""
    maps = [c for c in doc.get("csv", []) if c.endswith("_flux_map.csv")]
    if not maps:
        return plot_chern(doc, ax)
    t = read_csv(os.path.join(outdir, maps[0]))
    n0, n1 = doc["input"]["run_file"]["task"]["n"]
    axis0, axis1 = list(t)[2:4]
    a, b = t[axis0].reshape(n1, n0), t[axis1].reshape(n1, n0)
    bands = sum(1 for c in t if c.startswith("energy_band"))
    half = bands // 2
    w = sum(t[f"flux_density_band{n}"] for n in range(half)).reshape(n1, n0)
    lim = np.max(np.abs(w)) or 1.0
    m = ax.pcolormesh(a, b, w, cmap="RdBu_r", vmin=-lim, vmax=lim, shading="auto")
    ax.set_xlabel(axis0)
    ax.set_ylabel(axis1)
    r = doc["results"]
    which = "lower band" if half == 1 else f"bands 0..{half - 1}"
    ax.text(0.02, 0.98, f"C of the {which} (integral, link): {sum(r['chern'][:half]):.6g}, {r['chern_manifold'][half - 1]:.6g}",
            transform=ax.transAxes, va="top", fontsize=8)
    plt.colorbar(m, ax=ax, label=f"(1/2pi) Berry flux per unit (s, u): the {which}")
    return True


def along_points(doc):
    """The points' abscissa: the distance along the positions, or the time where they do not move."""
    r = np.array(doc["results"]["r"], dtype=float)
    step = np.linalg.norm(np.diff(r, axis=0), axis=1)
    if len(r) > 1 and np.any(step > 0):
        return np.concatenate([[0.0], np.cumsum(step)]), "distance along r"
    return np.array(doc["results"].get("t", [0.0] * len(r)), dtype=float), "t"


def plot_texture_density(doc, ax):
    """The density with and without the gradient corrections along the positions, per level."""
    x, xl = along_points(doc)
    r = doc["results"]
    for j, mu in enumerate(r["mu"]):
        ax.plot(x, [d[j] for d in r["density"]], "o-", label=f"mu={mu:g}")
        ax.plot(x, [d[j] for d in r["density_uncorrected"]], ":", color="gray")
    ax.set_xlabel(xl)
    ax.set_ylabel(label(doc, "density"))
    ax.legend(fontsize=8)
    return True


def plot_texture_current(doc, ax):
    """The current's in-plane components along the points (positions or times), per level."""
    x, xl = along_points(doc)
    r = doc["results"]
    # Eq. 30's current (two-band models), or an N-band model's magnetisation current alone, -curl M.
    key, name = ("current", "Eq. 30") if "current" in r else ("magnetisation_current", "-curl M")
    for j, mu in enumerate(r["mu"]):
        for c, style in ((0, "o-"), (1, "s--")):
            ax.plot(x, [p[j][c] for p in r[key]], style, label=f"j_{'xy'[c]} ({name}), mu={mu:g}")
        if key == "current" and "magnetisation_current" in r:  # the curl of the local orbital magnetisation
            ax.plot(x, [p[j][1] for p in r["magnetisation_current"]], ":", lw=2, label=f"j_y = dM/dx, mu={mu:g}")
    if "pumped_per_chain" in r:
        ax.text(0.02, 0.98, "pumped per period and chain: " + ", ".join(f"{q:.6g}" for q in r["pumped_per_chain"][0]),
                transform=ax.transAxes, va="top", fontsize=8)
    ax.set_xlabel(xl)
    ax.set_ylabel("current (particles per hbar/energy per length)")
    ax.legend(fontsize=8)
    return True


def plot_texture_transport(doc, axes):
    """Both theories' in-plane currents along the positions, per level: the hybridised bands
    (Eq. 60 of the non-adiabatic paper) and the single-band theory (Eq. 47)."""
    x, xl = along_points(doc)
    r = doc["results"]
    for ax, key, name in ((axes[0], "current_hybridised", "hybridised bands (Eq. 60)"),
                          (axes[1], "current_single_band", "single-band theory (Eq. 47)")):
        for j, mu in enumerate(r["mu"]):
            for c, style in ((0, "o-"), (1, "s--")):
                ax.plot(x, [p[j][c] for p in r[key]], style, label=f"j_{'xy'[c]}, mu={mu:g}")
        ax.set_title(name, fontsize=9)
        ax.set_xlabel(xl)
        ax.set_ylabel("current (particles per hbar/energy per length)")
        ax.legend(fontsize=8)
    # One scale for both, so that a current that vanishes (Eq. 60 at E = 0) is drawn as zero.
    lo = min(a.get_ylim()[0] for a in axes[:2])
    hi = max(a.get_ylim()[1] for a in axes[:2])
    for a in axes[:2]:
        a.set_ylim(lo, hi)
    return True


def plot_trajectories(doc, axes, outdir):
    """The packets' paths in the (x, y) plane, each from its start (a dot); for a beam, its
    deflection against the impact parameter beside them, with the cross-sections' integrands."""
    paths = [c for c in doc.get("csv", []) if c.endswith("_trajectories.csv")]
    if not paths:
        return False
    ax = axes[0]
    t = read_csv(os.path.join(outdir, paths[0]))
    r = doc["results"]
    beam = "impact_parameter" in r
    for i in np.unique(t["packet"]):
        sel = t["packet"] == i
        if beam:
            ax.plot(t["x"][sel], t["y"][sel], "-", lw=0.4, color="tab:blue", alpha=0.5)
        else:
            line, = ax.plot(t["x"][sel], t["y"][sel], "-")
            ax.plot(t["x"][sel][0], t["y"][sel][0], "o", color=line.get_color())
    ax.set_xlabel("x")
    ax.set_ylabel("y")
    ax.set_aspect("equal", adjustable="datalim")
    if beam:  # the square around the origin (the scatterer's place) that holds the starts, with a margin
        first = np.array([np.flatnonzero(t["packet"] == i)[0] for i in np.unique(t["packet"])])
        lim = 1.5 * max(np.abs(t["x"][first]).max(), np.abs(t["y"][first]).max())
        ax.set_xlim(-lim, lim)
        ax.set_ylim(-lim, lim)
        e = doc["errors"]
        ax2 = axes[1]
        lu = doc["units"]["transport_cross_section"].split(":")[0]
        if "incidence_angle" in r:  # several directions: each one's cross-sections, and their average
            phi = np.array(r["incidence_angle"])
            for key, label in (("transport_cross_section", "σ_tr"), ("skew_cross_section", "σ_⊥")):
                line = ax2.errorbar(phi, r[key + "_by_direction"], yerr=e[key + "_by_direction"], fmt="o", ms=3,
                                    capsize=2, label=label)
                ax2.axhline(r[key], color=line[0].get_color(), lw=0.8, ls="--")
            ax2.set_xlabel("incidence angle (rad); dashed: the average over directions")
            ax2.set_ylabel(f"cross-section ({lu})")
        else:
            b = np.array(r["impact_parameter"])
            theta = np.array(r["deflection"])
            ax2.plot(b, theta, ".", ms=2, label="deflection θ (rad)")
            ax2.plot(b, np.sin(theta), "-", lw=0.8, label="sin θ")
            ax2.plot(b, 1 - np.cos(theta), "-", lw=0.8, label="1 − cos θ")
            ax2.set_xlabel(f"impact parameter b ({doc['units']['impact_parameter'].split(',')[0]})")
        ax2.set_title(f"σ_tr = {r['transport_cross_section']:.4g} ± {e['transport_cross_section']:.1g} {lu}, "
                      f"σ_⊥ = {r['skew_cross_section']:.4g} ± {e['skew_cross_section']:.1g} {lu}, "
                      f"θ_H = {r['hall_angle']:.3g} ± {e['hall_angle']:.1g} rad", fontsize=8)
        ax2.legend(fontsize=8)
    return True


def plot_kinetic_ramp(doc, axes, outdir):
    """From the map of `kinetic_ramp` (map = true): each band's change n_s(end) - n_s(0) and its
    radial flow in k, n_s k_dot_s . k/|k| (Fig. 7 of the kinetic-equation paper), against |k|."""
    paths = [c for c in doc.get("csv", []) if c.endswith("_kinetic_ramp.csv")]
    if not paths:
        return False
    t = read_csv(os.path.join(outdir, paths[0]))
    if "ky" not in t or "kz" in t:
        return False
    k = np.hypot(t["kx"], t["ky"])
    order = np.argsort(k)
    inside = k[order] <= 0.9 * min(np.abs(t["kx"]).max(), np.abs(t["ky"]).max())
    for band, style in (("lower", "b."), ("upper", "r.")):
        sel = order[inside]
        axes[0].plot(k[sel], t[f"dn_{band}"][sel], style, ms=1, label=band)
        radial = (t["kx"] * t[f"flow_{band}_x"] + t["ky"] * t[f"flow_{band}_y"]) / np.where(k > 0, k, 1)
        axes[1].plot(k[sel], radial[sel], style, ms=1, label=band)
    axes[0].set_xlabel("|k|")
    axes[0].set_ylabel("n_s(end) - n_s(0)")
    axes[1].set_xlabel("|k|")
    axes[1].set_ylabel("radial flow n_s k_dot_s . k/|k|")
    for ax in axes:
        ax.axhline(0, color="gray", lw=0.5)
        ax.legend(markerscale=8)
    return True


def plot_streda(doc, axes):
    """Left: n(mu, B) - n(mu, 0) for each B of the run. Right: sigma from Streda and from the
    Berry-curvature AHC, and the band-projected per-band dn/dB (2D models)."""
    r = doc["results"]
    mu = np.array(r["mu"])
    n0 = np.array(r["density"])
    for B, nB in zip(r.get("B", []), r.get("density_B", [])):
        axes[0].plot(mu, np.array(nB) - n0, label=f"B = {B}")
    axes[0].set_xlabel("mu")
    axes[0].set_ylabel("n(mu, B) - n(mu, 0) [" + doc["units"]["density"].split(" (")[0] + "]")
    axes[0].axhline(0, color="gray", lw=0.5)
    if "B" in r:
        axes[0].legend()
    else:
        axes[0].set_title("no finite-B passes in this run ([task] B = [...])", fontsize=8)
    if np.ndim(r["sigma_streda"]) != 1:
        return
    axes[1].plot(mu, r["sigma_streda"], "k-", lw=2, label="Streda: -e dn/dB")
    axes[1].plot(mu, r["sigma_ahc"], "r--", label="Berry-curvature AHC")
    proj = np.array(r["dn_dB_band_projected"])
    for n in range(proj.shape[1]):
        axes[1].plot(mu, -proj[:, n], ":", label=f"-e dn_{n}/dB, band-projected")
    axes[1].set_xlabel("mu")
    axes[1].set_ylabel(label(doc, "sigma_streda"))
    axes[1].axhline(0, color="gray", lw=0.5)
    axes[1].legend(fontsize=8)


def plot_spin_density(doc, axes):
    """Left: the field-induced spin density by Eq. 28b (kinetic) and Eq. 27b (wave packet).
    Right: the transverse part of Eq. 28b and the spurious term of Eq. 27b."""
    r = doc["results"]
    mu = np.array(r["mu"])
    kin, wp = np.array(r["s_induced_kinetic"]), np.array(r["s_induced_wave_packet"])
    perp, spur = np.array(r["s_perp"]), np.array(r["s_spurious"])
    for c in range(3):
        if np.max(np.abs(kin[:, c])) + np.max(np.abs(wp[:, c])) == 0:
            continue
        line, = axes[0].plot(mu, kin[:, c], "-", label=f"s_{'xyz'[c]}, Eq. 28b")
        axes[0].plot(mu, wp[:, c], "--", color=line.get_color(), label=f"s_{'xyz'[c]}, Eq. 27b")
    axes[0].set_xlabel("mu")
    axes[0].set_ylabel("s - s(E = B = 0) [" + doc["units"]["s_kinetic"].split(" (")[0] + "]")
    axes[0].axhline(0, color="gray", lw=0.5)
    axes[0].legend(fontsize=7)
    for c in range(3):
        if np.max(np.abs(perp[:, c])) > 0:
            axes[1].plot(mu, perp[:, c], "-", label=f"s_perp_{'xyz'[c]} (Eq. 26)")
        if np.max(np.abs(spur[:, c])) > 0:
            axes[1].plot(mu, spur[:, c], "--", label=f"spurious_{'xyz'[c]} (Eq. 27b)")
    axes[1].set_xlabel("mu")
    axes[1].set_ylabel("[" + doc["units"]["s_kinetic"].split(" (")[0] + "]")
    axes[1].axhline(0, color="gray", lw=0.5)
    axes[1].legend(fontsize=7)


def plot_disorder(doc, axes):
    """Left: sigma_yx split into intrinsic, extrinsic-velocity, side-jump and skew pieces, and
    the Hall (antisymmetric) part of the total. Right: the disorder-independent spin-density
    pieces per unit E_x (x solid, y dashed) and, on the right axis, the Edelstein term."""
    levels = doc["results"]["levels"]
    mu = np.array([lv["mu"] for lv in levels])

    def piece(key, i, j):
        return np.array([lv[key][i][j] if lv[key] is not None else np.nan for lv in levels])

    pieces = [("int", "intrinsic", "-"), ("ext", "extrinsic velocity", "-"), ("sj", "side jump", "--"),
              ("sk", "skew", "-")]
    for key, name, style in pieces:
        axes[0].plot(mu, piece("sigma_" + key, 1, 0), style, label=name)
    hall = 0.5 * (piece("sigma_total", 1, 0) - piece("sigma_total", 0, 1))
    axes[0].plot(mu, hall, "k-", lw=2, label="total Hall (sigma_yx - sigma_xy)/2")
    axes[0].set_xlabel("mu")
    axes[0].set_ylabel("sigma_yx [e^2/h]")
    axes[0].axhline(0, color="gray", lw=0.5)
    axes[0].legend(fontsize=8)
    for key, name, _ in pieces:
        for c, style in ((0, "-"), (1, "--")):
            v = piece("s_" + key, c, 0)
            if np.nanmax(np.abs(v)) > 1e-9 * np.nanmax(np.abs(piece("s_total", 0, 0)) + 1e-300):
                axes[1].plot(mu, v, style, label=f"s_{'xy'[c]} {name}")
    axes[1].set_xlabel("mu")
    axes[1].set_ylabel("s per unit E_x [" + doc["units"]["s_*"].split(" per unit")[0] + "]")
    axes[1].axhline(0, color="gray", lw=0.5)
    axes[1].legend(fontsize=7, loc="upper left")
    twin = axes[1].twinx()
    for c, style in ((0, "k-"), (1, "k--")):
        v = piece("s_edelstein", c, 0)
        if np.max(np.abs(v)) > 1e-9 * (np.max(np.abs(piece("s_edelstein", 0, 0))) + np.max(np.abs(piece("s_edelstein", 1, 0)))):
            twin.plot(mu, v, style, lw=0.8, label=f"s_{'xy'[c]} Edelstein (right axis)")
    twin.set_ylabel("Edelstein s per unit E_x")
    twin.legend(fontsize=7, loc="lower right")


def plot_dc_current(doc, axes, outdir):
    """Left: J(E), total (solid) and intraband (dashed), per component, with its error band. Right:
    the error estimate, or the band occupations along kappa (runs with occupations). Coherent runs
    ('none': no steady-state current): the Landau-Zener probability against exp(-pi/E)."""
    r = doc["results"]
    E = np.array(r["E"])
    if "lz_probability" in r:
        P, dP = np.array(r["lz_probability"]), np.array(doc["errors"]["lz_probability"])
        axes[0].errorbar(1 / E, P, yerr=dP, fmt="o", ms=3, label="bzint")
        axes[0].semilogy(1 / E, np.exp(-np.pi / E), "k:", label="exp(-pi delta^2/(v E))")
        axes[0].set_xlabel("1/E")
        axes[0].set_ylabel("Landau-Zener probability")
        axes[0].legend(fontsize=8)
        axes[1].semilogy(E, np.maximum(dP, 1e-300), "o-", ms=3)
        axes[1].set_xlabel(label(doc, "E"))
        axes[1].set_ylabel("error estimate of the probability")
        return
    J, Ji = np.array(r["J"]), np.array(r["J_intra"])
    if J.ndim == 1:
        J, Ji = J[:, None], Ji[:, None]
    for c in range(J.shape[1]):
        if np.max(np.abs(J[:, c])) == 0:
            continue
        line, = axes[0].plot(E, J[:, c], "o-", ms=3, label=f"J_{'xyz'[c]}")
        axes[0].plot(E, Ji[:, c], "--", color=line.get_color(), label=f"J_{'xyz'[c]} intraband")
    axes[0].set_xlabel(label(doc, "E"))
    axes[0].set_ylabel("J [" + doc["units"]["J"].split(" (")[0] + "]")
    axes[0].axhline(0, color="gray", lw=0.5)
    axes[0].legend(fontsize=8)
    occ = os.path.join(outdir, doc["title"] + "_occupations.csv")
    if os.path.exists(occ):
        t = read_csv(occ)
        for e in np.unique(t["E"]):
            m = t["E"] == e
            axes[1].plot(t["kappa"][m], t["n_upper"][m], label=f"n_upper, E = {e:g}")
        axes[1].set_xlabel("kappa")
        axes[1].set_ylabel("occupation")
        axes[1].legend(fontsize=7)
    else:
        err = np.abs(np.array(doc["errors"]["J"]))
        axes[1].semilogy(E, np.maximum(err.reshape(len(E), -1).max(axis=1), 1e-300), "o-", ms=3)
        axes[1].set_xlabel(label(doc, "E"))
        axes[1].set_ylabel("error estimate of J (steps + window or mesh)")


def plot_hybrid(doc, axes):
    """sigma_a(mu) = J_a/|E| for each field (left: first component, right: second): the total
    solid, its band part (Eq. 47 of the non-adiabatic paper) dashed."""
    r = doc["results"]
    mu = np.array(r["mu"])
    E = np.array(r["E"])
    sigma, J, band = np.array(r["sigma"]), np.array(r["J"]), np.array(r["J_band"])  # [E][mu][component]
    nz = np.nonzero(J)
    unit = sigma[nz][0] * E[nz[0][0]] / J[nz][0] if len(nz[0]) else 1.0  # sigma = unit * J / |E|
    with np.errstate(divide="ignore", invalid="ignore"):
        band_sigma = unit * band / np.where(E > 0, E, np.nan)[:, None, None]
    for a in range(min(2, sigma.shape[2])):
        if len(mu) == 1:  # one level: against the field
            axes[a].plot(E, sigma[:, 0, a], "o-", ms=3, label=f"mu = {mu[0]:g}")
            axes[a].plot(E, band_sigma[:, 0, a], "--")
            axes[a].set_xscale("log" if np.all(E > 0) else "linear")
            axes[a].set_xlabel(label(doc, "E"))
        else:
            for i, e in enumerate(E):
                if e == 0:
                    continue
                line, = axes[a].plot(mu, sigma[i, :, a], "-", label=f"E = {e:g}")
                axes[a].plot(mu, band_sigma[i, :, a], "--", color=line.get_color(), lw=0.8)
            axes[a].set_xlabel("mu")
        axes[a].set_ylabel(f"sigma_{'xyz'[a]} = J_{'xyz'[a]}/|E| [" + doc["units"]["sigma"].split(" (")[0] + "]")
        axes[a].set_title("solid: total; dashed: band part", fontsize=8)
        axes[a].axhline(0, color="gray", lw=0.5)
        axes[a].legend(fontsize=7)


def plot_one(outdir, title):
    with open(os.path.join(outdir, title + ".json")) as f:
        doc = json.load(f)
    task = doc["task"]
    panels = 2 if task in ("streda", "spin_density", "disorder_ahe", "dc_current", "hybrid_current", "kinetic_ramp",
                           "texture_transport") or "impact_parameter" in doc.get("results", {}) else 1
    fig, axes = plt.subplots(1, panels, figsize=(6 * panels, 4.5), squeeze=False)
    axes = axes[0]
    ax = axes[0]
    drawn = True
    if task == "streda":
        plot_streda(doc, axes)
    elif task == "disorder_ahe":
        plot_disorder(doc, axes)
    elif task == "spin_density":
        plot_spin_density(doc, axes)
    elif task == "ahc":
        plot_ahc(doc, ax)
    elif task == "bands":
        plot_bands(doc, ax)
    elif task == "berry":
        drawn = plot_berry(doc, ax, outdir)
    elif task == "chern":
        drawn = plot_chern(doc, ax)
    elif task == "phase_space_chern":
        drawn = plot_phase_space_chern(doc, ax, outdir)
    elif task == "texture_density":
        drawn = plot_texture_density(doc, ax)
    elif task == "texture_current":
        drawn = plot_texture_current(doc, ax)
    elif task == "texture_transport":
        drawn = plot_texture_transport(doc, axes)
    elif task == "trajectories":
        drawn = plot_trajectories(doc, axes, outdir)
    elif task == "kinetic_ramp":
        drawn = plot_kinetic_ramp(doc, axes, outdir)
    elif task == "cme":
        plot_scan(doc, ax, "cme_band", "cme_total")
    elif task == "anomaly":
        plot_scan(doc, ax, "anomaly_flux")
    elif task == "dipole":
        plot_scan(doc, ax, "dipole")
    elif task == "dc_current":
        plot_dc_current(doc, axes, outdir)
    elif task == "hybrid_current":
        plot_hybrid(doc, axes)
    else:
        drawn = False
    if not drawn:
        plt.close(fig)
        print(f"plot.py: {title}: task '{task}' has no plot", file=sys.stderr)
        return None
    model = doc["model"]
    if model["name"] == "wannier":
        params = os.path.basename(model["file"])
    else:
        params = ", ".join(f"{k}={v:g}" for k, v in model.items() if k != "name")
    fig.suptitle(f"{model['name']} ({params}): {task}", fontsize=9) if panels > 1 else ax.set_title(
        f"{model['name']} ({params}): {task}", fontsize=9)
    fig.tight_layout()
    path = os.path.join(outdir, title + ".png")
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return path


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    outdir = sys.argv[1]
    titles = sys.argv[2:] or sorted(f[:-5] for f in os.listdir(outdir) if f.endswith(".json"))
    for title in titles:
        path = plot_one(outdir, title)
        if path:
            print(path)


if __name__ == "__main__":
    main()
