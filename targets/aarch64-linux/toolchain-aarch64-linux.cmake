# CMake toolchain file: 64-bit Arm Linux (aarch64) with Debian's cross compiler
# aarch64-linux-gnu-g++ (package g++-aarch64-linux-gnu), static executables, NEON SIMD kernels
# through xsimd.
#
#   cmake -S app -B build-aarch64 -DCMAKE_BUILD_TYPE=Release \
#         -DCMAKE_TOOLCHAIN_FILE=<staticnet>/targets/aarch64-linux/toolchain-aarch64-linux.cmake
#
# What a project configured with it gets (flags: target.cmake; details: README.md):
#   - C++20, Release = CMake's -O3 -DNDEBUG, -static executables;
#   - the header-only xsimd/xtensor/xtl/doctest of the build machine (default /usr/include,
#     STATICNET_HOST_INCLUDE_DIR to change it) through a directory of symbolic links to just
#     those, <build>/staticnet-host-headers, searched as a system include directory by every
#     compilation (never -isystem /usr/include: the build machine's whole header tree);
#   - CMAKE_CROSSCOMPILING_EMULATOR = qemu-aarch64-static (when installed), so add_test() and
#     try_run() run the arm64 executables under QEMU user mode.
# The compiler does not see the build machine's libraries: a program that needs zlib (the IDX
# .gz reader of the desktop layer) needs an arm64 zlib in the cross sysroot.
include("${CMAKE_CURRENT_LIST_DIR}/target.cmake")

set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR aarch64)

set(STATICNET_AARCH64_TOOLCHAIN_PREFIX "${STATICNET_TARGET_TOOL_PREFIX}" CACHE STRING
    "Prefix of the aarch64 Linux cross tools (may include a directory)")
find_program(CMAKE_C_COMPILER   ${STATICNET_AARCH64_TOOLCHAIN_PREFIX}gcc REQUIRED)
find_program(CMAKE_CXX_COMPILER ${STATICNET_AARCH64_TOOLCHAIN_PREFIX}g++ REQUIRED)
find_program(CMAKE_SIZE         ${STATICNET_AARCH64_TOOLCHAIN_PREFIX}size)

find_program(STATICNET_QEMU_AARCH64 NAMES ${STATICNET_TARGET_QEMU} qemu-aarch64)
if(STATICNET_QEMU_AARCH64)
  set(CMAKE_CROSSCOMPILING_EMULATOR "${STATICNET_QEMU_AARCH64}")
endif()

set(STATICNET_HOST_INCLUDE_DIR "/usr/include" CACHE PATH
    "Where the build machine's xsimd/xtensor/xtl/doctest headers are")
set(STATICNET_HOST_HEADERS_DIR "${CMAKE_BINARY_DIR}/staticnet-host-headers")
staticnet_link_host_headers("${STATICNET_HOST_HEADERS_DIR}" FROM "${STATICNET_HOST_INCLUDE_DIR}")
set(CMAKE_CXX_STANDARD_INCLUDE_DIRECTORIES "${STATICNET_HOST_HEADERS_DIR}")

list(JOIN STATICNET_TARGET_CXX_FLAGS " " CMAKE_CXX_FLAGS_INIT)
list(JOIN STATICNET_TARGET_LINK_FLAGS " " CMAKE_EXE_LINKER_FLAGS_INIT)

# The cross compiler's own sysroot for libraries and headers; programs from the build machine.
set(CMAKE_FIND_ROOT_PATH /usr/aarch64-linux-gnu)
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)
