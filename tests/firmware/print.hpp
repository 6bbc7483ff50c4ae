// Text output of the firmware test programs (nin_predict.cpp, train_step.cpp, stack_overflow.cpp):
// the firmware examples' console (examples/firmware/console.hpp: semihosting on the Cortex-M
// boards, std::fputs on the host and aarch64 Linux, numbers formatted by tinyfmt, so every build
// prints the same text for the same values), under the names the tests use.
#pragma once

#include "examples/firmware/console.hpp"

using console::print;
using console::print_int;

// 9 significant digits (%.9g): enough to tell every float apart.
[[maybe_unused]] static void print_float(double v) { console::print_float(v, 9); }
