/// \file
/// Transactions: MULTI, EXEC, DISCARD, WATCH and UNWATCH, in front of any RespCommands; the
/// gate that holds every other command back while an EXEC runs.
#pragma once

#include <pthread.h>

#include <atomic>
#include <cstddef>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "02-parsing/session.hpp"
#include "09-resp/command_table.hpp"
#include "09-resp/resp_commands.hpp"

namespace vkv::engine {

//! [gate]
/// A reader-writer lock with a name for what it does: every command holds it shared while it
/// runs (lock_shared()), and an EXEC holds it alone (lock()), so that no other command runs
/// between the commands of a transaction.
///
/// It prefers EXEC: once an EXEC waits, new commands wait behind it, so that a busy server
/// cannot keep a transaction waiting for ever. The price: while an EXEC waits for a long
/// command (KEYS over a million keys), every other command waits too. A thread must not take
/// it shared twice (it could then wait behind an EXEC that waits for it): commands take it
/// once, at the session, and lock_shared() ends the program if a thread tries.
///
/// Thread-safe. Usable with std::shared_lock and std::unique_lock.
class TransactionGate {
 public:
  TransactionGate();
  ~TransactionGate();
  TransactionGate(const TransactionGate&) = delete;
  TransactionGate& operator=(const TransactionGate&) = delete;

  void lock_shared();    ///< Held by one command while it runs.
  void unlock_shared();  ///< See lock_shared().
  void lock();           ///< Held by an EXEC while it runs: no other command runs.
  void unlock();         ///< See lock().

 private:
  void acquire(int (*take)(pthread_rwlock_t*));  // `take` it, once per thread
  void release();
  pthread_rwlock_t lock_;
};
//! [gate]

/// How much the transactions may hold: their queued commands and watched values, counted with
/// what the containers cost around them (HeldBytes).
struct TransactionLimits {
  /// One connection's: 256 MiB, half of Redis's largest value. A command that would pass it
  /// is refused, and its transaction with it, as a wrong command is.
  std::size_t per_connection = std::size_t{256} << 20;
  /// Every connection's together, so that many clients cannot hold more than this between
  /// them: 1 GiB. Past it, the same refusal.
  std::size_t all_connections = std::size_t{1} << 30;
};

//! [transaction-commands]
/// Redis's transactions in front of `inner` (the chapter's commands):
///
/// - **MULTI** opens a transaction: each command after it is checked (inner.refusal(): an
///   unknown command, the wrong number of arguments) and queued (`+QUEUED`), not run. A
///   refused one is answered with its error and spoils the transaction.
/// - **EXEC** runs the queued commands one after another, their replies in one array, with
///   the gate held alone: no other client's command runs in between. A spoiled transaction
///   runs none (`-EXECABORT`). An error of one command (INCR of a word) does not stop the
///   others: Redis has no rollback.
/// - **DISCARD** drops the queue (and forgets the watched keys).
/// - **WATCH** key...: EXEC then runs only if each key is still what it was
///   (inner.watch_state()), and answers a null array if not. vkv compares what the key holds:
///   a write that leaves a key as it was (SET to the same value) does not stop the
///   transaction, where Redis's would. EXEC and DISCARD forget the watched keys, as UNWATCH
///   does.
///
/// Every other command runs at once, under the gate held shared. The text protocol's
/// commands must hold it shared too (GatedSession), for EXEC to be alone against them.
/// MULTI, DISCARD, WATCH, UNWATCH and queueing touch no other client's keys and take no
/// gate. A transaction holds at most what `limits` allow.
///
/// Thread-safe: each connection's state is in its ClientState.
class TransactionCommands final : public RespCommands {
 public:
  /// In front of `inner`, which must outlive this.
  explicit TransactionCommands(RespCommands& inner, TransactionLimits limits = {})
      : inner_(inner), limits_(limits) {}
  void run(std::span<const std::string_view> args, ClientState& client,
           protocol::RespWriter& out) override;
  [[nodiscard]] std::optional<std::string> refusal(
      std::span<const std::string_view> args) const override;
  Result<std::optional<std::string>> watch_state(std::string_view key) override {
    return inner_.watch_state(key);
  }
  /// The gate every command of these holds; the text protocol's sessions must hold it too.
  TransactionGate& gate() { return gate_; }
  /// What every connection's transactions hold now, in bytes (HeldBytes).
  [[nodiscard]] std::size_t bytes_held() const { return held_.load(std::memory_order_relaxed); }
  /// The rows of MULTI, EXEC, DISCARD, WATCH and UNWATCH, for COMMAND (their handlers null:
  /// this class runs them).
  static std::span<const CommandSpec> specs();
  /// Whether `name` is one of those five, which this class answers itself (any case).
  static bool is_own(std::string_view name);

 private:
  using Args = std::span<const std::string_view>;
  void multi(ClientState& client, protocol::RespWriter& out);
  void exec(ClientState& client, protocol::RespWriter& out);
  void discard(ClientState& client, protocol::RespWriter& out);
  void watch(Args args, ClientState& client, protocol::RespWriter& out);
  void queue(Args args, ClientState& client, protocol::RespWriter& out);
  // Takes `bytes` more for the client's transaction, within the limits.
  bool take(TransactionState& t, std::size_t bytes);
  // One queued command, run by EXEC: UNWATCH is answered here (EXEC forgets the keys anyway),
  // every other by `inner_`.
  void run_queued(Args args, ClientState& client, protocol::RespWriter& out);

  RespCommands& inner_;
  TransactionLimits limits_;
  std::atomic<std::size_t> held_{0};  // every connection's HeldBytes, together
  TransactionGate gate_;
};
//! [transaction-commands]

}  // namespace vkv::engine

namespace vkv::runtime {

/// A session (the text protocol's) whose every feed() and finish() holds `gate` shared, so
/// that its commands never run in the middle of an EXEC. Forwards everything else.
class GatedSession final : public Session {
 public:
  /// Around `inner`; `gate` must outlive this.
  GatedSession(std::unique_ptr<Session> inner, engine::TransactionGate& gate)
      : inner_(std::move(inner)), gate_(gate) {}
  void feed(std::string_view bytes, std::string* out) override;
  void finish(std::string* out) override;
  [[nodiscard]] bool wants_close() const override { return inner_->wants_close(); }
  [[nodiscard]] std::size_t next_piece(std::string_view rest) const override {
    return inner_->next_piece(rest);
  }

 private:
  std::unique_ptr<Session> inner_;
  engine::TransactionGate& gate_;
};

}  // namespace vkv::runtime
