// Every key a run file may hold: its section, the tasks that read it, its type, unit, default,
// range and meaning. The one table behind validation — a Section allows exactly the keys listed
// for its section and task and checks each number against its range — and behind
// docs/run-file.md (`bzint keys`; a test compares the two), so that they cannot drift.
#pragma once
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "bzint/models/model_traits.hpp"

namespace bzint {

struct KeySpec {
    const char* section;  // "top", "model", "model wannier", "mesh", "task", "task.refine", "task.plane",
                          // "field", "dissipation", "dissipation rta|dpa|exact", "disorder"
    const char* key;
    const char* tasks;    // "*" or the task kinds that read it, separated by spaces
    const char* type;
    const char* unit;
    const char* default_text;  // "required" when it has none
    double min, max;           // numbers, and each number of a numeric list; NaN: not numeric
    bool min_exclusive;
    const char* meaning;
};

std::span<const KeySpec> run_keys();
// The key's entry for this section and task, or nullptr.
const KeySpec* find_key(std::string_view section, std::string_view key, std::string_view task);
// The keys a table of this section accepts for this task, in the table's order.
std::vector<std::string> keys_of(std::string_view section, std::string_view task);
// The tasks whose rows name `key` in `section`, each once, in the table's order.
std::vector<std::string> tasks_reading(std::string_view section, std::string_view key);
// "0 ≤ T ≤ 1e12", "0 < gamma ≤ 1e12", "2 ≤ m ≤ 64" for a numeric key; the same for a built-in
// model's parameter (model_traits.hpp).
std::string range_text(const KeySpec& k);
std::string parameter_range_text(const ParamSpec& p);

// Limits on what a run file can ask for (documented in docs/run-file.md). Lists are held in
// memory and written out whole, so they are bounded; meshes are streamed, so only their point
// count is (so that 64-bit index arithmetic cannot overflow).
constexpr long long kMaxLevels = 100000;         // [task] mu
constexpr long long kMaxFieldValues = 10000;     // [field] E
constexpr long long kMaxPathPoints = 1000000;    // task bands, all segments together
constexpr long long kMaxPointList = 100000;      // task berry, points
constexpr long long kMaxPlanePoints = 1000000;   // task berry, plane n1 × n2
constexpr long long kMaxFieldList = 100;         // task streda, B (one mesh pass each)
constexpr long long kMaxMeshPoints = 1LL << 62;  // [mesh] n, the product
constexpr long long kMaxSteps = 1LL << 30;       // RK4 steps per trajectory or period
constexpr long long kMaxChernPlanes = 1LL << 20; // task chern, 3D: n3
constexpr std::size_t kMaxRunFileBytes = 4u << 20;

// What a run may hold in memory at once: half the machine's physical memory. Every allocation
// whose size a user number sets is estimated against it before any work.
double memory_budget_bytes();
// "512 MiB", "3.2 GiB".
std::string bytes_text(double bytes);

// The markdown of docs/run-file.md: every section and key, the models' parameters, the limits.
std::string run_keys_markdown();

}  // namespace bzint
