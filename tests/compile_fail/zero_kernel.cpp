// Conv2D with a 0 x 3 kernel at position 1.
// expect: staticnet: Conv2D kernel size must be at least 1 x 1 (set .kernel = {h, w})
// expect-gcc: layer_check<1, staticnet::Conv2D<staticnet::Conv2DOptions{8, staticnet::Size2{0, 3}
// expect-gcc: staticnet::Shape{28, 28, 1, 3}
// max-errors: 1
#include <staticnet/core.hpp>

namespace sn = staticnet;

using Net = sn::Sequential<
    sn::Input<28, 28, 1>,
    sn::Conv2D<{.filters = 8, .kernel = {0, 3}}>,
    sn::Flatten,
    sn::Dense<{.units = 10, .activation = sn::softmax}>>;

#include "use_network.hpp"
