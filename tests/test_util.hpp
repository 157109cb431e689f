// Running run files in-process for tests.
#pragma once
#include <nlohmann/json.hpp>

#include <string>

#include "app.hpp"
#include "model_registry.hpp"
#include "run_file.hpp"

namespace bzint::test {

inline nlohmann::json run_toml(const std::string& text, Backend backend = Backend::cpu) {
    return run(RunFile::parse(text, "test.toml"), backend);
}

// A built-in model at its default parameters.
inline ModelParams defaults(const ModelInfo& info) {
    ModelParams mp{info.id, {}};
    for (std::size_t i = 0; i < info.params.size(); ++i) mp.p[i] = info.params[i].default_value;
    return mp;
}

inline nlohmann::json results(const std::string& text, Backend backend = Backend::cpu) {
    return run_toml(text, backend)["results"];
}

}  // namespace bzint::test
