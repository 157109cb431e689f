#include <algorithm>
#include "run_file.hpp"

#include "wannier/wannier_model.hpp"

#include <fmt/core.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "input_error.hpp"
#include "task_registry.hpp"

namespace bzint {

std::string join(const std::vector<std::string>& items) {
    std::string s;
    for (const auto& it : items) s += (s.empty() ? "" : ", ") + it;
    return s;
}

RunFile RunFile::parse(const std::string& text, const std::string& name) {
    RunFile rf;
    rf.path_ = name;
    try {
        rf.root_ = toml::parse(text, name);
    } catch (const toml::parse_error& e) {
        throw InputError(fmt::format("{}:{}:{}: TOML syntax error: {}", name, e.source().begin.line,
                                     e.source().begin.column, e.description()));
    }
    return rf;
}

RunFile RunFile::load(const std::string& path) {
    std::ifstream in(path);
    if (!in) throw InputError(fmt::format("{}: cannot open run file", path));
    std::stringstream ss;
    ss << in.rdbuf();
    return parse(ss.str(), path);
}

void RunFile::set(const std::string& assignment) {
    const auto eq = assignment.find('=');
    const auto dot = assignment.find('.');
    if (eq == std::string::npos || dot == std::string::npos || dot > eq)
        throw InputError(fmt::format("--set {}: expected section.key=value", assignment));
    const std::string section = assignment.substr(0, dot), key = assignment.substr(dot + 1, eq - dot - 1);
    const std::string value = assignment.substr(eq + 1);
    toml::table parsed;
    try {
        parsed = toml::parse("v = " + value);
    } catch (const toml::parse_error&) {
        parsed.insert_or_assign("v", value);  // a bare word: a string
    }
    if (!root_.contains(section)) root_.insert(section, toml::table{});
    toml::table* t = root_[section].as_table();
    if (!t) throw InputError(fmt::format("--set {}: '{}' is not a table in {}", assignment, section, path_));
    // Parsed without a path, so errors about this value point at the command line.
    t->insert_or_assign(key, std::move(*parsed.get("v")));
}

std::string RunFile::where(const toml::node* node) const {
    if (node && node->source().begin.line > 0 && node->source().path) return fmt::format("{}:{}", path_, node->source().begin.line);
    return fmt::format("{} (command line --set)", path_);
}

Section::Section(const RunFile& file, const toml::table* table, std::string name)
    : file_(file), table_(table), name_(std::move(name)) {}

bool Section::has(const std::string& key) const { return table_ && table_->contains(key); }

const toml::node* Section::node(const std::string& key) const { return table_ ? table_->get(key) : nullptr; }

std::string Section::where(const std::string& key) const {
    const toml::node* n = node(key);
    return file_.where(n ? n : static_cast<const toml::node*>(table_));
}

void Section::fail(const std::string& key, const std::string& message) const {
    throw InputError(fmt::format("{}: [{}] {}: {}", where(key), name_, key, message));
}

namespace {
std::optional<double> as_number(const toml::node* n) {
    if (!n) return std::nullopt;
    if (auto v = n->value<double>()) return *v;  // also converts integers
    return std::nullopt;
}
}  // namespace

double Section::number(const std::string& key) const {
    const toml::node* n = node(key);
    if (!n) fail(key, "missing (a number is required)");
    auto v = as_number(n);
    if (!v) fail(key, "must be a number");
    if (!std::isfinite(*v)) fail(key, fmt::format("must be finite, got {}", *v));
    return *v;
}

double Section::number(const std::string& key, double fallback) const { return has(key) ? number(key) : fallback; }

long long Section::integer(const std::string& key, long long fallback) const {
    const toml::node* n = node(key);
    if (!n) return fallback;
    auto v = n->value_exact<int64_t>();
    if (!v) fail(key, "must be an integer");
    return *v;
}

std::string Section::string(const std::string& key) const {
    const toml::node* n = node(key);
    if (!n) fail(key, "missing (a string is required)");
    auto v = n->value_exact<std::string>();
    if (!v) fail(key, "must be a string");
    return *v;
}

std::string Section::string(const std::string& key, const std::string& fallback) const {
    return has(key) ? string(key) : fallback;
}

std::vector<double> Section::numbers(const std::string& key) const {
    const toml::node* n = node(key);
    if (!n) fail(key, "missing (an array of numbers is required)");
    const toml::array* a = n->as_array();
    if (!a) fail(key, "must be an array of numbers");
    std::vector<double> out;
    for (const toml::node& e : *a) {
        auto v = as_number(&e);
        if (!v) fail(key, "must be an array of numbers");
        if (!std::isfinite(*v)) fail(key, "must contain only finite numbers");
        out.push_back(*v);
    }
    return out;
}

std::vector<std::vector<double>> Section::vectors(const std::string& key) const {
    const toml::node* n = node(key);
    if (!n) fail(key, "missing (an array of points is required)");
    const toml::array* a = n->as_array();
    if (!a) fail(key, "must be an array of points, e.g. [[0, 0], [0.5, 0]]");
    std::vector<std::vector<double>> out;
    for (const toml::node& e : *a) {
        const toml::array* p = e.as_array();
        if (!p) fail(key, "must be an array of points, e.g. [[0, 0], [0.5, 0]]");
        std::vector<double> v;
        for (const toml::node& x : *p) {
            auto d = as_number(&x);
            if (!d || !std::isfinite(*d)) fail(key, "points must contain finite numbers");
            v.push_back(*d);
        }
        out.push_back(v);
    }
    return out;
}

void Section::only(const std::vector<std::string>& allowed) const {
    if (!table_) return;
    for (const auto& [k, v] : *table_) {
        const std::string key(k.str());
        bool ok = false;
        for (const auto& a : allowed) ok = ok || a == key;
        if (!ok)
            throw InputError(fmt::format("{}: [{}] unknown key '{}'; valid keys: {}", file_.where(&v), name_, key,
                                         join(allowed)));
    }
}

std::vector<double> read_levels(const Section& task, const std::string& key) {
    const toml::node* n = task.node(key);
    if (!n) task.fail(key, "missing; give a number, a list, or {from = .., to = .., count = ..}");
    std::vector<double> levels;
    if (n->is_number()) {
        levels.push_back(task.number(key));
    } else if (n->is_array()) {
        levels = task.numbers(key);
    } else if (const toml::table* t = n->as_table()) {
        auto get = [&](const char* k) -> double {
            const toml::node* e = t->get(k);
            if (!e || !e->value<double>()) task.fail(key, fmt::format("'{}' is missing or not a number", k));
            const double v = *e->value<double>();
            if (!std::isfinite(v)) task.fail(key, fmt::format("'{}' must be finite", k));
            return v;
        };
        for (const auto& [k, v] : *t) {
            const std::string s(k.str());
            if (s != "from" && s != "to" && s != "count")
                task.fail(key, fmt::format("unknown key '{}'; valid keys: from, to, count", s));
        }
        const double from = get("from"), to = get("to");
        const toml::node* c = t->get("count");
        if (!c || !c->value_exact<int64_t>()) task.fail(key, "'count' is missing or not an integer");
        const long long count = *c->value_exact<int64_t>();
        if (count < 1 || count > 10000000) task.fail(key, fmt::format("count must be in 1..10^7, got {}", count));
        if (count > 1 && !(to > from)) task.fail(key, "'to' must be greater than 'from'");
        for (long long i = 0; i < count; ++i)
            levels.push_back(count == 1 ? from : from + (to - from) * static_cast<double>(i) / static_cast<double>(count - 1));
    } else {
        task.fail(key, "give a number, a list, or {from = .., to = .., count = ..}");
    }
    if (levels.empty()) task.fail(key, "must not be empty");
    for (std::size_t i = 1; i < levels.size(); ++i)
        if (!(levels[i] > levels[i - 1])) task.fail(key, "levels must be strictly increasing");
    return levels;
}

namespace {

// [model] name = "wannier" with hr = "..." and lattice = [[..], [..], [..]] (Å), or tb = "..."
// (lattice inside; `lattice` may override it), orbital_positions = true|false or
// position_matrix = true|false (tb.dat only, docs/wannier.md), and
// interpolation = "fft" (default) | "direct" for mesh scans, fft_memory_mib (the FFT chunk's
// arrays, default 512). Paths are relative to the run file's folder.
void read_wannier(const RunFile& file, const Section& model, RunConfig& cfg) {
    model.only({"name", "hr", "tb", "lattice", "orbital_positions", "position_matrix", "interpolation", "fft_memory_mib"});
    if (model.has("hr") == model.has("tb"))
        model.fail("name", "model 'wannier' needs exactly one of hr = \"seedname_hr.dat\" (with lattice = [[..], [..], [..]] "
                           "in Å) and tb = \"seedname_tb.dat\"");
    const bool hr = model.has("hr");
    const std::string key = hr ? "hr" : "tb";
    std::filesystem::path path = model.string(key);
    if (path.is_relative()) path = std::filesystem::path(file.path()).parent_path() / path;
    TbModel tb;
    try {
        tb = hr ? read_hr(path.string()) : read_tb(path.string());
    } catch (const InputError& e) {
        throw InputError(fmt::format("{} (read for [model] {} at {})", e.what(), key, model.where(key)));
    }
    double lattice[3][3];
    if (model.has("lattice")) {
        const auto rows = model.vectors("lattice");
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
        if (!model.has(key)) return false;
        const auto v = model.node(key)->value<bool>();
        if (!v) model.fail(key, "must be true or false");
        if (*v && !tb.has_positions) model.fail(key, "needs a tb.dat file with position matrix elements (tb = \"...\")");
        return *v;
    };
    const bool diagonal = flag("orbital_positions"), full = flag("position_matrix");
    // The position matrix corrects the Berry curvature only (position_curvature.hpp): the tasks
    // that use nothing else.
    const std::string task = file.root()["task"]["kind"].value_or(std::string());
    static const std::vector<std::string> position_tasks{"bands", "ahc", "anomaly", "dipole"};
    if (full && std::find(position_tasks.begin(), position_tasks.end(), task) == position_tasks.end())
        model.fail("position_matrix", fmt::format("adds the WYSV terms to the Berry curvature only; task '{}' also needs "
                                                  "the orbital moment, the eigenvectors' overlaps or the dynamics; with "
                                                  "the position matrix, the tasks are {}",
                                                  task, join(position_tasks)));
    if (diagonal && full)
        model.fail("position_matrix", "excludes orbital_positions = true: the full position matrix already contains "
                                      "the orbital positions (choose one)");
    const std::string interpolation = model.string("interpolation", "fft");
    if (interpolation != "fft" && interpolation != "direct")
        model.fail("interpolation", fmt::format("unknown interpolation '{}'; valid choices: fft (on the mesh, the default), "
                                                "direct (the Fourier sum per k-point, the reference path)",
                                                interpolation));
    auto loaded = make_wannier(std::move(tb), lattice,
                               full ? PositionTerms::full : diagonal ? PositionTerms::diagonal : PositionTerms::none);
    // The FFT tables hold H and ∂H only; the position connection is summed per k-point.
    loaded->fft = interpolation == "fft" && !full;
    if (full && interpolation == "fft" && model.has("interpolation"))
        model.fail("interpolation", "position_matrix = true runs with interpolation = \"direct\" (the FFT tables hold H "
                                    "and its derivatives only)");
    const double mib = model.number("fft_memory_mib", 512.0);
    if (!(mib >= 1.0 && mib <= 1048576.0)) model.fail("fft_memory_mib", "must be in 1..1048576 (MiB for the FFT chunk's arrays)");
    loaded->fft_budget_bytes = static_cast<std::size_t>(mib * 1048576.0);
    auto info = std::make_shared<ModelInfo>();
    cfg.params = register_wannier(std::move(loaded), *info);
    cfg.loaded_model = info;
    cfg.model = info.get();
}

}  // namespace

RunConfig read_model_section(const RunFile& file) {
    const toml::table& root = file.root();
    RunConfig cfg;
    cfg.file = file.path();
    Section top(file, &root, "top level");
    top.only({"title", "model", "mesh", "task", "field", "dissipation", "disorder"});
    cfg.title = top.string("title", std::filesystem::path(file.path()).stem().string());
    if (cfg.title.empty() || cfg.title.find('/') != std::string::npos)
        top.fail("title", "must be a non-empty name without '/'");

    const toml::table* mt = root["model"].as_table();
    if (!mt)
        throw InputError(fmt::format("{}: missing [model] table (with name = one of: {}, wannier)", file.path(), model_names()));
    Section model(file, mt, "model");
    const std::string name = model.string("name");
    if (name == "wannier") {
        read_wannier(file, model, cfg);
    } else {
        cfg.model = find_model(name);
        if (!cfg.model) model.fail("name", fmt::format("unknown model '{}'; valid models: {}, wannier", name, model_names()));
    }
    if (!cfg.loaded_model) {
        std::vector<std::string> allowed{"name"};
        for (const ParamSpec& p : cfg.model->params) allowed.push_back(p.name);
        model.only(allowed);
        cfg.params.id = cfg.model->id;
        for (std::size_t i = 0; i < cfg.model->params.size(); ++i) {
            const ParamSpec& p = cfg.model->params[i];
            cfg.params.p[i] = model.number(p.name, p.default_value);
            cfg.param_values.emplace_back(p.name, cfg.params.p[i]);
        }
    }
    if (!cfg.model->lattice && cfg.model->dim >= 2) {
        const ParamSpec& kc = cfg.model->params.back();
        if (!(cfg.params.p[cfg.model->params.size() - 1] > 0.0)) model.fail(kc.name, "must be > 0");
    }
    return cfg;
}

RunConfig read_common(const RunFile& file) {
    RunConfig cfg = read_model_section(file);
    const toml::table& root = file.root();
    const std::string& name = cfg.model->name;

    if (const toml::node* mn = root.get("mesh")) {
        const toml::table* t = mn->as_table();
        if (!t) throw InputError(fmt::format("{}: [mesh] must be a table with n = [..]", file.where(mn)));
        Section mesh(file, t, "mesh");
        mesh.only({"n"});
        const toml::node* nn = mesh.node("n");
        if (!nn) mesh.fail("n", fmt::format("missing; give {} integers, e.g. n = [{}]", cfg.model->dim,
                                            cfg.model->dim == 3 ? "64, 64, 64" : cfg.model->dim == 2 ? "256, 256" : "1024"));
        const toml::array* a = nn->as_array();
        if (!a || static_cast<int>(a->size()) != cfg.model->dim)
            mesh.fail("n", fmt::format("must be an array of {} integers for the {}D model '{}'", cfg.model->dim,
                                       cfg.model->dim, name));
        std::array<long long, 3> n{1, 1, 1};
        for (int i = 0; i < cfg.model->dim; ++i) {
            auto v = (*a)[i].value_exact<int64_t>();
            if (!v) mesh.fail("n", "entries must be integers");
            if (*v < 1 || *v > (1LL << 31)) mesh.fail("n", fmt::format("entries must be in 1..2^31, got {}", *v));
            n[i] = *v;
        }
        cfg.mesh_n = n;
    }

    const toml::table* tt = root["task"].as_table();
    if (!tt) throw InputError(fmt::format("{}: missing [task] table (with kind = one of: {})", file.path(), task_names()));
    Section task(file, tt, "task");
    cfg.task = task.string("kind");
    if (!find_task(cfg.task)) task.fail("kind", fmt::format("unknown task '{}'; valid tasks: {}", cfg.task, task_names()));
    struct Owned {
        const char* section;
        std::vector<std::string> owners;
    };
    const Owned owned[] = {{"field", {"dc_current", "hybrid_current"}}, {"dissipation", {"dc_current"}}, {"disorder", {"disorder_ahe"}}};
    for (const auto& [section, owners] : owned)
        if (root.contains(section) && std::find(owners.begin(), owners.end(), cfg.task) == owners.end())
            throw InputError(fmt::format("{}: [{}] is read only by the tasks {}, not by '{}'", file.where(root.get(section)),
                                         section, join(owners), cfg.task));
    return cfg;
}

}  // namespace bzint
