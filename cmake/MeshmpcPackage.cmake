# Installs the export set and a package config so that find_package(meshmpc) works.
include(CMakePackageConfigHelpers)
set(MESHMPC_CMAKE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/meshmpc)
install(EXPORT meshmpcTargets NAMESPACE meshmpc:: DESTINATION ${MESHMPC_CMAKE_DIR})
# The components find_package(meshmpc COMPONENTS ...) accepts: the targets, and
# core for the four layers under every transport (meshmpcConfig.cmake.in).
set(MESHMPC_PACKAGE_COMPONENTS core field sharing net runtime ${MESHMPC_TRANSPORTS} cli)
configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/meshmpcConfig.cmake.in
  ${PROJECT_BINARY_DIR}/meshmpcConfig.cmake INSTALL_DESTINATION ${MESHMPC_CMAKE_DIR})
write_basic_package_version_file(${PROJECT_BINARY_DIR}/meshmpcConfigVersion.cmake
  COMPATIBILITY SameMinorVersion)
set(find_modules FindNTL.cmake FindSodium.cmake)
if(MESHMPC_WITH_NEBULA)
  list(APPEND find_modules FindYaml.cmake)
endif()
list(TRANSFORM find_modules PREPEND ${PROJECT_SOURCE_DIR}/cmake/)
install(FILES
  ${PROJECT_BINARY_DIR}/meshmpcConfig.cmake
  ${PROJECT_BINARY_DIR}/meshmpcConfigVersion.cmake
  ${find_modules}
  DESTINATION ${MESHMPC_CMAKE_DIR})
