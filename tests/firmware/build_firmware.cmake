# cmake -P script: compiles and links tests/firmware/nin_predict.cpp with the Cortex-M4 startup
# code into an ELF for qemu-system-arm -M mps2-an386. Run by the ctest case
# firmware_cortex_m4_build (and the target firmware_cortex_m4); any failure fails the script.
#   -DCXX=<arm-none-eabi-g++> -DSOURCE_DIR=<project root> -DOUTPUT=<file.elf>
# Optional (the training-step image, firmware_cortex_m4_train_build):
#   -DPROGRAM=<source in tests/firmware>   default nin_predict.cpp
#   -DEXTRA_FLAGS=<flag;flag>             extra compile flags, e.g. -ffp-contract=off
foreach(var CXX SOURCE_DIR OUTPUT)
  if(NOT DEFINED ${var})
    message(FATAL_ERROR "build_firmware.cmake: -D${var}=... is required")
  endif()
endforeach()

if(NOT DEFINED PROGRAM OR PROGRAM STREQUAL "")
  set(PROGRAM nin_predict.cpp)
endif()
if(NOT DEFINED EXTRA_FLAGS)
  set(EXTRA_FLAGS "")
endif()

set(target_dir "${SOURCE_DIR}/targets/cortex-m4")
get_filename_component(output_dir "${OUTPUT}" DIRECTORY)
get_filename_component(output_stem "${OUTPUT}" NAME_WE)
file(MAKE_DIRECTORY "${output_dir}")
file(REMOVE "${OUTPUT}")  # never leave a stale image behind a failed build

set(command
  "${CXX}"
  # target and language (see targets/cortex-m4/README.md)
  -std=gnu++20 -O2 -mcpu=cortex-m4 -mthumb -mfloat-abi=hard -mfpu=fpv4-sp-d16
  -fno-exceptions -fno-rtti -fno-threadsafe-statics -fno-use-cxa-atexit
  -ffunction-sections -fdata-sections
  # the project's warning policy (as staticnet_warnings, without -march=native)
  -Wall -Wextra -Wpedantic -Werror
  ${EXTRA_FLAGS}
  -DSTATICNET_FIRMWARE
  "-I${SOURCE_DIR}/include" "-I${SOURCE_DIR}"
  "${SOURCE_DIR}/tests/firmware/${PROGRAM}"
  "${target_dir}/startup.cpp"
  -nostartfiles --specs=nano.specs --specs=nosys.specs -Wl,--gc-sections
  "-Wl,-Map=${output_dir}/${output_stem}.map"
  -T "${target_dir}/mps2-an386.ld"
  -o "${OUTPUT}")

list(JOIN command " " command_text)
message(STATUS "${command_text}")
execute_process(COMMAND ${command} RESULT_VARIABLE result)
if(NOT result EQUAL 0 OR NOT EXISTS "${OUTPUT}")
  message(FATAL_ERROR "Cortex-M4 firmware build FAILED (${result}): see the compiler output above")
endif()
message(STATUS "built ${OUTPUT}")
