// A generated model header's parameters compiled into a network they were not generated for:
// the same parameter count (47), one option different (ReLU -> linear on the conv). The
// signature check names the problem; it never compiles into silently wrong predictions.
// expect: staticnet: these parameters were generated for another network
// expect-gcc: parameters_check<
// max-errors: 1
#include <staticnet/core.hpp>

#include "tests/compile_fail/models/tiny_model.hpp"

namespace sn = staticnet;
using Mine = sn::Sequential<sn::Input<4, 4, 1>, sn::Conv2D<{.filters = 2, .kernel = {3, 3}}>, sn::Flatten,
                            sn::Dense<{.units = 3, .activation = sn::softmax}>>;
static_assert(Mine::params.total == tiny_model::Network::params.total);

static sn::StaticInference<Mine, tiny_model::parameters> inference;

int main() {
    static float x[16] = {};
    return static_cast<int>(inference.predict(x, 1).size());
}
