# staticnet target description: Cortex-M7 (FPv5 double-precision FPU, fpv5-d16, hard-float
# ABI) on the Arm MPS2 AN500 board (qemu-system-arm -M mps2-an500). Read by
# toolchain-cortex-m7.cmake and by the firmware tests; the variables are described in
# ../cortex-m-common/cortex-m.cmake.
set(STATICNET_TARGET_NAME cortex-m7)
set(STATICNET_TARGET_SHORT_NAME m7)
set(STATICNET_TARGET_CPU_FLAGS -mcpu=cortex-m7 -mthumb -mfloat-abi=hard -mfpu=fpv5-d16)
set(STATICNET_TARGET_LINKER_SCRIPT "${CMAKE_CURRENT_LIST_DIR}/mps2-an500.ld")
# The RAM for .data, .bss and the stack (RAM in mps2-an500.ld): also the largest
# Model/Inference object that compiles (STATICNET_MAX_STATIC_BYTES, see cortex-m.cmake).
set(STATICNET_TARGET_RAM_BYTES 4194304)
set(STATICNET_TARGET_QEMU_MACHINE mps2-an500)
include("${CMAKE_CURRENT_LIST_DIR}/../cortex-m-common/cortex-m.cmake")
