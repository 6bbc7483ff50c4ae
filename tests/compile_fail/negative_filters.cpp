// Conv2D with .filters = -3 at position 1: the one message and nothing else (the made-up
// sizes of a wrong network used to add four "array size exceeds maximum object size" errors).
// expect: staticnet: Conv2D needs filters > 0 (set .filters)
// expect-gcc: layer_check<1, staticnet::Conv2D<staticnet::Conv2DOptions{-3,
// max-errors: 1
#include <staticnet/core.hpp>

namespace sn = staticnet;

using Net = sn::Sequential<
    sn::Input<28, 28, 1>,
    sn::Conv2D<{.filters = -3, .kernel = {3, 3}}>,
    sn::Flatten,
    sn::Dense<{.units = 10, .activation = sn::softmax}>>;

#include "use_network.hpp"
