// A tensor of 2,147,483,647^3 values per sample: its byte count does not fit std::size_t. The
// counts saturate (core/sizes.hpp) instead of wrapping around to a small number, so the object
// fails the static memory limit with the byte count 18446744073709551615 ("more than std::size_t
// can count"), instead of compiling into a tiny arena.
// expect: staticnet: this object needs more memory than STATICNET_MAX_STATIC_BYTES allows
// expect-gcc: static_memory_check<staticnet::detail::StaticObject::inference, 18446744073709551615,
// max-errors: 1
#include <staticnet/core.hpp>

#include <span>

namespace sn = staticnet;

using Net = sn::Sequential<
    sn::Input<2147483647, 2147483647, 2147483647>,
    sn::Conv2D<{.filters = 2, .kernel = {1, 1}}>>;

static_assert(Net::input_shape.size() == sn::size_overflow);

static sn::Inference<Net, 1> inference;

int main() {
    return static_cast<int>(inference.predict(std::span<const float>(), 1).size());
}
