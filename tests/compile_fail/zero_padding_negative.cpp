// ZeroPadding2D with a negative side at position 2.
// expect: staticnet: ZeroPadding2D padding must not be negative
// expect-gcc: layer_check<2, staticnet::ZeroPadding2D<staticnet::ZeroPadding2DOptions{staticnet::Pad4{1, 1, -1, 0}}>
// expect-gcc: staticnet::Shape{26, 26, 8, 3}
// max-errors: 1
#include <staticnet/core.hpp>

namespace sn = staticnet;

using Net = sn::Sequential<
    sn::Input<28, 28, 1>,
    sn::Conv2D<{.filters = 8, .kernel = {3, 3}}>,
    sn::ZeroPadding2D<{.padding = {1, 1, -1, 0}}>,
    sn::Flatten,
    sn::Dense<{.units = 10, .activation = sn::softmax}>>;

#include "use_network.hpp"
