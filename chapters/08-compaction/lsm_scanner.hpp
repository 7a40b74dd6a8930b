/// \file
/// LsmScanner: an LsmStore's keys in order, through one NewestWinsIterator.
#pragma once

#include "05-sstables/lsm_store.hpp"
#include "08-compaction/ordered_store.hpp"

namespace vkv::storage {

/// Scans an LsmStore (with chapter 5's tables or this chapter's levels): its sorted sources
/// (LsmStore::sources(): the memtables, level 0 newest first, then one iterator per level)
/// merged by a NewestWinsIterator, so each key comes once with its newest entry, and
/// tombstones left out.
///
/// **What a page sees.** The sources of the moment it starts, held until it ends: tables
/// that a compaction replaces meanwhile stay readable (their files too), and no write
/// acknowledged before the page started is missed. A write made while it runs may or may not
/// be seen, key by key: each key shows a value it had at some moment during the page. Pages
/// are separate scans: a key written between two pages is seen as of the later one.
///
/// **Memory**: one page (see kMaxScanPageBytes), plus one block per table iterator: the
/// level-0 tables and one per deeper level, not one per table.
///
/// Thread-safe, as the store is.
class LsmScanner final : public OrderedStore {
 public:
  /// Scans `store`, which must outlive it.
  explicit LsmScanner(LsmStore& store) : store_(store) {}

  Status scan(std::string_view start, std::optional<std::string_view> end, std::size_t limit,
              ScanPage* page) override;

 private:
  LsmStore& store_;
};

}  // namespace vkv::storage
