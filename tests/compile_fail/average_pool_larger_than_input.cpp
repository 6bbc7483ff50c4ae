// AveragePooling2D with a 3 x 8 window (valid padding) at position 3 gets a 7 x 7 x 8 input.
// expect: staticnet: AveragePooling2D pool window is larger than its input with padding = sn::valid; use a smaller pool or padding = sn::same
// expect-gcc: layer_check<3, staticnet::AveragePooling2D<staticnet::AveragePooling2DOptions{staticnet::Size2{3, 8}
// expect-gcc: staticnet::Shape{7, 7, 8, 3}
// max-errors: 1
#include <staticnet/core.hpp>

namespace sn = staticnet;

using Net = sn::Sequential<
    sn::Input<28, 28, 1>,
    sn::Conv2D<{.filters = 8, .kernel = {3, 3}, .padding = sn::same}>,
    sn::AveragePooling2D<{.pool = 4}>,
    sn::AveragePooling2D<{.pool = {3, 8}}>,
    sn::Flatten,
    sn::Dense<{.units = 10, .activation = sn::softmax}>>;

#include "use_network.hpp"
