include(CMakePackageConfigHelpers)
set(STRUCTLAB_CMAKE_DIR "${CMAKE_INSTALL_LIBDIR}/cmake/structlab")

install(EXPORT structlabTargets NAMESPACE structlab:: DESTINATION "${STRUCTLAB_CMAKE_DIR}")
# A build-tree export lets a plugin project use this build without installing it.
export(EXPORT structlabTargets NAMESPACE structlab:: FILE "${PROJECT_BINARY_DIR}/structlabTargets.cmake")

configure_package_config_file(cmake/structlabConfig.cmake.in "${PROJECT_BINARY_DIR}/structlabConfig.cmake"
  INSTALL_DESTINATION "${STRUCTLAB_CMAKE_DIR}")
write_basic_package_version_file("${PROJECT_BINARY_DIR}/structlabConfigVersion.cmake"
  COMPATIBILITY SameMinorVersion)
configure_file(cmake/StructlabPlugin.cmake "${PROJECT_BINARY_DIR}/StructlabPlugin.cmake" COPYONLY)
install(FILES "${PROJECT_BINARY_DIR}/structlabConfig.cmake" "${PROJECT_BINARY_DIR}/structlabConfigVersion.cmake"
              cmake/StructlabPlugin.cmake
        DESTINATION "${STRUCTLAB_CMAKE_DIR}")
