/// \file
/// hash_key: the 64-bit hash that picks a key's memtable shard.
#pragma once

#include <cstdint>
#include <cstring>
#include <string_view>

namespace vkv::storage {

/// The final step of MurmurHash3's 64-bit hash: every input bit flips each output bit with
/// probability close to 1/2.
inline std::uint64_t mix64(std::uint64_t x) {
  x ^= x >> 33;
  x *= 0xff51afd7ed558ccdULL;
  x ^= x >> 33;
  x *= 0xc4ceb9fe1a85ec53ULL;
  x ^= x >> 33;
  return x;
}

/// A well-mixed 64-bit hash of `key`'s bytes, eight bytes at a time.
///
/// Never stored anywhere, so it may differ between machines (it reads words in native byte
/// order). The Memtable picks a shard with its high 32 bits, which leaves the low bits
/// independent of that choice for any other use of the same hash.
inline std::uint64_t hash_key(std::string_view key) {
  constexpr std::uint64_t kOdd = 0x9e3779b97f4a7c15ULL;  // 2^64 divided by the golden ratio
  std::uint64_t h = key.size() * kOdd;
  std::size_t i = 0;
  for (; i + 8 <= key.size(); i += 8) {
    std::uint64_t word;
    std::memcpy(&word, key.data() + i, 8);
    h = (h ^ mix64(word)) * kOdd;
  }
  std::uint64_t tail = 0;
  if (i < key.size()) std::memcpy(&tail, key.data() + i, key.size() - i);
  return mix64(h ^ mix64(tail));
}

}  // namespace vkv::storage
