# cmake/install.cmake: what `cmake --install` puts under the prefix:
#   lib/librs2n.so, lib/librs2n.a, include/s2n.h,
#   include/s2n/unstable/*.h                   s2n's unstable headers rs2n implements,
#                                              where s2n-tls installs them
#   lib/cmake/rs2n/rs2nConfig{,Version}.cmake  find_package(rs2n): rs2n::rs2n
#                                              (shared), rs2n::rs2n_static
#   lib/pkgconfig/rs2n.pc                      pkg-config rs2n [--static]
# (lib = CMAKE_INSTALL_LIBDIR, include = CMAKE_INSTALL_INCLUDEDIR.)

include(CMakePackageConfigHelpers)

install(FILES "${RS2N_SHARED_LIB}" DESTINATION "${CMAKE_INSTALL_LIBDIR}"
  PERMISSIONS OWNER_READ OWNER_WRITE OWNER_EXECUTE GROUP_READ GROUP_EXECUTE
              WORLD_READ WORLD_EXECUTE)
install(FILES "${RS2N_STATIC_LIB}" DESTINATION "${CMAKE_INSTALL_LIBDIR}")
install(FILES "${RS2N_HEADER}" DESTINATION "${CMAKE_INSTALL_INCLUDEDIR}")
file(GLOB RS2N_UNSTABLE_HEADERS CONFIGURE_DEPENDS "${RS2N_INCLUDE_DIR}/s2n/unstable/*.h")
install(FILES ${RS2N_UNSTABLE_HEADERS} DESTINATION "${CMAKE_INSTALL_INCLUDEDIR}/s2n/unstable")

# CMake package: rs2n::rs2n (shared), rs2n::rs2n_static.
set(RS2N_CMAKE_DIR "${CMAKE_INSTALL_LIBDIR}/cmake/rs2n")
configure_package_config_file(
  "${PROJECT_SOURCE_DIR}/cmake/rs2nConfig.cmake.in"
  "${PROJECT_BINARY_DIR}/rs2nConfig.cmake"
  INSTALL_DESTINATION "${RS2N_CMAKE_DIR}"
  PATH_VARS CMAKE_INSTALL_LIBDIR CMAKE_INSTALL_INCLUDEDIR)
# 0.x: a minor version bump may break the API.
write_basic_package_version_file(
  "${PROJECT_BINARY_DIR}/rs2nConfigVersion.cmake"
  VERSION ${PROJECT_VERSION} COMPATIBILITY SameMinorVersion)
install(FILES "${PROJECT_BINARY_DIR}/rs2nConfig.cmake"
              "${PROJECT_BINARY_DIR}/rs2nConfigVersion.cmake"
        DESTINATION "${RS2N_CMAKE_DIR}")

# pkg-config file, relocatable: paths are relative to ${pcfiledir}, so the
# same .pc works after `cmake --install --prefix <elsewhere>` or DESTDIR.
set(RS2N_PC_DIR "${CMAKE_INSTALL_LIBDIR}/pkgconfig")
if(IS_ABSOLUTE "${CMAKE_INSTALL_LIBDIR}" OR IS_ABSOLUTE "${CMAKE_INSTALL_INCLUDEDIR}")
  set(RS2N_PC_PREFIX "${CMAKE_INSTALL_PREFIX}")
  set(RS2N_PC_LIBDIR "${CMAKE_INSTALL_FULL_LIBDIR}")
  set(RS2N_PC_INCLUDEDIR "${CMAKE_INSTALL_FULL_INCLUDEDIR}")
else()
  file(RELATIVE_PATH _up "/prefix/${RS2N_PC_DIR}" "/prefix")
  string(REGEX REPLACE "/$" "" _up "${_up}")
  set(RS2N_PC_PREFIX "\${pcfiledir}/${_up}")
  set(RS2N_PC_LIBDIR "\${prefix}/${CMAKE_INSTALL_LIBDIR}")
  set(RS2N_PC_INCLUDEDIR "\${prefix}/${CMAKE_INSTALL_INCLUDEDIR}")
endif()
set(RS2N_PC_LIBS_PRIVATE "")
foreach(_lib IN LISTS RS2N_NATIVE_STATIC_LIBS)
  string(APPEND RS2N_PC_LIBS_PRIVATE " -l${_lib}")
endforeach()
string(STRIP "${RS2N_PC_LIBS_PRIVATE}" RS2N_PC_LIBS_PRIVATE)
configure_file("${PROJECT_SOURCE_DIR}/rs2n.pc.in"
               "${PROJECT_BINARY_DIR}/rs2n.pc" @ONLY)
install(FILES "${PROJECT_BINARY_DIR}/rs2n.pc" DESTINATION "${RS2N_PC_DIR}")
