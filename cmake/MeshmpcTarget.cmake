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
  install(TARGETS ${target} EXPORT meshmpcTargets
    ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
    LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR})
endfunction()
