#include "input_record.hpp"

#include <fmt/core.h>

#include <cmath>
#include <fstream>
#include <sstream>

#include "checkpoint.hpp"

namespace bzint {

using nlohmann::json;

json toml_to_json(const toml::node& node) {
    if (const toml::table* t = node.as_table()) {
        json o = json::object();
        for (const auto& [k, v] : *t) o[std::string(k.str())] = toml_to_json(v);
        return o;
    }
    if (const toml::array* a = node.as_array()) {
        json arr = json::array();
        for (const toml::node& e : *a) arr.push_back(toml_to_json(e));
        return arr;
    }
    if (auto v = node.value_exact<int64_t>()) return *v;
    if (auto v = node.value_exact<double>()) return std::isfinite(*v) ? json(*v) : json(fmt::format("{}", *v));
    if (auto v = node.value_exact<bool>()) return *v;
    if (auto v = node.value_exact<std::string>()) return *v;
    std::ostringstream s;  // dates and times
    node.visit([&](const auto& v) {
        if constexpr (toml::is_date<decltype(v)> || toml::is_time<decltype(v)> || toml::is_date_time<decltype(v)>) s << v;
    });
    return s.str();
}

namespace {

std::string file_fingerprint(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return "unreadable";
    std::uint64_t h = kFingerprintStart;
    char buf[1 << 16];
    while (in) {
        in.read(buf, sizeof buf);
        h = fingerprint_of(std::string_view(buf, static_cast<std::size_t>(in.gcount())), h);
    }
    return fmt::format("fnv1a64:{:016x}", h);
}

void differences(const json& a, const json& b, const std::string& where, std::vector<std::string>& out) {
    if (a.is_object() && b.is_object()) {
        for (auto it = a.begin(); it != a.end(); ++it) {
            const std::string w = where.empty() ? it.key() : where + "." + it.key();
            if (!b.contains(it.key()))
                out.push_back(fmt::format("{}: {} → absent", w, it.value().dump()));
            else
                differences(it.value(), b[it.key()], w, out);
        }
        for (auto it = b.begin(); it != b.end(); ++it)
            if (!a.contains(it.key()))
                out.push_back(fmt::format("{}: absent → {}", where.empty() ? it.key() : where + "." + it.key(), it.value().dump()));
        return;
    }
    if (a != b) out.push_back(fmt::format("{}: {} → {}", where, a.dump(), b.dump()));
}

}  // namespace

json input_record(const RunFile& file, const RunConfig& cfg) {
    json files = json::object();
    for (const auto& path : cfg.input_files) files[path] = file_fingerprint(path);
    return {{"run_file", toml_to_json(file.root())}, {"files_read", files}, {"bzint", BZINT_VERSION}};
}

std::vector<std::string> input_differences(const json& before, const json& now) {
    std::vector<std::string> out;
    differences(before, now, "", out);
    return out;
}

std::string join_differences(const std::vector<std::string>& d) {
    std::string s;
    const std::size_t shown = std::min<std::size_t>(d.size(), 6);
    for (std::size_t i = 0; i < shown; ++i) s += (i ? "; " : "") + d[i];
    if (d.size() > shown) s += fmt::format("; and {} more", d.size() - shown);
    return s.empty() ? "no difference in the input itself" : s;
}

}  // namespace bzint
