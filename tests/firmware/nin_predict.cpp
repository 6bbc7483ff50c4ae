// Predicts one deterministic 28x28x1 input with the seed NIN network (Glorot-initialised from a
// fixed seed) and prints the 10 class probabilities (9 significant digits, one per line) and a
// checksum. Built from this one source for the host and every target (output:
// tests/firmware/print.hpp):
//   - for the host (a normal executable): output through std::fputs;
//   - for the Cortex-M boards (-DSTATICNET_FIRMWARE, with targets/cortex-m-common/startup.cpp):
//     output through semihosting, run under qemu-system-arm -M mps2-an386 (M4), mps2-an500
//     (M7) or mps3-an547 (M55);
//   - for aarch64 Linux (static, NEON kernels): output through std::fputs, run under
//     qemu-aarch64-static.
// tests/firmware/compare_qemu.py runs a target build and the host build and compares the
// numbers (1e-5 relative).
//
// Output (parsed by compare_qemu.py):
//   staticnet nin_predict
//   prob 0 <p0>
//   ...
//   prob 9 <p9>
//   checksum <sum over i of (i + 1) * p_i>
//   sum <sum of p_i>
//   done
// Exit status 0, or 2 if predict returned the wrong number of outputs.
#include <staticnet/core.hpp>

#include <array>
#include <cstddef>
#include <span>

#include "examples/seed_networks.hpp"
#include "tests/firmware/print.hpp"

namespace {

constexpr int height = 28, width = 28, channels = 1, classes = 10;

}  // namespace

// All memory of the network (parameters, activations) lives in this object: static storage.
static staticnet::Inference<staticnet::examples::Nin, 1, float> net;
static std::array<float, height * width * channels> input;

int main() {
  net.initialize(20261128);

  for (std::size_t i = 0; i < input.size(); ++i)
    input[i] = static_cast<float>((i * 37u + 11u) % 256u) / 255.0f;

  const std::span<const float> probabilities = net.predict(std::span<const float>(input), 1);

  print("staticnet nin_predict\n");
  if (probabilities.size() != static_cast<std::size_t>(classes)) {
    print("error: predict returned ");
    print_int(static_cast<long long>(probabilities.size()));
    print(" values, expected 10\n");
    return 2;
  }
  double checksum = 0.0, sum = 0.0;
  for (int i = 0; i < classes; ++i) {
    const float p = probabilities[static_cast<std::size_t>(i)];
    print("prob ");
    print_int(i);
    print(" ");
    print_float(p);
    print("\n");
    checksum += (i + 1) * static_cast<double>(p);
    sum += static_cast<double>(p);
  }
  print("checksum ");
  print_float(checksum);
  print("\nsum ");
  print_float(sum);
  print("\ndone\n");
  return 0;
}
