/// \file
/// StoreWatcher: the store's flushes, compactions and stalls as log events, read from its
/// counters on a thread of its own.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <vector>

#include "11-metrics/event_log.hpp"
#include "11-metrics/periodic_task.hpp"

namespace vkv::runtime {

/// The store's counters at one moment, as the watcher reads them. A plain struct, so the
/// watcher knows nothing of the store: the server fills it from storage::LsmStats and
/// storage::VersionSetStats. Counts are since the store opened and only grow.
struct StoreSample {
  /// One level's tables now, and what compaction has done to it since the store opened.
  struct Level {
    std::size_t tables = 0;           ///< Tables in the level now.
    std::uint64_t bytes = 0;          ///< Their bytes.
    std::uint64_t compactions = 0;    ///< Compactions whose output went to this level.
    std::uint64_t moves = 0;          ///< Tables moved into it without a rewrite.
    std::uint64_t bytes_read = 0;     ///< Bytes those compactions read.
    std::uint64_t bytes_written = 0;  ///< Bytes they wrote.
    double seconds = 0;               ///< Time they took.
  };

  std::uint64_t flushes = 0;               ///< Flushes since open.
  std::uint64_t flushed_bytes = 0;         ///< Bytes of tables written by flushes.
  std::size_t memtable_bytes = 0;          ///< Bytes the memtable(s) hold now.
  std::vector<Level> levels;               ///< Level 0 first.
  std::uint64_t slowed_writes = 0;         ///< Writes paced while level 0 was filling.
  std::uint64_t stopped_writes = 0;        ///< Writes that waited for compaction.
  double stopped_seconds = 0;              ///< How long those waited, in all.
  std::uint64_t failed_compactions = 0;    ///< Compactions that failed (and were retried).
};

/// Turns what the store did into log events, without a line of logging in the store.
///
/// Every `period` (250 ms by default) the watcher's thread takes a sample of the store's
/// counters and compares it with the last one; what grew becomes events:
///
///   - `flush` (info): flushes since the last sample, their bytes, level 0's tables now;
///   - `compaction` (info), one per level that compactions wrote to or moved tables into:
///     how many, bytes read and written, seconds, and the level's tables and bytes now;
///   - `stall` (warn): writes slowed or stopped by a full level 0, and seconds stopped;
///   - `compaction_failed` (error): compactions that failed (the store retries them).
///
/// The first sample is the baseline: nothing that happened before it is logged. Several
/// flushes within one period make one event that counts them; that is the price of keeping
/// the log out of the store's hot path, and a quarter of a second is fine for a person.
///
/// Thread-safe. REQUIRES: `sample` and `log` stay usable until stop() returns (or the
/// watcher is destroyed); `sample` may be called from the watcher's thread at any time
/// until then.
class StoreWatcher {
 public:
  /// Watches what `sample` returns, writing to `log` every `period`. Starts no thread.
  StoreWatcher(std::function<StoreSample()> sample, EventLog& log,
               std::chrono::milliseconds period = std::chrono::milliseconds(250));
  /// Stops the thread, if it runs.
  ~StoreWatcher();
  StoreWatcher(const StoreWatcher&) = delete;
  StoreWatcher& operator=(const StoreWatcher&) = delete;

  /// Starts the thread, named `vkv-watcher` (a PeriodicTask): its first check takes the
  /// baseline (unless one was taken already), then it checks every period until stop().
  /// REQUIRES: not running.
  void start();
  /// Stops the thread and waits for it; at once, unless a check is in progress (then after
  /// it). Idempotent.
  void stop();

  /// Takes a sample, logs what changed since the last one, and keeps it for the next: what
  /// the thread does every period, on the caller's thread (tests). The first call only
  /// takes the baseline. Returns how many events it wrote (0 on the first call).
  std::size_t check_once();

 private:
  const std::function<StoreSample()> sample_;
  EventLog& log_;

  std::mutex check_mu_;                 // one check at a time
  std::optional<StoreSample> last_;     // guarded by check_mu_; empty before the baseline

  PeriodicTask task_;  // declared last: stopped (by its destructor) before the rest goes
};

/// The events that `now` makes against `before` (see StoreWatcher), written to `log`;
/// returns how many. A counter that went down (a store reopened) counts from zero.
std::size_t log_store_changes(const StoreSample& before, const StoreSample& now, EventLog& log);

}  // namespace vkv::runtime
