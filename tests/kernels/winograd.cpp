// The Winograd F(2x2, 3x3) Conv2D kernel against the reference: forward (plain and fused ReLU)
// and the input gradient, on the seed networks' 3x3 shapes and odd ones (odd output sizes, so
// tiles hang over the edge; 'valid' and asymmetric padding; input channels not a multiple of
// the vector width), float and double; row splits and batch position give the same bits; the
// transformed kernel of a hand-computed case; and which geometries it serves.
#include <doctest/doctest.h>

#include <staticnet/kernels/reference/conv2d.hpp>
#include <staticnet/kernels/simd/winograd.hpp>
#include <staticnet/layers/conv2d.hpp>
#include <string>
#include <vector>

#include "kernels/support.hpp"

#if STATICNET_HAS_XSIMD
namespace {

namespace sn = staticnet;
namespace kt = kernel_test;
namespace simd = sn::kernels::simd;

template <int H, int W, int Cin, sn::Conv2DOptions O>
struct Case {
    static constexpr sn::Shape in{H, W, Cin, 3};
    static constexpr auto g = sn::Conv2D<O>::template geometry<in>();
};

template <class C, class T>
void check_winograd(int n, const char* name) {
    constexpr auto g = C::g;
    constexpr auto ig = simd::input_gradient_geometry<g>();
    const std::string what = std::string(name) + " " + kt::type_name<T>() + " n=" + std::to_string(n);
    CAPTURE(what);
    REQUIRE(simd::winograd_applies<g, T>());
    const std::size_t xs = static_cast<std::size_t>(n) * g.h * g.w * g.cin;
    const std::size_t ys = static_cast<std::size_t>(n) * g.oh * g.ow * g.cout;
    const std::size_t ks = static_cast<std::size_t>(g.kh) * g.kw * g.cin * g.cout;
    const auto x = kt::random_values<T>(xs, 21);
    const auto k = kt::random_values<T>(ks, 22);
    const auto b = kt::random_values<T>(static_cast<std::size_t>(g.cout), 23);
    const auto gz = kt::random_values<T>(ys, 24);
    constexpr double tol = kt::sum_tolerance<T>();
    std::vector<T> u(simd::winograd_kernel_size<g>(), T(7));

    std::vector<T> y_ref(ys), y_w(ys, T(7));
    sn::kernels::reference::conv2d_forward<g>(x.data(), k.data(), b.data(), y_ref.data(), n);
    simd::conv2d_winograd_forward<g>(x.data(), k.data(), b.data(), y_w.data(), u.data(), n);
    kt::check_close(y_ref, y_w, tol, what + " forward");

    sn::kernels::reference::conv2d_forward<g, sn::ActivationFunction::relu>(x.data(), k.data(), b.data(), y_ref.data(), n);
    simd::conv2d_winograd_forward<g, sn::ActivationFunction::relu>(x.data(), k.data(), b.data(), y_w.data(), u.data(), n);
    kt::check_close(y_ref, y_w, tol, what + " forward relu");
    for (std::size_t i = 0; i < ys; ++i) REQUIRE(!(y_w[i] < T(0)));

    if constexpr (simd::winograd_applies<ig, T>()) {
        std::vector<T> gx_ref(xs), gx_w(xs, T(7)), scratch(ks);
        sn::kernels::reference::conv2d_backward_input<g>(k.data(), gz.data(), gx_ref.data(), scratch.data(), n);
        simd::conv2d_winograd_backward_input<g>(k.data(), gz.data(), gx_w.data(), u.data(), n);
        kt::check_close(gx_ref, gx_w, tol, what + " input gradient");
    }

    // Any split of the rows, and any position in the batch, gives the same bits.
    simd::winograd_prepare<g>(k.data(), u.data());
    const std::size_t in1 = static_cast<std::size_t>(g.h) * g.w * g.cin, out1 = static_cast<std::size_t>(g.oh) * g.ow * g.cout;
    std::vector<T> split(out1, T(7));
    const T* xl = x.data() + static_cast<std::size_t>(n - 1) * in1;
    for (int r0 = 0; r0 < g.oh; r0 += 3)
        simd::conv2d_winograd_rows<g>(xl, u.data(), b.data(), split.data(), r0, r0 + 3 < g.oh ? r0 + 3 : g.oh);
    std::vector<T> whole(ys);
    simd::conv2d_winograd_forward<g>(x.data(), k.data(), b.data(), whole.data(), u.data(), n);
    for (std::size_t i = 0; i < out1; ++i) REQUIRE(split[i] == whole[static_cast<std::size_t>(n - 1) * out1 + i]);
}

template <class C>
void check_both(const char* name) {
    for (int n : {1, 3}) {
        check_winograd<C, float>(n, name);
        if constexpr (simd::winograd_applies<C::g, double>()) check_winograd<C, double>(n, name);
    }
}

constexpr sn::Conv2DOptions same32{.filters = 32, .kernel = {3, 3}, .padding = sn::same};

TEST_CASE("winograd conv2d: the seed networks' 3x3 shapes") {
    check_both<Case<28, 28, 32, same32>>("3x3 same 32->32 28x28");
    check_both<Case<14, 14, 32, same32>>("3x3 same 32->32 14x14");
    check_both<Case<14, 14, 16, same32>>("3x3 same 16->32 14x14");
    check_winograd<Case<28, 28, 32, same32>, float>(63, "3x3 same 32->32 28x28, batch 63");
}

TEST_CASE("winograd conv2d: odd sizes, 'valid' padding, odd input channels") {
    // 7x9 output: the last tile row and column hang over the edge.
    check_both<Case<7, 9, 5, sn::Conv2DOptions{.filters = 16, .kernel = {3, 3}, .padding = sn::same}>>("7x9 5->16 same");
    check_both<Case<9, 8, 20, sn::Conv2DOptions{.filters = 48, .kernel = {3, 3}, .use_bias = false}>>("9x8 20->48 valid");
    check_both<Case<3, 3, 16, sn::Conv2DOptions{.filters = 16, .kernel = {3, 3}}>>("3x3 valid: one output pixel");
    check_both<Case<5, 6, 33, sn::Conv2DOptions{.filters = 32, .kernel = {3, 3}, .padding = sn::same}>>("5x6 33->32 same");
}

TEST_CASE("winograd conv2d: the transformed kernel of a hand-computed case") {
    // One channel pair, g = [1 2 3; 4 5 6; 7 8 9]: U = G g G^T, G = [1 0 0; .5 .5 .5; .5 -.5 .5; 0 0 1].
    // G g = [1 2 3; 6 7.5 9; 2 2.5 3; 7 8 9]; (G g) G^T row by row: [a, (a+b+c)/2, (a-b+c)/2, c].
    constexpr auto g = Case<4, 4, 1, sn::Conv2DOptions{.filters = 1, .kernel = {3, 3}}>::g;
    const float k[9] = {1, 2, 3, 4, 5, 6, 7, 8, 9};
    float u[16];
    simd::winograd_prepare<g>(k, u);
    const float expect[16] = {1, 3, 1, 3, 6, 11.25f, 3.75f, 9, 2, 3.75f, 1.25f, 3, 7, 12, 4, 9};
    for (int i = 0; i < 16; ++i) CHECK(u[i] == expect[i]);
}

TEST_CASE("winograd conv2d: which layers it serves") {
    using L = simd::default_arch;
    constexpr int lanes = simd::lanes<float, L>;
    // 3x3 stride 1 with whole output vectors and >= 4 input channels: yes.
    static_assert(simd::winograd_applies<Case<28, 28, 32, same32>::g, float>());
    // The seed networks' first layer (one input channel), strides, other kernel sizes: no.
    static_assert(!simd::winograd_applies<Case<28, 28, 1, same32>::g, float>());
    static_assert(!simd::winograd_applies<Case<28, 28, 32, sn::Conv2DOptions{.filters = 32, .kernel = {3, 3}, .strides = {2, 2}}>::g, float>());
    static_assert(!simd::winograd_applies<Case<28, 28, 32, sn::Conv2DOptions{.filters = 32, .kernel = {5, 5}}>::g, float>());
    static_assert(!simd::winograd_applies<Case<28, 28, 32, sn::Conv2DOptions{.filters = 16, .kernel = {1, 1}}>::g, float>());
    // Output channels not a whole number of vectors: the direct kernel.
    if constexpr (lanes > 1)
        static_assert(!simd::winograd_applies<Case<8, 8, 8, sn::Conv2DOptions{.filters = lanes + 1, .kernel = {3, 3}}>::g, float>());
    // Too wide for the stack buffers: the direct kernel.
    static_assert(!simd::winograd_applies<Case<8, 8, 2048, sn::Conv2DOptions{.filters = 2048, .kernel = {3, 3}}>::g, float>());
    CHECK(lanes >= 1);
}

}  // namespace
#endif  // STATICNET_HAS_XSIMD
