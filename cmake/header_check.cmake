# cmake/header_check.cmake: include/s2n.h, and with it each unstable header of
# include/s2n/unstable/, compiles as C99 and as C++11, with our warnings as
# errors (target rs2n_header_check, built by default). Without the header (not
# generated yet) it only warns.

if(EXISTS "${RS2N_HEADER}")
  set(_hc_dir "${PROJECT_BINARY_DIR}/header_check")
  # Included twice: the include guard must work too.
  set(_hc_body "#include <s2n.h>\n#include <s2n.h>\n")
  file(GLOB _hc_unstable CONFIGURE_DEPENDS RELATIVE "${RS2N_INCLUDE_DIR}"
       "${RS2N_INCLUDE_DIR}/s2n/unstable/*.h")
  list(SORT _hc_unstable)
  foreach(_h IN LISTS _hc_unstable)
    string(APPEND _hc_body "#include <${_h}>\n#include <${_h}>\n")
  endforeach()
  string(APPEND _hc_body "int rs2n_header_check_dummy(void);\n")
  file(WRITE "${_hc_dir}/header_check.c.in" "${_hc_body}")
  file(WRITE "${_hc_dir}/header_check.cpp.in" "${_hc_body}")
  configure_file("${_hc_dir}/header_check.c.in" "${_hc_dir}/header_check.c" COPYONLY)
  configure_file("${_hc_dir}/header_check.cpp.in" "${_hc_dir}/header_check.cpp" COPYONLY)

  add_library(rs2n_header_check_c OBJECT "${_hc_dir}/header_check.c")
  set_target_properties(rs2n_header_check_c PROPERTIES
    C_STANDARD 99 C_STANDARD_REQUIRED ON C_EXTENSIONS OFF)
  target_compile_options(rs2n_header_check_c PRIVATE ${RS2N_C_FLAGS})
  target_include_directories(rs2n_header_check_c PRIVATE "${RS2N_INCLUDE_DIR}")

  add_library(rs2n_header_check_cxx OBJECT "${_hc_dir}/header_check.cpp")
  set_target_properties(rs2n_header_check_cxx PROPERTIES
    CXX_STANDARD 11 CXX_STANDARD_REQUIRED ON CXX_EXTENSIONS OFF)
  target_compile_options(rs2n_header_check_cxx PRIVATE ${RS2N_CXX_FLAGS} -pedantic)
  target_include_directories(rs2n_header_check_cxx PRIVATE "${RS2N_INCLUDE_DIR}")

  add_custom_target(rs2n_header_check ALL DEPENDS rs2n_header_check_c rs2n_header_check_cxx)
else()
  message(WARNING "include/s2n.h does not exist (yet): no header check, and install() will fail")
endif()
