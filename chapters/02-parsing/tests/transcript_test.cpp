// Replays the chapter's session transcripts against the real ch02-parsing program.
#include <catch2/catch.hpp>

#include "common/testing/test_util.hpp"
#include "common/testing/transcript.hpp"

using vkv::testing::read_whole_file;
using vkv::testing::run_program;

namespace {

void replay(const std::string& name) {
  const auto t = vkv::testing::load_transcript(CH02_TRANSCRIPTS, name);
  const auto result = run_program(CH02_PROGRAM, {}, t.input);
  CHECK(result.exit_code == 0);
  CHECK(result.out == t.expected);
  CHECK(result.err.empty());
}

}  // namespace

TEST_CASE("transcript: basic", "[ch02]") { replay("basic.session"); }
TEST_CASE("transcript: quoting", "[ch02]") { replay("quoting.session"); }
TEST_CASE("transcript: errors", "[ch02]") { replay("errors.session"); }

TEST_CASE("ch02-parsing: a too-long line and a partial last line are errors", "[ch02]") {
  const auto result = run_program(CH02_PROGRAM, {"--max-line", "16"},
                                  "SET a 1\nSET b 0123456789abcdef\nGET a\n\n   \nGET a");
  CHECK(result.exit_code == 0);
  CHECK(result.out ==
        "OK\n"
        "ERR line too long (limit 16 bytes)\n"
        "VALUE 1\n"
        "ERR partial line at end of input (5 bytes with no newline; not executed)\n");
}

TEST_CASE("ch02-parsing: CRLF line endings work like LF", "[ch02]") {
  const auto result = run_program(CH02_PROGRAM, {}, "SET a 1\r\nGET a\r\n");
  CHECK(result.out == "OK\nVALUE 1\n");
}

TEST_CASE("ch02-parsing: --help and bad flags", "[ch02]") {
  auto help = run_program(CH02_PROGRAM, {"--help"}, "");
  CHECK(help.exit_code == 0);
  CHECK(help.out.find("--max-line") != std::string::npos);
  auto bad = run_program(CH02_PROGRAM, {"--port", "1"}, "");
  CHECK(bad.exit_code == 2);
  CHECK(bad.err == "ch02-parsing: unknown flag --port (try --help)\n");
}
