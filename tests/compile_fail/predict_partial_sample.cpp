// predict(x) on an array that is not a whole number of samples (700 values; a sample of the
// 28 x 28 x 1 network is 784): it used to return an empty span, and indexing that crashed.
// With a compile-time size the sample count comes from the size, and a wrong size does not compile.
// expect: staticnet: predict(x): x must hold 1..Batch whole samples of input_size values each
// expect-gcc: predict_input_check<700, 784, 4>
// max-errors: 1
#include <staticnet/core.hpp>

#include <array>

#include "examples/seed_networks.hpp"

namespace sn = staticnet;

static sn::Inference<sn::examples::Nin, 4> inference;

int main() {
    static std::array<float, 700> x{};
    return static_cast<int>(inference.predict(x)[0]);
}
