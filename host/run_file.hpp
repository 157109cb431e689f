// Run files (TOML): reading, --set overrides, and validation with messages that name the file,
// line, key and the valid choices. Which keys exist, and their ranges, come from run_keys.hpp.
#pragma once
#include <toml++/toml.h>

#include <array>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "model_registry.hpp"
#include "run_keys.hpp"
#include "symmetry/point_group.hpp"

namespace bzint {

class RunFile {
public:
    // Reads path (at most kMaxRunFileBytes); a syntax error is an InputError naming file, line
    // and column.
    static RunFile load(const std::string& path);
    static RunFile parse(const std::string& text, const std::string& name);
    // A run file given as a table (Python's bzint.run(spec)): messages name `name` and the key, as
    // its values have no line.
    static RunFile from_table(toml::table table, const std::string& name);
    // "section.key=value": value is read as TOML (numbers, arrays, inline tables), else as a string.
    void set(const std::string& assignment);

    const std::string& path() const { return path_; }
    toml::table& root() { return root_; }
    const toml::table& root() const { return root_; }
    // "file:line" of a node, "file (command line --set)" for a --set value, or the name of a table
    // given whole (from_table).
    std::string where(const toml::node* node) const;

private:
    std::string path_;
    toml::table root_;
    bool given_as_table_ = false;
};

// One table of a run file, read key by key. `section` names its entries in run_keys.cpp
// ("task", "dissipation rta", …); `task` selects the entries of that task kind. Reading a key
// that run_keys.cpp does not list is a bug (std::logic_error), so the table stays complete.
class Section {
public:
    Section(const RunFile& file, const toml::table* table, std::string section, std::string task = "");

    bool has(const std::string& key) const;
    const toml::node* node(const std::string& key) const;
    // Numbers are checked finite and within the key's range.
    double number(const std::string& key) const;
    double number(const std::string& key, double fallback) const;
    long long integer(const std::string& key, long long fallback) const;
    bool boolean(const std::string& key, bool fallback) const;
    std::string string(const std::string& key) const;
    std::string string(const std::string& key, const std::string& fallback) const;
    // An array of numbers (each within the key's range), at most max_count of them.
    std::vector<double> numbers(const std::string& key, std::size_t max_count = 64) const;
    // An array of points (arrays of numbers within the key's range), at most max_count of them.
    std::vector<std::vector<double>> vectors(const std::string& key, std::size_t max_count) const;
    // Every key of the table must be one run_keys.cpp lists for this section and task.
    void only() const;
    [[noreturn]] void fail(const std::string& key, const std::string& message) const;
    std::string where(const std::string& key) const;
    // "[task]", "[dissipation]", "[task.refine]".
    std::string label() const;
    const KeySpec& spec(const std::string& key) const;
    // fail() unless v is within the key's range.
    void check_range(const std::string& key, double v) const;
    const RunFile& file() const { return file_; }

private:
    const RunFile& file_;
    const toml::table* table_;
    std::string section_, task_;
};

// The parsed contents common to every task.
struct RunConfig {
    std::string file;
    std::string title;
    const ModelInfo* model = nullptr;
    std::shared_ptr<ModelInfo> loaded_model;  // models read from files (wannier): owns *model
    ModelParams params{};
    std::vector<std::pair<std::string, double>> param_values;  // in declaration order
    std::optional<std::array<long long, 3>> mesh_n;
    std::array<double, 3> mesh_shift{0.0, 0.0, 0.0};  // [mesh] shift: fractions of a mesh spacing (lattices)
    std::vector<PointOp> symmetry;  // [mesh] symmetry: the generators as given (empty: none)
    std::string symmetry_where;     // "file:line" of that key, for the messages of the checks
    std::string task;
    std::vector<std::string> input_files;  // files the run reads (their content is part of its input)
};

// Validates the top-level keys, title and [model] (what `bzint export-hr` needs).
RunConfig read_model_section(const RunFile& file);
// Validates [model], [mesh], title and [task].kind; the task reads its own keys.
RunConfig read_common(const RunFile& file);

// `key` as a number, a strictly increasing list, or {from, to, count}, each within the key's
// range; at most max_count levels.
std::vector<double> read_levels(const Section& section, const std::string& key, long long max_count);

// An InputError naming `key` unless `bytes` fits the memory budget (run_keys.hpp).
void require_memory(const Section& section, const std::string& key, double bytes, const std::string& what);

std::string join(const std::vector<std::string>& items);

}  // namespace bzint
