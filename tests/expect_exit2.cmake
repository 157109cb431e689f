# Runs bzint on a bad run file; passes when it exits with 2 and prints the message that the
# file's first line ("# expect: <regex>") asks for.
file(STRINGS ${RUN_FILE} first LIMIT_COUNT 1)
string(REGEX REPLACE "^# expect: " "" expected "${first}")
file(STRINGS ${RUN_FILE} sets REGEX "^# set: ")
set(extra)
foreach(s ${sets})
  string(REGEX REPLACE "^# set: " "" s "${s}")
  list(APPEND extra --set "${s}")
endforeach()
execute_process(COMMAND ${BZINT} run ${RUN_FILE} ${extra} --backend cpu --out ${CMAKE_CURRENT_BINARY_DIR}/bad_out
                RESULT_VARIABLE rc ERROR_VARIABLE err OUTPUT_VARIABLE out)
if(NOT rc EQUAL 2)
  message(FATAL_ERROR "expected exit status 2, got ${rc}; stderr: ${err}")
endif()
if(NOT err MATCHES "${expected}")
  message(FATAL_ERROR "stderr does not match '${expected}':\n${err}")
endif()
message(STATUS "ok: ${err}")
