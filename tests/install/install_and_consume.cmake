# Runs: cmake --install <build> --prefix <work>/prefix; configure + build the consumer
# with CMAKE_PREFIX_PATH=<work>/prefix, asking for every component this build has
# (COMPONENTS, comma-separated); run it; then configure it once more asking for
# MISSING (a transport left out by MESHMPC_WITH_<NAME>=OFF, or a made-up name),
# which must fail with MISSING_MESSAGE. Any other outcome fails the test.
file(REMOVE_RECURSE ${WORK_DIR})
function(run)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "command failed (${rc}): ${ARGN}\n${out}\n${err}")
  endif()
  set(last_output "${out}" PARENT_SCOPE)
endfunction()
run(${CMAKE_COMMAND} --install ${BUILD_DIR} --prefix ${WORK_DIR}/prefix)
run(${CMAKE_COMMAND} -S ${CONSUMER_DIR} -B ${WORK_DIR}/build -G ${GENERATOR}
    -DCMAKE_PREFIX_PATH=${WORK_DIR}/prefix -DCMAKE_BUILD_TYPE=Release -DMESHMPC_COMPONENTS=${COMPONENTS}
    "-DCMAKE_CXX_FLAGS=${CXX_FLAGS}" "-DCMAKE_EXE_LINKER_FLAGS=${LINK_FLAGS}")
run(${CMAKE_COMMAND} --build ${WORK_DIR}/build)
run(${WORK_DIR}/build/consumer --transport inmem -M 3 --wealths 3 9 4 --log-level warn)
if(NOT last_output MATCHES "party 1 is the richest")
  message(FATAL_ERROR "consumer printed: ${last_output}")
endif()
# Only a configure (the compiler is already known): find_package must refuse.
execute_process(COMMAND ${CMAKE_COMMAND} -S ${CONSUMER_DIR} -B ${WORK_DIR}/build -DMESHMPC_COMPONENTS=core,${MISSING}
  RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
string(REGEX REPLACE "[ \n]+" " " said "${err}")  # CMake wraps the package's message
string(FIND "${said}" "${MISSING_MESSAGE}" at)
if(rc EQUAL 0 OR at EQUAL -1)
  message(FATAL_ERROR "COMPONENTS core ${MISSING}: expected a failure saying '${MISSING_MESSAGE}', got (${rc}):\n${out}\n${err}")
endif()
file(REMOVE_RECURSE ${WORK_DIR})
