// parameter(p, "kernal"): a misspelled tensor name used to give an empty span, silently. The name
// is checked at compile time against the names layers use (kernel, bias, gamma, beta,
// moving_mean, moving_variance, scale, shift, and the network's own).
// expect: unknown_parameter_name__check_the_spelling
// expect-gcc: ("kernal")
// max-errors: 1
#include <staticnet/core.hpp>

#include "examples/seed_networks.hpp"

namespace sn = staticnet;

static sn::Inference<sn::examples::Nin, 1> inference;

int main() {
    inference.initialize(1);
    return static_cast<int>(inference.parameter(1, "kernal")[0]);
}
