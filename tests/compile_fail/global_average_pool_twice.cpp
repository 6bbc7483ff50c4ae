// Two GlobalAveragePooling2D in a row: the second (position 3) gets the first one's flat 8 values.
// expect: staticnet: GlobalAveragePooling2D needs an (H, W, C) input but this one is flat
// expect-gcc: layer_check<3, staticnet::GlobalAveragePooling2D,
// expect-gcc: staticnet::Shape{1, 1, 8, 1}
// max-errors: 1
#include <staticnet/core.hpp>

namespace sn = staticnet;

using Net = sn::Sequential<
    sn::Input<28, 28, 1>,
    sn::Conv2D<{.filters = 8, .kernel = {3, 3}}>,
    sn::GlobalAveragePooling2D,
    sn::GlobalAveragePooling2D,
    sn::Dense<{.units = 10, .activation = sn::softmax}>>;

#include "use_network.hpp"
