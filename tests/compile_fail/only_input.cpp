// A network that is only an Input.
// expect: staticnet: a Sequential network needs at least one layer after its Input
// expect-gcc: depth_check<false>
// expect-gcc: staticnet::Sequential<staticnet::Input<28, 28, 1> >
// max-errors: 1
#include <staticnet/core.hpp>

namespace sn = staticnet;

using Net = sn::Sequential<
    sn::Input<28, 28, 1>>;

#include "use_network.hpp"
