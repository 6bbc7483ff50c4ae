// GlobalAveragePooling2D (channels_last, keepdims = False): (H, W, C) -> flat C. Shape rule, no
// parameters, names and source spelling, hand-computed forward and backward in float and double
// (odd sizes, a 1x1 input, 37 channels over two samples for the layer's SIMD path and its tail),
// and a Dense straight after it. Gradient checks: tests/train/gradient_check.cpp; SIMD against
// reference: tests/kernels/average_pool.cpp; PyTorch: forward_gap*.txt.
#include <doctest/doctest.h>

#include <cstddef>
#include <span>
#include <string_view>
#include <type_traits>
#include <vector>

#include <staticnet/core.hpp>

#include "support.hpp"

namespace sn = staticnet;
using layer_tests::check_close;
using layer_tests::set;

namespace {

using G = sn::GlobalAveragePooling2D;
using On13x17 = sn::Sequential<sn::Input<13, 17, 5>, G>;
static_assert(On13x17::shapes[1] == sn::flat_shape(5) && On13x17::shapes[1].flat());
static_assert(On13x17::params.total == 0 && On13x17::macs_per_sample == 0);
static_assert(!G::in_place && !G::backward_needs_input && !G::backward_needs_output);
static_assert(std::string_view(G::keras_class) == "GlobalAveragePooling2D");
static_assert(std::string_view(G::keras_name) == "global_average_pooling2d");
static_assert(std::is_same_v<sn::GlobalAvgPool2D, G>);
// A Dense takes its flat output directly (and a Flatten after it changes nothing).
using Head = sn::Sequential<sn::Input<7, 7, 16>, G, sn::Dense<{.units = 10, .activation = sn::softmax}>>;
static_assert(Head::params.total == 16 * 10 + 10 && Head::output_shape == sn::flat_shape(10));
static_assert(sn::Sequential<sn::Input<7, 7, 16>, G, sn::Flatten>::shapes[2] == sn::flat_shape(16));
static_assert(sn::source_text<sn::Sequential<sn::Input<7, 7, 16>, G>>() ==
              "sn::Sequential<\n    sn::Input<7, 7, 16>,\n    sn::GlobalAveragePooling2D>");

template <class T>
constexpr double eps = sizeof(T) == sizeof(float) ? 1e-6 : 1e-13;

}  // namespace

TEST_CASE_TEMPLATE("GlobalAveragePooling2D on 2x3x2: the mean of each channel", T, float, double) {
    using Net = sn::Sequential<sn::Input<2, 3, 2>, G>;
    static_assert(Net::shapes[1] == sn::flat_shape(2));
    // channel 0: 1 2 3 / 4 5 9        -> 24 / 6 = 4
    // channel 1: -1 0.5 0 / 2 -3 4.5  -> 3 / 6 = 0.5
    static sn::Inference<Net, 1, T> net;
    const double c0[6] = {1, 2, 3, 4, 5, 9}, c1[6] = {-1, 0.5, 0, 2, -3, 4.5};
    std::vector<T> x;
    for (int i = 0; i < 6; ++i) x.insert(x.end(), {static_cast<T>(c0[i]), static_cast<T>(c1[i])});
    check_close<T>(net.predict(std::span<const T>(x), 1), {4, 0.5}, eps<T>);

    // Backward: gy / 6 at every position: (6, -3) -> (1, -0.5).
    T gy[2] = {6, -3};
    std::vector<T> gx(12, T(7));
    sn::LayerContext<T> ctx;
    G::backward<sn::Shape{2, 3, 2, 3}, T>(ctx, nullptr, nullptr, gy, gx.data(), 1);
    check_close<T>(std::span<const T>(gx), {1, -0.5, 1, -0.5, 1, -0.5, 1, -0.5, 1, -0.5, 1, -0.5}, eps<T>);
}

TEST_CASE_TEMPLATE("GlobalAveragePooling2D on 3x5x1 (odd sizes) and on 1x1x3 (the identity)", T, float, double) {
    using Odd = sn::Sequential<sn::Input<3, 5, 1>, G>;
    static sn::Inference<Odd, 1, T> odd;
    std::vector<T> x(15);
    for (int i = 0; i < 15; ++i) x[i] = static_cast<T>(i * i);  // sum of squares 0..14 = 1015
    check_close<T>(odd.predict(std::span<const T>(x), 1), {1015.0 / 15}, eps<T>);

    using One = sn::Sequential<sn::Input<1, 1, 3>, G>;
    static sn::Inference<One, 1, T> one;
    const std::vector<T> v = {T(-2.5), T(0.125), T(3)};
    check_close<T>(one.predict(std::span<const T>(v), 1), {-2.5, 0.125, 3}, eps<T>);
    T gy[3] = {1, 2, -4};
    T gx[3] = {7, 7, 7};
    sn::LayerContext<T> ctx;
    G::backward<sn::Shape{1, 1, 3, 3}, T>(ctx, nullptr, nullptr, gy, gx, 1);
    check_close<T>(std::span<const T>(gx, 3), {1, 2, -4}, eps<T>);
}

TEST_CASE_TEMPLATE("GlobalAveragePooling2D on 37 channels, two samples (the layer's SIMD path and its tail)", T, float,
                   double) {
    // Channel c of position i is (i + 1) * (c + 1) (sample 1: negated); 3 x 3 positions, so
    // the mean is 5 * (c + 1).
    constexpr int C = 37;
    using Net = sn::Sequential<sn::Input<3, 3, C>, G>;
    static sn::Inference<Net, 2, T> net;
    std::vector<T> x(2 * 9 * C);
    for (int s = 0; s < 2; ++s)
        for (int i = 0; i < 9; ++i)
            for (int c = 0; c < C; ++c) x[(s * 9 + i) * C + c] = static_cast<T>((s ? -1 : 1) * (i + 1) * (c + 1));
    const auto y = net.predict(std::span<const T>(x), 2);
    REQUIRE(y.size() == 2 * C);
    for (int s = 0; s < 2; ++s)
        for (int c = 0; c < C; ++c) {
            CAPTURE(s);
            CAPTURE(c);
            CHECK(static_cast<double>(y[s * C + c]) == (s ? -1 : 1) * 5.0 * (c + 1));
        }

    // Backward: gy = 9 * (c + 1) (sample 1: -18 * (c + 1)) -> (c + 1) (-2 (c + 1)) at every position.
    std::vector<T> gy(2 * C), gx(2 * 9 * C, T(7));
    for (int c = 0; c < C; ++c) {
        gy[c] = static_cast<T>(9 * (c + 1));
        gy[C + c] = static_cast<T>(-18 * (c + 1));
    }
    sn::LayerContext<T> ctx;
    G::backward<sn::Shape{3, 3, C, 3}, T>(ctx, nullptr, nullptr, gy.data(), gx.data(), 2);
    for (int s = 0; s < 2; ++s)
        for (int i = 0; i < 9; ++i)
            for (int c = 0; c < C; ++c) {
                CAPTURE(s);
                CAPTURE(i);
                CAPTURE(c);
                CHECK(static_cast<double>(gx[(s * 9 + i) * C + c]) == (s ? -2.0 : 1.0) * (c + 1));
            }
}

TEST_CASE("GlobalAveragePooling2D then Dense (no Flatten): the head sees the channel means") {
    using Net = sn::Sequential<sn::Input<2, 2, 2>, G, sn::Dense<{.units = 1}>>;
    static sn::Inference<Net, 1, double> net;
    set(net.parameter(2, "kernel"), {1, -2});
    set(net.parameter(2, "bias"), {0.5});
    // means: channel 0 (1 + 2 + 3 + 6) / 4 = 3, channel 1 (0 - 1 + 1 + 4) / 4 = 1; 3 - 2 * 1 + 0.5
    static const double x[8] = {1, 0, 2, -1, 3, 1, 6, 4};
    check_close<double>(net.predict(x, 1), {1.5});
}
