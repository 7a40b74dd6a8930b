// Server and Durability: replies go out only after the round's ticket is synced, and a sync
// that fails stops the server without sending what depends on it.
#include <catch2/catch.hpp>

#include <atomic>
#include <thread>

#include "02-parsing/engine.hpp"
#include "02-parsing/memory_store.hpp"
#include "06-server/durability.hpp"
#include "06-server/server.hpp"
#include "06-server/tests/running_server.hpp"
#include "tests/support/server_process.hpp"

using vkv::Status;

namespace {

// Tickets count the calls; sync_through fails once told to.
class FakeDurability final : public vkv::engine::Durability {
 public:
  std::uint64_t ticket() override { return ++tickets_; }
  Status sync_through(std::uint64_t ticket) override {
    synced_through_ = ticket;
    ++syncs_;
    return failing_ ? Status::io_error("fdatasync data/000001.log: Input/output error")
                    : Status::ok();
  }
  std::atomic<bool> failing_{false};
  std::atomic<std::uint64_t> tickets_{0};
  std::atomic<std::uint64_t> synced_through_{0};
  std::atomic<int> syncs_{0};
};

}  // namespace

TEST_CASE("server: every round's replies wait for a sync of the round's ticket", "[ch06]") {
  FakeDurability durability;
  vkv::testing::RunningServer running(durability);
  vkv::testing::Client client(running.server->port());
  CHECK(client.call("SET a 1") == "OK");
  CHECK(durability.syncs_ >= 1);
  CHECK(durability.synced_through_ == durability.tickets_);  // the ticket taken was synced
  CHECK(client.call("GET a") == "VALUE 1");
}

TEST_CASE("server: a failed sync sends no reply that depends on it, and stops the server",
          "[ch06]") {
  FakeDurability durability;
  vkv::testing::RunningServer running(durability);
  vkv::testing::Client before(running.server->port());
  CHECK(before.call("SET a 1") == "OK");  // acknowledged while the disk was fine
  durability.failing_ = true;
  vkv::testing::Client client(running.server->port());
  CHECK(client.call("SET b 2") == "<no reply>");  // the server closed it without an OK
  CHECK(vkv::testing::wait_for([&] { return !running.server->failure().is_ok(); }));
  CHECK(running.server->failure().message().find("Input/output error") != std::string::npos);
  running.thread.join();  // run() returns by itself
}
