// Input<65536, 65536, 1> -> Flatten: 2^32 values per sample do not fit the int flat width (it
// used to wrap to 0 and give a Dense with 10 parameters, silently).
// expect: staticnet: Flatten would make a vector of more than 2,147,483,647 values per sample
// expect-gcc: layer_check<1, staticnet::Flatten
// max-errors: 1
#include <staticnet/core.hpp>

namespace sn = staticnet;

using Net = sn::Sequential<
    sn::Input<65536, 65536, 1>,
    sn::Flatten,
    sn::Dense<{.units = 10, .activation = sn::softmax}>>;

static_assert(!Net::well_formed);

int main() { return static_cast<int>(Net::params.total); }
