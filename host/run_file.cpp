#include "run_file.hpp"

#include <fmt/core.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <stdexcept>

#include "input_error.hpp"
#include "task_registry.hpp"
#include "texture_input.hpp"
#include "wannier/runtime_wannier.hpp"
#include "wannier/wannier_model.hpp"
#include "workers.hpp"

namespace bzint {

std::string join(const std::vector<std::string>& items) {
    std::string s;
    for (const auto& it : items) s += (s.empty() ? "" : ", ") + it;
    return s;
}

namespace {

// The TOML parser recurses once per part of a dotted key (a.b.c = 1, [a.b.c]): a key of 10^5
// parts exhausts the stack. No run-file key has more than three, so keys of more than 64 parts are
// refused before parsing. Dots inside strings and comments, and between digits (1.5), do not count.
void check_key_depth(const std::string& text, const std::string& name) {
    constexpr int kMaxParts = 64;
    int line = 1, dots = 0;
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (c == '\n') {
            ++line;
            dots = 0;
        } else if (c == '#') {
            while (i + 1 < text.size() && text[i + 1] != '\n') ++i;
        } else if (c == '"' || c == '\'') {
            const bool multi = text.compare(i, 3, std::string(3, c)) == 0;
            const std::string close = multi ? std::string(3, c) : std::string(1, c);
            std::size_t j = i + close.size();
            while (j < text.size() && text.compare(j, close.size(), close) != 0) {
                if (text[j] == '\n') {
                    if (!multi) break;  // an unclosed string: the parser reports it
                    ++line;
                }
                if (c == '"' && text[j] == '\\') ++j;  // an escape in a basic string
                ++j;
            }
            i = std::min(text.size(), j + close.size()) - 1;
        } else if (c == '.') {
            const bool number = i > 0 && i + 1 < text.size() && std::isdigit(static_cast<unsigned char>(text[i - 1])) &&
                                std::isdigit(static_cast<unsigned char>(text[i + 1]));
            if (!number && ++dots > kMaxParts)
                throw InputError(fmt::format("{}:{}: a key of more than {} dotted parts; run-file keys have at most three", name,
                                             line, kMaxParts));
        }
    }
}

}  // namespace

RunFile RunFile::parse(const std::string& text, const std::string& name) {
    RunFile rf;
    rf.path_ = name;
    if (text.size() > kMaxRunFileBytes)
        throw InputError(fmt::format("{}: a run file of {} bytes; at most {} MiB are read", name, text.size(), kMaxRunFileBytes >> 20));
    check_key_depth(text, name);
    try {
        rf.root_ = toml::parse(text, name);
    } catch (const toml::parse_error& e) {
        throw InputError(fmt::format("{}:{}:{}: TOML syntax error: {}", name, e.source().begin.line,
                                     e.source().begin.column, e.description()));
    }
    return rf;
}

RunFile RunFile::from_table(toml::table table, const std::string& name) {
    RunFile rf;
    rf.path_ = name;
    rf.root_ = std::move(table);
    rf.given_as_table_ = true;
    return rf;
}

RunFile RunFile::load(const std::string& path) {
    std::error_code ec;
    if (std::filesystem::is_directory(path, ec)) throw InputError(fmt::format("{}: is a folder, not a run file", path));
    std::FILE* f = std::fopen(path.c_str(), "rb");
    if (!f) throw InputError(fmt::format("{}: cannot open the run file", path));
    // Read at most one byte more than the limit: a device or a pipe without end is refused too.
    std::string text(kMaxRunFileBytes + 1, '\0');
    const std::size_t got = std::fread(text.data(), 1, text.size(), f);
    const bool failed = std::ferror(f) != 0;
    std::fclose(f);
    if (failed) throw InputError(fmt::format("{}: cannot read the run file", path));
    if (got > kMaxRunFileBytes)
        throw InputError(fmt::format("{}: larger than {} MiB; a run file is a short TOML text", path, kMaxRunFileBytes >> 20));
    text.resize(got);
    return parse(text, path);
}

void RunFile::set(const std::string& assignment) {
    const auto eq = assignment.find('=');
    if (eq == std::string::npos || eq == 0)
        throw InputError(fmt::format("--set {}: expected section.key=value (or key=value for a top-level key)", assignment));
    const auto dot = assignment.find('.');
    const bool top = dot == std::string::npos || dot > eq;  // title=...
    const std::string section = top ? "" : assignment.substr(0, dot);
    const std::string key = top ? assignment.substr(0, eq) : assignment.substr(dot + 1, eq - dot - 1);
    const std::string value = assignment.substr(eq + 1);
    if ((!top && section.empty()) || key.empty() || key.find('.') != std::string::npos)
        throw InputError(fmt::format("--set {}: expected section.key=value (or key=value for a top-level key)", assignment));
    check_key_depth("v = " + value, path_ + " (command line --set)");
    toml::table parsed;
    try {
        parsed = toml::parse("v = " + value);
    } catch (const toml::parse_error&) {
        parsed = toml::table{};
        parsed.insert_or_assign("v", value);  // a bare word: a string
    }
    if (parsed.size() != 1 || !parsed.contains("v"))
        throw InputError(fmt::format("--set {}: the value must be one TOML value (a number, string, array or inline table)",
                                     assignment));
    toml::table* t = &root_;
    if (!top) {
        if (!root_.contains(section)) root_.insert(section, toml::table{});
        t = root_[section].as_table();
        if (!t) throw InputError(fmt::format("--set {}: '{}' is not a table in {}", assignment, section, path_));
    }
    // Parsed without a path, so errors about this value point at the command line.
    t->insert_or_assign(key, std::move(*parsed.get("v")));
}

std::string RunFile::where(const toml::node* node) const {
    if (node && node->source().begin.line > 0 && node->source().path) return fmt::format("{}:{}", path_, node->source().begin.line);
    return given_as_table_ ? path_ : fmt::format("{} (command line --set)", path_);
}

Section::Section(const RunFile& file, const toml::table* table, std::string section, std::string task)
    : file_(file), table_(table), section_(std::move(section)), task_(std::move(task)) {}

bool Section::has(const std::string& key) const { return table_ && table_->contains(key); }

const toml::node* Section::node(const std::string& key) const { return table_ ? table_->get(key) : nullptr; }

std::string Section::where(const std::string& key) const {
    const toml::node* n = node(key);
    return file_.where(n ? n : static_cast<const toml::node*>(table_));
}

std::string Section::label() const {
    const std::string name = section_.substr(0, section_.find(' '));
    return name == "top" ? "[top level]" : "[" + name + "]";
}

void Section::fail(const std::string& key, const std::string& message) const {
    throw InputError(fmt::format("{}: {} {}: {}", where(key), label(), key, message));
}

const KeySpec& Section::spec(const std::string& key) const {
    const KeySpec* k = find_key(section_, key, task_);
    if (!k) throw std::logic_error(fmt::format("run-file key {} {} (task '{}') is read but not listed in run_keys.cpp", label(), key, task_));
    return *k;
}

void Section::check_range(const std::string& key, double v) const {
    const KeySpec& k = spec(key);
    if (std::isnan(k.min)) return;
    const bool low = k.min_exclusive ? !(v > k.min) : !(v >= k.min);
    if (low || v > k.max)
        fail(key, fmt::format("must satisfy {}{}; got {}", range_text(k), *k.unit ? fmt::format(" ({})", k.unit) : "", v));
}

namespace {
std::optional<double> as_number(const toml::node* n) {
    if (!n) return std::nullopt;
    if (auto v = n->value<double>()) return *v;  // also converts integers
    return std::nullopt;
}
}  // namespace

double Section::number(const std::string& key) const {
    spec(key);
    const toml::node* n = node(key);
    if (!n) fail(key, "missing (a number is required)");
    auto v = as_number(n);
    if (!v) fail(key, "must be a number");
    if (!std::isfinite(*v)) fail(key, fmt::format("must be finite, got {}", *v));
    check_range(key, *v);
    return *v;
}

double Section::number(const std::string& key, double fallback) const {
    spec(key);
    return has(key) ? number(key) : fallback;
}

long long Section::integer(const std::string& key, long long fallback) const {
    spec(key);
    const toml::node* n = node(key);
    if (!n) return fallback;
    auto v = n->value_exact<int64_t>();
    if (!v) fail(key, "must be an integer");
    check_range(key, static_cast<double>(*v));
    return *v;
}

bool Section::boolean(const std::string& key, bool fallback) const {
    spec(key);
    const toml::node* n = node(key);
    if (!n) return fallback;
    if (!n->is_boolean()) fail(key, "must be true or false");
    return *n->value<bool>();
}

std::string Section::string(const std::string& key) const {
    spec(key);
    const toml::node* n = node(key);
    if (!n) fail(key, "missing (a string is required)");
    auto v = n->value_exact<std::string>();
    if (!v) fail(key, "must be a string");
    return *v;
}

std::string Section::string(const std::string& key, const std::string& fallback) const {
    spec(key);
    return has(key) ? string(key) : fallback;
}

std::vector<double> Section::numbers(const std::string& key, std::size_t max_count) const {
    spec(key);
    const toml::node* n = node(key);
    if (!n) fail(key, "missing (an array of numbers is required)");
    const toml::array* a = n->as_array();
    if (!a) fail(key, "must be an array of numbers");
    if (a->size() > max_count) fail(key, fmt::format("has {} entries; at most {}", a->size(), max_count));
    std::vector<double> out;
    for (const toml::node& e : *a) {
        auto v = as_number(&e);
        if (!v) fail(key, "must be an array of numbers");
        if (!std::isfinite(*v)) fail(key, "must contain only finite numbers");
        check_range(key, *v);
        out.push_back(*v);
    }
    return out;
}

std::vector<std::vector<double>> Section::vectors(const std::string& key, std::size_t max_count) const {
    spec(key);
    const toml::node* n = node(key);
    if (!n) fail(key, "missing (an array of points is required)");
    const toml::array* a = n->as_array();
    if (!a) fail(key, "must be an array of points, e.g. [[0, 0], [0.5, 0]]");
    if (a->size() > max_count) fail(key, fmt::format("has {} points; at most {}", a->size(), max_count));
    std::vector<std::vector<double>> out;
    for (const toml::node& e : *a) {
        const toml::array* p = e.as_array();
        if (!p || p->size() > 3) fail(key, "must be an array of points, e.g. [[0, 0], [0.5, 0]]");
        std::vector<double> v;
        for (const toml::node& x : *p) {
            auto d = as_number(&x);
            if (!d || !std::isfinite(*d)) fail(key, "points must contain finite numbers");
            check_range(key, *d);
            v.push_back(*d);
        }
        out.push_back(v);
    }
    return out;
}

void Section::only() const {
    if (!table_) return;
    const std::vector<std::string> allowed = keys_of(section_, task_);
    for (const auto& [k, v] : *table_) {
        const std::string key(k.str());
        if (std::find(allowed.begin(), allowed.end(), key) == allowed.end())
            throw InputError(fmt::format("{}: {} unknown key '{}'{}; valid keys: {}", file_.where(&v), label(), key,
                                         task_.empty() ? "" : fmt::format(" for task '{}'", task_), join(allowed)));
    }
}

std::vector<double> read_levels(const Section& sec, const std::string& key, long long max_count) {
    const KeySpec& spec = sec.spec(key);
    const toml::node* n = sec.node(key);
    if (!n) sec.fail(key, "missing; give a number, a list, or {from = .., to = .., count = ..}");
    std::vector<double> levels;
    if (n->is_number()) {
        levels.push_back(sec.number(key));
    } else if (n->is_array()) {
        levels = sec.numbers(key, static_cast<std::size_t>(max_count));
    } else if (const toml::table* t = n->as_table()) {
        auto get = [&](const char* k) -> double {
            const toml::node* e = t->get(k);
            if (!e || !e->value<double>()) sec.fail(key, fmt::format("'{}' is missing or not a number", k));
            const double v = *e->value<double>();
            if (!std::isfinite(v)) sec.fail(key, fmt::format("'{}' must be finite", k));
            if (v < spec.min || v > spec.max) sec.fail(key, fmt::format("'{}' must satisfy {}, got {}", k, range_text(spec), v));
            return v;
        };
        for (const auto& [k, v] : *t) {
            const std::string s(k.str());
            if (s != "from" && s != "to" && s != "count")
                sec.fail(key, fmt::format("unknown key '{}'; valid keys: from, to, count", s));
        }
        const double from = get("from"), to = get("to");
        const toml::node* c = t->get("count");
        if (!c || !c->value_exact<int64_t>()) sec.fail(key, "'count' is missing or not an integer");
        const long long count = *c->value_exact<int64_t>();
        if (count < 1 || count > max_count) sec.fail(key, fmt::format("count must be in 1..{}, got {}", max_count, count));
        if (count > 1 && !(to > from)) sec.fail(key, "'to' must be greater than 'from'");
        for (long long i = 0; i < count; ++i)
            levels.push_back(count == 1 ? from : from + (to - from) * static_cast<double>(i) / static_cast<double>(count - 1));
    } else {
        sec.fail(key, "give a number, a list, or {from = .., to = .., count = ..}");
    }
    if (levels.empty()) sec.fail(key, "must not be empty");
    for (std::size_t i = 1; i < levels.size(); ++i)
        if (!(levels[i] > levels[i - 1]))
            sec.fail(key, levels[i] == levels[i - 1] ? "levels must be strictly increasing (two are equal: the spacing is "
                                                       "below the numbers' resolution?)"
                                                     : "levels must be strictly increasing");
    return levels;
}

void require_memory(const Section& section, const std::string& key, double bytes, const std::string& what) {
    const double budget = memory_budget_bytes();
    if (bytes > budget)
        section.fail(key, fmt::format("{} would need about {} of memory; at most {} (half this machine's memory) is used: "
                                      "ask for less",
                                      what, bytes_text(bytes), bytes_text(budget)));
}

namespace {

// [model] name = "wannier": hr = "..." with lattice = [[..], [..], [..]] (Å), or tb = "..."
// (lattice inside; `lattice` may override it), orbital_positions or position_matrix (tb.dat only,
// docs/wannier.md), interpolation = "auto" (default) | "fft" | "direct", fft_memory_mib. Paths are
// relative to the run file's folder.
void read_wannier(const RunFile& file, const Section& model, RunConfig& cfg) {
    model.only();
    if (model.has("hr") == model.has("tb"))
        model.fail("name", "model 'wannier' needs exactly one of hr = \"seedname_hr.dat\" (with lattice = [[..], [..], [..]] "
                           "in Å) and tb = \"seedname_tb.dat\"");
    const bool hr = model.has("hr");
    const std::string key = hr ? "hr" : "tb";
    std::filesystem::path path = model.string(key);
    if (path.is_relative()) path = std::filesystem::path(file.path()).parent_path() / path;
    std::error_code ec;
    if (!std::filesystem::exists(path, ec)) {
        const bool shared = path.string().find("shared/data") != std::string::npos;
        model.fail(key, fmt::format("{}: no such file (paths are relative to the run file's folder){}", path.string(),
                                    shared ? "; this example reads the project's shared data (../shared/data beside the "
                                             "checkout), which a plain clone does not have: point it at your own "
                                             "Wannier90 files"
                                           : ""));
    }
    TbModel tb;
    try {
        tb = hr ? read_hr(path.string()) : read_tb(path.string());
    } catch (const InputError& e) {
        throw InputError(fmt::format("{} (read for [model] {} at {})", e.what(), key, model.where(key)));
    }
    cfg.input_files.push_back(path.string());
    double lattice[3][3];
    if (model.has("lattice")) {
        const auto rows = model.vectors("lattice", 3);
        if (rows.size() != 3) model.fail("lattice", "needs three rows [[A1x, A1y, A1z], [..], [..]] in Å");
        for (int i = 0; i < 3; ++i) {
            if (rows[i].size() != 3) model.fail("lattice", "each row needs three Cartesian components (Å)");
            for (int a = 0; a < 3; ++a) lattice[i][a] = rows[i][a];
        }
        double c[3];
        cross3(lattice[1], lattice[2], c);
        if (!(std::fabs(dot3(lattice[0], c)) > 1e-12)) model.fail("lattice", "the three rows are linearly dependent");
    } else if (tb.has_lattice) {
        for (int i = 0; i < 3; ++i)
            for (int a = 0; a < 3; ++a) lattice[i][a] = tb.lattice[i][a];
    } else {
        model.fail("hr", "a hr.dat file has no lattice: give lattice = [[A1x, A1y, A1z], [..], [..]] (Å) in [model]");
    }
    auto flag = [&](const char* key) {
        const bool v = model.boolean(key, false);
        if (v && !tb.has_positions) model.fail(key, "needs a tb.dat file with position matrix elements (tb = \"...\")");
        return v;
    };
    const bool diagonal = flag("orbital_positions"), full = flag("position_matrix");
    // The position matrix corrects the Berry curvature only (position_curvature.hpp): the tasks
    // that use nothing else.
    const std::string task = file.root()["task"]["kind"].value_or(std::string());
    static const std::vector<std::string> position_tasks{"bands", "ahc", "anomaly", "dipole"};
    if (full && task == "weyl_nodes")
        model.fail("position_matrix", "task 'weyl_nodes' does not use it: the WYSV terms add a curvature that is smooth "
                                      "at the nodes, whose flux through a closed sphere vanishes, so nodes, chiralities "
                                      "and rates are those without it (orbital_positions = true is taken)");
    if (full && std::find(position_tasks.begin(), position_tasks.end(), task) == position_tasks.end())
        model.fail("position_matrix", fmt::format("adds the WYSV terms to the Berry curvature only; task '{}' also needs "
                                                  "the orbital moment, the eigenvectors' overlaps or the dynamics; with "
                                                  "the position matrix, the tasks are {}",
                                                  task, join(position_tasks)));
    if (diagonal && full)
        model.fail("position_matrix", "excludes orbital_positions = true: the full position matrix already contains "
                                      "the orbital positions (choose one)");
    const std::string interpolation = model.string("interpolation", "auto");
    if (interpolation != "auto" && interpolation != "fft" && interpolation != "direct")
        model.fail("interpolation", fmt::format("unknown interpolation '{}'; valid choices: auto (the cheaper of the two "
                                                "below by their cost estimates, the default), fft (on the mesh), direct "
                                                "(the Fourier sum per k-point, the reference path)",
                                                interpolation));
    auto loaded = make_wannier(std::move(tb), lattice,
                               full ? PositionTerms::full : diagonal ? PositionTerms::diagonal : PositionTerms::none);
    // The FFT tables hold H and ∂H only; the position connection is summed per k-point.
    loaded->interpolation = full || interpolation == "direct" ? Interpolation::direct
                            : interpolation == "fft"          ? Interpolation::fft
                                                              : Interpolation::automatic;
    if (full && interpolation == "fft" && model.has("interpolation"))
        model.fail("interpolation", "position_matrix = true runs with interpolation = \"direct\" (the FFT tables hold H "
                                    "and its derivatives only)");
    const double mib = model.number("fft_memory_mib", static_cast<double>(kDefaultFftMemoryMib));
    require_memory(model, "fft_memory_mib", mib * 1048576.0, "the FFT chunk");
    loaded->fft_budget_bytes = static_cast<std::size_t>(mib * 1048576.0);
    if (loaded->runtime_sized()) {
        const int W = loaded->tb.num_wann, threads = workers::count();
        const double per_thread = runtime_workspace_bytes(W);
        require_memory(model, key, threads * per_thread,
                       fmt::format("the workspaces of a {}-orbital model on {} threads (each {})", W, threads,
                                   bytes_text(per_thread)));
    }
    cfg.loaded_model = register_wannier(std::move(loaded), cfg.params);
    cfg.model = cfg.loaded_model.get();
}

// The title names output files: a portable file-name stem that leaves room for the longest
// suffix ("_spectral_weights.csv", ".checkpoint/…") within the 255 bytes of a file name.
void check_title(const Section& top, const std::string& title) {
    const bool ok_chars = std::all_of(title.begin(), title.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_' ||
               c == '-' || c == '+' || c == '=';
    });
    if (title.empty() || title.size() > 200 || !ok_chars || title[0] == '.')
        top.fail("title", fmt::format("'{}' cannot name output files: use 1 to 200 characters from A–Z a–z 0–9 . _ - + =, "
                                      "not starting with '.'{}",
                                      title.size() > 60 ? title.substr(0, 60) + "…" : title,
                                      top.has("title") ? "" : " (the title defaults to the run file's name: give title = \"...\")"));
}

// A built-in model's parameter: a finite number within its range (model_traits.hpp).
double read_parameter(const Section& model, const ParamSpec& p) {
    const toml::node* n = model.node(p.name);
    if (!n) return p.default_value;
    const auto v = n->value<double>();
    if (!v) model.fail(p.name, "must be a number");
    if (!std::isfinite(*v)) model.fail(p.name, fmt::format("must be finite, got {}", *v));
    if ((p.min_exclusive ? !(*v > p.min) : *v < p.min) || *v > p.max)
        model.fail(p.name, fmt::format("must satisfy {} ({}); got {}{}", parameter_range_text(p), p.meaning, *v,
                                       std::fabs(*v) > p.max ? ": beside the model's terms of order one, a larger one leaves "
                                                                "its gaps below the rounding of H(k) (give the parameters in "
                                                                "units where they are of order one)"
                                                              : ""));
    return *v;
}

}  // namespace

RunConfig read_model_section(const RunFile& file) {
    const toml::table& root = file.root();
    RunConfig cfg;
    cfg.file = file.path();
    Section top(file, &root, "top");
    top.only();
    cfg.title = top.string("title", std::filesystem::path(file.path()).stem().string());
    check_title(top, cfg.title);

    const toml::table* mt = root["model"].as_table();
    if (!mt)
        throw InputError(fmt::format("{}: missing [model] table (with name = one of: {}, wannier)", file.path(), model_names()));
    const std::string task = root["task"]["kind"].value_or(std::string());
    const std::string name = Section(file, mt, "model").string("name");
    if (name == "wannier") {
        read_wannier(file, Section(file, mt, "model wannier", task), cfg);
    } else {
        Section model(file, mt, "model");
        cfg.model = find_model(name);
        if (!cfg.model) model.fail("name", fmt::format("unknown model '{}'; valid models: {}, wannier", name, model_names()));
        std::vector<std::string> allowed{"name"};
        for (const ParamSpec& p : cfg.model->params) allowed.push_back(p.name);
        for (const auto& [k, v] : *mt)
            if (std::find(allowed.begin(), allowed.end(), std::string(k.str())) == allowed.end())
                throw InputError(fmt::format("{}: [model] unknown key '{}' for model '{}'; valid keys: {}", file.where(&v),
                                             std::string(k.str()), name, join(allowed)));
        cfg.params.id = cfg.model->id;
        for (std::size_t i = 0; i < cfg.model->params.size(); ++i) {
            cfg.params.p[i] = read_parameter(model, cfg.model->params[i]);
            cfg.param_values.emplace_back(cfg.model->params[i].name, cfg.params.p[i]);
        }
    }
    return cfg;
}

namespace {

// [mesh] symmetry = ["C4z", "C2x*TimeReversal", …]: each a product of the named operations, and
// together generators of a finite group of symmetries of the model's lattice (docs/symmetry.md).
void read_symmetry(const Section& mesh, const ModelInfo& model, RunConfig& cfg) {
    const toml::array* a = mesh.node("symmetry")->as_array();
    if (!a || a->empty() || a->size() > 16)
        mesh.fail("symmetry", "must be an array of 1 to 16 strings, e.g. [\"C4z\", \"C2x*TimeReversal\", \"Inversion\"]");
    if (!model.lattice)
        mesh.fail("symmetry", fmt::format("the continuum model '{}' has no Brillouin zone to reduce; symmetry applies to "
                                          "lattice models", model.name));
    double G[3][3];
    reciprocal_basis(model.bravais, G);
    for (const toml::node& e : *a) {
        const auto name = e.value<std::string>();
        if (!name) mesh.fail("symmetry", "entries must be strings such as \"C4z\" or \"C2x*TimeReversal\"");
        PointOp op;
        std::string unknown;
        if (!parse_point_op(*name, op, unknown))
            mesh.fail("symmetry", fmt::format("'{}' in '{}' is not an operation; valid choices: {}, and products of them "
                                              "joined by '*' (\"C2x*TimeReversal\")",
                                              unknown, *name, join(point_op_names())));
        int M[3][3];
        if (!reduced_matrix(op, model.bravais, G, M))
            mesh.fail("symmetry", fmt::format("'{}' is not a symmetry of the lattice of '{}' (it does not map the reciprocal "
                                              "lattice onto itself; the axes are Cartesian)",
                                              *name, model.name));
        cfg.symmetry.push_back(op);
    }
    if (generate_group(cfg.symmetry).empty())
        mesh.fail("symmetry", "these operations generate more than 96 elements: they are not a point group (rotation axes "
                              "that are not those of one crystal?)");
    cfg.symmetry_where = fmt::format("{}: [mesh] symmetry", mesh.where("symmetry"));
}

}  // namespace

RunConfig read_common(const RunFile& file) {
    RunConfig cfg = read_model_section(file);
    const toml::table& root = file.root();
    const std::string& name = cfg.model->name;

    const toml::table* tt = root["task"].as_table();
    if (!tt) throw InputError(fmt::format("{}: missing [task] table (with kind = one of: {})", file.path(), task_names()));
    Section kind_of(file, tt, "task");
    cfg.task = kind_of.string("kind");
    if (!find_task(cfg.task)) kind_of.fail("kind", fmt::format("unknown task '{}'; valid tasks: {}", cfg.task, task_names()));

    if (const toml::node* mn = root.get("mesh")) {
        const toml::table* t = mn->as_table();
        if (!t) throw InputError(fmt::format("{}: [mesh] must be a table with n = [..]", file.where(mn)));
        Section mesh(file, t, "mesh", cfg.task);
        mesh.only();
        const toml::node* nn = mesh.node("n");
        if (!nn) mesh.fail("n", fmt::format("missing; give {} integers, e.g. n = [{}]", cfg.model->dim,
                                            cfg.model->dim == 3 ? "64, 64, 64" : cfg.model->dim == 2 ? "256, 256" : "1024"));
        const toml::array* a = nn->as_array();
        if (!a || static_cast<int>(a->size()) != cfg.model->dim)
            mesh.fail("n", fmt::format("must be an array of {} integers for the {}D model '{}'", cfg.model->dim,
                                       cfg.model->dim, name));
        std::array<long long, 3> n{1, 1, 1};
        long double points = 1;
        for (int i = 0; i < cfg.model->dim; ++i) {
            auto v = (*a)[i].value_exact<int64_t>();
            if (!v) mesh.fail("n", "entries must be integers");
            if (*v < 1 || *v > (1LL << 31)) mesh.fail("n", fmt::format("entries must be in 1..2^31, got {}", *v));
            n[i] = *v;
            points *= static_cast<long double>(*v);
        }
        if (points > static_cast<long double>(kMaxMeshPoints))
            mesh.fail("n", fmt::format("the mesh would have {:.4g} points; at most 2^62 = {:.4g} (64-bit index arithmetic)",
                                       static_cast<double>(points), static_cast<double>(kMaxMeshPoints)));
        cfg.mesh_n = n;
        if (const toml::node* sn = mesh.node("shift")) {
            const toml::array* s = sn->as_array();
            if (!cfg.model->lattice)
                mesh.fail("shift", fmt::format("the continuum model '{}' is integrated by the midpoint rule on its k-box, whose "
                                               "points n and kcut fix; shift applies to lattice models only", name));
            if (!s || static_cast<int>(s->size()) != cfg.model->dim)
                mesh.fail("shift", fmt::format("must be an array of {} numbers (fractions of a mesh spacing along each "
                                               "reciprocal vector, in [0, 1))", cfg.model->dim));
            for (int i = 0; i < cfg.model->dim; ++i) {
                auto v = (*s)[i].value<double>();
                if (!v || !(*v >= 0.0 && *v < 1.0))
                    mesh.fail("shift", "entries must be numbers in [0, 1) (fractions of a mesh spacing; 0.5 puts the points "
                                       "midway between those of the Γ-centred mesh)");
                cfg.mesh_shift[i] = *v;
            }
        }
        if (mesh.has("symmetry")) read_symmetry(mesh, *cfg.model, cfg);
    }

    // The sections only some tasks read: the key table's top-level rows name those tasks.
    for (const char* section : {"field", "dissipation", "disorder", "texture"}) {
        if (!root.contains(section) || find_key("top", section, cfg.task)) continue;
        throw InputError(fmt::format("{}: [{}] is read only by the tasks {}, not by '{}'", file.where(root.get(section)),
                                     section, join(tasks_reading("top", section)), cfg.task));
    }
    // Texture and potential tables are part of the input (the checkpoint's fingerprint); read_texture
    // checks them.
    for (const std::string& table : texture_table_files(file)) {
        std::error_code ec;
        if (std::filesystem::is_regular_file(table, ec)) cfg.input_files.push_back(table);
    }
    return cfg;
}

}  // namespace bzint
