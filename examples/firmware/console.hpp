// Text output and a stack meter for the firmware examples, one source for every build: on a
// Cortex-M board (-DSTATICNET_FIRMWARE) through Arm semihosting, elsewhere (the desktop build,
// the static aarch64 Linux binary) through std::fputs. Numbers are formatted by tinyfmt (no
// printf, no heap), so every build prints the same text for the same values.
#pragma once
#include <cstddef>
#include <cstdint>

#include "targets/cortex-m-common/semihosting.hpp"

#if !defined(STATICNET_FIRMWARE)
#include <cstdio>
#endif

namespace console {

inline void print(const char* text) {
#if defined(STATICNET_FIRMWARE)
    semihosting::write0(text);
#else
    std::fputs(text, stdout);
#endif
}
inline void print_int(long long v) {
    char buf[tinyfmt::int_buffer_size];
    tinyfmt::format_int(buf, v);
    print(buf);
}
inline void print_float(double v, int digits = 9) {
    char buf[tinyfmt::float_buffer_size];
    tinyfmt::format_float(buf, v, digits);
    print(buf);
}

}  // namespace console

// Stack painting: paint() fills `bytes` below the caller's frame with a pattern; high_water()
// later finds the deepest word that no longer holds it. The result is a measured high-water
// mark, not an estimate:
//  - on a Cortex-M board (STATICNET_FIRMWARE) counted from the top of the stack (_estack, from
//    the linker script): the whole stack the program used, startup and main's frame included;
//  - elsewhere (desktop, aarch64 Linux) counted from paint()'s frame, i.e. the stack used below
//    main's frame (a process stack has no fixed top worth counting from).
// The `skip` bytes right below paint()'s frame are not painted (they hold paint()'s own frame,
// and on x86-64 the 128-byte red zone), so they always count as used: the value is an upper
// bound that is at most `skip` bytes above the true figure.
namespace stack_meter {

inline constexpr std::uint32_t pattern = 0x5A7AC0DEu;
#if defined(__x86_64__)
inline constexpr std::size_t skip = 256;  // the red zone (128) + paint()'s frame
#else
inline constexpr std::size_t skip = 64;   // paint()'s frame
#endif

struct Region {
    volatile std::uint32_t* low = nullptr;
    volatile std::uint32_t* high = nullptr;
};

[[gnu::noinline]] inline Region paint(std::size_t bytes) {
    volatile std::uint32_t marker = 0;
    auto* top = reinterpret_cast<volatile std::uint32_t*>(
        (reinterpret_cast<std::uintptr_t>(&marker) - skip) & ~std::uintptr_t{15});
    Region r{top - bytes / 4, top};
    for (volatile std::uint32_t* p = r.low; p < r.high; ++p) *p = pattern;
    return r;
}

}  // namespace stack_meter

#if defined(STATICNET_FIRMWARE) && defined(__arm__)
extern "C" std::uint32_t _estack;  // the top of the stack (the board's linker script)
#endif

namespace stack_meter {

// Bytes of stack used: from the top (see above) down to the deepest overwritten word.
[[gnu::noinline]] inline std::size_t high_water(Region r) {
    const volatile std::uint32_t* p = r.low;
    while (p < r.high && *p == pattern) ++p;
#if defined(STATICNET_FIRMWARE) && defined(__arm__)
    const auto top = reinterpret_cast<std::uintptr_t>(&_estack);
#else
    const auto top = reinterpret_cast<std::uintptr_t>(r.high) + skip;
#endif
    return static_cast<std::size_t>(top - reinterpret_cast<std::uintptr_t>(p));
}

}  // namespace stack_meter
