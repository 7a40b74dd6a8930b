// The page's exercises that change code, each with the test that says it is done. They are
// hidden from `make test` (the leading '.' of [.exercise]) and fail until the exercise is
// done: `make exercise N=9` runs them.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "09-resp/resp_parser.hpp"

using vkv::protocol::RespLimits;
using vkv::protocol::RespParse;
using vkv::protocol::RespParser;

namespace {

// Every request `input` holds, each as its arguments joined by '|', and the error if any.
std::vector<std::string> requests_in(std::string_view input, RespLimits limits = {}) {
  RespParser parser(limits);
  std::vector<std::string> out;
  for (;;) {
    const RespParse r = parser.parse(&input);
    if (r == RespParse::kIncomplete) return out;
    if (r == RespParse::kError) {
      out.push_back("ERROR: " + parser.error());
      return out;
    }
    std::string joined;
    for (auto a : parser.args()) joined += (joined.empty() ? "" : "|") + std::string(a);
    out.push_back(joined);
  }
}

}  // namespace

// "Quoted inline words": an inline word may be quoted, as Redis reads it (sdssplitargs): in
// double quotes with \" \\ \n \r \t and \xHH, in single quotes with \' only.
TEST_CASE("exercise: inline words may be quoted, as Redis reads them", "[.exercise][ch09]") {
  CHECK(requests_in("SET \"a b\" 'c d'\r\n") == std::vector<std::string>{"SET|a b|c d"});
  CHECK(requests_in("SET k \"x\\ny\\x41\"\n") == std::vector<std::string>{"SET|k|x\nyA"});
  CHECK(requests_in("SET k 'it\\'s'\n") == std::vector<std::string>{"SET|k|it's"});
  CHECK(requests_in("SET \"unbalanced\n") ==
        std::vector<std::string>{"ERROR: ERR Protocol error: unbalanced quotes in request"});
}

// "Say the limit": an over-limit length is refused in Redis's words, followed by the limit.
TEST_CASE("exercise: a length over a limit is refused with the limit in the error",
          "[.exercise][ch09]") {
  RespLimits limits;
  limits.max_bulk_bytes = 1000;
  limits.max_args = 3;
  const auto bulk = requests_in("*1\r\n$1001\r\n", limits);
  REQUIRE(bulk.size() == 1);
  CHECK(bulk[0].rfind("ERROR: ERR Protocol error: invalid bulk length", 0) == 0);
  CHECK(bulk[0].find("1000") != std::string::npos);
  const auto array = requests_in("*4\r\n", limits);
  REQUIRE(array.size() == 1);
  CHECK(array[0].rfind("ERROR: ERR Protocol error: invalid multibulk length", 0) == 0);
  CHECK(array[0].find('3') != std::string::npos);
  // A length that is simply malformed still gets Redis's words alone.
  CHECK(requests_in("*1\r\n$x\r\n", limits) ==
        std::vector<std::string>{"ERROR: ERR Protocol error: invalid bulk length"});
}
