// The CUDA backend's paths beyond single-chunk scans, each against the CPU backend and against
// itself with other chunkings: multi-chunk and sub-block chunks (BZINT_CUDA_CHUNK), adaptive
// refinement, checkpoint and resume, N-band Chern numbers, Wannier scans, every dissipation kind
// of the line kernels, the phase-space texture reductions. Run in full by the emulated build (ctest -L device), on a GPU by
// scripts/device-check.sh.
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <cmath>
#include <fstream>
#include <string>

#include "app.hpp"
#include "bzint/qme/nband_dc.hpp"
#include "bzint/qme/two_band_dc.hpp"
#include "checkpoint.hpp"
#include "device_test_util.hpp"
#include "input_error.hpp"
#include "model_registry.hpp"
#include "run_file.hpp"
#include "stop.hpp"
#include "test_util.hpp"
#include "texture_helpers.hpp"
#include "wannier/export_model.hpp"
#include "wannier/tb_model.hpp"

using namespace bzint;
using bzint::test::expect_backends_agree;

namespace {

// BZINT_CUDA_CHUNK for the scope of a test step (unset: the default chunk).
struct ChunkCap {
    explicit ChunkCap(long long points) {
        if (points > 0) setenv("BZINT_CUDA_CHUNK", std::to_string(points).c_str(), 1);
        else unsetenv("BZINT_CUDA_CHUNK");
    }
    ~ChunkCap() { unsetenv("BZINT_CUDA_CHUNK"); }
};

struct StopAfter {
    explicit StopAfter(long long units) { stop_after(units); }
    ~StopAfter() {
        stop_after(-1);
        clear_stop();
    }
};

nlohmann::json results_of(const std::string& text, Backend b, long long chunk = 0) {
    const ChunkCap cap(chunk);
    return test::run_toml(text, b)["results"];
}

// Every number array of a results object, flattened in key order.
void flatten(const nlohmann::json& j, std::vector<double>& out) {
    if (j.is_number()) out.push_back(j.get<double>());
    else if (j.is_array() || j.is_object())
        for (const auto& x : j) flatten(x, out);
}

// The results with the default chunk, with 4096-point chunks (half a reduction block) and with
// 1000-point chunks (no multiple of anything) must be the same bits; and the CPU's, within the
// backends' tolerance.
void expect_chunk_independent(const std::string& text, const std::string& what, double rel = 1e-13,
                              bool same_method = true) {
    const nlohmann::json whole = results_of(text, Backend::cuda);
    EXPECT_EQ(whole, results_of(text, Backend::cuda, 4096)) << what << ": 4096-point chunks";
    EXPECT_EQ(whole, results_of(text, Backend::cuda, 1000)) << what << ": 1000-point chunks";
    std::vector<double> cpu, dev;
    flatten(results_of(text, Backend::cpu), cpu);
    flatten(whole, dev);
    expect_backends_agree(cpu, dev, what, rel, same_method);
}

// A built-in model written as a Wannier90 tb.dat into `dir`; returns its path.
std::string exported(const std::string& dir, const std::string& model_section) {
    const RunConfig cfg = read_model_section(RunFile::parse(model_section + "[task]\nkind='bands'\n", "m.toml"));
    const std::string path = dir + "/model_tb.dat";
    std::ofstream f(path);
    write_tb(export_model(*cfg.model, cfg.params), f, "test");
    return path;
}

}  // namespace

TEST(DeviceChunks, TwoDimensionalAhcAtZeroAndFiniteTemperature) {
    REQUIRE_DEVICE();
    // Haldane on 150² = 22 500 points: three reduction blocks of 8192, cut by every chunking.
    for (const char* T : {"0.0", "0.05"})
        expect_chunk_independent(std::string("[model]\nname='haldane'\nM=0.2\n[mesh]\nn=[150,150]\n[task]\nkind='ahc'\n"
                                             "mu={from=-2.9973,to=3.0027,count=121}\nT=") + T + "\n",
                                 std::string("haldane ahc T=") + T);
}

TEST(DeviceChunks, ThreeDimensionalAhcAtZeroAndFiniteTemperature) {
    REQUIRE_DEVICE();
    for (const char* T : {"0.0", "0.05"})
        expect_chunk_independent(std::string("[model]\nname='weyl_lattice'\nb0=0.3\n[mesh]\nn=[24,24,24]\n[task]\n"
                                             "kind='ahc'\nmu={from=-1,to=1,count=41}\nT=") + T + "\n",
                                 std::string("weyl ahc T=") + T);
}

TEST(DeviceChunks, LightHistogramAtSmallTemperature) {
    REQUIRE_DEVICE();
    // 2000 levels at T = 0.002: a histogram over 1 MiB, summed in plain doubles per block
    // (light_histogram) with larger blocks — the device must follow both. The levels are offset from
    // qwz's exact energies (±1 at Γ and (0, π), ±3 at (π, π)): an energy on a bin edge falls on
    // either side by the last bit of libdevice's or glibc's cos (seen on an H200: one k-point's
    // weight, 2e-10), a discontinuity of the binning, not a disagreement of the backends.
    expect_chunk_independent("[model]\nname='qwz'\nu=-1.0\n[mesh]\nn=[120,120]\n[task]\nkind='ahc'\n"
                             "mu={from=-2.9973,to=3.0027,count=2000}\nT=0.002\n",
                             "qwz light histogram");
}

TEST(DeviceChunks, NBandScan) {
    REQUIRE_DEVICE();
    expect_chunk_independent("[model]\nname='qwz_pair'\n[mesh]\nn=[100,100]\n[task]\nkind='ahc'\n"
                             "mu={from=-3,to=3,count=61}\nT=0.05\n",
                             "qwz_pair ahc");
}

TEST(DeviceChunks, WannierScan) {
    REQUIRE_DEVICE();
    // The Weyl lattice as a 2-orbital Wannier model: the device sums H(R) directly per k, the CPU
    // by FFT interpolation — two methods, agreeing to rounding of the Fourier sums (~1e-12 here).
    const test::TempDir dir;
    const std::string tb = exported(dir.path(), "[model]\nname='weyl_lattice'\nb0=0.3\n");
    expect_chunk_independent("[model]\nname='wannier'\ntb='" + tb +
                                 "'\ninterpolation='fft'\n[mesh]\nn=[20,20,20]\n[task]\nkind='ahc'\nmu={from=-1,to=1,count=41}\nT=0.05\n",
                             "wannier weyl ahc", 1e-9, false);
}

TEST(DeviceRefinement, RefinedScanAgreesWithTheCpu) {
    REQUIRE_DEVICE();
    // At T = 0 a level equal to an energy of a mesh point counts it on either side by the last bit
    // of its energy (seen on an H200 with levels from −3: one k-point's weight, 9e-5): the levels
    // are offset from the model's exact energies.
    expect_chunk_independent("[model]\nname='haldane'\nM=0.2\n[mesh]\nn=[120,120]\n[task]\nkind='ahc'\n"
                             "mu={from=-2.9973,to=3.0027,count=61}\nT=0.0\nrefine={threshold=5.0,m=4}\n",
                             "haldane refined ahc");
}

TEST(DeviceChern, TwoBandAndNBandChernNumbers) {
    REQUIRE_DEVICE();
    for (const char* model : {"haldane", "qwz_pair"})
        expect_chunk_independent(std::string("[model]\nname='") + model + "'\n[mesh]\nn=[90,90]\n[task]\nkind='chern'\n",
                                 std::string(model) + " chern");
}

TEST(DeviceTextures, PlaneDensityCurrentAndPacketsAgreeWithTheCpu) {
    REQUIRE_DEVICE();
    // A skyrmion lattice's real-space cell on 130² = 16 900 plaquettes (three reduction blocks), and
    // the density at three positions over a 60² mesh with a uniform B as well (keys per position).
    expect_chunk_independent("[model]\nname='dirac2d'\nm=0.5\n[texture]\nkind='skyrmion_lattice'\nexchange=1.0\n"
                             "period=10.0\nradius=5.0\n[task]\nkind='phase_space_chern'\nplane=['x','y']\nn=[130,130]\n"
                             "k=[0.3,-0.2]\n",
                             "skyrmion real-space plane");
    expect_chunk_independent("[model]\nname='qwz'\nu=-1.2\n[mesh]\nn=[60,60]\n[texture]\nkind='skyrmion_lattice'\n"
                             "exchange=0.5\nperiod=40.0\nradius=20.0\nhelicity=1.5707963267948966\nB=0.01\n[task]\n"
                             "kind='texture_density'\nmu=[0.0,1.0]\nT=0.02\nr=[[10,20,0],[20,20,0],[30,15,0]]\n",
                             "skyrmion density");
    // The current at two positions and two times with B, E and a sliding texture (keys per point),
    // the pump's (t, k1) plane and a sliding spiral's.
    expect_chunk_independent("[model]\nname='qwz'\nu=-1.2\n[mesh]\nn=[60,60]\n[texture]\nkind='skyrmion_lattice'\n"
                             "exchange=0.5\nperiod=40.0\nradius=20.0\nB=0.01\nE=[0.0,0.05]\nvelocity=[0.2,-0.1]\n[task]\n"
                             "kind='texture_current'\nmu=[0.0,1.0]\nT=0.02\nr=[[10,20,0],[30,15,0]]\nt=[0.0,3.0]\n",
                             "skyrmion current");
    // A static texture's current: Eq. 30's and the magnetisation current's stencil of eight points
    // per point (TextureMagnetisationFn; rel 1e-9 as for the table's below), each band's part too.
    expect_chunk_independent("[model]\nname='qwz'\nu=-1.2\n[mesh]\nn=[60,60]\n[texture]\nkind='skyrmion_lattice'\n"
                             "exchange=0.5\nperiod=40.0\nradius=20.0\n[task]\nkind='texture_current'\nmu=[0.0,1.0]\nT=0.05\n"
                             "r=[[10,20,0],[30,15,0]]\nband_resolved=true\n",
                             "static skyrmion current and magnetisation current", 1e-9);
    expect_chunk_independent("[model]\nname='qwz'\nu=-1.2\n[texture]\nkind='uniform'\nexchange=0.0\ndirection=[0,0,1]\n"
                             "E=[0.0,0.1]\n[task]\nkind='phase_space_chern'\nplane=['t','k1']\nn=[100,100]\n",
                             "pump plane");
    expect_chunk_independent("[model]\nname='qwz'\nu=-1.5\n[texture]\nkind='spiral'\nexchange=1.0\nperiod=8.0\n"
                             "helicity=1.5707963267948966\nvelocity=[0.05,0.0]\n[task]\nkind='phase_space_chern'\n"
                             "plane=['t','k1']\nn=[100,100]\n",
                             "sliding spiral plane");
    // The density in a magnetic superlattice (a modulated B_z along y) of haldane (orbital phases).
    expect_chunk_independent("[model]\nname='haldane'\nM=0.2\n[mesh]\nn=[60,60]\n[texture]\nkind='uniform'\n"
                             "exchange=0.3\ndirection=[0,0,1]\nB_modulation=0.01\nB_modulation_period=20.0\n"
                             "B_modulation_axis='y'\n[task]\nkind='texture_density'\nmu=[0.0,1.0]\nT=0.05\n"
                             "r=[[10,20,0],[30,15,0]]\n",
                             "superlattice density");
    // Transport through the skyrmion lattice in a field (twelve values per level at two positions).
    expect_chunk_independent("[model]\nname='qwz'\nu=-1.2\n[mesh]\nn=[60,60]\n[texture]\nkind='skyrmion_lattice'\n"
                             "exchange=0.5\nperiod=40.0\nradius=20.0\n[task]\nkind='texture_transport'\nmu=[0.0,1.0]\nT=0.1\n"
                             "tau=2.0\nE=[0.02,-0.01]\nr=[[10,20,0],[30,15,0]]\n",
                             "skyrmion transport");
    // Wave packets across a skyrmion: one thread each, the same Runge–Kutta steps (rel 1e-9: a
    // device's libm may differ by ulps, and 400 steps carry them along).
    expect_chunk_independent("[model]\nname='dirac2d'\n[texture]\nkind='skyrmion'\nexchange=0.3\nradius=10.0\n[task]\n"
                             "kind='trajectories'\nr=[[-30,-4,0],[-30,4,0]]\nk=[[0.5,0]]\ndt=0.1\nsteps=400\nsamples=20\n",
                             "skyrmion packets", 1e-9);
    // A beam of packets at one energy and its cross-sections (in a weak gaussian potential, where no
    // neighbours' deflections differ enough to refine, so the two backends run the same packets).
    expect_chunk_independent("[model]\nname='dirac2d'\nm=0.0\n[texture]\nkind='uniform'\nexchange=0.0\ndirection=[0,0,1]\n"
                             "potential='gaussian'\npotential_amplitude=0.001\npotential_width=5.0\n[task]\nkind='trajectories'\n"
                             "dt=0.1\nsteps=1200\nsamples=4\n[task.beam]\nenergy=1.0\ndirection=[1,0]\ncentre=[-60,0]\nwidth=60\n"
                             "packets=17\n",
                             "gaussian beam", 1e-9);
}

TEST(DeviceTextures, NBandPlaneDensitySecondChernAndPacketsAgreeWithTheCpu) {
    REQUIRE_DEVICE();
    // Four-band textured models on the device (kernels/cuda_textures_nband.cu): qwz_pair's real-space
    // cell on 100² plaquettes (two reduction blocks), its density with each band's part and its
    // transport at positions over a 60² mesh (keys per position), and qhz's second Chern sums over the phase-space
    // torus (k1, k2, x, y) on 10⁴ points with the lattice method (SecondChernFn's sixteen corner
    // eigen-decompositions per point), and its magnetisation current.
    const std::string pair = "[model]\nname='qwz_pair'\nu1=-0.3\nu2=1.2\ng=0.25\n[texture]\nkind='skyrmion_lattice'\n"
                             "exchange=0.6\nperiod=10.0\nradius=4.5\n";
    expect_chunk_independent(pair + "[task]\nkind='phase_space_chern'\nplane=['x','y']\nn=[100,100]\nk=[0.5,0.0]\n",
                             "qwz_pair skyrmion real-space plane");
    expect_chunk_independent(pair + "[mesh]\nn=[60,60]\n[task]\nkind='texture_density'\nmu=[-0.5,0.0,1.0]\nT=0.05\n"
                                    "band_resolved=true\nr=[[1,2,0],[5,5,0],[7,3,0]]\n",
                             "qwz_pair skyrmion density");
    // Transport through it in a field (TextureTransportFn's N-band bands: 48 values per level).
    expect_chunk_independent(pair + "[mesh]\nn=[60,60]\n[task]\nkind='texture_transport'\nmu=[0.0,1.0]\nT=0.1\ntau=2.0\n"
                                    "E=[0.02,-0.01]\nr=[[1,2,0],[7,3,0]]\n",
                             "qwz_pair skyrmion transport");
    // One band's part (TextureTransportFn::band).
    expect_chunk_independent(pair + "[mesh]\nn=[60,60]\n[task]\nkind='texture_transport'\nmu=[0.0,1.0]\nT=0.1\ntau=2.0\n"
                                    "E=[0.02,-0.01]\nr=[[1,2,0],[7,3,0]]\nband=2\n",
                             "qwz_pair skyrmion transport, band 2");
    // Its magnetisation current (TextureMagnetisationFn's Kubo sums at eight stencil points per
    // position) and each band's part, with the density's check of the gradient expansion; rel 1e-9 as the two-band one
    // (differences of M divided by 12h).
    expect_chunk_independent(pair + "[mesh]\nn=[60,60]\n[task]\nkind='texture_current'\nmu=[0.0,1.0]\nT=0.05\n"
                                    "r=[[1,2,0],[7,3,0]]\nband_resolved=true\n",
                             "qwz_pair skyrmion magnetisation current and its bands", 1e-9);
    // A 3D four-band model's: qhz magnetised by a uniform exchange along (0, 0.6, 0.8) in a cosine
    // potential (the vector M, eight stencil points per position), with each band's part.
    expect_chunk_independent("[model]\nname='qhz'\nm=-1.0\n[mesh]\nn=[16,16,16]\n[texture]\nkind='uniform'\nexchange=0.4\n"
                             "direction=[0,0.6,0.8]\npotential='cosine'\npotential_amplitude=0.1\npotential_period=20.0\n"
                             "[task]\nkind='texture_current'\nmu=[0.0,1.5]\nT=0.1\nr=[[3,0,0],[7,1,2]]\nband_resolved=true\n",
                             "qhz magnetised 3D magnetisation current and its bands", 1e-9);
    expect_chunk_independent("[model]\nname='qhz'\nm=-2.5\n[texture]\nkind='skyrmion_lattice'\nexchange=0.2\nperiod=10.0\n"
                             "radius=4.5\n[task]\nkind='second_chern'\naxes=['k1','k2','x','y']\nn=[10,10,10,10]\n",
                             "qhz phase-space second Chern number");
    // Four-band wave packets across an isolated skyrmion that slides towards them (device_textures.cuh
    // with NBandPacketTrajectoryFn): 1500 steps in two launches of 1000 and 500, rel 1e-9 as the
    // two-band packets (a device's libm may differ by ulps, carried along the steps).
    expect_chunk_independent("[model]\nname='qwz_pair'\nu1=-1.0\nu2=1.2\ng=0.2\n[texture]\nkind='skyrmion'\nexchange=0.3\n"
                             "radius=8.0\nvelocity=[-0.02,0.0]\n[task]\nkind='trajectories'\nr=[[-24,-2,0],[-24,2,0]]\nk=[[-0.15,0]]\nband=2\n"
                             "dt=0.2\nsteps=1500\nsamples=30\n",
                             "qwz_pair skyrmion packets", 1e-9);
}

TEST(DeviceTextures, TablesRunOnTheDeviceAndAgreeWithTheCpu) {
    REQUIRE_DEVICE();
    // A texture and a potential read from tables take the kernels of WithTables<Model>
    // (texture.hpp), their splines' coefficients copied to the device (device_textures.cuh's
    // DeviceTextureTerms): the backend reported is the device's, and every texture task's results
    // are the CPU's to the backends' tolerance, whatever the chunking. The texture: the skyrmion
    // lattice (L = 10, R = 5) on a 12 × 12 grid; the potential 0.1 cos(2πx/10) cos(2πy/10) on 8 × 8.
    const test::TempDir dir;
    {
        const SpinTexture lattice = test::skyrmion_lattice(10.0, 5.0);
        std::ofstream m(dir / "m.dat"), u(dir / "u.dat");
        for (int j = 0; j < 12; ++j)
            for (int i = 0; i < 12; ++i) {
                const double r[3] = {i * 10.0 / 12, j * 10.0 / 12, 0.0};
                double v[3], dv[3][3];
                lattice(r, v, dv);
                m << fmt::format("{:.17g} {:.17g} {:.17g} {:.17g} {:.17g}\n", r[0], r[1], v[0], v[1], v[2]);
            }
        for (int j = 0; j < 8; ++j)
            for (int i = 0; i < 8; ++i)
                u << fmt::format("{:.17g} {:.17g} {:.17g}\n", i * 1.25, j * 1.25,
                                 0.1 * std::cos(2 * kPi * i / 8.0) * std::cos(2 * kPi * j / 8.0));
    }
    auto tables_with = [&](const std::string& exchange) {
        return "[texture]\nkind='table'\nfile='" + (dir / "m.dat") + "'\nperiod=10.0\nexchange=" + exchange +
               "\npotential='table'\npotential_file='" + (dir / "u.dat") + "'\npotential_period=[10.0,10.0]\n";
    };
    const std::string tables = tables_with("0.5");
    const std::string qwz = "[model]\nname='qwz'\nu=-1.2\n[mesh]\nn=[40,40]\n" + tables;
    const std::string density = qwz + "[task]\nkind='texture_density'\nmu=[0.0,1.0]\nT=0.05\nr=[[1,2,0],[5,5,0],[7,3,0]]\n";
    EXPECT_NE(test::run_toml(density, Backend::cuda)["backend"], "cpu");
    expect_chunk_independent(density, "table density");
    // (rel 1e-9: the magnetisation current divides differences of M by 12h, h = 1e-4 of the cell,
    // which magnifies a device's libm ulps.)
    expect_chunk_independent(qwz + "[task]\nkind='texture_current'\nmu=[0.0,1.0]\nT=0.05\nr=[[2,4,0],[6,5,0]]\n",
                             "table current", 1e-9);
    expect_chunk_independent(qwz + "[task]\nkind='texture_transport'\nmu=[0.0,1.0]\nT=0.1\ntau=2.0\nE=[0.02,-0.01]\n"
                                   "r=[[2,4,0],[6,5,0]]\n",
                             "table transport");
    expect_chunk_independent("[model]\nname='dirac2d'\nm=0.5\n" + tables +
                                 "[task]\nkind='phase_space_chern'\nplane=['x','y']\nn=[100,100]\nk=[0.3,-0.2]\n",
                             "table real-space plane");
    expect_chunk_independent("[model]\nname='dirac2d'\n" + tables +
                                 "[task]\nkind='trajectories'\nr=[[1,3,0],[1,7,0]]\nk=[[0.5,0]]\ndt=0.02\nsteps=500\nsamples=10\n",
                             "table packets", 1e-9);
    // N-band (kernels/cuda_textures_nband.cu): qwz_pair's real-space plane, density with each
    // band's part, transport and packets, and qhz's second Chern sums over (k1, k2, x, y).
    const std::string pair = "[model]\nname='qwz_pair'\nu1=-0.3\nu2=1.2\ng=0.25\n" + tables;
    // (rel 1e-12: a band's flux of 0 sums 3600 plaquettes' rounding, and the sanitized build's
    // differently folded spline leaves ~1e-15 of it, beyond rel 1e-13 of 1e-2 of the largest value.)
    expect_chunk_independent(pair + "[task]\nkind='phase_space_chern'\nplane=['x','y']\nn=[60,60]\nk=[0.5,0.0]\n",
                             "qwz_pair table real-space plane", 1e-12);
    expect_chunk_independent(pair + "[mesh]\nn=[40,40]\n[task]\nkind='texture_transport'\nmu=[0.0,1.0]\nT=0.1\ntau=2.0\n"
                                    "E=[0.02,-0.01]\nr=[[1,2,0],[7,3,0]]\n",
                             "qwz_pair table transport");
    expect_chunk_independent(pair + "[mesh]\nn=[40,40]\n[task]\nkind='texture_density'\nmu=[-0.5,1.0]\nT=0.05\n"
                                    "band_resolved=true\nr=[[1,2,0],[7,3,0]]\n",
                             "qwz_pair table density");
    expect_chunk_independent(pair + "[task]\nkind='trajectories'\nr=[[1,3,0],[1,7,0]]\nk=[[-0.15,0]]\nband=2\ndt=0.05\n"
                                    "steps=400\nsamples=10\n",
                             "qwz_pair table packets", 1e-9);
    expect_chunk_independent("[model]\nname='qhz'\nm=-2.5\n" + tables_with("0.2") +
                                 "[task]\nkind='second_chern'\naxes=['k1','k2','x','y']\nn=[10,10,10,10]\n",
                             "qhz table second Chern number");
}

TEST(DeviceLattice, KernelPolynomialMethodAgreesWithTheCpu) {
    REQUIRE_DEVICE();
    // The exact lattice reference's Chebyshev recursion (include/bzint/kpm_moments.hpp), one
    // orbital per thread: a 6 × 6 box of qwz with a skyrmion lattice and one flux quantum, every
    // orbital of 4 twists (bound charge and Středa's second solve). In batches of 7 orbitals
    // (BZINT_CUDA_CHUNK, 11 batches a matrix) the same bits as in one batch; against the CPU to
    // rel 1e-11, in the emulated build too (kpm_moments.hpp: GCC vectorises the contiguous and the
    // interleaved recursion differently, an ulp per moment): each of the ~300 steps rounds a few
    // ulps into the vectors, and |μ_n| ≤ 1 with Σ|c_n| ≈ 1 bounds a density's mass by 1, so
    // moments × steps × 1e-16 ≈ 1e-11.
    const std::string text = "[model]\nname='qwz'\nu=-1.0\n[texture]\nkind='skyrmion_lattice'\nexchange=0.4\nperiod=6.0\n"
                             "radius=3.0\nB=0.17453292519943295\n[task]\nkind='texture_lattice'\nbox=[6,6]\ntwists=[2,2]\n"
                             "method='kpm'\nbound_charge=true\nstreda=true\nmu=[0.0,0.8]\nT=0.1\nr=[[0,0,0],[3,2,0]]\n";
    const nlohmann::json whole = results_of(text, Backend::cuda);
    EXPECT_EQ(whole, results_of(text, Backend::cuda, 7)) << "batches of 7 orbitals";
    std::vector<double> cpu, dev;
    flatten(results_of(text, Backend::cpu), cpu);
    flatten(whole, dev);
    expect_backends_agree(cpu, dev, "texture_lattice kpm", 1e-11, /*same_method=*/false);
}

TEST(DeviceLattice, TheZeroTemperatureStepAgreesWithTheCpu) {
    REQUIRE_DEVICE();
    // kpm at T = 0 (smoothing): the box above, its series at T_s = 0.05 on mu and mu ∓ 8 T_s at
    // once (about twice the moments of T = 0.1), the step's bounds from the window's sums. Against
    // the CPU to rel 1e-10: the rounding above, per moment, over twice as many.
    const std::string text = "[model]\nname='qwz'\nu=-1.0\n[texture]\nkind='skyrmion_lattice'\nexchange=0.4\nperiod=6.0\n"
                             "radius=3.0\nB=0.17453292519943295\n[task]\nkind='texture_lattice'\nbox=[6,6]\ntwists=[2,2]\n"
                             "method='kpm'\nbound_charge=true\nstreda=true\nmu=[0.0,0.8]\nT=0\nsmoothing=0.05\n"
                             "r=[[0,0,0],[3,2,0]]\n";
    std::vector<double> cpu, dev;
    flatten(results_of(text, Backend::cpu), cpu);
    flatten(results_of(text, Backend::cuda), dev);
    expect_backends_agree(cpu, dev, "texture_lattice kpm at T = 0", 1e-10, /*same_method=*/false);
}

TEST(DeviceLattice, ProbedTracesAndDensitiesAgreeWithTheCpu) {
    REQUIRE_DEVICE();
    // The colour vectors' recursions (kpm_moments.hpp's start_from and add_at_support, one start
    // vector per thread): the box above with its densities and electrons by probing. probing_distance
    // = [3, 3] gives 2 × 9 = 18 colours of 8 orbitals; 2 draws on 4 twists make 144 start vectors for
    // each of the two boxes (Středa's second, with the field off). The start vectors are made on the
    // host for both backends (random_phase_vector), so the estimates are the same numbers: in batches
    // of 5 vectors the same bits as in one batch, and against the CPU to rel 1e-11 (the recursion's
    // rounding, as above; the sums at a support add one rounding per moment).
    const std::string text = "[model]\nname='qwz'\nu=-1.0\n[texture]\nkind='skyrmion_lattice'\nexchange=0.4\nperiod=6.0\n"
                             "radius=3.0\nB=0.17453292519943295\n[task]\nkind='texture_lattice'\nbox=[6,6]\ntwists=[2,2]\n"
                             "method='kpm'\nbound_charge=true\nstreda=true\nmu=[0.0,0.8]\nT=0.1\nr=[[0,0,0],[3,2,0]]\n"
                             "bound_charge_trace='probing'\ndensity_trace='probing'\nprobing_distance=[3,3]\nrandom_vectors=2\n";
    const nlohmann::json dev = test::run_toml(text, Backend::cuda);
    EXPECT_NE(dev["backend"], "cpu");
    EXPECT_EQ(dev["results"]["density_trace"], "probing");
    EXPECT_EQ(dev["results"], results_of(text, Backend::cuda, 5)) << "batches of 5 vectors";
    std::vector<double> cpu, device;
    flatten(results_of(text, Backend::cpu), cpu);
    flatten(dev["results"], device);
    expect_backends_agree(cpu, device, "texture_lattice kpm, probing", 1e-11, /*same_method=*/false);
    // The electrons alone by probing, every orbital's density exact (kpm_vector_sums' path).
    std::string electrons = text;
    electrons.erase(electrons.find("density_trace='probing'\n"), std::string("density_trace='probing'\n").size());
    std::vector<double> cpu_sums, device_sums;
    flatten(results_of(electrons, Backend::cpu), cpu_sums);
    flatten(results_of(electrons, Backend::cuda), device_sums);
    expect_backends_agree(cpu_sums, device_sums, "texture_lattice kpm, probed electrons", 1e-11, /*same_method=*/false);
}

TEST(DeviceLattice, ATablePotentialStaysOnTheDevice) {
    REQUIRE_DEVICE();
    // The lattice reference puts a table potential's values on the box's cells on the host
    // (texture_lattice.cpp), so unlike the per-k texture tasks (host/app.cpp) it keeps the device:
    // the backend reported is the device's, and the densities are the CPU's to rel 1e-11 (as above).
    const test::TempDir dir;
    {
        std::ofstream out(dir / "u.dat");
        for (int i = 0; i < 6; ++i) out << i << " 0 " << 0.2 * std::cos(2 * kPi * i / 6.0) << "\n";
    }
    const std::string text = "[model]\nname='qwz'\nu=-1.0\n[texture]\nkind='uniform'\nexchange=0.0\ndirection=[0,0,1]\n"
                             "potential='table'\npotential_file='" + (dir / "u.dat") + "'\npotential_period=[6.0,1.0]\n"
                             "[task]\nkind='texture_lattice'\nbox=[6,2]\ntwists=[2,2]\nmethod='kpm'\nmu=-1.5\nT=0.2\n"
                             "r=[[0,0,0],[3,0,0]]\n";
    const nlohmann::json dev = test::run_toml(text, Backend::cuda);
    EXPECT_NE(dev["backend"], "cpu");  // cuda, or cuda-emulated in the emulated build
    std::vector<double> cpu, device;
    flatten(results_of(text, Backend::cpu), cpu);
    flatten(dev["results"], device);
    expect_backends_agree(cpu, device, "texture_lattice kpm, table potential", 1e-11, /*same_method=*/false);
}

TEST(DeviceSecondChern, TorusSumsAgreeWithTheCpu) {
    REQUIRE_DEVICE();
    // qhz's 4D torus on 12⁴ = 20 736 points (three reduction blocks) with the lattice method: per
    // point one eigen-decomposition, sixteen more for its cube's corners and the sections' Newton
    // searches near their zeros, the parameter axis by differences.
    expect_chunk_independent("[model]\nname='qhz'\nm=-1.0\n[task]\nkind='second_chern'\n"
                             "axes=['k1','k2','k3','theta']\nn=[12,12,12,12]\n",
                             "qhz second Chern number");
}

TEST(DeviceCheckpoint, InterruptedDeviceScanResumesToTheSameBits) {
    REQUIRE_DEVICE();
    // 4096-point chunks cut the 8192-point blocks: a stop after the first chunk leaves block 0
    // open, the checkpoint holds no block, and the resumed run recomputes it.
    const std::string text = "title='dev'\n[model]\nname='haldane'\nM=0.2\n[mesh]\nn=[200,200]\n[task]\nkind='ahc'\n"
                             "mu={from=-3,to=3,count=61}\nT=0.02\n";
    const test::TempDir base;
    auto go = [&](const std::string& dir, bool resume) {
        return run(RunFile::parse(text, "dev.toml"), Backend::cuda, RunOptions{dir, resume})["results"];
    };
    const ChunkCap cap(4096);
    const auto whole = go(base / "a", false);
    for (long long units : {1, 3}) {
        const std::string dir = base / ("b" + std::to_string(units));
        {
            const StopAfter stop(units);
            EXPECT_THROW(go(dir, false), Interrupted);
        }
        EXPECT_TRUE(std::filesystem::exists(checkpoint_folder(dir, "dev") + "/input.json"));
        EXPECT_EQ(whole, go(dir, true)) << "stopped after " << units << " chunks";
    }
}

TEST(DeviceLines, EveryDissipationKindAgreesPerLine) {
    REQUIRE_DEVICE();
    const double period = kTwoPi / 0.1;
    std::vector<double> k0;
    for (int l = 0; l < 12; ++l) k0.insert(k0.end(), {0.0, kTwoPi * l / 12, 0.0});
    for (Dissipation kind : {Dissipation::none, Dissipation::rta, Dissipation::dpa}) {
        QmeParams q{};
        q.kind = kind;
        q.tau1 = 8.0;
        q.tau2 = 5.0;
        q.gamma = 0.05;
        q.d1 = q.d2 = kind == Dissipation::dpa;
        q.mu = 0.2;
        q.T = 0.1;
        q.E[0] = 0.1;
        for (const char* name : {"qwz", "qwz_pair"}) {
            const ModelInfo& info = *find_model(name);
            const ModelParams mp = test::defaults(info);
            std::vector<LineCurrent> dev;
            cuda::dc_lines(mp, info.bands, q, k0, period, 600, dev);
            for (int l = 0; l < 12; ++l) {
                LineCurrent cpu{};
                if (info.bands == 2) {
                    visit_model(mp, [&](auto m) { cpu = two_band_periodic_line(m, q, &k0[3 * l], period, 600); });
                } else {
                    visit_nband_model(mp, [&](auto m) {
                        using M = decltype(m);
                        std::vector<double> work(nband_workspace_doubles<M::bands>());
                        cpu = nband_periodic_line<M::bands>(m, q, &k0[3 * l], period, 600, work.data());
                    });
                }
                // J is a period average of tr(ρ v) with |v| ≤ 2 (qwz's hopping units): 600 steps of 4
                // stages, each moving ρ by a few ulps (libdevice against glibc), compose to at most
                // ~600·4·4ε ≈ 2e-12 of a filled band's current, the unit here; J itself (a Hall
                // response of 1e-4..1e-1, or a symmetry zero of 1e-17) is no scale.
                expect_backends_agree({cpu.J[0], cpu.J[1]}, {dev[l].J[0], dev[l].J[1]},
                                      std::string(name) + " kind " + std::to_string(static_cast<int>(kind)) + " line " +
                                          std::to_string(l),
                                      2e-12, true, test::uniform_scale(2, 1.0));
            }
        }
    }
}

TEST(DeviceLines, DcCurrentTaskAgreesWithTheCpu) {
    REQUIRE_DEVICE();
    // The whole task (sweep, line reduction, JSON) on both backends: RTA, DPA and the exact
    // reservoir (examples/qwz/dc_hall*.toml at fewer lines and steps).
    for (const char* dissipation : {"kind='rta'\ntau1=8.0\ntau2=5.0", "kind='dpa'\ngamma=0.05", "kind='exact'\ngamma=0.05"}) {
        const std::string text = std::string("[model]\nname='qwz'\nu=-1.0\n[mesh]\nn=[1,24]\n[field]\nE=[0.05,0.1]\n"
                                             "direction=1\n[dissipation]\n") + dissipation +
                                 "\n[task]\nkind='dc_current'\nT=0.1\nmu=0.2\nsteps=400\n";
        const std::string kind = dissipation;
        std::vector<double> cpu, dev;
        flatten(results_of(text, Backend::cpu), cpu);
        flatten(results_of(text, Backend::cuda), dev);
        expect_backends_agree(cpu, dev, "dc_current " + kind);
    }
}

TEST(DeviceLines, LaunchesOfFewLinesGiveTheSameBits) {
    REQUIRE_DEVICE();
    // The line kernels launch as many lines as the device memory holds (lines_per_launch);
    // BZINT_CUDA_CHUNK=5 cuts 24 lines into 5 launches, the last of 4. Each line is its own
    // computation, so the bits may not change.
    const std::string lines = "[mesh]\nn=[1,24]\n[field]\nE=[0.05]\ndirection=1\n";
    const std::string task = "\n[task]\nkind='dc_current'\nT=0.1\nmu=0.2\nsteps=400\n";
    for (const std::string text :
         {"[model]\nname='qwz'\nu=-1.0\n" + lines + "[dissipation]\nkind='dpa'\ngamma=0.05" + task,
          "[model]\nname='qwz_pair'\nu1=-1.0\nu2=1.2\ng=0.2\n" + lines + "[dissipation]\nkind='rta'\ntau1=8.0" + task,
          "[model]\nname='qwz'\nu=-1.0\n" + lines + "[dissipation]\nkind='exact'\ngamma=0.05" + task}) {
        nlohmann::json whole = results_of(text, Backend::cuda), cut = results_of(text, Backend::cuda, 5);
        whole.erase("sweep_log");  // each run's own temporary directory
        cut.erase("sweep_log");
        EXPECT_EQ(whole, cut) << text;
    }
}

TEST(DeviceNonFinite, BothBackendsNameTheSameFirstKPoint) {
    // QWZ at u = 0 closes its gap at (0, π) and (π, 0), both on a 40² mesh: the Berry curvature is
    // not finite there. Both backends must report the same first mesh point (exit 3), whatever
    // the chunking; the NaN energies land in a defined bin meanwhile (Binning::bin_of).
    REQUIRE_DEVICE();
    const std::string text = "[model]\nname='qwz'\nu=0.0\n[mesh]\nn=[40,40]\n[task]\nkind='ahc'\nmu={from=-1,to=1,count=11}\n";
    auto message = [&](Backend b, long long chunk) {
        const ChunkCap cap(chunk);
        try {
            test::run_toml(text, b);
        } catch (const NonFiniteError& e) {
            return std::string(e.what());
        }
        return std::string("no error");
    };
    const std::string cpu = message(Backend::cpu, 0);
    EXPECT_NE(cpu.find("mesh point"), std::string::npos) << cpu;
    EXPECT_EQ(cpu, message(Backend::cuda, 0));
    EXPECT_EQ(cpu, message(Backend::cuda, 300));
}

TEST(DeviceChunks, ABadChunkCapIsBadInputNamingTheVariable) {
    REQUIRE_DEVICE();
    for (const char* bad : {"abc", "0", "-5", "12x", "99999999999999999999"}) {
        setenv("BZINT_CUDA_CHUNK", bad, 1);
        try {
            resolve_backend("cuda");
            ADD_FAILURE() << bad << ": accepted";
        } catch (const InputError& e) {
            EXPECT_NE(std::string(e.what()).find("BZINT_CUDA_CHUNK"), std::string::npos) << e.what();
        }
    }
    setenv("BZINT_CUDA_CHUNK", "4096", 1);
    EXPECT_EQ(cuda_chunk_cap(), 4096);
    unsetenv("BZINT_CUDA_CHUNK");
    EXPECT_EQ(cuda_chunk_cap(), 0);
}
