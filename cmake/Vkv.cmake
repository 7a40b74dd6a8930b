# Helpers shared by every chapter's CMakeLists.txt.

# Adds -fsanitize=... to everything when VKV_SANITIZE is set.
macro(vkv_setup_sanitizer)
  if(VKV_SANITIZE)
    if(NOT VKV_SANITIZE MATCHES "^(address|undefined|thread)$")
      message(FATAL_ERROR "VKV_SANITIZE must be address, undefined or thread, not '${VKV_SANITIZE}'")
    endif()
    add_compile_options(-fsanitize=${VKV_SANITIZE} -fno-omit-frame-pointer -g)
    add_link_options(-fsanitize=${VKV_SANITIZE})
    if(VKV_SANITIZE STREQUAL "undefined")
      add_compile_options(-fno-sanitize-recover=all)
    endif()
    # The sanitizers' instrumentation makes g++ 12 warn of values "maybe used uninitialized"
    # inside the standard library (std::regex's std::function), which -Werror would turn into
    # a failed build. Here the warning stays a warning; the build without a sanitizer, which
    # `make test` runs with -Werror, still fails on it in vkv's own code.
    if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
      add_compile_options(-Wno-error=maybe-uninitialized)
    endif()
  endif()
endmacro()

# With VKV_FUZZ, everything is built with coverage for libFuzzer and with ASan and UBSan;
# the fuzz targets link libFuzzer's main. Needs clang.
macro(vkv_setup_fuzzing)
  if(VKV_FUZZ)
    if(NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
      message(FATAL_ERROR "VKV_FUZZ needs clang (CXX=clang++)")
    endif()
    add_compile_options(-fsanitize=fuzzer-no-link,address,undefined -g)
    add_link_options(-fsanitize=address,undefined)
  endif()
endmacro()

# Finds Catch2 and Google Benchmark according to VKV_TESTS and VKV_BENCH.
macro(vkv_setup_test_frameworks)
  set(VKV_HAVE_TESTS OFF)
  if(VKV_TESTS STREQUAL "ON")
    find_package(Catch2 2 REQUIRED)
    set(VKV_HAVE_TESTS ON)
  elseif(VKV_TESTS STREQUAL "AUTO")
    find_package(Catch2 2 QUIET)
    set(VKV_HAVE_TESTS ${Catch2_FOUND})
  endif()
  if(VKV_HAVE_TESTS)
    include(CTest)
    include(Catch)
  endif()

  set(VKV_HAVE_BENCH OFF)
  if(VKV_BENCH STREQUAL "ON")
    find_package(benchmark REQUIRED)
    set(VKV_HAVE_BENCH ON)
  elseif(VKV_BENCH STREQUAL "AUTO")
    find_package(benchmark QUIET)
    set(VKV_HAVE_BENCH ${benchmark_FOUND})
  endif()
endmacro()

# vkv_test_compile_options(<target>): VKV_TEST_CXX_FLAGS on a target of test sources.
function(vkv_test_compile_options target)
  if(VKV_TEST_CXX_FLAGS)
    separate_arguments(test_flags UNIX_COMMAND "${VKV_TEST_CXX_FLAGS}")
    target_compile_options(${target} PRIVATE ${test_flags})
  endif()
endfunction()

# vkv_add_tests(<name> <sources...> [LIBS <libs...>] [LABEL <label>])
# One Catch2 test program, build/tests/<name>-tests, each test registered with CTest under
# the label <name> (ch01, ch02, ...), or LABEL when given (the e2e tests of the server: ch06).
function(vkv_add_tests label)
  if(NOT VKV_HAVE_TESTS)
    return()
  endif()
  cmake_parse_arguments(ARG "" "LABEL" "LIBS" ${ARGN})
  set(target ${label}-tests)
  if(NOT ARG_LABEL)
    set(ARG_LABEL ${label})
  endif()
  add_executable(${target} ${ARG_UNPARSED_ARGUMENTS})
  set_target_properties(${target} PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/tests)
  target_link_libraries(${target} PRIVATE ${ARG_LIBS} vkv_testing Catch2::Catch2WithMain)
  vkv_test_compile_options(${target})
  if(VKV_TEST_UNITY)
    set_target_properties(${target} PROPERTIES UNITY_BUILD ON UNITY_BUILD_BATCH_SIZE ${VKV_TEST_UNITY})
  endif()
  list(LENGTH ARG_UNPARSED_ARGUMENTS source_count)
  if(VKV_TEST_PCH AND source_count GREATER 1)  # for one source it only costs
    target_precompile_headers(${target} PRIVATE <catch2/catch.hpp>)
  endif()
  # --warn NoTests: a test whose name ctest cannot hand back to Catch intact (a backslash, or a
  # ';', which splits it in two) would match nothing and pass without running; now it fails.
  catch_discover_tests(${target} TEST_PREFIX "${label}: " EXTRA_ARGS --warn NoTests
                       PROPERTIES LABELS ${ARG_LABEL})
endfunction()

# vkv_add_benchmark(<name> <sources...> [LIBS <libs...>])
# One Google Benchmark program, build/bench/<name>. `make bench` runs every one of them.
function(vkv_add_benchmark name)
  if(NOT VKV_HAVE_BENCH)
    return()
  endif()
  cmake_parse_arguments(ARG "" "" "LIBS" ${ARGN})
  add_executable(${name} ${ARG_UNPARSED_ARGUMENTS})
  set_target_properties(${name} PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/bench)
  target_link_libraries(${name} PRIVATE ${ARG_LIBS} vkv_benchmarking benchmark::benchmark)
  set_property(GLOBAL APPEND PROPERTY VKV_BENCHMARKS ${name})
endfunction()

# vkv_use_node_clients(TARGET PREFIX): the test program TARGET runs chapter 9's Node Redis
# clients (chapters/09-resp/tests/clients): PREFIX_NODE names node (the one found, else
# /usr/bin/node, where make test installs it), and their npm install is built first.
function(vkv_use_node_clients target prefix)
  if(VKV_NODE)
    target_compile_definitions(${target} PRIVATE ${prefix}_NODE="${VKV_NODE}")
  else()
    target_compile_definitions(${target} PRIVATE ${prefix}_NODE="/usr/bin/node")
  endif()
  if(TARGET ch09-node-clients)
    add_dependencies(${target} ch09-node-clients)
  endif()
endfunction()
