// Conv2D: shape rule (TF 'same'/'valid', strides), parameter specs, MACs, and hand-computed
// forward cases (3x3 same/valid/stride 2 on a 4x4 ramp, 1x1 with 2 -> 2 channels).
#include <doctest/doctest.h>

#include <staticnet/core.hpp>

#include "support.hpp"

namespace sn = staticnet;
using layer_tests::check_close;
using layer_tests::set;

namespace {

// ---- shape rule on an odd 13 x 17 x 3 input ---------------------------------------------------
template <sn::Conv2DOptions O>
using On13x17 = sn::Sequential<sn::Input<13, 17, 3>, sn::Conv2D<O>>;

// same, stride 1: the spatial size is kept.
static_assert(On13x17<{.filters = 5, .kernel = {3, 3}, .padding = sn::same}>::shapes[1] == sn::Shape{13, 17, 5, 3});
// valid, stride 1: in - k + 1 = 11, 15.
static_assert(On13x17<{.filters = 5, .kernel = {3, 3}}>::shapes[1] == sn::Shape{11, 15, 5, 3});
// same, stride 2: ceil(13 / 2) = 7, ceil(17 / 2) = 9.
static_assert(On13x17<{.filters = 5, .kernel = {3, 3}, .strides = {2, 2}, .padding = sn::same}>::shapes[1] ==
              sn::Shape{7, 9, 5, 3});
// valid, stride 2: (13 - 3) / 2 + 1 = 6, (17 - 3) / 2 + 1 = 8.
static_assert(On13x17<{.filters = 5, .kernel = {3, 3}, .strides = {2, 2}}>::shapes[1] == sn::Shape{6, 8, 5, 3});
// non-square kernel and strides, valid: (13 - 5) / 1 + 1 = 9, (17 - 2) / 3 + 1 = 6.
static_assert(On13x17<{.filters = 4, .kernel = {5, 2}, .strides = {1, 3}}>::shapes[1] == sn::Shape{9, 6, 4, 3});
// 1x1 stride 2 valid: (13 - 1) / 2 + 1 = 7, (17 - 1) / 2 + 1 = 9.
static_assert(On13x17<{.filters = 2, .kernel = {1, 1}, .strides = {2, 2}}>::shapes[1] == sn::Shape{7, 9, 2, 3});
// a kernel as large as the input is still fine with valid padding: 1 x 1 output.
static_assert(On13x17<{.filters = 1, .kernel = {13, 17}}>::shapes[1] == sn::Shape{1, 1, 1, 3});

// TF 'same' padding: total = max((out - 1) * s + k - in, 0), the smaller half before.
static_assert(sn::pad_before(13, 3, 1, sn::same) == 1);  // total 2 -> 1 before, 1 after
static_assert(sn::pad_before(13, 3, 2, sn::same) == 1);  // out 7: 6 * 2 + 3 - 13 = 2 -> 1
static_assert(sn::pad_before(4, 3, 2, sn::same) == 0);   // out 2: 1 * 2 + 3 - 4 = 1 -> 0 before, 1 after
static_assert(sn::pad_before(5, 4, 1, sn::same) == 1);   // total 3 -> 1 before, 2 after
static_assert(sn::pad_before(13, 3, 1, sn::valid) == 0);
static_assert(sn::conv_out_length(17, 3, 2, sn::same) == 9);
static_assert(sn::conv_out_length(17, 3, 2, sn::valid) == 8);

// ---- parameters and MACs -----------------------------------------------------------------------
using Valid5 = On13x17<{.filters = 5, .kernel = {3, 3}}>;
constexpr sn::ParamSpecs conv_specs = Valid5::param_specs[1];
static_assert(conv_specs.count == 2);
static_assert(conv_specs.items[0].size == 3 * 3 * 3 * 5);  // (kh, kw, cin, cout) = 135
static_assert(conv_specs.items[0].trainable && conv_specs.items[0].init == sn::Init::glorot_uniform);
static_assert(conv_specs.items[0].fan_in == 3 * 3 * 3 && conv_specs.items[0].fan_out == 3 * 3 * 5);
static_assert(conv_specs.items[1].size == 5 && conv_specs.items[1].init == sn::Init::zeros);
static_assert(Valid5::params.total == 140 && Valid5::params.trainable == 140 && Valid5::params.non_trainable == 0);
// MACs = out_h * out_w * filters * kh * kw * cin.
static_assert(Valid5::macs_per_sample == 11 * 15 * 5 * 3 * 3 * 3);  // 22,275
static_assert(On13x17<{.filters = 5, .kernel = {3, 3}, .padding = sn::same}>::macs_per_sample ==
              13 * 17 * 5 * 27);  // 29,835
static_assert(On13x17<{.filters = 5, .kernel = {3, 3}, .strides = {2, 2}, .padding = sn::same}>::macs_per_sample ==
              7 * 9 * 5 * 27);  // 8,505
// use_bias = false: only the kernel.
using NoBias = On13x17<{.filters = 5, .kernel = {3, 3}, .use_bias = false}>;
static_assert(NoBias::param_specs[1].count == 1 && NoBias::params.total == 135);

// ---- hand-computed forward cases -----------------------------------------------------------------
// Input 4 x 4 x 1, x(r, c) = 4r + c + 1:
//    1  2  3  4
//    5  6  7  8
//    9 10 11 12
//   13 14 15 16
// Kernel (3, 3, 1, 1), deliberately neither symmetric nor transpose-symmetric, so a flipped
// (true convolution) or transposed kernel gives different numbers:
//    1  3  0
//    0 -1  0
//    0  0  2        bias 0.5
// Keras computes the cross-correlation y(oy, ox) = sum k(ky, kx) x(oy*s + ky - pad, ox*s + kx - pad) + b.
constexpr std::initializer_list<double> ramp4x4 = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};
constexpr std::initializer_list<double> kernel3x3 = {1, 3, 0, 0, -1, 0, 0, 0, 2};

template <class Net>
std::span<const double> run_ramp(sn::Inference<Net, 1, double>& net) {
    set(net.parameter(1, "kernel"), kernel3x3);
    set(net.parameter(1, "bias"), {0.5});
    static double x[16];
    int i = 0;
    for (double v : ramp4x4) x[i++] = v;
    return net.predict(std::span<const double>(x, 16), 1);
}

}  // namespace

TEST_CASE("Conv2D 3x3 valid on 4x4: hand-computed") {
    using Net = sn::Sequential<sn::Input<4, 4, 1>, sn::Conv2D<{.filters = 1, .kernel = {3, 3}}>>;
    static_assert(Net::shapes[1] == sn::Shape{2, 2, 1, 3});
    static sn::Inference<Net, 1, double> net;
    // y(r, c) = x(r, c) + 3 x(r, c+1) - x(r+1, c+1) + 2 x(r+2, c+2) + 0.5
    //         = (4r+c+1) + 3(4r+c+2) - (4r+c+6) + 2(4r+c+11) + 0.5 = 20r + 5c + 23.5
    // y(0,0) = 1 + 6 - 6 + 22 + .5 = 23.5     y(0,1) = 2 + 9 - 7 + 24 + .5 = 28.5
    // y(1,0) = 5 + 18 - 10 + 30 + .5 = 43.5   y(1,1) = 6 + 21 - 11 + 32 + .5 = 48.5
    check_close(run_ramp(net), {23.5, 28.5, 43.5, 48.5});
}

TEST_CASE("Conv2D 3x3 same on 4x4: hand-computed, zero padding of one pixel per side") {
    using Net = sn::Sequential<sn::Input<4, 4, 1>, sn::Conv2D<{.filters = 1, .kernel = {3, 3}, .padding = sn::same}>>;
    static_assert(Net::shapes[1] == sn::Shape{4, 4, 1, 3});
    static sn::Inference<Net, 1, double> net;
    // y(r, c) = x(r-1, c-1) + 3 x(r-1, c) - x(r, c) + 2 x(r+1, c+1) + 0.5, x = 0 outside.
    // row 0 (row -1 is padding):   -1 + 2*6 + .5 = 11.5   -2 + 2*7 + .5 = 12.5
    //                               -3 + 2*8 + .5 = 13.5   -4 + 0 + .5 = -3.5
    // row 1: 0 + 3 - 5 + 20 + .5 = 18.5    1 + 6 - 6 + 22 + .5 = 23.5
    //        2 + 9 - 7 + 24 + .5 = 28.5    3 + 12 - 8 + 0 + .5 = 7.5
    // row 2: 0 + 15 - 9 + 28 + .5 = 34.5   5 + 18 - 10 + 30 + .5 = 43.5
    //        6 + 21 - 11 + 32 + .5 = 48.5  7 + 24 - 12 + 0 + .5 = 19.5
    // row 3 (row 4 is padding): 0 + 27 - 13 + .5 = 14.5   9 + 30 - 14 + .5 = 25.5
    //                           10 + 33 - 15 + .5 = 28.5  11 + 36 - 16 + .5 = 31.5
    // (the inner 2 x 2 equals the valid result, as it must)
    check_close(run_ramp(net), {11.5, 12.5, 13.5, -3.5, 18.5, 23.5, 28.5, 7.5,  //
                                34.5, 43.5, 48.5, 19.5, 14.5, 25.5, 28.5, 31.5});
}

TEST_CASE("Conv2D 3x3 same with fused relu: the only negative output becomes 0") {
    using Net = sn::Sequential<sn::Input<4, 4, 1>,
                               sn::Conv2D<{.filters = 1, .kernel = {3, 3}, .padding = sn::same, .activation = sn::relu}>>;
    static sn::Inference<Net, 1, double> net;
    check_close(run_ramp(net), {11.5, 12.5, 13.5, 0.0, 18.5, 23.5, 28.5, 7.5,  //
                                34.5, 43.5, 48.5, 19.5, 14.5, 25.5, 28.5, 31.5});
}

TEST_CASE("Conv2D 3x3 same stride 2 on 4x4: TF pads 0 before and 1 after") {
    using Net = sn::Sequential<sn::Input<4, 4, 1>,
                               sn::Conv2D<{.filters = 1, .kernel = {3, 3}, .strides = {2, 2}, .padding = sn::same}>>;
    static_assert(Net::shapes[1] == sn::Shape{2, 2, 1, 3});
    static sn::Inference<Net, 1, double> net;
    // out 2: total pad = 1 * 2 + 3 - 4 = 1 -> top/left 0, bottom/right 1.
    // y(r, c) = x(2r, 2c) + 3 x(2r, 2c+1) - x(2r+1, 2c+1) + 2 x(2r+2, 2c+2) + 0.5
    // y(0,0) = 1 + 6 - 6 + 2*11 + .5 = 23.5       y(0,1) = 3 + 12 - 8 + 0 + .5 = 7.5
    // y(1,0) = 9 + 30 - 14 + 0 + .5 = 25.5        y(1,1) = 11 + 36 - 16 + 0 + .5 = 31.5
    check_close(run_ramp(net), {23.5, 7.5, 25.5, 31.5});
}

TEST_CASE("Conv2D 1x1, 2 channels -> 2 filters: kernel layout (cin, cout)") {
    using Net = sn::Sequential<sn::Input<2, 2, 2>, sn::Conv2D<{.filters = 2, .kernel = {1, 1}}>>;
    static_assert(Net::params.total == 2 * 2 + 2);
    static_assert(Net::macs_per_sample == 2 * 2 * 2 * 1 * 1 * 2);  // 4 pixels x 2 filters x 2 inputs = 16
    static sn::Inference<Net, 1, double> net;
    // kernel[ci][co]: k[0][0] = 1, k[0][1] = -1, k[1][0] = 2, k[1][1] = 0.5; bias (0.25, -1)
    set(net.parameter(1, "kernel"), {1, -1, 2, 0.5});
    set(net.parameter(1, "bias"), {0.25, -1});
    // pixels (a, b), NHWC: (1, 2), (3, 4), (-1, 0.5), (0, -2)
    static const double x[8] = {1, 2, 3, 4, -1, 0.5, 0, -2};
    // y0 = a + 2b + 0.25, y1 = -a + 0.5b - 1
    // (1, 2):    1 + 4 + .25 = 5.25     -1 + 1 - 1 = -1
    // (3, 4):    3 + 8 + .25 = 11.25    -3 + 2 - 1 = -2
    // (-1, .5): -1 + 1 + .25 = 0.25      1 + .25 - 1 = 0.25
    // (0, -2):   0 - 4 + .25 = -3.75     0 - 1 - 1 = -2
    check_close(net.predict(x, 1), {5.25, -1, 11.25, -2, 0.25, 0.25, -3.75, -2});
}

TEST_CASE("Conv2D: a batch of two samples gives each sample its own result") {
    using Net = sn::Sequential<sn::Input<4, 4, 1>, sn::Conv2D<{.filters = 1, .kernel = {3, 3}}>>;
    static sn::Inference<Net, 2, double> net;
    set(net.parameter(1, "kernel"), kernel3x3);
    set(net.parameter(1, "bias"), {0.5});
    // sample 0: the ramp; sample 1: the ramp negated -> y = -(y0 - 0.5) + 0.5 = 1 - y0
    static double x[32];
    int i = 0;
    for (double v : ramp4x4) x[i++] = v;
    for (double v : ramp4x4) x[i++] = -v;
    check_close(net.predict(x, 2), {23.5, 28.5, 43.5, 48.5, -22.5, -27.5, -42.5, -47.5});
    CHECK(net.parameter(1, "gamma").empty());
    CHECK(net.parameter(0, "kernel").empty());
}
