// GlobalAveragePooling2D at position 3 after a Flatten: it gets a flat 26 x 26 x 8 = 5408 vector.
// expect: staticnet: GlobalAveragePooling2D needs an (H, W, C) input but this one is flat; use it in place of the Flatten
// expect-gcc: layer_check<3, staticnet::GlobalAveragePooling2D,
// expect-gcc: staticnet::Shape{1, 1, 5408, 1}
// max-errors: 1
#include <staticnet/core.hpp>

namespace sn = staticnet;

using Net = sn::Sequential<
    sn::Input<28, 28, 1>,
    sn::Conv2D<{.filters = 8, .kernel = {3, 3}}>,
    sn::Flatten,
    sn::GlobalAveragePooling2D,
    sn::Dense<{.units = 10, .activation = sn::softmax}>>;

#include "use_network.hpp"
