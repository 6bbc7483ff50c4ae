// beta_1 = 1.5: the moment estimates would grow without bound.
// expect: staticnet: Adam beta_1 must be in [0, 1)
// max-errors: 1
#include <staticnet/core.hpp>

#include <cstdint>

namespace sn = staticnet;

using Net = sn::Sequential<sn::Input<8, 8, 1>, sn::Flatten, sn::Dense<{.units = 4, .activation = sn::softmax}>>;
static sn::Model<Net, sn::Adam<{.beta_1 = 1.5f}>, sn::SparseCategoricalCrossentropy, 4> model;

int main() {
    static float x[4 * 64] = {};
    static std::int32_t labels[4] = {};
    return model.train_step(x, labels, 4).correct;
}
