# cmake -P script: checks a target's CMake toolchain file the way a user meets it. Configures
# tests/firmware/toolchain_project from scratch with targets/<target>/toolchain-<target>.cmake
# (Release), builds it, and runs its ctest (nin_predict under QEMU, must print "done").
#   -DTARGET=<cortex-m4|cortex-m7|cortex-m55|aarch64-linux> -DSOURCE_DIR=<project root>
#   -DBINARY_DIR=<scratch build directory, wiped first>
# Also checks that the compile commands carry the target's -O level (CMake appends its own
# Release flags to *_INIT values: a toolchain file that set those would silently build -O3).
foreach(var TARGET SOURCE_DIR BINARY_DIR)
  if(NOT DEFINED ${var} OR "${${var}}" STREQUAL "")
    message(FATAL_ERROR "check_toolchain.cmake: -D${var}=... is required")
  endif()
endforeach()
include("${SOURCE_DIR}/targets/${TARGET}/target.cmake")
set(toolchain "${SOURCE_DIR}/targets/${TARGET}/toolchain-${TARGET}.cmake")

function(step what)
  list(JOIN ARGN " " text)
  message(STATUS "${what}: ${text}")
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE result OUTPUT_VARIABLE output ERROR_VARIABLE output)
  message("${output}")
  if(NOT result EQUAL 0)
    message(FATAL_ERROR "${TARGET} toolchain file: ${what} FAILED (${result}), output above")
  endif()
  set(step_output "${output}" PARENT_SCOPE)
endfunction()

file(REMOVE_RECURSE "${BINARY_DIR}")
step(configure "${CMAKE_COMMAND}" -S "${SOURCE_DIR}/tests/firmware/toolchain_project"
     -B "${BINARY_DIR}" -DCMAKE_BUILD_TYPE=Release "-DCMAKE_TOOLCHAIN_FILE=${toolchain}"
     "-DSTATICNET_SOURCE_DIR=${SOURCE_DIR}")
step(build "${CMAKE_COMMAND}" --build "${BINARY_DIR}" --verbose)
list(JOIN STATICNET_TARGET_OPT_FLAGS " " opt)
string(REGEX MATCHALL "(^|\n)[^\n]*nin_predict\\.cpp[^\n]*-c [^\n]*" compiles "${step_output}")
if(NOT compiles)
  message(FATAL_ERROR "${TARGET} toolchain file: no compile command for nin_predict.cpp in the build output")
endif()
string(REGEX MATCHALL " -O[0-9s]" levels "${compiles}")
list(GET levels -1 last)
if(NOT last STREQUAL " ${opt}")
  message(FATAL_ERROR "${TARGET} toolchain file: nin_predict.cpp compiled with${last} last, expected ${opt}")
endif()
step(run "${CMAKE_CTEST_COMMAND}" --test-dir "${BINARY_DIR}" --output-on-failure)
message(STATUS "OK: the ${TARGET} toolchain file builds and runs nin_predict (${opt})")
