// The checks of the page's exercises. They are hidden ([.exercise]): `make test` skips them,
// `make exercise N=1` runs them, and each fails until the learner has done its exercise.
// They drive the real ch01-framing program, so they compile before the exercise is done.
#include <catch2/catch.hpp>

#include <string>

#include "common/testing/test_util.hpp"

using vkv::testing::run_program;

TEST_CASE("the --crlf-only flag ends a line only at CR LF", "[.exercise][ch01]") {
  // The program reads 7 bytes, then 3: the first line's \r ends one read and its \n starts
  // the next, and the second line holds a bare \n.
  const auto result = run_program(CH01_PROGRAM, {"--crlf-only"}, "abcdef\r\ng\nh\r\n");
  INFO("its standard error: " << result.err);
  CHECK(result.exit_code == 0);
  CHECK(result.out ==
        "line 1 (6 bytes): abcdef\n"
        "line 2 (3 bytes): g\\nh\n");

  // A \n that is not after a \r never ends a line, however many arrive.
  const auto bare = run_program(CH01_PROGRAM, {"--crlf-only"}, "a\nb\nc");
  CHECK(bare.out == "error: input ended inside line 1 (5 bytes, no newline): a\\nb\\nc\n");
}

TEST_CASE("the --show-discarded flag counts the bytes of too-long lines", "[.exercise][ch01]") {
  // 13 bytes thrown away from a line of "0123456789abc" with a limit of 8.
  const auto one = run_program(CH01_PROGRAM, {"--max-line", "8", "--show-discarded"},
                               "short\n0123456789abc\nafter\n");
  INFO("its standard error: " << one.err);
  CHECK(one.exit_code == 0);
  CHECK(one.out ==
        "line 1 (5 bytes): short\n"
        "error: line 2 is longer than 8 bytes; discarded up to its newline\n"
        "line 3 (5 bytes): after\n"
        "discarded 13 bytes in 1 line\n");

  // Two long lines, the second ending in \r\n: line endings are not counted, even when a
  // read ends between the \r and the \n (with the program's read sizes, the \r here is
  // the last byte of a read and the \n a read of its own). 100 + 54 bytes.
  const std::string input = std::string(100, 'x') + "\nok\n" + std::string(54, 'y') + "\r\n";
  const auto two = run_program(CH01_PROGRAM, {"--max-line", "8", "--show-discarded"}, input);
  CHECK(two.out ==
        "error: line 1 is longer than 8 bytes; discarded up to its newline\n"
        "line 2 (2 bytes): ok\n"
        "error: line 3 is longer than 8 bytes; discarded up to its newline\n"
        "discarded 154 bytes in 2 lines\n");

  // Without the flag, nothing more is printed.
  const auto plain = run_program(CH01_PROGRAM, {"--max-line", "8"}, "0123456789abc\n");
  CHECK(plain.out == "error: line 1 is longer than 8 bytes; discarded up to its newline\n");
}
