// SIMD Conv2D kernels against the reference on the seed networks' shapes, batch 63, per-sample
// independence of the batch and a hand-computed case; odd geometries are in conv2d_odd.cpp.
#include "kernels/conv2d_check.hpp"

namespace {

using SeedFirst = Case<28, 28, 1, sn::Conv2DOptions{.filters = 32, .kernel = {3, 3}, .padding = sn::same}>;
using SeedMiddle = Case<14, 14, 32, sn::Conv2DOptions{.filters = 32, .kernel = {3, 3}, .padding = sn::same}>;
using Nin1x1 = Case<14, 14, 32, sn::Conv2DOptions{.filters = 16, .kernel = {1, 1}}>;

TEST_CASE("simd conv2d: the seed networks' shapes") {
    check_both_types<SeedFirst>("3x3 same 1->32 28x28");
    check_both_types<SeedMiddle>("3x3 same 32->32 14x14");
    check_both_types<Nin1x1>("1x1 32->16 14x14");
}

TEST_CASE("simd conv2d: batch 63 and per-sample results independent of the batch") {
    using C = SeedMiddle;
    check_case<C, sn::kernels::simd::default_arch, float>(63, "3x3 same 32->32 14x14");
    // Sample 5 of a batch of 7 gives the same bits as that sample alone.
    constexpr auto g = C::g;
    const std::size_t in = static_cast<std::size_t>(g.h) * g.w * g.cin, out = static_cast<std::size_t>(g.oh) * g.ow * g.cout;
    const auto x = kt::random_values<float>(7 * in, 11);
    const auto k = kt::random_values<float>(static_cast<std::size_t>(g.kh) * g.kw * g.cin * g.cout, 12);
    const auto b = kt::random_values<float>(static_cast<std::size_t>(g.cout), 13);
    std::vector<float> all(7 * out), one(out);
    sn::kernels::simd::conv2d_forward<g>(x.data(), k.data(), b.data(), all.data(), 7);
    sn::kernels::simd::conv2d_forward<g>(x.data() + 5 * in, k.data(), b.data(), one.data(), 1);
    for (std::size_t i = 0; i < out; ++i) REQUIRE(all[5 * out + i] == one[i]);
}

TEST_CASE("simd conv2d: a hand-computed case") {
    // 3x3 input, one channel, 2x2 kernel 'valid', two filters.
    constexpr auto g = Case<3, 3, 1, sn::Conv2DOptions{.filters = 2, .kernel = {2, 2}}>::g;
    const float x[9] = {1, 2, 3, 4, 5, 6, 7, 8, 9};
    const float k[8] = {1, 0, 0, 1, 0, 2, 1, -1};  // (ky, kx, ci, co): filter 0 = [1 0; 0 1], filter 1 = [0 1; 2 -1]
    const float b[2] = {0.5f, -1};
    float y[8];
    sn::kernels::simd::conv2d_forward<g>(x, k, b, y, 1);
    // At (0,0): filter 0 sees 1 + 5, plus 0.5; filter 1 sees 2 + 2*4 - 5, minus 1.
    CHECK(y[0] == 6.5f);
    CHECK(y[1] == 4.0f);
    CHECK(y[6] == 14.5f);  // (1,1): 5 + 9 + 0.5
    CHECK(y[7] == 12.0f);  // (1,1): 6 + 2*8 - 9 - 1
}

}  // namespace
