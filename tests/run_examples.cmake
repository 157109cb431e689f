# Every run file under examples/DIR must run and produce its JSON (on BACKEND, default cpu).
# Run files that read the project's shared data (../shared/data, beside the clone) are skipped
# when it is absent.
if(NOT BACKEND)
  set(BACKEND cpu)
endif()
file(GLOB_RECURSE files ${SRC}/examples/${DIR}/*.toml)
foreach(f ${files})
  file(READ ${f} text)
  if(text MATCHES "shared/data/" AND NOT EXISTS ${SRC}/../shared/data)
    message(STATUS "skipped (no ../shared/data): ${f}")
    continue()
  endif()
  execute_process(COMMAND ${BZINT} run ${f} --backend ${BACKEND} --out ${OUT} RESULT_VARIABLE rc ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "${f}: exit ${rc}\n${err}")
  endif()
endforeach()
