// The finite-difference gradient checker (include/staticnet/train/gradient_check.hpp) run on
// every layer, alone and inside small networks, in double; that it finds a wrong gradient
// and skips kinks; and the optimizers' updates against hand-computed values.
#include <doctest/doctest.h>

#include <cmath>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <staticnet/core.hpp>
#include <staticnet/train/gradient_check.hpp>

#include "train/gradient_check_support.hpp"

namespace sn = staticnet;

namespace {

using sn::test::gradient::check_layer;
using sn::test::gradient::check_network;
using sn::test::gradient::DoubleModel;
using sn::test::gradient::expect_pass;
using sn::test::gradient::labels_for;
using sn::test::gradient::prepare;
using sn::test::gradient::random_inputs;

// Every layer type gets a network where a convolution precedes it, so its input gradient
// reaches that convolution's parameters, and the layer is checked alone as well.
template <class L, sn::Shape In>
using ConvThen = sn::test::gradient::ConvThen<L, In, 2>;

constexpr sn::Shape in_7x9x3{7, 9, 3, 3};

// The checker's tolerance is 1e-6 (its default); every case here stays below half of it
// (measured worst: ~1.1e-7 in the mini Bn and Nin networks, where rounding of the loss
// dominates; single layers stay below 1e-8).
constexpr double kBound = 5e-7;

}  // namespace

// ---- Conv2D ----------------------------------------------------------------------------------

TEST_CASE("gradient check: Conv2D 3x3 same stride 1 relu, 7x9x3 input, 5 filters") {
    using L = sn::Conv2D<{.filters = 5, .kernel = {3, 3}, .padding = sn::same, .activation = sn::relu}>;
    expect_pass("conv 3x3 same relu (net)", check_network<ConvThen<L, in_7x9x3>>(11), kBound, 2);
    expect_pass("conv 3x3 same relu (layer)", check_layer<L, in_7x9x3>(12), kBound, 2);
}

TEST_CASE("gradient check: Conv2D kernel (3,2) valid stride 2 linear") {
    using L = sn::Conv2D<{.filters = 5, .kernel = {3, 2}, .strides = {2, 2}}>;
    expect_pass("conv (3,2) valid s2 (net)", check_network<ConvThen<L, in_7x9x3>>(21), kBound, 2);
    expect_pass("conv (3,2) valid s2 (layer)", check_layer<L, in_7x9x3>(22), kBound, 0);
}

TEST_CASE("gradient check: Conv2D 3x3 same stride 2 (asymmetric TF padding)") {
    // 8x10 input, stride 2: output 4x5, padding total 1 per axis: 0 before, 1 after.
    constexpr sn::Shape in{8, 10, 3, 3};
    using L = sn::Conv2D<{.filters = 5, .kernel = {3, 3}, .strides = {2, 2}, .padding = sn::same,
                          .activation = sn::relu}>;
    static_assert(sn::pad_before(8, 3, 2, sn::same) == 0 && sn::pad_before(10, 3, 2, sn::same) == 0);
    static_assert(L::output_shape(in) == sn::Shape{4, 5, 5, 3});
    expect_pass("conv 3x3 same s2 (net)", check_network<ConvThen<L, in>>(31), kBound, 2);
    expect_pass("conv 3x3 same s2 (layer)", check_layer<L, in>(32), kBound, 2);
}

TEST_CASE("gradient check: Conv2D 1x1 and use_bias = false") {
    using One = sn::Conv2D<{.filters = 5, .kernel = {1, 1}, .activation = sn::relu}>;
    expect_pass("conv 1x1 (net)", check_network<ConvThen<One, in_7x9x3>>(41), kBound, 2);
    expect_pass("conv 1x1 (layer)", check_layer<One, in_7x9x3>(42), kBound, 2);
    using NoBias = sn::Conv2D<{.filters = 5, .kernel = {3, 3}, .padding = sn::same, .activation = sn::relu,
                               .use_bias = false}>;
    expect_pass("conv no bias (net)", check_network<ConvThen<NoBias, in_7x9x3>>(43), kBound, 2);
    expect_pass("conv no bias (layer)", check_layer<NoBias, in_7x9x3>(44), kBound, 2);
}

// ---- BatchNormalization ---------------------------------------------------------------------

TEST_CASE("gradient check: BatchNormalization in training mode") {
    constexpr sn::Shape in{5, 6, 3, 3};
    using L = sn::BatchNormalization<>;
    // gamma, beta and (through the conv before it) the input gradient.
    expect_pass("batch norm (net)", check_network<ConvThen<L, in>>(51), kBound, 2);
    // Followed by a ReLU conv, and two in a row as in the Bn seed network.
    using Net = sn::Sequential<sn::Input<6, 5, 2>, sn::Conv2D<{.filters = 3, .kernel = {3, 3}, .padding = sn::same}>,
                               sn::BatchNormalization<>, sn::BatchNormalization<{.momentum = 0.9f, .epsilon = 1e-2f}>,
                               sn::Conv2D<{.filters = 3, .kernel = {3, 3}, .activation = sn::relu}>, sn::Flatten,
                               sn::Dense<{.units = 3, .activation = sn::softmax}>>;
    expect_pass("batch norm x2 + relu conv (net)", check_network<Net>(52, 4), kBound, 2);
    // First in the network: gamma and beta only (no input gradient is asked for).
    using First = sn::Sequential<sn::Input<5, 6, 3>, sn::BatchNormalization<>, sn::Flatten,
                                 sn::Dense<{.units = 3, .activation = sn::softmax}>>;
    expect_pass("batch norm first (net)", check_network<First>(54, 4), kBound, 0);
    expect_pass("batch norm (layer)", check_layer<L, in, 3>(53), kBound, 0);
}

TEST_CASE("compute_gradients updates the moving statistics; training_loss and the checker do not") {
    constexpr sn::Shape in{5, 6, 3, 3};
    using M = DoubleModel<ConvThen<sn::BatchNormalization<>, in>>;
    static M model;
    prepare(model, 55);
    const auto x = random_inputs(3 * M::input_size, 56);
    const auto y = labels_for<M>(3);
    const std::vector<double> start(model.parameters().begin(), model.parameters().end());
    const auto lr = model.training_loss(x, y, 3);
    REQUIRE(lr.status == sn::StepStatus::ok);
    CHECK(std::vector<double>(model.parameters().begin(), model.parameters().end()) == start);
    const auto r = model.compute_gradients(x, y, 3);
    CHECK(r.loss == lr.loss);  // the same function
    CHECK(std::vector<double>(model.parameter(2, "moving_mean").begin(), model.parameter(2, "moving_mean").end()) !=
          std::vector<double>(start.begin() + M::trainable, start.begin() + M::trainable + 3));
}

// ---- MaxPool2D ------------------------------------------------------------------------------

TEST_CASE("gradient check: MaxPool2D") {
    using P2 = sn::MaxPool2D<{.pool = {2, 2}}>;
    using P3 = sn::MaxPool2D<{.pool = {3, 3}}>;
    using Overlap = sn::MaxPool2D<{.pool = {2, 3}, .strides = {1, 2}}>;
    using Same = sn::MaxPool2D<{.pool = {2, 2}, .padding = sn::same}>;
    using Same3 = sn::MaxPool2D<{.pool = {3, 3}, .strides = {2, 2}, .padding = sn::same}>;
    constexpr sn::Shape in{7, 9, 3, 3};
    static_assert(Overlap::output_shape(in) == sn::Shape{6, 4, 3, 3});
    static_assert(Same::output_shape(in) == sn::Shape{4, 5, 3, 3});
    expect_pass("max pool 2 (net)", check_network<ConvThen<P2, in>>(61), kBound, 2);
    expect_pass("max pool 3 (net)", check_network<ConvThen<P3, in>>(62), kBound, 2);
    expect_pass("max pool (2,3) strides (1,2) (net)", check_network<ConvThen<Overlap, in>>(63), kBound, 2);
    expect_pass("max pool 2 same (net)", check_network<ConvThen<Same, in>>(64), kBound, 2);
    expect_pass("max pool 3 s2 same (net)", check_network<ConvThen<Same3, in>>(65), kBound, 2);
    expect_pass("max pool 2 (layer)", check_layer<P2, in>(66), kBound, 0);
    expect_pass("max pool 3 (layer)", check_layer<P3, in>(67), kBound, 0);
    expect_pass("max pool (2,3) strides (1,2) (layer)", check_layer<Overlap, in>(68), kBound, 0);
    expect_pass("max pool 2 same (layer)", check_layer<Same, in>(69), kBound, 0);
    expect_pass("max pool 3 s2 same (layer)", check_layer<Same3, in>(70), kBound, 0);
}

// ---- AveragePooling2D, GlobalAveragePooling2D -------------------------------------------------

// Linear maps: no kinks, so nothing may be skipped.
TEST_CASE("gradient check: AveragePooling2D") {
    using P2 = sn::AveragePooling2D<{.pool = 2}>;
    using Overlap = sn::AveragePooling2D<{.pool = {2, 3}, .strides = {1, 2}}>;
    using Same = sn::AveragePooling2D<{.pool = 2, .padding = sn::same}>;
    using Same3 = sn::AveragePooling2D<{.pool = 3, .strides = 1, .padding = sn::same}>;
    using Same4 = sn::AveragePooling2D<{.pool = 4, .strides = {2, 3}, .padding = sn::same}>;  // asymmetric pads
    constexpr sn::Shape in{7, 9, 3, 3};
    static_assert(Same4::output_shape(in) == sn::Shape{4, 3, 3, 3});
    static_assert(Same4::geometry<in>().pad_top == 1 && Same4::geometry<in>().pad_left == 0);  // 1|2, 0|1
    expect_pass("avg pool 2 (net)", check_network<ConvThen<P2, in>>(161), kBound, 0);
    expect_pass("avg pool (2,3) strides (1,2) (net)", check_network<ConvThen<Overlap, in>>(162), kBound, 0);
    expect_pass("avg pool 2 same (net)", check_network<ConvThen<Same, in>>(163), kBound, 0);
    expect_pass("avg pool 2 (layer)", check_layer<P2, in>(164), kBound, 0);
    expect_pass("avg pool (2,3) strides (1,2) (layer)", check_layer<Overlap, in>(165), kBound, 0);
    expect_pass("avg pool 2 same (layer)", check_layer<Same, in>(166), kBound, 0);
    expect_pass("avg pool 3 s1 same (layer)", check_layer<Same3, in>(167), kBound, 0);
    expect_pass("avg pool 4 s(2,3) same (layer)", check_layer<Same4, in>(168), kBound, 0);
    // 19 channels: the SIMD kernels' vectors and scalar tail.
    expect_pass("avg pool 3 s1 same, 19 channels (layer)", check_layer<Same3, sn::Shape{5, 4, 19, 3}>(169), kBound, 0);
}

TEST_CASE("gradient check: GlobalAveragePooling2D") {
    using G = sn::GlobalAveragePooling2D;
    // Conv, GAP, Dense softmax (ConvThen adds a Flatten, which leaves the flat vector alone).
    expect_pass("global avg pool (net)", check_network<ConvThen<G, in_7x9x3>>(171), kBound, 0);
    // The original NIN design's head: 1x1 conv to one map per class, GAP, softmax.
    using Nin = sn::Sequential<sn::Input<6, 5, 2>,
                               sn::Conv2D<{.filters = 4, .kernel = 3, .padding = sn::same, .activation = sn::relu}>,
                               sn::Conv2D<{.filters = 3, .kernel = 1}>, G, sn::Activation<sn::softmax>>;
    expect_pass("conv, 1x1 conv, global avg pool, softmax (net)", check_network<Nin>(172), kBound, 2);
    expect_pass("global avg pool (layer)", check_layer<G, in_7x9x3>(173), kBound, 0);
    expect_pass("global avg pool, 37 channels (layer)", check_layer<G, sn::Shape{3, 5, 37, 3}>(174), kBound, 0);
}

// ---- Dense, Dropout, Activation ---------------------------------------------------------------

TEST_CASE("gradient check: Dense relu and linear") {
    using Net = sn::Sequential<sn::Input<2, 3, 2>, sn::Flatten, sn::Dense<{.units = 7, .activation = sn::relu}>,
                               sn::Dense<{.units = 5}>, sn::Dense<{.units = 3, .activation = sn::softmax}>>;
    expect_pass("dense relu + linear (net)", check_network<Net>(71), kBound, 2);
    constexpr sn::Shape flat = sn::flat_shape(6);
    expect_pass("dense relu (layer)", check_layer<sn::Dense<{.units = 7, .activation = sn::relu}>, flat, 3>(72), kBound,
                0);
    expect_pass("dense linear (layer)", check_layer<sn::Dense<{.units = 5}>, flat, 3>(73), kBound, 0);
    expect_pass("dense softmax (layer)",
                check_layer<sn::Dense<{.units = 4, .activation = sn::softmax}>, flat, 3>(74), kBound, 0);
    expect_pass("dense no bias (layer)", check_layer<sn::Dense<{.units = 4, .use_bias = false}>, flat, 3>(75), kBound,
                0);
}

TEST_CASE("gradient check: Dropout 0.3 (the mask of the model's step stays fixed)") {
    using Net = sn::Sequential<sn::Input<2, 3, 2>, sn::Flatten, sn::Dense<{.units = 9, .activation = sn::relu}>,
                               sn::Dropout<{.rate = 0.3f}>, sn::Dense<{.units = 3, .activation = sn::softmax}>>;
    for (std::uint64_t step : {0u, 5u}) expect_pass("dropout (net)", check_network<Net>(81, 4, {}, step), kBound, 2);
    // Dropout right after a conv (4-D mask), ahead of the conv's input gradient.
    expect_pass("conv, dropout (net)", check_network<ConvThen<sn::Dropout<{.rate = 0.3f}>, in_7x9x3>>(82, 3, {}, 7),
                kBound, 2);
    expect_pass("dropout (layer)", check_layer<sn::Dropout<{.rate = 0.3f}>, in_7x9x3>(83), kBound, 0);

    // The steps give different masks, hence different losses: the fixed step matters.
    using M = DoubleModel<Net>;
    static M model;
    prepare(model, 84);
    const auto x = random_inputs(4 * M::input_size, 85);
    const auto y = labels_for<M>(4);
    model.set_step(5);
    const double a = model.training_loss(x, y, 4).loss;
    model.set_step(6);
    const double b = model.training_loss(x, y, 4).loss;
    CHECK(a != b);
}

TEST_CASE("gradient check: standalone Activation relu and softmax") {
    using Relu = sn::Activation<sn::relu>;
    using Soft = sn::Activation<sn::softmax>;
    expect_pass("activation relu after conv (net)", check_network<ConvThen<Relu, in_7x9x3>>(91), kBound, 2);
    expect_pass("activation softmax over channels (net)", check_network<ConvThen<Soft, in_7x9x3>>(92), kBound, 2);
    using Net = sn::Sequential<sn::Input<2, 3, 2>, sn::Flatten, sn::Dense<{.units = 6}>, Soft,
                               sn::Dense<{.units = 3, .activation = sn::softmax}>>;
    expect_pass("dense, activation softmax, dense softmax (net)", check_network<Net>(93), kBound, 2);
    expect_pass("activation relu (layer)", check_layer<Relu, in_7x9x3>(94), kBound, 0);
    expect_pass("activation softmax (layer)", check_layer<Soft, in_7x9x3>(95), kBound, 0);
    expect_pass("flatten (layer)", check_layer<sn::Flatten, in_7x9x3>(96), kBound, 0);
}

TEST_CASE("gradient check: sigmoid, tanh and leaky ReLU, fused and as layers") {
    expect_pass("conv sigmoid (net)",
                check_network<ConvThen<sn::Activation<sn::sigmoid>, in_7x9x3>>(101), kBound, 2);
    expect_pass("activation tanh (layer)", check_layer<sn::Activation<sn::tanh>, in_7x9x3>(102), kBound, 0);
    expect_pass("activation sigmoid (layer)", check_layer<sn::Activation<sn::sigmoid>, in_7x9x3>(103), kBound, 0);
    expect_pass("activation leaky_relu (layer)", check_layer<sn::Activation<sn::leaky_relu>, in_7x9x3>(104), kBound, 0);
    expect_pass("LeakyReLU 0.1 (layer)", check_layer<sn::LeakyReLU<{.alpha = 0.1f}>, in_7x9x3>(105), kBound, 0);
    constexpr sn::Shape flat = sn::flat_shape(6);
    expect_pass("dense tanh (layer)", check_layer<sn::Dense<{.units = 5, .activation = sn::tanh}>, flat, 3>(106), kBound,
                0);
    expect_pass("conv tanh (layer)",
                check_layer<sn::Conv2D<{.filters = 4, .kernel = {3, 3}, .padding = sn::same, .activation = sn::tanh}>,
                            in_7x9x3>(107),
                kBound, 0);
    using Net = sn::Sequential<sn::Input<2, 3, 2>, sn::Flatten, sn::Dense<{.units = 7, .activation = sn::sigmoid}>,
                               sn::Dense<{.units = 6, .activation = sn::leaky_relu}>, sn::LeakyReLU<>,
                               sn::Dense<{.units = 3, .activation = sn::softmax}>>;
    expect_pass("dense sigmoid, dense leaky_relu, LeakyReLU (net)", check_network<Net>(108), kBound, 2);
}

// ---- whole networks ---------------------------------------------------------------------------

namespace {
constexpr sn::Conv2DOptions mini3x3{.filters = 4, .kernel = {3, 3}, .padding = sn::same, .activation = sn::relu};

using MiniDeep = sn::Sequential<sn::Input<8, 8, 1>, sn::Conv2D<mini3x3>, sn::Conv2D<mini3x3>,
                                sn::MaxPool2D<{.pool = {2, 2}}>, sn::Conv2D<mini3x3>, sn::Conv2D<mini3x3>,
                                sn::MaxPool2D<{.pool = {2, 2}}>, sn::Flatten,
                                sn::Dense<{.units = 8, .activation = sn::relu}>,
                                sn::Dense<{.units = 4, .activation = sn::softmax}>>;

using MiniBn = sn::Sequential<sn::Input<8, 8, 1>, sn::Conv2D<mini3x3>, sn::BatchNormalization<>, sn::Conv2D<mini3x3>,
                              sn::BatchNormalization<>, sn::MaxPool2D<{.pool = {2, 2}}>, sn::Conv2D<mini3x3>,
                              sn::BatchNormalization<>, sn::BatchNormalization<>, sn::Conv2D<mini3x3>,
                              sn::MaxPool2D<{.pool = {2, 2}}>, sn::Flatten,
                              sn::Dense<{.units = 8, .activation = sn::relu}>, sn::Dropout<{.rate = 0.2f}>,
                              sn::Dense<{.units = 4, .activation = sn::softmax}>>;

using MiniNin = sn::Sequential<sn::Input<8, 8, 1>, sn::Conv2D<mini3x3>, sn::BatchNormalization<>,
                               sn::Conv2D<{.filters = 2, .kernel = {1, 1}, .activation = sn::relu}>,
                               sn::BatchNormalization<>, sn::MaxPool2D<{.pool = {2, 2}}>, sn::Conv2D<mini3x3>,
                               sn::BatchNormalization<>,
                               sn::Conv2D<{.filters = 2, .kernel = {1, 1}, .activation = sn::relu}>,
                               sn::BatchNormalization<>, sn::MaxPool2D<{.pool = {2, 2}}>, sn::Flatten,
                               sn::Dense<{.units = 8, .activation = sn::relu}>, sn::Dropout<{.rate = 0.2f}>,
                               sn::Dense<{.units = 4, .activation = sn::softmax}>>;
}  // namespace

TEST_CASE("gradient check: mini seed networks (8x8x1, 4 filters)") {
    expect_pass("mini Deep", check_network<MiniDeep>(101, 4), kBound, 3);
    expect_pass("mini Bn (BN + Dropout)", check_network<MiniBn>(102, 4, {}, 3), kBound, 3);
    expect_pass("mini Nin (BN + Dropout, 1x1)", check_network<MiniNin>(103, 4, {}, 3), kBound, 3);
}

TEST_CASE("gradient check: a deterministic sample of at most max_per_tensor entries") {
    sn::GradientCheckOptions opts;
    opts.max_per_tensor = 5;
    const auto a = check_network<MiniBn>(102, 4, opts, 3);
    expect_pass("mini Bn, 5 per tensor", a, kBound, 1);
    // Tensors: 5 kernels (40, 148, 148, 148 -> 5 each; dense 136, 36 -> 5), 5 conv/dense
    // biases (4, 4, 4, 4 whole, 8 -> 5, 4 whole: the 5th dense bias (4)), 4 BN gammas and betas (4 each).
    std::size_t expected = 0;
    for (int p = 0; p < MiniBn::depth; ++p)
        for (int k = 0; k < MiniBn::param_specs[p].count; ++k)
            if (MiniBn::param_specs[p].items[k].trainable)
                expected += std::min<std::size_t>(MiniBn::param_specs[p].items[k].size, 5);
    CHECK(a.checked == expected);
    const auto b = check_network<MiniBn>(102, 4, opts, 3);
    CHECK(b.worst_error == a.worst_error);
    CHECK(b.worst_index == a.worst_index);
}

TEST_CASE("the loss's clip: a sample whose p[y] is clipped contributes no gradient") {
    using Net = sn::Sequential<sn::Input<1, 1, 2>, sn::Flatten, sn::Dense<{.units = 3, .activation = sn::softmax}>>;
    using M = sn::Model<Net, sn::Adam<>, sn::ClippedSparseCategoricalCrossentropy, 2, double>;
    static M model;
    model.initialize(1);
    // Logits z = x * K + b, K = 40 * [[1, 0, -1], [0, 1, -1]]: x = (1, 0) gives z = (40, 0, -40).
    const double k[6] = {40, 0, -40, 0, 40, -40};
    for (int i = 0; i < 6; ++i) model.parameter(2, "kernel")[static_cast<std::size_t>(i)] = k[i];
    for (auto& v : model.parameter(2, "bias")) v = 0;
    const std::vector<double> x{1, 0, 0.3, -0.2};
    // Sample 0, label 1: p[1] = e^-40 / (1 + ...) ~ 4e-18 < 1e-7: clipped (confidently wrong).
    // Sample 0, label 0: p[0] ~ 1 - 4e-18 > 1 - 1e-7: clipped too (confidently right).
    for (std::int32_t label : {1, 0}) {
        const std::vector<std::int32_t> y1{label};
        const auto r = model.compute_gradients(x, y1, 1);
        REQUIRE(r.status == sn::StepStatus::ok);
        CHECK(r.loss == doctest::Approx(label == 1 ? -std::log(1e-7) : -std::log(1 - 1e-7)).epsilon(1e-12));
        for (double g : model.gradients()) CHECK(g == 0.0);
        expect_pass("clipped sample", sn::check_gradients(model, x, y1, 1), 1e-12, 0);
    }
    // Batch (clipped, ordinary): the gradient is half the ordinary sample's alone.
    const std::vector<std::int32_t> y2{1, 2};
    model.compute_gradients(std::span<const double>(x).subspan(2), std::span<const std::int32_t>(y2).subspan(1), 1);
    const std::vector<double> alone(model.gradients().begin(), model.gradients().end());
    model.compute_gradients(x, y2, 2);
    for (std::size_t i = 0; i < alone.size(); ++i) CHECK(model.gradients()[i] == doctest::Approx(alone[i] / 2));
    expect_pass("clipped + ordinary", sn::check_gradients(model, x, y2, 2), kBound, 0);
}

TEST_CASE("Keras fit's loss (the default): confidently wrong samples keep their full gradient") {
    using Net = sn::Sequential<sn::Input<1, 1, 2>, sn::Flatten, sn::Dense<{.units = 3, .activation = sn::softmax}>>;
    using M = DoubleModel<Net, 1>;
    static M model;
    model.initialize(1);
    const double k[6] = {40, 0, -40, 0, 40, -40};
    for (int i = 0; i < 6; ++i) model.parameter(2, "kernel")[static_cast<std::size_t>(i)] = k[i];
    for (auto& v : model.parameter(2, "bias")) v = 0;
    // x = (1, 0): z = (40, 0, -40). Label 1: loss = -log softmax(z)[1] = 40 + log(1 + e^-40 + e^-80)
    // = 40 (to 1e-17); dL/dz = p - onehot = (1, -1, 0) (to 4e-18); dL/dK[i][j] = x_i * dL/dz_j,
    // dL/db = dL/dz.
    const std::vector<double> x{1, 0};
    const std::vector<std::int32_t> y{1};
    const auto r = model.compute_gradients(x, y, 1);
    REQUIRE(r.status == sn::StepStatus::ok);
    CHECK(r.loss == doctest::Approx(40.0).epsilon(1e-12));
    const auto gk = model.gradient(2, "kernel");
    const auto gb = model.gradient(2, "bias");
    const double expected_k[6] = {1, -1, 0, 0, 0, 0};
    for (int i = 0; i < 6; ++i) CHECK(gk[static_cast<std::size_t>(i)] == doctest::Approx(expected_k[i]).epsilon(1e-12));
    CHECK(gb[0] == doctest::Approx(1.0));
    CHECK(gb[1] == doctest::Approx(-1.0));
    CHECK(std::fabs(gb[2]) < 1e-15);
    expect_pass("unclipped confidently wrong sample", sn::check_gradients(model, x, y, 1), kBound, 0);
}

// ---- the checker itself ---------------------------------------------------------------------

TEST_CASE("the checker finds a corrupted gradient entry and names it") {
    using M = DoubleModel<MiniDeep>;
    static M model;
    prepare(model, 111);
    const auto x = random_inputs(3 * M::input_size, 112);
    const auto y = labels_for<M>(3);
    REQUIRE(model.compute_gradients(x, y, 3).status == sn::StepStatus::ok);
    // Position 8 is the Dense(8) relu; corrupt entry 13 of its kernel by 1 %.
    auto g = model.gradient(8, "kernel");
    REQUIRE(g.size() == 16 * 8);
    std::size_t at = 13;
    while (at < g.size() && std::fabs(g[at]) < 1e-2) ++at;  // a gradient well above the floor
    REQUIRE(at < g.size());
    g[at] *= 1.01;
    const auto r = sn::check_gradients_against(model, std::span<const double>(model.gradients()), x, y, 3);
    CHECK(r.status == sn::GradientCheckStatus::ok);
    CHECK_FALSE(r.passed());
    CHECK(r.failed == 1);
    CHECK(r.worst_position == 8);
    CHECK(std::string_view(r.worst_name) == "kernel");
    CHECK(r.worst_index == at);
    CHECK(r.worst_error == doctest::Approx(0.01 / 2.01).epsilon(1e-4));

    // A corrupted bias of the last layer, exactly zeroed.
    REQUIRE(model.compute_gradients(x, y, 3).status == sn::StepStatus::ok);
    model.gradient(9, "bias")[2] = 0;
    const auto r2 = sn::check_gradients_against(model, std::span<const double>(model.gradients()), x, y, 3);
    CHECK(r2.failed == 1);
    CHECK(r2.worst_position == 9);
    CHECK(std::string_view(r2.worst_name) == "bias");
    CHECK(r2.worst_index == 2);
    CHECK(r2.worst_error == doctest::Approx(1.0));

    // A NaN fails (and is the worst), never skipped.
    model.gradient(1, "bias")[3] = std::nan("");
    const auto r3 = sn::check_gradients_against(model, std::span<const double>(model.gradients()), x, y, 3);
    CHECK(r3.failed == 2);
    CHECK(r3.skipped == 0);
    CHECK(r3.worst_position == 1);
    CHECK(std::string_view(r3.worst_name) == "bias");
    CHECK(r3.worst_index == 3);
    CHECK(std::isnan(r3.worst_error));
}

namespace {
// y = 2x whose backward forgets the 2: a user-written layer with a bug for the checker to find.
struct BrokenDouble : sn::LayerDefaults {
    static constexpr const char* keras_class = "BrokenDouble";
    static constexpr const char* keras_name = "broken_double";
    static constexpr sn::Problem check(sn::Shape) { return sn::Problem::none; }
    static constexpr sn::Shape output_shape(sn::Shape in) { return in; }
    template <sn::Shape In, class T>
    static void forward(sn::LayerContext<T>&, const T* x, T* y, int n) {
        for (std::size_t i = 0; i < static_cast<std::size_t>(n) * In.size(); ++i) y[i] = 2 * x[i];
    }
    template <sn::Shape In, class T>
    static void backward(sn::LayerContext<T>&, const T*, const T*, T* gy, T* gx, int n) {
        for (std::size_t i = 0; i < static_cast<std::size_t>(n) * In.size(); ++i) gx[i] = gy[i];
    }
};
}  // namespace

TEST_CASE("the layer checker finds a wrong input gradient (not mistaken for a kink)") {
    const auto r = check_layer<BrokenDouble, sn::Shape{2, 2, 1, 3}, 1>(121);
    CHECK(r.failed == 4);
    CHECK(r.skipped == 0);
    CHECK(r.worst_position == 0);
    CHECK(std::string_view(r.worst_name) == "input");
    CHECK(r.worst_error == doctest::Approx(1.0 / 3.0));
}

TEST_CASE("kinks are skipped, not failed: ReLUs exactly at 0 and max-pool ties") {
    // All-zero input and zero biases: every Dense relu unit sits exactly on its kink. Moving
    // bias j by +h opens unit j, by -h does nothing: the one-sided slopes are g_j and 0, the
    // analytic gradient (ReLU'(0) = 0) is 0, the central difference g_j / 2.
    using Net = sn::Sequential<sn::Input<1, 1, 3>, sn::Flatten, sn::Dense<{.units = 5, .activation = sn::relu}>,
                               sn::Dense<{.units = 3, .activation = sn::softmax}>>;
    using M = DoubleModel<Net, 2>;
    static M model;
    model.initialize(131);
    for (auto& v : model.parameter(3, "bias")) v = 0.1;
    const std::vector<double> x(2 * 3, 0.0);
    const std::vector<std::int32_t> y{0, 2};
    const auto r = sn::check_gradients(model, x, y, 2);
    CHECK(r.passed());
    CHECK(r.skipped == 5);  // the five biases of position 2
    CHECK(r.worst_skipped_error == doctest::Approx(1.0));

    // A 2x2 window with a tie between its first two entries: moving either one changes the
    // winner, so both are skipped; the other two inputs and a second, tie-free sample pass.
    static sn::LayerGradientCheck<sn::MaxPool2D<{.pool = {2, 2}}>, sn::Shape{2, 2, 1, 3}, 2, double> pool;
    pool.initialize(132);
    const double in[8] = {0.5, 0.5, 0.1, -0.2, 0.3, -0.7, 0.9, 0.2};
    for (int i = 0; i < 8; ++i) pool.input()[static_cast<std::size_t>(i)] = in[i];
    const auto p = pool.check();
    CHECK(p.passed());
    CHECK(p.checked == 8);
    CHECK(p.skipped == 2);
}

TEST_CASE("the checker reports bad arguments as values") {
    using M = DoubleModel<MiniDeep>;
    static M model;
    prepare(model, 141);
    const auto x = random_inputs(2 * M::input_size, 142);
    const std::vector<std::int32_t> bad{0, 7};
    auto r = sn::check_gradients(model, x, bad, 2);
    CHECK(r.status == sn::GradientCheckStatus::step_failed);
    CHECK(r.step_status == sn::StepStatus::label_out_of_range);
    const std::vector<std::int32_t> y{0, 1};
    auto in = model.training_input();
    r = sn::check_gradients(model, std::span<const double>(in.data(), 2 * M::input_size), y, 2);
    CHECK(r.status == sn::GradientCheckStatus::input_aliases_model);
    const std::vector<double> short_gradient(3);
    r = sn::check_gradients_against(model, std::span<const double>(short_gradient), x, y, 2);
    CHECK(r.status == sn::GradientCheckStatus::gradient_too_short);
}

// ---- optimizers against hand-computed values -------------------------------------------------
//
// A network with exactly two trainable parameters (Dense(1) kernel and bias); the test writes
// the gradients itself and applies them through the model, so the step counter (Adam's t)
// is the model's.

namespace {
using TwoParams = sn::Sequential<sn::Input<1, 1, 1>, sn::Flatten, sn::Dense<{.units = 1, .activation = sn::softmax}>>;

template <class Opt>
struct TwoParamModel {
    using M = DoubleModel<TwoParams, 1, Opt>;
    M model;
    TwoParamModel(double k, double b) {
        model.initialize(0);
        model.parameter(2, "kernel")[0] = k;
        model.parameter(2, "bias")[0] = b;
    }
    void step(double gk, double gb) {
        model.gradients()[0] = gk;
        model.gradients()[1] = gb;
        model.apply_gradients();
    }
    double k() { return model.parameter(2, "kernel")[0]; }
    double b() { return model.parameter(2, "bias")[0]; }
};
}  // namespace

TEST_CASE("Adam, Keras defaults, two parameters, two steps, by hand") {
    // theta = (0.5, -0.25); g1 = (0.2, -0.1); g2 = (-0.3, 0.4); lr 0.001, b1 0.9, b2 0.999, eps 1e-7.
    // t = 1: lr_1 = 0.001 sqrt(1 - 0.999) / (1 - 0.9) = 0.001 * 0.0316227766 / 0.1 = 3.16227766e-4
    //   m = 0.1 g1 = (0.02, -0.01); v = 0.001 g1^2 = (4e-5, 1e-5); sqrt v = (0.00632455532, 0.00316227766)
    //   delta = lr_1 m / (sqrt v + eps) = (0.02 * 3.16227766e-4 / 0.00632465532, ...)
    //         = (9.9998418886e-4, -9.9996837822e-4)       (eps makes it a hair less than lr)
    //   theta = (0.49900001581113829, -0.24900003162177664)
    // t = 2: lr_2 = 0.001 sqrt(1 - 0.999^2) / (1 - 0.9^2) = 0.001 * 0.0447101778 / 0.19 = 2.3531672533e-4
    //   m = 0.9 m + 0.1 g2 = (0.018 - 0.03, -0.009 + 0.04) = (-0.012, 0.031)
    //   v = 0.999 v + 0.001 g2^2 = (3.996e-5 + 9e-5, 9.99e-6 + 1.6e-4) = (1.2996e-4, 1.6999e-4)
    //   sqrt v = (0.0114, 0.0130380213); delta = lr_2 m / (sqrt v + eps)
    //         = (-2.4769964333e-4, 5.5949920275e-4)
    //   theta = (0.49924771545446855, -0.24955953082452531)
    // The hyperparameters are floats (0.9f, ...) as in Keras, whose hypers are float32
    // variables; in double that moves theta by ~5e-11, hence the 1e-9 tolerance.
    TwoParamModel<sn::Adam<>> m(0.5, -0.25);
    m.step(0.2, -0.1);
    CHECK(m.k() == doctest::Approx(0.49900001581113829).epsilon(1e-9));
    CHECK(m.b() == doctest::Approx(-0.24900003162177664).epsilon(1e-9));
    CHECK(m.model.step() == 1);
    m.step(-0.3, 0.4);
    CHECK(m.k() == doctest::Approx(0.49924771545446855).epsilon(1e-9));
    CHECK(m.b() == doctest::Approx(-0.24955953082452531).epsilon(1e-9));
    CHECK(m.model.step() == 2);
    CHECK(m.model.optimizer_state()[0] == doctest::Approx(-0.012).epsilon(1e-7));  // m
    CHECK(m.model.optimizer_state()[3] == doctest::Approx(1.6999e-4).epsilon(1e-7));  // v
}

TEST_CASE("Adam with binary-exact hyperparameters, by hand") {
    // lr 0.5, b1 0.5, b2 0.75, eps 0.25; theta = (1, -2); g1 = (0.5, -1.5); g2 = (-1, 0.5).
    // t = 1: lr_1 = 0.5 sqrt(0.25) / 0.5 = 0.5; m = (0.25, -0.75); v = 0.25 g^2 = (0.0625, 0.5625)
    //   delta = 0.5 m / (sqrt v + 0.25) = (0.5 * 0.25 / 0.5, 0.5 * -0.75 / 1) = (0.25, -0.375)
    //   theta = (0.75, -1.625)  (exact)
    // t = 2: lr_2 = 0.5 sqrt(1 - 0.5625) / (1 - 0.25) = 0.5 (sqrt 7 / 4) / 0.75 = sqrt(7) / 6
    //   m = (0.125 - 0.5, -0.375 + 0.25) = (-0.375, -0.125)
    //   v = (0.046875 + 0.25, 0.421875 + 0.0625) = (0.296875, 0.484375)
    //   delta = sqrt(7)/6 * m / (sqrt v + 0.25)
    //   theta = (0.75 + sqrt(7)/6 * 0.375 / (sqrt(0.296875) + 0.25),
    //            -1.625 + sqrt(7)/6 * 0.125 / (sqrt(0.484375) + 0.25))
    //         = (0.95803533241805383, -1.5667319923424257)
    TwoParamModel<sn::Adam<{.learning_rate = 0.5f, .beta_1 = 0.5f, .beta_2 = 0.75f, .epsilon = 0.25f}>> m(1, -2);
    m.step(0.5, -1.5);
    CHECK(m.k() == 0.75);
    CHECK(m.b() == -1.625);
    m.step(-1, 0.5);
    const double lr2 = std::sqrt(7.0) / 6.0;
    CHECK(m.k() == doctest::Approx(0.75 + lr2 * 0.375 / (std::sqrt(0.296875) + 0.25)).epsilon(1e-15));
    CHECK(m.b() == doctest::Approx(-1.625 + lr2 * 0.125 / (std::sqrt(0.484375) + 0.25)).epsilon(1e-15));
    CHECK(m.k() == doctest::Approx(0.95803533241805383).epsilon(1e-15));
    CHECK(m.b() == doctest::Approx(-1.5667319923424257).epsilon(1e-15));
}

TEST_CASE("SGD with momentum, and with Nesterov, by hand") {
    // lr 0.25, momentum 0.5; theta = (1, -2); g1 = (0.5, -1); g2 = (1, 0.25). All exact in binary.
    // Momentum: vel1 = -0.25 g1 = (-0.125, 0.25); theta1 = (0.875, -1.75)
    //           vel2 = 0.5 vel1 - 0.25 g2 = (-0.0625 - 0.25, 0.125 - 0.0625) = (-0.3125, 0.0625)
    //           theta2 = (0.5625, -1.6875)
    // Nesterov: theta += 0.5 vel - 0.25 g
    //           theta1 = (1 - 0.0625 - 0.125, -2 + 0.125 + 0.25) = (0.8125, -1.625)
    //           theta2 = (0.8125 - 0.15625 - 0.25, -1.625 + 0.03125 - 0.0625) = (0.40625, -1.65625)
    TwoParamModel<sn::SGD<{.learning_rate = 0.25f, .momentum = 0.5f}>> m(1, -2);
    m.step(0.5, -1);
    CHECK(m.k() == 0.875);
    CHECK(m.b() == -1.75);
    m.step(1, 0.25);
    CHECK(m.k() == 0.5625);
    CHECK(m.b() == -1.6875);
    CHECK(m.model.optimizer_state()[0] == -0.3125);
    CHECK(m.model.optimizer_state()[1] == 0.0625);

    TwoParamModel<sn::SGD<{.learning_rate = 0.25f, .momentum = 0.5f, .nesterov = true}>> n(1, -2);
    n.step(0.5, -1);
    CHECK(n.k() == 0.8125);
    CHECK(n.b() == -1.625);
    n.step(1, 0.25);
    CHECK(n.k() == 0.40625);
    CHECK(n.b() == -1.65625);

    // Plain SGD (no state): theta -= lr g.
    TwoParamModel<sn::SGD<{.learning_rate = 0.25f}>> p(1, -2);
    static_assert(decltype(p)::M::optimizer_elements == 0);
    p.step(0.5, -1);
    p.step(1, 0.25);
    CHECK(p.k() == 1 - 0.125 - 0.25);
    CHECK(p.b() == -2 + 0.25 - 0.0625);
}
