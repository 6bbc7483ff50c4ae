// No Input anywhere.
// expect: staticnet: a Sequential network must start with sn::Input<H, W, C>
// expect-gcc: sequential_check<false
// expect-gcc: First = staticnet::Conv2D<
// max-errors: 1
#include <staticnet/core.hpp>

namespace sn = staticnet;

using Net = sn::Sequential<
    sn::Conv2D<{.filters = 8, .kernel = {3, 3}}>,
    sn::Flatten,
    sn::Dense<{.units = 10, .activation = sn::softmax}>>;

#include "use_network.hpp"
