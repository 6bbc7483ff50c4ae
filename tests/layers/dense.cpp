// Dense: shape rule, parameter specs, MACs, a hand-computed forward case (with relu and a
// batch of two), and the Flatten -> Dense order: input (h, w, c) meets kernel row (h*W + w)*C + c.
#include <doctest/doctest.h>

#include <staticnet/core.hpp>

#include "support.hpp"

namespace sn = staticnet;
using layer_tests::check_close;
using layer_tests::set;

namespace {

using D = sn::Sequential<sn::Input<13, 17, 3>, sn::Flatten, sn::Dense<{.units = 7}>>;
static_assert(D::shapes[1] == sn::flat_shape(13 * 17 * 3) && D::shapes[1].rank == 1);
static_assert(D::shapes[2] == sn::Shape{1, 1, 7, 1});
static_assert(D::param_specs[2].count == 2);
static_assert(D::param_specs[2].items[0].size == 663 * 7 && D::param_specs[2].items[0].fan_in == 663 &&
              D::param_specs[2].items[0].fan_out == 7 && D::param_specs[2].items[0].init == sn::Init::glorot_uniform);
static_assert(D::param_specs[2].items[1].size == 7 && D::param_specs[2].items[1].init == sn::Init::zeros);
static_assert(D::params.total == 663 * 7 + 7);   // 4,648
static_assert(D::macs_per_sample == 663 * 7);    // 4,641: in * units
static_assert(D::output_activation == sn::linear);
using DNoBias = sn::Sequential<sn::Input<1, 1, 4>, sn::Flatten, sn::Dense<{.units = 3, .use_bias = false}>>;
static_assert(DNoBias::params.total == 12 && DNoBias::param_specs[2].count == 1);
// Parameters are laid out in layer order: kernel then bias.
using Two = sn::Sequential<sn::Input<1, 1, 4>, sn::Flatten, sn::Dense<{.units = 3}>, sn::Dense<{.units = 2}>>;
static_assert(Two::param_slots[2][0].offset == 0 && Two::param_slots[2][1].offset == 12 &&
              Two::param_slots[3][0].offset == 15 && Two::param_slots[3][1].offset == 21 && Two::params.total == 23);

}  // namespace

TEST_CASE("Dense by hand: y = x K + b, kernel (in, out) row-major") {
    using Net = sn::Sequential<sn::Input<1, 1, 3>, sn::Flatten, sn::Dense<{.units = 2}>>;
    static sn::Inference<Net, 2, double> net;
    // K = [[1, -1], [0.5, 2], [-2, 0]], b = (0.5, -0.5)
    set(net.parameter(2, "kernel"), {1, -1, 0.5, 2, -2, 0});
    set(net.parameter(2, "bias"), {0.5, -0.5});
    // sample 0, x = (1, 2, 3):  y0 = 1 + 1 - 6 + 0.5 = -3.5    y1 = -1 + 4 + 0 - 0.5 = 2.5
    // sample 1, x = (-1, 0, 1): y0 = -1 + 0 - 2 + 0.5 = -2.5   y1 = 1 + 0 + 0 - 0.5 = 0.5
    static const double x[6] = {1, 2, 3, -1, 0, 1};
    check_close(net.predict(x, 2), {-3.5, 2.5, -2.5, 0.5});
    // One sample: exactly its values (a compile-time extent gives n = 1 and a compile-time output size).
    const std::span<const double, 2> y1 = net.predict(std::span<const double>(x).first<3>());
    check_close(std::span<const double>(y1), {-3.5, 2.5});
}

TEST_CASE("Dense with fused relu") {
    using Net = sn::Sequential<sn::Input<1, 1, 3>, sn::Flatten, sn::Dense<{.units = 2, .activation = sn::relu}>>;
    static sn::Inference<Net, 2, double> net;
    set(net.parameter(2, "kernel"), {1, -1, 0.5, 2, -2, 0});
    set(net.parameter(2, "bias"), {0.5, -0.5});
    static const double x[6] = {1, 2, 3, -1, 0, 1};
    check_close(net.predict(x, 2), {0, 2.5, 0, 0.5});
}

TEST_CASE("Flatten into Dense: NHWC order (h*W + w)*C + c") {
    // Input 2 x 3 x 2; Dense of one unit whose kernel row i holds the number i. A one-hot input
    // at (h, w, c) therefore outputs the kernel row it meets, which must be (h*3 + w)*2 + c.
    using Net = sn::Sequential<sn::Input<2, 3, 2>, sn::Flatten, sn::Dense<{.units = 1, .use_bias = false}>>;
    static_assert(Net::shapes[1] == sn::flat_shape(12));
    static sn::Inference<Net, 1, double> net;
    auto k = net.parameter(2, "kernel");
    REQUIRE(k.size() == 12);
    for (int i = 0; i < 12; ++i) k[i] = i;
    for (int h = 0; h < 2; ++h)
        for (int w = 0; w < 3; ++w)
            for (int c = 0; c < 2; ++c) {
                static double x[12];
                for (double& v : x) v = 0;
                x[(h * 3 + w) * 2 + c] = 1;  // the input is NHWC itself
                const auto y = net.predict(x, 1);
                REQUIRE(y.size() == 1);
                CAPTURE(h);
                CAPTURE(w);
                CAPTURE(c);
                CHECK(y[0] == (h * 3 + w) * 2 + c);
            }
}
