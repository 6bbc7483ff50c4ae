# cmake -DPROGRAM=<stack_overflow executable> [-DSANITIZED=ON] -P check_stack_overflow.cmake
# The local-variable Model must end the process (a signal or a failure status) after printing the
# stack overflow report; static storage and sn::make_model must run to "done". Under
# AddressSanitizer (whose SIGSEGV handler comes first, so ours stays out of the way) its own
# "stack-overflow" report is accepted instead.
if(NOT DEFINED PROGRAM)
  message(FATAL_ERROR "check_stack_overflow.cmake: -DPROGRAM=... missing")
endif()

# The usual 8 MiB stack, whatever the environment's ulimit -s (unlimited would let it run).
execute_process(COMMAND sh -c "ulimit -s 8192 2>/dev/null; exec \"$0\" local" "${PROGRAM}"
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
message("local: exit ${rc}\n${out}${err}")
if(rc EQUAL 0 OR out MATCHES "done")
  message(FATAL_ERROR "the local Model did not fail")
endif()
set(report "staticnet: stack overflow in the main thread: an access [0-9,]+ bytes below the top of its stack")
if(SANITIZED AND err MATCHES "AddressSanitizer: stack-overflow")
  message(STATUS "sanitized build: AddressSanitizer reported the stack overflow")
elseif(NOT err MATCHES "${report}" OR NOT err MATCHES "declare it static" OR NOT err MATCHES "sn::make_model")
  message(FATAL_ERROR "the local Model failed without the stack overflow report")
endif()

foreach(mode static heap)
  execute_process(COMMAND "${PROGRAM}" ${mode} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  message("${mode}: exit ${rc}\n${out}${err}")
  if(NOT rc EQUAL 0 OR NOT out MATCHES "\ndone")
    message(FATAL_ERROR "the ${mode} Model did not run")
  endif()
endforeach()
message(STATUS "OK: local Model reported, static and heap Models ran")
