// Reshape with -1 where no whole number fits (5408 values, 5 x 5 x ?) at position 2.
// expect: staticnet: Reshape must keep the number of values
// expect-gcc: layer_check<2, staticnet::Reshape<5, 5, -1>
// expect-gcc: staticnet::Shape{26, 26, 8, 3}
// max-errors: 1
#include <staticnet/core.hpp>

namespace sn = staticnet;

using Net = sn::Sequential<
    sn::Input<28, 28, 1>,
    sn::Conv2D<{.filters = 8, .kernel = {3, 3}}>,
    sn::Reshape<5, 5, -1>,
    sn::Flatten,
    sn::Dense<{.units = 10, .activation = sn::softmax}>>;

#include "use_network.hpp"
