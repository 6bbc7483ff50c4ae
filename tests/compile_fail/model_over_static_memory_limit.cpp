// A Model whose object would need hundreds of GB (a 4096 x 4096 x 64 input at batch 64): it used
// to compile and segfault at start. Now it stops at the static memory limit
// (STATICNET_MAX_STATIC_BYTES, default 4 GiB), naming the byte count, and nothing else fails:
// the Model's arrays are sized 1 once it is over the limit.
// expect: staticnet: this object needs more memory than STATICNET_MAX_STATIC_BYTES allows
// expect: -DSTATICNET_MAX_STATIC_BYTES=<bytes>
// expect-gcc: static_memory_check<staticnet::detail::StaticObject::model, 
// expect-gcc: <= 4294967296)'
// max-errors: 1
#include <staticnet/core.hpp>

#include <cstdint>

namespace sn = staticnet;

using Net = sn::Sequential<
    sn::Input<4096, 4096, 64>,
    sn::Conv2D<{.filters = 32, .kernel = {3, 3}, .padding = sn::same, .activation = sn::relu}>,
    sn::MaxPool2D<{.pool = {4, 4}}>,
    sn::Flatten,
    sn::Dense<{.units = 10, .activation = sn::softmax}>>;

static sn::Model<Net, sn::Adam<>, sn::SparseCategoricalCrossentropy, 64> model;

int main() {
    static float x[Net::input_shape.size()] = {};
    static std::int32_t labels[1] = {};
    model.initialize(1);
    return model.train_step(x, labels, 1).correct + static_cast<int>(model.predict(x).size());
}
