// Reshape: the two spellings (sn::Reshape<H, W, C>, flat sn::Reshape<N>), -1 inferred, shape
// rule, in place, names and spelling; the values do not move (NHWC order kept); Reshape<N> is
// Flatten and Reshape<1, 1, N> feeds a Dense as well. Gradient check:
// tests/train/gradient_check_layers.cpp.
#include <doctest/doctest.h>

#include <cstddef>
#include <span>
#include <string_view>
#include <vector>

#include <staticnet/core.hpp>

#include "support.hpp"

namespace sn = staticnet;

namespace {

template <class L>
using On4x6x2 = sn::Sequential<sn::Input<4, 6, 2>, L>;
static_assert(On4x6x2<sn::Reshape<48>>::shapes[1] == sn::flat_shape(48));
static_assert(On4x6x2<sn::Reshape<-1>>::shapes[1] == sn::flat_shape(48));
static_assert(On4x6x2<sn::Reshape<2, 12, 2>>::shapes[1] == sn::Shape{2, 12, 2, 3});
static_assert(On4x6x2<sn::Reshape<8, -1, 3>>::shapes[1] == sn::Shape{8, 2, 3, 3});
static_assert(On4x6x2<sn::Reshape<1, 1, 48>>::shapes[1] == sn::Shape{1, 1, 48, 3});
// Back from flat to spatial.
static_assert(sn::Sequential<sn::Input<1, 1, 12>, sn::Flatten, sn::Reshape<3, 2, 2>>::shapes[2] == sn::Shape{3, 2, 2, 3});
static_assert(sn::Reshape<2, 3, 4>::in_place && !sn::Reshape<2, 3, 4>::backward_needs_input);
static_assert(On4x6x2<sn::Reshape<48>>::params.total == 0 && On4x6x2<sn::Reshape<48>>::macs_per_sample == 0);
// The checks behind the compile errors.
static_assert(sn::Reshape<5, 5, 2>::check(sn::Shape{4, 6, 2, 3}) == sn::Problem::reshape_size_mismatch);
static_assert(sn::Reshape<5, -1, 2>::check(sn::Shape{4, 6, 2, 3}) == sn::Problem::reshape_size_mismatch);  // 48 / 10
static_assert(sn::Reshape<6, 8>::check(sn::Shape{4, 6, 2, 3}) == sn::Problem::reshape_bad_target);
static_assert(sn::Reshape<-1, -1, 2>::check(sn::Shape{4, 6, 2, 3}) == sn::Problem::reshape_bad_target);
static_assert(sn::Reshape<0, 48, 1>::check(sn::Shape{4, 6, 2, 3}) == sn::Problem::reshape_bad_target);
static_assert(std::string_view(sn::Reshape<48>::keras_class) == "Reshape");
static_assert(std::string_view(sn::Reshape<48>::keras_name) == "reshape");
static_assert(sn::source_text<On4x6x2<sn::Reshape<8, -1, 3>>>() ==
              "sn::Sequential<\n    sn::Input<4, 6, 2>,\n    sn::Reshape<8, -1, 3>>");
static_assert(sn::source_text<On4x6x2<sn::Reshape<48>>>() == "sn::Sequential<\n    sn::Input<4, 6, 2>,\n    sn::Reshape<48>>");
static_assert(sn::signature_of<On4x6x2<sn::Reshape<48>>> != sn::signature_of<On4x6x2<sn::Flatten>>);

}  // namespace

TEST_CASE("Reshape keeps the values in NHWC order (also through the in-place inference plan)") {
    using Net = sn::Sequential<sn::Input<2, 3, 2>, sn::Reshape<3, 1, 4>, sn::Reshape<12>>;
    static_assert(Net::in_place_inference[1] && Net::in_place_inference[2]);
    static sn::Inference<Net, 2, float> net;
    std::vector<float> x(24);
    for (std::size_t i = 0; i < x.size(); ++i) x[i] = static_cast<float>(i) - 3.5f;
    std::vector<std::vector<float>> out(3);
    net.forward_each(std::span<const float>(x), 2, [&](int p, const float* o) {
        out[static_cast<std::size_t>(p)].assign(o, o + 2 * Net::shapes[static_cast<std::size_t>(p)].size());
    });
    CHECK(out[1] == x);
    CHECK(out[2] == x);
}

TEST_CASE("Reshape<N> then Dense equals Flatten then Dense; Reshape<1, 1, N> feeds a Dense too") {
    using A = sn::Sequential<sn::Input<3, 2, 2>, sn::Reshape<12>, sn::Dense<{.units = 3}>>;
    using B = sn::Sequential<sn::Input<3, 2, 2>, sn::Flatten, sn::Dense<{.units = 3}>>;
    using C = sn::Sequential<sn::Input<3, 2, 2>, sn::Reshape<1, 1, -1>, sn::Dense<{.units = 3}>>;
    static sn::Inference<A, 1, double> a;
    static sn::Inference<B, 1, double> b;
    static sn::Inference<C, 1, double> c;
    a.initialize(9);
    b.initialize(9);
    c.initialize(9);
    std::vector<double> x(12);
    for (std::size_t i = 0; i < x.size(); ++i) x[i] = 0.25 * static_cast<double>(i) - 1;
    const auto ya = a.predict(std::span<const double>(x), 1);
    const std::vector<double> va(ya.begin(), ya.end());
    const auto yb = b.predict(std::span<const double>(x), 1);
    const std::vector<double> vb(yb.begin(), yb.end());
    const auto yc = c.predict(std::span<const double>(x), 1);
    const std::vector<double> vc(yc.begin(), yc.end());
    CHECK(va == vb);
    CHECK(va == vc);
}
