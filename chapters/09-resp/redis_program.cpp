#include "09-resp/redis_program.hpp"

#include <unistd.h>

#include <csignal>

#include "09-resp/polling_waiter.hpp"
#include "09-resp/protocol_sniffer.hpp"

namespace vkv::runtime {

//! [program]
ServerProgram RedisProgram::program() {
  ServerProgram program = compaction_.program();  // chapter 8's server, which this extends
  program.summary += " Redis clients (redis-cli, client libraries) work too: a connection whose"
                     " first byte is '*' (or whose first line is PING) speaks RESP.";
  // The limits on a RESP request, as flags beside chapter 8's.
  program.add_flags = [chapter8 = program.add_flags, this](Flags& flags) {
    chapter8(flags);
    net::add_resp_limit_flags(flags, &limits_);
    net::add_poll_flag(flags, &poll_micros_);
  };
  // Each worker polls for its next requests before it sleeps, while that finds them.
  program.tune_server = [chapter8 = program.tune_server, this](net::ServerOptions& server) {
    if (chapter8) chapter8(server);
    server.make_waiter = net::polling_waiters(std::chrono::microseconds(poll_micros_));
  };
  // CONFIG GET's settings, from the store's options; INFO's clients, from the sessions.
  program.tune_store = [chapter8 = program.tune_store, this](storage::LsmStoreOptions& o) {
    chapter8(o);
    info_.config = engine::store_config(o);
  };
  info_.connected_clients = [this] { return connections_.load(); };
  // SHUTDOWN stops the server as `kill PID` does: chapter 6's stop (what is in flight
  // finishes, the store is synced, the program exits 0).
  info_.shutdown = [] { ::kill(::getpid(), SIGTERM); };
  // The Redis commands, and the key locks they share with the text protocol's writes: the
  // text engine runs over the backend's LockedStore, so a text SET cannot slip between an
  // INCR's read and write. Made once the store is open; lives until the server has stopped.
  program.text_store = [this](storage::LsmStore& store) -> storage::Store& {
    backend_ = std::make_unique<engine::RedisBackend>(store, take_info());
    serve(backend_->commands());
    return backend_->text_store();
  };
  // Each connection: RESP if its first byte is '*' or its first line PING, else chapter 8's
  // text protocol.
  program.sessions = [this](storage::LsmStore&, net::SessionFactory text) {
    return net::resp_or_text_sessions(*commands_, std::move(text), limits_, &connections_,
                                      in_front_of_transactions);
  };
  return program;
}
//! [program]

}  // namespace vkv::runtime
