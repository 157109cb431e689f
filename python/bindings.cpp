// The Python extension bzint._bzint (python/bzint/__init__.py calls it): a task from a dict with
// the run file's validation, the engine and the outputs of the command line (host/app.hpp); the
// per-k band geometry on arrays of points; a tight-binding model written as a Wannier90 tb.dat.
// The dict becomes the run file's TOML table (spec_table.hpp); the result comes back as the
// output document's JSON text, whose numbers round-trip exactly, so Python's arrays are bitwise
// the CLI's.
#include <nanobind/nanobind.h>
#include <nanobind/ndarray.h>
#include <nanobind/stl/complex.h>
#include <nanobind/stl/string.h>

#include <fmt/core.h>

#include <memory>
#include <mutex>
#include <sstream>
#include <string>

#include "app.hpp"
#include "engine.hpp"
#include "tasks/task_common.hpp"
#include "../kernels/cuda_backend.hpp"
#include "input_error.hpp"
#include "output_files.hpp"
#include "progress.hpp"
#include "stop.hpp"
#include "workers.hpp"
#include "wannier/tb_model.hpp"
#include "spec_table.hpp"

namespace nb = nanobind;

namespace {

// For its lifetime, progress reports go to `progress` (a Python callable taking what, done, total,
// unit, finished), or nowhere when it is None, instead of stderr. It must be made and dropped with
// the GIL held (it owns a reference); the reports take the GIL from whichever thread sends them,
// and an exception in the callable is reported as unraisable rather than stopping the task.
class ProgressToPython {
public:
    explicit ProgressToPython(nb::object progress) {
        if (progress.is_none()) {
            bzint::set_progress_observer([](const bzint::ProgressReport&) {});
            return;
        }
        bzint::set_progress_observer([progress = std::move(progress)](const bzint::ProgressReport& r) {
            nb::gil_scoped_acquire gil;
            try {
                progress(r.what, r.done, r.total, r.unit, r.finished);
            } catch (nb::python_error& e) {
                e.discard_as_unraisable("bzint progress callback");
            }
        });
    }
    ~ProgressToPython() { bzint::set_progress_observer(nullptr); }
    ProgressToPython(const ProgressToPython&) = delete;
    ProgressToPython& operator=(const ProgressToPython&) = delete;
};

// The engine's state is the process's (the thread pool, the stop flag, the progress observer,
// the checkpoint session): calls from several Python threads run one at a time. The wait is
// without the GIL, so that a running call's progress callback can take it.
std::unique_lock<std::mutex> one_call_at_a_time() {
    static std::mutex engine;
    std::unique_lock<std::mutex> lock(engine, std::defer_lock);
    nb::gil_scoped_release release;
    lock.lock();
    return lock;
}

// Runs the task; returns the output document as JSON text (its warnings are not printed: Python
// issues them). The GIL is released while the task runs, and SIGINT/SIGTERM stop it as on the
// command line (Interrupted: a resumable checkpoint stays under `out` when outputs are written).
std::string run(nb::handle spec, const std::string& backend, int threads, const std::string& out, bool write_outputs,
                bool resume, nb::object progress) {
    bzint::RunFile rf = bzint::RunFile::from_table(bzint::python::ToToml{}.table(spec, "", 0), "spec");
    const auto engine = one_call_at_a_time();
    const ProgressToPython reports(std::move(progress));
    nb::gil_scoped_release release;
    const bzint::StopOnSignals stop_on_signals(false);
    if (threads > 0)
        bzint::workers::set_count(std::min(threads, bzint::workers::available_cpus()));
    else
        bzint::workers::use_default_count();
    const bzint::Backend b = bzint::resolve_backend(backend);
    if (b == bzint::Backend::cuda) bzint::cuda::select_device(0);
    return bzint::run(rf, b, bzint::RunOptions{out, resume, write_outputs, false}).dump();
}

// Band energies, velocities, Berry curvature and orbital moments of `model` (a spec's model
// dict) at the rows of k: (n, d) reduced coordinates on a lattice, Cartesian k on a continuum
// model (as task berry's points), computed by the engine's per-k geometry (engine.hpp
// geometry_at_points) with the GIL released. Returns float64 arrays energy (n, B) and v, omega,
// m (n, B, 3) in a dict, B the model's band count, with their units (as task berry's) under "units". Where bands touch, geometry_at_points throws
// NonFiniteError naming the point.
using PointArray = nb::ndarray<const double, nb::ndim<2>, nb::c_contig, nb::device::cpu>;

nb::dict band_geometry(nb::handle model, PointArray k, const std::string& backend) {
    const auto engine = one_call_at_a_time();  // reading a Wannier model registers it
    nb::dict spec;
    spec["model"] = model;
    const bzint::RunFile rf = bzint::RunFile::from_table(bzint::python::ToToml{}.table(spec, "", 0), "spec");
    const bzint::RunConfig cfg = bzint::read_model_section(rf);
    const int d = cfg.model->dim;
    const std::size_t n = k.shape(0);
    if (static_cast<int>(k.shape(1)) != d)
        throw bzint::InputError(fmt::format("k: each point needs {} coordinates for the {}D model '{}' ({}); got {}", d, d,
                                            cfg.model->name,
                                            cfg.model->lattice ? "reduced coordinates of the reciprocal basis"
                                                               : "Cartesian k in 1/length unit",
                                            k.shape(1)));
    const int B = bzint::model_bands(cfg.params);
    const double bytes = static_cast<double>(n) * (B * (sizeof(bzint::BandGeometry) + 10 * sizeof(double)) + 24.0);
    if (bytes > bzint::memory_budget_bytes())
        throw bzint::InputError(fmt::format("k: {} points would need about {:.3g} GB; at most {:.3g} GB (half this "
                                            "machine's memory) is used: ask for fewer",
                                            n, bytes / 1e9, bzint::memory_budget_bytes() / 1e9));
    std::vector<std::array<double, 3>> kc(n);
    for (std::size_t i = 0; i < n; ++i) {
        std::array<double, 3> p{0, 0, 0};
        for (int a = 0; a < d; ++a) p[a] = k(i, a);
        kc[i] = bzint::cartesian_k(*cfg.model, p);
    }
    std::vector<bzint::BandGeometry> g;
    {
        nb::gil_scoped_release release;
        const bzint::StopOnSignals stop_on_signals(false);
        g = bzint::geometry_at_points(bzint::resolve_backend(backend), cfg.params, kc);
        bzint::throw_if_stopped();
    }
    // Arrays owned by numpy (a capsule frees each).
    auto array = [n, B](std::size_t per, auto get) {
        std::unique_ptr<double[]> data(new double[n * B * per]);
        for (std::size_t i = 0; i < n * B; ++i)
            for (std::size_t c = 0; c < per; ++c) data[i * per + c] = get(i, c);
        double* raw = data.get();
        nb::capsule owner(raw, [](void* p) noexcept { delete[] static_cast<double*>(p); });
        data.release();
        if (per == 1) return nb::ndarray<nb::numpy, double>(raw, {n, static_cast<std::size_t>(B)}, owner);
        return nb::ndarray<nb::numpy, double>(raw, {n, static_cast<std::size_t>(B), per}, owner);
    };
    nb::dict out;
    out["energy"] = array(1, [&](std::size_t i, std::size_t) { return g[i].energy; });
    out["v"] = array(3, [&](std::size_t i, std::size_t c) { return g[i].v[c]; });
    out["omega"] = array(3, [&](std::size_t i, std::size_t c) { return g[i].omega[c]; });
    out["m"] = array(3, [&](std::size_t i, std::size_t c) { return g[i].m[c]; });
    const bzint::GeometryUnits u = bzint::geometry_units(*cfg.model);
    nb::dict units;
    units["energy"] = u.energy;
    units["v"] = u.velocity;
    units["omega"] = u.omega;
    units["m"] = u.moment;
    out["units"] = units;
    return out;
}

// A tight-binding model from arrays written as a Wannier90 seedname_tb.dat (wannier/tb_model.hpp
// write_tb, atomically), which [model] name = "wannier", tb = path then reads and validates like
// any other (bzint/models.py TightBinding): lattice (3, 3) rows in Å; R (nR, 3) integer cell
// indices; H (nR, N, N) with H[i] = ⟨0m|H|R_i n⟩; positions (N, 3) Cartesian Å (the diagonal of
// ⟨0m|r|0n⟩) or None (zero). Every ndegen is 1.
using CellArray = nb::ndarray<const int64_t, nb::ndim<2>, nb::c_contig, nb::device::cpu>;
using HoppingArray = nb::ndarray<const std::complex<double>, nb::ndim<3>, nb::c_contig, nb::device::cpu>;

void write_tb(const std::string& path, PointArray lattice, CellArray R, HoppingArray H, nb::handle positions,
              const std::string& header) {
    bzint::TbModel tb;
    tb.source = path;
    tb.num_wann = static_cast<int>(H.shape(1));
    tb.has_lattice = true;
    for (int i = 0; i < 3; ++i)
        for (int a = 0; a < 3; ++a) tb.lattice[i][a] = lattice(i, a);
    const std::size_t nR = R.shape(0), W = tb.num_wann;
    for (std::size_t i = 0; i < nR; ++i) tb.R.push_back({static_cast<int>(R(i, 0)), static_cast<int>(R(i, 1)), static_cast<int>(R(i, 2))});
    tb.ndegen.assign(nR, 1);
    tb.H.assign(H.data(), H.data() + nR * W * W);
    // A tb.dat always has its position blocks (the reader expects them): zero without positions.
    tb.has_positions = true;
    for (auto& r : tb.r) r.assign(nR * W * W, 0.0);
    if (!positions.is_none()) {
        const auto tau = nb::cast<PointArray>(positions);
        std::size_t home = nR;
        for (std::size_t i = 0; i < nR; ++i)
            if (tb.R[i] == std::array<int, 3>{0, 0, 0}) home = i;
        for (std::size_t n = 0; n < W && home < nR; ++n)
            for (int c = 0; c < 3; ++c) tb.r[c][(home * W + n) * W + n] = tau(n, c);
    }
    std::ostringstream text;
    bzint::write_tb(tb, text, header);
    bzint::write_atomically(path, text.str());
}

}  // namespace

NB_MODULE(_bzint, m) {
    m.doc() = "bzint's compiled core; use the functions of the package bzint.";
    nb::exception<bzint::InputError>(m, "InputError", PyExc_ValueError);
    nb::exception<bzint::NonFiniteError>(m, "NonFiniteError", PyExc_ArithmeticError);
    nb::exception<bzint::WriteError>(m, "WriteError", PyExc_OSError);
    nb::register_exception_translator([](const std::exception_ptr& p, void*) {
        try {
            std::rethrow_exception(p);
        } catch (const bzint::Interrupted& e) {
            PyErr_SetString(PyExc_KeyboardInterrupt, e.what());
        }
    });
    m.def("run", &run, nb::arg("spec"), nb::arg("backend"), nb::arg("threads"), nb::arg("out"), nb::arg("write_outputs"),
          nb::arg("resume"), nb::arg("progress").none());
    m.def("band_geometry", &band_geometry, nb::arg("model"), nb::arg("k"), nb::arg("backend"));
    m.def("write_tb", &write_tb, nb::arg("path"), nb::arg("lattice"), nb::arg("R"), nb::arg("H"), nb::arg("positions").none(),
          nb::arg("header"));
}
