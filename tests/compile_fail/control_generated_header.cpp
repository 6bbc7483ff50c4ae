// Positive control for weights_for_another_network.cpp: the generated fixture header
// (models/tiny_model.hpp, written by io::write_model_header) compiles with its own network
// type, written by hand the way a user would (default options left out).
// expect-success
#include <staticnet/core.hpp>

#include <span>
#include <type_traits>

#include "tests/compile_fail/models/tiny_model.hpp"

namespace sn = staticnet;
using Mine = sn::Sequential<sn::Input<4, 4, 1>, sn::Conv2D<{.filters = 2, .kernel = {3, 3}, .activation = sn::relu}>,
                            sn::Flatten, sn::Dense<{.units = 3, .activation = sn::softmax}>>;
static_assert(std::is_same_v<Mine, tiny_model::Network>);

static sn::StaticInference<Mine, tiny_model::parameters> inference;
static tiny_model::Inference<2> inference2;

int main() {
    static float x[32] = {};
    return static_cast<int>(inference.predict(std::span<const float>(x).first<16>()).size() +
                            inference2.predict(x, 2).size());
}
