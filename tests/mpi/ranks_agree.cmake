# Runs RUN_FILE (with the --set overrides in SETS, ';'-separated) on 1 and on 2 MPI ranks
# (--oversubscribe, one thread each) and requires the results to agree to 1e-13
# (host/ranks.hpp). Expects MPIEXEC, BZINT, PYTHON, COMPARE and OUT.
set(ENV{OMP_NUM_THREADS} 1)
set(ENV{OMPI_ALLOW_RUN_AS_ROOT} 1)          # CI containers run as root
set(ENV{OMPI_ALLOW_RUN_AS_ROOT_CONFIRM} 1)
set(ENV{OMPI_MCA_rmaps_base_oversubscribe} 1)
set(args)
foreach(s ${SETS})
  list(APPEND args --set ${s})
endforeach()
if(BACKEND)  # optional: the backend of both runs (default: the run's auto)
  list(APPEND args --backend ${BACKEND})
endif()
file(REMOVE_RECURSE ${OUT})
# EXPORT (optional): a run file whose built-in model `bzint export-hr` writes to OUT/model;
# RUN_FILE is then a template with @MODEL_DIR@.
if(EXPORT)
  execute_process(COMMAND ${BZINT} export-hr ${EXPORT} --out ${OUT}/model RESULT_VARIABLE rc0)
  if(NOT rc0 EQUAL 0)
    message(FATAL_ERROR "export-hr: exit ${rc0}")
  endif()
  set(MODEL_DIR ${OUT}/model)
  configure_file(${RUN_FILE} ${OUT}/run.toml @ONLY)
  set(RUN_FILE ${OUT}/run.toml)
endif()
execute_process(COMMAND ${BZINT} run ${RUN_FILE} ${args} --out ${OUT}/one RESULT_VARIABLE rc1 OUTPUT_VARIABLE path1
                OUTPUT_STRIP_TRAILING_WHITESPACE)
if(NOT rc1 EQUAL 0)
  message(FATAL_ERROR "one rank: exit ${rc1}")
endif()
# A run that has not ended in 300 s is a hang (each case takes seconds): fail now, not at ctest's limit.
execute_process(COMMAND ${MPIEXEC} -np 2 --oversubscribe ${BZINT} run ${RUN_FILE} ${args} --out ${OUT}/two
                RESULT_VARIABLE rc2 OUTPUT_VARIABLE path2 OUTPUT_STRIP_TRAILING_WHITESPACE TIMEOUT 300)
if(NOT rc2 EQUAL 0)
  message(FATAL_ERROR "two ranks: exit ${rc2}")
endif()
file(READ ${path2} doc)
string(JSON ranks GET "${doc}" ranks)
if(NOT ranks EQUAL 2)
  message(FATAL_ERROR "the two-rank run reports ranks = ${ranks}")
endif()
execute_process(COMMAND ${PYTHON} ${COMPARE} ${path1} ${path2} 1e-13 RESULT_VARIABLE rc3)
if(NOT rc3 EQUAL 0)
  message(FATAL_ERROR "1 and 2 ranks differ")
endif()
