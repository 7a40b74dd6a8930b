/// \file
/// ExpiryBackend: everything chapter 10 adds on top of an open LsmStore: the ExpiringStore,
/// the commands of both protocols over it; what main.cpp wires into the server.
#pragma once

#include <memory>

#include "02-parsing/text_commands.hpp"
#include "05-sstables/lsm_store.hpp"
#include "08-compaction/lsm_scanner.hpp"
#include "09-resp/key_locks.hpp"
#include "09-resp/locked_store.hpp"
#include "09-resp/redis_commands.hpp"
#include "10-expiry/clock.hpp"
#include "10-expiry/expiring_store.hpp"
#include "10-expiry/expiry_commands.hpp"
#include "10-expiry/expiry_rules.hpp"

namespace vkv::engine {

//! [expiry-backend]
/// Made once the store is open, kept until the server has stopped:
///
/// - store(): the ExpiringStore over the LsmStore (and its LsmScanner), reading `clock`;
/// - commands(): what every RESP session runs: ExpiryCommands in front of chapter 9's
///   RedisCommands, which runs over store().keeping_deadlines() (INCR and APPEND keep a
///   deadline) and store() as its OrderedStore (KEYS, SCAN, DBSIZE skip expired keys);
/// - text_store(): the text protocol's SET, GET and DEL, over store() under the key locks;
/// - text_commands(): the text protocol's expiry commands, then chapter 8's SCAN over store().
///
/// Both protocols' writes take the same KeyLocks.
class ExpiryBackend {
 public:
  /// Over `store`, which must outlive this, reading `clock` (null: the system's clock; else it
  /// must outlive this). `info` gains the expiry commands (COMMAND tells of them), the count
  /// of deadlines (INFO's `expires`), chapter 10's number, and the store's lines.
  ExpiryBackend(storage::LsmStore& store, RedisServerInfo info,
                const storage::Clock* clock = nullptr);

  /// The Redis commands. Thread-safe.
  RespCommands& commands() { return commands_; }
  /// The store for the text protocol's SET, GET and DEL.
  storage::Store& text_store() { return text_store_; }
  /// A new set of the text protocol's added commands (expiry commands, then SCAN).
  std::unique_ptr<runtime::TextCommands> text_commands();
  /// The keys and their deadlines (for the expiry cycle).
  storage::ExpiringStore& store() { return expiring_; }
  /// The key locks every write takes (the expiry cycle's deletes too).
  KeyLocks& locks() { return locks_; }
  /// Chapter 9's commands behind commands() (their counts: INFO's, and a later chapter's).
  RedisCommands& redis() { return redis_; }

 private:
  storage::SystemClock system_clock_;
  storage::LsmScanner scanner_;
  storage::ExpiringStore expiring_;
  KeyLocks locks_;
  storage::LockedStore text_store_;
  RedisCommands redis_;
  ExpiryRules rules_;
  ExpiryCommands commands_;
};
//! [expiry-backend]

}  // namespace vkv::engine
