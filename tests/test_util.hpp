// Running run files in-process for tests.
#pragma once
#include <nlohmann/json.hpp>

#include <string>

#include "app.hpp"
#include "run_file.hpp"

namespace bzint::test {

inline nlohmann::json run_toml(const std::string& text, Backend backend = Backend::cpu) {
    return run(RunFile::parse(text, "test.toml"), backend);
}

inline nlohmann::json results(const std::string& text, Backend backend = Backend::cpu) {
    return run_toml(text, backend)["results"];
}

}  // namespace bzint::test
