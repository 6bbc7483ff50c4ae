// Firmware example: a trained network classifies real MNIST test images embedded in the binary.
//
// The network and its trained parameters come from a generated header (tools/export or
// staticnet_add_model: the weights.bin that tools/train saved, as a constexpr array read in
// place from flash); the images, their labels and the desktop build's predictions from a second
// generated header (staticnet_export --images). One source for every build:
//   STATICNET_MODEL_HEADER   e.g. "nin_model.hpp"         (namespace STATICNET_MODEL)
//   STATICNET_IMAGES_HEADER  e.g. "nin_test_images.hpp"   (namespace STATICNET_IMAGES)
// Prints each prediction and the accuracy, the compile-time memory figures and the measured
// stack high-water mark; exits 0 only if every class equals the desktop build's and every
// probability is within 1e-4 of it (1 otherwise, 2 if predict failed).
#include <staticnet/core.hpp>

#include <cstddef>
#include <cstdint>

#include "examples/firmware/console.hpp"
#include STATICNET_MODEL_HEADER
#include STATICNET_IMAGES_HEADER

namespace sn = staticnet;
namespace model = STATICNET_MODEL;
namespace images = STATICNET_IMAGES;

namespace {

constexpr float tolerance = 1e-4f;
using Net = model::Network;
static_assert(images::pixels == static_cast<int>(Net::input_shape.size()), "images do not fit the network input");
static_assert(images::classes == static_cast<int>(Net::output_shape.size()), "classes do not fit the network output");

// The arena only: the parameters stay in .rodata (flash).
model::Inference<1> inference;
float input[images::pixels];

int argmax(const float* p, int n) {
    int best = 0;
    for (int k = 1; k < n; ++k)
        if (p[k] > p[best]) best = k;
    return best;
}

}  // namespace

int main() {
    const auto stack = stack_meter::paint(32 * 1024);
    console::print("staticnet mnist_inference " STATICNET_MODEL_HEADER "\n");
    int correct = 0, class_mismatches = 0, probability_mismatches = 0;
    float worst = 0.0f;
    for (int i = 0; i < images::count; ++i) {
        for (int p = 0; p < images::pixels; ++p) input[p] = static_cast<float>(images::images[i][p]);  // raw 0..255
        const auto y = inference.predict(input, 1);
        if (y.size() != static_cast<std::size_t>(images::classes)) return 2;
        const int predicted = argmax(y.data(), images::classes);
        const int desktop = argmax(images::desktop_outputs[i], images::classes);
        correct += predicted == images::labels[i];
        class_mismatches += predicted != desktop;
        for (int k = 0; k < images::classes; ++k) {
            float d = y[k] - images::desktop_outputs[i][k];
            d = d < 0 ? -d : d;
            if (d > worst) worst = d;
            probability_mismatches += d > tolerance;
        }
        console::print("image ");
        console::print_int(i);
        console::print(" label ");
        console::print_int(images::labels[i]);
        console::print(" predicted ");
        console::print_int(predicted);
        console::print(" p ");
        console::print_float(y[predicted], 6);
        console::print(predicted == desktop ? "\n" : " DESKTOP DIFFERS\n");
    }
    console::print("accuracy ");
    console::print_int(correct);
    console::print("/");
    console::print_int(images::count);
    console::print("\nmax |p - desktop p| ");
    console::print_float(worst, 3);
    console::print("\nclass mismatches ");
    console::print_int(class_mismatches);
    console::print("\nprobability mismatches (> 1e-4) ");
    console::print_int(probability_mismatches);
    console::print("\nparameters ");
    console::print_int(static_cast<long long>(Net::params.total));
    console::print("\nparameter bytes ");
    console::print_int(static_cast<long long>(sizeof(model::parameters.values)));
    console::print("\ninference arena bytes ");
    console::print_int(static_cast<long long>(model::Inference<1>::arena_bytes));
    console::print("\nstack bytes ");
    console::print_int(static_cast<long long>(stack_meter::high_water(stack)));
    console::print("\n");
    const bool ok = class_mismatches == 0 && probability_mismatches == 0;
    console::print(ok ? "agrees with the desktop\n" : "DIFFERS FROM THE DESKTOP\n");
    return ok ? 0 : 1;
}
