// Conv2D at position 2 after a Flatten: it gets a flat 784 vector.
// expect: staticnet: Conv2D needs an (H, W, C) input but this one is flat; remove the Flatten before it
// expect-gcc: layer_check<2, staticnet::Conv2D<
// expect-gcc: staticnet::Shape{1, 1, 784, 1}
// max-errors: 1
#include <staticnet/core.hpp>

namespace sn = staticnet;

using Net = sn::Sequential<
    sn::Input<28, 28, 1>,
    sn::Flatten,
    sn::Conv2D<{.filters = 8, .kernel = {3, 3}}>,
    sn::Dense<{.units = 10, .activation = sn::softmax}>>;

#include "use_network.hpp"
