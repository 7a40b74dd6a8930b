#include "05-sstables/bloom_filter.hpp"

#include <algorithm>
#include <cassert>
#include <cmath>

#include "04-memtable/key_hash.hpp"

namespace vkv::storage {

namespace {

//! [bloom-probes]
// k = m/n * ln 2 minimizes the false-positive rate: 7 at 10 bits per key. More probes than
// 30 cost time and buy nothing at any bits per key we accept.
int probes_for(std::size_t bits_per_key) {
  const auto k = static_cast<int>(std::lround(static_cast<double>(bits_per_key) * 0.69));
  return std::clamp(k, 1, 30);
}

constexpr std::uint64_t kWordsPerLine = kBloomLineBits / 64;

// Where a key's bits are: the first word of its line, then by double hashing (Kirsch and
// Mitzenmacher) bit i of the line is (a + i * b) mod 512. The step b is odd, so the k probes
// are k different bits.
struct Probes {
  std::uint64_t first_word;
  std::uint32_t a;
  std::uint32_t b;
  Probes(std::uint64_t h, std::uint64_t lines)
      : first_word((h >> 32) % lines * kWordsPerLine),
        a(static_cast<std::uint32_t>(h)),
        b(static_cast<std::uint32_t>(h >> 9) | 1) {}
  // The word of the filter that holds probe i, and the bit in it.
  [[nodiscard]] std::uint64_t word(int i) const { return first_word + bit_in_line(i) / 64; }
  [[nodiscard]] std::uint64_t mask(int i) const {
    return std::uint64_t{1} << (bit_in_line(i) % 64);
  }
  [[nodiscard]] std::uint32_t bit_in_line(int i) const {
    return (a + static_cast<std::uint32_t>(i) * b) % kBloomLineBits;
  }
};
//! [bloom-probes]

}  // namespace

BloomFilter::BloomFilter(std::uint64_t expected_keys, std::size_t bits_per_key)
    : probes_(probes_for(bits_per_key)) {
  assert(bits_per_key >= 1 && bits_per_key <= kMaxBloomBitsPerKey);
  const std::uint64_t bits = expected_keys * bits_per_key;
  line_count_ = std::max<std::uint64_t>((bits + kBloomLineBits - 1) / kBloomLineBits, 1);
  words_.assign(line_count_ * kWordsPerLine, 0);
}

std::uint64_t BloomFilter::hash(std::string_view key) { return hash_key(key); }

// LEARNER: begin BloomFilter::add_hash() and may_contain_hash(): set a key's k bits in its line; any clear bit means surely absent
//! [bloom-add]
void BloomFilter::add_hash(std::uint64_t h) {
  const Probes p(h, line_count_);
  for (int i = 0; i < probes_; ++i) words_[p.word(i)] |= p.mask(i);
}

bool BloomFilter::may_contain_hash(std::uint64_t h) const {
  const Probes p(h, line_count_);
  for (int i = 0; i < probes_; ++i) {
    if ((words_[p.word(i)] & p.mask(i)) == 0) return false;  // surely absent
  }
  return true;
}
//! [bloom-add]
// LEARNER: end

}  // namespace vkv::storage
