// BatchNormalization: shape rule, parameter specs (4C, of which 2C non-trainable), and the
// inference formula y = gamma (x - mean) / sqrt(var + eps) + beta with eps = 1e-3.
#include <doctest/doctest.h>

#include <staticnet/core.hpp>

#include "support.hpp"

namespace sn = staticnet;
using layer_tests::check_close;
using layer_tests::set;

namespace {

using Bn13x17 = sn::Sequential<sn::Input<13, 17, 5>, sn::BatchNormalization<>>;
static_assert(Bn13x17::shapes[1] == sn::Shape{13, 17, 5, 3});
static_assert(Bn13x17::params.total == 4 * 5 && Bn13x17::params.trainable == 2 * 5 &&
              Bn13x17::params.non_trainable == 2 * 5);
static_assert(Bn13x17::macs_per_sample == 0);
static_assert(Bn13x17::layer<1>::in_place);
static_assert(Bn13x17::layer<1>::options.momentum == 0.99f && Bn13x17::layer<1>::options.epsilon == 1e-3f);
constexpr sn::ParamSpecs bn_specs = Bn13x17::param_specs[1];
static_assert(bn_specs.count == 4);
static_assert(bn_specs.items[0].size == 5 && bn_specs.items[0].trainable && bn_specs.items[0].init == sn::Init::ones);
static_assert(bn_specs.items[1].size == 5 && bn_specs.items[1].trainable && bn_specs.items[1].init == sn::Init::zeros);
static_assert(bn_specs.items[2].size == 5 && !bn_specs.items[2].trainable && bn_specs.items[2].init == sn::Init::zeros);
static_assert(bn_specs.items[3].size == 5 && !bn_specs.items[3].trainable && bn_specs.items[3].init == sn::Init::ones);
// Non-trainable tensors sit after every trainable one in the flat parameter array.
static_assert(Bn13x17::param_slots[1][2].offset >= Bn13x17::params.trainable);
static_assert(Bn13x17::param_slots[1][3].offset >= Bn13x17::params.trainable);
// On a flat input it normalises the units (axis -1).
using BnFlat = sn::Sequential<sn::Input<1, 1, 7>, sn::Flatten, sn::BatchNormalization<>>;
static_assert(BnFlat::params.total == 28 && BnFlat::shapes[2] == sn::flat_shape(7));

constexpr bool names_match(const char* a, const char* b) {
    while (*a && *a == *b) ++a, ++b;
    return *a == *b;
}
static_assert(names_match(bn_specs.items[0].name, "gamma") && names_match(bn_specs.items[1].name, "beta") &&
              names_match(bn_specs.items[2].name, "moving_mean") &&
              names_match(bn_specs.items[3].name, "moving_variance"));

}  // namespace

TEST_CASE("BatchNormalization inference: gamma (x - mean) / sqrt(var + eps) + beta") {
    using Net = sn::Sequential<sn::Input<1, 2, 2>, sn::BatchNormalization<>>;
    static sn::Inference<Net, 1, double> net;
    net.initialize(1);
    // Keras initialisers: gamma 1, beta 0, moving mean 0, moving variance 1.
    check_close<double>(net.parameter(1, "gamma"), {1, 1});
    check_close<double>(net.parameter(1, "beta"), {0, 0});
    check_close<double>(net.parameter(1, "moving_mean"), {0, 0});
    check_close<double>(net.parameter(1, "moving_variance"), {1, 1});

    set(net.parameter(1, "gamma"), {2, 0.5});
    set(net.parameter(1, "beta"), {1, -1});
    set(net.parameter(1, "moving_mean"), {3, -2});
    // var + eps = 3.999 + 0.001 = 4 (sqrt 2) and 0.249 + 0.001 = 0.25 (sqrt 0.5). eps is the
    // float 1e-3f (0.0010000000475), so the roots are exact only to ~1e-11: compare at 1e-9.
    set(net.parameter(1, "moving_variance"), {3.999, 0.249});
    // channel 0: y = 2 (x - 3) / 2 + 1 = x - 2        channel 1: y = 0.5 (x + 2) / 0.5 - 1 = x + 1
    // pixel 0 (5, -1) -> (3, 0)                       pixel 1 (1, 0) -> (-1, 1)
    static const double x[4] = {5, -1, 1, 0};
    check_close(net.predict(x, 1), {3, 0, -1, 1}, 1e-9);
}

TEST_CASE("BatchNormalization inference with the initial statistics is x / sqrt(1 + eps)") {
    using Net = sn::Sequential<sn::Input<1, 1, 3>, sn::BatchNormalization<>>;
    static sn::Inference<Net, 1, float> net;
    net.initialize(7);
    static const float x[3] = {1.0f, -2.0f, 0.0f};
    const auto y = net.predict(x, 1);
    REQUIRE(y.size() == 3);
    // 1 / sqrt(1.001) = 0.99950037...
    CHECK(y[0] == doctest::Approx(0.9995003747).epsilon(1e-6));
    CHECK(y[1] == doctest::Approx(-1.9990007494).epsilon(1e-6));
    CHECK(y[2] == 0.0f);
}

TEST_CASE("BatchNormalization with a custom epsilon") {
    using Net = sn::Sequential<sn::Input<1, 1, 1>, sn::BatchNormalization<{.epsilon = 0.5f}>>;
    static sn::Inference<Net, 1, double> net;
    net.initialize(0);
    set(net.parameter(1, "moving_variance"), {1.75});  // 1.75 + 0.5 = 2.25, sqrt 1.5
    static const double x[1] = {3};
    check_close(net.predict(x, 1), {2.0});  // 3 / 1.5
}
