// SIMD DepthwiseConv2D and ZeroPadding2D kernels against their references.
//
// Depthwise: forward (plain and fused ReLU), kernel and bias gradients (all blocks at once and
// cut into ranges), input gradient; depth multipliers 1, 2 and 3; channel counts around the
// vector widths (tails); 'valid' and 'same' with strides and asymmetric padding; float and
// double, n = 1 and 3. The SIMD kernels add the same terms in the same order as the reference
// (kernels/simd/depthwise.hpp) but always fuse the multiply-add, where the reference's a * b + c
// may be rounded twice: the results may differ by rounding only. They are compared with the
// tolerance of every SIMD sum kernel (kt::sum_tolerance: 2e-5 float, 1e-13 double, relative to
// the largest value); the worst difference seen is printed (in units of that largest value's
// epsilon) so the margin is visible.
//
// ZeroPadding2D only moves values: bit for bit.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <limits>
#include <string>
#include <vector>

#include <staticnet/kernels/reference/depthwise.hpp>
#include <staticnet/kernels/reference/pad.hpp>
#include <staticnet/kernels/simd/depthwise.hpp>
#include <staticnet/kernels/simd/pad.hpp>
#include <staticnet/layers/depthwise_conv2d.hpp>
#include <staticnet/layers/zero_padding2d.hpp>

#include "kernels/support.hpp"

namespace {

namespace sn = staticnet;
namespace ref = staticnet::kernels::reference;
namespace simd = staticnet::kernels::simd;
namespace kt = kernel_test;

template <int H, int W, int C, sn::DepthwiseConv2DOptions O>
struct Case {
    static constexpr auto g = sn::DepthwiseConv2D<O>::template geometry<sn::Shape{H, W, C, 3}>();
};

// The worst difference of all comparisons, in epsilons of the largest reference value.
double worst_float = 0, worst_double = 0;

template <class T>
void compare(const std::vector<T>& r, const std::vector<T>& s, const std::string& what) {
    kt::check_close(r, s, kt::sum_tolerance<T>(), what);
    const double d = kt::scaled_difference(r, s) / static_cast<double>(std::numeric_limits<T>::epsilon());
    double& worst = sizeof(T) == sizeof(float) ? worst_float : worst_double;
    worst = std::max(worst, d);
}

template <sn::kernels::DepthwiseGeometry G, class Arch, class T>
void check_geometry(int n, const std::string& what) {
    CAPTURE(what);
    const std::size_t xs = static_cast<std::size_t>(n) * G.h * G.w * G.cin;
    const std::size_t ys = static_cast<std::size_t>(n) * G.oh * G.ow * G.cout;
    const std::size_t ks = static_cast<std::size_t>(G.kh) * G.kw * G.cout;
    const auto x = kt::random_values<T>(xs, 11 + xs);
    const auto k = kt::random_values<T>(ks, 12 + ks);
    const auto b = kt::random_values<T>(static_cast<std::size_t>(G.cout), 13);
    const auto gz = kt::random_values<T>(ys, 14 + ys);

    std::vector<T> y_ref(ys), y_simd(ys, T(7));
    ref::depthwise_forward<G>(x.data(), k.data(), b.data(), y_ref.data(), n);
    simd::depthwise_forward<G, sn::ActivationFunction::linear, Arch>(x.data(), k.data(), b.data(), y_simd.data(), n);
    compare(y_ref, y_simd, what + " forward");
    ref::depthwise_forward<G, sn::ActivationFunction::relu>(x.data(), k.data(), b.data(), y_ref.data(), n);
    simd::depthwise_forward<G, sn::ActivationFunction::relu, Arch>(x.data(), k.data(), b.data(), y_simd.data(), n);
    compare(y_ref, y_simd, what + " forward relu");
    for (std::size_t i = 0; i < ys; ++i) REQUIRE(!(y_simd[i] < T(0)));

    const std::size_t cs = static_cast<std::size_t>(G.cout);
    std::vector<T> gk_ref(ks, T(3)), gk_simd(ks, T(7)), gb_ref(cs, T(3)), gb_simd(cs, T(7));
    ref::depthwise_backward_params<G>(x.data(), gz.data(), gk_ref.data(), G.use_bias ? gb_ref.data() : nullptr, n);
    simd::depthwise_backward_params<G, Arch>(x.data(), gz.data(), gk_simd.data(), G.use_bias ? gb_simd.data() : nullptr, n);
    compare(gk_ref, gk_simd, what + " kernel gradient");
    if (G.use_bias) compare(gb_ref, gb_simd, what + " bias gradient");
    // Cut into block ranges (as the layer's work items): the same bits as all at once.
    constexpr int blocks = simd::depthwise_backward_params_blocks<G>();
    std::vector<T> gk_cut(ks, T(5)), gb_cut(cs, T(5));
    for (int b0 = 0; b0 < blocks; b0 += 2)
        simd::depthwise_backward_params_range<G, Arch>(x.data(), gz.data(), gk_cut.data(), G.use_bias ? gb_cut.data() : nullptr,
                                                       n, b0, std::min(blocks, b0 + 2));
    kt::check_equal(gk_simd, gk_cut, what + " kernel gradient in ranges");
    if (G.use_bias) kt::check_equal(gb_simd, gb_cut, what + " bias gradient in ranges");

    std::vector<T> gx_ref(xs, T(3)), gx_simd(xs, T(7));  // both overwrite gx
    ref::depthwise_backward_input<G>(k.data(), gz.data(), gx_ref.data(), n);
    simd::depthwise_backward_input<G, Arch>(k.data(), gz.data(), gx_simd.data(), n);
    compare(gx_ref, gx_simd, what + " input gradient");
}

template <class C>
void check_all(const char* name) {
    const auto for_type = [&]<class T>() {
        kt::for_each_arch([&]<class Arch>() {
            for (int n : {1, 3})
                check_geometry<C::g, Arch, T>(n, std::string(name) + " " + kt::type_name<T>() + " n=" + std::to_string(n) +
                                                     " arch=" + Arch::name());
        });
    };
    for_type.template operator()<float>();
    for_type.template operator()<double>();
}

using sn::same;

template <sn::kernels::PadGeometry G, class Arch, class T>
void check_pad(int n, const std::string& what) {
    CAPTURE(what);
    const std::size_t xs = static_cast<std::size_t>(n) * G.h * G.w * G.c;
    const std::size_t ys = static_cast<std::size_t>(n) * G.oh * G.ow * G.c;
    auto x = kt::random_values<T>(xs, 31 + xs, -4.0, 4.0);
    for (std::size_t i = 0; i < xs; i += 13) x[i] = std::numeric_limits<T>::quiet_NaN();
    for (std::size_t i = 3; i < xs; i += 17) x[i] = -T(0);
    std::vector<T> y_ref(ys, T(3)), y_simd(ys, T(7));
    ref::zero_pad_forward<G>(x.data(), y_ref.data(), n);
    simd::zero_pad_forward<G, Arch>(x.data(), y_simd.data(), n);
    kt::check_equal(y_ref, y_simd, what + " forward");
    const auto gy = kt::random_values<T>(ys, 32 + ys);
    std::vector<T> gx_ref(xs, T(3)), gx_simd(xs, T(7));
    ref::zero_pad_backward<G>(gy.data(), gx_ref.data(), n);
    simd::zero_pad_backward<G, Arch>(gy.data(), gx_simd.data(), n);
    kt::check_equal(gx_ref, gx_simd, what + " backward");
}

template <int H, int W, int C, sn::ZeroPadding2DOptions O>
void check_pad_all(const char* name) {
    constexpr auto g = sn::ZeroPadding2D<O>::template geometry<sn::Shape{H, W, C, 3}>();
    kt::for_each_arch([&]<class Arch>() {
        for (int n : {1, 2}) {
            const std::string what = std::string(name) + " n=" + std::to_string(n) + " arch=" + Arch::name();
            check_pad<g, Arch, float>(n, what + " float");
            check_pad<g, Arch, double>(n, what + " double");
        }
    });
}

}  // namespace

TEST_CASE("simd depthwise equals the reference: depth_multiplier 1, channels around the vector widths") {
    check_all<Case<7, 6, 32, sn::DepthwiseConv2DOptions{.kernel = 3, .padding = same}>>("3x3 same c=32");
    check_all<Case<7, 9, 17, sn::DepthwiseConv2DOptions{.kernel = 3}>>("3x3 valid 7x9 c=17");
    check_all<Case<6, 5, 3, sn::DepthwiseConv2DOptions{.kernel = 3, .padding = same}>>("3x3 same c=3 (below a vector)");
    check_all<Case<5, 4, 129, sn::DepthwiseConv2DOptions{.kernel = 3, .strides = 2, .padding = same}>>(
        "3x3 s2 same c=129");
    check_all<Case<8, 8, 24, sn::DepthwiseConv2DOptions{.kernel = 3, .strides = 2, .padding = same}>>(
        "3x3 s2 same 8x8 c=24 (pads 0 before, 1 after)");
    check_all<Case<6, 7, 20, sn::DepthwiseConv2DOptions{.kernel = {4, 2}, .strides = {1, 3}, .padding = same,
                                                        .use_bias = false}>>("(4,2) s(1,3) same c=20 no bias");
    check_all<Case<3, 2, 40, sn::DepthwiseConv2DOptions{.kernel = 5, .padding = same}>>(
        "5x5 same on 3x2 (every window clipped) c=40");
    check_all<Case<5, 5, 16, sn::DepthwiseConv2DOptions{.kernel = {5, 1}}>>("(5,1) valid c=16");
}

TEST_CASE("simd depthwise equals the reference: depth_multiplier 2 and 3 (gathered input lanes)") {
    check_all<Case<6, 7, 8, sn::DepthwiseConv2DOptions{.kernel = 3, .padding = same, .depth_multiplier = 2}>>(
        "3x3 same c=8 dm=2");
    check_all<Case<5, 6, 7, sn::DepthwiseConv2DOptions{.kernel = 3, .strides = 2, .depth_multiplier = 3}>>(
        "3x3 s2 valid c=7 dm=3 (cout 21)");
    check_all<Case<4, 5, 3, sn::DepthwiseConv2DOptions{.kernel = {2, 3}, .padding = same, .depth_multiplier = 2,
                                                       .use_bias = false}>>("(2,3) same c=3 dm=2 (cout 6) no bias");
    check_all<Case<5, 5, 17, sn::DepthwiseConv2DOptions{.kernel = 3, .padding = same, .depth_multiplier = 2}>>(
        "3x3 same c=17 dm=2 (cout 34)");
}

TEST_CASE("simd zero padding equals the reference, bit for bit") {
    check_pad_all<5, 4, 19, sn::ZeroPadding2DOptions{.padding = {1, 2, 3, 0}}>("{1,2,3,0} c=19");
    check_pad_all<3, 3, 32, sn::ZeroPadding2DOptions{.padding = 1}>("1 c=32");
    check_pad_all<2, 7, 3, sn::ZeroPadding2DOptions{.padding = {0, 0, 2, 5}}>("{0,0,2,5} c=3");
    check_pad_all<4, 1, 1, sn::ZeroPadding2DOptions{.padding = {3, 1}}>("{3,1} c=1");
}

TEST_CASE("depthwise: the worst SIMD-vs-reference difference seen") {
    MESSAGE("depthwise kernels, worst |simd - reference| / max |reference|: float " << worst_float
            << " epsilons, double " << worst_double << " epsilons (tolerance: float "
            << kt::sum_tolerance<float>() / std::numeric_limits<float>::epsilon() << ", double "
            << kt::sum_tolerance<double>() / std::numeric_limits<double>::epsilon() << " epsilons)");
    CHECK(worst_float <= kt::sum_tolerance<float>() / std::numeric_limits<float>::epsilon());
}
