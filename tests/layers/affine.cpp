// Affine (BatchNormalization's inference form): y = scale[c] * x + shift[c]. Shape rule and
// parameter specs (2C, both trainable), a hand-computed forward and backward case, the layer's
// SIMD path against the reference kernels (odd channel counts, tails), and the gradient check
// alone and inside a network. This file is also compiled with STATICNET_REFERENCE_KERNELS
// (ctest case layers_affine_reference), so the layer's reference branch runs the same cases.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include <staticnet/core.hpp>
#include <staticnet/train/gradient_check.hpp>

#include "support.hpp"

namespace sn = staticnet;
using layer_tests::check_close;
using layer_tests::set;

namespace {

using A13x17 = sn::Sequential<sn::Input<13, 17, 5>, sn::Affine>;
static_assert(A13x17::shapes[1] == sn::Shape{13, 17, 5, 3});
static_assert(A13x17::params.total == 2 * 5 && A13x17::params.trainable == 2 * 5 && A13x17::params.non_trainable == 0);
static_assert(A13x17::macs_per_sample == 0);
static_assert(A13x17::layer<1>::in_place && A13x17::layer<1>::backward_needs_input &&
              !A13x17::layer<1>::backward_needs_output);
static_assert(A13x17::output_activation == sn::linear);
constexpr sn::ParamSpecs affine_specs = A13x17::param_specs[1];
static_assert(affine_specs.count == 2);
static_assert(affine_specs.items[0].size == 5 && affine_specs.items[0].trainable &&
              affine_specs.items[0].init == sn::Init::ones);
static_assert(affine_specs.items[1].size == 5 && affine_specs.items[1].trainable &&
              affine_specs.items[1].init == sn::Init::zeros);
constexpr bool names_match(const char* a, const char* b) {
    while (*a && *a == *b) ++a, ++b;
    return *a == *b;
}
static_assert(names_match(affine_specs.items[0].name, "scale") && names_match(affine_specs.items[1].name, "shift"));
static_assert(names_match(sn::Affine::keras_class, "Affine") && names_match(sn::Affine::keras_name, "affine"));
// In place at inference: the Affine's output shares the conv output's buffer.
using ConvAffine = sn::Sequential<sn::Input<4, 4, 1>, sn::Conv2D<{.filters = 3, .kernel = {3, 3}}>, sn::Affine>;
static_assert(ConvAffine::inference_buffer_of[2] == ConvAffine::inference_buffer_of[1]);
// On a flat input it scales the units.
using AFlat = sn::Sequential<sn::Input<1, 1, 7>, sn::Flatten, sn::Affine>;
static_assert(AFlat::params.total == 14 && AFlat::shapes[2] == sn::flat_shape(7));

template <class T>
std::vector<T> random_values(std::size_t n, std::uint64_t seed, double lo, double hi) {
    sn::Rng rng(seed);
    std::vector<T> v(n);
    for (auto& x : v) x = static_cast<T>(lo + (hi - lo) * rng.uniform());
    return v;
}

}  // namespace

TEST_CASE("Affine forward by hand: y = scale * x + shift per channel") {
    using Net = sn::Sequential<sn::Input<1, 2, 2>, sn::Affine>;
    static sn::Inference<Net, 2, double> net;
    net.initialize(3);
    // Keras-style initialisers: the identity.
    check_close<double>(net.parameter(1, "scale"), {1, 1});
    check_close<double>(net.parameter(1, "shift"), {0, 0});
    static const double x[8] = {5, -1, 1, 0, -2, 4, 0.5, 8};
    check_close(net.predict(x, 2), {5, -1, 1, 0, -2, 4, 0.5, 8});

    set(net.parameter(1, "scale"), {2, -0.5});
    set(net.parameter(1, "shift"), {1, 3});
    // channel 0: 2x + 1      channel 1: -0.5x + 3
    // sample 0: (5, -1) -> (11, 3.5)   (1, 0) -> (3, 3)
    // sample 1: (-2, 4) -> (-3, 1)     (0.5, 8) -> (2, -1)
    check_close(net.predict(x, 2), {11, 3.5, 3, 3, -3, 1, 2, -1});
}

TEST_CASE("Affine backward by hand: dscale = sum gy x, dshift = sum gy, gx = gy scale") {
    constexpr sn::Shape in{1, 2, 2, 3};
    constexpr std::size_t state = sn::Affine::state_size(in);
    double scale[2] = {2, -0.5}, shift[2] = {1, 3};
    double gscale[2] = {99, 99}, gshift[2] = {99, 99};  // overwritten, not accumulated
    double scratch[state > 0 ? state : 1] = {};
    sn::LayerContext<double> ctx;
    ctx.param[0] = scale;
    ctx.param[1] = shift;
    ctx.grad[0] = gscale;
    ctx.grad[1] = gshift;
    ctx.state = scratch;
    ctx.training = true;
    const double x[8] = {5, -1, 1, 0, -2, 4, 0.5, 8};
    double y[8] = {};
    sn::Affine::forward<in, double>(ctx, x, y, 2);
    CHECK(y[0] == 11);
    CHECK(y[7] == -1);
    double gy[8] = {1, 2, -1, 0.5, 3, -2, 0.25, 1};
    double gx[8] = {};
    sn::Affine::backward<in, double>(ctx, x, y, gy, gx, 2);
    // channel 0: gy (1, -1, 3, 0.25) x (5, 1, -2, 0.5): 5 - 1 - 6 + 0.125 = -1.875; sum gy = 3.25
    // channel 1: gy (2, 0.5, -2, 1)  x (-1, 0, 4, 8):   -2 + 0 - 8 + 8   = -2;     sum gy = 1.5
    CHECK(gscale[0] == -1.875);
    CHECK(gscale[1] == -2);
    CHECK(gshift[0] == 3.25);
    CHECK(gshift[1] == 1.5);
    // gx = gy * scale: (2, -1, -2, -0.25, 6, 1, 0.5, -0.5)
    const double want[8] = {2, -1, -2, -0.25, 6, 1, 0.5, -0.5};
    for (int i = 0; i < 8; ++i) CHECK(gx[i] == want[i]);
    // In place (gx = gy), as the training plan may not do but a caller may.
    sn::Affine::backward<in, double>(ctx, x, y, gy, gy, 2);
    for (int i = 0; i < 8; ++i) CHECK(gy[i] == want[i]);
    // No input gradient asked for: the parameter gradients only.
    sn::Affine::backward<in, double>(ctx, x, y, gx, nullptr, 2);
    CHECK(gshift[0] == doctest::Approx(2 - 2 + 6 + 0.5));
}

// The layer (SIMD path where xsimd has registers for T) against the reference kernels and a
// double computation, on channel counts below, at and above a vector, with tails.
template <int C>
void check_against_reference(std::uint64_t seed) {
    constexpr sn::Shape in{3, 5, C, 3};
    constexpr int n = 5;
    constexpr std::size_t size = static_cast<std::size_t>(n) * in.size(), rows = size / C;
    CAPTURE(C);
    const auto x = random_values<float>(size, seed, -2, 2);
    const auto gy = random_values<float>(size, seed + 1, -1, 1);
    auto scale = random_values<float>(C, seed + 2, -1.5, 1.5);
    const auto shift = random_values<float>(C, seed + 3, -1, 1);

    std::vector<float> scratch(sn::Affine::state_size(in) + 1);
    std::vector<float> gscale(C), gshift(C);
    sn::LayerContext<float> ctx;
    ctx.param[0] = scale.data();
    ctx.param[1] = const_cast<float*>(shift.data());
    ctx.grad[0] = gscale.data();
    ctx.grad[1] = gshift.data();
    ctx.state = scratch.data();

    std::vector<float> y(size), want(size);
    sn::Affine::forward<in, float>(ctx, x.data(), y.data(), n);
    sn::kernels::reference::batch_norm_affine<C>(x.data(), want.data(), rows, scale.data(), shift.data());
    // The same operations per element; with contraction (GCC's default) the compiler may fuse
    // them into an fma in one version only: within an ulp or two.
    for (std::size_t i = 0; i < size; ++i) {
        CAPTURE(i);
        CHECK(std::fabs(y[i] - want[i]) <= 4e-7f * (std::fabs(x[i] * scale[i % C]) + std::fabs(shift[i % C])));
    }

    std::vector<float> gx(size);
    ctx.training = true;
    sn::Affine::backward<in, float>(ctx, x.data(), y.data(), const_cast<float*>(gy.data()), gx.data(), n);
    for (int c = 0; c < C; ++c) {
        double sg = 0, sgx = 0, mag = 0;
        for (std::size_t r = 0; r < rows; ++r) {
            sg += gy[r * C + c];
            sgx += static_cast<double>(gy[r * C + c]) * x[r * C + c];
            mag += std::fabs(static_cast<double>(gy[r * C + c]) * x[r * C + c]) + std::fabs(gy[r * C + c]);
        }
        CAPTURE(c);
        // float sums of 75 terms, in groups and blocks: well inside 1e-6 of the sum of |terms|.
        CHECK(std::fabs(gshift[c] - sg) <= 1e-6 * mag);
        CHECK(std::fabs(gscale[c] - sgx) <= 1e-6 * mag);
    }
    for (std::size_t i = 0; i < size; ++i) CHECK(gx[i] == gy[i] * scale[i % C]);  // one rounding either way
}

TEST_CASE("Affine: the layer's kernels against the reference on odd channel counts") {
    check_against_reference<1>(10);
    check_against_reference<3>(20);
    check_against_reference<16>(30);
    check_against_reference<19>(40);
    check_against_reference<37>(50);
    check_against_reference<64>(60);
}

TEST_CASE("Affine replaces BatchNormalization at inference: the same outputs") {
    // scale = gamma / sqrt(var + eps), shift = beta - mean * scale: BN's own inference
    // coefficients, so both layers run the same kernel on the same numbers.
    using NetBn = sn::Sequential<sn::Input<3, 4, 5>, sn::BatchNormalization<>>;
    using NetAf = sn::Sequential<sn::Input<3, 4, 5>, sn::Affine>;
    static sn::Inference<NetBn, 2, float> bn;
    static sn::Inference<NetAf, 2, float> af;
    bn.initialize(1);
    const auto g = random_values<float>(5, 2, -1.5, 1.5), b = random_values<float>(5, 3, -1, 1);
    const auto m = random_values<float>(5, 4, -1, 1), v = random_values<float>(5, 5, 0.2, 2);
    std::copy(g.begin(), g.end(), bn.parameter(1, "gamma").begin());
    std::copy(b.begin(), b.end(), bn.parameter(1, "beta").begin());
    std::copy(m.begin(), m.end(), bn.parameter(1, "moving_mean").begin());
    std::copy(v.begin(), v.end(), bn.parameter(1, "moving_variance").begin());
    float s[5], t[5];
    sn::kernels::reference::batch_norm_inference_coefficients<5>(g.data(), b.data(), m.data(), v.data(), 1e-3f, s, t);
    std::copy(s, s + 5, af.parameter(1, "scale").begin());
    std::copy(t, t + 5, af.parameter(1, "shift").begin());
    const auto x = random_values<float>(2 * 60, 6, -3, 3);
    const auto yb = bn.predict(x, 2);
    const std::vector<float> want(yb.begin(), yb.end());
    const auto ya = af.predict(x, 2);
    REQUIRE(ya.size() == want.size());
    for (std::size_t i = 0; i < want.size(); ++i) CHECK(ya[i] == want[i]);
}

TEST_CASE("gradient check: Affine alone and inside a network (double)") {
    constexpr sn::Shape in{5, 6, 3, 3};
    static sn::LayerGradientCheck<sn::Affine, in, 3, double> layer;
    layer.initialize(71);
    const sn::GradientCheckResult r = layer.check();
    MESSAGE("affine (layer): worst " << r.worst_error << " (" << std::string(r.worst_name) << "), checked "
                                     << r.checked);
    CHECK(r.status == sn::GradientCheckStatus::ok);
    CHECK(r.checked == 3 * in.size() + 2 * 3);  // every input, scale and shift entry
    CHECK(r.failed == 0);
    CHECK(r.skipped == 0);  // affine: no kinks
    CHECK(r.worst_error < 5e-7);

    // Between a linear conv and a softmax head: the input gradient reaches the conv.
    using Net = sn::Sequential<sn::Input<5, 6, 2>, sn::Conv2D<{.filters = 3, .kernel = {3, 3}, .padding = sn::same}>,
                               sn::Affine, sn::Flatten, sn::Dense<{.units = 4, .activation = sn::softmax}>>;
    using M = sn::Model<Net, sn::Adam<>, sn::SparseCategoricalCrossentropy, 4, double>;
    static M model;
    model.initialize(72);
    sn::Rng rng(73);
    for (auto& v : model.parameter(1, "bias")) v = 0.4 * rng.uniform() - 0.2;
    for (auto& v : model.parameter(2, "scale")) v = 2.0 * rng.uniform() - 1.0;
    for (auto& v : model.parameter(2, "shift")) v = rng.uniform() - 0.5;
    const auto x = random_values<double>(3 * M::input_size, 74, -1, 1);
    const std::vector<std::int32_t> labels = {1, 3, 0};
    const sn::GradientCheckResult rn = sn::check_gradients(model, x, labels, 3);
    MESSAGE("affine (net): worst " << rn.worst_error << " at p" << rn.worst_position << " "
                                   << std::string(rn.worst_name) << ", checked " << rn.checked);
    CHECK(rn.status == sn::GradientCheckStatus::ok);
    CHECK(rn.checked == Net::params.trainable);
    CHECK(rn.failed == 0);
    CHECK(rn.worst_error < 5e-7);

    // A wrong gradient is caught: the checker is not vacuous here.
    std::vector<double> g(model.gradients().begin(), model.gradients().end());
    g[Net::param_slots[2][0].offset + 1] *= 1.01;  // dL/dscale[1], 1 % off
    const sn::GradientCheckResult bad = sn::check_gradients_against(model, g, x, labels, 3);
    CHECK(bad.failed >= 1);
    CHECK(bad.worst_position == 2);
}
