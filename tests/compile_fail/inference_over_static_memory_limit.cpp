// The same 4096 x 4096 x 64 network as an Inference at batch 1: 8 GB of arena (the input alone is
// 4 GiB), over the static memory limit (STATICNET_MAX_STATIC_BYTES, default 4 GiB).
// expect: staticnet: this object needs more memory than STATICNET_MAX_STATIC_BYTES allows
// expect-gcc: static_memory_check<staticnet::detail::StaticObject::inference, 
// expect-gcc: <= 4294967296)'
// max-errors: 1
#include <staticnet/core.hpp>

namespace sn = staticnet;

using Net = sn::Sequential<
    sn::Input<4096, 4096, 64>,
    sn::Conv2D<{.filters = 32, .kernel = {3, 3}, .padding = sn::same, .activation = sn::relu}>,
    sn::MaxPool2D<{.pool = {4, 4}}>,
    sn::Flatten,
    sn::Dense<{.units = 10, .activation = sn::softmax}>>;

static sn::Inference<Net, 1> inference;

int main() {
    static float x[Net::input_shape.size()] = {};
    return static_cast<int>(inference.predict(x, 1).size());
}
