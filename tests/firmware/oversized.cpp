// Programs whose static memory does not fit the board (4 MiB of RAM on each Cortex-M board):
//  - default: the seed NIN network as sn::Inference<Nin, OVERSIZED_BATCH = 30, float>, one
//    object of 4.7 MB. The board's flags set STATICNET_MAX_STATIC_BYTES to its RAM, so it must
//    fail to COMPILE with the static memory message (test firmware_<board>_oversized,
//    build_firmware.cmake -DEXPECT_COMPILE_ERROR=...).
//  - -DOVERSIZED_SPLIT: two objects of batch 15, 2.4 MB each: each within the limit,
//    4.8 MB together: it compiles and its LINK must fail with the board linker script's ASSERT
//    message ("staticnet <board>: .data + .bss do not fit ...", test firmware_<board>_oversized_link,
//    -DEXPECT_LINK_ERROR=...).
// Never run. With a small batch (e.g. -DOVERSIZED_BATCH=1) it builds and runs like nin_predict.
#include <staticnet/core.hpp>

#include <array>
#include <span>

#include "examples/seed_networks.hpp"

#if defined(OVERSIZED_SPLIT)
#define OVERSIZED_BATCH 15
#define OVERSIZED_OBJECTS 2
#endif
#if !defined(OVERSIZED_BATCH)
#define OVERSIZED_BATCH 30
#endif
#if !defined(OVERSIZED_OBJECTS)
#define OVERSIZED_OBJECTS 1
#endif

namespace {
constexpr int batch = OVERSIZED_BATCH;
using Oversized = staticnet::Inference<staticnet::examples::Nin, batch, float>;
}  // namespace

static Oversized net[OVERSIZED_OBJECTS];
static std::array<float, 28 * 28 * batch> input;

int main() {
  std::size_t outputs = 0;
  for (Oversized& n : net) {
    n.initialize(20261128);
    outputs += n.predict(input).size();
  }
  return outputs == static_cast<std::size_t>(10 * batch * OVERSIZED_OBJECTS) ? 0 : 2;
}
