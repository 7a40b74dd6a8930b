#include "common/crc32c.hpp"

#include <array>
#include <cstring>

#include "common/coding.hpp"

#if defined(__x86_64__)
#include <nmmintrin.h>
#endif

namespace vkv::crc32c {
namespace {

// The reflected Castagnoli polynomial: bit i of this word is the coefficient of x^(31-i).
constexpr std::uint32_t kPolynomial = 0x82F63B78u;

// Added by mask(); any constant with bits spread over the word does the job.
constexpr std::uint32_t kMaskDelta = 0xA282EAD8u;

// Slicing-by-8 tables. kTables[0][b] is the CRC of the single byte b (the classic byte
// table); kTables[k][b] is the CRC of byte b followed by k zero bytes, which lets the loop
// below fold eight input bytes into the CRC with eight independent table lookups.
using Tables = std::array<std::array<std::uint32_t, 256>, 8>;

constexpr Tables make_tables() {
  Tables t{};
  for (std::uint32_t b = 0; b < 256; ++b) {
    std::uint32_t crc = b;
    for (int bit = 0; bit < 8; ++bit) crc = (crc >> 1) ^ ((crc & 1u) ? kPolynomial : 0u);
    t[0][b] = crc;
  }
  for (std::size_t k = 1; k < 8; ++k) {
    for (std::size_t b = 0; b < 256; ++b) {
      const std::uint32_t prev = t[k - 1][b];
      t[k][b] = (prev >> 8) ^ t[0][prev & 0xFFu];
    }
  }
  return t;
}

constexpr Tables kTables = make_tables();

// Reads 4 bytes as a little-endian word, whatever the host's byte order.
std::uint32_t load_le32(const unsigned char* p) {
  return decode_fixed32(reinterpret_cast<const char*>(p));
}

std::uint32_t extend_table(std::uint32_t crc, const unsigned char* p, std::size_t n) {
  // The register is kept inverted while bytes go through it: the standard CRC32C starts
  // from all ones and inverts at the end, and inverting on entry and exit is what lets
  // extend() pick up where an earlier call stopped.
  std::uint32_t c = ~crc;
  for (; n >= 8; p += 8, n -= 8) {
    const std::uint32_t lo = load_le32(p) ^ c;
    const std::uint32_t hi = load_le32(p + 4);
    c = kTables[7][lo & 0xFFu] ^ kTables[6][(lo >> 8) & 0xFFu] ^
        kTables[5][(lo >> 16) & 0xFFu] ^ kTables[4][lo >> 24] ^ kTables[3][hi & 0xFFu] ^
        kTables[2][(hi >> 8) & 0xFFu] ^ kTables[1][(hi >> 16) & 0xFFu] ^ kTables[0][hi >> 24];
  }
  for (; n > 0; ++p, --n) c = (c >> 8) ^ kTables[0][(c ^ *p) & 0xFFu];
  return ~c;
}

// The register after `n` zero bytes have gone through it, from `c`: the table loop above
// with nothing to add. A CRC is linear: going through bytes B from register c gives the
// register of B from zero, XORed with this of c. That is what lets three streams be joined.
constexpr std::uint32_t through_zeros(std::uint32_t c, std::size_t n) {
  for (; n > 0; --n) c = (c >> 8) ^ kTables[0][c & 0xFFu];
  return c;
}

// Bytes per stream per round of the three-stream loop (a multiple of 8).
constexpr std::size_t kStride = 256;

// kShift[k][b]: the register through kStride zero bytes, from b in byte k of the register.
// By linearity the register through kStride zeros is the XOR of its four bytes' entries.
using ShiftTables = std::array<std::array<std::uint32_t, 256>, 4>;

ShiftTables make_shift_tables() {
  ShiftTables t{};
  for (std::uint32_t k = 0; k < 4; ++k) {
    for (std::uint32_t b = 0; b < 256; ++b) t[k][b] = through_zeros(b << (8 * k), kStride);
  }
  return t;
}

// The register through kStride zero bytes, from `c`.
std::uint32_t through_stride(const ShiftTables& t, std::uint32_t c) {
  return t[0][c & 0xFFu] ^ t[1][(c >> 8) & 0xFFu] ^ t[2][(c >> 16) & 0xFFu] ^ t[3][c >> 24];
}

#if defined(__x86_64__)
// Compiled for SSE4.2 alone, so the rest of the program still runs on any x86-64; only
// called after the runtime check in hardware_accelerated() has passed.
//
// The instruction takes 8 bytes a cycle but gives its result 3 cycles later, so one chain of
// them runs at a third of its speed. Long inputs go as three streams at once, each of
// kStride bytes a round, joined at the end of the round: the first stream's register is
// carried through the second's bytes (as zeros) and XORed with it, then the same with the
// third. (Intel's white paper on CRC32C with this instruction describes the method.)
__attribute__((target("sse4.2"))) std::uint32_t extend_sse42(std::uint32_t crc,
                                                             const unsigned char* p,
                                                             std::size_t n) {
  std::uint64_t c = ~crc;
  // Bytes one at a time until p is 8-byte aligned, then whole words, then the tail.
  while (n > 0 && (reinterpret_cast<std::uintptr_t>(p) & 7u) != 0) {
    c = _mm_crc32_u8(static_cast<std::uint32_t>(c), *p);
    ++p;
    --n;
  }
  const auto word_at = [](const unsigned char* q) {
    std::uint64_t word;
    std::memcpy(&word, q, sizeof word);  // x86 is little-endian, as the instruction expects
    return word;
  };
  if (n >= 3 * kStride) {
    static const ShiftTables shift = make_shift_tables();
    for (; n >= 3 * kStride; p += 3 * kStride, n -= 3 * kStride) {
      std::uint64_t a = c;
      std::uint64_t b = 0;
      std::uint64_t d = 0;
      for (std::size_t i = 0; i < kStride; i += 8) {
        a = _mm_crc32_u64(a, word_at(p + i));
        b = _mm_crc32_u64(b, word_at(p + kStride + i));
        d = _mm_crc32_u64(d, word_at(p + 2 * kStride + i));
      }
      const std::uint32_t ab = through_stride(shift, static_cast<std::uint32_t>(a)) ^
                               static_cast<std::uint32_t>(b);
      c = through_stride(shift, ab) ^ static_cast<std::uint32_t>(d);
    }
  }
  for (; n >= 8; p += 8, n -= 8) c = _mm_crc32_u64(c, word_at(p));
  for (; n > 0; ++p, --n) c = _mm_crc32_u8(static_cast<std::uint32_t>(c), *p);
  return ~static_cast<std::uint32_t>(c);
}

bool cpu_has_sse42() {
  __builtin_cpu_init();
  return __builtin_cpu_supports("sse4.2");
}
#endif

const unsigned char* bytes(std::string_view data) {
  return reinterpret_cast<const unsigned char*>(data.data());
}

}  // namespace

bool hardware_accelerated() {
#if defined(__x86_64__)
  static const bool has = cpu_has_sse42();
  return has;
#else
  return false;
#endif
}

std::uint32_t extend_portable(std::uint32_t crc, std::string_view data) {
  return extend_table(crc, bytes(data), data.size());
}

std::uint32_t extend(std::uint32_t crc, std::string_view data) {
#if defined(__x86_64__)
  if (hardware_accelerated()) return extend_sse42(crc, bytes(data), data.size());
#endif
  return extend_table(crc, bytes(data), data.size());
}

std::uint32_t mask(std::uint32_t crc) { return ((crc >> 15) | (crc << 17)) + kMaskDelta; }

std::uint32_t unmask(std::uint32_t masked) {
  const std::uint32_t rotated = masked - kMaskDelta;
  return (rotated << 15) | (rotated >> 17);
}

}  // namespace vkv::crc32c
