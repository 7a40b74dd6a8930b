// RunningServer: a Server over a MemoryStore, on a free port, run on a thread of its own, for
// the tests that drive a server in-process.
#pragma once

#include <catch2/catch.hpp>

#include <memory>
#include <thread>
#include <utility>

#include "02-parsing/engine.hpp"
#include "02-parsing/memory_store.hpp"
#include "06-server/durability.hpp"
#include "06-server/server.hpp"

namespace vkv::testing {

// One worker, the text protocol; `durability` and `look_ahead` as given. `durability` must
// outlive it. Stops the server and joins its thread when destroyed.
struct RunningServer {
  explicit RunningServer(engine::Durability& durability, net::LookAhead look_ahead = {})
      : engine(store) {
    net::ServerOptions options;
    options.port = 0;
    options.workers = 1;
    options.look_ahead = std::move(look_ahead);
    auto created =
        net::Server::create(net::text_sessions(engine, options.max_line), durability, options);
    REQUIRE(created.is_ok());
    server = std::move(created).value();
    thread = std::thread([this] { server->run(); });
  }
  ~RunningServer() {
    server->stop();
    if (thread.joinable()) thread.join();
  }
  RunningServer(const RunningServer&) = delete;
  RunningServer& operator=(const RunningServer&) = delete;

  storage::MemoryStore store;
  engine::Engine engine;
  std::unique_ptr<net::Server> server;
  std::thread thread;
};

}  // namespace vkv::testing
