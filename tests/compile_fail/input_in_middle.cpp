// A second Input at position 2.
// expect: staticnet: sn::Input may only be the first element of a Sequential; remove this extra Input
// expect-gcc: layer_check<2, staticnet::Input<26, 26, 8>
// expect-gcc: staticnet::Shape{26, 26, 8, 3}
// max-errors: 1
#include <staticnet/core.hpp>

namespace sn = staticnet;

using Net = sn::Sequential<
    sn::Input<28, 28, 1>,
    sn::Conv2D<{.filters = 8, .kernel = {3, 3}}>,
    sn::Input<26, 26, 8>,
    sn::Flatten,
    sn::Dense<{.units = 10, .activation = sn::softmax}>>;

#include "use_network.hpp"
