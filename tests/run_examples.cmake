# Every run file under examples/ must run and produce its JSON.
file(GLOB_RECURSE files ${SRC}/examples/*.toml)
foreach(f ${files})
  execute_process(COMMAND ${BZINT} run ${f} --backend cpu --out ${OUT} RESULT_VARIABLE rc ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "${f}: exit ${rc}\n${err}")
  endif()
endforeach()
