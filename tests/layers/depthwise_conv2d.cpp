// DepthwiseConv2D: shape rule, parameters (Keras layout and fans), MACs, names and source
// spelling, hand-computed forward and backward cases (depth_multiplier 1 and 2, 'valid' and
// 'same' with stride 2, fused ReLU, sigmoid), and 19 channels over two samples (the layer's SIMD
// path with a scalar tail). Gradient checks: tests/train/gradient_check_layers.cpp; SIMD against
// reference: tests/kernels/depthwise.cpp; PyTorch: forward_depthwise_*.txt.
#include <doctest/doctest.h>

#include <cmath>
#include <cstddef>
#include <span>
#include <string_view>
#include <vector>

#include <staticnet/core.hpp>

#include "support.hpp"

namespace sn = staticnet;
using layer_tests::check_close;
using layer_tests::set;

namespace {

template <sn::DepthwiseConv2DOptions O>
using On13x17 = sn::Sequential<sn::Input<13, 17, 3>, sn::DepthwiseConv2D<O>>;

static_assert(On13x17<{.kernel = 3}>::shapes[1] == sn::Shape{11, 15, 3, 3});
static_assert(On13x17<{.kernel = 3, .padding = sn::same}>::shapes[1] == sn::Shape{13, 17, 3, 3});
static_assert(On13x17<{.kernel = 3, .strides = 2, .padding = sn::same, .depth_multiplier = 4}>::shapes[1] ==
              sn::Shape{7, 9, 12, 3});
static_assert(On13x17<{.kernel = {5, 2}, .strides = {1, 3}}>::shapes[1] == sn::Shape{9, 6, 3, 3});

// Parameters: "depthwise_kernel" (kh, kw, cin, dm), "bias" (cin * dm); Keras's fans of the 4-D
// kernel shape: fan_in = kh * kw * cin, fan_out = kh * kw * dm.
using Dm2 = On13x17<{.kernel = {3, 2}, .depth_multiplier = 2}>;
constexpr sn::ParamSpecs dw_specs = Dm2::param_specs[1];
static_assert(dw_specs.count == 2);
static_assert(std::string_view(dw_specs.items[0].name) == "depthwise_kernel");
static_assert(dw_specs.items[0].size == 3 * 2 * 3 * 2 && dw_specs.items[0].init == sn::Init::glorot_uniform);
static_assert(dw_specs.items[0].fan_in == 3 * 2 * 3 && dw_specs.items[0].fan_out == 3 * 2 * 2);
static_assert(std::string_view(dw_specs.items[1].name) == "bias" && dw_specs.items[1].size == 6 &&
              dw_specs.items[1].init == sn::Init::zeros);
static_assert(Dm2::params.total == 36 + 6 && Dm2::params.trainable == 42);
static_assert(On13x17<{.kernel = 3, .use_bias = false}>::params.total == 27);
// MACs = oh * ow * cin * dm * kh * kw: 11 * 16 * 6 * 6.
static_assert(Dm2::macs_per_sample == 11 * 16 * 6 * 6);
static_assert(std::string_view(sn::DepthwiseConv2D<{.kernel = 3}>::keras_class) == "DepthwiseConv2D");
static_assert(std::string_view(sn::DepthwiseConv2D<{.kernel = 3}>::keras_name) == "depthwise_conv2d");
static_assert(sn::DepthwiseConv2D<{.kernel = 3}>::backward_needs_input &&
              !sn::DepthwiseConv2D<{.kernel = 3}>::backward_needs_output);
static_assert(sn::DepthwiseConv2D<{.kernel = 3, .activation = sn::relu}>::backward_needs_output);
// The canonical spelling writes every option.
using Spelled = sn::Sequential<sn::Input<8, 8, 2>, sn::DepthwiseConv2D<{.kernel = 3, .padding = sn::same,
                                                                        .depth_multiplier = 2, .activation = sn::relu}>>;
static_assert(sn::source_text<Spelled>() ==
              "sn::Sequential<\n    sn::Input<8, 8, 2>,\n"
              "    sn::DepthwiseConv2D<{.kernel = {3, 3}, .strides = {1, 1}, .padding = sn::same, "
              ".depth_multiplier = 2, .activation = sn::relu, .use_bias = true}>>");
static_assert(sn::signature_of<Spelled> !=
              sn::signature_of<sn::Sequential<sn::Input<8, 8, 2>,
                                              sn::DepthwiseConv2D<{.kernel = 3, .padding = sn::same,
                                                                   .depth_multiplier = 1, .activation = sn::relu}>>>);

template <class T>
constexpr double eps = sizeof(T) == sizeof(float) ? 1e-6 : 1e-13;

// Case 1: 3x3x2 input, kernel 2x2, dm 1, 'valid'.
//   channel 0:  1 2 3     channel 1:  1 0 2
//               4 5 6                 0 1 0
//               7 8 9                 3 0 1
//   kernel channel 0: [1 2; 0 -1], channel 1: [2 1; 1 0]; bias (0.5, -1).
//   ch0: y = x00 + 2 x01 - x11 + 0.5: 1 + 4 - 5 + .5 = 0.5, 2 + 6 - 6 + .5 = 2.5,
//                                     4 + 10 - 8 + .5 = 6.5, 5 + 12 - 9 + .5 = 8.5
//   ch1: y = 2 x00 + x01 + x10 - 1:   2 + 0 + 0 - 1 = 1,     0 + 2 + 1 - 1 = 2,
//                                     0 + 1 + 3 - 1 = 3,     2 + 0 + 0 - 1 = 1
const double case1_ch0[9] = {1, 2, 3, 4, 5, 6, 7, 8, 9};
const double case1_ch1[9] = {1, 0, 2, 0, 1, 0, 3, 0, 1};
const std::initializer_list<double> case1_kernel = {1, 2, 2, 1, 0, 1, -1, 0};  // (ky, kx, c, m)
const double case1_out[8] = {0.5, 1, 2.5, 2, 6.5, 3, 8.5, 1};

template <class T>
std::vector<T> case1_input() {
    std::vector<T> x;
    for (int i = 0; i < 9; ++i) {
        x.push_back(static_cast<T>(case1_ch0[i]));
        x.push_back(static_cast<T>(case1_ch1[i]));
    }
    return x;
}

}  // namespace

TEST_CASE_TEMPLATE("DepthwiseConv2D 2x2 'valid' dm 1 on 3x3x2: each channel its own kernel", T, float, double) {
    using Net = sn::Sequential<sn::Input<3, 3, 2>, sn::DepthwiseConv2D<{.kernel = 2}>>;
    static_assert(Net::shapes[1] == sn::Shape{2, 2, 2, 3});
    static sn::Inference<Net, 1, T> net;
    set(net.parameter(1, "depthwise_kernel"), case1_kernel);
    set(net.parameter(1, "bias"), {0.5, -1});
    const auto x = case1_input<T>();
    check_close<T>(net.predict(std::span<const T>(x), 1), {0.5, 1, 2.5, 2, 6.5, 3, 8.5, 1}, eps<T>);
}

TEST_CASE_TEMPLATE("DepthwiseConv2D 3x3 'same' stride 2 dm 2 on 3x3x1: output channel c * dm + m", T, float, double) {
    // out ceil(3 / 2) = 2; total pad (2 - 1) * 2 + 3 - 3 = 2: 1 before, 1 after. Input 1..9.
    // m = 0: a kernel of ones: the window sums (0,0) 1+2+4+5 = 12, (0,1) 2+3+5+6 = 16,
    //        (1,0) 4+5+7+8 = 24, (1,1) 5+6+8+9 = 28; bias -20, so with ReLU -8, -4 -> 0, 4, 8.
    // m = 1: 10 at the centre tap only: 10 x (1, 3, 7, 9), bias 0.25.
    std::vector<double> k;
    for (int t = 0; t < 9; ++t) k.insert(k.end(), {1.0, t == 4 ? 10.0 : 0.0});
    const std::vector<T> x = {1, 2, 3, 4, 5, 6, 7, 8, 9};
    {
        using Net = sn::Sequential<sn::Input<3, 3, 1>, sn::DepthwiseConv2D<{.kernel = 3, .strides = 2, .padding = sn::same,
                                                                            .depth_multiplier = 2}>>;
        static_assert(Net::shapes[1] == sn::Shape{2, 2, 2, 3});
        static sn::Inference<Net, 1, T> net;
        auto dst = net.parameter(1, "depthwise_kernel");
        REQUIRE(dst.size() == k.size());
        for (std::size_t i = 0; i < k.size(); ++i) dst[i] = static_cast<T>(k[i]);
        set(net.parameter(1, "bias"), {-20, 0.25});
        check_close<T>(net.predict(std::span<const T>(x), 1), {-8, 10.25, -4, 30.25, 4, 70.25, 8, 90.25}, eps<T>);
    }
    {
        using Net = sn::Sequential<sn::Input<3, 3, 1>, sn::DepthwiseConv2D<{.kernel = 3, .strides = 2, .padding = sn::same,
                                                                            .depth_multiplier = 2, .activation = sn::relu}>>;
        static sn::Inference<Net, 1, T> net;
        auto dst = net.parameter(1, "depthwise_kernel");
        for (std::size_t i = 0; i < k.size(); ++i) dst[i] = static_cast<T>(k[i]);
        set(net.parameter(1, "bias"), {-20, 0.25});
        check_close<T>(net.predict(std::span<const T>(x), 1), {0, 10.25, 0, 30.25, 4, 70.25, 8, 90.25}, eps<T>);
    }
    {
        // sigmoid (the pass after the kernels): 1 / (1 + exp(-y)).
        using Net = sn::Sequential<sn::Input<3, 3, 1>, sn::DepthwiseConv2D<{.kernel = 3, .strides = 2, .padding = sn::same,
                                                                            .depth_multiplier = 2, .activation = sn::sigmoid}>>;
        static sn::Inference<Net, 1, T> net;
        auto dst = net.parameter(1, "depthwise_kernel");
        for (std::size_t i = 0; i < k.size(); ++i) dst[i] = static_cast<T>(k[i]);
        set(net.parameter(1, "bias"), {-20, 0.25});
        const auto y = net.predict(std::span<const T>(x), 1);
        const double z[8] = {-8, 10.25, -4, 30.25, 4, 70.25, 8, 90.25};
        for (int i = 0; i < 8; ++i) CHECK(static_cast<double>(y[i]) == doctest::Approx(1 / (1 + std::exp(-z[i]))).epsilon(eps<T>));
    }
}

TEST_CASE_TEMPLATE("DepthwiseConv2D backward by hand: kernel, bias and input gradients", T, float, double) {
    // Case 1 with dL/dy = 1 at output (0,0) channel 0 and at (1,1) channel 1, 0 elsewhere:
    //   kernel gradient ch0 tap (ky,kx) = x ch0 at (ky, kx): 1, 2, 4, 5; ch1 at (1+ky, 1+kx): 1, 0, 0, 1
    //   bias gradient (1, 1)
    //   input gradient ch0: the ch0 kernel placed at (0,0); ch1: the ch1 kernel placed at (1,1).
    using L = sn::DepthwiseConv2D<{.kernel = 2}>;
    constexpr sn::Shape in{3, 3, 2, 3};
    std::vector<T> k, b = {T(0.5), T(-1)}, gk(8, T(7)), gb(2, T(7)), gx(18, T(7)), state(L::state_size(in) + 1);
    for (double v : case1_kernel) k.push_back(static_cast<T>(v));
    const auto x = case1_input<T>();
    std::vector<T> y(8), gy = {1, 0, 0, 0, 0, 0, 0, 1};
    sn::LayerContext<T> ctx;
    ctx.param[0] = k.data();
    ctx.param[1] = b.data();
    ctx.grad[0] = gk.data();
    ctx.grad[1] = gb.data();
    ctx.state = state.data();
    ctx.training = true;
    L::template forward<in, T>(ctx, x.data(), y.data(), 1);
    check_close<T>(std::span<const T>(y), {0.5, 1, 2.5, 2, 6.5, 3, 8.5, 1}, eps<T>);
    L::template backward<in, T>(ctx, x.data(), y.data(), gy.data(), gx.data(), 1);
    check_close<T>(std::span<const T>(gk), {1, 1, 2, 0, 4, 0, 5, 1}, eps<T>);
    check_close<T>(std::span<const T>(gb), {1, 1}, eps<T>);
    check_close<T>(std::span<const T>(gx), {1, 0, 2, 0, 0, 0, 0, 0, -1, 2, 0, 1, 0, 0, 0, 1, 0, 0}, eps<T>);
}

TEST_CASE_TEMPLATE("DepthwiseConv2D on 19 channels, two samples (the SIMD path and its tail)", T, float, double) {
    // Channel c is case 1's channel c % 2 times (c + 1), with that channel's kernel and (c + 1) x its
    // bias: output channel c of sample 0 is (c + 1) x case 1's. Sample 1 is sample 0 times 2: its
    // convolution part (output minus bias) doubles.
    constexpr int C = 19;
    using Net = sn::Sequential<sn::Input<3, 3, C>, sn::DepthwiseConv2D<{.kernel = 2}>>;
    static sn::Inference<Net, 2, T> net;
    const std::vector<double> kbase(case1_kernel);
    auto k = net.parameter(1, "depthwise_kernel");
    auto b = net.parameter(1, "bias");
    REQUIRE(k.size() == 4 * C);
    for (int t = 0; t < 4; ++t)
        for (int c = 0; c < C; ++c) k[static_cast<std::size_t>(t * C + c)] = static_cast<T>(kbase[static_cast<std::size_t>(t * 2 + c % 2)]);
    const double bbase[2] = {0.5, -1};
    for (int c = 0; c < C; ++c) b[static_cast<std::size_t>(c)] = static_cast<T>(bbase[c % 2] * (c + 1));
    std::vector<T> x(2 * 9 * C);
    for (int s = 0; s < 2; ++s)
        for (int i = 0; i < 9; ++i)
            for (int c = 0; c < C; ++c)
                x[static_cast<std::size_t>((s * 9 + i) * C + c)] =
                    static_cast<T>((s + 1) * (c + 1) * (c % 2 ? case1_ch1[i] : case1_ch0[i]));
    const auto y = net.predict(std::span<const T>(x), 2);
    REQUIRE(y.size() == 2 * 4 * C);
    for (int s = 0; s < 2; ++s)
        for (int o = 0; o < 4; ++o)
            for (int c = 0; c < C; ++c) {
                const double bias = bbase[c % 2] * (c + 1);
                const double want = (s + 1) * ((c + 1) * case1_out[o * 2 + c % 2] - bias) + bias;
                CAPTURE(s);
                CAPTURE(o);
                CAPTURE(c);
                CHECK(static_cast<double>(y[static_cast<std::size_t>((s * 4 + o) * C + c)]) == doctest::Approx(want).epsilon(eps<T>));
            }
}
