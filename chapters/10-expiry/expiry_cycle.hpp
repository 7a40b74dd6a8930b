/// \file
/// ExpiryCycle: the background thread that deletes expired keys, a bounded share of a core
/// at a time, and has their space taken back after a wave of them.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "06-server/background_flusher.hpp"
#include "09-resp/key_locks.hpp"
#include "10-expiry/clock.hpp"
#include "10-expiry/expiring_store.hpp"

namespace vkv::engine {

/// How often and how hard the expiry cycle works. The defaults are Redis's (`hz 10`, 20 keys
/// a loop, 25% of the CPU in its slow cycle).
struct ExpiryCycleOptions {
  /// How often a run starts: Redis's `hz 10`, ten times a second. Must be positive.
  std::chrono::milliseconds period{100};
  /// How long one run may go on deleting: 25% of the period, so the cycle takes at most a
  /// quarter of one core however many keys are due. Checked after each batch, so a run
  /// always does one batch: 0 means exactly one batch a run.
  std::chrono::microseconds budget{25'000};
  /// How many keys with deadlines a run looks at at a time, a sample (Redis's
  /// ACTIVE_EXPIRE_CYCLE_KEYS_PER_LOOP).
  std::size_t batch = 20;
  /// A run goes on while more than this share of a sample, in percent, was due (Redis's
  /// ACTIVE_EXPIRE_CYCLE_ACCEPTABLE_STALE): below it, the few expired keys left are not worth
  /// the CPU, and reads hide them anyway.
  std::size_t stale_percent = 10;
  /// How many keys must have expired since the last reclaim for the next quiet run (one that
  /// finds no due key) to call the reclaim hook: a wave big enough that its dead values and
  /// tombstones are worth compacting everything for. 0 counts as 1.
  std::uint64_t reclaim_after = 100'000;
  /// While a wave keeps every run out of time (a backlog), the reclaim hook is also called
  /// when the backlog has lasted this long since it began or since the last reclaim ended,
  /// and `reclaim_after` keys have expired since: its compaction drops the values whose
  /// deadlines have passed, so the keys of the backlog are then found gone from the tables at
  /// the cost of a Bloom filter probe, instead of a block read each, and need no tombstone.
  /// The wave's end then reclaims once more (the memory the index and the memtable freed
  /// goes back to the system only there). 0 or less: only after a wave. At most a day.
  std::chrono::milliseconds backlog_reclaim_every{10'000};
  /// Whether the thread runs under Linux's idle scheduling policy (`SCHED_IDLE`), below every
  /// ordinary thread: it then gets a core mostly when no worker, flush or compaction thread
  /// (nor any other program's) wants one, so a wave of expiry is worked off in the cores'
  /// spare time instead of the requests'. A run starved of its core does less within its
  /// budget (the budget is wall-clock time). A thread inherits its creator's policy, and an
  /// unprivileged one cannot raise it again, so what the cycle writes (its tombstones, the
  /// reclaim), which may start threads (a full memtable's write opens the next log), is done
  /// by a second thread, `vkv-expiry-w`, an ordinary one, while the cycle waits; the locks
  /// of the keys it deletes are taken there too, so that the idle thread holds none.
  /// false: one ordinary thread, which takes its quarter of a core whatever else is waiting
  /// (as Redis's cycle takes it from the one thread that also serves).
  bool idle_priority = true;
};

/// What the expiry cycle tells its owner. Each may be empty. They run on the cycle's thread
/// (the reclaim on the one that writes for it, under ExpiryCycleOptions::idle_priority), or
/// in run_once()'s caller, one at a time.
struct ExpiryCycleHooks {
  /// After the thread's start-up walk (ExpiringStore::rebuild_index): how many keys with
  /// deadlines it found. Not called when the walk failed (`failed` is).
  std::function<void(std::size_t noted)> rebuilt;
  /// Takes back the space of a wave of expired keys. The server's: flush the memtable,
  /// compact everything (VersionSet::compact_all(), which drops the deleted values and their
  /// tombstones), `malloc_trim(0)`. Its time is not bounded by the budget (compact_all()
  /// works on the compaction thread, this one waits); it is called once per wave, and
  /// during a long backlog every ExpiryCycleOptions::backlog_reclaim_every.
  std::function<Status()> reclaim;
  /// A storage failure: of the start-up walk, of a delete, or of the reclaim. Called once per
  /// distinct failure (the same one again is reported only after the cycle has worked since),
  /// not once per key.
  std::function<void(const Status&)> failed;
};

/// What one run did.
struct ExpiryRun {
  std::size_t looked = 0;     ///< Keys with deadlines it looked at in the index.
  std::size_t taken = 0;      ///< Of those, due: taken from the index and read in the store.
  std::size_t expired = 0;    ///< Of those, deleted (the rest had been rewritten, deleted,
                              ///< or dropped by a compaction).
  std::size_t found_gone = 0; ///< Of those, no longer in the store: dropped by a compaction
                              ///< as expired (most of a wave after a backlog's reclaim), or,
                              ///< rarely, deleted meanwhile.
  bool out_of_time = false;   ///< The budget ended it with keys still due.
  bool reclaimed = false;     ///< It called the reclaim hook (successfully or not).
  Status status;              ///< The storage failure that ended it, if any.
};

//! [expiry-cycle]
/// Active expiry: reads already hide an expired key (ExpiringStore), but its bytes stay in
/// the memtable and the tables until something deletes it. A key nobody reads again would
/// stay forever; this cycle deletes them, and after a wave of them has the space taken back.
///
/// Every `period` a run samples the store's ExpiryIndex (`batch` keys at a time, going round
/// it), reads each due key, and deletes those whose stored deadline has come (the index is
/// only a hint, the stored deadline decides), reading each again first under its lock (the
/// same KeyLocks every write takes), so that no write slips in between. It goes on while more than `stale_percent` of a
/// sample was due, and stops at the budget, so a backlog of a million keys is worked off
/// over many runs while the workers keep the rest of the CPU. This is Redis's slow cycle.
/// A backlog that lasts `backlog_reclaim_every` is reclaimed without waiting for its end:
/// the compaction drops its expired values, and the cycle finds the rest of its keys gone.
///
/// A storage failure ends the run: the key it failed on and the rest of its batch go back
/// into the index, the failure is reported (once), and the next run tries again.
///
/// Thread-safe: run_once() may be called from any thread, runs are serialised.
/// REQUIRES: the store and the locks outlive this.
class ExpiryCycle {
 public:
  /// Over `store` (its index and its clock), deleting under `locks`. Starts no thread.
  ExpiryCycle(storage::ExpiringStore& store, KeyLocks& locks, ExpiryCycleOptions options = {},
              ExpiryCycleHooks hooks = {});
  /// Stops the thread, if it runs.
  ~ExpiryCycle();
  ExpiryCycle(const ExpiryCycle&) = delete;
  ExpiryCycle& operator=(const ExpiryCycle&) = delete;

  /// Starts the thread, named `vkv-expiry` (and, with idle_priority, the ordinary thread
  /// that writes for it, `vkv-expiry-w`): it rebuilds the index from the store (the index
  /// lives in memory only), reports what it found, then runs once every period until stop().
  /// REQUIRES: not started.
  void start();
  /// Stops the thread (then the one that writes for it) and waits for it: at once between
  /// runs; a run in progress ends first (at most the budget, plus a reclaim if one is
  /// running), and so does the start-up walk. Idempotent.
  void stop();

  /// One run at `now`, on the caller's thread (tests, with a ManualClock's time). The budget
  /// and the backlog's reclaim time themselves by the steady clock, not by `now`.
  ExpiryRun run_once(storage::UnixMillis now);

  /// Keys the cycle deleted because they had expired, and due keys it found already gone
  /// (ExpiryRun::found_gone), since this was made (INFO's `expired_keys`). Keys a compaction
  /// drops before the cycle samples them are counted when it does.
  [[nodiscard]] std::uint64_t expired_keys() const { return expired_keys_.load(std::memory_order_relaxed); }
  /// Runs the budget ended with keys still due (INFO's `expired_time_cap_reached_count`).
  [[nodiscard]] std::uint64_t out_of_time_runs() const { return out_of_time_runs_.load(std::memory_order_relaxed); }
  /// Runs done, by the thread or run_once().
  [[nodiscard]] std::uint64_t runs() const { return runs_.load(std::memory_order_relaxed); }
  /// Times the reclaim hook was called.
  [[nodiscard]] std::uint64_t reclaims() const { return reclaims_.load(std::memory_order_relaxed); }
  /// Whether the thread is running under `SCHED_IDLE` (ExpiryCycleOptions::idle_priority):
  /// false before it has started, when the option is off, or when the system refused.
  [[nodiscard]] bool at_idle_priority() const { return at_idle_priority_.load(std::memory_order_relaxed); }

 private:
  void loop();
  // Runs `job` on the writer thread and waits for it when called on the cycle's thread under
  // SCHED_IDLE (see ExpiryCycleOptions::idle_priority); else on the caller's thread.
  void run_ordinary(const std::function<void()>& job);
  // Deletes the keys of `batch` that have expired at `now`: reads them without their locks,
  // then, on an ordinary thread, those that looked expired with all their locks held, from
  // a second check to their delete. On a failure, puts the key it failed on and those of
  // the batch not yet done back in the index.
  Status expire_batch(const std::vector<std::string>& batch, storage::UnixMillis now,
                      ExpiryRun* run);
  // Calls the reclaim hook after a wave: when this run was quiet and enough keys expired
  // (or a backlog's reclaim came since the last one); and during a backlog, every
  // backlog_reclaim_every. REQUIRES: run_mu_ is held.
  void maybe_reclaim(ExpiryRun* run);
  // Whether this run, out of time, makes a backlog old enough for its reclaim, with at
  // least `enough` keys deleted since the last. REQUIRES: run_mu_ is held.
  bool backlog_reclaim_due(const ExpiryRun& run, std::uint64_t enough);
  // backlog_reclaim_every, at most a day.
  [[nodiscard]] std::chrono::milliseconds backlog_interval() const;
  // Calls the reclaim hook and reports how it went. REQUIRES: run_mu_ is held.
  void reclaim(ExpiryRun* run);
  // Reports `s` through the failed hook unless it was the last one reported.
  // REQUIRES: run_mu_ is held.
  void report(const Status& s);

  storage::ExpiringStore& store_;
  KeyLocks& locks_;
  const ExpiryCycleOptions options_;
  const ExpiryCycleHooks hooks_;

  std::mutex run_mu_;                     // one run at a time
  std::uint64_t expired_since_reclaim_ = 0;  // guarded by run_mu_
  // When the backlog in progress is next reclaimed; none while runs end in time. Guarded
  // by run_mu_.
  std::optional<std::chrono::steady_clock::time_point> next_backlog_reclaim_;
  bool reclaim_owed_ = false;  // a backlog was reclaimed: its wave's end reclaims too;
                               // guarded by run_mu_
  std::string last_reported_;                // guarded by run_mu_; empty: none since the last success

  std::atomic<std::uint64_t> expired_keys_{0};
  std::atomic<std::uint64_t> out_of_time_runs_{0};
  std::atomic<std::uint64_t> runs_{0};
  std::atomic<std::uint64_t> reclaims_{0};
  std::atomic<bool> at_idle_priority_{false};

  std::mutex mu_;
  std::condition_variable wake_;
  bool stopping_ = false;  // guarded by mu_
  std::thread thread_;

  // The thread that writes for the cycle (with idle_priority, between start() and stop()):
  // chapter 6's one-thread runner of queued work, here given one job at a time.
  std::optional<storage::BackgroundFlusher> writer_;
};
//! [expiry-cycle]

}  // namespace vkv::engine
