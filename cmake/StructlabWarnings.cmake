# Warnings apply to structlab's own code only; dependencies are included as system headers.
function(structlab_enable_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wno-unused-parameter)
  if(STRUCTLAB_WERROR)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
endfunction()
