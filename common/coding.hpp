/// \file
/// Byte coding: fixed-width little-endian integers, varints and length-prefixed strings.
///
/// Every vkv file format (WAL records, SSTable blocks, footers) is built from these few
/// pieces. Fixed-width integers are little-endian whatever the host, so files move between
/// machines. Varints store small numbers (lengths, mostly) in fewer bytes: seven bits per
/// byte, low bits first, the top bit set on every byte but the last.
///
/// The get_* functions read from the front of a `std::string_view` and advance it past
/// what they consumed. They never read past its end: on truncated or malformed input they
/// return false and leave `*input` as it was.
#pragma once

#include <bit>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

namespace vkv {

/// The most bytes a varint32 takes (5 x 7 bits >= 32).
inline constexpr int kMaxVarint32Bytes = 5;
/// The most bytes a varint64 takes (10 x 7 bits >= 64).
inline constexpr int kMaxVarint64Bytes = 10;

namespace coding_detail {

// On a little-endian host (x86, most ARM) the bytes are the integer's own, copied at once;
// elsewhere, shifting and masking puts them in that order. In the header, with N fixed, each
// is one load or store: they sit on every log record's and every table entry's path.
/// Appends the low `N` bytes of `v` to `*dst`, least significant first.
template <int N>
void store_le(std::string* dst, std::uint64_t v) {
  char bytes[N];  // the bytes first, then one append: one check of the capacity, not N
  if constexpr (std::endian::native == std::endian::little) {
    std::memcpy(bytes, &v, N);  // the low N bytes come first
  } else {
    for (int i = 0; i < N; ++i) bytes[i] = static_cast<char>((v >> (8 * i)) & 0xFFu);
  }
  dst->append(bytes, N);
}

/// The `N` bytes at `p`, least significant first, as a number.
template <int N>
std::uint64_t load_le(const char* p) {
  std::uint64_t v = 0;
  if constexpr (std::endian::native == std::endian::little) {
    std::memcpy(&v, p, N);  // the high bytes stay 0
  } else {
    for (int i = N - 1; i >= 0; --i) v = (v << 8) | static_cast<unsigned char>(p[i]);
  }
  return v;
}

}  // namespace coding_detail

/// Appends `v` as 4 little-endian bytes.
inline void put_fixed32(std::string* dst, std::uint32_t v) { coding_detail::store_le<4>(dst, v); }
/// Appends `v` as 8 little-endian bytes.
inline void put_fixed64(std::string* dst, std::uint64_t v) { coding_detail::store_le<8>(dst, v); }
/// Reads 4 little-endian bytes. REQUIRES: `p` points at 4 readable bytes.
inline std::uint32_t decode_fixed32(const char* p) {
  return static_cast<std::uint32_t>(coding_detail::load_le<4>(p));
}
/// Reads 8 little-endian bytes. REQUIRES: `p` points at 8 readable bytes.
inline std::uint64_t decode_fixed64(const char* p) { return coding_detail::load_le<8>(p); }

/// Appends `v` as a varint (1 to 5 bytes).
void put_varint32(std::string* dst, std::uint32_t v);
/// Appends `v` as a varint (1 to 10 bytes).
void put_varint64(std::string* dst, std::uint64_t v);
/// Reads a varint32 from the front of `*input` and advances past it. Returns false when
/// the input ends mid-varint, or the varint is longer than 5 bytes or its value does not
/// fit in 32 bits.
bool get_varint32(std::string_view* input, std::uint32_t* v);
/// Reads a varint64 from the front of `*input` and advances past it. Returns false when
/// the input ends mid-varint, or the varint is longer than 10 bytes or its value does not
/// fit in 64 bits.
bool get_varint64(std::string_view* input, std::uint64_t* v);
/// The number of bytes put_varint64(v) appends (put_varint32 too, for a 32-bit `v`).
int varint_length(std::uint64_t v);

/// Appends `s`'s length as a varint32, then `s`. REQUIRES: s.size() < 2^32.
void put_length_prefixed(std::string* dst, std::string_view s);
/// Reads a string written by put_length_prefixed() from the front of `*input` into `*out`
/// (a view into the input's bytes) and advances past it. Returns false when the length is
/// malformed or longer than what is left of the input.
bool get_length_prefixed(std::string_view* input, std::string_view* out);

}  // namespace vkv
