/// \file
/// ch09-resp: chapter 8's server, speaking Redis's protocol as well as its own on
/// the same port.

#include <atomic>
#include <memory>

#include "06-server/server_program.hpp"
#include "08-compaction/compaction_program.hpp"
#include "09-resp/protocol_sniffer.hpp"
#include "09-resp/redis_backend.hpp"

//! [main]
int main(int argc, char** argv) {
  vkv::runtime::CompactionProgram compaction;  // chapter 8's server, which this one extends
  vkv::runtime::ServerProgram program = compaction.program();
  program.summary += " Redis clients (redis-cli, client libraries) work too: a connection whose"
                     " first byte is '*' (or whose first line is PING) speaks RESP.";

  // The limits on a RESP request, as flags beside chapter 8's.
  vkv::protocol::RespLimits limits;
  program.add_flags = [chapter8 = program.add_flags, &limits](vkv::Flags& flags) {
    chapter8(flags);
    vkv::net::add_resp_limit_flags(flags, &limits);
  };

  // The Redis commands, and the key locks they share with the text protocol's writes: the
  // text engine runs over the backend's LockedStore, so a text SET cannot slip between an
  // INCR's read and write. Made once the store is open; lives until the server has stopped.
  std::unique_ptr<vkv::engine::RedisBackend> redis;
  vkv::engine::RedisServerInfo info;  // CONFIG GET's settings, from the store's options
  std::atomic<std::size_t> connections{0};  // open now, of both protocols: INFO's clients
  info.connected_clients = [&connections] { return connections.load(); };
  program.tune_store = [chapter8 = program.tune_store, &info](vkv::storage::LsmStoreOptions& o) {
    chapter8(o);
    info.config = vkv::engine::store_config(o);
  };
  program.text_store = [&redis, &info](vkv::storage::LsmStore& store) -> vkv::storage::Store& {
    redis = std::make_unique<vkv::engine::RedisBackend>(store, std::move(info));
    return redis->text_store();
  };
  // Each connection: RESP if its first byte is '*' or its first line PING, else chapter 8's
  // text protocol.
  program.sessions = [&redis, &limits, &connections](vkv::storage::LsmStore&,
                                                     vkv::net::SessionFactory text) {
    return vkv::net::resp_or_text_sessions(redis->commands(), std::move(text), limits,
                                           &connections);
  };
  return vkv::runtime::run_server_program(program, argc, argv);
}
//! [main]
