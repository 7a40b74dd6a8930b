/// \file
/// BlockBuilder: lays out sorted entries as one block, keys prefix-compressed.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "05-sstables/table_format.hpp"

namespace vkv::storage {

/// Builds one block (data or index) in memory: entries in key order, each key stored as the
/// length of the prefix it shares with the previous key plus the bytes that differ, and every
/// `restart_interval`-th key stored whole so a reader can binary-search (see
/// table_format.hpp for the layout).
///
/// Sorted keys share long prefixes ("user:1000017", "user:1000018"), so this saves most of
/// each key's bytes. A builder knows nothing of kinds or handles: values are opaque bytes.
/// Not thread-safe.
class BlockBuilder {
 public:
  /// A builder for an empty block. REQUIRES: restart_interval >= 1.
  explicit BlockBuilder(int restart_interval = kRestartInterval);

  /// Appends an entry. REQUIRES: finish() not called since the last reset(); `key` sorts
  /// strictly after every key added before (bytewise); the block stays under 4 GiB.
  void add(std::string_view key, std::string_view value);

  /// Appends the restart array and returns the finished block's bytes, valid until the next
  /// reset() or the builder's end. REQUIRES: finish() not called since the last reset().
  std::string_view finish();

  /// Forgets everything, ready to build the next block.
  void reset();

  /// The size the block would have if finished now.
  [[nodiscard]] std::size_t size_estimate() const;
  /// True when no entry was added since the last reset().
  [[nodiscard]] bool empty() const { return entry_count_ == 0; }
  /// How many entries were added since the last reset().
  [[nodiscard]] std::size_t entry_count() const { return entry_count_; }
  /// The last key added. REQUIRES: !empty().
  [[nodiscard]] std::string_view last_key() const { return last_key_; }

 private:
  int restart_interval_;
  std::string buffer_;               // the entries, then (after finish) the restart array
  std::vector<std::uint32_t> restarts_;  // offsets of the entries stored whole
  int since_restart_ = 0;            // entries added since the last restart point
  std::size_t entry_count_ = 0;
  std::string last_key_;
  bool finished_ = false;
};

}  // namespace vkv::storage
