// Under --sync always, a write that comes over RESP is acknowledged (+OK) only once the log
// holding it is on disk: the server's round and ticket (chapter 6) cover RESP sessions as they
// cover text ones. A server over an LsmStore on a FaultInjectionEnv takes pipelined SETs; then
// the "power fails" (everything not synced is dropped) and the store is reopened: every key
// acknowledged is there. The same run with a durability that never syncs loses keys, so the
// test can tell the two apart.
#include <catch2/catch.hpp>

#include <memory>
#include <string>
#include <thread>

#include "02-parsing/engine.hpp"
#include "05-sstables/lsm_store.hpp"
#include "06-server/lsm_durability.hpp"
#include "06-server/server.hpp"
#include "09-resp/protocol_sniffer.hpp"
#include "09-resp/tests/fake_commands.hpp"
#include "common/fault_injection_env.hpp"
#include "common/testing/test_util.hpp"
#include "tests/support/server_process.hpp"

using vkv::Status;
using vkv::storage::LsmStore;
using vkv::storage::LsmStoreOptions;

namespace {

// A Durability that says yes without syncing: what a server that acknowledged too early does.
class NoSync final : public vkv::engine::Durability {
 public:
  std::uint64_t ticket() override { return 0; }
  Status sync_through(std::uint64_t) override { return Status::ok(); }
};

LsmStoreOptions always_options(const std::string& dir) {
  LsmStoreOptions o;
  o.durable.dir = dir;
  o.durable.sync = vkv::storage::SyncPolicy::kAlways;
  o.durable.defer_sync = true;  // as the server opens it: the round syncs, not each write
  return o;
}

// `kWrites` RESP SETs through a server over a store on `env`, with `durability` (null: the
// store's own); returns how many were acknowledged with +OK. The store is abandoned, open.
constexpr int kWrites = 200;
int acknowledged_sets(vkv::FaultInjectionEnv& env, const std::string& dir,
                      vkv::engine::Durability* durability, std::unique_ptr<LsmStore>* keep) {
  auto opened = LsmStore::open(env, always_options(dir));
  REQUIRE(opened.is_ok());
  *keep = std::move(opened).value();
  LsmStore& store = **keep;
  vkv::engine::Engine engine(store);
  vkv::testing::StoreCommands commands(store);
  vkv::engine::LsmDurability lsm_durability(store);
  vkv::net::ServerOptions options;
  options.port = 0;
  options.workers = 2;
  auto server = vkv::net::Server::create(
      vkv::net::resp_or_text_sessions(commands, vkv::net::text_sessions(engine, 1024), {}),
      durability != nullptr ? *durability : lsm_durability, options);
  REQUIRE(server.is_ok());
  std::thread runner([&] { (*server)->run(); });

  vkv::testing::Client client((*server)->port());
  std::string requests;
  for (int i = 0; i < kWrites; ++i) {
    const std::string key = "key" + std::to_string(i);
    requests += "*3\r\n$3\r\nSET\r\n$" + std::to_string(key.size()) + "\r\n" + key +
                "\r\n$5\r\nvalue\r\n";
  }
  REQUIRE(client.send(requests));
  int acked = 0;
  while (acked < kWrites && client.read_line() == std::optional<std::string>("+OK\r")) ++acked;
  (*server)->stop();
  runner.join();
  return acked;
}

// How many of the keys a reopened store holds after a power loss that struck `*store`.
int keys_after_power_loss(vkv::FaultInjectionEnv& env, const std::string& dir,
                          std::unique_ptr<LsmStore>* store) {
  REQUIRE(env.crash(0).is_ok());
  store->reset();  // its files are dead: nothing it does now reaches the disk
  auto reopened = LsmStore::open(env, always_options(dir));
  INFO(reopened.status().to_string());
  REQUIRE(reopened.is_ok());
  int found = 0;
  for (int i = 0; i < kWrites; ++i) {
    std::string value;
    if ((*reopened)->get("key" + std::to_string(i), &value).is_ok()) ++found;
  }
  return found;
}

}  // namespace

TEST_CASE("resp durability: under sync always every +OK is on disk before it is sent",
          "[ch09]") {
  vkv::testing::TempDir tmp;
  const std::string dir = tmp.file("data");
  vkv::FaultInjectionEnv env;
  std::unique_ptr<LsmStore> store;
  const int acked = acknowledged_sets(env, dir, nullptr, &store);
  CHECK(acked == kWrites);
  CHECK(keys_after_power_loss(env, dir, &store) >= acked);
}

TEST_CASE("resp durability: the same load acknowledged without a sync loses writes (the "
          "check above can fail)", "[ch09]") {
  vkv::testing::TempDir tmp;
  const std::string dir = tmp.file("data");
  vkv::FaultInjectionEnv env;
  std::unique_ptr<LsmStore> store;
  NoSync no_sync;
  const int acked = acknowledged_sets(env, dir, &no_sync, &store);
  CHECK(acked == kWrites);
  CHECK(keys_after_power_loss(env, dir, &store) < acked);
}
