// A Model (sparse categorical cross-entropy) on a network whose last layer, Dense at position 3,
// has no softmax.
// expect: staticnet: SparseCategoricalCrossentropy expects class probabilities: end the network with a flat layer with activation = sn::softmax
// expect-gcc: staticnet::Dense<staticnet::DenseOptions{10, staticnet::ActivationFunction::linear, true}> >, staticnet::Adam<>
// max-errors: 1
#include <staticnet/core.hpp>

#include <cstdint>

namespace sn = staticnet;

using Net = sn::Sequential<
    sn::Input<28, 28, 1>,
    sn::Flatten,
    sn::Dense<{.units = 32, .activation = sn::relu}>,
    sn::Dense<{.units = 10}>>;

static sn::Model<Net, sn::Adam<>, sn::SparseCategoricalCrossentropy, 4> model;

int main() {
    static float x[4 * Net::input_shape.size()] = {};
    static std::int32_t labels[4] = {};
    model.initialize(1);
    return model.train_step(x, labels, 4).correct;
}
