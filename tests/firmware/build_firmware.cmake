# cmake -P script: builds one test program of tests/firmware for one target of targets/, with
# that target's flags (targets/<target>/target.cmake, the file its toolchain file reads too).
# Run by the ctest cases firmware_<target>[_train]_build (and the targets firmware_<target>...);
# any failure fails the script.
#   -DTARGET=<cortex-m4|cortex-m7|cortex-m55|aarch64-linux>
#   -DCXX=<the target's g++> -DSOURCE_DIR=<project root> -DOUTPUT=<image>
# Optional:
#   -DPROGRAM=<source in tests/firmware>   default nin_predict.cpp; an absolute path for a source
#                                         elsewhere (the firmware examples, examples/firmware)
#   -DEXTRA_FLAGS=<flag;flag>             extra compile (and link) flags, e.g. -ffp-contract=off,
#                                         -D<macro>=<value>, -I<generated header directory>
#   -DEXPECT_LINK_ERROR=<text>            the build must FAIL in the link step with <text> in the
#                                         linker's output (an oversized arena and the linker
#                                         script's ASSERT); the script then succeeds
#   -DEXPECT_COMPILE_ERROR=<text>         the program must FAIL to compile, with <text> in the first
#                                         line of the compiler's output that contains "error:" (an
#                                         object over STATICNET_MAX_STATIC_BYTES); the script then
#                                         succeeds
#
# Each source is compiled to <image stem>.<source name>.o (kept: on aarch64 the no-heap check
# reads the program's object, since the static executable contains glibc's malloc), then linked;
# the link writes <image stem>.map.
# Cortex-M: the program (-DSTATICNET_FIRMWARE: output through semihosting) and the shared startup
# code, linked with the board's linker script.
# aarch64-linux: the program, linked -static. The cross compiler gets the build machine's
# xsimd/xtensor/xtl/doctest through a directory of symbolic links to just those
# (<output dir>/aarch64-host-headers), never -isystem /usr/include; the target's test flags
# (-include expect_neon.hpp) fail the build unless the kernels use NEON.
foreach(var TARGET CXX SOURCE_DIR OUTPUT)
  if(NOT DEFINED ${var} OR "${${var}}" STREQUAL "")
    message(FATAL_ERROR "build_firmware.cmake: -D${var}=... is required")
  endif()
endforeach()
if(NOT DEFINED PROGRAM OR PROGRAM STREQUAL "")
  set(PROGRAM nin_predict.cpp)
endif()
if(NOT DEFINED EXTRA_FLAGS)
  set(EXTRA_FLAGS "")
endif()

set(target_file "${SOURCE_DIR}/targets/${TARGET}/target.cmake")
if(NOT EXISTS "${target_file}")
  message(FATAL_ERROR "build_firmware.cmake: no target '${TARGET}' (${target_file})")
endif()
include("${target_file}")

get_filename_component(output_dir "${OUTPUT}" DIRECTORY)
get_filename_component(output_name "${OUTPUT}" NAME)
string(REGEX REPLACE "\\.elf$" "" output_stem "${output_name}")
file(MAKE_DIRECTORY "${output_dir}")
file(REMOVE "${OUTPUT}")  # never leave a stale image behind a failed build

# The project's warning policy (as staticnet_warnings, without -march=native).
set(warnings -Wall -Wextra -Wpedantic -Werror)
if(IS_ABSOLUTE "${PROGRAM}")
  set(program "${PROGRAM}")
else()
  set(program "${SOURCE_DIR}/tests/firmware/${PROGRAM}")
endif()
set(map "-Wl,-Map=${output_dir}/${output_stem}.map")

# run(<what> <command>...): runs it (echoed); returns its status and output in run_result and
# run_output (also printed).
function(run what)
  list(JOIN ARGN " " command_text)
  message(STATUS "${what}: ${command_text}")
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE result OUTPUT_VARIABLE output
                  ERROR_VARIABLE output)
  if(NOT output STREQUAL "")
    message("${output}")
  endif()
  set(run_result "${result}" PARENT_SCOPE)
  set(run_output "${output}" PARENT_SCOPE)
endfunction()

set(include_flags "-I${SOURCE_DIR}/include" "-I${SOURCE_DIR}")
if(STATICNET_TARGET_KIND STREQUAL "cortex-m")
  set(sources "${program}" "${STATICNET_TARGET_STARTUP}")
  list(APPEND EXTRA_FLAGS -DSTATICNET_FIRMWARE)
  set(link_flags ${STATICNET_TARGET_LINK_FLAGS} -T "${STATICNET_TARGET_LINKER_SCRIPT}")
elseif(STATICNET_TARGET_KIND STREQUAL "linux")
  set(sources "${program}")
  set(headers "${output_dir}/${STATICNET_TARGET_SHORT_NAME}-host-headers")
  staticnet_link_host_headers("${headers}")
  list(APPEND include_flags -isystem "${headers}" ${STATICNET_TARGET_TEST_FLAGS})
  set(link_flags ${STATICNET_TARGET_LINK_FLAGS})
else()
  message(FATAL_ERROR "build_firmware.cmake: target '${TARGET}' has unknown kind '${STATICNET_TARGET_KIND}'")
endif()

# Compile each source to <image stem>.<source name>.o, then link.
set(objects "")
foreach(source IN LISTS sources)
  get_filename_component(name "${source}" NAME_WE)
  set(object "${output_dir}/${output_stem}.${name}.o")
  file(REMOVE "${object}")
  run("${TARGET}: compile ${name}" "${CXX}" ${STATICNET_TARGET_CXX_FLAGS} ${STATICNET_TARGET_OPT_FLAGS}
      ${warnings} ${EXTRA_FLAGS} ${include_flags} -c "${source}" -o "${object}")
  if(DEFINED EXPECT_COMPILE_ERROR AND NOT EXPECT_COMPILE_ERROR STREQUAL "" AND source STREQUAL program)
    if(run_result EQUAL 0)
      message(FATAL_ERROR "expected ${PROGRAM} to fail to compile with \"${EXPECT_COMPILE_ERROR}\", but it compiled")
    endif()
    string(REGEX MATCH "[^\n]*error:[^\n]*" first_error "${run_output}")
    string(FIND "${first_error}" "${EXPECT_COMPILE_ERROR}" found)
    if(found EQUAL -1)
      message(FATAL_ERROR "${PROGRAM} failed to compile, but its first error is not \"${EXPECT_COMPILE_ERROR}\":\n"
                          "  ${first_error}")
    endif()
    message(STATUS "OK: ${PROGRAM} failed to compile as expected, with \"${EXPECT_COMPILE_ERROR}\"")
    return()
  endif()
  if(NOT run_result EQUAL 0)
    message(FATAL_ERROR "${TARGET} build of ${PROGRAM} FAILED: ${source} did not compile (${run_result}), "
                        "see the compiler output above")
  endif()
  list(APPEND objects "${object}")
endforeach()

run("${TARGET}: link" "${CXX}" ${STATICNET_TARGET_CXX_FLAGS} ${STATICNET_TARGET_OPT_FLAGS} ${EXTRA_FLAGS}
    ${objects} ${link_flags} "${map}" -o "${OUTPUT}")
if(DEFINED EXPECT_LINK_ERROR AND NOT EXPECT_LINK_ERROR STREQUAL "")
  if(run_result EQUAL 0)
    message(FATAL_ERROR "expected the link to fail with \"${EXPECT_LINK_ERROR}\", but ${OUTPUT} was built")
  endif()
  string(FIND "${run_output}" "${EXPECT_LINK_ERROR}" found)
  if(found EQUAL -1)
    message(FATAL_ERROR "the link failed, but not with \"${EXPECT_LINK_ERROR}\" (output above)")
  endif()
  file(REMOVE "${OUTPUT}")
  message(STATUS "OK: the program compiled and its link failed as expected, with \"${EXPECT_LINK_ERROR}\"")
  return()
endif()
if(NOT run_result EQUAL 0)
  message(FATAL_ERROR "${TARGET} build of ${PROGRAM} FAILED in the link step (${run_result}): "
                      "see the linker output above")
endif()
if(NOT EXISTS "${OUTPUT}")
  message(FATAL_ERROR "${TARGET} build of ${PROGRAM}: ${OUTPUT} was not written")
endif()
message(STATUS "built ${OUTPUT}")
