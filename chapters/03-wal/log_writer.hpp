/// \file
/// LogWriter: appends records to the log, syncs them as the policy says, with group commit.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <stop_token>
#include <string>
#include <thread>
#include <vector>

#include "03-wal/data_dir.hpp"
#include "common/env.hpp"
#include "03-wal/log_record.hpp"
#include "03-wal/sync_policy.hpp"

namespace vkv::storage {

/// How a LogWriter makes records durable.
struct LogWriterOptions {
  SyncPolicy sync = SyncPolicy::kAlways;  ///< When to fdatasync.
  /// How often the background thread syncs under SyncPolicy::kEverySec.
  std::chrono::milliseconds sync_interval{1000};
  /// With kAlways only: write() appends and applies at once, without waiting for a sync,
  /// and the owner makes the records durable itself, with sync(), before it tells anyone of
  /// them (a server holding its replies until then). The policy stays kAlways: nothing
  /// acknowledged may be lost; what moves is who waits for the disk.
  bool defer_sync = false;
  /// Called (with the log's file lock held: keep it short) each time an append or a sync
  /// fails, so that the owner can say so in its log; may be empty.
  std::function<void(const Status&)> on_write_error;
};

/// Appends records to one open log file, many threads at once.
///
/// **Group commit.** Writers queue up. The writer at the front is the leader: it takes every
/// record queued behind it (up to kMaxBatchBytes), appends them with one write, syncs once if
/// the policy is kAlways, hands each record to its writer's `apply` in queue order, and only
/// then wakes the writers of the batch. So N writers that arrive together cost one write and
/// one fdatasync, not N; and records are applied in exactly the order they sit in the log.
/// Under kAlways a new leader first waits, for at most one sync's time, for the last batch's
/// writers to queue again (see the .cpp), so that under steady load a sync serves them all.
///
/// Under kEverySec and kNever there is no sync to share and no queue: each writer appends its
/// own record and applies it, both under one lock, so that records are applied in exactly
/// their log order (two writes of one key leave the value the log says won).
///
/// Under kEverySec the background thread holds the file while it syncs, so an append that
/// comes during that sync waits for it, once a second.
///
/// **What write() returning ok means.** The record is in the log, handed to the operating
/// system (a process crash cannot lose it), and applied. Under kAlways it is also on disk: a
/// power loss cannot lose it. Because apply runs after the sync, a reader never sees a value
/// that a power loss could take back (under kAlways).
///
/// **A full disk is survived; other failures poison the log.** An append that fails (a full
/// disk) fails its writers, and nothing else, as long as the file could take back what it
/// wrote of it (WritableFile::append): the log still ends at its last whole record, so the
/// next write may succeed once there is room. Otherwise the file's tail is in doubt, and so
/// it is after a failed sync: half a batch may be on disk, and after a failed fdatasync
/// Linux may have dropped the unwritten pages and will not report it again. Writing on would
/// put good records after a hole, which recovery would rightly call corruption. So then the
/// failure is returned to the writers of that batch and every later write() and sync() fails
/// with an error saying why; restarting the program replays the log and starts clean.
///
/// Thread-safe. The destructor stops the background syncer, under kEverySec syncs what is
/// left, and closes the file. REQUIRES: no write() is running when it is destroyed.
class LogWriter {
 public:
  /// Called with each record once it is in the log (and synced under kAlways), one record
  /// at a time, in log order: under kAlways by the leader, for its whole batch; under
  /// kEverySec and kNever by the writer itself. A failure poisons the log: the log holds a
  /// record the caller's state does not.
  using Apply = std::function<Status(const LogRecord&)>;

  /// The most bytes a leader gathers into one batch (it always takes at least one record).
  static constexpr std::size_t kMaxBatchBytes = 1 << 20;
  /// The longest a new leader under kAlways waits for the last batch's writers to queue
  /// again (it waits no longer than the last fdatasync took, and at most this).
  static constexpr std::chrono::microseconds kMaxStragglerWait{2000};

  /// Opens log `number` in `dir` for appending after its end, creating it if it does not
  /// exist. A log it creates is made durable (the directory is synced): without that, a
  /// power loss could take away the whole file, synced records and all.
  /// REQUIRES: an existing log was replayed first (replay_log, replay_logs), which cuts it
  /// back to its last whole record, so that new records follow it and not a torn tail.
  static Result<std::unique_ptr<LogWriter>> open(const DataDir& dir, std::uint64_t number,
                                                 LogWriterOptions options);

  /// A writer appending to `file`, whose name `path` is used in messages. Starts the
  /// background syncer under kEverySec.
  LogWriter(std::unique_ptr<WritableFile> file, std::string path, LogWriterOptions options);
  /// Stops the syncer; under kEverySec syncs the tail first; closes the file.
  ~LogWriter();
  /// Not copyable: it owns the file and a thread.
  LogWriter(const LogWriter&) = delete;
  /// Not copyable: it owns the file and a thread.
  LogWriter& operator=(const LogWriter&) = delete;

  /// Appends `record`, makes it as durable as the policy says (with defer_sync: leaves that
  /// to the owner's sync()), then calls `apply(record)` (if given) and returns. An error means the write is not acknowledged: it was not
  /// applied, though it may be in the log and reappear after a restart. An invalid-argument
  /// status for a record too large for the format (nothing was written; not poisoning).
  Status write(const LogRecord& record, const Apply& apply);

  /// Makes every record appended so far durable, whatever the policy (for a clean shutdown,
  /// or before a later chapter retires this log).
  Status sync();

  /// Bytes in the log file: everything appended, synced or not.
  [[nodiscard]] std::uint64_t size() const { return appended_.load(); }
  /// Bytes of the log known to be durable (synced, or there when the file was opened).
  [[nodiscard]] std::uint64_t synced_size() const { return synced_.load(); }
  /// How many fdatasyncs the writer has done (to see group commit at work).
  [[nodiscard]] std::uint64_t sync_count() const { return syncs_.load(); }
  /// How many write() calls are queued right now, the leader's included.
  [[nodiscard]] std::size_t queued() const;
  /// Ok, or the failure that stopped this log taking writes.
  [[nodiscard]] Status health() const;
  /// The policy it was opened with.
  [[nodiscard]] SyncPolicy policy() const { return options_.sync; }
  /// The log file's path.
  [[nodiscard]] const std::string& path() const { return path_; }

 private:
  struct Writer;  // one write() waiting in the queue, in the .cpp

  // write() under kEverySec and kNever: append and apply under direct_mu_.
  Status write_direct(const LogRecord& record, const Apply& apply);
  // Lets the last batch's writers queue again before a batch is taken. REQUIRES: `lock`
  // holds queue_mu_ (it is released and retaken).
  void wait_for_stragglers(std::unique_lock<std::mutex>& lock);
  // Appends the batch (and syncs it under kAlways), then applies its records; sets each
  // writer's status.
  void commit(const std::vector<Writer*>& batch);
  // Appends `bytes` and, if `sync`, syncs them. REQUIRES: file_mu_ is held.
  Status append_locked(std::string_view bytes, bool sync);
  // Syncs everything appended so far. REQUIRES: file_mu_ is held.
  Status sync_locked();
  // Remembers the first failure. REQUIRES: file_mu_ is held.
  void poison_locked(const Status& cause);
  // The background syncer's loop under kEverySec.
  void run_syncer(std::stop_token stop);

  const std::string path_;
  const LogWriterOptions options_;

  mutable std::mutex queue_mu_;
  std::deque<Writer*> queue_;  // guarded by queue_mu_; the front one is the leader
  std::condition_variable queue_changed_;  // a batch is done: its writers may return
  std::size_t last_batch_ = 0;     // guarded by queue_mu_: writers in the last batch taken
  bool leader_waiting_ = false;    // guarded by queue_mu_: a leader waits on stragglers_
  std::condition_variable stragglers_;  // the queue has grown to last_batch_
  std::string batch_;  // the leader's encoding buffer
  // Held by write_direct across its append and its apply, so records apply in log order.
  std::mutex direct_mu_;

  mutable std::mutex file_mu_;
  std::unique_ptr<WritableFile> file_;   // guarded by file_mu_
  Status failure_;                       // guarded by file_mu_: ok until something fails
  std::atomic<std::uint64_t> appended_;  // written under file_mu_
  std::atomic<std::uint64_t> synced_;    // written under file_mu_
  std::atomic<std::uint64_t> syncs_{0};  // written under file_mu_
  std::atomic<std::int64_t> last_sync_nanos_{0};  // written under file_mu_: the last fdatasync

  std::mutex syncer_mu_;                 // for syncer_wake_ only
  std::condition_variable_any syncer_wake_;
  std::jthread syncer_;                  // kEverySec only; declared last, stopped first
};

}  // namespace vkv::storage
