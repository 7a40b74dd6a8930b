/// \file
/// DurableStore: a Store that writes every change to a log first, and replays it at start.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "03-wal/data_dir.hpp"
#include "common/env.hpp"
#include "03-wal/log_writer.hpp"
#include "03-wal/recovery.hpp"
#include "02-parsing/store.hpp"
#include "03-wal/sync_policy.hpp"

namespace vkv::storage {

/// Where a DurableStore keeps its files and how careful it is with them.
struct DurableStoreOptions {
  std::string dir = "./data";             ///< The data directory; created if missing.
  SyncPolicy sync = SyncPolicy::kAlways;  ///< When the log is synced.
  bool repair = false;  ///< Cut the log at corruption instead of refusing to start.
  /// How often the log is synced under SyncPolicy::kEverySec.
  std::chrono::milliseconds sync_interval{1000};
  /// Under kAlways: writes do not wait for the disk; the owner syncs before it acknowledges
  /// them (LogWriterOptions::defer_sync).
  bool defer_sync = false;
  /// Told of each failed append or sync of the log (LogWriterOptions::on_write_error), and
  /// by a store with flushes (chapter 5's) of a failed flush; may be empty.
  std::function<void(const Status&)> on_write_error;

  /// The options of a log opened for this store.
  [[nodiscard]] LogWriterOptions log_options() const {
    LogWriterOptions o;
    o.sync = sync;
    o.sync_interval = sync_interval;
    o.defer_sync = defer_sync;
    o.on_write_error = on_write_error;
    return o;
  }
};

/// A Store that survives crashes: an in-memory store in front, a write-ahead log behind.
///
/// SET and DEL are appended to the log, made as durable as the sync policy says, and only
/// then applied to the inner store and acknowledged (LogWriter does the group commit). GET
/// reads the inner store alone. open() replays the log into the inner store, so a restart
/// finds every acknowledged write of the last run: all of them after a process crash, and
/// under SyncPolicy::kAlways after a power loss too.
///
/// The inner store is chapter 2's MemoryStore here; chapter 4 passes its MemtableStore.
/// Writes are applied to it by one thread at a time, in log order, so concurrent writers to
/// one key leave the value the log says won.
///
/// A write whose log append or sync fails is not acknowledged, and the store then refuses
/// every later write (reads go on): see LogWriter on why the log is poisoned.
class DurableStore : public Store {
 public:
  /// Opens (or creates) the store in `options.dir`: locks the directory, replays its log
  /// into `inner` (cutting a torn tail), and opens the log for appending. Fails on a locked
  /// directory (busy), a corrupt log (corruption, unless options.repair) or an I/O error.
  /// REQUIRES: `inner` is empty; `env` outlives the store.
  static Result<std::unique_ptr<DurableStore>> open(Env& env, const DurableStoreOptions& options,
                                                    std::unique_ptr<Store> inner);

  /// Logs, then applies, then acknowledges. REQUIRES: !key.empty().
  Status set(std::string_view key, std::string_view value) override;
  /// Reads the inner store.
  Status get(std::string_view key, std::string* value) override;
  /// Logs, then applies, then acknowledges. REQUIRES: !key.empty().
  Status del(std::string_view key) override;

  /// Makes every acknowledged write durable now, whatever the policy.
  Status sync() { return log_->sync(); }

  /// What start-up recovery found, one report per log replayed (print their lines()).
  [[nodiscard]] const std::vector<RecoveryReport>& recovery() const { return recovery_; }
  /// The log being appended to.
  [[nodiscard]] const LogWriter& log() const { return *log_; }
  /// The in-memory store the log is replayed into.
  [[nodiscard]] Store& inner() { return *inner_; }
  /// The data directory.
  [[nodiscard]] const DataDir& dir() const { return dir_; }

 private:
  struct Key {};  // only open() makes one: a DurableStore is always opened and replayed

 public:
  /// For open() only (the Key is private); use open().
  DurableStore(Key, DataDir dir, std::unique_ptr<Store> inner)
      : dir_(std::move(dir)), inner_(std::move(inner)) {}

 private:

  // Replays every log in the directory into inner_, oldest first; returns the number of the
  // log to append to.
  Result<std::uint64_t> replay_logs(const DurableStoreOptions& options);
  // Opens log `number` for appending, creating it (durably) if it does not exist.
  Status open_log(std::uint64_t number, const DurableStoreOptions& options);
  // Logs `record`, then applies it to inner_.
  Status write(const LogRecord& record);

  DataDir dir_;
  std::unique_ptr<Store> inner_;
  std::unique_ptr<LogWriter> log_;
  LogWriter::Apply apply_;  // applies one record to inner_
  std::vector<RecoveryReport> recovery_;
};

}  // namespace vkv::storage
