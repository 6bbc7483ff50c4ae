# What every staticnet Cortex-M board shares, in CMake lists: included at the end of a board's
# target.cmake (targets/cortex-m4|cortex-m7|cortex-m55/target.cmake), which first sets
#   STATICNET_TARGET_CPU_FLAGS       e.g. -mcpu=cortex-m4 -mthumb -mfloat-abi=hard -mfpu=fpv4-sp-d16
#   STATICNET_TARGET_LINKER_SCRIPT   the board's linker script
#   STATICNET_TARGET_RAM_BYTES       the board's RAM (optional): passed as
#                                    -DSTATICNET_MAX_STATIC_BYTES=<bytes>, so a Model or Inference
#                                    object larger than the RAM is a compile error naming its bytes
#                                    (the linker script's ASSERT still checks the sum of everything)
# and completes the STATICNET_TARGET_* description that the board's toolchain file
# (through toolchain-cortex-m.cmake) and the firmware tests (tests/firmware) both read, so the
# flags the tests verify are the flags users get:
#   STATICNET_TARGET_KIND            cortex-m
#   STATICNET_TARGET_TOOL_PREFIX     arm-none-eabi-
#   STATICNET_TARGET_CXX_FLAGS       CPU flags + language flags (no -O level)
#   STATICNET_TARGET_OPT_FLAGS       -O2 (the verified level)
#   STATICNET_TARGET_LINK_FLAGS      newlib-nano, no start files, gc-sections, -L this directory
#                                    (for staticnet_sections.ld); add -T <linker script> after them
#   STATICNET_TARGET_STARTUP         startup.cpp (vector table, Reset_Handler, fault report)
#   STATICNET_TARGET_INCLUDE_DIRS    this directory (semihosting.hpp)
#   STATICNET_TARGET_QEMU            qemu-system-arm (with STATICNET_TARGET_QEMU_MACHINE)
get_filename_component(STATICNET_CORTEX_M_COMMON_DIR "${CMAKE_CURRENT_LIST_DIR}" ABSOLUTE)

set(STATICNET_TARGET_KIND cortex-m)
set(STATICNET_TARGET_TOOL_PREFIX arm-none-eabi-)
# gnu++20 (not c++20): newlib hides some POSIX declarations under strict ISO modes.
set(STATICNET_TARGET_CXX_FLAGS ${STATICNET_TARGET_CPU_FLAGS}
  -std=gnu++20 -fno-exceptions -fno-rtti -fno-threadsafe-statics -fno-use-cxa-atexit
  -ffunction-sections -fdata-sections)
if(DEFINED STATICNET_TARGET_RAM_BYTES)
  list(APPEND STATICNET_TARGET_CXX_FLAGS -DSTATICNET_MAX_STATIC_BYTES=${STATICNET_TARGET_RAM_BYTES})
endif()
set(STATICNET_TARGET_OPT_FLAGS -O2)
set(STATICNET_TARGET_LINK_FLAGS
  -nostartfiles --specs=nano.specs --specs=nosys.specs -Wl,--gc-sections
  "-L${STATICNET_CORTEX_M_COMMON_DIR}")
set(STATICNET_TARGET_STARTUP "${STATICNET_CORTEX_M_COMMON_DIR}/startup.cpp")
set(STATICNET_TARGET_INCLUDE_DIRS "${STATICNET_CORTEX_M_COMMON_DIR}")
set(STATICNET_TARGET_QEMU qemu-system-arm)
