// A program whose static arena does not fit the board: the seed NIN network as
// sn::Inference<Nin, OVERSIZED_BATCH, float> (batch 30: 4.7 MB of parameters and activations in
// .bss, against 4 MiB of RAM on each Cortex-M board). It must compile, and its LINK must fail
// with the board linker script's ASSERT message ("staticnet <board>: .data + .bss do not fit
// ..."): tests firmware_<board>_oversized (build_firmware.cmake -DEXPECT_LINK_ERROR=...).
// Never run. With a small batch (e.g. -DOVERSIZED_BATCH=1) it builds and runs like nin_predict.
#include <staticnet/core.hpp>

#include <array>
#include <span>

#include "examples/seed_networks.hpp"

#if !defined(OVERSIZED_BATCH)
#define OVERSIZED_BATCH 30
#endif

namespace {
constexpr int batch = OVERSIZED_BATCH;
using Oversized = staticnet::Inference<staticnet::examples::Nin, batch, float>;
}  // namespace

static Oversized net;
static std::array<float, 28 * 28 * batch> input;

int main() {
  net.initialize(20261128);
  const std::span<const float> p = net.predict(std::span<const float>(input), batch);
  return p.size() == static_cast<std::size_t>(10 * batch) ? 0 : 2;
}
