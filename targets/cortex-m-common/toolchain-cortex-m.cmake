# The body of staticnet's Cortex-M toolchain files (targets/cortex-m4/toolchain-cortex-m4.cmake,
# ../cortex-m7/toolchain-cortex-m7.cmake, ../cortex-m55/toolchain-cortex-m55.cmake): each of
# them includes its board's target.cmake, then this file. Bare metal with arm-none-eabi-gcc
# (Debian: gcc-arm-none-eabi libnewlib-arm-none-eabi libstdc++-arm-none-eabi-newlib).
#
# What a project configured with one of these toolchain files gets:
#   - compiler flags: STATICNET_TARGET_CXX_FLAGS (CPU, -std=gnu++20, no exceptions/RTTI,
#     -ffunction-sections ...); Release = -O2 -DNDEBUG (the verified level; CMake's own
#     Release default would be -O3);
#   - link flags: -nostartfiles, newlib-nano, --gc-sections, -L <this directory> and
#     -T ${STATICNET_LINKER_SCRIPT} (cache variable, default: the board's script);
#   - variables for the executable:
#       STATICNET_FIRMWARE_STARTUP      startup.cpp: add it to every executable's sources
#       STATICNET_FIRMWARE_INCLUDE_DIR  this directory (semihosting.hpp)
#       STATICNET_QEMU_MACHINE          the qemu-system-arm -M value of the board
#       CMAKE_SIZE, CMAKE_OBJCOPY       the matching binutils
#   add_executable(app.elf main.cpp ${STATICNET_FIRMWARE_STARTUP})
#   target_include_directories(app.elf PRIVATE <staticnet>/include ${STATICNET_FIRMWARE_INCLUDE_DIR})
if(NOT STATICNET_TARGET_KIND STREQUAL "cortex-m")
  message(FATAL_ERROR "toolchain-cortex-m.cmake: include a board's target.cmake first")
endif()

set(CMAKE_SYSTEM_NAME Generic)
set(CMAKE_SYSTEM_PROCESSOR arm)

set(STATICNET_ARM_TOOLCHAIN_PREFIX "${STATICNET_TARGET_TOOL_PREFIX}" CACHE STRING
    "Prefix of the arm-none-eabi cross tools (may include a directory)")
find_program(CMAKE_C_COMPILER   ${STATICNET_ARM_TOOLCHAIN_PREFIX}gcc REQUIRED)
find_program(CMAKE_CXX_COMPILER ${STATICNET_ARM_TOOLCHAIN_PREFIX}g++ REQUIRED)
find_program(CMAKE_ASM_COMPILER ${STATICNET_ARM_TOOLCHAIN_PREFIX}gcc REQUIRED)
find_program(CMAKE_OBJCOPY      ${STATICNET_ARM_TOOLCHAIN_PREFIX}objcopy)
find_program(CMAKE_SIZE         ${STATICNET_ARM_TOOLCHAIN_PREFIX}size)

# The compiler checks cannot link a program without our startup code and linker script.
set(CMAKE_TRY_COMPILE_TARGET_TYPE STATIC_LIBRARY)

set(STATICNET_FIRMWARE_STARTUP "${STATICNET_TARGET_STARTUP}")
set(STATICNET_FIRMWARE_INCLUDE_DIR "${STATICNET_TARGET_INCLUDE_DIRS}")
set(STATICNET_QEMU_MACHINE "${STATICNET_TARGET_QEMU_MACHINE}")
set(STATICNET_LINKER_SCRIPT "${STATICNET_TARGET_LINKER_SCRIPT}" CACHE FILEPATH
    "Linker script for ${STATICNET_TARGET_NAME} executables")

# -std=gnu++20 is among the C++ flags, so a project that asks for no language level still gets
# C++20 (the GNU dialect: newlib hides some POSIX declarations under strict ISO modes); a
# target_compile_features / CMAKE_CXX_STANDARD request comes later on the command line and wins.
set(CMAKE_CXX_EXTENSIONS ON)
set(_staticnet_c_flags ${STATICNET_TARGET_CXX_FLAGS})
list(FILTER _staticnet_c_flags EXCLUDE REGEX "^-std=|^-fno-(rtti|threadsafe-statics|use-cxa-atexit)$")
list(JOIN _staticnet_c_flags " " CMAKE_C_FLAGS_INIT)
list(JOIN STATICNET_TARGET_CPU_FLAGS " " CMAKE_ASM_FLAGS_INIT)
list(JOIN STATICNET_TARGET_CXX_FLAGS " " CMAKE_CXX_FLAGS_INIT)
list(JOIN STATICNET_TARGET_OPT_FLAGS " " _staticnet_opt_flags)
# Release = -O2, set as the cache entry itself: CMake appends its own -O3 to a *_RELEASE_INIT
# value, and the last -O on the command line wins.
set(CMAKE_C_FLAGS_RELEASE "${_staticnet_opt_flags} -DNDEBUG" CACHE STRING
    "Flags used by the C compiler during RELEASE builds.")
set(CMAKE_CXX_FLAGS_RELEASE "${_staticnet_opt_flags} -DNDEBUG" CACHE STRING
    "Flags used by the CXX compiler during RELEASE builds.")

set(_staticnet_link_flags ${STATICNET_TARGET_LINK_FLAGS})
list(TRANSFORM _staticnet_link_flags REPLACE "^-L(.*)$" "-L\"\\1\"")
list(JOIN _staticnet_link_flags " " _staticnet_link_flags)
set(CMAKE_EXE_LINKER_FLAGS_INIT "${_staticnet_link_flags} -T \"${STATICNET_LINKER_SCRIPT}\"")

# The cross compiler has its own sysroot: never look for headers or libraries of the host.
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)
