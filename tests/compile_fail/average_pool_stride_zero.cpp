// AveragePooling2D with strides {2, 0} at position 2.
// expect: staticnet: AveragePooling2D strides must be at least 1
// expect-gcc: layer_check<2, staticnet::AveragePooling2D<staticnet::AveragePooling2DOptions{staticnet::Size2{2, 2}, staticnet::Size2{2, 0}
// expect-gcc: staticnet::Shape{26, 26, 8, 3}
// max-errors: 1
#include <staticnet/core.hpp>

namespace sn = staticnet;

using Net = sn::Sequential<
    sn::Input<28, 28, 1>,
    sn::Conv2D<{.filters = 8, .kernel = {3, 3}}>,
    sn::AveragePooling2D<{.pool = {2, 2}, .strides = {2, 0}}>,
    sn::Flatten,
    sn::Dense<{.units = 10, .activation = sn::softmax}>>;

#include "use_network.hpp"
