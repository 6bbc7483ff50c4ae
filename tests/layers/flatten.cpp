// Flatten: (h, w, c) -> h*w*c in NHWC order; the data do not move (in place at inference).
#include <doctest/doctest.h>

#include <staticnet/core.hpp>

#include "support.hpp"

namespace sn = staticnet;

namespace {

using F = sn::Sequential<sn::Input<13, 17, 3>, sn::Flatten>;
static_assert(F::shapes[1] == sn::Shape{1, 1, 663, 1} && F::shapes[1].flat());
static_assert(F::params.total == 0 && F::macs_per_sample == 0);
static_assert(F::layer<1>::in_place);
// Flattening a flat tensor keeps it.
using FF = sn::Sequential<sn::Input<2, 3, 4>, sn::Flatten, sn::Flatten>;
static_assert(FF::shapes[2] == sn::flat_shape(24));

}  // namespace

TEST_CASE("Flatten keeps NHWC order and shares its input's buffer at inference") {
    using Net = sn::Sequential<sn::Input<2, 3, 2>, sn::Flatten>;
    static sn::Inference<Net, 2, double> net;
    static double x[24];
    for (int i = 0; i < 24; ++i) x[i] = 0.5 * i - 3;
    const double* in_at = nullptr;
    const double* out_at = nullptr;
    const auto y = net.forward_each(std::span<const double>(x, 24), 2, [&](int p, const double* v) {
        if (p == 1) out_at = v;
    });
    in_at = net.input_buffer().data();
    REQUIRE(y.size() == 24);
    for (int i = 0; i < 24; ++i) CHECK(y[i] == 0.5 * i - 3);
    CHECK(out_at == in_at);
    CHECK(y.data() == in_at);
}

TEST_CASE("Flatten forward/backward copy when given distinct buffers") {
    constexpr sn::Shape in{2, 2, 2, 3};
    sn::LayerContext<double> ctx;
    const double x[16] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};
    double y[16] = {};
    sn::Flatten::forward<in, double>(ctx, x, y, 2);
    for (int i = 0; i < 16; ++i) CHECK(y[i] == x[i]);
    double gy[16], gx[16] = {};
    for (int i = 0; i < 16; ++i) gy[i] = -i;
    sn::Flatten::backward<in, double>(ctx, x, y, gy, gx, 2);
    for (int i = 0; i < 16; ++i) CHECK(gx[i] == -i);
}
