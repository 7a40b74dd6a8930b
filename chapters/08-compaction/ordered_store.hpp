/// \file
/// OrderedStore: a store whose keys can be read in order, a page at a time.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.hpp"

namespace vkv::storage {

/// A page ends once its keys and values hold this many bytes (with the entry that crosses
/// it), whatever its limit says: a page of large values stays about this size, so what a
/// scan holds in memory does not grow with the values, nor with the store.
inline constexpr std::size_t kMaxScanPageBytes = 1 << 20;

/// A key and its value, as a scan found them.
struct ScanEntry {
  std::string key;    ///< The key.
  std::string value;  ///< Its newest value.
};

/// One page of a scan.
struct ScanPage {
  std::vector<ScanEntry> entries;  ///< In key order, each key once.
  /// The first key of the range after the page, where the next page starts; nothing when the
  /// page ends the range.
  std::optional<std::string> next;
};

//! [ordered-store]
/// A store that can list its keys in order. Written as its own interface, beside Store,
/// because not every store keeps its keys sorted (a hash table does not); one that does
/// implements both.
///
/// Thread-safe: scans may run beside each other and beside writes.
class OrderedStore {
 public:
  virtual ~OrderedStore() = default;
  /// Fills `*page` with the live keys k with start <= k (and k < *end, when there is an end),
  /// in key order, each with its newest value; a deleted key is left out. At most `limit`
  /// of them, and fewer once their bytes reach kMaxScanPageBytes, but at least one when the
  /// range has one. `page->next` says where the next page starts: pass it as the next
  /// `start` to go on. Each page is read as one scan; what it sees of writes made while it
  /// runs is up to the store. An error (a damaged table) leaves `*page` unspecified.
  /// REQUIRES: limit >= 1.
  virtual Status scan(std::string_view start, std::optional<std::string_view> end,
                      std::size_t limit, ScanPage* page) = 0;
};
//! [ordered-store]

}  // namespace vkv::storage
