#include "12-cluster/md5.hpp"

#include <cmath>
#include <cstring>
#include <vector>

namespace vkv::cluster {

namespace {

// RFC 1321's table: T[i] is the integer part of 2^32 * |sin(i + 1)|.
std::array<std::uint32_t, 64> sine_table() {
  std::array<std::uint32_t, 64> t{};
  for (std::size_t i = 0; i < t.size(); ++i) {
    t[i] = static_cast<std::uint32_t>(std::floor(std::fabs(std::sin(static_cast<double>(i + 1))) *
                                                 4294967296.0));
  }
  return t;
}

// How far each step of each round rotates.
constexpr std::array<int, 16> kShifts = {7, 12, 17, 22, 5, 9, 14, 20, 4, 11, 16, 23, 6, 10, 15, 21};

std::uint32_t rotl(std::uint32_t x, int n) { return (x << n) | (x >> (32 - n)); }

std::uint32_t load_le32(const std::uint8_t* p) {
  return static_cast<std::uint32_t>(p[0]) | static_cast<std::uint32_t>(p[1]) << 8 |
         static_cast<std::uint32_t>(p[2]) << 16 | static_cast<std::uint32_t>(p[3]) << 24;
}

// One 64-byte block into the state.
void transform(std::array<std::uint32_t, 4>& state, const std::uint8_t* block) {
  static const std::array<std::uint32_t, 64> T = sine_table();
  std::array<std::uint32_t, 16> x{};
  for (std::size_t i = 0; i < 16; ++i) x[i] = load_le32(block + 4 * i);
  std::uint32_t a = state[0], b = state[1], c = state[2], d = state[3];
  for (std::size_t i = 0; i < 64; ++i) {
    std::uint32_t f = 0;
    std::size_t g = 0;
    switch (i / 16) {
      case 0: f = (b & c) | (~b & d); g = i; break;
      case 1: f = (d & b) | (~d & c); g = (5 * i + 1) % 16; break;
      case 2: f = b ^ c ^ d; g = (3 * i + 5) % 16; break;
      default: f = c ^ (b | ~d); g = (7 * i) % 16; break;
    }
    const std::uint32_t rotated = rotl(a + f + T[i] + x[g], kShifts[(i / 16) * 4 + i % 4]);
    a = d;
    d = c;
    c = b;
    b = b + rotated;
  }
  state[0] += a;
  state[1] += b;
  state[2] += c;
  state[3] += d;
}

}  // namespace

std::array<std::uint8_t, 16> md5(std::string_view bytes) {
  std::array<std::uint32_t, 4> state = {0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476};
  // The message, a 1 bit, zeros to 56 bytes mod 64, then its length in bits (little-endian).
  std::vector<std::uint8_t> message(bytes.begin(), bytes.end());
  const std::uint64_t bits = static_cast<std::uint64_t>(bytes.size()) * 8;
  message.push_back(0x80);
  while (message.size() % 64 != 56) message.push_back(0);
  for (int i = 0; i < 8; ++i) message.push_back(static_cast<std::uint8_t>(bits >> (8 * i)));
  for (std::size_t at = 0; at < message.size(); at += 64) transform(state, message.data() + at);
  std::array<std::uint8_t, 16> digest{};
  for (std::size_t i = 0; i < 4; ++i) {
    for (std::size_t j = 0; j < 4; ++j) {
      digest[4 * i + j] = static_cast<std::uint8_t>(state[i] >> (8 * j));
    }
  }
  return digest;
}

}  // namespace vkv::cluster
