// Redis's glob patterns: match_glob() case by case, and the prefix range a pattern's matches
// lie in.
#include <catch2/catch.hpp>

#include <string>

#include "09-resp/glob.hpp"

using vkv::engine::literal_prefix;
using vkv::engine::match_glob;
using vkv::engine::prefix_end;

TEST_CASE("glob: stars and question marks", "[ch09]") {
  CHECK(match_glob("*", ""));
  CHECK(match_glob("*", "anything"));
  CHECK(match_glob("user:*", "user:"));
  CHECK(match_glob("user:*", "user:42"));
  CHECK_FALSE(match_glob("user:*", "use"));
  CHECK(match_glob("*:42", "user:42"));
  CHECK(match_glob("a*b*c", "aXXbYYc"));
  CHECK(match_glob("a*b*c", "abc"));
  CHECK_FALSE(match_glob("a*b*c", "aXXbYY"));
  CHECK(match_glob("a**b", "ab"));
  CHECK(match_glob("h?llo", "hello"));
  CHECK_FALSE(match_glob("h?llo", "hllo"));
  CHECK(match_glob("???", "abc"));
  CHECK_FALSE(match_glob("???", "abcd"));
  CHECK(match_glob("exact", "exact"));
  CHECK_FALSE(match_glob("exact", "exactly"));
  CHECK_FALSE(match_glob("", "x"));
  CHECK(match_glob("", ""));
  CHECK(match_glob("Key", "Key"));
  CHECK_FALSE(match_glob("key", "KEY"));  // case matters, as in Redis's KEYS
}

TEST_CASE("glob: brackets, negation, ranges and escapes", "[ch09]") {
  CHECK(match_glob("h[ae]llo", "hello"));
  CHECK(match_glob("h[ae]llo", "hallo"));
  CHECK_FALSE(match_glob("h[ae]llo", "hillo"));
  CHECK(match_glob("h[^e]llo", "hallo"));
  CHECK_FALSE(match_glob("h[^e]llo", "hello"));
  CHECK(match_glob("h[a-b]llo", "hbllo"));
  CHECK_FALSE(match_glob("h[a-b]llo", "hcllo"));
  CHECK(match_glob("[z-a]", "m"));  // a reversed range is the same range
  CHECK(match_glob("[0-9][0-9]", "42"));
  CHECK(match_glob("[\\]]", "]"));
  CHECK(match_glob("[a\\-z]", "-"));
  CHECK_FALSE(match_glob("[a\\-z]", "b"));
  CHECK(match_glob("\\*", "*"));
  CHECK_FALSE(match_glob("\\*", "x"));
  CHECK(match_glob("a\\?", "a?"));
  CHECK_FALSE(match_glob("a\\?", "ab"));
  CHECK(match_glob("a\\", "a\\"));  // a '\' that ends the pattern is itself
  CHECK(match_glob("[abc", "b"));   // no ']': the class runs to the end
  CHECK_FALSE(match_glob("[]", "a"));
  CHECK(match_glob("*[0-9]", "key9"));
  CHECK(match_glob(std::string("k\xff*", 3), std::string("k\xff\x01", 3)));
  CHECK(match_glob("[\x01-\xff]", "\x80"));  // bytes compare unsigned
}

TEST_CASE("glob: many stars stay fast on a long key that does not match", "[ch09]") {
  const std::string key(10000, 'a');
  CHECK_FALSE(match_glob("*a*a*a*a*a*a*a*a*a*a*a*b", key));
  CHECK(match_glob("*a*a*a*a*a*a*a*a*a*a*a*", key));
}

TEST_CASE("glob: the literal prefix, and where its range ends", "[ch09]") {
  CHECK(literal_prefix("user:*") == "user:");
  CHECK(literal_prefix("user:1?") == "user:1");
  CHECK(literal_prefix("[ab]*") == "");
  CHECK(literal_prefix("a\\*") == "a");
  CHECK(literal_prefix("exact") == "exact");
  CHECK(prefix_end("user:") == "user;");
  CHECK(prefix_end(std::string("a\xff\xff", 3)) == "b");
  CHECK_FALSE(prefix_end("").has_value());
  CHECK_FALSE(prefix_end(std::string("\xff", 1)).has_value());
}
