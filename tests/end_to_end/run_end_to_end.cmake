# Runs staticnet_train on MNIST from the data cache; fails with a clear message when the data
# is missing (run tools/setup) or the accuracy is below the bar.
if(DEFINED ENV{STATICNET_DATA})
  set(data "$ENV{STATICNET_DATA}/mnist")
else()
  set(data "$ENV{HOME}/.cache/staticnet/mnist")
endif()
if(NOT EXISTS "${data}/train-images-idx3-ubyte" AND NOT EXISTS "${data}/train-images-idx3-ubyte.gz")
  message(FATAL_ERROR "MNIST not found in ${data}: run tools/setup (or set STATICNET_DATA)")
endif()
file(REMOVE_RECURSE "${OUT}")
execute_process(
  COMMAND "${TRAIN}" --network nin --epochs 1 --seed 1 --data "${data}" --out "${OUT}" --min-accuracy 0.95
  RESULT_VARIABLE status)
if(NOT status EQUAL 0)
  message(FATAL_ERROR "end-to-end training failed (exit ${status})")
endif()
foreach(f nin/history.csv nin/history.json nin/weights.bin nin/result.json results.json)
  if(NOT EXISTS "${OUT}/${f}")
    message(FATAL_ERROR "end-to-end run did not write ${OUT}/${f}")
  endif()
endforeach()
