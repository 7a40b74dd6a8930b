// The checks of the page's exercises. They are hidden ([.exercise]): `make test` skips them,
// `make exercise N=2` runs them, and each fails until the learner has done its exercise.
// They drive the real ch02-parsing program, so they compile before the exercise is done.
#include <catch2/catch.hpp>

#include <string>

#include "common/testing/test_util.hpp"

using vkv::testing::run_program;

TEST_CASE("EXISTS answers VALUE 1 for a key that has a value and VALUE 0 otherwise",
          "[.exercise][ch02]") {
  const auto result = run_program(CH02_PROGRAM, {},
                                  "EXISTS a\n"
                                  "SET a 1\n"
                                  "EXISTS a\n"
                                  "exists a\n"
                                  "SET empty \"\"\n"
                                  "EXISTS empty\n"
                                  "DEL a\n"
                                  "EXISTS a\n");
  CHECK(result.exit_code == 0);
  CHECK(result.out ==
        "VALUE 0\n"
        "OK\n"
        "VALUE 1\n"
        "VALUE 1\n"
        "OK\n"
        "VALUE 1\n"
        "OK\n"
        "VALUE 0\n");

  // Bad uses get the parser's usual one-line errors.
  const auto bad = run_program(CH02_PROGRAM, {}, "EXISTS\nEXISTS a b\nEXISTS \"\"\n");
  CHECK(bad.out ==
        "ERR wrong number of arguments for 'EXISTS' (usage: EXISTS key)\n"
        "ERR wrong number of arguments for 'EXISTS' (usage: EXISTS key)\n"
        "ERR empty key\n");
}

TEST_CASE("with --ascii every reply is plain ASCII and reads back as the same bytes",
          "[.exercise][ch02]") {
  const auto result = run_program(CH02_PROGRAM, {"--ascii"},
                                  "SET name h\xc3\xa9llo\n"
                                  "GET name\n"
                                  "SET plain abc\n"
                                  "GET plain\n"
                                  "SET \"h\\xc3\\xa9\" \"\\xff\"\n"
                                  "GET h\xc3\xa9\n");
  INFO("its standard error: " << result.err);
  CHECK(result.exit_code == 0);
  CHECK(result.out ==
        "OK\n"
        "VALUE \"h\\xc3\\xa9llo\"\n"
        "OK\n"
        "VALUE abc\n"
        "OK\n"
        "VALUE \"\\xff\"\n");

  // Without the flag, bytes of 0x80 and above pass as they are.
  const auto plain = run_program(CH02_PROGRAM, {}, "SET name h\xc3\xa9llo\nGET name\n");
  CHECK(plain.out == "OK\nVALUE h\xc3\xa9llo\n");
}
