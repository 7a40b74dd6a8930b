// Runs the real ch01-framing program on transcript inputs and compares what it prints.
#include <catch2/catch.hpp>

#include "common/testing/test_util.hpp"

using vkv::testing::read_whole_file;
using vkv::testing::run_program;

TEST_CASE("ch01-framing prints each line and the partial tail (transcript basic)", "[ch01]") {
  const std::string dir = CH01_TRANSCRIPTS;
  auto result = run_program(CH01_PROGRAM, {}, read_whole_file(dir + "/basic.in"));
  CHECK(result.exit_code == 0);
  CHECK(result.out == read_whole_file(dir + "/basic.out"));
}

TEST_CASE("ch01-framing reports a too-long line and goes on", "[ch01]") {
  auto result = run_program(CH01_PROGRAM, {"--max-line", "8"}, "short\n0123456789abc\nafter\n");
  CHECK(result.exit_code == 0);
  CHECK(result.out ==
        "line 1 (5 bytes): short\n"
        "error: line 2 is longer than 8 bytes; discarded up to its newline\n"
        "line 3 (5 bytes): after\n");
}

TEST_CASE("ch01-framing shows NUL bytes escaped", "[ch01]") {
  auto result = run_program(CH01_PROGRAM, {}, std::string("a\0b\n", 4));
  CHECK(result.out == "line 1 (3 bytes): a\\x00b\n");
}

TEST_CASE("ch01-framing rejects a bad flag with exit code 2", "[ch01]") {
  auto result = run_program(CH01_PROGRAM, {"--max-line", "huge"}, "");
  CHECK(result.exit_code == 2);
  CHECK(result.err.find("bad value 'huge' for --max-line") != std::string::npos);
}
