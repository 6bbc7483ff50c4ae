// Activation<f> and the fused activations: relu at 0 (value and derivative), softmax that
// stays finite for huge logits and sums to 1, softmax over the channel axis of a 4-D tensor;
// sigmoid, tanh and leaky ReLU by hand.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <staticnet/core.hpp>

#include "support.hpp"

namespace sn = staticnet;
using layer_tests::check_close;

namespace {

using A = sn::Sequential<sn::Input<13, 17, 3>, sn::Activation<sn::relu>>;
static_assert(A::shapes[1] == A::shapes[0] && A::params.total == 0 && A::macs_per_sample == 0);
static_assert(A::layer<1>::in_place && A::output_activation == sn::relu);
static_assert(sn::Activation<sn::softmax>::backward_needs_output && !sn::Activation<sn::linear>::backward_needs_output);

}  // namespace

TEST_CASE("relu: negative and zero give 0, positive passes") {
    using Net = sn::Sequential<sn::Input<1, 1, 5>, sn::Activation<sn::relu>>;
    static sn::Inference<Net, 1, double> net;
    static const double x[5] = {-1.5, 0.0, -0.0, 2.0, 1e-300};
    const auto y = net.predict(x, 1);
    check_close(y, {0, 0, 0, 2, 1e-300});
    CHECK(!std::signbit(y[2]));  // relu(-0) is +0 (written as T(0))
}

TEST_CASE("relu derivative at 0 is 0") {
    using L = sn::Activation<sn::relu>;
    constexpr sn::Shape in = sn::flat_shape(4);
    sn::LayerContext<double> ctx;
    const double y[4] = {0, 0, 3, 0};  // relu outputs (of inputs -1, 0, 3, 0)
    double g[4] = {1, 1, 1, -2};
    L::backward<in, double>(ctx, nullptr, y, g, g, 1);
    check_close<double>(g, {0, 0, 1, 0});
}

TEST_CASE("softmax (float) stays finite and sums to 1 for logits 1e4, -1e4, 0") {
    using Net = sn::Sequential<sn::Input<1, 1, 3>, sn::Flatten, sn::Activation<sn::softmax>>;
    static sn::Inference<Net, 2, float> net;
    // sample 1: logits (0, ln 2, 0) -> (1/4, 1/2, 1/4)
    static const float x[6] = {1e4f, -1e4f, 0.0f, 0.0f, std::log(2.0f), 0.0f};
    const auto y = net.predict(x, 2);
    REQUIRE(y.size() == 6);
    float sum = 0;
    for (int i = 0; i < 3; ++i) {
        CHECK(std::isfinite(y[i]));
        sum += y[i];
    }
    CHECK(sum == doctest::Approx(1.0f).epsilon(1e-6));
    CHECK(y[0] == 1.0f);  // exp(0) / (1 + exp(-2e4) + exp(-1e4)) = 1 exactly in float
    CHECK(y[1] == 0.0f);
    CHECK(y[2] == 0.0f);
    CHECK(y[3] == doctest::Approx(0.25f).epsilon(1e-6));
    CHECK(y[4] == doctest::Approx(0.5f).epsilon(1e-6));
    CHECK(y[5] == doctest::Approx(0.25f).epsilon(1e-6));
}

TEST_CASE("softmax as a Dense activation: finite for huge logits") {
    using Net = sn::Sequential<sn::Input<1, 1, 1>, sn::Flatten, sn::Dense<{.units = 3, .activation = sn::softmax}>>;
    static sn::Inference<Net, 1, float> net;
    layer_tests::set(net.parameter(2, "kernel"), {1e4, -1e4, 0});
    layer_tests::set(net.parameter(2, "bias"), {0, 0, 0});
    static const float x[1] = {1.0f};
    const auto y = net.predict(x, 1);
    REQUIRE(y.size() == 3);
    CHECK(y[0] == 1.0f);
    CHECK(y[1] == 0.0f);
    CHECK(y[2] == 0.0f);
}

TEST_CASE("softmax acts on the channel axis of each pixel") {
    using Net = sn::Sequential<sn::Input<1, 2, 2>, sn::Activation<sn::softmax>>;
    static sn::Inference<Net, 1, double> net;
    // pixel 0: (0, 0) -> (1/2, 1/2); pixel 1: (ln 3, 0) -> (3/4, 1/4)
    static const double x[4] = {0, 0, std::log(3.0), 0};
    check_close(net.predict(x, 1), {0.5, 0.5, 0.75, 0.25}, 1e-12);
}

TEST_CASE("linear activation is the identity") {
    using Net = sn::Sequential<sn::Input<1, 1, 3>, sn::Activation<sn::linear>>;
    static sn::Inference<Net, 1, double> net;
    static const double x[3] = {-1, 0, 7};
    check_close(net.predict(x, 1), {-1, 0, 7});
}

TEST_CASE("sigmoid, tanh, leaky_relu and LeakyReLU by hand, values and derivatives") {
    static const double x[5] = {-2.0, -0.5, 0.0, 0.5, 3.0};
    {
        using Net = sn::Sequential<sn::Input<1, 1, 5>, sn::Activation<sn::sigmoid>>;
        static sn::Inference<Net, 1, double> net;
        check_close(net.predict(x, 1), {1 / (1 + std::exp(2.0)), 1 / (1 + std::exp(0.5)), 0.5, 1 / (1 + std::exp(-0.5)),
                                        1 / (1 + std::exp(-3.0))});
    }
    {
        using Net = sn::Sequential<sn::Input<1, 1, 5>, sn::Activation<sn::tanh>>;
        static sn::Inference<Net, 1, double> net;
        check_close(net.predict(x, 1), {std::tanh(-2.0), std::tanh(-0.5), 0.0, std::tanh(0.5), std::tanh(3.0)});
    }
    {
        using Net = sn::Sequential<sn::Input<1, 1, 5>, sn::Activation<sn::leaky_relu>>;  // slope 0.2
        static sn::Inference<Net, 1, double> net;
        const double slope = static_cast<double>(0.2f);  // the slope is a float
        check_close(net.predict(x, 1), {-2 * slope, -0.5 * slope, 0.0, 0.5, 3.0});
    }
    {
        using Net = sn::Sequential<sn::Input<1, 1, 5>, sn::LeakyReLU<>>;  // alpha 0.3 (Keras's layer default)
        static sn::Inference<Net, 1, double> net;
        const double alpha = static_cast<double>(0.3f);
        check_close(net.predict(x, 1), {-2 * alpha, -0.5 * alpha, 0.0, 0.5, 3.0});
    }
    {
        // Fused into Dense: identity kernel, zero bias -> the activation of the input.
        using Net = sn::Sequential<sn::Input<1, 1, 2>, sn::Dense<{.units = 2, .activation = sn::tanh}>>;
        static sn::Inference<Net, 1, float> net;
        const float p[6] = {1, 0, 0, 1, 0, 0};
        std::copy(p, p + 6, net.parameters().begin());
        static const float in[2] = {0.5f, -1.0f};
        const auto y = net.predict(in, 1);
        CHECK(y[0] == static_cast<float>(std::tanh(0.5)));
        CHECK(y[1] == static_cast<float>(std::tanh(-1.0)));
    }
    // Derivatives from the outputs: sigmoid y (1 - y), tanh 1 - y^2, leaky 1 or slope.
    constexpr sn::Shape in = sn::flat_shape(3);
    sn::LayerContext<double> ctx;
    {
        const double y[3] = {0.5, 0.25, 0.9};
        double g[3] = {1, 2, -1};
        sn::Activation<sn::sigmoid>::backward<in, double>(ctx, nullptr, y, g, g, 1);
        check_close<double>(g, {0.25, 2 * 0.25 * 0.75, -0.9 * 0.1});
    }
    {
        const double y[3] = {0.0, 0.5, -0.9};
        double g[3] = {1, 2, -1};
        sn::Activation<sn::tanh>::backward<in, double>(ctx, nullptr, y, g, g, 1);
        check_close<double>(g, {1.0, 2 * 0.75, -(1 - 0.81)});
    }
    {
        const double y[3] = {-0.3, 0.0, 2.0};
        double g[3] = {1, 2, -1};
        sn::LeakyReLU<{.alpha = 0.1f}>::backward<in, double>(ctx, nullptr, y, g, g, 1);
        check_close<double>(g, {static_cast<double>(0.1f), 2 * static_cast<double>(0.1f), -1.0});
    }
    static_assert(sn::Activation<sn::tanh>::backward_needs_output && sn::LeakyReLU<>::in_place);
    CHECK(sn::source_text<sn::Sequential<sn::Input<1, 1, 4>, sn::LeakyReLU<{.alpha = 0.5f}>, sn::Activation<sn::tanh>>>()
              .find("sn::LeakyReLU<{.alpha = ") != std::string_view::npos);
}
