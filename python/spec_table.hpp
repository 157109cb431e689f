// A Python dict as a run file's TOML table (python/bindings.cpp): what bzint.run(spec) validates
// with the run file's own code (RunFile::from_table).
#pragma once
#include <nanobind/nanobind.h>
#include <nanobind/stl/string.h>

#include <fmt/core.h>
#include <toml++/toml.h>

#include <string>
#include <variant>

#include "input_error.hpp"

namespace bzint::python {

namespace nb = nanobind;

// A run file's tables are at most three deep and its arrays short (kMaxRunFileBytes of text);
// a dict deeper or larger than these is refused before it is converted.
constexpr int kMaxDepth = 16;
constexpr long long kMaxValues = 1 << 20;

// A Python dict as the run file's TOML table. Numpy arrays and scalars arrive as lists and plain
// numbers (bzint/__init__.py _plain); anything else is an InputError naming where it is.
class ToToml {
public:
    toml::table table(nb::handle obj, const std::string& where, int depth) {
        if (!nb::isinstance<nb::dict>(obj)) refuse(where, "expected a dict (a table of the run file)");
        toml::table t;
        for (auto [k, v] : nb::borrow<nb::dict>(obj)) {
            if (!nb::isinstance<nb::str>(k)) refuse(where, "keys must be strings");
            const std::string key = nb::cast<std::string>(k);
            std::visit([&](auto&& x) { t.insert(key, std::move(x)); }, value(v, fmt::format("{}['{}']", where, key), depth));
        }
        return t;
    }

private:
    using Value = std::variant<toml::table, toml::array, bool, int64_t, double, std::string>;
    long long values_ = 0;

    [[noreturn]] static void refuse(const std::string& where, const std::string& what) {
        throw InputError(fmt::format("spec{}: {}", where, what));
    }

    Value value(nb::handle v, const std::string& at, int depth) {
        if (depth >= kMaxDepth) refuse(at, fmt::format("nested deeper than {} levels", kMaxDepth));
        if (++values_ > kMaxValues) refuse(at, fmt::format("more than {} values in all", kMaxValues));
        if (nb::isinstance<nb::dict>(v)) return table(v, at, depth + 1);
        if (nb::isinstance<nb::list>(v) || nb::isinstance<nb::tuple>(v)) {
            toml::array a;
            std::size_t i = 0;
            for (nb::handle e : v)
                std::visit([&](auto&& x) { a.push_back(std::move(x)); }, value(e, fmt::format("{}[{}]", at, i++), depth + 1));
            return a;
        }
        if (nb::isinstance<nb::bool_>(v)) return nb::cast<bool>(v);  // before int: Python's True is an int too
        if (nb::isinstance<nb::int_>(v)) {
            long long x = 0;
            if (!nb::try_cast<long long>(v, x)) refuse(at, "an integer outside the 64-bit range");
            return static_cast<int64_t>(x);
        }
        if (nb::isinstance<nb::float_>(v)) return nb::cast<double>(v);
        if (nb::isinstance<nb::str>(v)) return nb::cast<std::string>(v);
        refuse(at, fmt::format("a value of type {}; a spec holds numbers, strings, booleans, lists and dicts",
                               nb::cast<std::string>(nb::str(v.type().attr("__name__")))));
    }
};

}  // namespace bzint::python
