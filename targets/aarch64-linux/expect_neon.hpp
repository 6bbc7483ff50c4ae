// Force-included (-include) into staticnet's aarch64 test builds (tests/firmware, tests/kernels):
// fails the compilation unless the SIMD kernels run on xsimd's NEON back-end. Without it, a
// build that did not find xsimd would silently use the reference kernels and the SIMD-vs-
// reference tests would compare the reference with itself. A project of your own can use it
// the same way: -include <staticnet>/targets/aarch64-linux/expect_neon.hpp.
#pragma once

#include <type_traits>
#include <utility>  // simd.hpp uses std::integer_sequence, which xsimd brings when present

#include <staticnet/kernels/simd/simd.hpp>

static_assert(STATICNET_HAS_XSIMD,
              "staticnet aarch64: the cross compiler does not see xsimd, so the SIMD kernels "
              "would be the reference kernels (install libxsimd-dev; see "
              "targets/aarch64-linux/README.md for the header-link directory)");
#if STATICNET_HAS_XSIMD
static_assert(std::is_same_v<staticnet::kernels::simd::default_arch, xsimd::neon64>,
              "staticnet aarch64: xsimd's default architecture is not neon64");
#endif
