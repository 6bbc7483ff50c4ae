// Reshape with two -1 at position 2.
// expect: staticnet: Reshape takes one dimension
// expect-gcc: layer_check<2, staticnet::Reshape<-1, -1, 8>
// expect-gcc: staticnet::Shape{26, 26, 8, 3}
// max-errors: 1
#include <staticnet/core.hpp>

namespace sn = staticnet;

using Net = sn::Sequential<
    sn::Input<28, 28, 1>,
    sn::Conv2D<{.filters = 8, .kernel = {3, 3}}>,
    sn::Reshape<-1, -1, 8>,
    sn::Flatten,
    sn::Dense<{.units = 10, .activation = sn::softmax}>>;

#include "use_network.hpp"
