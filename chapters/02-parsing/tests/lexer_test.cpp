#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "02-parsing/lexer.hpp"

using vkv::Status;
using vkv::protocol::Lexer;

namespace {

std::vector<std::string> lex_ok(const std::string& line) {
  Lexer lexer;
  std::vector<std::string_view> tokens;
  Status s = lexer.lex(line, &tokens);
  INFO(s.to_string());
  REQUIRE(s.is_ok());
  return {tokens.begin(), tokens.end()};
}

std::string lex_error(const std::string& line) {
  Lexer lexer;
  std::vector<std::string_view> tokens;
  Status s = lexer.lex(line, &tokens);
  REQUIRE_FALSE(s.is_ok());
  CHECK(s.code() == vkv::StatusCode::kInvalidArgument);
  return s.message();
}

using V = std::vector<std::string>;

}  // namespace

TEST_CASE("lexer: spaces and tabs separate tokens", "[ch02]") {
  CHECK(lex_ok("SET foo bar") == V{"SET", "foo", "bar"});
  CHECK(lex_ok("  SET \t foo\tbar  ") == V{"SET", "foo", "bar"});
  CHECK(lex_ok("").empty());
  CHECK(lex_ok(" \t ").empty());
}

TEST_CASE("lexer: unquoted tokens are taken byte for byte", "[ch02]") {
  CHECK(lex_ok("a\\b c\"d h\xc3\xa9llo") == V{"a\\b", "c\"d", "h\xc3\xa9llo"});
  CHECK(lex_ok(std::string("a\0b", 3)) == V{std::string("a\0b", 3)});
}

TEST_CASE("lexer: quotes carry spaces and escapes carry any byte", "[ch02]") {
  CHECK(lex_ok("SET \"a b\" \"\"") == V{"SET", "a b", ""});
  CHECK(lex_ok(R"("q\"uote" "back\\slash" "\n\r\t")") == V{"q\"uote", "back\\slash", "\n\r\t"});
  CHECK(lex_ok(R"("\x00\xff\x41\xAb")") == V{std::string("\0\xff" "A\xab", 4)});
  CHECK(lex_ok("\"a\"\t\"b\"") == V{"a", "b"});
  CHECK(lex_ok("x \"escaped \\\" first\" \"plain second\" \"\\x41\"") ==
        V{"x", "escaped \" first", "plain second", "A"});
}

TEST_CASE("lexer: tokens stay valid across many escaped tokens in one line", "[ch02]") {
  std::string line;
  V expected;
  for (int i = 0; i < 200; ++i) {
    line += "\"t\\x" + std::string(1, "0123456789"[i % 10]) + "0" + std::to_string(i) + "\" ";
    expected.push_back(std::string(1, static_cast<char>((i % 10) * 16)) + std::to_string(i));
  }
  CHECK(lex_ok(line).size() == 200);
  auto got = lex_ok(line);
  for (std::size_t i = 0; i < got.size(); ++i) CHECK(got[i] == "t" + expected[i]);
}

TEST_CASE("lexer: bad input gets a clear message", "[ch02]") {
  CHECK(lex_error("SET \"foo") == "unbalanced quotes");
  CHECK(lex_error("SET \"foo\\\"") == "unbalanced quotes");
  CHECK(lex_error("SET \"foo\\") == "unbalanced quotes");
  CHECK(lex_error("\"") == "unbalanced quotes");
  CHECK(lex_error(R"(SET "a\q")") == R"(bad escape '\q' (use \" \\ \n \r \t or \xHH))");
  CHECK(lex_error(R"(SET "a\x1")") == R"(bad escape '\x1\"' (\x needs two hex digits))");
  CHECK(lex_error(R"(SET "\xg0")") == R"(bad escape '\xg0' (\x needs two hex digits))");
  CHECK(lex_error(R"(SET "\x)") == R"(bad escape '\x' (\x needs two hex digits))");
  CHECK(lex_error(std::string("\"\\\0\"", 4)) == R"(bad escape '\\x00' (use \" \\ \n \r \t or \xHH))");
  CHECK(lex_error("SET \"a\"b c") == "a closing quote must be followed by a space");
}

TEST_CASE("lexer: one lexer serves many lines", "[ch02]") {
  Lexer lexer;
  std::vector<std::string_view> tokens;
  REQUIRE(lexer.lex("\"a\\tb\" c", &tokens).is_ok());
  CHECK(tokens == std::vector<std::string_view>{"a\tb", "c"});
  REQUIRE_FALSE(lexer.lex("\"unbalanced", &tokens).is_ok());
  REQUIRE(lexer.lex("GET x", &tokens).is_ok());
  CHECK(tokens == std::vector<std::string_view>{"GET", "x"});
}
