/// \file
/// RedisBackend: chapter 9's Redis commands over an LsmStore, with the key locks they share
/// with the text protocol; what main.cpp wires into the server.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "05-sstables/lsm_store.hpp"
#include "08-compaction/lsm_scanner.hpp"
#include "09-resp/key_locks.hpp"
#include "09-resp/locked_store.hpp"
#include "09-resp/redis_commands.hpp"

namespace vkv::engine {

/// The settings CONFIG GET shows for a store opened with `options`: `dir`, `appendfsync`
/// (Redis's word for the sync policy: `always`, `everysec`, `no`), and vkv's own, named
/// after its flags (`vkv-sync`, `vkv-memtable-bytes`, `vkv-block-cache-bytes`).
std::vector<ConfigParam> store_config(const storage::LsmStoreOptions& options);

/// INFO's `# Persistence` lines about `store`: its tables, memtable and flushes (vkv_* fields).
std::string lsm_store_info(const storage::LsmStore& store);

/// The Redis commands over `store`, written under `locks` (which the text protocol's
/// LockedStore must share, see RedisBackend). `store` and `locks` must outlive them.
std::unique_ptr<RespCommands> make_redis_commands(storage::LsmStore& store, KeyLocks& locks,
                                                  RedisServerInfo info);

//! [redis-backend]
/// Everything chapter 9 adds on top of an open LsmStore, made once and kept until the server
/// has stopped:
///
/// - commands(): the Redis commands every RESP session runs;
/// - text_store(): the store the text protocol's engine must run over, a LockedStore on the
///   same KeyLocks, so that a text SET or DEL cannot slip between an INCR's read and write.
///
/// main.cpp makes one in ServerProgram::text_store (the text engine is built on what that
/// returns) and hands commands() to the RESP sessions in ServerProgram::sessions.
class RedisBackend {
 public:
  /// Over `store`, which must outlive this. `info.store_info` is filled in when empty.
  RedisBackend(storage::LsmStore& store, RedisServerInfo info);

  /// The Redis commands. Thread-safe.
  RespCommands& commands() { return *commands_; }
  /// The store for the text protocol: `store`, its writes under the key locks.
  storage::Store& text_store() { return text_store_; }
  /// The key locks both protocols' writes take.
  KeyLocks& locks() { return locks_; }

 private:
  KeyLocks locks_;
  storage::LockedStore text_store_;
  std::unique_ptr<RespCommands> commands_;
};
//! [redis-backend]

}  // namespace vkv::engine
