# Configures, builds and runs the test suite with -fsanitize=address,undefined
# and per-object arena allocations, in its own build folder (BIN).
execute_process(COMMAND ${CMAKE_COMMAND} -S ${SRC} -B ${BIN} -DCMAKE_BUILD_TYPE=Debug
                        -DRP_SANITIZE=ON -DRP_ARENA_MALLOC=ON -DRP_NESTED_SANITIZE=OFF
                RESULT_VARIABLE rc)
if(rc)
  message(FATAL_ERROR "sanitizer build: configure failed")
endif()
execute_process(COMMAND ${CMAKE_COMMAND} --build ${BIN} -j 2 RESULT_VARIABLE rc)
if(rc)
  message(FATAL_ERROR "sanitizer build: build failed")
endif()
set(ENV{ASAN_OPTIONS} "detect_leaks=1:abort_on_error=0:halt_on_error=1")
set(ENV{UBSAN_OPTIONS} "print_stacktrace=1:halt_on_error=1")
execute_process(COMMAND ${CMAKE_CTEST_COMMAND} --test-dir ${BIN} --output-on-failure -j 2
                RESULT_VARIABLE rc)
if(rc)
  message(FATAL_ERROR "sanitizer build: tests failed")
endif()
