#include "tb_model.hpp"

#include <fmt/core.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <unistd.h>
#include <fstream>
#include <map>
#include <sstream>

#include "../input_error.hpp"
#include "../stop.hpp"

namespace bzint {

namespace {

// A whitespace tokenizer that knows the line of every token.
class Tokens {
public:
    Tokens(const std::string& text, std::string name) : name_(std::move(name)) {
        std::size_t line = 1, i = 0, polled = 0;
        while (i < text.size()) {
            if (i - polled >= (1u << 22)) {  // a large file takes seconds: a stop request ends it
                throw_if_stopped();
                polled = i;
            }
            const char c = text[i];
            if (c == '\n') {
                ++line;
                ++i;
                continue;
            }
            if (c == ' ' || c == '\t' || c == '\r') {
                ++i;
                continue;
            }
            std::size_t j = i;
            while (j < text.size() && text[j] != ' ' && text[j] != '\t' && text[j] != '\r' && text[j] != '\n') ++j;
            toks_.push_back({text.substr(i, j - i), line});
            i = j;
        }
    }
    // Skips the rest of line `line` (the free-text header).
    void skip_line(std::size_t line) {
        while (pos_ < toks_.size() && toks_[pos_].line <= line) ++pos_;
    }
    std::size_t line() const { return pos_ < toks_.size() ? toks_[pos_].line : (toks_.empty() ? 1 : toks_.back().line); }
    long long integer(const std::string& what, long long lo, long long hi) {
        const auto& t = next(what);
        char* end = nullptr;
        errno = 0;
        const long long v = std::strtoll(t.text.c_str(), &end, 10);
        if (end == t.text.c_str() || *end != '\0' || errno == ERANGE)
            fail(t.line, fmt::format("expected {} (an integer), got '{}'", what, t.text));
        if (v < lo || v > hi) fail(t.line, fmt::format("{} = {} is outside {}..{}", what, v, lo, hi));
        return v;
    }
    // A finite number of magnitude at most `bound` (energies in eV and lengths in Å: beyond 1e6 the
    // gaps of H(k) fall below its rounding, as for the built-in models' parameters).
    double number(const std::string& what, double bound = 1e6) {
        const auto& t = next(what);
        char* end = nullptr;
        const double v = std::strtod(t.text.c_str(), &end);
        if (end == t.text.c_str() || *end != '\0') fail(t.line, fmt::format("expected {} (a number), got '{}'", what, t.text));
        if (!std::isfinite(v)) fail(t.line, fmt::format("{} is not finite ('{}')", what, t.text));
        if (std::fabs(v) > bound) fail(t.line, fmt::format("{} = {} is beyond ±{:g}", what, t.text, bound));
        return v;
    }
    bool done() const { return pos_ >= toks_.size(); }
    std::size_t left() const { return toks_.size() - pos_; }
    [[noreturn]] void fail(std::size_t line, const std::string& msg) const {
        throw InputError(fmt::format("{}:{}: {}", name_, line, msg));
    }
    const std::string& name() const { return name_; }

private:
    struct Tok {
        std::string text;
        std::size_t line;
    };
    const Tok& next(const std::string& what) {
        if (pos_ >= toks_.size())
            throw InputError(fmt::format("{}:{}: the file ends early: expected {} (truncated file?)", name_, line(), what));
        return toks_[pos_++];
    }
    std::string name_;
    std::vector<Tok> toks_;
    std::size_t pos_ = 0;
};

constexpr long long kMaxWann = 4096, kMaxRpts = 1000000, kMaxR = 100000;

// The header's counts; `tokens_per_element` (hr: 7 per line, tb: 5) lets the arrays be sized only
// when the file really holds that many elements (a short file cannot claim gigabytes).
void read_counts(Tokens& t, TbModel& m, long long& nrpts, int tokens_per_element) {
    m.num_wann = static_cast<int>(t.integer("num_wann", 1, kMaxWann));
    nrpts = t.integer("nrpts (the number of R vectors)", 1, kMaxRpts);
    const double elements = static_cast<double>(nrpts) * m.num_wann * m.num_wann;
    if (elements > 4e8)
        t.fail(t.line(), fmt::format("num_wann = {} with nrpts = {} is too large to hold", m.num_wann, nrpts));
    if (elements * tokens_per_element + static_cast<double>(nrpts) > static_cast<double>(t.left()))
        t.fail(t.line(), fmt::format("num_wann = {} and nrpts = {} announce {:.0f} matrix elements, more than the file holds "
                                     "(truncated file?)",
                                     m.num_wann, nrpts, elements));
    m.ndegen.resize(nrpts);
    for (long long i = 0; i < nrpts; ++i) m.ndegen[i] = static_cast<int>(t.integer(fmt::format("ndegen[{}]", i + 1), 1, 1000000));
    m.R.resize(nrpts);
    m.H.assign(static_cast<std::size_t>(nrpts) * m.num_wann * m.num_wann, {0.0, 0.0});
}

std::array<int, 3> read_R(Tokens& t) {
    std::array<int, 3> R{};
    for (int a = 0; a < 3; ++a) R[a] = static_cast<int>(t.integer(fmt::format("R{}", a + 1), -kMaxR, kMaxR));
    return R;
}

// Each R once; then the Hermiticity check.
void finish(const Tokens& t, TbModel& m) {
    std::map<std::array<int, 3>, std::size_t> seen;
    for (std::size_t i = 0; i < m.R.size(); ++i)
        if (!seen.emplace(m.R[i], i).second)
            t.fail(1, fmt::format("R = ({}, {}, {}) appears twice", m.R[i][0], m.R[i][1], m.R[i][2]));
    const HermiticityDefect d = hermiticity_defect(m);
    // The files print 6–8 significant digits.
    if (d.relative > 1e-5)
        throw InputError(fmt::format(
            "{}: the model is not Hermitian: H_mn(R) != conj(H_nm(-R)) for R = ({}, {}, {}), orbitals (m, n) = ({}, {}): "
            "relative difference {:.3g} (tolerance 1e-5)",
            t.name(), d.R[0], d.R[1], d.R[2], d.m + 1, d.n + 1, d.relative));
}

// A Wannier90 file whole. Tokenised, it takes about eight times its size: it must be a regular
// file of at most 2 GiB whose tokens fit in half the machine's memory.
std::string slurp(const std::string& path) {
    std::error_code ec;
    if (!std::filesystem::is_regular_file(path, ec)) throw InputError(fmt::format("{}: not a regular file", path));
    const double size = static_cast<double>(std::filesystem::file_size(path, ec));
    const long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGE_SIZE);
    const double budget = pages > 0 && page > 0 ? 0.5 * static_cast<double>(pages) * static_cast<double>(page) : 4e9;
    if (ec || size > 2.0 * (1 << 30) || 8.0 * size > budget)
        throw InputError(fmt::format("{}: a file of {:.3g} GB; bzint reads Wannier90 files of at most 2 GiB whose tokens fit in "
                                     "half this machine's memory",
                                     path, size / 1e9));
    std::ifstream in(path, std::ios::binary);
    if (!in) throw InputError(fmt::format("{}: cannot open the file", path));
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

}  // namespace

std::vector<std::size_t> minus_R_index(const TbModel& m) {
    std::map<std::array<int, 3>, std::size_t> index;
    for (std::size_t i = 0; i < m.R.size(); ++i) index[m.R[i]] = i;
    std::vector<std::size_t> minus(m.R.size());
    for (std::size_t i = 0; i < m.R.size(); ++i) {
        const auto it = index.find({-m.R[i][0], -m.R[i][1], -m.R[i][2]});
        if (it == index.end())
            throw InputError(fmt::format("{}: R = ({}, {}, {}) is present but -R is not: the model cannot be Hermitian",
                                         m.source, m.R[i][0], m.R[i][1], m.R[i][2]));
        minus[i] = it->second;
    }
    return minus;
}

HermiticityDefect hermiticity_defect(const TbModel& m) {
    const std::vector<std::size_t> minus = minus_R_index(m);
    double scale = 0.0;
    for (const auto& h : m.H) scale = std::max(scale, std::abs(h));
    HermiticityDefect d;
    for (std::size_t i = 0; i < m.R.size(); ++i) {
        const std::size_t j = minus[i];
        if (m.ndegen[i] != m.ndegen[j])
            throw InputError(fmt::format("{}: ndegen differs between R = ({}, {}, {}) and -R", m.source, m.R[i][0], m.R[i][1],
                                         m.R[i][2]));
        for (int a = 0; a < m.num_wann; ++a)
            for (int b = 0; b < m.num_wann; ++b) {
                const double diff = std::abs(m.h(i, a, b) - std::conj(m.h(j, b, a)));
                const double rel = scale > 0 ? diff / scale : diff;
                if (rel > d.relative) d = {rel, m.R[i], a, b};
            }
    }
    return d;
}

TbModel parse_hr(const std::string& text, const std::string& name) {
    Tokens t(text, name);
    TbModel m;
    m.source = name;
    t.skip_line(1);  // header
    long long nrpts = 0;
    read_counts(t, m, nrpts, 7);
    const int W = m.num_wann;
    for (long long i = 0; i < nrpts; ++i) {
        std::vector<char> filled(static_cast<std::size_t>(W) * W, 0);
        for (long long e = 0; e < static_cast<long long>(W) * W; ++e) {
            const std::size_t line = t.line();
            const auto R = read_R(t);
            if (e == 0) {
                m.R[i] = R;
            } else if (R != m.R[i]) {
                t.fail(line, fmt::format("R = ({}, {}, {}) in the middle of the block of R = ({}, {}, {}): each R needs "
                                         "num_wann^2 = {} lines",
                                         R[0], R[1], R[2], m.R[i][0], m.R[i][1], m.R[i][2], W * W));
            }
            const int a = static_cast<int>(t.integer("orbital m", 1, W)) - 1;
            const int b = static_cast<int>(t.integer("orbital n", 1, W)) - 1;
            const double re = t.number("Re H"), im = t.number("Im H");
            if (filled[a * W + b]) t.fail(line, fmt::format("H_{}{} of R = ({}, {}, {}) appears twice", a + 1, b + 1, R[0], R[1], R[2]));
            filled[a * W + b] = 1;
            m.H[(i * W + a) * W + b] = {re, im};
        }
    }
    if (!t.done()) t.fail(t.line(), fmt::format("unexpected data after the {} R blocks announced by nrpts", nrpts));
    finish(t, m);
    return m;
}

TbModel parse_tb(const std::string& text, const std::string& name) {
    Tokens t(text, name);
    TbModel m;
    m.source = name;
    t.skip_line(1);
    for (int i = 0; i < 3; ++i)
        for (int a = 0; a < 3; ++a) m.lattice[i][a] = t.number(fmt::format("lattice vector A{} component {}", i + 1, a + 1), 1e6);
    m.has_lattice = true;
    long long nrpts = 0;
    read_counts(t, m, nrpts, 5);
    const int W = m.num_wann;
    auto block = [&](long long i, bool positions) {
        const std::size_t line = t.line();
        const auto R = read_R(t);
        if (!positions) {
            m.R[i] = R;
        } else if (R != m.R[i]) {
            t.fail(line, fmt::format("position block {} is for R = ({}, {}, {}) but the Hamiltonian block {} was for ({}, {}, {})",
                                     i + 1, R[0], R[1], R[2], i + 1, m.R[i][0], m.R[i][1], m.R[i][2]));
        }
        std::vector<char> filled(static_cast<std::size_t>(W) * W, 0);
        for (long long e = 0; e < static_cast<long long>(W) * W; ++e) {
            const std::size_t l = t.line();
            const int a = static_cast<int>(t.integer("orbital m", 1, W)) - 1;
            const int b = static_cast<int>(t.integer("orbital n", 1, W)) - 1;
            if (filled[a * W + b]) t.fail(l, fmt::format("element ({}, {}) of R = ({}, {}, {}) appears twice", a + 1, b + 1, R[0], R[1], R[2]));
            filled[a * W + b] = 1;
            const std::size_t at = (i * W + a) * W + b;
            if (!positions) {
                const double re = t.number("Re H"), im = t.number("Im H");
                m.H[at] = {re, im};
            } else {
                for (int c = 0; c < 3; ++c) {
                    const double re = t.number(fmt::format("Re r_{}", "xyz"[c]), 1e6), im = t.number(fmt::format("Im r_{}", "xyz"[c]), 1e6);
                    m.r[c][at] = {re, im};
                }
            }
        }
    };
    for (long long i = 0; i < nrpts; ++i) block(i, false);
    if (!t.done()) {  // position matrix elements (optional)
        for (auto& rc : m.r) rc.assign(m.H.size(), {0.0, 0.0});
        for (long long i = 0; i < nrpts; ++i) block(i, true);
        m.has_positions = true;
    }
    if (!t.done()) t.fail(t.line(), "unexpected data after the position blocks");
    finish(t, m);
    return m;
}

TbModel read_hr(const std::string& path) { return parse_hr(slurp(path), path); }
TbModel read_tb(const std::string& path) { return parse_tb(slurp(path), path); }

void write_hr(const TbModel& m, std::ostream& out, const std::string& header) {
    out << header << "\n" << fmt::format("{:12d}\n{:12d}\n", m.num_wann, m.R.size());
    for (std::size_t i = 0; i < m.ndegen.size(); ++i) out << fmt::format("{:5d}", m.ndegen[i]) << ((i % 15 == 14 || i + 1 == m.ndegen.size()) ? "\n" : "");
    for (std::size_t i = 0; i < m.R.size(); ++i)
        for (int b = 0; b < m.num_wann; ++b)
            for (int a = 0; a < m.num_wann; ++a) {
                const auto h = m.h(i, a, b);
                out << fmt::format("{:5d}{:5d}{:5d}{:5d}{:5d} {:24.16e} {:24.16e}\n", m.R[i][0], m.R[i][1], m.R[i][2], a + 1, b + 1,
                                   h.real(), h.imag());
            }
}

void write_tb(const TbModel& m, std::ostream& out, const std::string& header) {
    out << header << "\n";
    for (const auto& row : m.lattice) out << fmt::format("{:24.16e} {:24.16e} {:24.16e}\n", row[0], row[1], row[2]);
    out << fmt::format("{:12d}\n{:12d}\n", m.num_wann, m.R.size());
    for (std::size_t i = 0; i < m.ndegen.size(); ++i) out << fmt::format("{:5d}", m.ndegen[i]) << ((i % 15 == 14 || i + 1 == m.ndegen.size()) ? "\n" : "");
    const int W = m.num_wann;
    for (std::size_t i = 0; i < m.R.size(); ++i) {
        out << fmt::format("\n{:5d}{:5d}{:5d}\n", m.R[i][0], m.R[i][1], m.R[i][2]);
        for (int b = 0; b < W; ++b)
            for (int a = 0; a < W; ++a) out << fmt::format("{:5d}{:5d} {:24.16e} {:24.16e}\n", a + 1, b + 1, m.h(i, a, b).real(), m.h(i, a, b).imag());
    }
    if (!m.has_positions) return;
    for (std::size_t i = 0; i < m.R.size(); ++i) {
        out << fmt::format("\n{:5d}{:5d}{:5d}\n", m.R[i][0], m.R[i][1], m.R[i][2]);
        for (int b = 0; b < W; ++b)
            for (int a = 0; a < W; ++a) {
                out << fmt::format("{:5d}{:5d}", a + 1, b + 1);
                for (int c = 0; c < 3; ++c) {
                    const auto v = m.r[c][(i * W + a) * W + b];
                    out << fmt::format(" {:24.16e} {:24.16e}", v.real(), v.imag());
                }
                out << "\n";
            }
    }
}

}  // namespace bzint
