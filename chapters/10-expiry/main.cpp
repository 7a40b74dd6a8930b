/// \file
/// vkv (also ch10-expiry): chapter 9's server, whose keys can expire.

#include <atomic>
#include <memory>

#include "06-server/server_program.hpp"
#include "08-compaction/compaction_program.hpp"
#include "09-resp/protocol_sniffer.hpp"
#include "09-resp/redis_backend.hpp"
#include "10-expiry/expiry_backend.hpp"

//! [main]
int main(int argc, char** argv) {
  vkv::runtime::CompactionProgram compaction;  // chapter 8's server, which this one extends
  vkv::runtime::ServerProgram program = compaction.program();
  program.summary += " Redis clients (redis-cli, client libraries) work too. Keys can expire:"
                     " SET key value EX seconds, EXPIRE key seconds, TTL key, PERSIST key.";

  // Chapter 9's RESP: its limits as flags, CONFIG GET's settings, INFO's clients.
  vkv::protocol::RespLimits limits;
  program.add_flags = [chapter8 = program.add_flags, &limits](vkv::Flags& flags) {
    chapter8(flags);
    vkv::net::add_resp_limit_flags(flags, &limits);
  };
  vkv::engine::RedisServerInfo info;
  std::atomic<std::size_t> connections{0};  // open now, of both protocols
  info.connected_clients = [&connections] { return connections.load(); };
  program.tune_store = [chapter8 = program.tune_store, &info](vkv::storage::LsmStoreOptions& o) {
    chapter8(o);
    info.config = vkv::engine::store_config(o);
  };

  // Chapter 10: the store with deadlines, and both protocols' commands over it, made once the
  // store is open (text_store is the first seam called with it); lives until the server has
  // stopped.
  std::unique_ptr<vkv::engine::ExpiryBackend> backend;
  program.text_store = [&backend, &info](vkv::storage::LsmStore& store) -> vkv::storage::Store& {
    backend = std::make_unique<vkv::engine::ExpiryBackend>(store, std::move(info));
    return backend->text_store();
  };
  // The text protocol's added commands: the expiry commands, and SCAN over the deadlines'
  // store (chapter 8's SCAN would show the stored bytes, deadline and all).
  program.text_commands = [&backend](vkv::storage::LsmStore&) {
    return backend->text_commands();
  };
  program.sessions = [&backend, &limits, &connections](vkv::storage::LsmStore&,
                                                       vkv::net::SessionFactory text) {
    return vkv::net::resp_or_text_sessions(backend->commands(), std::move(text), limits,
                                           &connections);
  };
  return vkv::runtime::run_server_program(program, argc, argv);
}
//! [main]
