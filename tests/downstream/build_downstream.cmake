# Installs the structlab build into a scratch prefix, then configures and builds the downstream plugin
# project against that installed package (find_package(structlab)).
foreach(var STRUCTLAB_BINARY_DIR DOWNSTREAM_SOURCE_DIR WORK_DIR CMAKE_GENERATOR)
  if(NOT DEFINED ${var})
    message(FATAL_ERROR "build_downstream.cmake needs -D${var}=...")
  endif()
endforeach()

function(run_step description)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE result OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT result EQUAL 0)
    message(FATAL_ERROR "${description} failed (${result}):\n${out}\n${err}")
  endif()
  message(STATUS "${description}: ok")
endfunction()

file(REMOVE_RECURSE "${WORK_DIR}")
run_step("install structlab" ${CMAKE_COMMAND} --install "${STRUCTLAB_BINARY_DIR}" --prefix "${WORK_DIR}/prefix")
run_step("configure downstream" ${CMAKE_COMMAND} -S "${DOWNSTREAM_SOURCE_DIR}" -B "${WORK_DIR}/build"
         -G "${CMAKE_GENERATOR}" -DCMAKE_BUILD_TYPE=Release "-DCMAKE_PREFIX_PATH=${WORK_DIR}/prefix")
run_step("build downstream" ${CMAKE_COMMAND} --build "${WORK_DIR}/build")
