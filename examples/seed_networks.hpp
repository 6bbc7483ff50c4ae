// The three networks of the Keras original (deep CNN, + BatchNormalization and Dropout,
// Network-in-Network with 1x1 reductions), as staticnet types.
#pragma once
#include <staticnet/core.hpp>

namespace staticnet::examples {

namespace sn = staticnet;

inline constexpr sn::Conv2DOptions conv3x3_32{
    .filters = 32, .kernel = {3, 3}, .strides = {1, 1}, .padding = sn::same, .activation = sn::relu};

using Deep = sn::Sequential<
    sn::Input<28, 28, 1>,
    sn::Conv2D<conv3x3_32>,
    sn::Conv2D<conv3x3_32>,
    sn::MaxPool2D<{.pool = {2, 2}}>,
    sn::Conv2D<conv3x3_32>,
    sn::Conv2D<conv3x3_32>,
    sn::MaxPool2D<{.pool = {2, 2}}>,
    sn::Flatten,
    sn::Dense<{.units = 32, .activation = sn::relu}>,
    sn::Dense<{.units = 10, .activation = sn::softmax}>>;

// As in the original: note the two BatchNormalization layers in a row before conv2d_7.
using Bn = sn::Sequential<
    sn::Input<28, 28, 1>,
    sn::Conv2D<conv3x3_32>,
    sn::BatchNormalization<>,
    sn::Conv2D<conv3x3_32>,
    sn::BatchNormalization<>,
    sn::MaxPool2D<{.pool = {2, 2}}>,
    sn::Conv2D<conv3x3_32>,
    sn::BatchNormalization<>,
    sn::BatchNormalization<>,
    sn::Conv2D<conv3x3_32>,
    sn::MaxPool2D<{.pool = {2, 2}}>,
    sn::Flatten,
    sn::Dense<{.units = 32, .activation = sn::relu}>,
    sn::Dropout<{.rate = 0.2f}>,
    sn::Dense<{.units = 10, .activation = sn::softmax}>>;

using Nin = sn::Sequential<
    sn::Input<28, 28, 1>,
    sn::Conv2D<conv3x3_32>,
    sn::BatchNormalization<>,
    sn::Conv2D<{.filters = 16, .kernel = {1, 1}, .activation = sn::relu}>,  // 1x1 reduction
    sn::BatchNormalization<>,
    sn::MaxPool2D<{.pool = {2, 2}}>,
    sn::Conv2D<conv3x3_32>,
    sn::BatchNormalization<>,
    sn::Conv2D<{.filters = 16, .kernel = {1, 1}, .activation = sn::relu}>,
    sn::BatchNormalization<>,
    sn::MaxPool2D<{.pool = {2, 2}}>,
    sn::Flatten,
    sn::Dense<{.units = 32, .activation = sn::relu}>,
    sn::Dropout<{.rate = 0.2f}>,
    sn::Dense<{.units = 10, .activation = sn::softmax}>>;

static_assert(Deep::params.total == 78'602 && Deep::params.non_trainable == 0);
static_assert(Bn::params.total == 79'114 && Bn::params.trainable == 78'858 && Bn::params.non_trainable == 256);
static_assert(Nin::params.total == 31'850 && Nin::params.trainable == 31'658 && Nin::params.non_trainable == 192);

}  // namespace staticnet::examples
