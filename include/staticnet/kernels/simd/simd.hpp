// What every SIMD kernel shares: xsimd when it is there, the architecture tag, vector helpers.
//
// The SIMD kernels (kernels/simd/*.hpp) have the names and signatures of the reference
// kernels (kernels/reference/*.hpp) plus one defaulted template parameter, the architecture:
//   kernels::simd::conv2d_forward<G>(...)                    xsimd::default_arch (the build's best)
//   kernels::simd::conv2d_forward<G, xsimd::fma3<xsimd::avx2>>(...)   AVX2+FMA, in the same binary
// The choice is made by the compiler, never at run time. Where xsimd has no register for T on
// that architecture (Cortex-M: no xsimd back-end at all; 32-bit NEON: no double), or xsimd is
// not available (firmware builds do not see it, or STATICNET_REFERENCE_KERNELS is defined),
// a SIMD kernel is its reference kernel.
#pragma once
#include <cstddef>
#include <utility>
#include <type_traits>

#if !defined(STATICNET_REFERENCE_KERNELS) && __has_include(<xsimd/xsimd.hpp>)
// GCC 12.2's AVX-512 intrinsics (_mm512_sqrt_pd, _mm512_max_ps, ...: builtins given an
// _mm512_undefined_*() operand) raise false -Wuninitialized / -Wmaybe-uninitialized wherever
// they are inlined (GCC bug 105593, fixed in 12.3), failing -Werror builds: silenced for xsimd.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif
#include <xsimd/xsimd.hpp>
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif
#define STATICNET_HAS_XSIMD 1
#else
#define STATICNET_HAS_XSIMD 0
#endif

// Forces inlining of the lambdas that unroll register-blocked loops: a lambda left out of line
// takes its accumulators by reference and keeps them in memory.
#if defined(__GNUC__)
#define STATICNET_INLINE __attribute__((always_inline))
#else
#define STATICNET_INLINE
#endif

namespace staticnet::kernels::simd {

#if STATICNET_HAS_XSIMD
using default_arch = xsimd::default_arch;
// True when kernels for T on Arch can use xsimd batches.
template <class T, class Arch>
inline constexpr bool vectorizable =
    !std::is_same_v<Arch, xsimd::unavailable> && Arch::supported() && xsimd::types::has_simd_register<T, Arch>::value;
template <class T, class Arch>
using batch = xsimd::batch<T, Arch>;
// Elements per vector (1 where there are no vectors).
template <class T, class Arch>
inline constexpr int lanes = [] {
    if constexpr (vectorizable<T, Arch>) return static_cast<int>(xsimd::batch<T, Arch>::size);
    else return 1;
}();
inline constexpr const char* arch_name() { return default_arch::name(); }
#else
struct no_simd_arch {
    static constexpr const char* name() { return "reference"; }
};
using default_arch = no_simd_arch;
template <class T, class Arch>
inline constexpr bool vectorizable = false;
template <class T, class Arch>
inline constexpr int lanes = 1;
inline constexpr const char* arch_name() { return "reference"; }
#endif

// Calls f(std::integral_constant<int, I>{}) for I = 0 .. N-1, unrolled by the compiler: loops
// over register-blocked accumulators must be unrolled for the accumulators to stay in registers.
template <int N, class F>
inline STATICNET_INLINE void static_for(F&& f) {
    [&]<int... I>(std::integer_sequence<int, I...>) STATICNET_INLINE {
        (f(std::integral_constant<int, I>{}), ...);
    }(std::make_integer_sequence<int, N>{});
}

}  // namespace staticnet::kernels::simd
