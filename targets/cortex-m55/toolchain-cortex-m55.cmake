# CMake toolchain file: bare-metal Arm Cortex-M55 (Armv8.1-M, Helium/MVE, double-precision
# FPU, hard float) with arm-none-eabi-gcc, for the QEMU board mps3-an547
# (Debian: gcc-arm-none-eabi libnewlib-arm-none-eabi libstdc++-arm-none-eabi-newlib).
#
#   cmake -S app -B build-cortex-m55 -DCMAKE_BUILD_TYPE=Release \
#         -DCMAKE_TOOLCHAIN_FILE=<staticnet>/targets/cortex-m55/toolchain-cortex-m55.cmake
#
# Flags, linker script and memory map: target.cmake and README.md next to this file; the
# mechanics (and the variables a project uses) are in ../cortex-m-common/toolchain-cortex-m.cmake:
#   add_executable(app.elf main.cpp ${STATICNET_FIRMWARE_STARTUP})
#   target_include_directories(app.elf PRIVATE <staticnet>/include ${STATICNET_FIRMWARE_INCLUDE_DIR})
include("${CMAKE_CURRENT_LIST_DIR}/target.cmake")
include("${CMAKE_CURRENT_LIST_DIR}/../cortex-m-common/toolchain-cortex-m.cmake")
