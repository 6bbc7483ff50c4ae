// ZeroPadding2D: the padding spellings (one number, {vertical, horizontal}, {top, bottom, left,
// right}), shape rule, no parameters, names and spelling, hand-computed forward and backward
// (asymmetric padding), and 19 channels over two samples (the SIMD path). Gradient check:
// tests/train/gradient_check_layers.cpp; SIMD against reference: tests/kernels/depthwise.cpp;
// PyTorch: forward_zeropad_*.txt.
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

namespace {

static_assert(sn::Pad4(2) == sn::Pad4(2, 2, 2, 2));
static_assert(sn::Pad4(1, 3) == sn::Pad4(1, 1, 3, 3));  // Keras's (symmetric_height_pad, symmetric_width_pad)
static_assert(std::is_same_v<sn::ZeroPadding2D<>, sn::ZeroPadding2D<{.padding = 1}>>);  // Keras's default
static_assert(std::is_same_v<sn::ZeroPadding2D<{.padding = 2}>, sn::ZeroPadding2D<{.padding = {2, 2, 2, 2}}>>);
template <sn::ZeroPadding2DOptions O>
using On5x7 = sn::Sequential<sn::Input<5, 7, 3>, sn::ZeroPadding2D<O>>;
static_assert(On5x7<{.padding = 1}>::shapes[1] == sn::Shape{7, 9, 3, 3});
static_assert(On5x7<{.padding = {1, 2}}>::shapes[1] == sn::Shape{7, 11, 3, 3});
static_assert(On5x7<{.padding = {0, 3, 1, 0}}>::shapes[1] == sn::Shape{8, 8, 3, 3});
static_assert(On5x7<{.padding = 0}>::shapes[1] == sn::Shape{5, 7, 3, 3});
static_assert(On5x7<{.padding = 1}>::params.total == 0 && On5x7<{.padding = 1}>::macs_per_sample == 0);
static_assert(!sn::ZeroPadding2D<>::backward_needs_input && !sn::ZeroPadding2D<>::backward_needs_output);
static_assert(std::string_view(sn::ZeroPadding2D<>::keras_class) == "ZeroPadding2D");
static_assert(std::string_view(sn::ZeroPadding2D<>::keras_name) == "zero_padding2d");
static_assert(sn::source_text<On5x7<{.padding = {1, 2}}>>() ==
              "sn::Sequential<\n    sn::Input<5, 7, 3>,\n    sn::ZeroPadding2D<{.padding = {1, 1, 2, 2}}>>");
static_assert(sn::signature_of<On5x7<{.padding = {1, 2}}>> != sn::signature_of<On5x7<{.padding = {2, 1}}>>);

template <class T>
constexpr double eps = sizeof(T) == sizeof(float) ? 1e-6 : 1e-13;

}  // namespace

TEST_CASE_TEMPLATE("ZeroPadding2D {0, 1, 2, 1} on 2x2x1, and its backward crop", T, float, double) {
    // 1 2      0 0 1 2 0
    // 3 4  ->  0 0 3 4 0
    //          0 0 0 0 0
    using L = sn::ZeroPadding2D<{.padding = {0, 1, 2, 1}}>;
    using Net = sn::Sequential<sn::Input<2, 2, 1>, L>;
    static_assert(Net::shapes[1] == sn::Shape{3, 5, 1, 3});
    static sn::Inference<Net, 1, T> net;
    const std::vector<T> x = {1, 2, 3, 4};
    check_close<T>(net.predict(std::span<const T>(x), 1), {0, 0, 1, 2, 0, 0, 0, 3, 4, 0, 0, 0, 0, 0, 0}, eps<T>);
    // Backward: the gradients at the input's places, the padding's dropped.
    std::vector<T> gy, gx(4, T(7));
    for (int i = 1; i <= 15; ++i) gy.push_back(static_cast<T>(i));
    sn::LayerContext<T> ctx;
    L::template backward<sn::Shape{2, 2, 1, 3}, T>(ctx, nullptr, nullptr, gy.data(), gx.data(), 1);
    check_close<T>(std::span<const T>(gx), {3, 4, 8, 9}, eps<T>);
}

TEST_CASE_TEMPLATE("ZeroPadding2D on 19 channels, two samples (the SIMD path and its tail)", T, float, double) {
    constexpr int C = 19, H = 2, W = 3;
    using L = sn::ZeroPadding2D<{.padding = {2, 1, 1, 3}}>;
    using Net = sn::Sequential<sn::Input<H, W, C>, L>;
    constexpr sn::Shape out = Net::shapes[1];
    static_assert(out == sn::Shape{5, 7, C, 3});
    static sn::Inference<Net, 2, T> net;
    std::vector<T> x(2 * H * W * C);
    for (std::size_t i = 0; i < x.size(); ++i) x[i] = static_cast<T>(i + 1);
    const auto y = net.predict(std::span<const T>(x), 2);
    REQUIRE(y.size() == 2 * out.size());
    for (int s = 0; s < 2; ++s)
        for (int r = 0; r < out.h; ++r)
            for (int q = 0; q < out.w; ++q)
                for (int c = 0; c < C; ++c) {
                    const int iy = r - 2, ix = q - 1;
                    const bool inside = iy >= 0 && iy < H && ix >= 0 && ix < W;
                    const double want = inside ? static_cast<double>(x[static_cast<std::size_t>(((s * H + iy) * W + ix) * C + c)]) : 0.0;
                    CHECK(static_cast<double>(y[static_cast<std::size_t>(((s * out.h + r) * out.w + q) * C + c)]) == want);
                }
    // Backward through the layer's parallel path: gx = the inner part of gy.
    std::vector<T> gy(2 * out.size()), gx(x.size(), T(-1));
    for (std::size_t i = 0; i < gy.size(); ++i) gy[i] = static_cast<T>(i);
    sn::LayerContext<T> ctx;
    L::template backward<sn::Shape{H, W, C, 3}, T>(ctx, nullptr, nullptr, gy.data(), gx.data(), 2);
    for (int s = 0; s < 2; ++s)
        for (int iy = 0; iy < H; ++iy)
            for (int ix = 0; ix < W; ++ix)
                for (int c = 0; c < C; ++c)
                    CHECK(gx[static_cast<std::size_t>(((s * H + iy) * W + ix) * C + c)] ==
                          gy[static_cast<std::size_t>(((s * out.h + iy + 2) * out.w + ix + 1) * C + c)]);
}
