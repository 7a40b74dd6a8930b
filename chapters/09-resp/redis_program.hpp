/// \file
/// RedisProgram: chapter 9's server as a ServerProgram (chapter 8's, speaking Redis's protocol
/// on the same port), for chapter 9's main and for any later server that builds on it.
#pragma once

#include <atomic>
#include <cstddef>
#include <memory>

#include "06-server/server_program.hpp"
#include "08-compaction/compaction_program.hpp"
#include "09-resp/polling_waiter.hpp"
#include "09-resp/protocol_sniffer.hpp"
#include "09-resp/redis_backend.hpp"
#include "09-resp/resp_parser.hpp"

namespace vkv::runtime {

/// Holds what chapter 9's server needs while it runs (chapter 8's program, the RESP limits,
/// what INFO and CONFIG GET tell, the connections open, the Redis commands) and gives the
/// ServerProgram that uses them.
///
/// The program's seams refer to this object: it must outlive run_server_program(). A later
/// chapter takes program() and replaces its `text_store` seam with one that makes its own
/// commands from take_info() and hands them to serve().
class RedisProgram {
 public:
  RedisProgram() = default;
  RedisProgram(const RedisProgram&) = delete;
  RedisProgram& operator=(const RedisProgram&) = delete;

  /// Chapter 9's server: chapter 8's, with the RESP limits as flags, and each connection
  /// speaking RESP or the text protocol by its first bytes. Once the store is open, its
  /// `text_store` seam makes a RedisBackend: the Redis commands, and the text protocol's store
  /// under the same key locks.
  ServerProgram program();

  /// What INFO and CONFIG GET tell (the store's settings once the flags are read, the
  /// connections open): for whatever makes the commands once the store is open. Taken once.
  engine::RedisServerInfo take_info() { return std::move(info_); }
  /// The commands every RESP session runs: to be given once the store is open (in
  /// `text_store`, which runs before the sessions are made). Must outlive the server's run.
  void serve(engine::RespCommands& commands) { commands_ = &commands; }
  /// A layer for the RESP sessions to run in front of chapter 9's transactions (see
  /// resp_or_text_sessions()), which stand in front of serve()'s commands. Empty: none.
  net::TransactionsFront in_front_of_transactions;
  /// Chapter 8's program, which this builds on (its levels and their options).
  CompactionProgram& compaction() { return compaction_; }

 private:
  CompactionProgram compaction_;
  protocol::RespLimits limits_;
  std::size_t poll_micros_ = net::kDefaultPollMicros;  // --poll-us
  engine::RedisServerInfo info_;
  std::atomic<std::size_t> connections_{0};  // open now, of both protocols: INFO's clients
  std::unique_ptr<engine::RedisBackend> backend_;  // made by program()'s text_store
  engine::RespCommands* commands_ = nullptr;       // what the RESP sessions run
};

}  // namespace vkv::runtime
