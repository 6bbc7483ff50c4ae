// AveragePooling2D: shape rule (strides default to the pool, 'same' padding), no parameters,
// names and source spelling, and hand-computed forward and backward cases in float and double:
// 'valid' windows, 'same' windows that average only their valid elements (TF; PyTorch's
// count_include_pad = false), overlapping windows on odd sizes, and 19 channels (the layer's
// SIMD path with a scalar tail) over two samples. Gradient checks: tests/train/gradient_check.cpp;
// SIMD against reference: tests/kernels/average_pool.cpp; PyTorch: forward_avgpool_*.txt.
#include <doctest/doctest.h>

#include <cstddef>
#include <initializer_list>
#include <span>
#include <string_view>
#include <type_traits>
#include <vector>

#include <staticnet/core.hpp>

#include "support.hpp"

namespace sn = staticnet;
using layer_tests::check_close;

namespace {

template <sn::AveragePooling2DOptions O>
using On13x17 = sn::Sequential<sn::Input<13, 17, 3>, sn::AveragePooling2D<O>>;

// Default: pool 2 x 2, strides = pool, valid: floor(13 / 2) = 6, floor(17 / 2) = 8.
static_assert(sn::Sequential<sn::Input<13, 17, 3>, sn::AveragePooling2D<>>::shapes[1] == sn::Shape{6, 8, 3, 3});
// pool 3 valid: 4 x 5; same: ceil(13 / 3) = 5, ceil(17 / 3) = 6.
static_assert(On13x17<{.pool = 3}>::shapes[1] == sn::Shape{4, 5, 3, 3});
static_assert(On13x17<{.pool = 3, .padding = sn::same}>::shapes[1] == sn::Shape{5, 6, 3, 3});
// 'same' padding of that pool: rows (5 - 1) * 3 + 3 - 13 = 2 -> 1 before; cols (6 - 1) * 3 + 3 - 17 = 1 -> 0 before.
static_assert(sn::AveragePooling2D<{.pool = 3, .padding = sn::same}>::geometry<sn::Shape{13, 17, 3, 3}>().pad_top == 1);
static_assert(sn::AveragePooling2D<{.pool = 3, .padding = sn::same}>::geometry<sn::Shape{13, 17, 3, 3}>().pad_left == 0);
// Overlapping and non-square: pool (2, 3) strides (1, 2) valid: 12 x 8.
static_assert(On13x17<{.pool = {2, 3}, .strides = {1, 2}}>::shapes[1] == sn::Shape{12, 8, 3, 3});
// The resolved strides; one number is a square window (as Keras's pool_size=2).
static_assert(sn::AveragePooling2D<{.pool = {3, 2}}>::strides == sn::Size2{3, 2});
static_assert(sn::AveragePooling2D<{.pool = 3, .strides = {1, 2}}>::strides == sn::Size2{1, 2});
static_assert(std::is_same_v<sn::AveragePooling2D<{.pool = 2}>, sn::AveragePooling2D<{.pool = {2, 2}}>>);
// No parameters, no MACs (additions, as Keras counts), nothing kept for backward, not in place.
static_assert(On13x17<{.pool = 3}>::params.total == 0 && On13x17<{.pool = 3}>::param_specs[1].count == 0);
static_assert(On13x17<{.pool = 3}>::macs_per_sample == 0);
static_assert(!sn::AveragePooling2D<>::backward_needs_input && !sn::AveragePooling2D<>::backward_needs_output);
static_assert(!sn::AveragePooling2D<>::in_place);
// Keras's names; AvgPool2D is the same type.
static_assert(std::string_view(sn::AveragePooling2D<>::keras_class) == "AveragePooling2D");
static_assert(std::string_view(sn::AveragePooling2D<>::keras_name) == "average_pooling2d");
static_assert(std::is_same_v<sn::AvgPool2D<{.pool = 3}>, sn::AveragePooling2D<{.pool = 3}>>);
// The canonical spelling writes every option; options and kinds change the signature.
using Spelled = sn::Sequential<sn::Input<8, 8, 2>, sn::AveragePooling2D<{.pool = 3, .padding = sn::same}>>;
static_assert(sn::source_text<Spelled>() ==
              "sn::Sequential<\n    sn::Input<8, 8, 2>,\n"
              "    sn::AveragePooling2D<{.pool = {3, 3}, .strides = {-1, -1}, .padding = sn::same}>>");
static_assert(sn::signature_of<Spelled> !=
              sn::signature_of<sn::Sequential<sn::Input<8, 8, 2>, sn::AveragePooling2D<{.pool = 3}>>>);
static_assert(sn::signature_of<Spelled> !=
              sn::signature_of<sn::Sequential<sn::Input<8, 8, 2>, sn::MaxPool2D<{.pool = 3, .padding = sn::same}>>>);

template <class T>
constexpr double eps = sizeof(T) == sizeof(float) ? 1e-6 : 1e-13;

// One sample through Inference<Net, 1, T>.
template <class Net, class T>
void expect_forward(std::initializer_list<double> x, std::initializer_list<double> want) {
    static sn::Inference<Net, 1, T> net;
    REQUIRE(x.size() == Net::input_shape.size());
    std::vector<T> in;
    for (double v : x) in.push_back(static_cast<T>(v));
    check_close<T>(net.predict(std::span<const T>(in), 1), want, eps<T>);
}

// The layer's backward alone on one sample.
template <class L, sn::Shape In, class T>
void expect_backward(std::initializer_list<double> gy, std::initializer_list<double> want) {
    std::vector<T> g, gx(In.size(), T(7));  // backward overwrites gx
    for (double v : gy) g.push_back(static_cast<T>(v));
    REQUIRE(g.size() == L::output_shape(In).size());
    sn::LayerContext<T> ctx;
    ctx.training = true;
    L::template backward<In, T>(ctx, nullptr, nullptr, g.data(), gx.data(), 1);
    check_close<T>(std::span<const T>(gx), want, eps<T>);
}

}  // namespace

TEST_CASE_TEMPLATE("AveragePooling2D 2x2 on 4x4, two channels", T, float, double) {
    // channel 0:              window means: (1 + 2 + 5 + 6) / 4 = 3.5, (3 + 4 + 7 + 8) / 4 = 5.5,
    //    1  2 |  3    4                     (-1 - 3 + 2 + 6) / 4 = 1, (0.5 + 0.25 - 8 + 0) / 4 = -1.8125
    //    5  6 |  7    8       channel 1 = 10 x channel 0.
    //   ------+---------
    //   -1 -3 |  0.5  0.25
    //    2  6 | -8    0
    using Net = sn::Sequential<sn::Input<4, 4, 2>, sn::AveragePooling2D<{.pool = 2}>>;
    static_assert(Net::shapes[1] == sn::Shape{2, 2, 2, 3});
    const double c0[16] = {1, 2, 3, 4, 5, 6, 7, 8, -1, -3, 0.5, 0.25, 2, 6, -8, 0};
    std::vector<double> x;
    for (double v : c0) x.insert(x.end(), {v, 10 * v});
    static sn::Inference<Net, 1, T> net;
    std::vector<T> in(x.begin(), x.end());
    check_close<T>(net.predict(std::span<const T>(in), 1), {3.5, 35, 5.5, 55, 1, 10, -1.8125, -18.125}, eps<T>);

    // Backward: each output gradient / 4 to each element of its window.
    expect_backward<Net::layer<1>, sn::Shape{4, 4, 2, 3}, T>(
        {4, 40, 8, 80, -2, -20, 1, 10},
        {1, 10, 1, 10, 2, 20, 2, 20, 1, 10, 1, 10, 2, 20, 2, 20,
         -0.5, -5, -0.5, -5, 0.25, 2.5, 0.25, 2.5, -0.5, -5, -0.5, -5, 0.25, 2.5, 0.25, 2.5});
}

TEST_CASE_TEMPLATE("AveragePooling2D 'same' on an odd size averages only the valid elements", T, float, double) {
    // 3 x 3 -> ceil(3 / 2) = 2 x 2; total pad 1 * 2 + 2 - 3 = 1: 0 before, 1 after.
    //    1  2 | 4      (0,0): (1 + 2 + 3 + 8) / 4 = 3.5   (0,1): (4 + 5) / 2 = 4.5
    //    3  8 | 5      (1,0): (6 + 7) / 2 = 6.5           (1,1): 9 / 1 = 9
    //   ------+--      (counting the padding, as count_include_pad = true does, would give
    //    6  7 | 9       2.25, 3.25 and 2.25 for the last three)
    using L = sn::AveragePooling2D<{.pool = 2, .padding = sn::same}>;
    using Net = sn::Sequential<sn::Input<3, 3, 1>, L>;
    static_assert(Net::shapes[1] == sn::Shape{2, 2, 1, 3});
    expect_forward<Net, T>({1, 2, 4, 3, 8, 5, 6, 7, 9}, {3.5, 4.5, 6.5, 9});
    // Backward divides by the same counts 4, 2, 2, 1: gy (8, 6, 4, 3) -> 2, 3, 2, 3 per element.
    expect_backward<L, sn::Shape{3, 3, 1, 3}, T>({8, 6, 4, 3}, {2, 2, 3, 2, 2, 3, 2, 2, 3});
}

TEST_CASE_TEMPLATE("AveragePooling2D 3x3 stride 1 'same' on 3x3: counts 4, 6, 9 at corners, edges, centre", T, float,
                   double) {
    using L = sn::AveragePooling2D<{.pool = 3, .strides = 1, .padding = sn::same}>;
    using Net = sn::Sequential<sn::Input<3, 3, 1>, L>;
    static_assert(Net::shapes[1] == sn::Shape{3, 3, 1, 3});
    //   1 4 9          (0,0): (1 + 4 + 16 + 25) / 4 = 11.5      (0,1): (1 + 4 + 9 + 16 + 25 + 36) / 6 = 15.1666..
    //  16 25 36        (0,2): (4 + 9 + 25 + 36) / 4 = 18.5      (1,0): (1 + 4 + 16 + 25 + 49 + 64) / 6 = 26.5
    //  49 64 81        (1,1): 285 / 9 = 31.666..                (1,2): (4 + 9 + 25 + 36 + 64 + 81) / 6 = 36.5
    //                  (2,0): (16 + 25 + 49 + 64) / 4 = 38.5    (2,1): (16 + 25 + 36 + 49 + 64 + 81) / 6 = 45.1666..
    //                  (2,2): (25 + 36 + 64 + 81) / 4 = 51.5
    expect_forward<Net, T>({1, 4, 9, 16, 25, 36, 49, 64, 81},
                           {11.5, 91.0 / 6, 18.5, 26.5, 285.0 / 9, 36.5, 38.5, 271.0 / 6, 51.5});
    // Backward: gy = count, so every window passes 1 to each of its elements; element (i, j)
    // gets the number of windows that hold it: 4 at the corners, 6 on the edges, 9 in the middle.
    expect_backward<L, sn::Shape{3, 3, 1, 3}, T>({4, 6, 4, 6, 9, 6, 4, 6, 4}, {4, 6, 4, 6, 9, 6, 4, 6, 4});
}

TEST_CASE_TEMPLATE("AveragePooling2D pool (3, 2) strides (2, 1) 'valid' on 5x4: overlapping windows add up", T, float,
                   double) {
    using L = sn::AveragePooling2D<{.pool = {3, 2}, .strides = {2, 1}}>;
    using Net = sn::Sequential<sn::Input<5, 4, 1>, L>;
    static_assert(Net::shapes[1] == sn::Shape{2, 3, 1, 3});
    //  1 0 2 4    window rows {0, 1, 2} and {2, 3, 4}, columns {0, 1}, {1, 2}, {2, 3}:
    //  3 1 0 2    (0,0): 1 + 0 + 3 + 1 + 0 + 5 = 10   (0,1): 0 + 2 + 1 + 0 + 5 + 1 = 9   (0,2): 2 + 4 + 0 + 2 + 1 + 1 = 10
    //  0 5 1 1    (1,0): 0 + 5 + 2 + 2 + 4 + 1 = 14   (1,1): 5 + 1 + 2 + 3 + 1 + 0 = 12  (1,2): 1 + 1 + 3 + 0 + 0 + 6 = 11
    //  2 2 3 0    each over 6
    //  4 1 0 6
    expect_forward<Net, T>({1, 0, 2, 4, 3, 1, 0, 2, 0, 5, 1, 1, 2, 2, 3, 0, 4, 1, 0, 6},
                           {10.0 / 6, 1.5, 10.0 / 6, 14.0 / 6, 2, 11.0 / 6});
    // gy = 6 x (1 .. 6): window w passes w to each of its elements. Rows 0, 1 see the first row
    // of windows only, row 2 both, rows 3, 4 the second; column 0 sees window column 0, columns
    // 1 and 2 two window columns, column 3 window column 2.
    expect_backward<L, sn::Shape{5, 4, 1, 3}, T>({6, 12, 18, 24, 30, 36},
                                                  {1, 3, 5, 3,        // 1 | 1 + 2 | 2 + 3 | 3
                                                   1, 3, 5, 3,        //
                                                   5, 12, 16, 9,      // + 4 | + 4 + 5 | + 5 + 6 | + 6
                                                   4, 9, 11, 6,       // 4 | 4 + 5 | 5 + 6 | 6
                                                   4, 9, 11, 6});
}

TEST_CASE_TEMPLATE("AveragePooling2D on 19 channels, two samples (the layer's SIMD path and its tail)", T, float,
                   double) {
    // The 'same' case above with channel c scaled by (c + 1), and sample 1 = -sample 0.
    constexpr int C = 19;
    using L = sn::AveragePooling2D<{.pool = 2, .padding = sn::same}>;
    using Net = sn::Sequential<sn::Input<3, 3, C>, L>;
    const double base[9] = {1, 2, 4, 3, 8, 5, 6, 7, 9};
    const double mean[4] = {3.5, 4.5, 6.5, 9};
    static sn::Inference<Net, 2, T> net;
    std::vector<T> x(2 * 9 * C);
    for (int s = 0; s < 2; ++s)
        for (int i = 0; i < 9; ++i)
            for (int c = 0; c < C; ++c) x[(s * 9 + i) * C + c] = static_cast<T>((s ? -1 : 1) * base[i] * (c + 1));
    const auto y = net.predict(std::span<const T>(x), 2);
    REQUIRE(y.size() == 2 * 4 * C);
    for (int s = 0; s < 2; ++s)
        for (int o = 0; o < 4; ++o)
            for (int c = 0; c < C; ++c) {
                CAPTURE(s);
                CAPTURE(o);
                CAPTURE(c);
                const double want = (s ? -1 : 1) * mean[o] * (c + 1);
                CHECK(static_cast<double>(y[(s * 4 + o) * C + c]) == doctest::Approx(want).epsilon(eps<T>));
            }

    // Backward on both samples: gy = count x (c + 1) x (1 or -1) gives (c + 1) x (1 or -1) everywhere.
    const double counts[4] = {4, 2, 2, 1};
    std::vector<T> gy(2 * 4 * C), gx(2 * 9 * C, T(7));
    for (int s = 0; s < 2; ++s)
        for (int o = 0; o < 4; ++o)
            for (int c = 0; c < C; ++c) gy[(s * 4 + o) * C + c] = static_cast<T>((s ? -1 : 1) * counts[o] * (c + 1));
    sn::LayerContext<T> ctx;
    L::template backward<sn::Shape{3, 3, C, 3}, T>(ctx, nullptr, nullptr, gy.data(), gx.data(), 2);
    for (int s = 0; s < 2; ++s)
        for (int i = 0; i < 9; ++i)
            for (int c = 0; c < C; ++c) {
                CAPTURE(s);
                CAPTURE(i);
                CAPTURE(c);
                CHECK(static_cast<double>(gx[(s * 9 + i) * C + c]) == (s ? -1 : 1) * (c + 1.0));
            }
}

TEST_CASE("AveragePooling2D backward leaves a null input gradient alone (first layer)") {
    using L = sn::AveragePooling2D<{.pool = 2}>;
    double gy[1] = {1};
    sn::LayerContext<double> ctx;
    L::backward<sn::Shape{2, 2, 1, 3}, double>(ctx, nullptr, nullptr, gy, nullptr, 1);
    CHECK(gy[0] == 1);
}
