// Small helpers shared by the layer suites: fill a parameter span from a list, compare spans.
#pragma once
#include <doctest/doctest.h>

#include <cstddef>
#include <initializer_list>
#include <span>

namespace layer_tests {

// Copies `values` into `dst`; the sizes must match exactly (a wrong layout fails here first).
template <class T>
void set(std::span<T> dst, std::initializer_list<double> values) {
    REQUIRE(dst.size() == values.size());
    std::size_t i = 0;
    for (double v : values) dst[i++] = static_cast<T>(v);
}

// Every element of `got` equals `want` within `eps` (relative, doctest::Approx).
template <class T>
void check_close(std::span<const T> got, std::initializer_list<double> want, double eps = 1e-12) {
    REQUIRE(got.size() == want.size());
    std::size_t i = 0;
    for (double v : want) {
        CAPTURE(i);
        CHECK(static_cast<double>(got[i]) == doctest::Approx(v).epsilon(eps));
        ++i;
    }
}

}  // namespace layer_tests
