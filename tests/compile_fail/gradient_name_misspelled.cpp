// Model::gradient(p, "bais"): as parameter_name_misspelled.cpp, for the gradient.
// expect: unknown_parameter_name__check_the_spelling
// expect-gcc: ("bais")
// max-errors: 1
#include <staticnet/core.hpp>

#include "examples/seed_networks.hpp"

namespace sn = staticnet;

static sn::Model<sn::examples::Deep, sn::Adam<>, sn::SparseCategoricalCrossentropy, 4> model;

int main() {
    model.initialize(1);
    return static_cast<int>(model.gradient(1, "bais").size());
}
