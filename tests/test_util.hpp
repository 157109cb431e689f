// Running run files in-process for tests, each in a temporary folder of its own.
#pragma once
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <stdlib.h>

#include <filesystem>
#include <string>

#include "app.hpp"
#include "model_registry.hpp"
#include "run_file.hpp"

namespace bzint::test {

// A new, empty folder under the test's temporary directory, removed with its contents at the end
// of the scope (tests write nothing anywhere else).
class TempDir {
public:
    TempDir() {
        std::string pattern = (std::filesystem::path(::testing::TempDir()) / "bzint_XXXXXX").string();
        if (!mkdtemp(pattern.data())) throw std::runtime_error("mkdtemp failed");
        path_ = pattern;
    }
    ~TempDir() {
        std::error_code ec;
        std::filesystem::remove_all(path_, ec);
    }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    const std::string& path() const { return path_; }
    std::string operator/(const std::string& name) const { return (std::filesystem::path(path_) / name).string(); }

private:
    std::string path_;
};

// The Cartesian k of every point of a mesh, in mesh order.
inline std::vector<std::array<double, 3>> mesh_points(const Mesh& mesh) {
    std::vector<std::array<double, 3>> k(static_cast<std::size_t>(mesh.count()));
    for (long long i = 0; i < mesh.count(); ++i) mesh.k_of(i, k[static_cast<std::size_t>(i)].data());
    return k;
}

inline nlohmann::json run_toml(const std::string& text, Backend backend = Backend::cpu) {
    const TempDir dir;
    return run(RunFile::parse(text, "test.toml"), backend, RunOptions{dir.path(), false, true});
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

// Whether a run's document holds a warning containing `what`.
inline bool warns_about(const nlohmann::json& doc, const std::string& what) {
    if (!doc.contains("warnings")) return false;
    for (const auto& w : doc.at("warnings"))
        if (w.get<std::string>().find(what) != std::string::npos) return true;
    return false;
}

}  // namespace bzint::test
