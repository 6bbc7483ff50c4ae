# staticnet target description: Cortex-M4F (FPv4 single-precision FPU, hard-float ABI) on the
# Arm MPS2 AN386 board (qemu-system-arm -M mps2-an386). Read by toolchain-cortex-m4.cmake and by
# the firmware tests; the variables are described in ../cortex-m-common/cortex-m.cmake.
set(STATICNET_TARGET_NAME cortex-m4)
set(STATICNET_TARGET_SHORT_NAME m4)
set(STATICNET_TARGET_CPU_FLAGS -mcpu=cortex-m4 -mthumb -mfloat-abi=hard -mfpu=fpv4-sp-d16)
set(STATICNET_TARGET_LINKER_SCRIPT "${CMAKE_CURRENT_LIST_DIR}/mps2-an386.ld")
# The RAM for .data, .bss and the stack (RAM in mps2-an386.ld): also the largest
# Model/Inference object that compiles (STATICNET_MAX_STATIC_BYTES, see cortex-m.cmake).
set(STATICNET_TARGET_RAM_BYTES 4194304)
set(STATICNET_TARGET_QEMU_MACHINE mps2-an386)
include("${CMAKE_CURRENT_LIST_DIR}/../cortex-m-common/cortex-m.cmake")
