// The complete input of a run as canonical JSON (keys sorted): the run file after --set, a
// content fingerprint of every file it reads (Wannier models), and bzint's version. A result
// file records it ("input"), so it says what produced it; a sweep log carries it without the
// swept values, a checkpoint folder with the backend and rank count; --resume compares them and
// names what differs.
#pragma once
#include <nlohmann/json.hpp>

#include <string>
#include <vector>

#include "run_file.hpp"

namespace bzint {

nlohmann::json input_record(const RunFile& file, const RunConfig& cfg);

// What differs between two records, one "[section] key: before → now" per entry.
std::vector<std::string> input_differences(const nlohmann::json& before, const nlohmann::json& now);
// The first few of them, joined for a message.
std::string join_differences(const std::vector<std::string>& d);

// A TOML table as JSON (integers stay integers; dates and times become strings).
nlohmann::json toml_to_json(const toml::node& node);

}  // namespace bzint
