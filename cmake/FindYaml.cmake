# libyaml (Debian: libyaml-dev) ships a pkg-config file but no CMake config.
find_package(PkgConfig QUIET)
if(PkgConfig_FOUND)
  pkg_check_modules(PC_YAML QUIET yaml-0.1)
endif()
find_path(Yaml_INCLUDE_DIR NAMES yaml.h HINTS ${PC_YAML_INCLUDE_DIRS})
find_library(Yaml_LIBRARY NAMES yaml HINTS ${PC_YAML_LIBRARY_DIRS})
include(FindPackageHandleStandardArgs)
find_package_handle_standard_args(Yaml REQUIRED_VARS Yaml_LIBRARY Yaml_INCLUDE_DIR)
if(Yaml_FOUND AND NOT TARGET Yaml::Yaml)
  add_library(Yaml::Yaml UNKNOWN IMPORTED)
  set_target_properties(Yaml::Yaml PROPERTIES
    IMPORTED_LOCATION "${Yaml_LIBRARY}"
    INTERFACE_INCLUDE_DIRECTORIES "${Yaml_INCLUDE_DIR}")
endif()
mark_as_advanced(Yaml_INCLUDE_DIR Yaml_LIBRARY)
