// What the reference-fixture suites (tests/reference/forward_fixtures.cpp, training_fixtures.cpp)
// share on top of the loader (fixture.hpp): fixture paths and record names, the comparison of a
// library result with a fixture tensor that also keeps the worst relative error of a run, the
// check that every fixture file of a kind has a test case, and a fixture that checks that every
// one of its records was used (Tracked).
#pragma once

#include "support/fixture.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdlib>
#include <filesystem>
#include <set>
#include <span>
#include <string>
#include <string_view>

namespace staticnet::test {

#ifdef STATICNET_FIXTURE_DIR
inline std::string fixture_path(const char* file) { return std::string(STATICNET_FIXTURE_DIR) + "/" + file; }

// Every "<prefix>*.txt" in the fixture directory is one of `covered` (the files `suite` has a test
// case for), and `covered` names no file that is not there.
inline void check_fixtures_covered(std::string_view prefix, std::span<const char* const> covered,
                                   const char* suite) {
    namespace fs = std::filesystem;
    int files = 0;
    for (const auto& entry : fs::directory_iterator(fs::path(STATICNET_FIXTURE_DIR))) {
        const std::string name = entry.path().filename().string();
        if (name.rfind(prefix, 0) != 0 || entry.path().extension() != ".txt") continue;
        ++files;
        CHECK_MESSAGE(std::find_if(covered.begin(), covered.end(), [&](const char* c) { return name == c; }) !=
                          covered.end(),
                      name << " has no test case in " << suite);
    }
    CHECK(files == static_cast<int>(covered.size()));
}

// A fixture (by file name in the fixture directory) whose every record must be looked at:
// tensor()/scalar() remember the names, check_all_used() reports the others.
class Tracked {
public:
    explicit Tracked(const char* file) : f_(fixture_path(file)) {}
    const Tensor& tensor(const std::string& name) {
        INFO(f_.source() << ": " << name);
        REQUIRE(f_.has_tensor(name));
        used_.insert(name);
        return f_.tensor(name);
    }
    double scalar(const std::string& name) {
        INFO(f_.source() << ": " << name);
        REQUIRE(f_.has_scalar(name));
        used_.insert(name);
        return f_.scalar(name);
    }
    bool has_tensor(const std::string& name) const { return f_.has_tensor(name); }
    bool has_scalar(const std::string& name) const { return f_.has_scalar(name); }
    const std::string& source() const { return f_.source(); }
    // Everything in the file was compared (or deliberately marked as used).
    void check_all_used() const {
        std::string unused;
        for (const auto& n : f_.tensor_names())
            if (!used_.count(n)) unused += " " + n;
        for (const auto& n : f_.scalar_names())
            if (!used_.count(n)) unused += " " + n;
        CHECK_MESSAGE(unused.empty(), f_.source() << ": records not compared:" << unused);
    }

private:
    Fixture f_;
    std::set<std::string> used_;
};
#endif

// "L{p}.{name}" (built by appending: GCC 12 warns falsely (-Wrestrict) on "L" + std::to_string(p)).
inline std::string key(int p, const std::string& name) {
    std::string s = "L";
    s += std::to_string(p);
    s += '.';
    s += name;
    return s;
}

// The worst error of a run: max |actual - expected| / max(1, max |expected|) over a tensor's
// stored entries (what check_close bounds), and where it was.
struct Worst {
    double error = 0;
    std::string where = "-";
    void note(double e, const std::string& what) {
        if (e > error || where == "-") {
            error = e;
            where = what;
        }
    }
};

// STATICNET_FIXTURE_VERBOSE=1 in the environment: print every tensor's error.
inline bool verbose() {
    static const bool v = std::getenv("STATICNET_FIXTURE_VERBOSE") != nullptr;
    return v;
}

// `actual` (the whole tensor, flat row-major) against a fixture tensor: the sizes must agree; the
// error is noted in `worst`; when rel_tol > 0 the values are also checked (check_close),
// rel_tol = 0: measured and reported only.
template <class T>
void compare(std::span<const T> actual, const Tensor& expected, double rel_tol, const std::string& what,
             Worst& worst) {
    CHECK(actual.size() == expected.size());
    if (actual.size() == expected.size()) {
        const double scale = std::max(1.0, expected.max_abs);
        double e = 0;
        for (std::size_t k = 0; k < expected.values.size(); ++k) {
            const std::size_t i = expected.sampled() ? expected.indices[k] : k;
            const double a = static_cast<double>(actual[i]);
            if (a == expected.values[k]) continue;
            const double d = std::isnan(a) || std::isnan(expected.values[k]) ? INFINITY
                                                                              : std::abs(a - expected.values[k]) / scale;
            e = std::max(e, d);
        }
        worst.note(e, what);
        if (verbose()) MESSAGE(what << ": " << e);
    }
    if (rel_tol > 0) check_close(actual, expected, rel_tol, what.c_str());
}

// A scalar against a fixture scalar (checked: rel_tol * max(1, |expected|)), noted in `worst`.
inline void compare_scalar(double actual, double expected, double rel_tol, const std::string& what, Worst& worst) {
    worst.note(actual == expected ? 0.0 : std::abs(actual - expected) / std::max(1.0, std::abs(expected)), what);
    check_close(actual, expected, rel_tol, what.c_str());
}

}  // namespace staticnet::test
