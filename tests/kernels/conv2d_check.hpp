// Shared by conv2d.cpp and conv2d_odd.cpp (two translation units, so the kernel test binaries
// compile in parallel): one geometry's SIMD Conv2D kernels against the reference - forward
// (plain and fused ReLU), kernel/bias gradients, input gradient - in float and double.
#pragma once
#include <doctest/doctest.h>

#include <staticnet/kernels/reference/conv2d.hpp>
#include <staticnet/kernels/simd/conv2d.hpp>
#include <staticnet/layers/conv2d.hpp>
#include <string>
#include <vector>

#include "kernels/support.hpp"

namespace {

namespace sn = staticnet;
namespace kt = kernel_test;

template <int H, int W, int Cin, sn::Conv2DOptions O>
struct Case {
    static constexpr sn::Shape in{H, W, Cin, 3};
    static constexpr auto g = sn::Conv2D<O>::template geometry<in>();
};

template <class C, class Arch, class T>
void check_case(int n, const char* name) {
    constexpr auto g = C::g;
    const std::string what = std::string(name) + (sizeof(T) == 4 ? " float" : " double") + " n=" + std::to_string(n) +
                             " arch=" + Arch::name();
    CAPTURE(what);
    const std::size_t xs = static_cast<std::size_t>(n) * g.h * g.w * g.cin;
    const std::size_t ys = static_cast<std::size_t>(n) * g.oh * g.ow * g.cout;
    const std::size_t ks = static_cast<std::size_t>(g.kh) * g.kw * g.cin * g.cout;
    const auto x = kt::random_values<T>(xs, 1);
    const auto k = kt::random_values<T>(ks, 2);
    const auto b = kt::random_values<T>(static_cast<std::size_t>(g.cout), 3);
    const auto gz = kt::random_values<T>(ys, 4);
    constexpr double tol = kt::sum_tolerance<T>();

    std::vector<T> y_ref(ys), y_simd(ys, T(7));
    sn::kernels::reference::conv2d_forward<g>(x.data(), k.data(), b.data(), y_ref.data(), n);
    sn::kernels::simd::conv2d_forward<g, sn::ActivationFunction::linear, Arch>(x.data(), k.data(), b.data(),
                                                                                y_simd.data(), n);
    kt::check_close(y_ref, y_simd, tol, what + " forward");

    sn::kernels::reference::conv2d_forward<g, sn::ActivationFunction::relu>(x.data(), k.data(), b.data(), y_ref.data(), n);
    sn::kernels::simd::conv2d_forward<g, sn::ActivationFunction::relu, Arch>(x.data(), k.data(), b.data(), y_simd.data(), n);
    kt::check_close(y_ref, y_simd, tol, what + " forward relu");
    for (std::size_t i = 0; i < ys; ++i) REQUIRE(!(y_simd[i] < T(0)));

    std::vector<T> gk_ref(ks), gk_simd(ks, T(7)), gb_ref(static_cast<std::size_t>(g.cout)),
        gb_simd(static_cast<std::size_t>(g.cout), T(7)), scratch(ks);
    sn::kernels::reference::conv2d_backward_params<g>(x.data(), gz.data(), gk_ref.data(), gb_ref.data(), scratch.data(), n);
    sn::kernels::simd::conv2d_backward_params<g, Arch>(x.data(), gz.data(), gk_simd.data(), gb_simd.data(), scratch.data(), n);
    kt::check_close(gk_ref, gk_simd, tol, what + " kernel gradient");
    if (g.use_bias) kt::check_close(gb_ref, gb_simd, tol, what + " bias gradient");

    std::vector<T> gx_ref(xs), gx_simd(xs, T(7));
    sn::kernels::reference::conv2d_backward_input<g>(k.data(), gz.data(), gx_ref.data(), scratch.data(), n);
    sn::kernels::simd::conv2d_backward_input<g, Arch>(k.data(), gz.data(), gx_simd.data(), scratch.data(), n);
    kt::check_close(gx_ref, gx_simd, tol, what + " input gradient");
}

template <class C, class T>
void check_all_archs(const char* name) {
    kt::for_each_arch([&]<class Arch>() {
        for (int n : {1, 3}) check_case<C, Arch, T>(n, name);
    });
}

template <class C>
void check_both_types(const char* name) {
    check_all_archs<C, float>(name);
    check_all_archs<C, double>(name);
}

}  // namespace
