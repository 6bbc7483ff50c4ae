// Conv2D with strides {1, 0} at position 1.
// expect: staticnet: Conv2D strides must be at least 1
// expect-gcc: layer_check<1, staticnet::Conv2D<staticnet::Conv2DOptions{8, staticnet::Size2{3, 3}, staticnet::Size2{1, 0}
// expect-gcc: staticnet::Shape{28, 28, 1, 3}
// max-errors: 1
#include <staticnet/core.hpp>

namespace sn = staticnet;

using Net = sn::Sequential<
    sn::Input<28, 28, 1>,
    sn::Conv2D<{.filters = 8, .kernel = {3, 3}, .strides = {1, 0}}>,
    sn::Flatten,
    sn::Dense<{.units = 10, .activation = sn::softmax}>>;

#include "use_network.hpp"
