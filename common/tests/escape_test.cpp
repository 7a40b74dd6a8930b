#include <catch2/catch.hpp>

#include "common/escape.hpp"

TEST_CASE("escape_bytes makes any bytes printable", "[common]") {
  CHECK(vkv::escape_bytes("plain") == "plain");
  CHECK(vkv::escape_bytes("a b") == "a b");
  CHECK(vkv::escape_bytes("q\"b\\") == "q\\\"b\\\\");
  CHECK(vkv::escape_bytes("\n\r\t") == "\\n\\r\\t");
  CHECK(vkv::escape_bytes(std::string("\0\x01\x7f", 3)) == "\\x00\\x01\\x7f");
  CHECK(vkv::escape_bytes("\xc3\xa9") == "\\xc3\\xa9");
  CHECK(vkv::escape_bytes("\xc3\xa9", /*keep_high_bytes=*/true) == "\xc3\xa9");
}
