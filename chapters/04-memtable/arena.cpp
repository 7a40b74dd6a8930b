#include "04-memtable/arena.hpp"

#include <algorithm>
#include <cassert>
#include <cstdint>

namespace vkv::storage {

// LEARNER: begin Arena::allocate(): bump a pointer in the current block, else fall back
char* Arena::allocate(std::size_t n) {
  assert(n > 0);
  if (n > remaining_) return allocate_fallback(n);
  char* result = next_;
  next_ += n;
  remaining_ -= n;
  return result;
}
// LEARNER: end

char* Arena::allocate_aligned(std::size_t n) {
  constexpr std::size_t kAlign = alignof(void*);
  static_assert((kAlign & (kAlign - 1)) == 0, "alignment must be a power of two");
  const std::size_t misalignment = reinterpret_cast<std::uintptr_t>(next_) & (kAlign - 1);
  const std::size_t padding = misalignment == 0 ? 0 : kAlign - misalignment;
  if (padding + n > remaining_) {
    // A fresh block comes from the heap, which aligns it for any fundamental type.
    return allocate_fallback(n);
  }
  char* result = next_ + padding;
  next_ += padding + n;
  remaining_ -= padding + n;
  return result;
}

// The current block cannot hold `n` bytes: start a new one, or give a large request a block
// of its own so the rest of the current block stays in use.
// LEARNER: begin Arena::allocate_fallback(): a new block, or a block of its own for a large request
char* Arena::allocate_fallback(std::size_t n) {
  if (n > next_block_size_ / 4) return allocate_block(n);
  const std::size_t size = next_block_size_;
  next_block_size_ = std::min(next_block_size_ * 2, kMaxBlockSize);
  next_ = allocate_block(size);
  remaining_ = size;
  char* result = next_;
  next_ += n;
  remaining_ -= n;
  return result;
}
// LEARNER: end

//! [memory-accounting]
// Every block counts in full from the moment it is allocated: the unused tail of the current
// block is memory the process holds just the same. The vector of block pointers counts too.
char* Arena::allocate_block(std::size_t n) {
  blocks_.push_back(std::make_unique_for_overwrite<char[]>(n));
  block_bytes_ += n;
  memory_bytes_.store(block_bytes_ + blocks_.capacity() * sizeof(blocks_[0]),
                      std::memory_order_relaxed);
  return blocks_.back().get();
}
//! [memory-accounting]

}  // namespace vkv::storage
