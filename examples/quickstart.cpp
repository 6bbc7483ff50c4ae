// The README's example: the Network-in-Network CNN of the Keras original, trained on MNIST.
//   build/examples/staticnet_quickstart ~/.cache/staticnet/mnist
#include <iostream>
#include <staticnet/staticnet.hpp>
#include <type_traits>

#include "examples/seed_networks.hpp"

namespace sn = staticnet;

using Nin = sn::Sequential<
    sn::Input<28, 28, 1>,
    sn::Conv2D<{.filters = 32, .kernel = {3, 3}, .padding = sn::same, .activation = sn::relu}>,
    sn::BatchNormalization<>,
    sn::Conv2D<{.filters = 16, .kernel = {1, 1}, .activation = sn::relu}>,  // NIN 1x1 reduction
    sn::BatchNormalization<>,
    sn::MaxPool2D<{.pool = {2, 2}}>,
    sn::Conv2D<{.filters = 32, .kernel = {3, 3}, .padding = sn::same, .activation = sn::relu}>,
    sn::BatchNormalization<>,
    sn::Conv2D<{.filters = 16, .kernel = {1, 1}, .activation = sn::relu}>,
    sn::BatchNormalization<>,
    sn::MaxPool2D<{.pool = {2, 2}}>,
    sn::Flatten,
    sn::Dense<{.units = 32, .activation = sn::relu}>,
    sn::Dropout<{.rate = 0.2f}>,
    sn::Dense<{.units = 10, .activation = sn::softmax}>>;

static_assert(Nin::params.total == 31'850 && Nin::params.non_trainable == 192);  // known to the compiler
static_assert(std::is_same_v<Nin, sn::examples::Nin>);  // spelled out here, the same type as tools/train's

static sn::Model<Nin, sn::Adam<>, sn::SparseCategoricalCrossentropy, /*batch=*/64> model;  // all memory, static

int main(int argc, char** argv) try {
    const char* dir = argc > 1 ? argv[1] : "data/mnist";
    const auto train = sn::data::load_idx_dataset(dir, "train");
    const auto test = sn::data::load_idx_dataset(dir, "t10k");
    model.initialize(/*seed=*/1);
    model.summary(std::cout);  // the Keras table, then MACs and arena bytes
    const auto history = sn::fit(model, train, {.epochs = 5, .validation_split = 0.1});
    const auto [loss, accuracy, samples] = sn::evaluate(model, test);
    std::cout << "test accuracy " << accuracy << " after " << history.epochs() << " epochs\n";
} catch (const std::exception& e) {
    std::cerr << e.what() << '\n';
    return 1;
}
