/// \file
/// Arena: memory handed out from large blocks by bumping a pointer, freed all at once.
#pragma once

#include <atomic>
#include <cstddef>
#include <memory>
#include <vector>

namespace vkv::storage {

/// Hands out memory from large blocks and frees it all together when it is destroyed.
///
/// A memtable never frees one entry: it lives until the whole table has been flushed and
/// dropped. So the cheapest allocator is a pointer bumped through a block, with no per-entry
/// header and no free list. Blocks start small (an empty memtable costs little) and double up
/// to kMaxBlockSize. A request too large to share a block gets a block of its own, so it does
/// not strand the rest of the current one.
///
/// Thread safety: allocate() and allocate_aligned() must be serialised by the caller (a
/// memtable shard calls them under its lock, held exclusively). memory_bytes() may be called
/// from any thread at any time. Memory handed out never moves and stays valid until the arena dies.
class Arena {
 public:
  /// The size of the first block.
  static constexpr std::size_t kFirstBlockSize = 4 * 1024;
  /// The largest ordinary block. Kept under glibc's default mmap threshold (128 KiB), so
  /// blocks come from the heap rather than from a system call each.
  static constexpr std::size_t kMaxBlockSize = 64 * 1024;

  /// An empty arena: no block is allocated until the first request.
  Arena() = default;
  Arena(const Arena&) = delete;
  Arena& operator=(const Arena&) = delete;

  /// `n` bytes with no alignment promise. REQUIRES: n > 0; calls are serialised.
  char* allocate(std::size_t n);

  /// `n` bytes aligned for a pointer (and so for std::atomic<T*>). REQUIRES: n > 0; calls
  /// are serialised.
  char* allocate_aligned(std::size_t n);

  /// The bytes this arena holds from the heap: every block in full, used or not, plus the
  /// list of blocks. Safe to call from any thread.
  [[nodiscard]] std::size_t memory_bytes() const {
    return memory_bytes_.load(std::memory_order_relaxed);
  }

 private:
  char* allocate_fallback(std::size_t n);
  char* allocate_block(std::size_t n);

  std::vector<std::unique_ptr<char[]>> blocks_;
  char* next_ = nullptr;       // the first free byte of the current block
  std::size_t remaining_ = 0;  // free bytes after next_ in the current block
  std::size_t next_block_size_ = kFirstBlockSize;
  std::size_t block_bytes_ = 0;  // the sum of the sizes of blocks_
  // Atomic because memory_bytes() is read from any thread without the caller's lock.
  std::atomic<std::size_t> memory_bytes_{0};
};

}  // namespace vkv::storage
