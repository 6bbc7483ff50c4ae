# staticnet_add_model(TARGET <target> MODEL <file> NAME <name> [NETWORK <deep|bn|nin>]
#                     [IMAGES <n> DATA <dir> [SPLIT t10k|train]])
#
# Generates <name>.hpp from a trained model at build time and makes it includable by <target>
# (`#include "<name>.hpp"`); the header is regenerated when the model file or the generator
# changes.
#   MODEL *.onnx   an ONNX file exported by PyTorch: tools/onnx (staticnet_onnx_import) writes
#                  the network type it describes and its parameters (NETWORK is not used).
#   MODEL other    a weights.bin saved by tools/train for the seed network NETWORK: written by
#                  staticnet_export. With IMAGES/DATA: a header of the first <n> images of DATA
#                  (SPLIT: t10k by default), their labels and this desktop build's predictions
#                  with those weights (firmware checks).
# Both generators are host programs of this project: a cross-compiled firmware target includes
# the header like any other source file.
function(staticnet_add_model)
  cmake_parse_arguments(PARSE_ARGV 0 arg "" "TARGET;MODEL;NAME;NETWORK;IMAGES;DATA;SPLIT" "")
  foreach(required TARGET NAME)
    if(NOT arg_${required})
      message(FATAL_ERROR "staticnet_add_model: ${required} is required")
    endif()
  endforeach()
  if(NOT arg_MODEL AND NOT arg_IMAGES)
    message(FATAL_ERROR "staticnet_add_model: MODEL is required (IMAGES alone: images without predictions)")
  endif()
  set(dir ${CMAKE_CURRENT_BINARY_DIR}/staticnet_models)
  set(header ${dir}/${arg_NAME}.hpp)
  set(model "")
  if(arg_MODEL)
    get_filename_component(model ${arg_MODEL} ABSOLUTE)
  endif()
  if(model MATCHES "\\.onnx$")
    if(NOT TARGET staticnet_onnx_import)
      message(FATAL_ERROR "staticnet_add_model: ${arg_MODEL} is ONNX but staticnet_onnx_import was not built "
                          "(it needs Debian's libonnx-dev and libprotobuf-dev)")
    endif()
    set(command staticnet_onnx_import --model ${model} --name ${arg_NAME} --out ${header})
    set(generator staticnet_onnx_import)
  else()
    if(NOT arg_NETWORK)
      message(FATAL_ERROR "staticnet_add_model: NETWORK is required for the weights file ${arg_MODEL}")
    endif()
    if(NOT TARGET staticnet_export)
      message(FATAL_ERROR "staticnet_add_model: the generator staticnet_export is not built (STATICNET_BUILD_EXAMPLES)")
    endif()
    set(command staticnet_export --network ${arg_NETWORK} --name ${arg_NAME} --out ${header})
    if(model)
      list(APPEND command --weights ${model})
    endif()
    if(arg_IMAGES)
      get_filename_component(data ${arg_DATA} ABSOLUTE)
      list(APPEND command --images ${arg_IMAGES} --data ${data})
      if(arg_SPLIT)
        list(APPEND command --split ${arg_SPLIT})
      endif()
    endif()
    set(generator staticnet_export)
  endif()
  add_custom_command(OUTPUT ${header}
    COMMAND ${CMAKE_COMMAND} -E make_directory ${dir}
    COMMAND ${command}
    DEPENDS ${model} ${generator}
    COMMENT "staticnet: generating ${arg_NAME}.hpp"
    VERBATIM)
  target_sources(${arg_TARGET} PRIVATE ${header})
  target_include_directories(${arg_TARGET} PRIVATE ${dir})
endfunction()
