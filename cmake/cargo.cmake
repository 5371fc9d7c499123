# cmake/cargo.cmake: the Rust library, built by cargo, as CMake targets.
#
# Sets RS2N_SHARED_LIB, RS2N_STATIC_LIB (the files cargo makes), RS2N_SONAME,
# RS2N_INCLUDE_DIR and RS2N_HEADER (include/s2n.h), and defines the in-tree
# targets rs2n::shared, rs2n::static and rs2n::rs2n (= shared), which build
# the library first (target rs2n_cargo).

find_program(CARGO_EXECUTABLE cargo HINTS "$ENV{CARGO_HOME}/bin" "$ENV{HOME}/.cargo/bin")
if(NOT CARGO_EXECUTABLE)
  message(FATAL_ERROR "cargo not found (install Rust, or set CARGO_EXECUTABLE)")
endif()

if(CMAKE_BUILD_TYPE STREQUAL "Debug")
  set(RS2N_CARGO_PROFILE dev)
  set(RS2N_CARGO_PROFILE_DIR debug)
else()
  set(RS2N_CARGO_PROFILE release)
  set(RS2N_CARGO_PROFILE_DIR release)
endif()

set(RS2N_LIB_DIR "${RS2N_CARGO_TARGET_DIR}/${RS2N_CARGO_PROFILE_DIR}")
set(RS2N_SHARED_LIB "${RS2N_LIB_DIR}/librs2n.so")
set(RS2N_STATIC_LIB "${RS2N_LIB_DIR}/librs2n.a")
set(RS2N_SONAME "librs2n.so")
set(RS2N_INCLUDE_DIR "${PROJECT_SOURCE_DIR}/include")
set(RS2N_HEADER "${RS2N_INCLUDE_DIR}/s2n.h")

# A custom target always runs: cargo decides itself what is stale.
# `cargo rustc --lib` (rather than `cargo build`) lets us give the final link
# of the cdylib a DT_SONAME, which cargo does not set on its own; the flag only
# reaches the rs2n crate, never its dependencies. The C libraries get the
# mem-callbacks feature: their global allocator serves s2n_mem_set_callbacks.
# RS2N_CRYPTO=aws-lc-rs adds the feature that switches rustls' provider.
# (build.rs has the cdylib export s2n_errno, the thread-local.)
set(RS2N_CARGO_FEATURES mem-callbacks)
if(RS2N_CRYPTO STREQUAL "aws-lc-rs")
  set(RS2N_CARGO_FEATURES "mem-callbacks,aws-lc-rs")
endif()
add_custom_target(rs2n_cargo ALL
  COMMAND "${CARGO_EXECUTABLE}" rustc --lib
          --manifest-path "${PROJECT_SOURCE_DIR}/Cargo.toml"
          --profile ${RS2N_CARGO_PROFILE}
          --features ${RS2N_CARGO_FEATURES}
          --target-dir "${RS2N_CARGO_TARGET_DIR}"
          -- -C link-arg=-Wl,-soname,${RS2N_SONAME}
  WORKING_DIRECTORY "${PROJECT_SOURCE_DIR}"
  BYPRODUCTS "${RS2N_SHARED_LIB}" "${RS2N_STATIC_LIB}"
  COMMENT "cargo: building librs2n (${RS2N_CARGO_PROFILE})"
  USES_TERMINAL
  VERBATIM)

# In-tree targets. INTERFACE libraries (not IMPORTED ones) so that configuring
# does not insist that include/ already exists.
add_library(rs2n_shared INTERFACE)
target_include_directories(rs2n_shared INTERFACE "${RS2N_INCLUDE_DIR}")
target_link_libraries(rs2n_shared INTERFACE "${RS2N_SHARED_LIB}")
add_dependencies(rs2n_shared rs2n_cargo)

add_library(rs2n_static INTERFACE)
target_include_directories(rs2n_static INTERFACE "${RS2N_INCLUDE_DIR}")
target_link_libraries(rs2n_static INTERFACE "${RS2N_STATIC_LIB}" ${RS2N_NATIVE_STATIC_LIBS})
add_dependencies(rs2n_static rs2n_cargo)

add_library(rs2n::shared ALIAS rs2n_shared)
add_library(rs2n::static ALIAS rs2n_static)
add_library(rs2n::rs2n ALIAS rs2n_shared)
