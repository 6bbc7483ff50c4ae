// Firmware example: on-device training. A small network-in-network learns MNIST digits from
// real training images embedded in the binary (a generated header: staticnet_export --images
// --split train), entirely in static memory: parameters, gradients, Adam moments and the planned
// training arena are one sn::Model object in .bss. Every epoch it prints the mean training loss
// and the accuracy on held-out images; after the first epoch and at the end every parameter
// ("w1 <i> <value>", "w <i> <value>": tests/firmware/compare_mnist_training.py compares them with
// the desktop build of this same program) and the memory figures.
//
// Why not the seed NIN itself: its training arena at batch 16 is 6.7 MB (4 MiB of RAM on the
// MPS2 boards), and one epoch of 256 images would take minutes under QEMU. This network keeps
// the NIN design (3x3 conv, BN, 1x1 reduction, BN, max pool, twice; dense + dropout; softmax)
// at a quarter of the channels: 2,210 parameters, 145,904 multiply-adds per image.
//
// Exit status 0 when the loss fell and the held-out accuracy rose; 3 otherwise; 2 on a failed step.
#include <staticnet/core.hpp>

#include <cstddef>
#include <cstdint>

#include "examples/firmware/console.hpp"
#include STATICNET_IMAGES_HEADER

namespace sn = staticnet;
namespace images = STATICNET_IMAGES;

namespace {

// A few hundred steps only: BatchNormalization's moving statistics (used by inference, hence by
// the held-out accuracy) follow the batches with momentum 0.9 rather than Keras's 0.99, which
// would still be a third of the way from their initial values after 100 steps.
constexpr sn::BatchNormalizationOptions bn{.momentum = 0.9f};
// Adam at 0.005 rather than 0.001: 36 steps an epoch is little.

using Net = sn::Sequential<
    sn::Input<28, 28, 1>,
    sn::Conv2D<{.filters = 8, .kernel = {3, 3}, .padding = sn::same, .activation = sn::relu}>,
    sn::BatchNormalization<bn>,
    sn::Conv2D<{.filters = 4, .kernel = {1, 1}, .activation = sn::relu}>,  // 1x1 reduction
    sn::BatchNormalization<bn>,
    sn::MaxPool2D<{.pool = {2, 2}}>,
    sn::Conv2D<{.filters = 8, .kernel = {3, 3}, .padding = sn::same, .activation = sn::relu}>,
    sn::BatchNormalization<bn>,
    sn::Conv2D<{.filters = 4, .kernel = {1, 1}, .activation = sn::relu}>,
    sn::BatchNormalization<bn>,
    sn::MaxPool2D<{.pool = {2, 2}}>,
    sn::Flatten,
    sn::Dense<{.units = 8, .activation = sn::relu}>,
    sn::Dropout<{.rate = 0.2f}>,
    sn::Dense<{.units = 10, .activation = sn::softmax}>>;

static_assert(Net::params.total == 2210 && Net::macs_per_sample == 145'904);

// 8 epochs (288 steps); a build may ask for fewer (tests/firmware runs the Cortex-M7 with 2).
#ifndef STATICNET_TRAINING_EPOCHS
#define STATICNET_TRAINING_EPOCHS 8
#endif
constexpr int batch = 16, epochs = STATICNET_TRAINING_EPOCHS;
static_assert(epochs >= 2, "the loss of the last epoch is compared with the first");
constexpr int held_out = 64;                       // the last images: never trained on
constexpr int train_count = images::count - held_out;
static_assert(train_count > 0 && train_count % batch == 0, "whole batches of training images");
static_assert(images::pixels == static_cast<int>(Net::input_shape.size()));

using TrainModel = sn::Model<Net, sn::Adam<{.learning_rate = 0.005f}>, sn::SparseCategoricalCrossentropy, batch, float>;

TrainModel model;  // everything training touches, in .bss
float x[batch * images::pixels];
std::int32_t y[batch];

void load(int first, int n) {
    for (int s = 0; s < n; ++s) {
        for (int p = 0; p < images::pixels; ++p)
            x[s * images::pixels + p] = static_cast<float>(images::images[first + s][p]) * (1.0f / 255.0f);
        y[s] = images::labels[first + s];
    }
}

// Inference-mode accuracy on the held-out images.
int held_out_correct() {
    int correct = 0;
    for (int first = train_count; first < images::count; first += batch) {
        const int n = images::count - first < batch ? images::count - first : batch;
        load(first, n);
        correct += model.evaluate_batch(x, y, n).correct;
    }
    return correct;
}

void print_line(const char* what, long long a, double b) {
    console::print(what);
    console::print(" ");
    console::print_int(a);
    console::print(" ");
    console::print_float(b);
    console::print("\n");
}

}  // namespace

int main() {
    const auto stack = stack_meter::paint(32 * 1024);
    console::print("staticnet mnist_training\n");
    model.initialize(1);
    const int before = held_out_correct();
    print_line("heldout", 0, before / static_cast<double>(held_out));
    double first_loss = 0, last_loss = 0;
    int last_correct = before;
    for (int e = 1; e <= epochs; ++e) {
        double loss = 0;
        for (int first = 0; first < train_count; first += batch) {
            load(first, batch);
            const auto r = model.train_step(x, y, batch);
            if (!(r.loss == r.loss)) return 2;  // NaN: a diverging loss
            loss += r.loss;
        }
        loss /= train_count / batch;
        if (e == 1) first_loss = loss;
        last_loss = loss;
        last_correct = held_out_correct();
        print_line("epoch", e, loss);
        print_line("heldout", e, last_correct / static_cast<double>(held_out));
        if (e == 1) {
            // A checkpoint for the comparison with the desktop build (which the final weights
            // must equal too): where two builds diverge, it shows whether from the first epoch.
            const auto params = model.parameters();
            for (std::size_t i = 0; i < params.size(); ++i) print_line("w1", static_cast<long long>(i), params[i]);
        }
    }
    const auto params = model.parameters();
    for (std::size_t i = 0; i < params.size(); ++i) print_line("w", static_cast<long long>(i), params[i]);
    print_line("bytes model", static_cast<long long>(sizeof(TrainModel)), 0);
    print_line("bytes training_arena", static_cast<long long>(TrainModel::training_arena_bytes), 0);
    print_line("bytes batch_buffers", static_cast<long long>(sizeof(x) + sizeof(y)), 0);
    print_line("bytes stack", static_cast<long long>(stack_meter::high_water(stack)), 0);
    const bool learned = last_loss < first_loss && last_correct > before;
    console::print(learned ? "learned\n" : "DID NOT LEARN\n");
    return learned ? 0 : 3;
}
