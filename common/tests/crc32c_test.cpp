#include "common/crc32c.hpp"

#include <catch2/catch.hpp>

#include <random>
#include <string>
#include <vector>

namespace {

std::string bytes_from(int first, int step, int count) {
  std::string s;
  for (int i = 0; i < count; ++i) s.push_back(static_cast<char>(first + i * step));
  return s;
}

std::string random_bytes(std::mt19937& rng, std::size_t n) {
  std::uniform_int_distribution<int> byte(0, 255);
  std::string s(n, '\0');
  for (auto& c : s) c = static_cast<char>(byte(rng));
  return s;
}

}  // namespace

TEST_CASE("crc32c matches the RFC 3720 test vectors", "[common]") {
  using vkv::crc32c::extend_portable;
  const std::string zeros(32, '\0');
  const std::string ones(32, '\xff');
  const std::string ascending = bytes_from(0, 1, 32);
  const std::string descending = bytes_from(31, -1, 32);

  CHECK(vkv::crc32c::value(zeros) == 0x8A9136AAu);
  CHECK(vkv::crc32c::value(ones) == 0x62A8AB43u);
  CHECK(vkv::crc32c::value(ascending) == 0x46DD794Eu);
  CHECK(vkv::crc32c::value(descending) == 0x113FDB5Cu);
  CHECK(vkv::crc32c::value("123456789") == 0xE3069283u);
  CHECK(vkv::crc32c::value("") == 0u);

  CHECK(extend_portable(0, zeros) == 0x8A9136AAu);
  CHECK(extend_portable(0, ones) == 0x62A8AB43u);
  CHECK(extend_portable(0, ascending) == 0x46DD794Eu);
  CHECK(extend_portable(0, descending) == 0x113FDB5Cu);
  CHECK(extend_portable(0, "123456789") == 0xE3069283u);
}

TEST_CASE("crc32c's fast path agrees with the table on every length and alignment",
          "[common]") {
  INFO("hardware accelerated: " << vkv::crc32c::hardware_accelerated());
  std::mt19937 rng(42);
  const std::string buffer = random_bytes(rng, 300 + 16);
  for (std::size_t start = 0; start < 16; ++start) {
    for (std::size_t len = 0; len <= 300; ++len) {
      const std::string_view data(buffer.data() + start, len);
      INFO("start " << start << " length " << len);
      REQUIRE(vkv::crc32c::extend(0, data) == vkv::crc32c::extend_portable(0, data));
      REQUIRE(vkv::crc32c::extend(0x12345678u, data) ==
              vkv::crc32c::extend_portable(0x12345678u, data));
    }
  }
}

TEST_CASE("crc32c's fast path agrees with the table past its three-stream threshold",
          "[common]") {
  // Inputs of 768 bytes and more go as three streams joined every round: lengths around
  // each multiple of a round, a table block's size, and 64 KiB, at every alignment. (Without
  // SSE4.2 both sides are the table, and this says nothing.)
  INFO("hardware accelerated: " << vkv::crc32c::hardware_accelerated());
  std::mt19937 rng(7);
  const std::string buffer = random_bytes(rng, 65536 + 16);
  std::vector<std::size_t> lengths = {4096 + 5, 4096 + 5 - 17, 65536};
  for (std::size_t round = 1; round <= 6; ++round) {
    for (std::size_t len = round * 768 - 9; len <= round * 768 + 9; ++len) lengths.push_back(len);
  }
  for (std::size_t start = 0; start < 16; ++start) {
    for (std::size_t len : lengths) {
      const std::string_view data(buffer.data() + start, len);
      INFO("start " << start << " length " << len);
      REQUIRE(vkv::crc32c::extend(0, data) == vkv::crc32c::extend_portable(0, data));
      REQUIRE(vkv::crc32c::extend(0xDEADBEEFu, data) ==
              vkv::crc32c::extend_portable(0xDEADBEEFu, data));
    }
  }
}

TEST_CASE("crc32c extend composes", "[common]") {
  std::mt19937 rng(7);
  const std::string whole = random_bytes(rng, 200);
  for (std::size_t cut = 0; cut <= whole.size(); cut += 13) {
    const std::string a = whole.substr(0, cut);
    const std::string b = whole.substr(cut);
    CHECK(vkv::crc32c::extend(vkv::crc32c::value(a), b) == vkv::crc32c::value(whole));
    CHECK(vkv::crc32c::extend_portable(vkv::crc32c::extend_portable(0, a), b) ==
          vkv::crc32c::value(whole));
  }
}

TEST_CASE("crc32c differs when one bit flips", "[common]") {
  std::string data = "hello, world";
  const std::uint32_t before = vkv::crc32c::value(data);
  data[3] ^= 0x10;
  CHECK(vkv::crc32c::value(data) != before);
}

TEST_CASE("crc32c mask round trips and changes the value", "[common]") {
  const std::uint32_t crcs[] = {0u, 1u, 0xFFFFFFFFu, 0x8000u, vkv::crc32c::value("foo"),
                                vkv::crc32c::value("123456789")};
  for (const std::uint32_t crc : crcs) {
    INFO("crc " << crc);
    CHECK(vkv::crc32c::mask(crc) != crc);
    CHECK(vkv::crc32c::unmask(vkv::crc32c::mask(crc)) == crc);
    CHECK(vkv::crc32c::mask(vkv::crc32c::mask(crc)) != vkv::crc32c::mask(crc));
  }
}
