// AveragePooling2D at position 2 after a Flatten: it gets a flat 784 vector.
// expect: staticnet: AveragePooling2D needs an (H, W, C) input but this one is flat; remove the Flatten before it
// expect-gcc: layer_check<2, staticnet::AveragePooling2D<
// expect-gcc: staticnet::Shape{1, 1, 784, 1}
// max-errors: 1
#include <staticnet/core.hpp>

namespace sn = staticnet;

using Net = sn::Sequential<
    sn::Input<28, 28, 1>,
    sn::Flatten,
    sn::AveragePooling2D<{.pool = 2}>,
    sn::Dense<{.units = 10, .activation = sn::softmax}>>;

#include "use_network.hpp"
