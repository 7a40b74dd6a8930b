#include "common/coding.hpp"

#include <algorithm>
#include <cassert>

namespace vkv {
namespace {

// Reads a varint of at most `max_bytes` bytes whose value must fit in `max_bits` bits.
bool get_varint(std::string_view* input, int max_bytes, int max_bits, std::uint64_t* v) {
  std::uint64_t result = 0;
  const int n = static_cast<int>(std::min<std::size_t>(input->size(), max_bytes));
  for (int i = 0; i < n; ++i) {
    const auto byte = static_cast<unsigned char>((*input)[i]);
    const int shift = 7 * i;
    const std::uint64_t bits = byte & 0x7Fu;
    // Bits that would land at or past max_bits make the value too big for the type.
    if (max_bits - shift < 7 && (bits >> (max_bits - shift)) != 0) return false;
    result |= bits << shift;
    if ((byte & 0x80u) == 0) {
      input->remove_prefix(static_cast<std::size_t>(i) + 1);
      *v = result;
      return true;
    }
  }
  return false;  // ran out of input, or still continuing after max_bytes
}

}  // namespace

void put_varint64(std::string* dst, std::uint64_t v) {
  while (v >= 0x80u) {
    dst->push_back(static_cast<char>((v & 0x7Fu) | 0x80u));
    v >>= 7;
  }
  dst->push_back(static_cast<char>(v));
}

void put_varint32(std::string* dst, std::uint32_t v) { put_varint64(dst, v); }

bool get_varint32(std::string_view* input, std::uint32_t* v) {
  std::uint64_t wide = 0;
  if (!get_varint(input, kMaxVarint32Bytes, 32, &wide)) return false;
  *v = static_cast<std::uint32_t>(wide);
  return true;
}

bool get_varint64(std::string_view* input, std::uint64_t* v) {
  return get_varint(input, kMaxVarint64Bytes, 64, v);
}

int varint_length(std::uint64_t v) {
  int n = 1;
  while (v >= 0x80u) {
    v >>= 7;
    ++n;
  }
  return n;
}

void put_length_prefixed(std::string* dst, std::string_view s) {
  assert(s.size() <= UINT32_MAX);
  put_varint32(dst, static_cast<std::uint32_t>(s.size()));
  dst->append(s);
}

bool get_length_prefixed(std::string_view* input, std::string_view* out) {
  std::string_view rest = *input;
  std::uint32_t len = 0;
  if (!get_varint32(&rest, &len) || rest.size() < len) return false;
  *out = rest.substr(0, len);
  rest.remove_prefix(len);
  *input = rest;
  return true;
}

}  // namespace vkv
