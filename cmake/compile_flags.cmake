# cmake/compile_flags.cmake: how our own C/C++ (tests, examples, the header
# check) is compiled: warnings as errors, RS2N_SANITIZE's sanitizers, and the
# environment sanitized tests run with. The Rust library is never
# instrumented.
#
# Sets RS2N_C_FLAGS, RS2N_CXX_FLAGS, RS2N_SAN_FLAGS, RS2N_CERTS_DIR (the test
# PKI) and RS2N_TEST_ENV, and defines rs2n_c_target(<target>).

set(RS2N_C_FLAGS -Wall -Wextra -Werror -pedantic)
set(RS2N_CXX_FLAGS -Wall -Wextra -Werror)
set(RS2N_SAN_FLAGS "")
if(RS2N_SANITIZE)
  set(RS2N_SAN_FLAGS -fsanitize=${RS2N_SANITIZE} -fno-omit-frame-pointer -fno-sanitize-recover=all)
  message(STATUS "rs2n: tests and examples built with -fsanitize=${RS2N_SANITIZE}")
endif()

set(RS2N_CERTS_DIR "${PROJECT_SOURCE_DIR}/c-tests/certs")

# The environment of tests whose programs are sanitized (C tests, interop).
set(RS2N_TEST_ENV "")
if(RS2N_SANITIZE MATCHES "address")
  # LeakSanitizer is on by default with ASan; say so explicitly, and point
  # it at the (minimal, commented) suppression file.
  list(APPEND RS2N_TEST_ENV "ASAN_OPTIONS=detect_leaks=1:check_initialization_order=1:strict_init_order=1")
  list(APPEND RS2N_TEST_ENV "LSAN_OPTIONS=suppressions=${PROJECT_SOURCE_DIR}/c-tests/lsan.supp:print_suppressions=0")
endif()
if(RS2N_SANITIZE MATCHES "undefined")
  list(APPEND RS2N_TEST_ENV "UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1")
endif()

# Applies the project's C/C++ settings to a test or example target.
function(rs2n_c_target target)
  set_target_properties(${target} PROPERTIES
    C_STANDARD 99 C_STANDARD_REQUIRED ON C_EXTENSIONS OFF
    CXX_STANDARD 17 CXX_STANDARD_REQUIRED ON CXX_EXTENSIONS OFF)
  target_compile_options(${target} PRIVATE
    $<$<COMPILE_LANGUAGE:C>:${RS2N_C_FLAGS}>
    $<$<COMPILE_LANGUAGE:CXX>:${RS2N_CXX_FLAGS}>
    ${RS2N_SAN_FLAGS}
    -UNDEBUG)  # assert() stays active in tests even in Release builds
  # socketpair, fcntl, pthreads, clock_gettime... under -std=c99
  target_compile_definitions(${target} PRIVATE _GNU_SOURCE
    RS2N_CERTS_DIR="${RS2N_CERTS_DIR}")
  target_link_options(${target} PRIVATE ${RS2N_SAN_FLAGS})
endfunction()
