// Reshape of 26 x 26 x 8 = 5408 values to 26 x 26 x 4 = 2704 at position 2.
// expect: staticnet: Reshape must keep the number of values
// expect-gcc: layer_check<2, staticnet::Reshape<26, 26, 4>
// expect-gcc: staticnet::Shape{26, 26, 8, 3}
// max-errors: 1
#include <staticnet/core.hpp>

namespace sn = staticnet;

using Net = sn::Sequential<
    sn::Input<28, 28, 1>,
    sn::Conv2D<{.filters = 8, .kernel = {3, 3}}>,
    sn::Reshape<26, 26, 4>,
    sn::Flatten,
    sn::Dense<{.units = 10, .activation = sn::softmax}>>;

#include "use_network.hpp"
