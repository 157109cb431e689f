// Run files (TOML): reading, --set overrides, and validation with messages that name
// the file, line, key and the valid choices.
#pragma once
#include <toml++/toml.h>

#include <array>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "model_registry.hpp"

namespace bzint {

class RunFile {
public:
    // Parses path; a syntax error is an InputError naming file, line and column.
    static RunFile load(const std::string& path);
    static RunFile parse(const std::string& text, const std::string& name);
    // "section.key=value": value is read as TOML (numbers, arrays, inline tables), else as a string.
    void set(const std::string& assignment);

    const std::string& path() const { return path_; }
    toml::table& root() { return root_; }
    const toml::table& root() const { return root_; }
    // "file:line" of a node, or "command line" for a --set value.
    std::string where(const toml::node* node) const;

private:
    std::string path_;
    toml::table root_;
};

// One table of a run file, read key by key; unknown keys are an error.
class Section {
public:
    Section(const RunFile& file, const toml::table* table, std::string name);

    bool has(const std::string& key) const;
    const toml::node* node(const std::string& key) const;
    double number(const std::string& key) const;
    double number(const std::string& key, double fallback) const;
    long long integer(const std::string& key, long long fallback) const;
    std::string string(const std::string& key) const;
    std::string string(const std::string& key, const std::string& fallback) const;
    std::vector<double> numbers(const std::string& key) const;                   // array of numbers
    std::vector<std::vector<double>> vectors(const std::string& key) const;      // array of arrays
    // Every key of the table must be in `allowed`.
    void only(const std::vector<std::string>& allowed) const;
    [[noreturn]] void fail(const std::string& key, const std::string& message) const;
    std::string where(const std::string& key) const;
    const std::string& name() const { return name_; }

private:
    const RunFile& file_;
    const toml::table* table_;
    std::string name_;
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
    std::string task;
};

// Validates the top-level keys, title and [model] (what `bzint export-hr` needs).
RunConfig read_model_section(const RunFile& file);
// Validates [model], [mesh], title and [task].kind; the task reads its own keys.
RunConfig read_common(const RunFile& file);

// `mu` as a number, a strictly increasing list, or {from, to, count}.
std::vector<double> read_levels(const Section& task, const std::string& key);

std::string join(const std::vector<std::string>& items);

}  // namespace bzint
