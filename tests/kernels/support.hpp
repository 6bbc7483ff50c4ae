// Shared by the SIMD-vs-reference kernel suites: deterministic random data and a comparison
// that names the first element out of tolerance.
#pragma once
#include <doctest/doctest.h>

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include <staticnet/core/rng.hpp>
#include <staticnet/kernels/simd/simd.hpp>

namespace kernel_test {

// Uniform in [lo, hi), from a fixed seed.
template <class T>
std::vector<T> random_values(std::size_t n, std::uint64_t seed, double lo = -1.0, double hi = 1.0) {
    staticnet::Rng rng(seed);
    std::vector<T> v(n);
    for (auto& x : v) x = static_cast<T>(lo + (hi - lo) * rng.uniform());
    return v;
}

// Relative tolerance for results that are sums of `terms` products reordered by a SIMD kernel
// (and fused multiply-adds): a few ulps per term in the worst case, far smaller in practice.
template <class T>
constexpr double sum_tolerance() {
    return sizeof(T) == sizeof(float) ? 2e-5 : 1e-13;
}

// |a - b| <= tol * max(1, |scale|) element by element, where scale is the largest |reference|
// value: reordered sums carry an absolute error relative to the magnitude of their terms.
template <class T>
void check_close(const std::vector<T>& ref, const std::vector<T>& got, double tol, const std::string& what) {
    REQUIRE(ref.size() == got.size());
    double scale = 1.0;
    for (auto v : ref) scale = std::max(scale, std::abs(static_cast<double>(v)));
    for (std::size_t i = 0; i < ref.size(); ++i) {
        const double a = static_cast<double>(ref[i]), b = static_cast<double>(got[i]);
        const bool both_nan = std::isnan(a) && std::isnan(b);
        if (!both_nan && !(std::abs(a - b) <= tol * scale)) {
            FAIL_CHECK(what << ": element " << i << " of " << ref.size() << ": reference " << a << ", simd " << b
                            << " (|diff| " << std::abs(a - b) << " > " << tol * scale << ")");
            return;
        }
    }
}

// Bit-for-bit equality (for kernels that only move or compare values: pooling, ReLU).
template <class T>
void check_equal(const std::vector<T>& ref, const std::vector<T>& got, const std::string& what) {
    REQUIRE(ref.size() == got.size());
    for (std::size_t i = 0; i < ref.size(); ++i) {
        const bool same = (std::isnan(ref[i]) && std::isnan(got[i])) || ref[i] == got[i];
        if (!same || std::signbit(ref[i]) != std::signbit(got[i])) {
            FAIL_CHECK(what << ": element " << i << " of " << ref.size() << ": reference " << ref[i] << ", simd "
                            << got[i]);
            return;
        }
    }
}

}  // namespace kernel_test

// Added for the activation / pool / batch-norm / optimizer suites.
namespace kernel_test {

// Calls f.template operator()<Arch>() for the build's default architecture (each test binary
// is built for one: AVX-512 in kernels_native_*, AVX2+FMA in kernels_avx2_*). With
// STATICNET_KERNEL_TESTS_AVX2_TOO a native binary also checks xsimd::fma3<xsimd::avx2> (twice
// the compile time; CMakeLists.txt says when).
template <class F>
void for_each_arch(F&& f) {
    f.template operator()<staticnet::kernels::simd::default_arch>();
#if defined(STATICNET_KERNEL_TESTS_AVX2_TOO) && STATICNET_HAS_XSIMD && XSIMD_WITH_AVX2 && XSIMD_WITH_FMA3_AVX2 && \
    XSIMD_WITH_AVX512F
    f.template operator()<xsimd::fma3<xsimd::avx2>>();
#endif
}

// "float" / "double", for messages.
template <class T>
const char* type_name() {
    return sizeof(T) == sizeof(float) ? "float" : "double";
}

// Largest |a - b| / max(1, max |ref|) (what check_close compares with its tolerance), NaNs in
// the same places ignored: for reporting the margin a tolerance leaves.
template <class T>
double scaled_difference(const std::vector<T>& ref, const std::vector<T>& got) {
    double scale = 1.0, worst = 0.0;
    for (auto v : ref) scale = std::max(scale, std::abs(static_cast<double>(v)));
    for (std::size_t i = 0; i < ref.size() && i < got.size(); ++i) {
        const double a = static_cast<double>(ref[i]), b = static_cast<double>(got[i]);
        if (std::isnan(a) && std::isnan(b)) continue;
        worst = std::max(worst, std::abs(a - b) / scale);
    }
    return worst;
}

}  // namespace kernel_test
