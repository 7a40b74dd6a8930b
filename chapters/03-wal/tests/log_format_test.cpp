// The record format: round trips, and every kind of bad bytes is told apart.
#include <catch2/catch.hpp>

#include <string>

#include "common/coding.hpp"
#include "common/crc32c.hpp"
#include "03-wal/log_format.hpp"

using vkv::storage::decode_record;
using vkv::storage::DecodeStatus;
using vkv::storage::encode_record;
using vkv::storage::encoded_size;
using vkv::storage::LogFormat;
using vkv::storage::LogRecord;
using vkv::storage::EntryKind;

namespace {

std::string encode(const LogRecord& r) {
  std::string s;
  encode_record(r, &s);
  return s;
}

}  // namespace

TEST_CASE("log format: SET and DEL round trip, with any bytes", "[ch03]") {
  const std::string key("k\0\n\xff", 4);
  const std::string value("\0v\r\n", 4);
  const std::string big(70000, 'x');
  for (const LogRecord& r : {LogRecord::set(key, value), LogRecord::set("a", ""),
                             LogRecord::del(key), LogRecord::set("big", big)}) {
    const std::string bytes = encode(r);
    CHECK(bytes.size() == encoded_size(r));
    const std::string input = bytes + "trailing";  // a record is followed by the next one
    LogRecord out;
    std::size_t size = 0;
    REQUIRE(decode_record(input, &out, &size) == DecodeStatus::kOk);
    CHECK(size == bytes.size());
    CHECK(out.kind == r.kind);
    CHECK(out.key == r.key);
    CHECK(out.value == r.value);
  }
}

TEST_CASE("log format: the header is crc, length, type, as drawn", "[ch03]") {
  const std::string bytes = encode(LogRecord::set("a", "1"));
  REQUIRE(bytes.size() == LogFormat::kHeaderSize + 4);
  CHECK(bytes.substr(4, 4) == std::string("\x04\0\0\0", 4));  // length 4, little-endian
  CHECK(bytes[8] == 1);                                        // SET
  CHECK(bytes.substr(9) == std::string("\x01" "a" "\x01" "1"));
  CHECK(encode(LogRecord::del("a"))[8] == 2);  // DEL: the log's byte, whatever EntryKind's is
}

TEST_CASE("log format: every proper prefix of a record is truncated", "[ch03]") {
  const std::string bytes = encode(LogRecord::set("key", "value"));
  for (std::size_t n = 0; n < bytes.size(); ++n) {
    LogRecord out;
    std::size_t size = 0;
    INFO("prefix of " << n << " bytes");
    CHECK(decode_record(bytes.substr(0, n), &out, &size) == DecodeStatus::kTruncated);
  }
}

TEST_CASE("log format: every flipped bit is caught", "[ch03]") {
  const std::string bytes = encode(LogRecord::set("key", "value"));
  for (std::size_t bit = 0; bit < bytes.size() * 8; ++bit) {
    std::string bad = bytes;
    bad[bit / 8] = static_cast<char>(bad[bit / 8] ^ (1 << (bit % 8)));
    LogRecord out;
    std::size_t size = 0;
    INFO("bit " << bit);
    CHECK(decode_record(bad, &out, &size) != DecodeStatus::kOk);
  }
}

TEST_CASE("log format: zeroes, unknown types and huge lengths are rejected", "[ch03]") {
  LogRecord out;
  std::size_t size = 0;
  CHECK(decode_record(std::string(64, '\0'), &out, &size) == DecodeStatus::kBadType);
  std::string bytes = encode(LogRecord::del("k"));
  bytes[8] = 9;
  CHECK(decode_record(bytes, &out, &size) == DecodeStatus::kBadType);
  bytes = encode(LogRecord::del("k"));
  bytes[7] = 0x7f;  // length > kMaxPayload
  CHECK(decode_record(bytes, &out, &size) == DecodeStatus::kBadLength);
}

TEST_CASE("log format: a zero header never passes, even with the CRC of its bytes", "[ch03]") {
  // A crashed log may end in zeros. Whatever the masked CRC of a zero length and type is,
  // such a header is rejected on its type and its length before the checksum is looked at.
  for (std::uint8_t type : {std::uint8_t{0}, std::uint8_t{1}, std::uint8_t{2}}) {
    INFO("type " << int(type));
    std::string covered(4, '\0');  // length 0
    covered.push_back(static_cast<char>(type));
    std::string bytes;
    vkv::put_fixed32(&bytes, vkv::crc32c::mask(vkv::crc32c::value(covered)));
    bytes += covered;
    bytes += std::string(16, '\0');
    LogRecord out;
    std::size_t size = 0;
    CHECK(decode_record(bytes, &out, &size) ==
          (type == 0 ? DecodeStatus::kBadType : DecodeStatus::kBadLength));
  }
}
