# Configures, builds and runs the test suite with -fsanitize=address,undefined
# and per-object arena allocations, in its own build folder (BIN).
# Minutes of work, so it says what it is doing as it goes: each stage with the
# seconds since the start, the build every 10 %, then one line per test as the
# inner ctest finishes it. ctest shows a test's output live only with -V
# (.ci/test runs this entry that way; `ctest -R sanitizers -V` by hand).
string(TIMESTAMP t0 "%s")
function(say msg)
  string(TIMESTAMP now "%s")
  math(EXPR s "${now} - ${t0}")
  message(STATUS "sanitizers [${s} s]: ${msg}")
endfunction()

# make's stdout: "[ 45%] Building C object …" lines become one line per 10 %
# with the number of files compiled so far; anything else (errors come on
# stderr, untouched) is passed through.
set(progress_awk [=[
/^\[ *[0-9]+%\]/ {
  if ($0 ~ /Building C object/) files++
  p = substr($0, 2) + 0
  if (p >= next_p) {
    printf "-- sanitizers: build %3d %% (%d files compiled)\n", p, files
    fflush()
    while (next_p <= p) next_p += 10
  }
  next
}
/^(Consolidate compiler|Scanning dependencies)/ { next }
{ print; fflush() }
]=])

say("configure ${BIN} (Debug, ASan + UBSan, RP_ARENA_MALLOC)")
execute_process(COMMAND ${CMAKE_COMMAND} -S ${SRC} -B ${BIN} -DCMAKE_BUILD_TYPE=Debug
                        -DRP_SANITIZE=ON -DRP_ARENA_MALLOC=ON -DRP_NESTED_SANITIZE=OFF
                OUTPUT_QUIET RESULT_VARIABLE rc)
if(rc)
  message(FATAL_ERROR "sanitizer build: configure failed")
endif()
say("build (2 jobs)")
execute_process(COMMAND ${CMAKE_COMMAND} --build ${BIN} -j 2
                COMMAND awk "${progress_awk}"
                RESULTS_VARIABLE rcs)
list(GET rcs 0 rc)
if(rc)
  message(FATAL_ERROR "sanitizer build: build failed")
endif()
set(ENV{ASAN_OPTIONS} "detect_leaks=1:abort_on_error=0:halt_on_error=1")
set(ENV{UBSAN_OPTIONS} "print_stacktrace=1:halt_on_error=1")
say("run the suite under the sanitizers (one line per test)")
execute_process(COMMAND ${CMAKE_CTEST_COMMAND} --test-dir ${BIN} --output-on-failure -j 2
                RESULT_VARIABLE rc)
if(rc)
  message(FATAL_ERROR "sanitizer build: tests failed")
endif()
say("done")
