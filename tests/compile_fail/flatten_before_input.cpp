// A Flatten at position 0, before the Input.
// expect: staticnet: a Sequential network must start with sn::Input<H, W, C>
// expect-gcc: sequential_check<false
// expect-gcc: First = staticnet::Flatten;
// max-errors: 1
#include <staticnet/core.hpp>

namespace sn = staticnet;

using Net = sn::Sequential<
    sn::Flatten,
    sn::Input<28, 28, 1>,
    sn::Dense<{.units = 10, .activation = sn::softmax}>>;

#include "use_network.hpp"
