// Positive control for DepthwiseConv2D, SeparableConv2D, ZeroPadding2D and Reshape: a network
// with each of them (depth multipliers 1 and 2, 'same' and 'valid', strides, a fused ReLU and a
// sigmoid, asymmetric padding, Reshape to (H, W, C) with -1 and to a flat vector) compiles
// without a warning (-Werror), as an Inference and a Model with a training step, and the new
// parameter names are accepted as literals.
// expect-success
#include <staticnet/core.hpp>

namespace sn = staticnet;

using Net = sn::Sequential<
    sn::Input<28, 28, 1>,
    sn::ZeroPadding2D<{.padding = {1, 2, 0, 1}}>,
    sn::Conv2D<{.filters = 8, .kernel = 3, .strides = 2, .activation = sn::relu}>,
    sn::DepthwiseConv2D<{.kernel = 3, .padding = sn::same, .activation = sn::relu}>,
    sn::DepthwiseConv2D<{.kernel = {3, 2}, .strides = 2, .depth_multiplier = 2, .activation = sn::sigmoid}>,
    sn::ZeroPadding2D<{.padding = 1}>,
    sn::SeparableConv2D<{.filters = 12, .kernel = 3, .depth_multiplier = 2, .activation = sn::relu}>,
    sn::Reshape<7, -1, 6>,
    sn::SeparableConv2D<{.filters = 6, .kernel = 2, .strides = 2, .padding = sn::same, .use_bias = false}>,
    sn::Reshape<-1>,
    sn::Dense<{.units = 10, .activation = sn::softmax}>>;
// 28 -> pad (31, 29) -> conv s2 (15, 14) -> dw same (15, 14, 8) -> dw (3,2) s2 (7, 7, 16)
// -> pad (9, 9, 16) -> separable 3x3 (7, 7, 12) -> reshape (7, 588 / 42 = 14, 6) -> separable 2x2 s2
// same (4, 7, 6) -> reshape flat 168 -> dense.
static_assert(Net::shapes[1] == sn::Shape{31, 29, 1, 3});
static_assert(Net::shapes[2] == sn::Shape{15, 14, 8, 3});
static_assert(Net::shapes[3] == sn::Shape{15, 14, 8, 3});
static_assert(Net::shapes[4] == sn::Shape{7, 7, 16, 3});
static_assert(Net::shapes[5] == sn::Shape{9, 9, 16, 3});
static_assert(Net::shapes[6] == sn::Shape{7, 7, 12, 3});
static_assert(Net::shapes[7] == sn::Shape{7, 14, 6, 3});
static_assert(Net::shapes[8] == sn::Shape{4, 7, 6, 3});
static_assert(Net::shapes[9] == sn::flat_shape(168));
// conv (9*8 + 8), depthwise (3*3*8 + 8), (3*2*8*2 + 16), separable (3*3*16*2 + 32*12 + 12),
// (2*2*6 + 6*6, no bias), dense (168*10 + 10).
static_assert(Net::params.total == (9 * 8 + 8) + (9 * 8 + 8) + (6 * 16 + 16) + (9 * 32 + 32 * 12 + 12) +
                                       (4 * 6 + 6 * 6) + (168 * 10 + 10));

static sn::Inference<Net, 4> inference;
static sn::Model<Net, sn::Adam<>, sn::SparseCategoricalCrossentropy, 4> model;

int main() {
    static float x[4 * Net::input_shape.size()] = {};
    static std::int32_t labels[4] = {};
    model.initialize(1);
    const auto trained = model.train_step(x, labels, 4);
    const auto dw = model.parameter(4, "depthwise_kernel");
    const auto pw = inference.parameter(6, "pointwise_kernel");
    return trained.correct + static_cast<int>(inference.predict(x, 4).size() + dw.size() + pw.size());
}
