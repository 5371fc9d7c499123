# cmake/memcheck.cmake: valgrind memcheck for the C tests, through CTest's own
# memory checking:
#
#   RS2N_UNDER_VALGRIND=1 ctest --test-dir build -T memcheck -L c-tests
#
# (scripts/memcheck.sh runs that and also fails on any report; use it.) Meant
# for the uninstrumented Release build: memcheck then sees the Rust library too,
# which the sanitizer builds (RS2N_SANITIZE) do not instrument.
#
# `ctest -T memcheck` reads its settings from DartConfiguration.tcl in the top
# build directory, which include(CTest) would write along with a dozen
# dashboard targets this project has no use for; this writes just the part
# memcheck needs. The settings are CTest's usual cache variables:
#   MEMORYCHECK_COMMAND            valgrind (found on PATH)
#   MEMORYCHECK_COMMAND_OPTIONS    see below: any memcheck error, or a
#                                  definite leak, makes valgrind exit 99, and
#                                  so the test fail
#   MEMORYCHECK_SUPPRESSIONS_FILE  c-tests/valgrind.supp (known false
#                                  positives outside rs2n, each explained)
# CTest itself adds --log-file (build/Testing/Temporary/MemoryChecker.<n>.log)
# and --suppressions.

find_program(MEMORYCHECK_COMMAND valgrind
  DOC "valgrind, for ctest -T memcheck (the C tests under memcheck)")
set(MEMORYCHECK_COMMAND_OPTIONS
  "--error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite --show-leak-kinds=definite --num-callers=40"
  CACHE STRING "valgrind options for ctest -T memcheck")
set(MEMORYCHECK_SUPPRESSIONS_FILE "${PROJECT_SOURCE_DIR}/c-tests/valgrind.supp"
  CACHE FILEPATH "valgrind suppressions for ctest -T memcheck")
mark_as_advanced(MEMORYCHECK_COMMAND MEMORYCHECK_COMMAND_OPTIONS MEMORYCHECK_SUPPRESSIONS_FILE)

file(CONFIGURE OUTPUT "${PROJECT_BINARY_DIR}/DartConfiguration.tcl" CONTENT
"# Written by cmake/memcheck.cmake: what `ctest -T memcheck` needs, nothing more.
SourceDirectory: ${PROJECT_SOURCE_DIR}
BuildDirectory: ${PROJECT_BINARY_DIR}
MemoryCheckType: Valgrind
MemoryCheckCommand: ${MEMORYCHECK_COMMAND}
MemoryCheckCommandOptions: ${MEMORYCHECK_COMMAND_OPTIONS}
MemoryCheckSuppressionFile: ${MEMORYCHECK_SUPPRESSIONS_FILE}
TimeOut: ${RS2N_TEST_TIMEOUT}
")
