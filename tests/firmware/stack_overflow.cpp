// Recurses until the stack overflows, to show that on Armv8-M (the Cortex-M55 board) the startup
// code's stack limit turns an overflow into a precise fault: Reset_Handler loads __stack_limit
// (DTCM base + 1 KiB on mps3-an547) into MSPLIM, the push below it raises a UsageFault (STKOF),
// and the fault handler reports "FAULT: UsageFault ... stack overflow" and exits with status 3.
// Without the limit the stack would run off the bottom of DTCM (a BusFault elsewhere, or on other
// memory maps a silent overwrite of .bss). Test: firmware_cortex_m55_stack_limit.
//
// Output when the limit works: "staticnet stack_overflow" and the fault report (never "done").
#include <cstdint>

#include "tests/firmware/print.hpp"

namespace {

volatile std::uint32_t sink;

// 256 bytes of locals per call and work after the recursive call, so the compiler can neither
// turn the recursion into a loop nor shrink the frames. 1 << 20 calls need far more stack (256
// MiB) than any board has.
[[gnu::noinline]] std::uint32_t recurse(std::uint32_t depth) {
  volatile std::uint32_t frame[64];
  for (std::uint32_t i = 0; i < 64; ++i) frame[i] = depth + i;
  if (depth >= (1u << 20)) return frame[depth % 64];
  return recurse(depth + 1) + frame[depth % 64];
}

}  // namespace

int main() {
  print("staticnet stack_overflow\n");
  sink = recurse(0);
  print("done: no stack overflow\n");
  return 0;
}
