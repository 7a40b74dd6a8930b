/// \file
/// DurabilityGate: the server's group commit. Replies wait for the disk; workers do not.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include "common/status.hpp"
#include "02-parsing/store.hpp"

namespace vkv::net {

/// Holds replies back until a sync of the log covers every write they could reveal.
///
/// Under `--sync always`, making each SET wait for its own fdatasync would hold a worker per
/// write: with as many workers as cores, only that many writes could share a sync, and a
/// pipelined batch of 16 SETs would wait for 16 syncs in a row. Instead, the server opens the
/// store without syncing, runs a connection's whole batch of commands at once, and asks the
/// gate for a *ticket*: the number of writes started so far. The gate's syncer thread syncs
/// the log whenever tickets are waiting, and each sync makes every write started before it
/// durable. Only then are the batch's replies sent; meanwhile the worker serves others. (With
/// a single worker, kInline mode: the worker syncs once at the end of its round instead.)
///
/// Reads get tickets too: a GET may have read a value that is not durable yet, and its reply
/// must not reveal it before it is. A ticket with no write before it is durable at once.
///
/// So the promise of `always` holds as in chapter 3 (no client sees OK, or a value, that a
/// power loss could take back) and as many writes as are running share one fdatasync.
class DurabilityGate {
 public:
  /// Called once per gate sync, from the syncer thread (or, in kInline mode, the worker's);
  /// must make every write that finished before the call durable.
  using SyncFn = std::function<Status()>;
  /// Called when a ticket is settled: `durable` is false if the sync failed (the replies must
  /// then never be sent). Runs on the syncer thread: keep it short.
  using Callback = std::function<void(bool durable)>;

  /// The longest the syncer waits for more tickets before a sync.
  static constexpr std::chrono::microseconds kMaxGather{1000};

  /// How tickets are settled.
  enum class Mode {
    kInline,      ///< By the worker that asks, at the end of its round, on its own thread.
    kBackground,  ///< By the gate's own thread, while the workers go on serving.
  };

  /// The mode for a server with `workers` workers (0: one per core): kInline for one worker,
  /// kBackground for more. One worker gains nothing from a syncer thread but two hand-offs
  /// per round (its replies go to that thread and back); it syncs at the end of its round,
  /// as Redis's one thread does. Several workers share the syncer's fdatasyncs, and none of
  /// them stops serving for one.
  static Mode mode_for(std::size_t workers);

  /// A gate whose `sync` makes writes as durable as the server promises; starts the syncer
  /// thread in kBackground mode.
  DurabilityGate(SyncFn sync, Mode mode);
  /// Stops the syncer after a last sync, settling every waiting ticket.
  ~DurabilityGate();
  DurabilityGate(const DurabilityGate&) = delete;
  DurabilityGate& operator=(const DurabilityGate&) = delete;

  /// Marks the start of a store write. REQUIRES: write_done() follows it.
  void write_started() { started_.fetch_add(1, std::memory_order_seq_cst); }
  /// Marks the end of a store write (the bytes are with the operating system).
  void write_done() { finished_.fetch_add(1, std::memory_order_seq_cst); }

  /// A ticket covering every write started so far (and so every value any read has seen).
  [[nodiscard]] std::uint64_t ticket() const { return started_.load(std::memory_order_seq_cst); }
  /// True when a sync has covered `ticket`.
  [[nodiscard]] bool is_durable(std::uint64_t ticket) const {
    return durable_.load(std::memory_order_acquire) >= ticket;
  }
  /// In kInline mode: makes `ticket` durable now, on the caller's thread (one caller at a
  /// time; a caller whose ticket another's sync covered returns at once). False if the sync
  /// failed.
  bool settle_inline(std::uint64_t ticket);
  /// True in kInline mode.
  [[nodiscard]] bool is_inline() const { return mode_ == Mode::kInline; }

  /// Calls `done` once `ticket` is durable (or the log failed). Returns false, without
  /// calling it, when the ticket is durable already.
  bool when_durable(std::uint64_t ticket, Callback done);

  /// Waits until every waiting ticket is settled (the server calls it when stopping, before
  /// it destroys the connections the callbacks refer to).
  void settle_all();

  /// How many syncs the gate has made (for tests and figures).
  [[nodiscard]] std::uint64_t syncs() const { return syncs_.load(); }

 private:
  struct Waiter {
    std::uint64_t ticket;
    Callback done;
  };

  void run();
  // Syncs everything started so far; returns the ticket it covered, or nothing on failure.
  std::optional<std::uint64_t> sync_started_writes();

  SyncFn sync_;
  const Mode mode_;
  std::mutex inline_mu_;  // one inline sync at a time
  std::atomic<std::uint64_t> started_{0};
  std::atomic<std::uint64_t> finished_{0};
  std::atomic<std::uint64_t> durable_{0};
  std::atomic<std::uint64_t> syncs_{0};

  std::mutex mu_;
  std::condition_variable wake_;
  std::condition_variable settled_;  // a round of waiters was settled
  std::vector<Waiter> waiters_;  // guarded by mu_
  std::size_t last_batch_ = 0;   // guarded by mu_: waiters the last sync settled
  std::chrono::microseconds last_sync_{0};  // guarded by mu_: how long the last sync took
  bool failed_ = false;          // guarded by mu_: a sync failed; nothing settles durable again
  bool stopping_ = false;        // guarded by mu_
  std::thread syncer_;
};

/// A Store that tells a DurabilityGate when each write starts and ends.
class GatedStore : public storage::Store {
 public:
  /// Wraps `inner`; both it and `gate` must outlive this object.
  GatedStore(storage::Store& inner, DurabilityGate& gate) : inner_(inner), gate_(gate) {}
  /// Writes through, between write_started() and write_done().
  Status set(std::string_view key, std::string_view value) override;
  /// Reads through.
  Status get(std::string_view key, std::string* value) override { return inner_.get(key, value); }
  /// Deletes through, between write_started() and write_done().
  Status del(std::string_view key) override;

 private:
  storage::Store& inner_;
  DurabilityGate& gate_;
};

}  // namespace vkv::net
