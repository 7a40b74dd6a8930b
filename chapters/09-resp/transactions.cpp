#include "09-resp/transactions.hpp"

#include <cstring>
#include <mutex>
#include <shared_mutex>
#include <stdexcept>
#include <unordered_set>

#include "02-parsing/parser.hpp"

namespace vkv::engine {

TransactionGate::TransactionGate() {
  pthread_rwlockattr_t attr;
  pthread_rwlockattr_init(&attr);
  // Writer first: an EXEC waiting stops new commands from going in ahead of it. (glibc honours
  // only the NONRECURSIVE kind; plain PREFER_WRITER_NP behaves as PREFER_READER_NP.)
  int rc = pthread_rwlockattr_setkind_np(&attr, PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP);
  if (rc == 0) rc = pthread_rwlock_init(&lock_, &attr);
  pthread_rwlockattr_destroy(&attr);
  if (rc != 0) throw std::runtime_error(std::string("pthread_rwlock_init: ") + std::strerror(rc));
}

TransactionGate::~TransactionGate() { pthread_rwlock_destroy(&lock_); }

namespace {
// How many holds of a gate this thread has: a second shared hold could wait behind a waiting
// EXEC that waits for the first, for ever, so it ends the program instead.
thread_local int holds = 0;
}  // namespace

// The only failures POSIX allows these are a lock taken wrongly (twice by one thread, or let
// go unheld): bugs, which must not pass as if the lock were held.
void TransactionGate::acquire(int (*take)(pthread_rwlock_t*)) {
  if (holds != 0 || take(&lock_) != 0) std::terminate();
  ++holds;
}
void TransactionGate::release() {
  --holds;
  if (pthread_rwlock_unlock(&lock_) != 0) std::terminate();
}
void TransactionGate::lock_shared() { acquire(pthread_rwlock_rdlock); }
void TransactionGate::unlock_shared() { release(); }
void TransactionGate::lock() { acquire(pthread_rwlock_wrlock); }
void TransactionGate::unlock() { release(); }

namespace {

using protocol::is_command;

// What a string costs a transaction: its bytes, the std::string around them, and what the
// allocator adds to a block. About: a short string has no block of its own.
constexpr std::size_t string_cost(std::size_t bytes) { return sizeof(std::string) + bytes + 16; }

// What one queued command costs: each argument, and the vector that holds them with its place
// in the queue.
std::size_t command_cost(std::span<const std::string_view> args) {
  std::size_t bytes = 2 * sizeof(std::vector<std::string>) + 16;
  for (std::string_view a : args) bytes += string_cost(a.size());
  return bytes;
}

constexpr std::string_view kTooLarge =
    "ERR transaction too large: this connection's, or all connections' together, would pass "
    "their limit (queued commands and watched values)";

}  // namespace

std::span<const CommandSpec> TransactionCommands::specs() {
  static const std::vector<CommandSpec> rows = {
      {"multi", 1, 0, 0, 0, nullptr, "noscript loading stale fast allow_busy",
       "@fast @transaction", "transactions", "1.2.0", "Starts a transaction.", {}, {}},
      {"exec", 1, 0, 0, 0, nullptr, "noscript loading stale skip_slowlog", "@slow @transaction",
       "transactions", "1.2.0", "Executes all commands in a transaction.", {}, {}},
      {"discard", 1, 0, 0, 0, nullptr, "noscript loading stale fast allow_busy",
       "@fast @transaction", "transactions", "2.0.0", "Discards a transaction.", {}, {}},
      {"watch", -2, 1, -1, 1, nullptr, "noscript loading stale fast allow_busy",
       "@fast @transaction", "transactions", "2.2.0",
       "Monitors changes to keys to determine the execution of a transaction.",
       {{"key", "key", {}, false, true, {}}}, {}},
      {"unwatch", 1, 0, 0, 0, nullptr, "noscript loading stale fast allow_busy",
       "@fast @transaction", "transactions", "2.2.0",
       "Forgets about watched keys of a transaction.", {}, {}},
  };
  return rows;
}

namespace {

// Which of this class's commands `name` is, if any: their row's index in specs().
enum class Own { kMulti, kExec, kDiscard, kWatch, kUnwatch, kNone };

Own own_command(std::string_view name) {
  if (is_command(name, "MULTI")) return Own::kMulti;
  if (is_command(name, "EXEC")) return Own::kExec;
  if (is_command(name, "DISCARD")) return Own::kDiscard;
  if (is_command(name, "WATCH")) return Own::kWatch;
  if (is_command(name, "UNWATCH")) return Own::kUnwatch;
  return Own::kNone;
}

// The error one of this class's commands gets for its arguments, if any.
std::optional<std::string> own_refusal(Own own, std::span<const std::string_view> args) {
  return row_refusal(TransactionCommands::specs()[static_cast<std::size_t>(own)], args);
}

}  // namespace

bool TransactionCommands::is_own(std::string_view name) { return own_command(name) != Own::kNone; }

std::optional<std::string> TransactionCommands::refusal(
    std::span<const std::string_view> args) const {
  const Own own = own_command(args[0]);
  return own == Own::kNone ? inner_.refusal(args) : own_refusal(own, args);
}

//! [run]
void TransactionCommands::run(std::span<const std::string_view> args, ClientState& client,
                              protocol::RespWriter& out) {
  TransactionState& t = client.transaction;
  const Own own = own_command(args[0]);
  if (own == Own::kNone) {
    if (t.open && !is_command(args[0], "QUIT")) return queue(args, client, out);
    std::shared_lock held(gate_);  // no EXEC runs while this command does
    return inner_.run(args, client, out);
  }
  if (auto error = own_refusal(own, args)) {
    if (own == Own::kExec) {  // as Redis: an EXEC refused ends the transaction, and the WATCH
      client.transaction = TransactionState();
      return out.error("EXECABORT Transaction discarded because of: " + error->substr(4));
    }
    if (t.open) t.failed = true;  // as Redis: a refused command spoils the transaction
    return out.error(*error);
  }
  switch (own) {  // these touch only this client's state (WATCH reads its keys): no gate
    case Own::kMulti: return multi(client, out);
    case Own::kExec: return exec(client, out);  // takes the gate alone
    case Own::kDiscard: return discard(client, out);
    case Own::kWatch: return watch(args, client, out);
    case Own::kUnwatch:
      if (t.open) return queue(args, client, out);  // Redis queues it; EXEC answers OK
      t.watched.clear();
      t.held = HeldBytes();
      return out.simple("OK");
    case Own::kNone: break;
  }
}
//! [run]

bool TransactionCommands::take(TransactionState& t, std::size_t bytes) {
  return t.held.take(held_, bytes, limits_.per_connection, limits_.all_connections);
}

void TransactionCommands::multi(ClientState& client, protocol::RespWriter& out) {
  TransactionState& t = client.transaction;
  if (t.open) return out.error("ERR MULTI calls can not be nested");
  t.open = true;
  out.simple("OK");
}

void TransactionCommands::discard(ClientState& client, protocol::RespWriter& out) {
  TransactionState& t = client.transaction;
  if (!t.open) return out.error("ERR DISCARD without MULTI");
  t = TransactionState();  // the queue, and the watched keys with it
  out.simple("OK");
}

void TransactionCommands::watch(Args args, ClientState& client, protocol::RespWriter& out) {
  TransactionState& t = client.transaction;
  if (t.open) return out.error("ERR WATCH inside MULTI is not allowed");
  // Every key's state first, then all of them watched, or none if one fails.
  std::unordered_set<std::string_view> seen;
  for (const auto& w : t.watched) seen.insert(w.first);
  std::vector<std::pair<std::string, std::optional<std::string>>> adding;
  std::size_t bytes = 0;
  for (std::string_view key : args.subspan(1)) {
    if (!seen.insert(key).second) continue;  // what it was when first watched is what counts
    auto state = inner_.watch_state(key);
    if (!state.is_ok()) return out.error("ERR " + state.status().message());
    bytes += string_cost(key.size()) + string_cost(state->has_value() ? (*state)->size() : 0);
    adding.emplace_back(std::string(key), std::move(*state));
  }
  if (!take(t, bytes)) return out.error(kTooLarge);
  for (auto& w : adding) t.watched.push_back(std::move(w));
  out.simple("OK");
}

//! [queue]
void TransactionCommands::queue(Args args, ClientState& client, protocol::RespWriter& out) {
  TransactionState& t = client.transaction;
  if (auto error = refusal(args)) {
    t.failed = true;  // EXEC will run none of it
    return out.error(*error);
  }
  if (is_command(args[0], "SHUTDOWN")) {  // Redis's no_multi flag: it cannot wait for EXEC
    t.failed = true;
    return out.error("ERR Command not allowed inside a transaction");
  }
  if (!take(t, command_cost(args))) {
    t.failed = true;
    return out.error(kTooLarge);
  }
  t.queued.emplace_back(args.begin(), args.end());
  out.simple("QUEUED");
}
//! [queue]

//! [exec]
void TransactionCommands::exec(ClientState& client, protocol::RespWriter& out) {
  if (!client.transaction.open) return out.error("ERR EXEC without MULTI");
  TransactionState t = std::move(client.transaction);
  client.transaction = TransactionState();  // EXEC ends the transaction and every WATCH
  if (t.failed) {
    return out.error("EXECABORT Transaction discarded because of previous errors.");
  }
  std::unique_lock alone(gate_);  // from here to the last reply, no other command runs
  for (const auto& [key, then] : t.watched) {
    auto now = inner_.watch_state(key);
    if (!now.is_ok()) return out.error("ERR " + now.status().message());
    if (*now != then) return out.null_array();  // changed since WATCH: nothing runs
  }
  out.array(t.queued.size());
  std::vector<std::string_view> args;
  for (const std::vector<std::string>& command : t.queued) {
    args.assign(command.begin(), command.end());
    run_queued(args, client, out);
  }
}
//! [exec]

void TransactionCommands::run_queued(Args args, ClientState& client, protocol::RespWriter& out) {
  if (is_command(args[0], "UNWATCH")) return out.simple("OK");
  inner_.run(args, client, out);
}

}  // namespace vkv::engine

namespace vkv::runtime {

void GatedSession::feed(std::string_view bytes, std::string* out) {
  std::shared_lock held(gate_);
  inner_->feed(bytes, out);
}

void GatedSession::finish(std::string* out) {
  std::shared_lock held(gate_);
  inner_->finish(out);
}

}  // namespace vkv::runtime
