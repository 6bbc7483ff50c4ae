// SIMD activation kernels against the reference: ReLU forward/backward bit for bit (NaN, -0,
// infinities, tails), softmax forward/backward within a tolerance, the two dispatchers; float
// and double, the build's architecture and (where the build allows) AVX2+FMA.
#include <doctest/doctest.h>

#include <cmath>
#include <cstddef>
#include <limits>
#include <string>
#include <vector>

#include <staticnet/kernels/reference/activation.hpp>
#include <staticnet/kernels/simd/activation.hpp>

#include "kernels/support.hpp"

namespace {

namespace sn = staticnet;
namespace ref = staticnet::kernels::reference;
namespace simd = staticnet::kernels::simd;
namespace kt = kernel_test;

// Softmax outputs lie in [0, 1] and are compared relative to 1 (check_close scales by
// max(1, |largest output|)). The SIMD softmax_rows computes the reference's operations in the
// reference's order (only the exact maximum and the final scaling are on vectors), so it should
// match to the bit; the tolerance allows 2 ulps of 1.0 in case a compiler contracts or
// vectorises one of them differently.
template <class T>
constexpr double softmax_tolerance() {
    return 2.0 * std::numeric_limits<T>::epsilon();
}

// softmax_backward_inplace: g_j <- y_j (g_j - dot), dot = sum g.y taken on vectors (another
// order, fused multiply-adds). |g| <= 1 and sum y = 1, so sum |g_j y_j| <= 1 and reordering the
// dot changes it by at most ~(cols - 1) ulps of 1 in the worst case: 99 ulps for the longest row
// below, 6e-6 (float) / 1.1e-14 (double), times y_j <= 1. Tolerances 1e-5 / 2e-14; measured:
// 4.5e-8 / 1.1e-16.
template <class T>
constexpr double softmax_backward_tolerance() {
    return sizeof(T) == sizeof(float) ? 1e-5 : 2e-14;
}

constexpr std::size_t counts[] = {0, 1, 3, 7, 8, 15, 16, 17, 31, 33, 63, 64, 65, 100, 1001};

// Random values with the special cases sprinkled in: NaN, -0, +0, +-inf, exact ties at 0.
template <class T>
std::vector<T> relu_input(std::size_t n, std::uint64_t seed) {
    auto v = kt::random_values<T>(n, seed);
    const T specials[] = {std::numeric_limits<T>::quiet_NaN(), T(-0.0), T(0), std::numeric_limits<T>::infinity(),
                          -std::numeric_limits<T>::infinity(), -std::numeric_limits<T>::quiet_NaN(),
                          std::numeric_limits<T>::denorm_min(), -std::numeric_limits<T>::denorm_min()};
    for (std::size_t i = 0; i < n; i += 5) v[i] = specials[(i / 5 + seed) % std::size(specials)];
    return v;
}

template <class T, class Arch>
void check_relu() {
    for (std::size_t n : counts) {
        const std::string what = std::string(kt::type_name<T>()) + " n=" + std::to_string(n) + " arch=" + Arch::name();
        CAPTURE(what);
        const auto x = relu_input<T>(n, 11 + n);
        std::vector<T> y_ref(n), y_simd(n, T(7));
        ref::relu_forward(x.data(), y_ref.data(), n);
        simd::relu_forward<Arch>(x.data(), y_simd.data(), n);
        kt::check_equal(y_ref, y_simd, what + " relu forward");
        for (std::size_t i = 0; i < n; ++i) {
            if (std::isnan(x[i])) CHECK(std::isnan(y_simd[i]));         // NaN passes
            if (x[i] == T(0)) CHECK(!std::signbit(y_simd[i]));          // -0 becomes +0
        }
        auto y_inplace = x;
        simd::relu_forward<Arch>(y_inplace.data(), y_inplace.data(), n);
        kt::check_equal(y_ref, y_inplace, what + " relu forward in place");

        // Backward: y with zeros, -0, NaN, negatives (as an upstream layer could give).
        const auto y = relu_input<T>(n, 12 + n);
        const auto g = relu_input<T>(n, 13 + n);
        auto g_ref = g, g_simd = g;
        ref::relu_backward_inplace(y.data(), g_ref.data(), n);
        simd::relu_backward_inplace<Arch>(y.data(), g_simd.data(), n);
        kt::check_equal(g_ref, g_simd, what + " relu backward");
    }
}

template <class T, class Arch>
void check_softmax(std::size_t rows, std::size_t cols, double spread) {
    const std::string what = std::string(kt::type_name<T>()) + " rows=" + std::to_string(rows) +
                             " cols=" + std::to_string(cols) + " arch=" + Arch::name();
    CAPTURE(what);
    const std::size_t n = rows * cols;
    const auto x = kt::random_values<T>(n, 21 + n, -spread, spread);
    std::vector<T> y_ref(n), y_simd(n, T(7));
    ref::softmax_rows(x.data(), y_ref.data(), rows, cols);
    simd::softmax_rows<Arch>(x.data(), y_simd.data(), rows, cols);
    kt::check_close(y_ref, y_simd, softmax_tolerance<T>(), what + " softmax");
    auto y_inplace = x;
    simd::softmax_rows<Arch>(y_inplace.data(), y_inplace.data(), rows, cols);
    kt::check_close(y_ref, y_inplace, softmax_tolerance<T>(), what + " softmax in place");
    for (std::size_t r = 0; r < rows; ++r) {
        double sum = 0;
        for (std::size_t j = 0; j < cols; ++j) sum += static_cast<double>(y_simd[r * cols + j]);
        CHECK(std::abs(sum - 1.0) < 1e-5);
    }

    // Backward from the output y: g <- y (g - g.y), a sum like the forward's.
    const auto g = kt::random_values<T>(n, 22 + n);
    auto g_ref = g, g_simd = g;
    ref::softmax_backward_inplace(y_ref.data(), g_ref.data(), rows, cols);
    simd::softmax_backward_inplace<Arch>(y_ref.data(), g_simd.data(), rows, cols);
    kt::check_close(g_ref, g_simd, softmax_backward_tolerance<T>(), what + " softmax backward");
}

template <class T, class Arch>
void check_softmax_all() {
    for (std::size_t rows : {1, 3, 63})
        for (std::size_t cols : {1, 2, 3, 7, 8, 9, 10, 15, 16, 17, 33, 100}) check_softmax<T, Arch>(rows, cols, 4.0);
    check_softmax<T, Arch>(5, 10, 60.0);  // large logits: the max subtraction keeps exp finite
    check_softmax<T, Arch>(4, 37, 0.0);   // all equal: exactly uniform

    // A NaN anywhere in a row makes the whole row NaN (as in the reference); other rows are fine.
    for (std::size_t cols : {3, 10, 17, 40}) {
        for (std::size_t at : {std::size_t{0}, cols / 2, cols - 1}) {
            auto x = kt::random_values<T>(2 * cols, 31 + cols);
            x[cols + at] = std::numeric_limits<T>::quiet_NaN();
            std::vector<T> y_ref(2 * cols), y_simd(2 * cols);
            ref::softmax_rows(x.data(), y_ref.data(), 2, cols);
            simd::softmax_rows<Arch>(x.data(), y_simd.data(), 2, cols);
            kt::check_close(y_ref, y_simd, softmax_tolerance<T>(), "softmax with NaN");
            for (std::size_t j = 0; j < cols; ++j) {
                CHECK(!std::isnan(y_simd[j]));
                CHECK(std::isnan(y_simd[cols + j]));
            }
        }
    }
}

template <class T, class Arch>
void check_dispatch() {
    const std::string what = std::string(kt::type_name<T>()) + " arch=" + Arch::name();
    CAPTURE(what);
    const std::size_t rows = 7, cols = 10, n = rows * cols;
    for (auto a : {sn::ActivationFunction::linear, sn::ActivationFunction::relu, sn::ActivationFunction::softmax}) {
        const auto x = relu_input<T>(n, 41);
        const auto z = kt::random_values<T>(n, 42, -3, 3);
        auto y_ref = a == sn::ActivationFunction::softmax ? z : x, y_simd = y_ref;
        ref::activate_inplace(a, y_ref.data(), rows, cols);
        simd::activate_inplace<Arch>(a, y_simd.data(), rows, cols);
        if (a == sn::ActivationFunction::softmax)
            kt::check_close(y_ref, y_simd, softmax_tolerance<T>(), what + " activate_inplace softmax");
        else
            kt::check_equal(y_ref, y_simd, what + " activate_inplace " + sn::activation_name(a));
        for (bool fused : {false, true}) {
            const auto g = kt::random_values<T>(n, 43);
            auto g_ref = g, g_simd = g;
            ref::activation_backward_inplace(a, y_ref.data(), g_ref.data(), rows, cols, fused);
            simd::activation_backward_inplace<Arch>(a, y_ref.data(), g_simd.data(), rows, cols, fused);
            const std::string name = what + " activation_backward_inplace " + sn::activation_name(a);
            if (a == sn::ActivationFunction::softmax && !fused) kt::check_close(g_ref, g_simd, softmax_backward_tolerance<T>(), name);
            else kt::check_equal(g_ref, g_simd, name);
        }
    }
}

}  // namespace

TEST_CASE_TEMPLATE("simd relu_forward / relu_backward_inplace equal the reference bit for bit", T, float, double) {
    kt::for_each_arch([]<class Arch>() { check_relu<T, Arch>(); });
}

TEST_CASE_TEMPLATE("simd softmax_rows / softmax_backward_inplace agree with the reference", T, float, double) {
    kt::for_each_arch([]<class Arch>() { check_softmax_all<T, Arch>(); });
}

TEST_CASE_TEMPLATE("simd activate_inplace / activation_backward_inplace dispatch like the reference", T, float,
                   double) {
    kt::for_each_arch([]<class Arch>() { check_dispatch<T, Arch>(); });
}

// sigmoid and tanh forward are the reference's function (the same bits); their backward passes
// and leaky ReLU use the reference's arithmetic on vectors (within an ulp: fma contraction).
template <class T, class Arch>
void check_elementwise_more() {
    const std::string what = std::string(kt::type_name<T>()) + " arch=" + Arch::name();
    CAPTURE(what);
    for (std::size_t n : {std::size_t{1}, std::size_t{7}, std::size_t{64}, std::size_t{1031}}) {
        auto x = kt::random_values<T>(n, 61, -6, 6);
        x[0] = T(0);
        for (auto a : {sn::ActivationFunction::sigmoid, sn::ActivationFunction::tanh, sn::ActivationFunction::leaky_relu}) {
            auto y_ref = x, y_simd = x;
            ref::activate_inplace(a, y_ref.data(), n, 1);
            simd::activate_inplace<Arch>(a, y_simd.data(), n, 1);
            kt::check_equal(y_ref, y_simd, what + " activate_inplace " + sn::activation_name(a));
            const auto g = kt::random_values<T>(n, 62);
            auto g_ref = g, g_simd = g;
            ref::activation_backward_inplace(a, y_ref.data(), g_ref.data(), n, 1, false);
            simd::activation_backward_inplace<Arch>(a, y_ref.data(), g_simd.data(), n, 1, false);
            kt::check_close(g_ref, g_simd, T(4) * std::numeric_limits<T>::epsilon(),
                            what + " activation_backward_inplace " + sn::activation_name(a));
        }
        auto l_ref = x, l_simd = x;
        ref::leaky_relu_forward(x.data(), l_ref.data(), n, T(0.1));
        simd::leaky_relu_forward<Arch>(x.data(), l_simd.data(), n, T(0.1));
        kt::check_equal(l_ref, l_simd, what + " leaky_relu_forward 0.1");
    }
    // NaN passes through leaky ReLU.
    T v[1] = {std::numeric_limits<T>::quiet_NaN()};
    simd::leaky_relu_forward<Arch>(v, v, 1, T(0.2));
    CHECK(std::isnan(v[0]));
}

TEST_CASE_TEMPLATE("simd sigmoid / tanh / leaky ReLU agree with the reference", T, float, double) {
    kt::for_each_arch([]<class Arch>() { check_elementwise_more<T, Arch>(); });
}

TEST_CASE("simd activations with compile-time sizes (constant-folded loops build without warnings)") {
    constexpr std::size_t rows = 64, cols = 10, n = 64 * 28 * 28 * 32 + 5;
    const auto x = relu_input<float>(n, 51);
    std::vector<float> y_ref(n), y_simd(n);
    ref::relu_forward(x.data(), y_ref.data(), n);
    simd::relu_forward(x.data(), y_simd.data(), n);
    kt::check_equal(y_ref, y_simd, "constant count relu");
    auto g_ref = x, g_simd = x;
    ref::relu_backward_inplace(y_ref.data(), g_ref.data(), n);
    simd::relu_backward_inplace(y_ref.data(), g_simd.data(), n);
    kt::check_equal(g_ref, g_simd, "constant count relu backward");
    const auto z = kt::random_values<float>(rows * cols, 52, -5, 5);
    std::vector<float> s_ref(rows * cols), s_simd(rows * cols);
    ref::softmax_rows(z.data(), s_ref.data(), rows, cols);
    simd::softmax_rows(z.data(), s_simd.data(), rows, cols);
    kt::check_close(s_ref, s_simd, softmax_tolerance<float>(), "constant shape softmax");
}
