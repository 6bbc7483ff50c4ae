// MaxPool2D: shape rule (strides default to the pool, 'same' padding), no parameters, and
// hand-computed forward cases with ties, negative values and 'same' padding that never wins.
#include <doctest/doctest.h>

#include <staticnet/core.hpp>
#include <type_traits>

#include "support.hpp"

namespace sn = staticnet;
using layer_tests::check_close;

namespace {

template <sn::MaxPool2DOptions O>
using On13x17 = sn::Sequential<sn::Input<13, 17, 3>, sn::MaxPool2D<O>>;

// Default: pool 2 x 2, strides = pool, valid: floor(13 / 2) = 6, floor(17 / 2) = 8.
static_assert(sn::Sequential<sn::Input<13, 17, 3>, sn::MaxPool2D<>>::shapes[1] == sn::Shape{6, 8, 3, 3});
// pool 3 (strides 3), valid: (13 - 3) / 3 + 1 = 4, (17 - 3) / 3 + 1 = 5.
static_assert(On13x17<{.pool = {3, 3}}>::shapes[1] == sn::Shape{4, 5, 3, 3});
// pool 3, same: ceil(13 / 3) = 5, ceil(17 / 3) = 6.
static_assert(On13x17<{.pool = {3, 3}, .padding = sn::same}>::shapes[1] == sn::Shape{5, 6, 3, 3});
// 'same' padding of that pool: rows (5 - 1) * 3 + 3 - 13 = 2 -> 1 before; cols (6 - 1) * 3 + 3 - 17 = 1 -> 0 before.
static_assert(On13x17<{.pool = {3, 3}, .padding = sn::same}>::layer<1>::geometry<sn::Shape{13, 17, 3, 3}>().pad_top == 1);
static_assert(On13x17<{.pool = {3, 3}, .padding = sn::same}>::layer<1>::geometry<sn::Shape{13, 17, 3, 3}>().pad_left == 0);
// pool 3, stride 1, valid: 11 x 15; stride 2 same: ceil(13 / 2) = 7, ceil(17 / 2) = 9.
static_assert(On13x17<{.pool = {3, 3}, .strides = {1, 1}}>::shapes[1] == sn::Shape{11, 15, 3, 3});
static_assert(On13x17<{.pool = {3, 3}, .strides = {2, 2}, .padding = sn::same}>::shapes[1] == sn::Shape{7, 9, 3, 3});
// pool 2 same on odd sizes: ceil(13 / 2) = 7, ceil(17 / 2) = 9.
static_assert(On13x17<{.pool = {2, 2}, .padding = sn::same}>::shapes[1] == sn::Shape{7, 9, 3, 3});
// non-square pool (2, 3): strides (2, 3) valid: 6, 5.
static_assert(On13x17<{.pool = {2, 3}}>::shapes[1] == sn::Shape{6, 5, 3, 3});
// The resolved strides.
static_assert(sn::MaxPool2D<{.pool = {3, 2}}>::strides == sn::Size2{3, 2});
static_assert(sn::MaxPool2D<{.pool = {3, 3}, .strides = {1, 2}}>::strides == sn::Size2{1, 2});
// No parameters, no MACs (comparisons are not multiply-accumulates, as in Keras's count).
static_assert(On13x17<{.pool = {3, 3}}>::params.total == 0);
static_assert(On13x17<{.pool = {3, 3}}>::macs_per_sample == 0);
static_assert(On13x17<{.pool = {3, 3}}>::param_specs[1].count == 0);
// MaxPooling2D is the same type.
static_assert(std::is_same_v<sn::MaxPooling2D<{.pool = {3, 3}}>, sn::MaxPool2D<{.pool = {3, 3}}>>);

}  // namespace

TEST_CASE("MaxPool2D 2x2 on 4x4 with ties and negative values, two channels") {
    using Net = sn::Sequential<sn::Input<4, 4, 2>, sn::MaxPool2D<{.pool = {2, 2}}>>;
    static_assert(Net::shapes[1] == sn::Shape{2, 2, 2, 3});
    static sn::Inference<Net, 1, double> net;
    // channel 0:                   channel 1 = -(channel 0), so its max is -(min of channel 0):
    //   -1 -3 |  5  5               windows: max  -1,  5 (a tie), -4 (all four tie), 8 (a tie)
    //   -2 -1 |  0 -7                        ch1: 3 (= -(-3)), 7, 4, -1 (= -1)
    //   ------+------
    //   -4 -4 |  2  8
    //   -4 -4 |  8  1
    const double c0[16] = {-1, -3, 5, 5, -2, -1, 0, -7, -4, -4, 2, 8, -4, -4, 8, 1};
    static double x[32];
    for (int i = 0; i < 16; ++i) {
        x[2 * i] = c0[i];
        x[2 * i + 1] = -c0[i];
    }
    // output NHWC: (window, channel)
    check_close(net.predict(x, 1), {-1, 3, 5, 7, -4, 4, 8, -1});
}

TEST_CASE("MaxPool2D 'same' on an odd size: padding is -inf and never wins") {
    // 3 x 3 -> ceil(3 / 2) = 2 x 2; total pad 1 * 2 + 2 - 3 = 1: 0 before, 1 after.
    // All inputs are negative: a zero-padded pool would give 0 in the last row and column.
    using Net = sn::Sequential<sn::Input<3, 3, 1>, sn::MaxPool2D<{.pool = {2, 2}, .padding = sn::same}>>;
    static_assert(Net::shapes[1] == sn::Shape{2, 2, 1, 3});
    static sn::Inference<Net, 1, double> net;
    //   -5 -2 | -7
    //   -1 -9 | -3
    //   ------+---
    //   -8 -6 | -4
    // (0,0): max(-5, -2, -1, -9) = -1   (0,1): max(-7, -3) = -3
    // (1,0): max(-8, -6) = -6           (1,1): -4 alone
    static const double x[9] = {-5, -2, -7, -1, -9, -3, -8, -6, -4};
    check_close(net.predict(x, 1), {-1, -3, -6, -4});
}

TEST_CASE("MaxPool2D 3x3 stride 1 'same' on 3x3: every window is clipped, never padded with 0") {
    using Net = sn::Sequential<sn::Input<3, 3, 1>,
                               sn::MaxPool2D<{.pool = {3, 3}, .strides = {1, 1}, .padding = sn::same}>>;
    static_assert(Net::shapes[1] == sn::Shape{3, 3, 1, 3});
    static sn::Inference<Net, 1, double> net;
    //   -5 -2 -7        each output: max of the 3 x 3 neighbourhood inside the image
    //   -1 -9 -3        (0,0): -5 -2 -1 -9 -> -1    (0,1): adds -7 -3 -> -1   (0,2): -2 -7 -9 -3 -> -2
    //   -8 -6 -4        (1,*): the whole rows 0..2 within the columns: -1, -1, -2
    //                   (2,0): -1 -9 -8 -6 -> -1    (2,1): -1 -9 -3 -8 -6 -4 -> -1   (2,2): -9 -3 -6 -4 -> -3
    static const double x[9] = {-5, -2, -7, -1, -9, -3, -8, -6, -4};
    check_close(net.predict(x, 1), {-1, -1, -2, -1, -1, -2, -1, -1, -3});
}

TEST_CASE("MaxPool2D backward: the gradient goes to the first maximum of the window") {
    using L = sn::MaxPool2D<{.pool = {2, 2}}>;
    constexpr sn::Shape in{2, 4, 1, 3};
    // window 0: 7 7 / 7 1 -> three-way tie: the first one in row-major order (index 0) gets it.
    // window 1: -2 -3 / -1 -1 -> tie of -1 at (1,2) and (1,3): index 6 gets it.
    const double x[8] = {7, 7, -2, -3, 7, 1, -1, -1};
    double gy[2] = {10, 20};
    double gx[8] = {};
    sn::LayerContext<double> ctx;
    ctx.training = true;
    L::backward<in, double>(ctx, x, nullptr, gy, gx, 1);
    const double want[8] = {10, 0, 0, 0, 0, 0, 20, 0};
    for (int i = 0; i < 8; ++i) {
        CAPTURE(i);
        CHECK(gx[i] == want[i]);
    }
}

// One number is a square window, as Keras's pool_size=2 / kernel_size=3 (it used to become {2, 0}).
TEST_CASE("MaxPool2D and Conv2D accept one number for a square window") {
    using One = sn::Sequential<sn::Input<28, 28, 1>, sn::Conv2D<{.filters = 4, .kernel = 3}>, sn::MaxPool2D<{.pool = 2}>>;
    using Two = sn::Sequential<sn::Input<28, 28, 1>, sn::Conv2D<{.filters = 4, .kernel = {3, 3}}>,
                               sn::MaxPool2D<{.pool = {2, 2}}>>;
    static_assert(std::is_same_v<One, Two>);
    static_assert(One::shapes[2] == sn::Shape{13, 13, 4, 3});
    CHECK(sn::Size2{5} == sn::Size2{5, 5});
    CHECK(sn::Size2{} == sn::Size2{0, 0});
}
