// The Wannier90 readers: real files parse, every malformed file is an InputError that names the
// file and line (or R and the orbital pair), written files read back exactly. The corpus in
// tests/wannier_corpus/ also seeds the libFuzzer target (tests/fuzz/).
#include <fmt/core.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>

#include "input_error.hpp"
#include "test_util.hpp"
#include "wannier/tb_model.hpp"

using namespace bzint;

namespace {

const std::string kCorpus = std::string(BZINT_SOURCE_DIR) + "/tests/wannier_corpus/";
const std::string kShared = std::string(BZINT_SOURCE_DIR) + "/../shared/data/wannier/";

std::string file_text(const std::string& path) {
    std::ifstream in(path);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

// Expects parse to throw an InputError whose message matches `pattern`.
template <class Parse>
void expect_error(Parse parse, const std::string& text, const std::string& pattern) {
    try {
        parse(text, "bad.dat");
        ADD_FAILURE() << "no error; expected " << pattern;
    } catch (const InputError& e) {
        EXPECT_TRUE(std::regex_search(e.what(), std::regex(pattern))) << e.what() << "\n  expected: " << pattern;
    }
}

std::string replace(std::string s, const std::string& from, const std::string& to) {
    const auto at = s.find(from);
    EXPECT_NE(at, std::string::npos) << from;
    return s.replace(at, from.size(), to);
}

}  // namespace

TEST(WannierFiles, SmallFilesParse) {
    const TbModel hr = read_hr(kCorpus + "tiny_hr.dat");
    EXPECT_EQ(hr.num_wann, 2);
    EXPECT_EQ(hr.R.size(), 3u);
    EXPECT_EQ(hr.h(0, 1, 0), std::complex<double>(0.1, 0.2));  // R = −1, H_21
    const TbModel tb = read_tb(kCorpus + "tiny_tb.dat");
    EXPECT_TRUE(tb.has_lattice && tb.has_positions);
    EXPECT_EQ(tb.r[0][1], std::complex<double>(0.25, 0.0));  // ⟨0 1|x|0 1⟩
}

TEST(WannierFiles, MalformedFilesNameFileAndLine) {
    const std::string hr = file_text(kCorpus + "tiny_hr.dat");
    auto parse = [](const std::string& t, const std::string& n) { return parse_hr(t, n); };
    expect_error(parse, hr.substr(0, 300), "bad.dat:4: num_wann = 2 and nrpts = 3 announce 12 matrix elements, more than the file holds");
    expect_error(parse, replace(hr, "           2\n", "         two\n"), "bad.dat:2: expected num_wann \\(an integer\\), got 'two'");
    expect_error(parse, replace(hr, "    1    1    1\n", "    1    0    1\n"), "bad.dat:4: ndegen\\[2\\] = 0 is outside");
    expect_error(parse, replace(hr, "   -1    0    0    2    2    0.5", "   -2    0    0    2    2    0.5"),
                 "bad.dat:8: R = \\(-2, 0, 0\\) in the middle of the block of R = \\(-1, 0, 0\\)");
    expect_error(parse, replace(hr, "   -1    0    0    2    1    0.1", "   -1    0    0    1    1    0.1"),
                 "bad.dat:6: H_11 of R = \\(-1, 0, 0\\) appears twice");
    expect_error(parse, replace(hr, "   -1    0    0    2    1    0.1   0.2", "   -1    0    0    2    1    0.1   0.9"),
                 "not Hermitian.*R = \\((-1|1), 0, 0\\), orbitals \\(m, n\\) = \\((2, 1|1, 2)\\)");
    expect_error(parse, replace(hr, "   -1    0    0    2    2    0.5   0.0", "   -1    0    0    2    2    nan   0.0"),
                 "bad.dat:8: Re H is not finite");
    expect_error(parse, hr + "  1 2 3\n", "unexpected data after the 3 R blocks");
    expect_error(parse, replace(hr, "    1    0    0    1    1", "    2    0    0    1    1"), "R = \\(1, 0, 0\\) in the middle of the block of R = \\(2, 0, 0\\)");
}

TEST(WannierFiles, TbPositionBlocksMustMatchTheHamiltonianBlocks) {
    const std::string tb = file_text(kCorpus + "tiny_tb.dat");
    auto parse = [](const std::string& t, const std::string& n) { return parse_tb(t, n); };
    // The second "0 0 0" line starts the positions of R = 0; make it R = (0, 1, 0).
    std::string bad = tb;
    const auto first = bad.find("\n    0    0    0\n");
    const auto second = bad.find("\n    0    0    0\n", first + 1);
    bad.replace(second, 16, "\n    0    1    0\n");
    expect_error(parse, bad, "position block 2 is for R = \\(0, 1, 0\\) but the Hamiltonian block 2 was for \\(0, 0, 0\\)");
    expect_error(parse, replace(tb, "  1.0  0.0  0.0", "  1.0  x  0.0"), "bad.dat:2: expected lattice vector A1 component 2");
}

TEST(WannierFiles, WrittenFilesReadBackExactly) {
    const TbModel tb = read_tb(kCorpus + "tiny_tb.dat");
    std::ostringstream h, t;
    write_hr(tb, h, "round trip");
    write_tb(tb, t, "round trip");
    const TbModel a = parse_hr(h.str(), "a"), b = parse_tb(t.str(), "b");
    EXPECT_EQ(a.R, tb.R);
    EXPECT_EQ(a.ndegen, tb.ndegen);
    EXPECT_EQ(a.H, tb.H);
    EXPECT_EQ(b.H, tb.H);
    EXPECT_EQ(b.r[0], tb.r[0]);
}

TEST(WannierFiles, CorpusNeverCrashes) {
    // Every corpus file (valid, truncated, garbage, fuzzer finds) parses or is an InputError.
    int files = 0;
    for (const auto& e : std::filesystem::directory_iterator(kCorpus)) {
        const std::string text = file_text(e.path().string());
        for (int which = 0; which < 2; ++which) {
            try {
                which == 0 ? (void)parse_hr(text, "corpus") : (void)parse_tb(text, "corpus");
            } catch (const InputError&) {
            }
        }
        ++files;
    }
    EXPECT_GE(files, 5);
}

TEST(WannierFiles, RealFilesParseAndAreHermitian) {
    if (!std::filesystem::exists(kShared + "Fe_hr.dat")) GTEST_SKIP() << "no ../shared/data/wannier (clone without data)";
    const TbModel fe = read_hr(kShared + "Fe_hr.dat");
    EXPECT_EQ(fe.num_wann, 16);
    EXPECT_EQ(fe.R.size(), 1367u);
    const TbModel gaas = read_tb(kShared + "GaAs_tb.dat");
    EXPECT_EQ(gaas.num_wann, 16);
    EXPECT_TRUE(gaas.has_positions);
    EXPECT_NEAR(gaas.lattice[0][0], -2.8270001176531787, 1e-15);
    for (const char* f : {"silicon_hr.dat", "bi_hr.dat"}) EXPECT_GT(read_hr(kShared + f).num_wann, 0);
}

TEST(WannierFiles, SiliconBandsAreTimeReversalSymmetric) {
    // Si without spin–orbit coupling: time reversal makes H(R) real, so E_n(k) = E_n(−k). The file's
    // Wannier functions are real only to |Im H(R)| ≤ 4.2e-4 eV, so its bands obey the symmetry to the
    // Weyl bound |E_n(k) − E_n(−k)| ≤ ‖H(k) − H(−k)*‖ ≤ 2 Σ_R ‖Im H(R)‖_F/ndegen; with Im H(R) dropped
    // they obey it to rounding. The file has no lattice; the fcc cell of a = 5.43 Å is supplied.
    if (!std::filesystem::exists(kShared + "silicon_hr.dat")) GTEST_SKIP() << "no ../shared/data/wannier (clone without data)";
    TbModel si = read_hr(kShared + "silicon_hr.dat");
    double bound = 0.0;
    for (std::size_t r = 0; r < si.R.size(); ++r) {
        double f = 0.0;
        for (int i = 0; i < si.num_wann * si.num_wann; ++i) f += std::norm(si.H[r * si.num_wann * si.num_wann + i].imag());
        bound += 2.0 * std::sqrt(f) / si.ndegen[r];
    }
    TbModel real = si;
    for (auto& h : real.H) h = h.real();
    const test::TempDir tmp;
    const std::filesystem::path path = tmp / "silicon_real_hr.dat";
    {
        std::ofstream f(path);
        write_hr(real, f, "silicon_hr.dat with Im H(R) dropped");
    }
    const std::string k = "[[0.1,0.2,0.3],[0.37,-0.21,0.05],[0.5,0.5,0.0],[0.13,0.71,0.44]]";
    const std::string mk = "[[-0.1,-0.2,-0.3],[-0.37,0.21,-0.05],[-0.5,-0.5,0.0],[-0.13,-0.71,-0.44]]";
    auto energies = [&](const std::string& file, const std::string& pts) {
        return bzint::test::results(fmt::format("[model]\nname='wannier'\nhr='{}'\nlattice=[[0,2.715,2.715],[2.715,0,2.715],"
                                                "[2.715,2.715,0]]\n[task]\nkind='berry'\npoints={}\n",
                                                file, pts))["energies"];
    };
    const auto a = energies(kShared + "silicon_hr.dat", k), b = energies(kShared + "silicon_hr.dat", mk);
    const auto ar = energies(path.string(), k), br = energies(path.string(), mk);
    ASSERT_EQ(a[0].size(), 8u);
    double worst = 0.0;
    for (std::size_t i = 0; i < 4; ++i)
        for (std::size_t n = 0; n < 8; ++n) {
            worst = std::max(worst, std::fabs(a[i][n].get<double>() - b[i][n].get<double>()));
            EXPECT_NEAR(ar[i][n].get<double>(), br[i][n].get<double>(), 1e-10) << i << " " << n;
        }
    EXPECT_LE(worst, bound);
    EXPECT_LT(worst, 1e-3);  // observed 3e-4 eV
    EXPECT_GT(a[0][7].get<double>() - a[0][0].get<double>(), 5.0);  // the bands are not trivially flat
}
