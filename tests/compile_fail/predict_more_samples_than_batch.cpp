// Model::predict(x, n) with a buffer of compile-time size holding 5 samples for a Model of batch 4:
// the size is checked at compile time (1..Batch whole samples) even when n is given.
// expect: staticnet: predict(x): x must hold 1..Batch whole samples of input_size values each
// expect-gcc: predict_input_check<3920, 784, 4>
// max-errors: 1
#include <staticnet/core.hpp>

#include "examples/seed_networks.hpp"

namespace sn = staticnet;

static sn::Model<sn::examples::Nin, sn::Adam<>, sn::SparseCategoricalCrossentropy, 4> model;

int main() {
    static float x[5 * 784] = {};
    return static_cast<int>(model.predict(x, 5).size());
}
