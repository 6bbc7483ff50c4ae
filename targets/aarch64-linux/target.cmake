# staticnet target description: 64-bit Arm Linux (aarch64), static executables, SIMD kernels on
# xsimd's NEON back-end (xsimd::default_arch = neon64: 4 floats or 2 doubles a batch). Run them
# on an arm64 Linux machine or here with qemu-aarch64-static (binfmt is not registered: call it
# explicitly). Read by toolchain-aarch64-linux.cmake and by the tests (tests/firmware,
# tests/kernels), so the flags the tests verify are the flags users get:
#   STATICNET_TARGET_KIND          linux
#   STATICNET_TARGET_TOOL_PREFIX   aarch64-linux-gnu-  (Debian: g++-aarch64-linux-gnu)
#   STATICNET_TARGET_CXX_FLAGS     language flags; NEON is part of the base architecture
#                                  (armv8-a), so no -march is needed
#   STATICNET_TARGET_OPT_FLAGS     -O3 (CMake's Release level; tested with it)
#   STATICNET_TARGET_LINK_FLAGS    -static (runs on any arm64 Linux, and under qemu-aarch64-static
#                                  without an arm64 sysroot)
#   STATICNET_TARGET_QEMU          qemu-aarch64-static (Debian: qemu-user-static)
#   STATICNET_TARGET_TEST_FLAGS    what staticnet's own tests add: -include expect_neon.hpp
#                                  (the build fails unless the kernels use NEON)
#   staticnet_link_host_headers(<dir>)   see below
set(STATICNET_TARGET_NAME aarch64-linux)
set(STATICNET_TARGET_SHORT_NAME aarch64)
set(STATICNET_TARGET_KIND linux)
set(STATICNET_TARGET_TOOL_PREFIX aarch64-linux-gnu-)
set(STATICNET_TARGET_CXX_FLAGS -std=c++20)
set(STATICNET_TARGET_OPT_FLAGS -O3)
set(STATICNET_TARGET_LINK_FLAGS -static)
set(STATICNET_TARGET_QEMU qemu-aarch64-static)
set(STATICNET_TARGET_TEST_FLAGS -include "${CMAKE_CURRENT_LIST_DIR}/expect_neon.hpp")

# staticnet_link_host_headers(<dir> [FROM <include dir>])
# The cross compiler has its own sysroot (/usr/aarch64-linux-gnu); -isystem /usr/include would
# put the build machine's whole header tree, glibc's x86-64 configuration included, ahead of it.
# (Debian's aarch64-linux-gnu-g++ does search /usr/include, but last; a cross toolchain with a
# closed sysroot does not search it at all.) xsimd, xtensor, xtl and doctest are header-only
# and architecture-independent: this makes <dir> hold symbolic links to just those four
# directories of <include dir> (default /usr/include), for -isystem <dir>. xsimd is what gives
# the NEON kernels; without it staticnet falls back to its reference kernels (a warning says so).
function(staticnet_link_host_headers dir)
  cmake_parse_arguments(PARSE_ARGV 1 arg "" "FROM" "")
  if(NOT arg_FROM)
    set(arg_FROM /usr/include)
  endif()
  file(MAKE_DIRECTORY "${dir}")
  foreach(name xsimd xtensor xtl doctest)
    if(IS_DIRECTORY "${arg_FROM}/${name}")
      file(CREATE_LINK "${arg_FROM}/${name}" "${dir}/${name}" SYMBOLIC)
    endif()
  endforeach()
  if(NOT EXISTS "${dir}/xsimd/xsimd.hpp")
    message(WARNING "staticnet aarch64-linux: no ${arg_FROM}/xsimd/xsimd.hpp - the build will use "
                    "staticnet's reference kernels instead of NEON (Debian: libxsimd-dev)")
  endif()
endfunction()
