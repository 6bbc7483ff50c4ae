// SeparableConv2D with depth_multiplier = -1 at position 2.
// expect: staticnet: SeparableConv2D depth_multiplier must be at least 1
// expect-gcc: layer_check<2, staticnet::SeparableConv2D<
// expect-gcc: staticnet::Shape{26, 26, 8, 3}
// max-errors: 1
#include <staticnet/core.hpp>

namespace sn = staticnet;

using Net = sn::Sequential<
    sn::Input<28, 28, 1>,
    sn::Conv2D<{.filters = 8, .kernel = {3, 3}}>,
    sn::SeparableConv2D<{.filters = 4, .kernel = 3, .depth_multiplier = -1}>,
    sn::Flatten,
    sn::Dense<{.units = 10, .activation = sn::softmax}>>;

#include "use_network.hpp"
