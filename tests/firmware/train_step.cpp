// Trains a small network-in-network (12x12x1 inputs, 4 classes) for 20 steps on one
// deterministic synthetic batch of 8 images with sn::Model<Net, Adam, SparseCategoricalCrossentropy>
// and prints the loss of every step, parameter and BatchNormalization moving-statistics
// checksums and the predictions after training. Built from this one source for the host and
// the Cortex-M boards (output: tests/firmware/print.hpp):
//   - for the host (a normal executable): output through std::fputs;
//   - for the Cortex-M4/M7/M55 (-DSTATICNET_FIRMWARE, with targets/cortex-m-common/startup.cpp):
//     output through semihosting, run under qemu-system-arm -M mps2-an386 / mps2-an500 /
//     mps3-an547.
// tests/firmware/compare_qemu_train.py runs a board build and the host build and compares
// (tolerances explained there). It shows that the whole training step - training-mode forward
// (dropout, BN batch statistics), loss, backward, BN moving-statistics update and the Adam
// update - runs on a Cortex-M without heap, exceptions, RTTI or iostream.
//
// Output (parsed by compare_qemu_train.py; values with 9 significant digits):
//   staticnet train_step
//   bytes <name> <n>                       compile-time byte counts of the Model (once)
//   loss <step> <loss> <correct>           step = 1..20, the training-mode loss of that step
//   sum <what> <sum> <sum of |.|>          checksums: "params" (every parameter, moving
//                                          statistics included), "p<pos>.<name>" per tensor
//   prob <sample> <class> <p>              inference-mode predictions after training
//   pred <sample> <argmax> <label>
//   done
// Exit status 0; 2 if a step failed, 3 if the loss did not decrease (step 20 >= step 1),
// 4 if predict returned the wrong number of values.
#include <staticnet/core.hpp>

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>

#include "tests/firmware/print.hpp"

namespace sn = staticnet;

namespace {

// A reduced seed NIN: conv 3x3 + BN, 1x1 reduction + BN, max pool, dense + dropout, softmax.
using Net = sn::Sequential<
    sn::Input<12, 12, 1>,                                                                // 0
    sn::Conv2D<{.filters = 8, .kernel = {3, 3}, .padding = sn::same, .activation = sn::relu}>,  // 1
    sn::BatchNormalization<>,                                                            // 2
    sn::Conv2D<{.filters = 4, .kernel = {1, 1}, .activation = sn::relu}>,               // 3
    sn::BatchNormalization<>,                                                            // 4
    sn::MaxPool2D<{.pool = {2, 2}}>,                                                     // 5
    sn::Flatten,                                                                         // 6
    sn::Dense<{.units = 16, .activation = sn::relu}>,                                    // 7
    sn::Dropout<{.rate = 0.2f}>,                                                         // 8
    sn::Dense<{.units = 4, .activation = sn::softmax}>>;                                 // 9

constexpr int batch = 8, steps = 20;
constexpr int height = 12, width = 12, classes = 4;
using TrainModel = sn::Model<Net, sn::Adam<>, sn::SparseCategoricalCrossentropy, batch, float>;

static_assert(Net::params.total == 2552 && Net::params.trainable == 2528);
// Comfortably inside the board's 4 MiB RAM (the linker script keeps 64 KiB for the stack). The
// host build (SIMD kernels) also holds the per-sample-group gradient sums that let threads
// share a step deterministically; the firmware build has one group and no such copies.
static_assert(sizeof(TrainModel) < (STATICNET_HAS_XSIMD ? 512 : 256) * 1024);

struct Tensor {
  int position;
  const char* name;
};
constexpr std::array<Tensor, 16> tensors{{{1, "kernel"},
                                          {1, "bias"},
                                          {2, "gamma"},
                                          {2, "beta"},
                                          {2, "moving_mean"},
                                          {2, "moving_variance"},
                                          {3, "kernel"},
                                          {3, "bias"},
                                          {4, "gamma"},
                                          {4, "beta"},
                                          {4, "moving_mean"},
                                          {4, "moving_variance"},
                                          {7, "kernel"},
                                          {7, "bias"},
                                          {9, "kernel"},
                                          {9, "bias"}}};

void print_bytes(const char* name, std::size_t n) {
  print("bytes ");
  print(name);
  print(" ");
  print_int(static_cast<long long>(n));
  print("\n");
}

// "sum <what> <sum> <sum of |v|>": the second number is the scale the first is compared at
// (a sum of small values of both signs cancels; its error is relative to the absolute sum).
void print_sum(const char* what, int position, std::span<const float> values) {
  double sum = 0.0, abs_sum = 0.0;
  for (const float v : values) {
    sum += static_cast<double>(v);
    abs_sum += static_cast<double>(v < 0.0f ? -v : v);
  }
  print("sum ");
  if (position >= 0) {
    print("p");
    print_int(position);
    print(".");
  }
  print(what);
  print(" ");
  print_float(sum);
  print(" ");
  print_float(abs_sum);
  print("\n");
}

}  // namespace

// Parameters, gradients, Adam moments, BN scratch and the activation arena: all in this
// object, in static storage (.bss).
static TrainModel model;
static std::array<float, batch * height * width> images;
static std::array<std::int32_t, batch> labels;

int main() {
  print("staticnet train_step\n");
  // The host build runs the SIMD kernels, whose per-sample-group gradient sums (for threads)
  // make its scratch larger; the Cortex-M boards run the reference kernels with one group.
  print_bytes(STATICNET_HAS_XSIMD ? "simd_group_scratch" : "reference_scratch", TrainModel::scratch_bytes);
  print_bytes("parameters", TrainModel::parameter_bytes);
  print_bytes("gradients", TrainModel::gradient_bytes);
  print_bytes("optimizer", TrainModel::optimizer_bytes);
  print_bytes("training_arena", TrainModel::training_arena_bytes);
  print_bytes("inference_arena", TrainModel::inference_arena_bytes);
  // Without the scratch, which differs by kernel path (above).
  print_bytes("persistent_without_scratch", TrainModel::persistent_bytes - TrainModel::scratch_bytes);
  print_bytes("total_without_scratch", TrainModel::total_bytes - TrainModel::scratch_bytes);

  // Deterministic synthetic batch: class c has a bright 6x6 quadrant c on a dim pseudo-random
  // background; the 8 samples hold every class twice.
  for (int s = 0; s < batch; ++s) {
    const int c = s % classes;
    labels[static_cast<std::size_t>(s)] = c;
    for (int y = 0; y < height; ++y)
      for (int x = 0; x < width; ++x) {
        const unsigned i = static_cast<unsigned>((s * height + y) * width + x);
        const float noise = static_cast<float>((i * 2654435761u) >> 26) / 255.0f;  // 0..63 / 255
        const bool bright = (y / 6) * 2 + (x / 6) == c;
        images[i] = (bright ? 0.75f : 0.0f) + noise;
      }
  }

  model.initialize(20261128);

  double first_loss = 0.0, last_loss = 0.0;
  for (int step = 1; step <= steps; ++step) {
    const sn::StepResult r = model.train_step(images, labels, batch);
    if (r.status != sn::StepStatus::ok) {
      print("error: train_step ");
      print_int(step);
      print(": ");
      print(sn::to_string(r.status));
      print("\n");
      return 2;
    }
    if (step == 1) first_loss = r.loss;
    last_loss = r.loss;
    print("loss ");
    print_int(step);
    print(" ");
    print_float(r.loss);
    print(" ");
    print_int(r.correct);
    print("\n");
  }

  print_sum("params", -1, model.parameters());
  for (const Tensor& t : tensors) print_sum(t.name, t.position, model.find_parameter(t.position, t.name));

  // Inference mode: BN normalises with its moving statistics, which after 20 steps at the
  // default momentum 0.99 are still ~80% their initial 0 / 1. So these predictions are not yet
  // the training-mode ones (8 of 8 correct at step 20); they check the inference path.
  const std::span<const float> probabilities = model.predict(images, batch);
  if (probabilities.size() != static_cast<std::size_t>(batch * classes)) {
    print("error: predict returned ");
    print_int(static_cast<long long>(probabilities.size()));
    print(" values\n");
    return 4;
  }
  for (int s = 0; s < batch; ++s) {
    int best = 0;
    for (int c = 0; c < classes; ++c) {
      const float p = probabilities[static_cast<std::size_t>(s * classes + c)];
      if (p > probabilities[static_cast<std::size_t>(s * classes + best)]) best = c;
      print("prob ");
      print_int(s);
      print(" ");
      print_int(c);
      print(" ");
      print_float(p);
      print("\n");
    }
    print("pred ");
    print_int(s);
    print(" ");
    print_int(best);
    print(" ");
    print_int(labels[static_cast<std::size_t>(s)]);
    print("\n");
  }

  if (!(last_loss < first_loss)) {
    print("error: the loss did not decrease (step 1 ");
    print_float(first_loss);
    print(", step 20 ");
    print_float(last_loss);
    print(")\n");
    return 3;
  }
  print("done\n");
  return 0;
}
