# cmake -P script run by the install_consumer test. Inputs (all -D): STATICNET_BINARY_DIR,
# CONSUMER_SOURCE_DIR, WORK_DIR, CONSUMER_GENERATOR, CONSUMER_CXX_COMPILER.
cmake_minimum_required(VERSION 3.20)

set(prefix ${WORK_DIR}/prefix)
set(consumer_build ${WORK_DIR}/consumer-build)
file(REMOVE_RECURSE ${WORK_DIR})

function(run what)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE result)
  if(NOT result EQUAL 0)
    message(FATAL_ERROR "install_consumer: ${what} failed (${result})")
  endif()
endfunction()

run("cmake --install" ${CMAKE_COMMAND} --install ${STATICNET_BINARY_DIR} --prefix ${prefix})
run("configuring the consumer" ${CMAKE_COMMAND}
  -S ${CONSUMER_SOURCE_DIR} -B ${consumer_build}
  -G ${CONSUMER_GENERATOR}
  -DCMAKE_CXX_COMPILER=${CONSUMER_CXX_COMPILER}
  -DCMAKE_BUILD_TYPE=Release
  -DCMAKE_PREFIX_PATH=${prefix}
  -DCMAKE_FIND_USE_PACKAGE_REGISTRY=OFF
  -DSTATICNET_EXPECTED_PREFIX=${prefix})
run("building the consumer" ${CMAKE_COMMAND} --build ${consumer_build})
run("running the consumer" ${consumer_build}/staticnet_consumer)
# The firmware-clean core alone, with the desktop dependencies made unfindable: a cross build
# for a microcontroller has none of them.
run("configuring the core-only consumer" ${CMAKE_COMMAND}
  -S ${CONSUMER_SOURCE_DIR} -B ${consumer_build}-core
  -G ${CONSUMER_GENERATOR}
  -DCMAKE_CXX_COMPILER=${CONSUMER_CXX_COMPILER}
  -DCMAKE_BUILD_TYPE=Release
  -DCMAKE_PREFIX_PATH=${prefix}
  -DCMAKE_FIND_USE_PACKAGE_REGISTRY=OFF
  -DCMAKE_DISABLE_FIND_PACKAGE_xtensor=ON
  -DCMAKE_DISABLE_FIND_PACKAGE_ZLIB=ON
  -DSTATICNET_CORE_ONLY=ON
  -DSTATICNET_EXPECTED_PREFIX=${prefix})
run("building the core-only consumer" ${CMAKE_COMMAND} --build ${consumer_build}-core)
run("running the core-only consumer" ${consumer_build}-core/staticnet_consumer)
message(STATUS "install_consumer: installed to ${prefix}, found, built and ran (full and core-only)")
