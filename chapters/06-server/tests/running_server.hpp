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

// Every ticket is durable at once: for tests about what runs, not about the disk.
class NoDisk final : public engine::Durability {
 public:
  std::uint64_t ticket() override { return 0; }
  Status sync_through(std::uint64_t) override { return Status::ok(); }
};

// One worker, the text protocol (or the sessions `sessions` makes); `durability`,
// `look_ahead` and `batch_hook` as given. `durability` must outlive it. Stops the server and
// joins its thread when destroyed.
struct RunningServer {
  explicit RunningServer(engine::Durability& durability, net::LookAhead look_ahead = {},
                         net::BatchHook batch_hook = {})
      : engine(store) {
    start(net::text_sessions(engine, net::ServerOptions{}.max_line), durability,
          std::move(look_ahead), std::move(batch_hook));
  }
  RunningServer(engine::Durability& durability, net::SessionFactory sessions) : engine(store) {
    start(std::move(sessions), durability, {}, {});
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

 private:
  void start(net::SessionFactory sessions, engine::Durability& durability,
             net::LookAhead look_ahead, net::BatchHook batch_hook) {
    net::ServerOptions options;
    options.port = 0;
    options.workers = 1;
    options.look_ahead = std::move(look_ahead);
    options.batch_hook = std::move(batch_hook);
    auto created = net::Server::create(std::move(sessions), durability, options);
    REQUIRE(created.is_ok());
    server = std::move(created).value();
    thread = std::thread([this] { server->run(); });
  }
};

}  // namespace vkv::testing
