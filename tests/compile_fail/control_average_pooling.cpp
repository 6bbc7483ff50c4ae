// Positive control for the average poolings: a network with AveragePooling2D ('valid' and
// 'same', one number for a square window) and GlobalAveragePooling2D straight into a Dense
// compiles without a warning (-Werror), as an Inference and a Model with a training step.
// expect-success
#include <staticnet/core.hpp>

namespace sn = staticnet;

using Net = sn::Sequential<
    sn::Input<28, 28, 1>,
    sn::Conv2D<{.filters = 8, .kernel = 3, .padding = sn::same, .activation = sn::relu}>,
    sn::AveragePooling2D<{.pool = 2}>,
    sn::Conv2D<{.filters = 16, .kernel = 3, .activation = sn::relu}>,
    sn::AvgPool2D<{.pool = 3, .strides = 2, .padding = sn::same}>,
    sn::GlobalAveragePooling2D,
    sn::Dense<{.units = 10, .activation = sn::softmax}>>;
static_assert(Net::shapes[2] == sn::Shape{14, 14, 8, 3} && Net::shapes[4] == sn::Shape{6, 6, 16, 3});
static_assert(Net::shapes[5] == sn::flat_shape(16));
static_assert(Net::params.total == (9 * 8 + 8) + (9 * 8 * 16 + 16) + (16 * 10 + 10));

#include "use_network.hpp"
