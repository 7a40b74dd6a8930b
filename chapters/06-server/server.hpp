/// \file
/// Server: the listener, the reactors, the workers and the connections, put together.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include "06-server/connection.hpp"
#include "06-server/durability.hpp"
#include "02-parsing/engine.hpp"
#include "06-server/listener.hpp"
#include "06-server/reactor.hpp"

namespace vkv::net {

/// How a worker waits for its next round: fills `out` with what is ready and returns how
/// many (at least one). Each worker gets its own, so it may keep state between rounds.
using Waiter = std::function<std::size_t(runtime::Reactor&, std::span<runtime::Ready>)>;

/// The Waiter a worker has unless it is given another: Reactor::wait, which sleeps until
/// something is ready.
inline std::size_t sleep_until_ready(runtime::Reactor& reactor, std::span<runtime::Ready> out) {
  return reactor.wait(out);
}

/// The server's limits and addresses; main() fills them from flags.
struct ServerOptions {
  std::string bind = "127.0.0.1";       ///< The IPv4 address to listen on.
  std::uint16_t port = 9999;            ///< The port; 0 lets the OS pick a free one.
  std::size_t workers = 0;              ///< Worker threads; 0 means one per core.
  std::size_t max_connections = 10000;  ///< Connections past this get an error and are closed.
  std::size_t max_line = protocol::kDefaultMaxLine;  ///< The longest command line.
  std::size_t output_limit = kDefaultOutputLimit;    ///< Pending reply bytes per connection.
  /// A client whose pending replies have not moved for this long (it does not read) is closed.
  std::size_t stalled_timeout_seconds = 30;
  /// Shown each read's bytes before they run (see LookAhead). Empty: nothing is.
  LookAhead look_ahead;
  /// Called as each read's requests start and stop running (see BatchHook). Empty: nothing is.
  BatchHook batch_hook;
  /// Makes each worker's Waiter. Empty: every worker sleeps until something is ready.
  std::function<Waiter()> make_waiter;
};

/// A TCP server: each connection's bytes go to a Session (the text protocol, running commands
/// on an Engine, unless a later chapter brings another).
///
/// Threads: each worker runs an event loop on its own Reactor. The listening socket is in
/// every reactor; a new connection wakes one worker, which accepts it and serves it for its
/// whole life. The caller's thread runs run(), which starts the workers and then sweeps for
/// stalled clients until stop() is called.
class Server {
 public:
  /// Binds the listener and creates the reactors; nothing runs until run(). Each new
  /// connection gets a session from `make_session` (text_sessions() for the text protocol).
  /// Replies go out once `durability` says the log holds what they reveal. `durability`, and
  /// what the sessions use, must outlive the server.
  static Result<std::unique_ptr<Server>> create(SessionFactory make_session,
                                                engine::Durability& durability,
                                                ServerOptions options);
  /// Use create(), which binds the listener first; this only stores what it is given.
  Server(SessionFactory make_session, engine::Durability& durability, ServerOptions options,
         Listener listener, std::vector<runtime::Reactor> reactors);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  /// Serves until stop(): then stops accepting, lets every worker finish the round of
  /// commands it is running, sends what replies it may, closes every connection and returns.
  /// Also returns, with failure() set, when the log cannot be made durable.
  void run();

  /// Asks run() to return. Async-signal-safe: call it from a signal handler.
  void stop();

  /// "address:port" actually bound.
  [[nodiscard]] std::string address() const { return listener_.address(); }
  /// The port actually bound.
  [[nodiscard]] std::uint16_t port() const { return listener_.port(); }
  /// The limits and address it was made with.
  [[nodiscard]] const ServerOptions& options() const { return options_; }
  /// How many worker threads run() starts.
  [[nodiscard]] std::size_t workers() const { return reactors_.size(); }
  /// How many clients are connected now.
  [[nodiscard]] std::size_t connections() const;
  /// Connections accepted and served since run() started.
  [[nodiscard]] std::uint64_t connections_accepted() const { return accepted_.load(std::memory_order_relaxed); }
  /// Connections turned away because `max_connections` were open.
  [[nodiscard]] std::uint64_t connections_rejected() const { return rejected_.load(std::memory_order_relaxed); }
  /// Ok, or why the server stopped on its own: the log could not be made durable, so no
  /// reply that depends on it could be sent (a full or failing disk under `--sync always`).
  [[nodiscard]] Status failure() const;

 private:
  void worker_loop(runtime::Reactor& reactor);
  void accept_all(runtime::Reactor& reactor);
  void apply(runtime::Reactor& reactor, Connection* conn, NextStep step);
  bool make_round_durable();
  void close_connection(runtime::Reactor& reactor, Connection* conn);
  void close_stalled_clients();

  SessionFactory make_session_;
  engine::Durability& durability_;
  ServerOptions options_;
  Listener listener_;
  std::vector<runtime::Reactor> reactors_;  // one per worker
  std::atomic<bool> stopping_{false};
  std::atomic<std::uint64_t> accepted_{0};  // connections served, for connections_accepted()
  std::atomic<std::uint64_t> rejected_{0};  // turned away, for connections_rejected()

  mutable std::mutex mu_;  // guards connections_ and failure_
  Status failure_;
  std::unordered_map<Connection*, std::unique_ptr<Connection>> connections_;
};

}  // namespace vkv::net
