/// \file
/// BloomFilter: a set of keys, in about ten bits each, that can answer "surely not here".
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

namespace vkv::storage {

//! [bloom-constants]
/// Bits of filter per key, unless told otherwise. At 10 bits and 7 probes about 1% of absent
/// keys get through (a "maybe"); every present key always does. Each extra bit per key
/// divides the false positives by about 1.5, for 1/8 byte more memory per key.
inline constexpr std::size_t kBloomBitsPerKey = 10;
/// The most bits per key accepted: past 30 or so the false-positive rate is below one in a
/// million and more bits only cost memory.
inline constexpr std::size_t kMaxBloomBitsPerKey = 64;
/// A key's probes all fall in one line of this many bits (a 64-byte cache line), so asking
/// about a key costs one cache miss, however many probes.
inline constexpr std::size_t kBloomLineBits = 512;
//! [bloom-constants]

/// A Bloom filter over a fixed set of keys: add() every key, then ask may_contain().
///
/// Each key sets k bits of an m-bit array, chosen from one 64-bit hash (chapter 4's
/// hash_key). A key whose k bits are not all set was never added, so may_contain() never says
/// no to a key that was added; it says yes to an absent key with probability about
/// (1 - e^(-k n/m))^k, a little more here (see below).
///
/// The array is cut into lines of kBloomLineBits bits. The hash's high half picks a key's
/// line, and its low half the k bits in it, by double hashing: bit i is (a + i * b) mod 512,
/// for i in [0, k). A store asks dozens of filters about each key, and a filter of a
/// million keys does not fit in a CPU cache: k probes anywhere in the array would cost k
/// cache misses (about 2 for an absent key, which stops at the first bit not set), one line
/// costs one. The price is a slightly higher false-positive rate, since some lines get more
/// keys than others: about 1% at 10 bits per key, against 0.8% for probes anywhere.
///
/// Lives in memory only: the store builds one per table when it writes the table (the flush
/// sees every key) or opens it (start-up reads every block to verify it anyway), so the file
/// format has no filter in it.
///
/// Not thread-safe while keys are added; once built, any number of threads may call the
/// const methods at once.
class BloomFilter {
 public:
  /// An empty filter sized for `expected_keys` keys at `bits_per_key` bits each, rounded up
  /// to whole lines (one line at least). REQUIRES: 1 <= bits_per_key <= kMaxBloomBitsPerKey.
  explicit BloomFilter(std::uint64_t expected_keys, std::size_t bits_per_key = kBloomBitsPerKey);

  /// Adds `key`.
  void add(std::string_view key) { add_hash(hash(key)); }
  /// Adds the key whose hash() is `h`.
  void add_hash(std::uint64_t h);

  /// False when `key` was surely never added; true when it may have been.
  [[nodiscard]] bool may_contain(std::string_view key) const { return may_contain_hash(hash(key)); }
  /// may_contain() for the key whose hash() is `h`: a reader that asks many filters about one
  /// key hashes it once.
  [[nodiscard]] bool may_contain_hash(std::uint64_t h) const;

  /// The hash the filter uses (chapter 4's hash_key).
  [[nodiscard]] static std::uint64_t hash(std::string_view key);

  /// How many bits the filter has (m).
  [[nodiscard]] std::uint64_t bit_count() const { return line_count_ * kBloomLineBits; }
  /// How many bits each key sets (k).
  [[nodiscard]] int probe_count() const { return probes_; }
  /// The bytes of memory the filter's bits take.
  [[nodiscard]] std::size_t memory_bytes() const { return words_.size() * sizeof(std::uint64_t); }

 private:
  std::vector<std::uint64_t> words_;  // the m bits, 64 to a word, 8 words to a line
  std::uint64_t line_count_;          // m / kBloomLineBits
  int probes_;                        // k
};

}  // namespace vkv::storage
