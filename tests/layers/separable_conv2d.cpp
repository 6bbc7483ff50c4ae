// SeparableConv2D: shape rule, parameters in Keras's order and layouts (depthwise_kernel,
// pointwise_kernel, bias) with their fans, MACs, scratch sizes, names and spelling;
// hand-computed forward cases (dm 1 and 2, ReLU); and the layer against DepthwiseConv2D (no bias)
// followed by a 1x1 Conv2D with the same parameters on 19 channels and 10 samples: forward,
// loss and every gradient through a Model. Gradient checks: tests/train/gradient_check_layers.cpp;
// PyTorch: forward_separable_*.txt.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <staticnet/core.hpp>

#include "support.hpp"

namespace sn = staticnet;
using layer_tests::check_close;
using layer_tests::set;

namespace {

template <sn::SeparableConv2DOptions O>
using On13x17 = sn::Sequential<sn::Input<13, 17, 3>, sn::SeparableConv2D<O>>;

static_assert(On13x17<{.filters = 5, .kernel = 3}>::shapes[1] == sn::Shape{11, 15, 5, 3});
static_assert(On13x17<{.filters = 5, .kernel = 3, .strides = 2, .padding = sn::same, .depth_multiplier = 2}>::shapes[1] ==
              sn::Shape{7, 9, 5, 3});

using Sep = On13x17<{.filters = 5, .kernel = {3, 2}, .depth_multiplier = 2}>;
constexpr sn::ParamSpecs sep_specs = Sep::param_specs[1];
static_assert(sep_specs.count == 3);
static_assert(std::string_view(sep_specs.items[0].name) == "depthwise_kernel");
static_assert(sep_specs.items[0].size == 3 * 2 * 3 * 2);
static_assert(sep_specs.items[0].fan_in == 3 * 2 * 3 && sep_specs.items[0].fan_out == 3 * 2 * 2);
static_assert(std::string_view(sep_specs.items[1].name) == "pointwise_kernel");
static_assert(sep_specs.items[1].size == 6 * 5 && sep_specs.items[1].init == sn::Init::glorot_uniform);
static_assert(sep_specs.items[1].fan_in == 6 && sep_specs.items[1].fan_out == 5);
static_assert(std::string_view(sep_specs.items[2].name) == "bias" && sep_specs.items[2].size == 5 &&
              sep_specs.items[2].init == sn::Init::zeros);
static_assert(Sep::params.total == 36 + 30 + 5);
static_assert(On13x17<{.filters = 5, .kernel = 3, .use_bias = false}>::param_specs[1].count == 2);
// MACs: depthwise 11 * 16 * 6 * 6 plus pointwise 11 * 16 * 6 * 5.
static_assert(Sep::macs_per_sample == 11 * 16 * 6 * 6 + 11 * 16 * 6 * 5);
// Scratch: one intermediate (11 * 16 * 6) per sample group in inference.
static_assert(sn::SeparableConv2D<{.filters = 5, .kernel = {3, 2}, .depth_multiplier = 2}>::inference_scratch_size<
                  sn::Shape{13, 17, 3, 3}, float>() == static_cast<std::size_t>(sn::max_sample_groups) * 11 * 16 * 6);
static_assert(std::string_view(sn::SeparableConv2D<{.filters = 1, .kernel = 3}>::keras_class) == "SeparableConv2D");
static_assert(std::string_view(sn::SeparableConv2D<{.filters = 1, .kernel = 3}>::keras_name) == "separable_conv2d");
using Spelled = sn::Sequential<sn::Input<8, 8, 2>, sn::SeparableConv2D<{.filters = 4, .kernel = 3, .strides = 2,
                                                                        .activation = sn::relu, .use_bias = false}>>;
static_assert(sn::source_text<Spelled>() ==
              "sn::Sequential<\n    sn::Input<8, 8, 2>,\n"
              "    sn::SeparableConv2D<{.filters = 4, .kernel = {3, 3}, .strides = {2, 2}, .padding = sn::valid, "
              ".depth_multiplier = 1, .activation = sn::relu, .use_bias = false}>>");

template <class T>
constexpr double eps = sizeof(T) == sizeof(float) ? 1e-6 : 1e-13;

}  // namespace

TEST_CASE_TEMPLATE("SeparableConv2D 2x2 'valid' on 3x3x2: depthwise (no bias), then 1x1 with bias", T, float, double) {
    //   channel 0:  1 2 3     channel 1:  1 0 2     depthwise kernel ch0 [1 2; 0 -1], ch1 [2 1; 1 0]
    //               4 5 6                 0 1 0
    //               7 8 9                 3 0 1
    //   intermediate (no bias): m0 = x00 + 2 x01 - x11: 0, 2, 6, 8;  m1 = 2 x00 + x01 + x10: 2, 3, 4, 2
    //   pointwise (1, 1, 2, 2): rows = intermediate channels: [1 -1; 0.5 2], bias (0.25, 0)
    //   f0 = m0 + 0.5 m1 + 0.25: 1.25, 3.75, 8.25, 9.25     f1 = -m0 + 2 m1: 4, 4, 2, -4
    std::vector<T> x;
    const double ch0[9] = {1, 2, 3, 4, 5, 6, 7, 8, 9}, ch1[9] = {1, 0, 2, 0, 1, 0, 3, 0, 1};
    for (int i = 0; i < 9; ++i) x.insert(x.end(), {static_cast<T>(ch0[i]), static_cast<T>(ch1[i])});
    {
        using Net = sn::Sequential<sn::Input<3, 3, 2>, sn::SeparableConv2D<{.filters = 2, .kernel = 2}>>;
        static_assert(Net::shapes[1] == sn::Shape{2, 2, 2, 3});
        static sn::Inference<Net, 1, T> net;
        set(net.parameter(1, "depthwise_kernel"), {1, 2, 2, 1, 0, 1, -1, 0});
        set(net.parameter(1, "pointwise_kernel"), {1, -1, 0.5, 2});
        set(net.parameter(1, "bias"), {0.25, 0});
        check_close<T>(net.predict(std::span<const T>(x), 1), {1.25, 4, 3.75, 4, 8.25, 2, 9.25, -4}, eps<T>);
    }
    {
        using Net = sn::Sequential<sn::Input<3, 3, 2>, sn::SeparableConv2D<{.filters = 2, .kernel = 2, .activation = sn::relu}>>;
        static sn::Inference<Net, 1, T> net;
        set(net.parameter(1, "depthwise_kernel"), {1, 2, 2, 1, 0, 1, -1, 0});
        set(net.parameter(1, "pointwise_kernel"), {1, -1, 0.5, 2});
        set(net.parameter(1, "bias"), {0.25, 0});
        check_close<T>(net.predict(std::span<const T>(x), 1), {1.25, 4, 3.75, 4, 8.25, 2, 9.25, 0}, eps<T>);
    }
}

TEST_CASE_TEMPLATE("SeparableConv2D dm 2, 'same' stride 2 on 3x3x1", T, float, double) {
    // Depthwise as in the DepthwiseConv2D test: m0 = window sums 12, 16, 24, 28; m1 = 10 x centre
    // 10, 30, 70, 90. Pointwise (1, 1, 2, 1) = (1, -0.5), bias 1: 12 - 5 + 1 = 8, 16 - 15 + 1 = 2,
    // 24 - 35 + 1 = -10, 28 - 45 + 1 = -16.
    using Net = sn::Sequential<sn::Input<3, 3, 1>, sn::SeparableConv2D<{.filters = 1, .kernel = 3, .strides = 2,
                                                                        .padding = sn::same, .depth_multiplier = 2}>>;
    static_assert(Net::shapes[1] == sn::Shape{2, 2, 1, 3});
    static sn::Inference<Net, 1, T> net;
    auto k = net.parameter(1, "depthwise_kernel");
    REQUIRE(k.size() == 18);
    for (int t = 0; t < 9; ++t) {
        k[static_cast<std::size_t>(2 * t)] = T(1);
        k[static_cast<std::size_t>(2 * t + 1)] = t == 4 ? T(10) : T(0);
    }
    set(net.parameter(1, "pointwise_kernel"), {1, -0.5});
    set(net.parameter(1, "bias"), {1});
    const std::vector<T> x = {1, 2, 3, 4, 5, 6, 7, 8, 9};
    check_close<T>(net.predict(std::span<const T>(x), 1), {8, 2, -10, -16}, eps<T>);
}

namespace {

// The same function written as two layers.
constexpr sn::SeparableConv2DOptions sep_opts{.filters = 7, .kernel = 3, .strides = {1, 2}, .padding = sn::same,
                                              .depth_multiplier = 2, .activation = sn::relu};
using Head = sn::Dense<{.units = 3, .activation = sn::softmax}>;
using OneLayer = sn::Sequential<sn::Input<5, 6, 19>, sn::SeparableConv2D<sep_opts>, sn::Flatten, Head>;
using TwoLayers = sn::Sequential<
    sn::Input<5, 6, 19>,
    sn::DepthwiseConv2D<{.kernel = 3, .strides = {1, 2}, .padding = sn::same, .depth_multiplier = 2, .use_bias = false}>,
    sn::Conv2D<{.filters = 7, .kernel = 1, .activation = sn::relu}>, sn::Flatten, Head>;
static_assert(OneLayer::params.total == TwoLayers::params.total);
static_assert(OneLayer::shapes[1] == TwoLayers::shapes[2]);

template <class T>
double max_rel(std::span<const T> a, std::span<const T> b) {
    double scale = 1, worst = 0;
    for (T v : b) scale = std::max(scale, std::abs(static_cast<double>(v)));
    for (std::size_t i = 0; i < a.size(); ++i)
        worst = std::max(worst, std::abs(static_cast<double>(a[i]) - static_cast<double>(b[i])) / scale);
    return worst;
}

}  // namespace

TEST_CASE_TEMPLATE("SeparableConv2D equals DepthwiseConv2D (no bias) then Conv2D 1x1: forward and gradients", T, float,
                   double) {
    constexpr int N = 10;  // sample groups of 2 (with SIMD): sums inside a group and across groups
    static sn::Model<OneLayer, sn::Adam<>, sn::SparseCategoricalCrossentropy, N, T> one;
    static sn::Model<TwoLayers, sn::Adam<>, sn::SparseCategoricalCrossentropy, N, T> two;
    one.initialize(3);
    two.initialize(4);
    // Copy one's parameters into two (and give the biases values).
    sn::Rng rng(5);
    for (auto& v : one.parameter(1, "bias")) v = static_cast<T>(rng.uniform() - 0.5);
    for (auto& v : one.parameter(3, "bias")) v = static_cast<T>(rng.uniform() - 0.5);
    const auto copy = [](auto src, auto dst) {
        REQUIRE(src.size() == dst.size());
        std::copy(src.begin(), src.end(), dst.begin());
    };
    copy(one.parameter(1, "depthwise_kernel"), two.parameter(1, "depthwise_kernel"));
    copy(one.parameter(1, "pointwise_kernel"), two.parameter(2, "kernel"));
    copy(one.parameter(1, "bias"), two.parameter(2, "bias"));
    copy(one.parameter(3, "kernel"), two.parameter(4, "kernel"));
    copy(one.parameter(3, "bias"), two.parameter(4, "bias"));
    std::vector<T> x(static_cast<std::size_t>(N) * OneLayer::input_shape.size());
    for (auto& v : x) v = static_cast<T>(2 * rng.uniform() - 1);
    const std::vector<std::int32_t> labels = {0, 1, 2, 1, 0, 2, 2, 0, 1, 1};

    const double tol = sizeof(T) == sizeof(float) ? 2e-6 : 1e-14;
    const auto y1 = one.predict(std::span<const T>(x), N);
    const std::vector<T> first(y1.begin(), y1.end());
    const auto y2 = two.predict(std::span<const T>(x), N);
    CHECK(max_rel<T>(std::span<const T>(first), y2) <= tol);

    const auto r1 = one.compute_gradients(std::span<const T>(x), std::span<const std::int32_t>(labels), N);
    const auto r2 = two.compute_gradients(std::span<const T>(x), std::span<const std::int32_t>(labels), N);
    CHECK(static_cast<double>(r1.loss) == doctest::Approx(static_cast<double>(r2.loss)).epsilon(tol));
    const double d_dw = max_rel<T>(one.gradient(1, "depthwise_kernel"), two.gradient(1, "depthwise_kernel"));
    const double d_pw = max_rel<T>(one.gradient(1, "pointwise_kernel"), two.gradient(2, "kernel"));
    const double d_b = max_rel<T>(one.gradient(1, "bias"), two.gradient(2, "bias"));
    MESSAGE("separable vs depthwise + 1x1 (" << std::string(sizeof(T) == 4 ? "float" : "double") << "): gradient differences "
                                             << d_dw << ", " << d_pw << ", " << d_b);
    CHECK(d_dw <= tol);
    CHECK(d_pw <= tol);
    CHECK(d_b <= tol);
    // The gradients are not all zero (the check would pass trivially).
    double norm = 0;
    for (T v : one.gradient(1, "depthwise_kernel")) norm += std::abs(static_cast<double>(v));
    CHECK(norm > 0);
}
