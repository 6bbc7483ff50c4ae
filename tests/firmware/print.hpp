// Text output of the firmware test programs (nin_predict.cpp, train_step.cpp), one source for
// every build: on the Cortex-M boards (-DSTATICNET_FIRMWARE) through semihosting, on the host and
// on aarch64 Linux through std::fputs. Numbers are formatted by tinyfmt (no printf, no heap), so
// all builds print the same text for the same values. Internal linkage and no `inline`, as when
// each program had its own copy: the compiler makes the same inlining choices (same Cortex-M4
// image size).
#pragma once

#include "targets/cortex-m-common/semihosting.hpp"

#if !defined(STATICNET_FIRMWARE)
#include <cstdio>
#endif

[[maybe_unused]] static void print(const char* text) {
#if defined(STATICNET_FIRMWARE)
  semihosting::write0(text);
#else
  std::fputs(text, stdout);
#endif
}

[[maybe_unused]] static void print_int(long long v) {
  char buf[tinyfmt::int_buffer_size];
  tinyfmt::format_int(buf, v);
  print(buf);
}

// 9 significant digits (%.9g): enough to tell every float apart.
[[maybe_unused]] static void print_float(double v) {
  char buf[tinyfmt::float_buffer_size];
  tinyfmt::format_float(buf, v, 9);
  print(buf);
}
