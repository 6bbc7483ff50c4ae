// Overflow-checked element and byte counts, and the static memory limit.
//
// Every count the compiler works out for a network (tensor sizes, parameter and scratch counts,
// memory plan offsets, bytes) goes through mul_sizes/add_sizes: they saturate at size_overflow
// (the largest std::size_t) instead of wrapping, so a network too large to count ends up
// "too large" (and fails the static memory check below), never small. Firmware-clean.
#pragma once
#include <cstddef>

// STATICNET_MAX_STATIC_BYTES: the largest Model, Inference or StaticInference object (all its
// parameters, gradients, optimizer state, scratch and arena) that compiles. A larger one is a
// compile error naming its byte count (it would not fit in memory, or would segfault at start).
// Default 4 GiB; the Cortex-M targets set it to their board's RAM (targets/<board>/target.cmake).
// Raise it with -DSTATICNET_MAX_STATIC_BYTES=<bytes> (or #define it before the first staticnet
// include).
#if !defined(STATICNET_MAX_STATIC_BYTES)
#define STATICNET_MAX_STATIC_BYTES 4294967296ull
#endif

namespace staticnet {

// A count that does not fit std::size_t.
inline constexpr std::size_t size_overflow = static_cast<std::size_t>(-1);

constexpr std::size_t mul_sizes(std::size_t a, std::size_t b) {
    if (a == 0 || b == 0) return 0;
    return a > size_overflow / b ? size_overflow : a * b;
}
template <class... Rest>
constexpr std::size_t mul_sizes(std::size_t a, std::size_t b, std::size_t c, Rest... rest) {
    return mul_sizes(mul_sizes(a, b), c, static_cast<std::size_t>(rest)...);
}
constexpr std::size_t add_sizes(std::size_t a, std::size_t b) { return a > size_overflow - b ? size_overflow : a + b; }
template <class... Rest>
constexpr std::size_t add_sizes(std::size_t a, std::size_t b, std::size_t c, Rest... rest) {
    return add_sizes(add_sizes(a, b), c, static_cast<std::size_t>(rest)...);
}
// A non-negative int as a size (a negative one, from a malformed option, as 0).
constexpr std::size_t to_size(int v) { return v > 0 ? static_cast<std::size_t>(v) : 0; }

// The limit as a byte count; size_overflow itself never fits (it stands for "uncountable").
inline constexpr std::size_t max_static_bytes =
    static_cast<unsigned long long>(STATICNET_MAX_STATIC_BYTES) >= static_cast<unsigned long long>(size_overflow)
        ? size_overflow - 1
        : static_cast<std::size_t>(STATICNET_MAX_STATIC_BYTES);

}  // namespace staticnet
