#include "run_keys.hpp"

#include <fmt/core.h>

#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <limits>

#include "model_registry.hpp"

namespace bzint {

namespace {

constexpr double kNone = std::numeric_limits<double>::quiet_NaN();
constexpr double kBig = 1e12;  // the largest magnitude of an energy, rate, field or time (keeps products finite)
constexpr const char* kScanTasks = "ahc cme anomaly dipole streda spin_density disorder_ahe hybrid_current";
// The tasks that need a [texture] table, and those that read one (second_chern takes one optionally).
constexpr const char* kTextureRequired = "phase_space_chern texture_geometry texture_density texture_current texture_transport trajectories kinetic_ramp texture_lattice";
constexpr const char* kTextureTasks = "phase_space_chern texture_geometry texture_density texture_current texture_transport trajectories kinetic_ramp texture_lattice second_chern weyl_nodes";
constexpr const char* kFermiTasks = "ahc cme anomaly dipole";
constexpr const char* kToleranceTasks = "ahc cme anomaly dipole streda spin_density disorder_ahe hybrid_current dc_current";

// clang-format off
constexpr KeySpec kKeys[] = {
    // top level
    {"top", "title", "*", "string", "", "the run file's name without .toml", kNone, kNone, false,
     "names the outputs: <title>.json, <title>_<table>.csv, <title>_sweep.jsonl; at most 200 characters from "
     "A–Z a–z 0–9 . _ - + =, not starting with '.'"},
    {"top", "model", "*", "table", "", "required", kNone, kNone, false, "the model: [model]"},
    {"top", "mesh", "*", "table", "", "required by mesh tasks", kNone, kNone, false, "the k-mesh: [mesh]"},
    {"top", "task", "*", "table", "", "required", kNone, kNone, false, "what to compute: [task]"},
    {"top", "field", "dc_current hybrid_current", "table", "", "required", kNone, kNone, false, "the electric field: [field]"},
    {"top", "dissipation", "dc_current", "table", "", "required", kNone, kNone, false, "relaxation of the density matrix: [dissipation]"},
    {"top", "disorder", "disorder_ahe", "table", "", "required", kNone, kNone, false, "the disorder strength: [disorder]"},
    {"top", "texture", kTextureRequired, "table", "", "required", kNone, kNone, false,
     "the spin texture coupled to the model: [texture]"},
    {"top", "texture", "second_chern", "table", "", "none", kNone, kNone, false,
     "a texture coupled to an N-band model: the torus is then one of phase space and time"},
    {"top", "texture", "weyl_nodes", "table", "", "none", kNone, kNone, false,
     "a uniform texture's exchange field J m·σ (N-band models: J m·S), nothing else: the nodes of the magnetised model"},

    // [model]
    {"model", "name", "*", "string", "", "required", kNone, kNone, false,
     "a built-in model (`bzint models` lists them with their parameters) or \"wannier\""},
    {"model wannier", "name", "*", "string", "", "required", kNone, kNone, false, "\"wannier\""},
    {"model wannier", "hr", "*", "path", "", "one of hr, tb", kNone, kNone, false,
     "Wannier90 seedname_hr.dat (relative to the run file's folder); needs lattice"},
    {"model wannier", "tb", "*", "path", "", "one of hr, tb", kNone, kNone, false,
     "Wannier90 seedname_tb.dat (lattice and position matrix inside)"},
    {"model wannier", "lattice", "*", "3 × 3 numbers", "Å", "from tb", -1e6, 1e6, false,
     "Bravais vectors as rows [[A1x, A1y, A1z], [..], [..]]; overrides the tb file's"},
    {"model wannier", "orbital_positions", "*", "true/false", "", "false", kNone, kNone, false,
     "phases of the orbital centres (diagonal of the position matrix, tb only) in H(k)"},
    {"model wannier", "position_matrix", "*", "true/false", "", "false", kNone, kNone, false,
     "the full Wang–Yates–Souza–Vanderbilt position terms in the Berry curvature (tb only; tasks bands, ahc, anomaly, dipole)"},
    {"model wannier", "interpolation", "*", "string", "", "\"auto\"", kNone, kNone, false,
     "mesh scans: \"fft\" (H(k) on the mesh by FFT), \"direct\" (the Fourier sum per k-point), or \"auto\" (the one "
     "whose cost estimate is lower: FFT for models with many R vectors, direct for few, or with [mesh] symmetry)"},
    {"model wannier", "fft_memory_mib", "*", "number", "MiB", "64", 1, 1048576, false,
     "memory for one FFT chunk's table (at most half the machine's memory; larger is not faster)"},

    // [mesh]
    {"mesh", "n", "*", "dim integers", "points per axis", "required", 1, 2147483648.0, false,
     "points along each reciprocal vector (lattices: Γ-centred) or each axis of the k-box (continuum: midpoints); "
     "the product at most 2^62"},
    {"mesh", "shift", "*", "dim numbers", "mesh spacings", "0 (Γ-centred)", 0, 1, false,
     "lattices: moves every point by shift[i] spacings along G_i (e.g. 0.5: off Γ and the zone faces, away from a "
     "degeneracy on a high-symmetry plane); each in [0, 1)"},
    {"mesh", "symmetry", kFermiTasks, "strings", "", "none", kNone, kNone, false,
     "generators of the model's magnetic point group, Cartesian axes, WannierBerri's names: Identity, Inversion, "
     "TimeReversal, Mx, My, Mz, C2x, C2y, C2z, C3z, C4x, C4y, C4z, C6z and products such as \"C2x*TimeReversal\"; the "
     "scan then evaluates the irreducible mesh points only (Γ-centred lattice meshes; checked against the model first)"},

    // [task]
    {"task", "kind", "*", "string", "", "required", kNone, kNone, false,
     "bands, berry, chern, ahc, cme, anomaly, dipole, dc_current, streda, spin_density, disorder_ahe, hybrid_current, "
     "phase_space_chern, texture_geometry, texture_density, texture_current, texture_transport, trajectories, kinetic_ramp, texture_lattice, second_chern, weyl_nodes"},
    {"task", "mu", kScanTasks, "levels", "energy", "required", -kBig, kBig, false,
     "chemical potentials: a number, a strictly increasing list, or {from, to, count}; at most 10^5 levels"},
    {"task", "mu", "dc_current", "number", "energy", "0", -kBig, kBig, false, "chemical potential"},
    {"task", "mu", "weyl_nodes", "number", "energy", "0", -kBig, kBig, false,
     "chemical potential of the occupations on the spheres (Eq. 52: n_z = f(ε₊) − f(ε₋); N bands: every band's f(ε_n))"},
    {"task", "T", "ahc cme anomaly dipole dc_current streda spin_density hybrid_current texture_density texture_current weyl_nodes kinetic_ramp", "number", "energy, k_B = 1", "0",
     0, kBig, false, "temperature: 0, or at least 1e-12"},
    {"task", "T", "disorder_ahe", "number", "energy", "0", 0, 0, false, "temperature: the disorder theory is at T = 0"},
    {"task", "refine", kFermiTasks, "table", "", "off", kNone, kNone, false,
     "adaptive refinement of curvature hot spots: {threshold, m}"},
    {"task.refine", "threshold", kFermiTasks, "number", "length²", "required", 0, kBig, true,
     "mesh points where some band's |Ω| exceeds it are replaced by sub-grids (in 2D not those flagged near a band "
     "touching: docs/accuracy.md)"},
    {"task.refine", "m", kFermiTasks, "integer", "", "4", 2, 64, false,
     "sub-divisions per axis of a refined point; even (the sub-points avoid the point itself)"},
    {"task", "rtol", kToleranceTasks, "number", "", "off", 0, 1, false,
     "relative tolerance: denser meshes (dc_current: also more steps, a wider window) until every result's error "
     "estimate ≤ atol + rtol·|value| (docs/accuracy.md)"},
    {"task", "atol", kToleranceTasks, "number", "the result's unit", "1e-10 with rtol, else off", 0, kBig, false,
     "absolute tolerance, with or without rtol"},
    {"task", "max_points", kToleranceTasks, "integer", "", "2^34", 1, 1e12, false,
     "with a tolerance: the largest mesh (dc_current: lines) a refinement may reach; past it the best result is "
     "written (exit 5)"},
    {"task", "max_seconds", kToleranceTasks, "number", "s", "3600", 0, kBig, true,
     "with a tolerance: the time all passes may take; past it the best result is written (exit 5)"},
    {"task", "path", "bands", "list of points", "reduced (lattices) or 1/L (continuum)", "required", -1e6, 1e6, false,
     "corners of the band path; at least two"},
    {"task", "n", "bands", "integer", "", "50", 1, 1000000, false,
     "points per segment; the whole path at most 10^6 points"},
    {"task", "labels", "bands", "list of strings", "", "none", kNone, kNone, false, "one label per path corner"},
    {"task", "points", "berry", "list of points", "reduced (lattices) or 1/L (continuum)", "points or plane", -1e6, 1e6,
     false, "k-points for the band geometry; at most 10^5"},
    {"task", "plane", "berry", "table", "", "points or plane", kNone, kNone, false,
     "a map on a plane: {origin, e1, e2, n}"},
    {"task.plane", "origin", "berry", "point", "as path", "required", -1e6, 1e6, false, "corner of the plane"},
    {"task.plane", "e1", "berry", "vector", "as path", "required", -1e6, 1e6, false, "first edge"},
    {"task.plane", "e2", "berry", "vector", "as path", "required", -1e6, 1e6, false, "second edge"},
    {"task.plane", "n", "berry", "2 integers", "", "required", 2, 100000, false,
     "points along e1 and e2; n1 × n2 at most 10^6"},
    {"task", "B", "berry", "number (2D) or [Bx, By, Bz]", "ħ/(e length²)", "0", -kBig, kBig, false,
     "magnetic field for the spectral weights (SU(N) paper Eqs. 12–15)"},
    {"task", "B", "spin_density", "number (2D) or [Bx, By, Bz]", "ħ/(e length²)", "0", -kBig, kBig, false,
     "weak magnetic field"},
    {"task", "B", "streda", "list of numbers (2D) or of [Bx, By, Bz]", "ħ/(e length²)", "none", -kBig, kBig, false,
     "fields for finite-B passes n(μ, B), one mesh pass each; at most 100"},
    {"task", "tau", "spin_density", "number", "ħ/energy", "0", 0, kBig, false,
     "relaxation time: the distribution is f(ε̄(k + τE))"},
    {"task", "tau", "hybrid_current", "number", "ħ/energy", "0", 0, kBig, false,
     "relaxation time of the δg term (0: none; needs T > 0)"},
    {"task", "E", "spin_density", "dim numbers", "energy/length", "0", -kBig, kBig, false, "electric field (Cartesian)"},
    {"task", "steps", "dc_current", "integer", "", "automatic", 0, 1073741824.0, false,
     "RK4 steps per trajectory or period (0: chosen from the bands and rates for accuracy, h · max(bandwidth, rate) ≤ 0.2 "
     "on lattices); at most 2^30; a fixed count must keep h · max(bandwidth, rate) ≤ 2.78, RK4's stability bound, or "
     "the run is refused"},
    {"task", "window", "dc_current", "number", "1/L", "30", 0, kBig, true,
     "continuum models: the trajectory runs over |κ| ≤ window (tails beyond it are added to first order)"},
    {"task", "occupations", "dc_current", "true/false", "", "false", kNone, kNone, false,
     "landau_zener: record the band occupations along κ"},
    {"task", "magnetization", "disorder_ahe", "[Mx, My, Mz]", "energy", "ti_surface: [0, 0, M]", -kBig, kBig, false,
     "the exchange field M m of the spin-orbit torque"},
    {"task", "skew", "disorder_ahe", "true/false", "", "true", kNone, kNone, false, "compute the skew-scattering pieces"},
    {"task", "active", "hybrid_current", "[lo, hi]", "band indices", "all bands", 0, 1e9, false,
     "the active (field-hybridised) manifold by band index, bands ascending"},
    {"task", "window", "hybrid_current", "[emin, emax]", "energy", "all bands", -kBig, kBig, false,
     "the active manifold: the bands that enter this energy window on the mesh"},

    {"task", "plane", "phase_space_chern", "2 strings", "", "required", kNone, kNone, false,
     "the plane's axes from x, y, z (real space: a period of the texture), k1, k2, k3 (along G_i: lattice models) "
     "and t; e.g. [\"x\", \"y\"] for the real-space cell at fixed k"},
    {"task", "n", "phase_space_chern", "2 integers", "plaquettes per axis", "required", 2, 1000000, false,
     "the plane's grid"},
    {"task", "r", "phase_space_chern", "[x, y, z]", "length", "[0, 0, 0]", -kBig, kBig, false,
     "the plane's corner in real space (its fixed position along the axes not in the plane)"},
    {"task", "k", "phase_space_chern", "dim numbers", "reduced (lattices) or 1/L (continuum)", "0", -1e6, 1e6, false,
     "the plane's corner in k (its fixed momentum along the axes not in the plane)"},
    {"task", "t", "phase_space_chern", "number", "ħ/energy", "0", -1e6, 1e6, false, "the plane's time"},
    {"task", "r", "texture_geometry", "list of [x, y, z]", "length", "[[0, 0, 0]]", -kBig, kBig, false,
     "positions; as many as k-points, or one for all (at most 10^4)"},
    {"task", "k", "texture_geometry", "list of points", "reduced (lattices) or 1/L (continuum)", "[origin]", -1e6, 1e6, false,
     "canonical momenta p (k = p + a(r) with [texture] B); as many as positions, or one for all (at most 10^4)"},
    {"task", "t", "texture_geometry", "number", "ħ/energy", "0", -1e6, 1e6, false, "the time"},
    {"task", "manifold", "texture_geometry", "[first, last]", "band indices", "none", 0, 1e6, false,
     "N-band models: the bands (0 the lowest) whose non-Abelian curvature is reported, with its trace"},
    {"task", "r", "texture_density", "list of [x, y, z]", "length", "[[0, 0, 0]]", -kBig, kBig, false,
     "positions at which the density is integrated over the k-mesh (at most 10^4)"},
    {"task", "mu", "texture_density", "levels", "energy", "required", -kBig, kBig, false,
     "chemical potentials: a number, a strictly increasing list, or {from, to, count}; at most 26 levels (13 with "
     "band_resolved for two bands, 8 for four)"},
    {"task", "t", "texture_density", "number", "ħ/energy", "0", -1e6, 1e6, false, "the time"},
    {"task", "band_resolved", "texture_density", "true/false", "", "false", kNone, kNone, false,
     "also each band's part of the density (and of bound_charge), bands in order of energy at each k"},
    {"task", "bound_charge", "texture_density", "true/false", "", "false", kNone, kNone, false,
     "also the charge a texture binds, int (n − n_ref) d²r over a periodic cell (the common period of the texture, "
     "B_modulation and the potential), a window about an isolated skyrmion or a gaussian potential, or per unit length "
     "across a domain wall (n_ref its far field on each side), on a grid (2D models)"},
    {"task", "cell_points", "texture_density", "[n_x, n_y]", "", "[16, 16]; [512, 16] for a domain wall", 4, 1024, false,
     "bound_charge's grid over the cell or window: even counts (the estimate takes every other point), across a domain "
     "wall a multiple of 4; one point along an axis nothing varies along"},
    {"task", "background", "texture_density", "[mx, my, mz]", "", "m at the grid's first point", -1e6, 1e6, false,
     "the uniform texture bound_charge is measured from (without the potential and fields); not for a domain wall, "
     "whose reference is its two far fields"},
    {"task", "r", "texture_current", "list of [x, y, z]", "length", "[[0, 0, 0]]", -kBig, kBig, false,
     "positions at which the current is integrated over the k-mesh (positions × times at most 10^4)"},
    {"task", "mu", "texture_current", "levels", "energy", "required", -kBig, kBig, false,
     "chemical potentials: a number, a strictly increasing list, or {from, to, count}; at most 17 levels (5 with "
     "band_resolved; for a 3D N-band model with band_resolved 54 / (3 (1 + bands)): 3 for four bands)"},
    {"task", "t", "texture_current", "number or list", "ħ/energy", "0", -1e12, 1e12, false,
     "the times (|E t| at most 1e6)"},
    {"task", "pump", "texture_current", "true/false", "", "false", kNone, kNone, false,
     "report the charge pumped per Bloch period of [texture] E (along one G_i; no B, a uniform texture)"},
    {"task", "band_resolved", "texture_current", "true/false", "", "false", kNone, kNone, false,
     "also each band's part: of Eq. 30's current and the pumped charge (two-band models), and of the magnetisation and "
     "its current (every band of a two-band or N-band model)"},
    {"task", "r", "texture_transport", "list of [x, y, z]", "length", "[[0, 0, 0]]", -kBig, kBig, false,
     "positions at which the currents are integrated over the k-mesh (at most 10^4)"},
    {"task", "mu", "texture_transport", "levels", "energy", "required", -kBig, kBig, false,
     "chemical potentials: a number, a strictly increasing list, or {from, to, count}; at most 4 levels"},
    {"task", "T", "texture_transport", "number", "energy, k_B = 1", "required", 0, kBig, false,
     "temperature, > 0 (the Fermi-surface terms need a smeared step on the mesh)"},
    {"task", "tau", "texture_transport", "number", "ħ/energy", "required", 0, kBig, false,
     "relaxation time of δg (Eq. 57c) and δf (Eq. 46c); 0 gives the equilibrium parts alone"},
    {"task", "E", "texture_transport", "dim numbers", "energy/length", "0", -kBig, kBig, false,
     "the uniform electric field (Cartesian; the force on an electron is −E, as for [texture] E)"},
    {"task", "band", "texture_transport", "integer", "", "every band", 0, 1023, false,
     "the currents of this band alone (0 the lowest in energy), its part of the sum over the bands (each band is its "
     "own manifold in Eqs. 57–68)"},
    {"task", "band_resolved", "texture_transport", "true/false", "", "false", kNone, kNone, false,
     "also every band's part of each current beside the sum (one pass over the mesh per band); not with band"},
    {"task", "r", "trajectories", "list of [x, y, z]", "length", "[[0, 0, 0]]", -kBig, kBig, false,
     "the packets' starting positions; as many as k-points, or one for all (at most 10^4)"},
    {"task", "k", "trajectories", "list of points", "reduced (lattices) or 1/L (continuum)", "[origin]", -1e6, 1e6, false,
     "the packets' starting canonical momenta p; as many as positions, or one for all"},
    {"task", "band", "trajectories", "string or integer", "", "upper", 0, 1023, false,
     "the packets' band: lower or upper (two-band models), or its index from the lowest, 0 … N − 1 (required for N-band models)"},
    {"task", "t", "trajectories", "number", "ħ/energy", "0", -1e6, 1e6, false, "the starting time"},
    {"task", "dt", "trajectories", "number", "ħ/energy", "required", 1e-9, 1e6, false, "the Runge–Kutta step"},
    {"task", "steps", "trajectories", "integer", "", "required", 2, 1e7, false,
     "Runge–Kutta steps: a multiple of 2 × samples (the error estimate repeats the run at 2 dt)"},
    {"task", "samples", "trajectories", "integer", "", "100", 1, 1e4, false, "samples written per packet after the start"},
    {"task", "beam", "trajectories", "table", "", "off", kNone, kNone, false,
     "packets at one energy (with temperature, at several) across a line instead of r (k: the momenta's ray origin k_0, one point), and their "
     "cross-sections: {energy, direction, centre, width, packets, refine, directions, target, temperature, energies, slices}"},
    {"task.beam", "energy", "trajectories", "number", "energy", "required", -kBig, kBig, false,
     "every packet's energy e_s + dE at its start: its momentum is k_0 + s e at the smallest s > 0 where the band "
     "crosses it upward along a ray e from k_0, turned until the velocity there is along d"},
    {"task.beam", "direction", "trajectories", "[dx, dy]", "", "required", -kBig, kBig, false,
     "d: the beam's heading in the xy plane (normalised): every packet's velocity at its start, to 1e-12 rad (1e-9 where "
     "rounding ends the search; on an anisotropic band its momentum's ray from k_0 is turned from d to find it)"},
    {"task.beam", "centre", "trajectories", "[x, y] or [x, y, z]", "length", "required", -kBig, kBig, false,
     "the middle of the start line, which runs across d"},
    {"task.beam", "width", "trajectories", "number", "length", "required", 1e-9, kBig, false,
     "W: the impact parameters b run from −W/2 to W/2 (packet j's start is centre + b_j z × d)"},
    {"task.beam", "packets", "trajectories", "odd integer", "", "65", 3, 1e4, false,
     "P: packets evenly spaced across the beam, ends included (the trapezoid rule over every other one is the "
     "cross-sections' error estimate); with refine's, at most 4 P in all"},
    {"task.beam", "refine", "trajectories", "integer", "", "10", 0, 30, false,
     "levels of refinement: a packet halfway between neighbours whose deflections differ by more than 0.1 rad (a "
     "level whole or not at all, within 4 P packets in all)"},
    {"task.beam", "directions", "trajectories", "1 or a power of two ≥ 8", "", "1", 1, 1024, false,
     "D: with D > 1, D beams at incidence angles d's + 2π j/D, each the given one turned about target, and the "
     "cross-sections averaged over them (a randomly oriented scatterer's; the change from every other direction is "
     "that average's estimate, blind only to a D-fold symmetric scatterer); with D ≥ 16 in 2D also the transport of "
     "aligned scatterers, from the whole collision kernel (aligned_conductivity_times_density)"},
    {"task.beam", "target", "trajectories", "[x, y]", "length", "required with directions > 1", -kBig, kBig, false,
     "the point the beam turns about for its directions (the scatterer's centre)"},
    {"task.beam", "temperature", "trajectories", "number", "energy", "0", 0, kBig, false,
     "k_B T: with T > 0 (a 2D model, or a 3D one with slices), energy is the chemical potential mu and the beam runs at `energies` energies "
     "mu + k_B T x_j, x_j evenly spaced over [-10, 10], for the Boltzmann transport at T (its thermal average); energies "
     "at or below the bottom of the pocket about k_0 have no carriers (no beam; k must then be at the bottom)"},
    {"task.beam", "slices", "trajectories", "integer, a power of two >= 4", "", "none", 4, 1024, false,
     "N (a 3D model): the transport of tubes along z, the sum of the Boltzmann transport of the pocket's k_z slices "
     "k_z = c + K sin(theta_j), theta_j = -pi/2 + pi j/N, over its extent along z through k_0 (the rule over N/2 is the "
     "estimate); an open pocket's equally spaced over the period of k_z; with temperature, each energy's pocket sliced alike"},
    {"task.beam", "energies", "trajectories", "integer 4m + 1", "", "21 with temperature", 9, 1025, false,
     "N: the thermal average's energies (equally spaced in x, weighted by -df/dx normalised; the rule over every other one is its "
     "estimate); only with temperature > 0"},
    {"task", "mu", "kinetic_ramp", "number", "energy", "0", -kBig, kBig, false,
     "chemical potential of the equilibrium at t = 0, n_s = D_s f(e_s + dE - mu) (Eqs. 23, 28)"},
    {"task", "duration", "kinetic_ramp", "number", "ħ/energy", "required", 1e-9, 1e12, false,
     "the ramp's length: from t = 0 to t = duration"},
    {"task", "steps", "kinetic_ramp", "even integer", "", "required", 2, 1e7, false,
     "Runge–Kutta steps (the error estimate repeats the run with half as many; the flow in k may cross at most one mesh "
     "spacing per step)"},
    {"task", "B_start", "kinetic_ramp", "number (2D) or [Bx, By, Bz]", "ħ/(e length²)", "[texture] B (no ramp)", -1e6, 1e6,
     false, "the field at t = 0; it goes linearly to [texture] B at t = duration (Eq. 44)"},
    {"task", "map", "kinetic_ramp", "true/false", "", "false", kNone, kNone, false,
     "write the table <title>_kinetic_ramp.csv: per k the bands' n_s, their change and their flow n_s k̇_s (Fig. 7)"},
    {"task", "axes", "second_chern", "4 strings", "", "required", kNone, kNone, false,
     "the torus: every momentum of the model (k1, k2, k3: lattice models) and model parameters, e.g. [\"k1\", \"k2\", "
     "\"k3\", \"theta\"] for qhz; a parameter runs over one period from its [model] value. With [texture]: four of x, "
     "y, z, k1, k2, k3, t, as phase_space_chern's plane (docs/textures.md)"},
    {"task", "r", "second_chern", "[x, y, z]", "length", "[0, 0, 0]", -kBig, kBig, false,
     "with [texture]: the torus's corner in real space (its position along the axes not in it)"},
    {"task", "k", "second_chern", "dim numbers", "reduced", "0", -1e6, 1e6, false,
     "with [texture]: the torus's corner in k (its momentum along the axes not in it)"},
    {"task", "t", "second_chern", "number", "ħ/energy", "0", -1e6, 1e6, false, "with [texture]: the torus's time"},
    {"task", "n", "second_chern", "4 even integers", "points per axis", "required", 4, 10000, false,
     "the torus's grid (the error estimate uses every other point)"},
    {"task", "period", "second_chern", "number", "the parameters' units", "2π", 1e-9, 1e12, false,
     "the period of the parameter axes (checked: H must repeat)"},
    {"task", "filled", "second_chern", "integer", "", "bands / 2", 1, 1e4, false, "the number of filled bands"},
    {"task", "lattice", "second_chern", "true/false", "", "true", kNone, kNone, false,
     "also the lattice method, an exact integer once its checks pass (sixteen more eigen-decompositions per point)"},
    {"task", "n", "weyl_nodes", "3 integers", "points along G_1, G_2, G_3", "[24, 24, 24]", 4, 192, false,
     "the search mesh: a damped Newton iteration starts from every point with ‖d‖ ≤ ‖∂d/∂k‖ × spacing (17 bytes a point)"},
    {"task", "radius", "weyl_nodes", "number", "1/length (1/Å for Wannier models)", "a quarter of the distance to the nearest other node", 1e-9, 1e6, false,
     "the radius of the momentum-space sphere around each node (it should enclose the node's Fermi pocket)"},
    {"task", "band", "weyl_nodes", "integer", "", "bands / 2 − 1", 0, 1023, false,
     "the crossing of bands band and band + 1, counted from the lowest (two-band models: 0)"},
    {"task", "points", "weyl_nodes", "even integer", "", "48", 4, 2000, false,
     "Gauss–Legendre points in cos θ on each sphere (φ: twice as many); the estimate halves them"},
    {"task", "box", "texture_lattice", "2 integers", "cells along a_1, a_2", "required", 1, 1e6, false,
     "the periodic box of the lattice reference; the texture must repeat over it (e.g. one skyrmion-lattice period)"},
    {"task", "twists", "texture_lattice", "2 even integers", "", "[2, 2]", 2, 64, false,
     "twisted boundary conditions per axis: the box's Bloch momenta θ_i = 2π t_i/n_i (the estimate takes every other)"},
    {"task", "method", "texture_lattice", "string", "", "auto", kNone, kNone, false,
     "dense (full diagonalisation, at most 800 orbitals), kpm (kernel polynomial method) or auto (dense where it "
     "may)"},
    {"task", "bound_charge", "texture_lattice", "true/false", "", "true (dense), false (kpm)", kNone, kNone, false,
     "also the electrons in the box and the bound charge (kpm: the density of every orbital, not only at r)"},
    {"task", "T", "texture_lattice", "number", "energy, k_B = 1", "required", 0, kBig, false,
     "temperature; T = 0 fills the states below mu, a level on mu half (kpm: with smoothing, not with hall)"},
    {"task", "smoothing", "texture_lattice", "number", "energy, k_B = 1", "required with T = 0 and kpm", 0, kBig, false,
     "kpm at T = 0: k_B T_s, the Fermi function the step is expanded as (its moments as at T = T_s); exact where the box "
     "has no level within about 38 T_s of mu (the bound below 1e-6 beyond 22 T_s), and the estimates add a bound on what "
     "nearer levels change, from the "
     "change across mu ∓ 8 T_s (density_step_error)"},
    {"task", "hall", "texture_lattice", "true/false", "", "false", kNone, kNone, false,
     "also the Hall response σ_xy by the Kubo formula on the twists, in a gap or a band; dense (at least 4 twists per "
     "axis, twists × orbitals² × 16 bytes) also the Chern number C of the states below each mu over the twists "
     "(σ_xy = −C e²/h in a gap); kpm: the Kubo–Bastin formula with a broadening"},
    {"task", "broadening", "texture_lattice", "number", "energy", "0 (dense), required (kpm)", 0, 1e6, false,
     "with hall: η, the Lorentzian broadening of the Kubo–Bastin formula (σ_xy → the clean Kubo formula's as η² in a "
     "gap of the box; the estimate adds |σ(2η) − σ(η)|/2); kpm needs up to about 40 a/η moments per index for a "
     "spectrum of half-width a"},
    {"task", "trace", "texture_lattice", "string", "", "stochastic", kNone, kNone, false,
     "with hall and kpm: stochastic (random-phase start vectors, random_vectors per twist), probing (each draw's random "
     "phases split by colours, orbitals of one colour probing_distance cells apart: orbitals per cell × d1 × d2 vectors "
     "per draw, and only far pairs left in the noise) or exact (every orbital: orbitals × the work of one vector)"},
    {"task", "bound_charge_trace", "texture_lattice", "string", "", "exact", kNone, kNone, false,
     "with kpm and bound_charge: the electrons in the box, Tr f(H), over every orbital (exact: orbitals × the work of one "
     "vector) or by probing (random_vectors draws of random phases split by colours, orbitals of one colour "
     "probing_distance cells apart: orbitals per cell × d1 × d2 vectors per draw; electrons_stochastic_error)"},
    {"task", "density_trace", "texture_lattice", "string", "", "exact", kNone, kNone, false,
     "with kpm: the densities at r (or every cell, map) each from its orbitals' own recursions (exact: orbitals per cell "
     "× the work of one vector a position) or by probing (random_vectors draws of random phases split by colours, "
     "orbitals of one colour probing_distance cells apart, every orbital's density from the same orbitals per cell × "
     "d1 × d2 vectors per draw, each twice a unit vector's work; density_stochastic_error); with bound_charge it needs "
     "bound_charge_trace = probing, and the same vectors give the electrons"},
    {"task", "map", "texture_lattice", "true/false", "", "false", kNone, kNone, false,
     "the density at every cell of the box, in place of r, n_1 a_1 + n_2 a_2 in the order n_1 then n_2 (either method; at "
     "most 2^18 cells)"},
    {"task", "random_vectors", "texture_lattice", "integer", "",
     "8 (trace = stochastic), 2 (probing), 1 + ceil(10/twists) (density_trace = probing)", 2, 1e6, false,
     "with kpm, for every random trace (hall with trace = stochastic or probing, bound_charge_trace or density_trace = "
     "probing): random-phase draws per twist, one count for all when given (the estimate takes twice their standard "
     "error; probing estimates it from each colour's spread, a density from its spread over the draws)"},
    {"task", "probing_distance", "texture_lattice", "2 integers", "cells along a_1, a_2", "required with probing", 1, 1e6, false,
     "with kpm and trace, bound_charge_trace or density_trace = probing: the cells between orbitals of one colour, each "
     "dividing the box (equal to the box: every orbital its own colour, the exact trace)"},
    {"task", "seed", "texture_lattice", "integer", "", "1", 0, 1e12, false,
     "with kpm and a random trace: the random phases' seed (the same seed gives the same phases on any machine)"},
    {"task", "streda", "texture_lattice", "true/false", "", "false", kNone, kNone, false,
     "also solve the box without [texture] B (which must hold whole flux quanta): Středa's electrons added per flux "
     "quantum, per position (streda_local) and in the box (streda_hall, with bound_charge) — in a gap the Hall "
     "number; doubles the work"},
    {"task", "pump", "texture_lattice", "true/false", "", "false", kNone, kNone, false,
     "with a sliding texture ([texture] velocity; dense): the particles the states below mu carry along +a_1 and +a_2 "
     "per period of the slide, the Chern numbers of the tori (t, twist) at each twist of the other axis (pump_chern, "
     "pumped_per_chain; twists ≥ 4 per axis); the densities and the rest are the box's at t = 0"},
    {"task", "pump_steps", "texture_lattice", "integer", "", "16", 4, 1024, false,
     "with pump: times per period on each torus (t, twist), even"},
    {"task", "background", "texture_lattice", "[mx, my, mz]", "", "m(0)", -1e6, 1e6, false,
     "the uniform texture the bound charge is measured from"},
    {"task", "r", "texture_lattice", "list of [x, y, z]", "length", "[[0, 0, 0]]", -kBig, kBig, false,
     "lattice points n_1 a_1 + n_2 a_2 at which the cell's density is reported (at most 10^4; map = true: every cell)"},
    {"task", "mu", "texture_lattice", "levels", "energy", "required", -kBig, kBig, false,
     "chemical potentials: a number, a strictly increasing list, or {from, to, count}; at most 17 levels"},
    {"task", "map", "phase_space_chern", "true/false", "", "false", kNone, kNone, false,
     "also write the lower band's Berry-flux density and the band energies at every grid point (<title>_flux_map.csv; "
     "at most 2^22 points)"},

    // [texture]
    {"texture", "kind", kTextureTasks, "string", "", "required", kNone, kNone, false,
     "uniform, skyrmion_lattice, skyrmion, domain_wall, spiral or table (docs/textures.md); each takes the keys below and those of its own section"},
    // Keys of every kind (find_key: a kind's section takes its base section's keys).
    {"texture", "exchange", kTextureTasks, "number", "energy", "required", -1e6, 1e6, false, "J: the texture enters H as J m(r)·σ (N-band models: J m(r)·S, σ on the model's spin index)"},
    {"texture", "mass_rate", kTextureTasks, "number", "energy²/ħ", "0", -1e6, 1e6, false, "ṁ: H gains ṁ t σ_z (Sec. III B; two-band models)"},
    {"texture", "B", kTextureTasks, "number (2D) or [Bx, By, Bz]", "ħ/(e length²)", "0", -1e6, 1e6,
     false, "a uniform magnetic field through a(r) = (B × r)/2: H_0 is taken at p + a(r) (texture_lattice: B_z alone, "
            "a whole number of flux quanta through the box, as Peierls phases on a magnetic torus)"},
    {"texture", "B_modulation", kTextureTasks, "number", "ħ/(e length²)", "0", -1e6, 1e6, false,
     "B1 of a modulated field B_z(r) = B1 cos(2π r_axis/L) (2D and 3D models), through the periodic vector potential "
     "a_y = (B1 L/2π) sin(2πx/L) (axis x) or a_x = −(B1 L/2π) sin(2πy/L) (axis y); on top of B"},
    {"texture", "B_modulation_period", kTextureTasks, "number", "length", "required with B_modulation", 1e-6, 1e6, false,
     "L of B_modulation"},
    {"texture", "B_modulation_axis", kTextureTasks, "string", "", "x", kNone, kNone, false,
     "the axis B_modulation varies along: x or y"},
    {"texture", "E", kTextureTasks, "dim numbers", "energy/(e length)", "0", -1e6, 1e6,
     false, "a uniform electric field through a(t) = −E t: H_0 is taken at p − E t (along one G_i: periodic in t)"},
    {"texture", "velocity", kTextureTasks, "dim numbers", "length·energy/ħ", "0", -1e6, 1e6, false,
     "v: the texture slides rigidly, m(r − v t), over the static U(r) (texture_lattice: unless potential_slides) and "
     "fields (docs/textures.md \"A sliding texture\"); "
     "along an axis of the texture's period P: periodic in t with P/|v|"},
    {"texture", "potential_slides", "texture_lattice", "true/false", "", "false", kNone, kNone, false,
     "with pump = true: the scalar potential slides with the texture, U(r − v t) (a sliding charge-density wave; "
     "alone, with a uniform texture, Thouless's pump); otherwise U stays where it is"},
    {"texture", "potential", kTextureTasks, "string", "", "none", kNone, kNone, false,
     "a static scalar potential energy U(r) added to H (Eq. 32's φ; the force on an electron is −∇U): none, cosine "
     "(U = A cos(2π r_axis/L)), gaussian (U = A exp(−ρ²/2w²), ρ the distance from the z axis) or table (U read from "
     "potential_file, interpolated by a periodic cubic spline)"},
    {"texture", "potential_amplitude", kTextureTasks, "number", "energy", "required with cosine, gaussian", -1e6, 1e6, false,
     "A: the potential's amplitude"},
    {"texture", "potential_period", kTextureTasks, "number, or [Lx, Ly] with table", "length", "required with cosine, table",
     1e-6, 1e6, false, "L of the cosine; a table's cell sides: U(r) repeats with them, the grid's spacing is the side over "
                       "its distinct points"},
    {"texture", "potential_axis", kTextureTasks, "string", "", "x", kNone, kNone, false, "the cosine's axis: x or y"},
    {"texture", "potential_width", kTextureTasks, "number", "length", "required with gaussian", 1e-6, 1e6, false,
     "w of the gaussian"},
    {"texture", "potential_file", kTextureTasks, "path", "", "required with table", kNone, kNone, false,
     "rows x y U (U in energy units) on a regular grid of one cell (relative to the run file's folder; at most 2^20 "
     "points)"},
    {"texture uniform", "kind", kTextureTasks, "string", "", "required", kNone, kNone, false, "\"uniform\""},
    {"texture uniform", "direction", kTextureTasks, "[mx, my, mz]", "", "required", -1e6, 1e6, false,
     "the exchange field's direction (normalised)"},
    {"texture skyrmion_lattice", "kind", kTextureTasks, "string", "", "required", kNone, kNone, false, "\"skyrmion_lattice\""},
    {"texture skyrmion_lattice", "period", kTextureTasks, "number", "length", "required", 1e-6, kBig, false,
     "the square cell's side L; one skyrmion per cell, centred at (L/2, L/2)"},
    {"texture skyrmion_lattice", "radius", kTextureTasks, "number", "length", "required", 1e-6, kBig, false,
     "R ≤ L/2: m = p ẑ from the centre's distance R on"},
    {"texture skyrmion_lattice", "winding", kTextureTasks, "integer", "", "1", -1e6, 1e6, false,
     "W: the in-plane angle is Wφ + γ; the cell's skyrmion number is −pW"},
    {"texture skyrmion_lattice", "helicity", kTextureTasks, "number", "rad", "0", -1e6, 1e6, false,
     "γ (0: Néel, π/2: Bloch)"},
    {"texture skyrmion_lattice", "polarity", kTextureTasks, "integer", "", "1", -1, 1, false,
     "p = ±1: m = −p ẑ at the centre, p ẑ far from it"},
    {"texture skyrmion", "kind", kTextureTasks, "string", "", "required", kNone, kNone, false, "\"skyrmion\""},
    {"texture skyrmion", "radius", kTextureTasks, "number", "length", "required", 1e-6, kBig, false,
     "R: m = p ẑ from the distance R from the origin on"},
    {"texture skyrmion", "winding", kTextureTasks, "integer", "", "1", -1e6, 1e6, false,
     "W: the in-plane angle is Wφ + γ; the skyrmion number is −pW"},
    {"texture skyrmion", "helicity", kTextureTasks, "number", "rad", "0", -1e6, 1e6, false,
     "γ (0: Néel, π/2: Bloch)"},
    {"texture skyrmion", "polarity", kTextureTasks, "integer", "", "1", -1, 1, false,
     "p = ±1: m = −p ẑ at the centre, p ẑ far from it"},
    {"texture domain_wall", "kind", kTextureTasks, "string", "", "required", kNone, kNone, false, "\"domain_wall\""},
    {"texture domain_wall", "width", kTextureTasks, "number", "length", "required", 1e-6, kBig, false,
     "w: θ = 2 arctan e^{x/w}, the wall at x = 0"},
    {"texture domain_wall", "helicity", kTextureTasks, "number", "rad", "0", -1e6, 1e6, false,
     "γ: the in-plane direction of m inside the wall (0: Néel, π/2: Bloch)"},
    {"texture domain_wall", "polarity", kTextureTasks, "integer", "", "1", -1, 1, false,
     "p = ±1: m goes from p ẑ (x → −∞) to −p ẑ"},
    {"texture spiral", "kind", kTextureTasks, "string", "", "required", kNone, kNone, false, "\"spiral\""},
    {"texture spiral", "period", kTextureTasks, "number", "length", "required", 1e-6, kBig, false,
     "L: θ = 2πWx/L"},
    {"texture spiral", "winding", kTextureTasks, "integer", "", "1", -1e6, 1e6, false,
     "W: turns per period"},
    {"texture spiral", "helicity", kTextureTasks, "number", "rad", "0", -1e6, 1e6, false,
     "γ: the in-plane direction of m's rotation plane (0: cycloid in xz)"},
    {"texture spiral", "polarity", kTextureTasks, "integer", "", "1", -1, 1, false,
     "p = ±1: m_z = p cos θ"},
    {"texture table", "kind", kTextureTasks, "string", "", "required", kNone, kNone, false, "\"table\""},
    {"texture table", "file", kTextureTasks, "path", "", "required", kNone, kNone, false,
     "rows x y mx my mz on a regular grid of one cell (relative to the run file's folder; at most 2^20 points)"},
    {"texture table", "period", kTextureTasks, "number or [Lx, Ly]", "length", "required", 1e-6, kBig, false,
     "the cell's sides: m(r) repeats with them; the grid's spacing is the side over its distinct points"},

    // [field]
    {"field", "E", "dc_current hybrid_current", "levels", "energy/length (e = 1)", "required", 0, kBig, false,
     "field strengths: a number, a strictly increasing list, or {from, to, count}; at most 10^4"},
    {"field", "direction", "dc_current hybrid_current", "integer", "", "1", 1, 3, false,
     "lattices: E ∥ G_direction; continuum: the Cartesian axis (1D models: x only)"},

    // [dissipation]
    {"dissipation", "kind", "dc_current", "string", "", "required", kNone, kNone, false, "rta, dpa, exact or none"},
    {"dissipation rta", "kind", "dc_current", "string", "", "required", kNone, kNone, false, "\"rta\""},
    {"dissipation rta", "tau1", "dc_current", "number", "ħ/energy", "required", 0, kBig, true, "population relaxation time"},
    {"dissipation rta", "tau2", "dc_current", "number", "ħ/energy", "tau1", 0, kBig, true, "coherence relaxation time"},
    {"dissipation dpa", "kind", "dc_current", "string", "", "required", kNone, kNone, false, "\"dpa\""},
    {"dissipation dpa", "gamma", "dc_current", "number", "energy", "required", 0, kBig, true,
     "reservoir coupling Γ (τ = 1/2Γ)"},
    {"dissipation dpa", "d1", "dc_current", "true/false", "", "true", kNone, kNone, false, "include the D1 term"},
    {"dissipation dpa", "d2", "dc_current", "true/false", "", "true", kNone, kNone, false, "include the D2 term"},
    {"dissipation exact", "kind", "dc_current", "string", "", "required", kNone, kNone, false, "\"exact\""},
    {"dissipation exact", "gamma", "dc_current", "number", "energy", "required", 0, kBig, true, "reservoir coupling Γ"},
    {"dissipation exact", "poles", "dc_current", "integer", "", "automatic", 0, 4096, false,
     "Padé poles of the Fermi function (0: enough for pole_tolerance)"},
    {"dissipation exact", "pole_tolerance", "dc_current", "number", "", "1e-9", 1e-15, 0.1, false,
     "accuracy of the broadened occupation when poles are chosen automatically"},
    {"dissipation none", "kind", "dc_current", "string", "", "required", kNone, kNone, false,
     "\"none\" (coherent evolution; landau_zener only)"},

    // [disorder]
    {"disorder", "u0", "disorder_ahe", "number", "energy × length (2D)", "one of u0, tau", 1e-6, 1e6, false,
     "white-noise strength, <U(r)U(r')> = u0² δ(r − r')"},
    {"disorder", "tau", "disorder_ahe", "number", "ħ/energy", "one of u0, tau", 1e-12, kBig, false,
     "out-scattering time: u0 chosen per μ to give it"},
};
// clang-format on

// Calls f(task) for each task of a row's space-separated list ("*" is one entry); stops when f
// returns true, and returns whether it did.
template <class F>
bool any_task(std::string_view tasks, F&& f) {
    std::size_t at = 0;
    while (at < tasks.size()) {
        std::size_t end = tasks.find(' ', at);
        if (end == std::string_view::npos) end = tasks.size();
        if (f(tasks.substr(at, end - at))) return true;
        at = end + 1;
    }
    return false;
}

bool has_task(const char* tasks, std::string_view task) {
    return std::string_view(tasks) == "*" || any_task(tasks, [&](std::string_view t) { return t == task; });
}

std::string number_text(double x) {
    if (x == 2147483648.0) return "2^31";
    if (x == 1073741824.0) return "2^30";
    if (x == std::floor(x) && std::fabs(x) < 1e7) return fmt::format("{:.0f}", x);
    std::string s = fmt::format("{:g}", x);  // 1e+12 → 1e12, 1e-06 → 1e-6
    const auto e = s.find('e');
    if (e == std::string::npos) return s;
    std::string mantissa = s.substr(0, e), exponent = s.substr(e + 1);
    const bool negative = exponent[0] == '-';
    exponent.erase(0, 1);
    exponent.erase(0, std::min(exponent.find_first_not_of('0'), exponent.size() - 1));
    return mantissa + "e" + (negative ? "-" : "") + exponent;
}

}  // namespace

std::span<const KeySpec> run_keys() { return kKeys; }

double memory_budget_bytes() {
    const long pages = sysconf(_SC_PHYS_PAGES), size = sysconf(_SC_PAGE_SIZE);
    return pages > 0 && size > 0 ? 0.5 * static_cast<double>(pages) * static_cast<double>(size) : 4.0 * (1 << 30);
}

std::string bytes_text(double b) {
    if (b < 1024.0 * 1024 * 1024) return fmt::format("{:.0f} MiB", b / (1024.0 * 1024));
    if (b < 1024.0 * 1024 * 1024 * 1024) return fmt::format("{:.1f} GiB", b / (1024.0 * 1024 * 1024));
    return fmt::format("{:.3g} TiB", b / (1024.0 * 1024 * 1024 * 1024));
}

const KeySpec* find_key(std::string_view section, std::string_view key, std::string_view task) {
    for (const KeySpec& k : kKeys)
        if (section == k.section && key == k.key && (task.empty() || has_task(k.tasks, task))) return &k;
    // A kind's section ("texture skyrmion") takes its base section's keys too ("texture": those of every kind).
    const std::size_t space = section.find(' ');
    return space == std::string_view::npos ? nullptr : find_key(section.substr(0, space), key, task);
}

std::vector<std::string> tasks_reading(std::string_view section, std::string_view key) {
    std::vector<std::string> out;
    for (const KeySpec& k : kKeys)
        if (section == k.section && key == k.key)
            any_task(k.tasks, [&](std::string_view t) {
                if (std::find(out.begin(), out.end(), t) == out.end()) out.emplace_back(t);
                return false;
            });
    return out;
}

std::vector<std::string> keys_of(std::string_view section, std::string_view task) {
    std::vector<std::string> out;
    for (const KeySpec& k : kKeys)
        if (section == k.section && (task.empty() || has_task(k.tasks, task))) out.emplace_back(k.key);
    const std::size_t space = section.find(' ');
    if (space != std::string_view::npos)
        for (const std::string& key : keys_of(section.substr(0, space), task))
            if (std::find(out.begin(), out.end(), key) == out.end()) out.push_back(key);
    return out;
}

std::string range_text(const KeySpec& k) {
    if (std::isnan(k.min)) return "";
    if (k.min == k.max) return fmt::format("{} = {}", k.key, number_text(k.min));
    return fmt::format("{} {} {} ≤ {}", number_text(k.min), k.min_exclusive ? "<" : "≤", k.key, number_text(k.max));
}

std::string parameter_range_text(const ParamSpec& p) {
    return fmt::format("{} {} {} ≤ {}", number_text(p.min), p.min_exclusive ? "<" : "≤", p.name, number_text(p.max));
}

std::string run_keys_markdown() {
    std::string md =
        "# Run-file reference\n\n"
        "Generated by `bzint keys` from the table the validation itself reads (host/run_keys.cpp); a test "
        "keeps this file equal to it. A run file is TOML; `--set section.key=value` overrides any key. Every "
        "key not listed for a section and task is refused (exit status 2, naming the file, line, key and the "
        "valid keys), and so is every number outside its range.\n\n"
        "Units: ħ = e = k_B = 1; energies in the model's energy unit (eV for Wannier models), lengths in its "
        "length unit (the lattice constant a, L = v/energy for continuum models, Å for Wannier models); "
        "docs/conventions.md.\n";
    const char* sections[][2] = {{"top", "Top level"},
                                 {"model", "[model]"},
                                 {"model wannier", "[model] with name = \"wannier\""},
                                 {"mesh", "[mesh]"},
                                 {"task", "[task]"},
                                 {"task.refine", "[task] refine = {…}"},
                                 {"task.plane", "[task] plane = {…}"},
                                 {"task.beam", "[task] beam = {…}"},
                                 {"field", "[field]"},
                                 {"dissipation", "[dissipation]"},
                                 {"dissipation rta", "[dissipation] kind = \"rta\""},
                                 {"dissipation dpa", "[dissipation] kind = \"dpa\""},
                                 {"dissipation exact", "[dissipation] kind = \"exact\""},
                                 {"dissipation none", "[dissipation] kind = \"none\""},
                                 {"disorder", "[disorder]"},
                                 {"texture", "[texture]"},
                                 {"texture uniform", "[texture] kind = \"uniform\""},
                                 {"texture skyrmion_lattice", "[texture] kind = \"skyrmion_lattice\""},
                                 {"texture skyrmion", "[texture] kind = \"skyrmion\""},
                                 {"texture domain_wall", "[texture] kind = \"domain_wall\""},
                                 {"texture spiral", "[texture] kind = \"spiral\""},
                                 {"texture table", "[texture] kind = \"table\""}};
    for (const auto& [section, title] : sections) {
        md += fmt::format("\n## {}\n\n| key | tasks | type | unit | default | range | meaning |\n|---|---|---|---|---|---|---|\n",
                          title);
        for (const KeySpec& k : kKeys) {
            if (std::string_view(k.section) != section) continue;
            md += fmt::format("| `{}` | {} | {} | {} | {} | {} | {} |\n", k.key, std::string_view(k.tasks) == "*" ? "all" : k.tasks,
                              k.type, k.unit, k.default_text, range_text(k), k.meaning);
        }
    }
    md += "\n## Built-in models: [model] parameters\n\nEvery parameter is a number; the range keeps H(k) and the "
          "products the geometry forms of it finite.\n";
    for (const ModelInfo& m : model_infos()) {
        md += fmt::format("\n### `{}` ({}D {}, {} bands)\n\n| parameter | default | range | meaning |\n|---|---|---|---|\n", m.name,
                          m.dim, m.lattice ? "lattice" : "continuum", m.bands);
        for (const ParamSpec& p : m.params)
            md += fmt::format("| `{}` | {:g} | {} | {} |\n", p.name, p.default_value, parameter_range_text(p), p.meaning);
    }
    md += fmt::format(
        "\n## Limits\n\n"
        "| what | limit | why |\n|---|---|---|\n"
        "| run file | {} MiB | read whole into memory |\n"
        "| `[mesh] n` | each ≤ 2^31, product ≤ 2^62 points | 64-bit index arithmetic; meshes are streamed, not stored |\n"
        "| `[task] mu` levels | {} | held and written per level |\n"
        "| `[field] E` values | {} | one result row each |\n"
        "| band path points | {} | held and written per point |\n"
        "| berry points | {} | |\n"
        "| berry plane n1 × n2 | {} | |\n"
        "| streda B list | {} | one mesh pass each |\n"
        "| chern planes (3D n3) | {} | one histogram row each |\n"
        "| `second_chern` torus | 2^40 points | streamed; at 1.4e6 points/s on 2 cores that is 9 days |\n"
        "| `weyl_nodes` search mesh | 192³ points | 17 bytes each, held (120 MB) |\n"
        "| `texture_lattice` dense box | 800 orbitals | one diagonalisation ≲ 1 s, so that Ctrl-C is answered; larger boxes "
        "take `method = \"kpm\"` |\n"
        "| `texture_lattice` kpm box | 2^26 orbitals, 2^20 moments | the sparse matrices of every twist are held (memory "
        "checked); the moments follow from T and the band width |\n"
        "| points flagged by `[task] refine` | 2^26 | their indices are held for the second pass |\n"
        "| RK4 steps per trajectory or period | 2^30 | counted in 64 bits; a finer field or wider window is refused with the "
        "steps it would need |\n"
        "| memory of the histograms, tables, FFT chunks and the run-time Wannier engine's per-thread workspaces (about 32 "
        "W² complex numbers per thread for W > 16 orbitals) | half the machine's memory | estimated before any work |\n"
        "| `--threads` | the CPUs this process may use | more only add waiting |\n",
        kMaxRunFileBytes >> 20, kMaxLevels, kMaxFieldValues, kMaxPathPoints, kMaxPointList, kMaxPlanePoints, kMaxFieldList,
        kMaxChernPlanes);
    return md;
}

}  // namespace bzint
