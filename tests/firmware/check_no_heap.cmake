# cmake -P script: fails if a firmware image contains heap, exception, RTTI or iostream symbols;
# prints the image sizes.
#   -DNM=<the target's nm> -DSIZE=<the target's size> -DELF=<image>
# Optional:
#   -DOBJECTS=<file.o;...>   check these object files instead of the image: for a static Linux
#                            executable (aarch64-linux), which contains glibc and so its malloc,
#                            the program's own objects must not refer to (or define) any of the
#                            symbols below. The image's sizes are still printed.
#   -DLABEL=<text>           names the target in the messages (default "firmware")
foreach(var NM SIZE ELF)
  if(NOT DEFINED ${var})
    message(FATAL_ERROR "check_no_heap.cmake: -D${var}=... is required")
  endif()
endforeach()
if(NOT DEFINED LABEL OR LABEL STREQUAL "")
  set(LABEL firmware)
endif()
if(NOT DEFINED OBJECTS OR OBJECTS STREQUAL "")
  set(OBJECTS "")
  set(checked "${ELF}")
else()
  set(checked ${OBJECTS})
endif()
foreach(file IN ITEMS "${ELF}" ${OBJECTS})
  if(NOT EXISTS "${file}")
    message(FATAL_ERROR "${file} does not exist: the ${LABEL} build test failed or did not run")
  endif()
endforeach()

execute_process(COMMAND "${SIZE}" -B "${ELF}" RESULT_VARIABLE result OUTPUT_VARIABLE size_out)
if(NOT result EQUAL 0)
  message(FATAL_ERROR "${SIZE} failed on ${ELF}")
endif()
message(STATUS "${LABEL} image sizes (bytes):\n${size_out}")
string(REGEX MATCH "\n[ \t]*([0-9]+)[ \t]+([0-9]+)[ \t]+([0-9]+)" _ "${size_out}")
if(CMAKE_MATCH_1)
  math(EXPR flash "${CMAKE_MATCH_1} + ${CMAKE_MATCH_2}")
  math(EXPR ram "${CMAKE_MATCH_2} + ${CMAKE_MATCH_3}")
  message(STATUS "flash (text + data) = ${flash} bytes, static RAM (data + bss) = ${ram} bytes")
endif()

if(OBJECTS)
  message(STATUS "(a static Linux executable: includes the C library; its own objects are checked)")
endif()

execute_process(COMMAND "${NM}" ${checked} RESULT_VARIABLE result OUTPUT_VARIABLE nm_out)
if(NOT result EQUAL 0)
  message(FATAL_ERROR "${NM} failed on ${checked}")
endif()

# Whole symbol names that must not be in a firmware image (any symbol type, defined or not) or
# in the checked objects (referenced or defined).
set(forbidden_exact
  malloc _malloc_r free _free_r calloc _calloc_r realloc _realloc_r memalign _memalign_r
  aligned_alloc posix_memalign _sbrk _sbrk_r
  __cxa_throw __cxa_rethrow __cxa_allocate_exception __cxa_begin_catch __gxx_personality_v0)
# Prefixes: operator new/new[] (_Znw*, _Zna*), operator delete/delete[] (_Zdl*, _Zda*),
# typeinfo (_ZTI*) and typeinfo names (_ZTS*), std::cout/cerr/clog and the iostream init object.
set(forbidden_prefix _Znw _Zna _Zdl _Zda _ZTI _ZTS _ZSt4cout _ZSt4cerr _ZSt4clog _ZNSt8ios_base4Init)

string(REPLACE "\n" ";" lines "${nm_out}")
set(found "")
foreach(line IN LISTS lines)
  string(REGEX MATCH "[^ \t]+$" name "${line}")
  if(name STREQUAL "")
    continue()
  endif()
  list(FIND forbidden_exact "${name}" index)
  if(NOT index EQUAL -1)
    list(APPEND found "${name}")
    continue()
  endif()
  foreach(prefix IN LISTS forbidden_prefix)
    string(FIND "${name}" "${prefix}" position)
    if(position EQUAL 0)
      list(APPEND found "${name}")
      break()
    endif()
  endforeach()
endforeach()

if(found)
  list(REMOVE_DUPLICATES found)
  list(JOIN found "\n  " found_text)
  list(JOIN checked " " checked_text)
  message(FATAL_ERROR "${LABEL}: ${checked_text} contains heap/exception/RTTI/iostream symbols:\n  "
                      "${found_text}\n(see the .map file next to it for who pulled them in)")
endif()
list(JOIN checked " " checked_text)
message(STATUS "no heap, exception, RTTI or iostream symbols in ${checked_text}")
