# cmake -P script behind the ctest case firmware_examples_mnist_data, added only when MNIST was
# missing as CMake configured the build (examples/firmware/CMakeLists.txt): the firmware
# examples embed real MNIST images, so without the data they were not built. Always fails, with
# a message saying what to do.
#   -DDATA=<the folder that was searched: $STATICNET_DATA/mnist or ~/.cache/staticnet/mnist>
set(files t10k-images-idx3-ubyte t10k-labels-idx1-ubyte train-images-idx3-ubyte train-labels-idx1-ubyte)
set(missing "")
foreach(f IN LISTS files)
  if(NOT EXISTS "${DATA}/${f}" AND NOT EXISTS "${DATA}/${f}.gz")
    list(APPEND missing ${f})
  endif()
endforeach()
if(missing)
  list(JOIN missing ", " missing_text)
  message(FATAL_ERROR "MNIST not found in ${DATA} (missing: ${missing_text}): the firmware examples "
                      "(label firmware_examples) were NOT built or run. Run tools/setup (or set "
                      "STATICNET_DATA to the folder that holds mnist/), then configure again.")
endif()
message(FATAL_ERROR "MNIST is in ${DATA} now, but it was missing when CMake configured this build: "
                    "the firmware examples were NOT built or run. Configure again (cmake -S <source> -B <build>).")
