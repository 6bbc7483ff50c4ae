// SIMD MaxPool2D kernels against the reference, bit for bit: forward (NaN wins) and backward
// (gradient to the first maximum in row-major window order, overlapping windows adding up), on
// channel counts around the vector widths, stride 2, overlapping windows and asymmetric 'same'
// padding; float and double, the build's architecture and (where the build allows) AVX2+FMA.
#include <doctest/doctest.h>

#include <cmath>
#include <cstddef>
#include <initializer_list>
#include <limits>
#include <string>
#include <vector>

#include <staticnet/kernels/reference/pool.hpp>
#include <staticnet/kernels/simd/pool.hpp>
#include <staticnet/layers/max_pool2d.hpp>

#include "kernels/support.hpp"

namespace {

namespace sn = staticnet;
namespace ref = staticnet::kernels::reference;
namespace simd = staticnet::kernels::simd;
namespace kt = kernel_test;

// The geometry the MaxPool2D layer builds for an H x W x C input.
template <int H, int W, int C, sn::MaxPool2DOptions O>
struct Case {
    static constexpr sn::Shape in{H, W, C, 3};
    static constexpr sn::kernels::PoolGeometry g = sn::MaxPool2D<O>::template geometry<in>();
};

// Inputs with many ties (values from a few levels, +0 and -0 both present) so that "the first
// maximum" matters; `specials` adds NaNs and infinities.
template <class T>
std::vector<T> pool_input(std::size_t n, std::uint64_t seed, bool specials) {
    auto v = kt::random_values<T>(n, seed, 0.0, 1.0);
    const T levels[] = {T(-1), T(-0.0), T(0), T(0.5), T(1)};
    staticnet::Rng rng(seed ^ 0x5eedu);
    for (auto& x : v) {
        if (rng.uniform() < 0.6) x = levels[rng.below(std::size(levels))];
        if (specials) {
            const double u = rng.uniform();
            if (u < 0.03) x = std::numeric_limits<T>::quiet_NaN();
            else if (u < 0.05) x = -std::numeric_limits<T>::quiet_NaN();
            else if (u < 0.07) x = std::numeric_limits<T>::infinity();
            else if (u < 0.09) x = -std::numeric_limits<T>::infinity();
        }
    }
    return v;
}

template <class C, class Arch, class T>
void check_case(int n, const char* name) {
    constexpr auto g = C::g;
    const std::string what = std::string(name) + " " + kt::type_name<T>() + " n=" + std::to_string(n) +
                             " arch=" + Arch::name();
    CAPTURE(what);
    const std::size_t xs = static_cast<std::size_t>(n) * g.h * g.w * g.c;
    const std::size_t ys = static_cast<std::size_t>(n) * g.oh * g.ow * g.c;
    for (bool specials : {false, true}) {
        const std::string kind = specials ? " (NaN, inf)" : "";
        const auto x = pool_input<T>(xs, 51 + xs, specials);
        std::vector<T> y_ref(ys), y_simd(ys, T(7));
        ref::max_pool_forward<g>(x.data(), y_ref.data(), n);
        simd::max_pool_forward<g, Arch>(x.data(), y_simd.data(), n);
        kt::check_equal(y_ref, y_simd, what + " forward" + kind);

        // Gradients with NaNs too: they must travel to the same elements.
        auto gy = kt::random_values<T>(ys, 52 + ys);
        if (specials)
            for (std::size_t i = 0; i < ys; i += 7) gy[i] = std::numeric_limits<T>::quiet_NaN();
        std::vector<T> gx_ref(xs), gx_simd(xs, T(7));
        ref::max_pool_backward<g>(x.data(), gy.data(), gx_ref.data(), n);
        simd::max_pool_backward<g, Arch>(x.data(), gy.data(), gx_simd.data(), n);
        kt::check_equal(gx_ref, gx_simd, what + " backward" + kind);
    }
}

template <class C>
void check_all(const char* name, std::initializer_list<int> batches = {1, 2}) {
    const auto for_type = [&]<class T>() {
        kt::for_each_arch([&]<class Arch>() {
            for (int n : batches) check_case<C, Arch, T>(n, name);
        });
    };
    for_type.template operator()<float>();
    for_type.template operator()<double>();
}

using sn::same;
using sn::valid;

}  // namespace

TEST_CASE("simd max_pool equals the reference: 2x2 stride 2 (the seed networks' pooling)") {
    check_all<Case<28, 28, 32, sn::MaxPool2DOptions{.pool = {2, 2}}>>("seed 28x28x32");
    check_all<Case<14, 14, 16, sn::MaxPool2DOptions{.pool = {2, 2}}>>("seed 14x14x16", {1, 63});
    check_all<Case<7, 9, 17, sn::MaxPool2DOptions{.pool = {2, 2}}>>("odd 7x9x17");
    check_all<Case<6, 6, 1, sn::MaxPool2DOptions{.pool = {2, 2}}>>("c=1");
    check_all<Case<6, 5, 3, sn::MaxPool2DOptions{.pool = {2, 2}}>>("c=3");
}

TEST_CASE("simd max_pool equals the reference: channels around the vector widths") {
    check_all<Case<5, 4, 9, sn::MaxPool2DOptions{.pool = {2, 2}}>>("c=9");
    check_all<Case<4, 4, 80, sn::MaxPool2DOptions{.pool = {2, 2}}>>("c=80");
    check_all<Case<4, 3, 129, sn::MaxPool2DOptions{.pool = {2, 2}}>>("c=129");
}

TEST_CASE("simd max_pool equals the reference: overlapping windows and 'same' padding") {
    // 3x3 stride 1 'same': pad 1 on every side, every element in up to 9 windows.
    check_all<Case<7, 6, 17, sn::MaxPool2DOptions{.pool = {3, 3}, .strides = {1, 1}, .padding = same}>>(
        "3x3 s1 same c=17");
    // 3x3 stride 2 'same' on odd sizes, overlapping by one row/column.
    check_all<Case<9, 7, 33, sn::MaxPool2DOptions{.pool = {3, 3}, .strides = {2, 2}, .padding = same}>>(
        "3x3 s2 same c=33");
    // 4x4 stride 1 'same': total padding 3, asymmetric (pad_top = pad_left = 1, 2 after).
    check_all<Case<6, 7, 16, sn::MaxPool2DOptions{.pool = {4, 4}, .strides = {1, 1}, .padding = same}>>(
        "4x4 s1 same c=16");
    // 2x3 window, strides (1, 2), 'same': one padding row/column, after (pad_top = pad_left = 0).
    check_all<Case<5, 8, 20, sn::MaxPool2DOptions{.pool = {2, 3}, .strides = {1, 2}, .padding = same}>>(
        "2x3 s(1,2) same c=20");
    // 2x2 stride 2 'same' on odd sizes: the last window is half padding.
    check_all<Case<7, 5, 32, sn::MaxPool2DOptions{.pool = {2, 2}, .padding = same}>>("2x2 s2 same c=32");
    // 3x3 stride 2 'valid'.
    check_all<Case<8, 8, 24, sn::MaxPool2DOptions{.pool = {3, 3}, .strides = {2, 2}, .padding = valid}>>(
        "3x3 s2 valid c=24");
}

TEST_CASE("the padding geometries above really are asymmetric") {
    constexpr auto g = Case<6, 7, 16, sn::MaxPool2DOptions{.pool = {4, 4}, .strides = {1, 1}, .padding = same}>::g;
    static_assert(g.pad_top == 1 && g.pad_left == 1 && g.oh == 6 && g.ow == 7);
    constexpr auto g2 = Case<5, 8, 3, sn::MaxPool2DOptions{.pool = {2, 3}, .strides = {1, 2}, .padding = same}>::g;
    static_assert(g2.pad_top == 0 && g2.pad_left == 0 && g2.oh == 5 && g2.ow == 4);
    CHECK(g.pad_top == 1);
}

TEST_CASE("simd max_pool: a window of padding only matches the reference too") {
    // Never built by MaxPool2D, but the kernels accept it: forward gives -inf, backward routes
    // the gradient to element 0 (the reference's behaviour).
    constexpr sn::kernels::PoolGeometry g{.h = 2, .w = 2, .c = 20, .ph = 2, .pw = 2, .sh = 3, .sw = 3,
                                          .pad_top = 0, .pad_left = 0, .oh = 2, .ow = 2};
    const auto run = [&]<class T>() {
        kt::for_each_arch([&]<class Arch>() {
            const auto x = pool_input<T>(2 * 2 * 20, 61, false);
            const auto gy = kt::random_values<T>(2 * 2 * 20, 62);
            std::vector<T> y_ref(80), y_simd(80), gx_ref(80), gx_simd(80);
            ref::max_pool_forward<g>(x.data(), y_ref.data(), 1);
            simd::max_pool_forward<g, Arch>(x.data(), y_simd.data(), 1);
            kt::check_equal(y_ref, y_simd, "empty windows forward");
            ref::max_pool_backward<g>(x.data(), gy.data(), gx_ref.data(), 1);
            simd::max_pool_backward<g, Arch>(x.data(), gy.data(), gx_simd.data(), 1);
            kt::check_equal(gx_ref, gx_simd, "empty windows backward");
        });
    };
    run.template operator()<float>();
    run.template operator()<double>();
}

TEST_CASE("simd max_pool with a compile-time batch size (constant-folded loops build without warnings)") {
    constexpr auto g = Case<28, 28, 32, sn::MaxPool2DOptions{.pool = {2, 2}}>::g;
    constexpr int n = 64;
    const std::size_t xs = std::size_t{n} * g.h * g.w * g.c, ys = std::size_t{n} * g.oh * g.ow * g.c;
    const auto x = pool_input<float>(xs, 71, true);
    const auto gy = kt::random_values<float>(ys, 72);
    std::vector<float> y_ref(ys), y_simd(ys), gx_ref(xs), gx_simd(xs);
    ref::max_pool_forward<g>(x.data(), y_ref.data(), n);
    simd::max_pool_forward<g>(x.data(), y_simd.data(), n);
    kt::check_equal(y_ref, y_simd, "constant batch forward");
    ref::max_pool_backward<g>(x.data(), gy.data(), gx_ref.data(), n);
    simd::max_pool_backward<g>(x.data(), gy.data(), gx_simd.data(), n);
    kt::check_equal(gx_ref, gx_simd, "constant batch backward");
}
