#include "common/coding.hpp"

#include <catch2/catch.hpp>

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

TEST_CASE("fixed32 and fixed64 are little-endian and round trip", "[common]") {
  std::string buf;
  vkv::put_fixed32(&buf, 0x04030201u);
  REQUIRE(buf == std::string("\x01\x02\x03\x04", 4));
  vkv::put_fixed64(&buf, 0x0807060504030201ull);
  REQUIRE(buf.size() == 12);
  CHECK(buf.substr(4) == std::string("\x01\x02\x03\x04\x05\x06\x07\x08", 8));
  CHECK(vkv::decode_fixed32(buf.data()) == 0x04030201u);
  CHECK(vkv::decode_fixed64(buf.data() + 4) == 0x0807060504030201ull);

  for (const std::uint64_t v : {0ull, 1ull, 0xFFull, 0x80000000ull, 0xFFFFFFFFull,
                                0x8000000000000000ull, ~0ull}) {
    std::string b;
    vkv::put_fixed32(&b, static_cast<std::uint32_t>(v));
    vkv::put_fixed64(&b, v);
    CHECK(vkv::decode_fixed32(b.data()) == static_cast<std::uint32_t>(v));
    CHECK(vkv::decode_fixed64(b.data() + 4) == v);
  }
}

TEST_CASE("varints round trip at every length boundary", "[common]") {
  std::vector<std::uint64_t> values = {0, 1, 127, 128, 255, 16383, 16384,
                                       (1ull << 32) - 1, 1ull << 32,
                                       std::numeric_limits<std::uint64_t>::max()};
  for (int shift = 0; shift < 64; ++shift) {
    values.push_back(1ull << shift);
    values.push_back((1ull << shift) - 1);
  }
  std::string buf;
  for (const auto v : values) vkv::put_varint64(&buf, v);
  std::string_view in = buf;
  for (const auto v : values) {
    std::uint64_t got = 0;
    REQUIRE(vkv::get_varint64(&in, &got));
    CHECK(got == v);
  }
  CHECK(in.empty());

  CHECK(vkv::varint_length(0) == 1);
  CHECK(vkv::varint_length(127) == 1);
  CHECK(vkv::varint_length(128) == 2);
  CHECK(vkv::varint_length((1ull << 32) - 1) == 5);
  CHECK(vkv::varint_length(std::numeric_limits<std::uint64_t>::max()) == 10);
  for (const auto v : values) {
    std::string one;
    vkv::put_varint64(&one, v);
    CHECK(static_cast<int>(one.size()) == vkv::varint_length(v));
  }
}

TEST_CASE("varint32 round trips and has the expected bytes", "[common]") {
  std::string buf;
  vkv::put_varint32(&buf, 0);
  vkv::put_varint32(&buf, 127);
  vkv::put_varint32(&buf, 128);
  vkv::put_varint32(&buf, 300);
  vkv::put_varint32(&buf, 0xFFFFFFFFu);
  CHECK(buf == std::string("\x00" "\x7f" "\x80\x01" "\xac\x02" "\xff\xff\xff\xff\x0f", 11));
  std::string_view in = buf;
  for (const std::uint32_t want : {0u, 127u, 128u, 300u, 0xFFFFFFFFu}) {
    std::uint32_t got = 1;
    REQUIRE(vkv::get_varint32(&in, &got));
    CHECK(got == want);
  }
  CHECK(in.empty());
}

TEST_CASE("truncated varints are rejected and consume nothing", "[common]") {
  std::string full;
  vkv::put_varint64(&full, std::numeric_limits<std::uint64_t>::max());
  for (std::size_t len = 0; len < full.size(); ++len) {
    std::string_view in(full.data(), len);
    std::uint64_t v = 0;
    CHECK_FALSE(vkv::get_varint64(&in, &v));
    CHECK(in.size() == len);
  }
  std::string full32;
  vkv::put_varint32(&full32, 0xFFFFFFFFu);
  for (std::size_t len = 0; len < full32.size(); ++len) {
    std::string_view in(full32.data(), len);
    std::uint32_t v = 0;
    CHECK_FALSE(vkv::get_varint32(&in, &v));
    CHECK(in.size() == len);
  }
}

TEST_CASE("overlong and overflowing varints are rejected", "[common]") {
  std::uint32_t v32 = 0;
  std::uint64_t v64 = 0;

  // Six bytes for a varint32: five continuation bytes, more than it may take.
  std::string_view six("\x80\x80\x80\x80\x80\x00", 6);
  CHECK_FALSE(vkv::get_varint32(&six, &v32));
  // Five bytes whose value needs 33 bits.
  std::string_view big32("\xff\xff\xff\xff\x1f", 5);
  CHECK_FALSE(vkv::get_varint32(&big32, &v32));
  // ...but 2^32-1 in five bytes is fine, and a varint32 reads fine as a varint64.
  std::string_view max32("\xff\xff\xff\xff\x0f", 5);
  CHECK(vkv::get_varint32(&max32, &v32));
  CHECK(v32 == 0xFFFFFFFFu);

  // Eleven bytes for a varint64.
  std::string_view eleven("\x80\x80\x80\x80\x80\x80\x80\x80\x80\x80\x00", 11);
  CHECK_FALSE(vkv::get_varint64(&eleven, &v64));
  // Ten bytes whose value needs 65 bits.
  std::string_view big64("\xff\xff\xff\xff\xff\xff\xff\xff\xff\x03", 10);
  CHECK_FALSE(vkv::get_varint64(&big64, &v64));
  std::string_view max64("\xff\xff\xff\xff\xff\xff\xff\xff\xff\x01", 10);
  CHECK(vkv::get_varint64(&max64, &v64));
  CHECK(v64 == std::numeric_limits<std::uint64_t>::max());
}

TEST_CASE("length-prefixed strings round trip", "[common]") {
  const std::string big(300, 'x');
  std::string buf;
  vkv::put_length_prefixed(&buf, "");
  vkv::put_length_prefixed(&buf, "foo");
  vkv::put_length_prefixed(&buf, std::string_view("a\0b", 3));
  vkv::put_length_prefixed(&buf, big);
  std::string_view in = buf;
  std::string_view out;
  REQUIRE(vkv::get_length_prefixed(&in, &out));
  CHECK(out.empty());
  REQUIRE(vkv::get_length_prefixed(&in, &out));
  CHECK(out == "foo");
  REQUIRE(vkv::get_length_prefixed(&in, &out));
  CHECK(out == std::string_view("a\0b", 3));
  REQUIRE(vkv::get_length_prefixed(&in, &out));
  CHECK(out == big);
  CHECK(in.empty());
  CHECK_FALSE(vkv::get_length_prefixed(&in, &out));
}

TEST_CASE("a length prefix longer than the input is rejected", "[common]") {
  std::string buf;
  vkv::put_length_prefixed(&buf, "hello");
  for (std::size_t len = 0; len < buf.size(); ++len) {
    std::string_view in(buf.data(), len);
    std::string_view out = "untouched";
    CHECK_FALSE(vkv::get_length_prefixed(&in, &out));
    CHECK(in.size() == len);
    CHECK(out == "untouched");
  }
}
