/// \file
/// TableSet: the store's live tables, their durable record, and how a read searches them.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <span>
#include <string_view>
#include <vector>

#include "03-wal/data_dir.hpp"
#include "04-memtable/iterator.hpp"
#include "05-sstables/table.hpp"
#include "05-sstables/table_file.hpp"
#include "common/status.hpp"

namespace vkv::storage {

/// The counter that names the store's files: logs and tables share it, so no two files ever
/// have the same number. Thread-safe.
class FileNumbers {
 public:
  /// A number never handed out before.
  std::uint64_t allocate() { return next_.fetch_add(1); }
  /// The number allocate() would give next (what the MANIFEST records).
  [[nodiscard]] std::uint64_t peek() const { return next_.load(); }
  /// Makes every later number at least `n`.
  void raise_to(std::uint64_t n) {
    std::uint64_t seen = next_.load();
    while (seen < n && !next_.compare_exchange_weak(seen, n)) {
    }
  }

 private:
  std::atomic<std::uint64_t> next_{1};
};

//! [table-set]
/// The tables a reader searches, as they were at one moment. Never changes once made: a
/// reader holding one keeps every table in it open (and on disk) until it lets go.
class TableVersion {
 public:
  virtual ~TableVersion() = default;
  /// Looks `key` up, newest entry first: ok with the value in `*value`; not found when no
  /// table has the key or the newest entry is a tombstone; the error of a damaged table
  /// otherwise. Adds to `*filter_skips` the tables whose Bloom filter said "not here".
  virtual Status get(std::string_view key, std::string* value,
                     std::uint64_t* filter_skips) const = 0;
  /// Every table, in the order get() searches them (newest entries first).
  [[nodiscard]] virtual std::vector<const TableFile*> tables() const = 0;
  /// Iterators over the tables' entries, tombstones included, in the order get() searches
  /// them (newest entries first), each positioned nowhere: what a reader who walks the store
  /// in key order merges, the first source that has a key deciding it. Here one per table;
  /// a set that knows more of its tables' shapes may give fewer. REQUIRES: the version
  /// outlives them.
  [[nodiscard]] virtual std::vector<std::unique_ptr<Iterator>> new_iterators() const {
    std::vector<std::unique_ptr<Iterator>> out;
    for (const TableFile* t : tables()) {
      out.push_back(std::make_unique<Table::Iterator>(*t->table));
    }
    return out;
  }
};

/// What a TableSet is given when the store opens: where the tables live, how to open
/// them, the store's file counter, and whom to tell of errors nobody else hears about.
struct TableSetContext {
  const DataDir* dir = nullptr;      ///< The data directory. Outlives the set.
  TableFileOptions table_options;    ///< The block cache and the filters' size.
  FileNumbers* numbers = nullptr;    ///< The store's file counter. Outlives the set.
  /// Told of a failure in work the set does on its own (none in this chapter). May be empty.
  std::function<void(const Status&)> on_error;
};

/// The store's live tables and their durable record (the MANIFEST).
///
/// LsmStore knows its tables only through this interface: start-up asks it to recover
/// them, a flush hands it each new table, a read searches its current() version. This
/// chapter's implementation is FlatTableSet: one list, newest last. Thread-safe.
class TableSet {
 public:
  /// What recover() read from the record.
  struct Recovered {
    /// Every record of the logs numbered below this is in the tables (0: every log matters).
    std::uint64_t log_number = 0;
    /// The file counter as recorded (the store raises it past every file it finds).
    std::uint64_t next_file_number = 1;
  };

  virtual ~TableSet() = default;
  /// Start-up: reads the record of the live tables and opens and verifies each. Adds what
  /// it did to `notes`. A damaged record or table fails it, naming the file.
  virtual Result<Recovered> recover(std::vector<std::string>& notes) = 0;
  /// Whether table `number` is live. After recover(), start-up removes a table file that is
  /// not (a crashed flush's).
  [[nodiscard]] virtual bool is_live(std::uint64_t number) const = 0;
  /// Makes `table`, just written from a memtable, live: records it durably together with
  /// `log_number` (every record of the logs below it is now in the tables), then shows it in
  /// current(). On failure nothing changes.
  virtual Status add_flushed(TableFile table, std::uint64_t log_number) = 0;
  /// The tables now. Cheap: a reader takes one per read.
  [[nodiscard]] virtual std::shared_ptr<const TableVersion> current() const = 0;
  /// Called at the start of every write, before the store takes any lock. May make the
  /// writer wait while work on the tables catches up (backpressure), or refuse the write
  /// when that work cannot go on. This chapter's set never waits and returns ok.
  virtual Status before_write() { return Status::ok(); }
  /// Called once the store is open: its leftovers removed, its logs replayed. A set that
  /// works in the background starts that work here, not in recover(), so that no file it
  /// writes can be taken for a crash's leftover while the store opens. This chapter's set
  /// has no background work.
  virtual void start() {}
  /// A hint that GETs of `keys` are coming: a set may start loading what they will read.
  /// It changes nothing, and this chapter's set does nothing with it.
  virtual void prefetch(std::span<const std::string_view> keys) const { (void)keys; }
};
//! [table-set]

/// Makes the TableSet of a store being opened. Empty in LsmStoreOptions: a FlatTableSet.
using TableSetFactory = std::function<std::unique_ptr<TableSet>(const TableSetContext&)>;

}  // namespace vkv::storage
