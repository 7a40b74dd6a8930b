/// \file
/// LsmStore: the log and the memtable of chapters 3 and 4, with SSTables below them.
#pragma once

#include <atomic>
#include <functional>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <span>
#include <string_view>
#include <vector>

#include "05-sstables/block_cache.hpp"
#include "05-sstables/bloom_filter.hpp"
#include "03-wal/data_dir.hpp"
#include "03-wal/durable_store.hpp"
#include "common/env.hpp"
#include "03-wal/log_writer.hpp"
#include "04-memtable/memtable.hpp"
#include "03-wal/recovery.hpp"
#include "02-parsing/store.hpp"
#include "05-sstables/table_file.hpp"
#include "05-sstables/table_set.hpp"
#include "05-sstables/write_gate.hpp"

namespace vkv::storage {

//! [lsm-options]
/// The memtable is flushed to a new SSTable once it holds this many bytes, unless told
/// otherwise (`--memtable-bytes`). LevelDB's default write buffer is the same size.
inline constexpr std::size_t kDefaultMemtableBytes = 4 << 20;
/// The least `memtable_bytes` accepted. An empty memtable already holds about 18 KiB (its
/// shards and their first arena blocks); much below this a table would be flushed every few
/// writes.
inline constexpr std::size_t kMinMemtableBytes = 64 << 10;

/// Shards of the LsmStore's memtables. Fewer than chapter 4's default: writes reach the
/// memtable one at a time anyway (in log order, from the LogWriter), so shards only spread
/// the readers; and each shard keeps a partly filled arena block of up to 64 KiB that counts
/// against memtable_bytes, so 16 shards would flush tables a quarter emptier.
inline constexpr std::size_t kMemtableShards = 4;

/// The block cache's capacity, unless told otherwise (`--block-cache-bytes`): LevelDB's
/// default too. About 2000 blocks of 4 KiB.
inline constexpr std::size_t kDefaultBlockCacheBytes = 8 << 20;

/// Runs `work` on some other thread, soon; see LsmStoreOptions::flush_runner.
using FlushRunner = std::function<void(std::function<void()> work)>;

/// How an LsmStore is opened.
struct LsmStoreOptions {
  /// The data directory, the log's sync policy and `repair`, as for chapter 3's store.
  DurableStoreOptions durable;
  /// Flush the memtable once memory_bytes() reaches this. REQUIRES: >= kMinMemtableBytes.
  std::size_t memtable_bytes = kDefaultMemtableBytes;
  /// Keep up to this many bytes of recently read data blocks in memory, shared by all the
  /// tables; 0 turns the cache off.
  std::size_t block_cache_bytes = kDefaultBlockCacheBytes;
  /// Bits per key of each table's Bloom filter (in memory: 10 bits is 1.25 bytes per
  /// entry); 0 turns the filters off. REQUIRES: <= kMaxBloomBitsPerKey.
  std::size_t filter_bits_per_key = kBloomBitsPerKey;
  /// Unset (this chapter): a flush runs whole in the thread of the write that found the
  /// memtable full. Set: that write only sets the memtable aside and starts a new log, and
  /// hands the rest of the flush (writing the table, the MANIFEST, deleting the old log) to
  /// the runner, which must run it exactly once, on another thread, and must keep running
  /// what it is given until the store is destroyed (the destructor waits for it). A later
  /// chapter's server passes one.
  FlushRunner flush_runner;
  /// Makes each shard of the store's memtables. Empty (this chapter): chapter 4's
  /// SkiplistShard. A later chapter passes a faster shard that keeps the same contract.
  MemtableShardFactory memtable_shards;
  /// Makes the set that keeps the store's tables. Empty (this chapter): a FlatTableSet,
  /// one list of tables. A later chapter passes one that merges them.
  TableSetFactory table_set;
  /// Told of each get() that failed at the tables (a damaged block, a disk's read error),
  /// with the error get() returns, and of what a walk of sources() reports the same way
  /// (report_read_error()); a missing key is not a failure. The caller of get() hears of it
  /// too; this is for the one who keeps the server's log. May be empty.
  std::function<void(const Status&)> on_read_error;
};
//! [lsm-options]

/// What an LsmStore holds right now, for a status line (chapter 6 prints it when it starts).
///
/// Counts are of *entries*, not of live keys: a key written before and after a flush has an
/// entry in a table and one in the memtable, and a deleted key is a tombstone entry. Knowing
/// the live keys would take a merge of everything; `entries()` is an upper bound of them.
struct LsmStats {
  std::size_t tables = 0;              ///< Live SSTables.
  std::uint64_t table_entries = 0;     ///< Entries in them, tombstones included.
  std::size_t memtable_entries = 0;    ///< Keys in the memtable(s), tombstones included.
  std::size_t memtable_bytes = 0;      ///< Bytes the memtable(s) hold.
  std::uint64_t records_replayed = 0;  ///< Log records replayed by open().
  std::uint64_t flushes = 0;           ///< Flushes since open().
  bool flushing = false;               ///< Whether a memtable is being written out now.
  std::uint64_t log_bytes = 0;         ///< Bytes in the log being written.
  std::uint64_t log_synced_bytes = 0;  ///< Of those, the bytes known to be on disk.
  std::uint64_t log_syncs = 0;         ///< fdatasyncs of the log being written.

  // The read path, since open(): what GETs did at the tables whose key range holds the key.
  std::size_t filter_bytes = 0;       ///< Memory of the tables' Bloom filters.
  std::uint64_t filter_skips = 0;     ///< Tables skipped because their filter said "not here".
  std::uint64_t block_reads = 0;      ///< Data blocks read from disk (pread, CRC32C, parse).
  std::uint64_t cache_hits = 0;       ///< Data blocks found in the block cache instead.
  std::size_t block_cache_bytes = 0;  ///< Bytes the block cache holds now.

  /// Table and memtable entries together: what start-up recovered, as an upper bound of
  /// the live keys.
  [[nodiscard]] std::uint64_t entries() const { return table_entries + memtable_entries; }
};

/// Every sorted source of an LsmStore at one moment, newest first, with what keeps them
/// readable: for a reader who walks the store in key order (LsmStore::sources()).
///
/// The memtables and the tables' version are held here, so a flush or a change of the tables
/// after sources() returns takes nothing from under the iterators: a reader may use them for
/// as long as it holds this. The tables never change. The memtable taking writes does: its
/// iterator runs beside the writers as Memtable::new_iterator() says (every key present when
/// it was positioned, each with an entry current at some moment while it ran). Writes that
/// go to a newer memtable, after a flush started, are not seen.
///
/// Movable, not copyable. One reader (one thread) at a time.
struct LsmSources {
  std::shared_ptr<const Memtable> memtable;  ///< The memtable taking writes then.
  std::shared_ptr<const Memtable> flushing;  ///< The memtable being flushed then, or null.
  std::shared_ptr<const TableVersion> tables;  ///< The tables then.
  /// Over the memtable, the one being flushed (if any), then TableVersion::new_iterators(),
  /// each positioned nowhere; where several have a key, the first one's entry is the newest.
  /// Declared last, so destroyed first: no iterator outlives what it reads.
  std::vector<std::unique_ptr<Iterator>> newest_first;
};

/// A Store that keeps recent writes in a memtable, behind a write-ahead log, and older ones
/// in immutable sorted files (SSTables): the log-structured merge tree, minus the merging
/// (compaction comes in a later chapter).
///
/// **Writes** go to the log, then the memtable (chapter 3's LogWriter: group commit, the
/// sync policy, apply in log order). When the memtable holds `memtable_bytes`, the next
/// write first *flushes* it: a new log is started, the full memtable is set aside (readers
/// still see it), written out as a new table by the crash-safe sequence of
/// write_table_file(), recorded in the MANIFEST, and only then are the old logs deleted.
/// Other writers go on during the flush, into the new memtable; they wait only while the log
/// and memtable are swapped. The writing out runs in the writer's own thread, or, with
/// LsmStoreOptions::flush_runner, on the runner's (then a writer that fills the next memtable
/// before the last one is written out waits for it).
///
/// **Reads** look in the memtable, then the one being flushed, then the tables newest
/// first; the first entry found decides, and a tombstone means not found. A table costs no
/// read when the key is outside its key range or its Bloom filter says the key is not there,
/// none when the block cache holds the block, and one block read otherwise.
///
/// **Start-up** (open()) reads the MANIFEST, opens and verifies every live table (a damaged
/// one stops start-up, naming the file and the block), removes what a crashed flush left
/// (temporary files, and a finished table that never made it into the MANIFEST: its data is
/// still in a log), replays the logs the tables do not cover into the memtable, and deletes
/// the logs they do cover.
///
/// **Failures.** A failed log write poisons the log as in chapter 3. A failed flush stops
/// all later writes (reads go on): its memtable and logs stay as they are, and a restart
/// replays the logs and tries again. A write that fails is never acknowledged and changes
/// nothing readable (the flush runs before the write, not after it). A flush on the runner
/// fails the writes after it, not the one that started it, which was acknowledged.
///
/// **Resources.** Every live table keeps its file open, and its index (one entry per 4 KiB
/// block) and Bloom filter (`filter_bits_per_key` / 8 bytes per entry) in memory; the block
/// cache adds at most `block_cache_bytes`. Without compaction, tables only accumulate: ~30
/// per GiB written with the default memtable, far more with a small one.
///
/// Thread-safe: every public method may be called from any thread.
class LsmStore : public Store {
 public:
  /// Opens (or creates) the store in `options.durable.dir`, as described above. Fails with
  /// busy (the directory is locked), corruption (a damaged MANIFEST, table or log, each
  /// named), invalid argument (memtable_bytes too small) or an I/O error.
  /// REQUIRES: `env` outlives the store.
  static Result<std::unique_ptr<LsmStore>> open(Env& env, const LsmStoreOptions& options);

  /// Flushes first if the memtable is full, then logs and applies. REQUIRES: !key.empty().
  Status set(std::string_view key, std::string_view value) override;
  /// Memtable, then the memtable being flushed, then the tables newest first (each behind
  /// its key range, its filter and the block cache).
  Status get(std::string_view key, std::string* value) override;
  /// Like set(), with a tombstone. REQUIRES: !key.empty().
  Status del(std::string_view key) override;
  /// A hint that `keys` are about to be read or written: each memtable's shard and the
  /// table set may start loading what that will touch (MemtableShard::prefetch,
  /// TableSet::prefetch). Changes nothing; this chapter's parts do nothing with it.
  void prefetch(std::span<const std::string_view> keys) const;

  /// Makes every acknowledged write durable now, whatever the sync policy (the server calls
  /// it when it shuts down).
  Status sync();
  /// A ticket for sync_through(): it covers every write that has returned and every value
  /// a get has returned so far. (A position in the history of the logs: bytes logged.)
  [[nodiscard]] std::uint64_t ticket();
  /// With `durable.defer_sync`, where writes do not wait for the disk: makes every write
  /// that `ticket` covers durable, with one fdatasync for all the callers that wait at once
  /// (one syncs; the others find their tickets covered). Without it, every write kept the
  /// policy's promise before it returned, and this returns ok at once. An error means the
  /// log failed: nothing the ticket covers may be acknowledged.
  Status sync_through(std::uint64_t ticket);
  /// Flushes the memtable to a new table now, if it holds anything (for tests, and for a
  /// learner to make a table on demand).
  Status flush();
  /// The store's sorted sources now, newest first, kept readable as LsmSources says. The
  /// store itself never reads through them; whoever walks the keys in order merges them.
  [[nodiscard]] LsmSources sources() const;
  /// For whoever walks sources(): tells LsmStoreOptions::on_read_error of `error`, a read of
  /// the tables that failed on that walk, as get() tells it of its own. Nothing without a hook.
  void report_read_error(const Status& error) const;

  /// What the store holds now.
  [[nodiscard]] LsmStats stats() const;
  /// What start-up found and did, one line each: logs replayed (and torn tails cut), the
  /// tables opened, leftovers of a crashed flush removed, old logs deleted.
  [[nodiscard]] const std::vector<std::string>& recovery_notes() const { return notes_; }
  /// The data directory.
  [[nodiscard]] const DataDir& dir() const { return dir_; }

 private:
  struct View;     // what a reader searches: memtables and tables; in the .cpp
  struct Opening;  // what open() learns on the way; in the .cpp
  struct Key {};

 public:
  /// For open() only (the Key is private); use open().
  LsmStore(Key, DataDir dir, const LsmStoreOptions& options);
  /// Waits for a flush running on the flush runner, then closes the log (under everysec,
  /// syncing it first).
  ~LsmStore() override;

 private:
  // open()'s steps, in order.
  Status recover_tables(Opening& o);
  Status remove_leftovers(Opening& o);
  Status replay(Opening& o);
  Status open_log(Opening& o);

  Status write(const LogRecord& record);
  // Applies a logged record to mem_. REQUIRES: inside gate_, or no other thread running.
  Status apply(const LogRecord& record);
  // Flushes when the memtable is full (or when `force`, if it is not empty).
  Status flush_if_needed(bool force);
  // The flush's steps: rotate() sets the full memtable aside, write_flushed_table() writes
  // it out. REQUIRES: flush_mu_ is held.
  Status rotate(std::uint64_t new_log);
  Status write_flushed_table(std::uint64_t table_number, std::uint64_t new_log);
  // write_flushed_table() on the flush runner's thread.
  void finish_flush_in_background(std::uint64_t table_number, std::uint64_t new_log);
  // Stops all later writes with `cause`. REQUIRES: flush_mu_ is held.
  void fail_flushes(const Status& cause);
  // Waits until no memtable is being flushed (or flushing failed). REQUIRES: `lock` holds
  // flush_mu_.
  void wait_for_flush(std::unique_lock<std::mutex>& lock);
  void delete_logs_before(std::uint64_t log_number);

  // durable_ticket_ = max(durable_ticket_, ticket).
  void raise_durable_ticket(std::uint64_t ticket);

  [[nodiscard]] std::shared_ptr<const View> view() const;
  void publish(std::shared_ptr<const View> view);

  DataDir dir_;
  const LsmStoreOptions options_;
  const TableFileOptions table_options_;  // the block cache and the filters' size
  std::vector<std::string> notes_;  // written by open() only
  std::uint64_t records_replayed_ = 0;  // written by open() only

  // Writers pass the gate to write to log_ and mem_; a flush closes it to swap them.
  mutable WriteGate gate_;  // mutable: stats() passes it too, to read log_
  std::unique_ptr<LogWriter> log_;   // changed with flush_mu_ held and gate_ closed
  std::shared_ptr<Memtable> mem_;    // changed with flush_mu_ held and gate_ closed
  LogWriter::Apply apply_;           // apply() on mem_, for log_->write

  // One flush at a time.
  std::mutex flush_mu_;
  std::condition_variable flush_done_;   // imm_ went back to null, or flushing failed
  std::shared_ptr<Memtable> imm_;        // guarded by flush_mu_: the memtable being flushed
  std::unique_ptr<LogWriter> old_log_;   // guarded by flush_mu_: imm_'s log, until deleted
  std::uint64_t log_number_ = 0;         // guarded by flush_mu_: the log being written
  FileNumbers numbers_;                  // names new logs and tables
  std::unique_ptr<TableSet> tables_;     // the live tables; set by open(), then never changed
  Status flush_failure_;                 // guarded by flush_mu_: ok until a flush fails
  std::atomic<bool> writes_stopped_{false};  // set when flush_failure_ is
  std::atomic<std::uint64_t> flushes_{0};

  // Tickets (defer_sync): bytes logged by the logs before log_, changed with gate_ closed;
  // and the ticket up to which everything is durable.
  std::atomic<std::uint64_t> retired_log_bytes_{0};
  std::atomic<std::uint64_t> durable_ticket_{0};
  std::mutex sync_mu_;  // one sync_through() syncing at a time
  std::atomic<std::uint64_t> filter_skips_{0};

  mutable std::mutex view_mu_;
  std::shared_ptr<const View> view_;  // guarded by view_mu_; replaced whole, never changed
};

}  // namespace vkv::storage
