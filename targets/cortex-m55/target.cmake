# staticnet target description: Cortex-M55 (Armv8.1-M with Helium/MVE and a double-precision
# FPU, hard-float ABI) on the Arm MPS3 AN547 board (qemu-system-arm -M mps3-an547). Read by
# toolchain-cortex-m55.cmake and by the firmware tests; the variables are described in
# ../cortex-m-common/cortex-m.cmake. -mcpu=cortex-m55 alone selects the full feature set
# (+mve.fp +fp.dp, -mfpu=auto); the libraries come from the thumb/v8-m.main+dp/hard multilib.
set(STATICNET_TARGET_NAME cortex-m55)
set(STATICNET_TARGET_SHORT_NAME m55)
set(STATICNET_TARGET_CPU_FLAGS -mcpu=cortex-m55 -mthumb -mfloat-abi=hard)
set(STATICNET_TARGET_LINKER_SCRIPT "${CMAKE_CURRENT_LIST_DIR}/mps3-an547.ld")
# The RAM for .data and .bss (SRAM, the RAM alias of mps3-an547.ld; the stack is in DTCM): also
# the largest Model/Inference object that compiles (STATICNET_MAX_STATIC_BYTES, see cortex-m.cmake).
set(STATICNET_TARGET_RAM_BYTES 4194304)
set(STATICNET_TARGET_QEMU_MACHINE mps3-an547)
include("${CMAKE_CURRENT_LIST_DIR}/../cortex-m-common/cortex-m.cmake")
