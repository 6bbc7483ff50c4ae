// A network that is only an Input.
// expect: staticnet: a Sequential network needs at least one layer after its Input
// expect-gcc: depth_check<false>
// expect-gcc: staticnet::Sequential<staticnet::Input<28, 28, 1> >
// max-errors: 1
#include <staticnet/core.hpp>

#include <cstdint>

namespace sn = staticnet;

using Net = sn::Sequential<
    sn::Input<28, 28, 1>>;

// Used the way a program uses a network: inference and a training step.
static sn::Inference<Net, 4> inference;
static sn::Model<Net, sn::Adam<>, sn::SparseCategoricalCrossentropy, 4> model;

int main() {
    static float x[4 * Net::input_shape.size()] = {};
    static std::int32_t labels[4] = {};
    model.initialize(1);
    const auto trained = model.train_step(x, labels, 4);
    return trained.correct + static_cast<int>(inference.predict(x, 4).size());
}
