/// \file
/// The shape of the levels: how many, how big each may grow, when level 0 slows writers.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string_view>

namespace vkv::storage {

//! [levels]
/// Level 0 holds tables as flushed (their key ranges may overlap); levels 1 to
/// kLevels - 1 each hold tables whose key ranges do not overlap.
inline constexpr int kLevels = 7;

/// How the levels are shaped. The defaults are LevelDB's, for a 4 MiB memtable, except
/// level 0's slowdown and stop triggers, which are RocksDB's.
struct LevelOptions {
  /// Level 0 is compacted once it holds this many tables.
  std::size_t l0_compaction_trigger = 4;
  /// ... or once its bytes reach this fraction of all the levels below it. In a store whose
  /// live data is a few memtables' worth, each flush is mostly a new copy of the same keys:
  /// without this, four such copies would wait in level 0, for up to five times the live
  /// data on disk. In a large store it never fires before the table count does.
  double l0_space_ratio = 0.5;
  /// From this many level-0 tables on, writes are slowed to `slowdown_writes_per_second`,
  /// so that compaction gets the disk and the CPU to catch up. RocksDB's 20, not LevelDB's 8:
  /// level 0 absorbs a burst of writes instead of slowing it, and a GET meanwhile passes more
  /// tables, most of them skipped by their Bloom filters.
  std::size_t l0_slowdown_trigger = 20;
  /// The pace of all writes together while level 0 is past `l0_slowdown_trigger`: about a
  /// tenth of what one writer does unhindered, so writes go on, slowly. (LevelDB instead
  /// makes each write wait 1 ms, which paces one writer to 1,000 writes a second.)
  std::size_t slowdown_writes_per_second = 100'000;
  /// At this many level-0 tables, writes wait until compaction brings the count down
  /// (RocksDB's 36; LevelDB's is 12).
  std::size_t l0_stop_trigger = 36;
  /// Level 1's target size; each deeper level's is `level_size_multiplier` times the one
  /// above it (10 MiB, 100 MiB, 1 GiB, ...). The last level has no target.
  std::uint64_t level1_bytes = 10 << 20;
  /// How much bigger each level is than the one above.
  std::uint64_t level_size_multiplier = 10;
  /// A compaction cuts its output into tables of about this many bytes.
  std::uint64_t table_bytes = 2 << 20;
  /// Memory for values GETs found in the tables (RowCache); 0 turns the cache off.
  std::size_t row_cache_bytes = 32 << 20;
  /// True: compactions run on a thread of their own, beside reads and writes. False: each
  /// flush runs the compactions it makes needed before it returns, on the flushing thread,
  /// so that every file operation comes in a fixed order (the crash tests count on it).
  bool background = true;
  /// Says, during a compaction, that a value is dead although no newer entry replaced it
  /// (say, one whose bytes name a time that has passed). Empty in this chapter. Called for the newest value of each key a compaction
  /// keeps; true: the compaction treats it as a tombstone: dropped where no deeper level may
  /// hold the key, written as a tombstone where one may (so an older value below cannot come
  /// back). Must be thread-safe and cheap; empty: every value lives.
  std::function<bool(std::string_view key, std::string_view value)> dead_value;

  /// The defaults, with level 1 sized for a memtable of `memtable_bytes`: at least as large
  /// as a full level 0 (`l0_compaction_trigger` flushed memtables, RocksDB's rule), so that
  /// a level-0 compaction does not overfill level 1 at once. LevelDB's 10 MiB suits its 4 MiB
  /// memtable; the server's is 64 MiB.
  static LevelOptions for_memtable(std::size_t memtable_bytes) {
    LevelOptions o;
    o.level1_bytes = std::max<std::uint64_t>(o.level1_bytes,
                                             o.l0_compaction_trigger * memtable_bytes);
    return o;
  }

  /// The target size of `level` (1 and deeper).
  [[nodiscard]] std::uint64_t target_bytes(int level) const {
    std::uint64_t bytes = level1_bytes;
    for (int l = 1; l < level; ++l) bytes *= level_size_multiplier;
    return bytes;
  }
};
//! [levels]

}  // namespace vkv::storage
