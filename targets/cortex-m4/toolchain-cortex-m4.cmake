# CMake toolchain file: bare-metal Arm Cortex-M4F (hard float, fpv4-sp-d16) with arm-none-eabi-gcc
# (Debian: gcc-arm-none-eabi libnewlib-arm-none-eabi libstdc++-arm-none-eabi-newlib).
#
#   cmake -S app -B build-m4 -DCMAKE_TOOLCHAIN_FILE=<staticnet>/targets/cortex-m4/toolchain-cortex-m4.cmake
#
# Executables link with this directory's startup.cpp and a linker script; for the QEMU board
# mps2-an386 that is mps2-an386.ld, which is the default here (STATICNET_M4_LINKER_SCRIPT to
# change it). Add startup.cpp to your executable's sources yourself:
#   add_executable(app.elf main.cpp ${STATICNET_M4_STARTUP})
#   target_link_libraries(app.elf PRIVATE staticnet::core)
# See README.md next to this file for running under qemu-system-arm.

set(CMAKE_SYSTEM_NAME Generic)
set(CMAKE_SYSTEM_PROCESSOR arm)

set(STATICNET_M4_TOOLCHAIN_PREFIX "arm-none-eabi-" CACHE STRING "Prefix of the cross tools")
find_program(CMAKE_C_COMPILER   ${STATICNET_M4_TOOLCHAIN_PREFIX}gcc REQUIRED)
find_program(CMAKE_CXX_COMPILER ${STATICNET_M4_TOOLCHAIN_PREFIX}g++ REQUIRED)
find_program(CMAKE_ASM_COMPILER ${STATICNET_M4_TOOLCHAIN_PREFIX}gcc REQUIRED)
find_program(CMAKE_OBJCOPY      ${STATICNET_M4_TOOLCHAIN_PREFIX}objcopy)
find_program(CMAKE_SIZE         ${STATICNET_M4_TOOLCHAIN_PREFIX}size)

# The compiler checks cannot link a program without our startup code and linker script.
set(CMAKE_TRY_COMPILE_TARGET_TYPE STATIC_LIBRARY)

set(STATICNET_M4_DIR "${CMAKE_CURRENT_LIST_DIR}")
set(STATICNET_M4_STARTUP "${STATICNET_M4_DIR}/startup.cpp")
set(STATICNET_M4_LINKER_SCRIPT "${STATICNET_M4_DIR}/mps2-an386.ld" CACHE FILEPATH
    "Linker script for Cortex-M4 executables")

set(_staticnet_m4_arch "-mcpu=cortex-m4 -mthumb -mfloat-abi=hard -mfpu=fpv4-sp-d16")
set(CMAKE_C_FLAGS_INIT   "${_staticnet_m4_arch} -ffunction-sections -fdata-sections")
set(CMAKE_ASM_FLAGS_INIT "${_staticnet_m4_arch}")
# gnu++20 (not c++20): newlib hides some POSIX declarations under strict ISO modes.
set(CMAKE_CXX_FLAGS_INIT "${_staticnet_m4_arch} -fno-exceptions -fno-rtti -fno-threadsafe-statics -fno-use-cxa-atexit -ffunction-sections -fdata-sections")
set(CMAKE_CXX_EXTENSIONS ON)
# The verified configuration is -O2 (CMake's Release default would be -O3).
set(CMAKE_C_FLAGS_RELEASE_INIT "-O2 -DNDEBUG")
set(CMAKE_CXX_FLAGS_RELEASE_INIT "-O2 -DNDEBUG")
set(CMAKE_EXE_LINKER_FLAGS_INIT
    "-nostartfiles --specs=nano.specs --specs=nosys.specs -Wl,--gc-sections -T \"${STATICNET_M4_LINKER_SCRIPT}\"")

# The cross compiler has its own sysroot: never look for headers or libraries of the host.
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)
