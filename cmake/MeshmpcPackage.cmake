# Installs the export set and a package config so that find_package(meshmpc) works.
include(CMakePackageConfigHelpers)
set(MESHMPC_CMAKE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/meshmpc)
install(EXPORT meshmpcTargets NAMESPACE meshmpc:: DESTINATION ${MESHMPC_CMAKE_DIR})
configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/meshmpcConfig.cmake.in
  ${PROJECT_BINARY_DIR}/meshmpcConfig.cmake INSTALL_DESTINATION ${MESHMPC_CMAKE_DIR})
write_basic_package_version_file(${PROJECT_BINARY_DIR}/meshmpcConfigVersion.cmake
  COMPATIBILITY SameMinorVersion)
install(FILES
  ${PROJECT_BINARY_DIR}/meshmpcConfig.cmake
  ${PROJECT_BINARY_DIR}/meshmpcConfigVersion.cmake
  ${PROJECT_SOURCE_DIR}/cmake/FindNTL.cmake
  ${PROJECT_SOURCE_DIR}/cmake/FindSodium.cmake
  ${PROJECT_SOURCE_DIR}/cmake/FindYaml.cmake
  DESTINATION ${MESHMPC_CMAKE_DIR})
