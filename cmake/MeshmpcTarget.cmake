# meshmpc_add_library(<layer> SOURCES ... DEPS ...): one library per layer, exported
# as meshmpc::<layer>. Warnings are per target so that users' flags stay theirs.
# GCC 12 false positives, off for GCC < 13 only: -Wrestrict inside libstdc++'s
# std::string operator+ at -O3 (GCC bug 105329), and -Wmismatched-new-delete on
# Asio's coroutine frames, whose class-specific operator new/delete it pairs
# wrongly after inlining (GCC bug 109224).
function(meshmpc_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic
    $<$<AND:$<CXX_COMPILER_ID:GNU>,$<VERSION_LESS:$<CXX_COMPILER_VERSION>,13>>:-Wno-restrict -Wno-mismatched-new-delete>
    $<$<BOOL:${MESHMPC_WERROR}>:-Werror>)
endfunction()

# Extra compile options for the code whose time goes to waiting on the network
# rather than to computing: net, cli, the transports, the programs and examples.
# The ASan preset compiles it at -O0 — Asio's coroutine code then compiles in
# about half the time (src/net/accept.cpp: 34 s at -O1, 19 s at -O0) — while the
# field, sharing and runtime layers, where a test's time goes, stay at -O1.
set(MESHMPC_IO_COMPILE_OPTIONS "" CACHE STRING "extra compile options for the I/O layers and programs (e.g. -O0)")
function(meshmpc_io_code target)
  separate_arguments(options UNIX_COMMAND "${MESHMPC_IO_COMPILE_OPTIONS}")
  target_compile_options(${target} PRIVATE ${options})
endfunction()

function(meshmpc_add_library layer)
  cmake_parse_arguments(ARG "" "" "SOURCES;PUBLIC_DEPS;PRIVATE_DEPS" ${ARGN})
  set(target meshmpc_${layer})
  add_library(${target} ${ARG_SOURCES})
  add_library(meshmpc::${layer} ALIAS ${target})
  set_target_properties(${target} PROPERTIES EXPORT_NAME ${layer} OUTPUT_NAME meshmpc_${layer}
    POSITION_INDEPENDENT_CODE ON)
  target_compile_features(${target} PUBLIC cxx_std_20)
  target_include_directories(${target} PUBLIC
    $<BUILD_INTERFACE:${PROJECT_SOURCE_DIR}/include>
    $<INSTALL_INTERFACE:${CMAKE_INSTALL_INCLUDEDIR}>)
  target_link_libraries(${target} PUBLIC ${ARG_PUBLIC_DEPS} PRIVATE ${ARG_PRIVATE_DEPS})
  meshmpc_warnings(${target})
  if(NOT layer IN_LIST "field;sharing;runtime")
    meshmpc_io_code(${target})
  endif()
  install(TARGETS ${target} EXPORT meshmpcTargets
    ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
    LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR})
endfunction()
