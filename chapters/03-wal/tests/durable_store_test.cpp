// DurableStore: the Store contract under every sync policy, replay across reopen, the LOCK,
// and a store that refuses writes once its log has failed.
#include <catch2/catch.hpp>

#include <atomic>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "03-wal/durable_store.hpp"
#include "common/fault_injection_env.hpp"
#include "03-wal/log_format.hpp"
#include "02-parsing/memory_store.hpp"
#include "03-wal/tests/durable_store_under_test.hpp"
#include "02-parsing/tests/store_contract.hpp"
#include "common/testing/test_util.hpp"

using vkv::Env;
using vkv::FaultInjectionEnv;
using vkv::Status;
using vkv::storage::DurableStore;
using vkv::storage::DurableStoreOptions;
using vkv::storage::MemoryStore;
using vkv::storage::SyncPolicy;
using vkv::testing::TempDir;

namespace {

DurableStoreOptions options_for(const std::string& dir, SyncPolicy sync = SyncPolicy::kAlways) {
  DurableStoreOptions o;
  o.dir = dir;
  o.sync = sync;
  return o;
}

std::unique_ptr<DurableStore> open_ok(const std::string& dir,
                                      SyncPolicy sync = SyncPolicy::kAlways,
                                      Env& env = Env::posix()) {
  auto store = DurableStore::open(env, options_for(dir, sync), std::make_unique<MemoryStore>());
  INFO(store.status().to_string());
  REQUIRE(store.is_ok());
  return std::move(store).value();
}

std::string get_or_absent(vkv::storage::Store& s, std::string_view key) {
  return vkv::testing::contract::get_or_absent(s, key);
}

}  // namespace

VKV_STORE_CONTRACT_TESTS("DurableStore(always)", "[ch03]", [] {
  return std::make_unique<vkv::testing::DurableStoreUnderTest<MemoryStore>>(SyncPolicy::kAlways);
})
VKV_STORE_CONTRACT_TESTS("DurableStore(everysec)", "[ch03]", [] {
  return std::make_unique<vkv::testing::DurableStoreUnderTest<MemoryStore>>(SyncPolicy::kEverySec);
})
VKV_STORE_CONTRACT_TESTS("DurableStore(never)", "[ch03]", [] {
  return std::make_unique<vkv::testing::DurableStoreUnderTest<MemoryStore>>(SyncPolicy::kNever);
})

TEST_CASE("durable store: writes survive a reopen, under every policy", "[ch03]") {
  for (SyncPolicy sync : {SyncPolicy::kAlways, SyncPolicy::kEverySec, SyncPolicy::kNever}) {
    INFO("sync " << to_string(sync));
    TempDir tmp;
    const std::string dir = tmp.file("data");
    {
      auto store = open_ok(dir, sync);
      CHECK(store->recovery().empty());
      REQUIRE(store->set("a", "1").is_ok());
      REQUIRE(store->set("b", std::string("two\0bytes", 9)).is_ok());
      REQUIRE(store->set("a", "3").is_ok());
      REQUIRE(store->del("b").is_ok());
      REQUIRE(store->set("c", "").is_ok());
    }
    auto store = open_ok(dir, sync);
    CHECK(get_or_absent(*store, "a") == "3");
    CHECK(get_or_absent(*store, "b") == "<not found>");
    CHECK(get_or_absent(*store, "c").empty());
    REQUIRE(store->recovery().size() == 1);
    CHECK(store->recovery()[0].records == 5);
    CHECK(store->recovery()[0].path == dir + "/000001.log");
    // And it goes on appending to the same log.
    REQUIRE(store->set("d", "4").is_ok());
    store.reset();
    store = open_ok(dir, sync);
    CHECK(store->recovery()[0].records == 6);
    CHECK(get_or_absent(*store, "d") == "4");
  }
}

TEST_CASE("durable store: the directory is created, with a LOCK and one log", "[ch03]") {
  TempDir tmp;
  auto store = open_ok(tmp.file("data"));
  CHECK(Env::posix().file_exists(tmp.file("data/LOCK")));
  CHECK(Env::posix().file_exists(tmp.file("data/000001.log")));
  CHECK(store->log().path() == tmp.file("data/000001.log"));
}

TEST_CASE("durable store: a second opener of the same directory fails with the message", "[ch03]") {
  TempDir tmp;
  const std::string dir = tmp.file("data");
  auto first = open_ok(dir);
  auto second = DurableStore::open(Env::posix(), options_for(dir), std::make_unique<MemoryStore>());
  REQUIRE_FALSE(second.is_ok());
  CHECK(second.status().code() == vkv::StatusCode::kBusy);
  CHECK(second.status().to_string() ==
        "busy: data directory " + dir + " is in use by another process (it holds " + dir +
            "/LOCK); stop that process or choose another directory");
  first.reset();  // the lock goes with the store
  CHECK(open_ok(dir) != nullptr);
}

TEST_CASE("durable store: a corrupt log stops the open, and repair opens it", "[ch03]") {
  TempDir tmp;
  const std::string dir = tmp.file("data");
  {
    auto store = open_ok(dir);
    for (int i = 0; i < 5; ++i) REQUIRE(store->set("k" + std::to_string(i), "v").is_ok());
  }
  const std::string log = dir + "/000001.log";
  std::string bytes = vkv::testing::read_whole_file(log);
  bytes[bytes.size() / 2] ^= 0x01;
  vkv::testing::write_whole_file(log, bytes);

  auto refused =
      DurableStore::open(Env::posix(), options_for(dir), std::make_unique<MemoryStore>());
  REQUIRE_FALSE(refused.is_ok());
  CHECK(refused.status().is_corruption());
  CHECK(refused.status().message().find(log + ": bad record at offset ") == 0);
  CHECK(vkv::testing::read_whole_file(log) == bytes);

  auto options = options_for(dir);
  options.repair = true;
  auto repaired = DurableStore::open(Env::posix(), options, std::make_unique<MemoryStore>());
  REQUIRE(repaired.is_ok());
  const auto& report = (*repaired)->recovery().at(0);
  CHECK(report.repaired_at.has_value());
  CHECK(report.records + report.dropped_records == 5);
  CHECK(get_or_absent(**repaired, "k0") == "v");
  CHECK(get_or_absent(**repaired, "k4") == "<not found>");
}

TEST_CASE("durable store: after a failed sync it refuses writes and keeps reading", "[ch03]") {
  TempDir tmp;
  FaultInjectionEnv env;
  auto store = open_ok(tmp.file("data"), SyncPolicy::kAlways, env);
  REQUIRE(store->set("a", "1").is_ok());
  env.fail_once_after(1);  // the append goes through, the sync after it fails
  const Status s = store->set("a", "2");
  CHECK(s.to_string().find("injected fault") != std::string::npos);
  CHECK(get_or_absent(*store, "a") == "1");  // not applied
  const Status later = store->set("b", "3");  // the disk works again, but the log is in doubt
  CHECK(later.to_string().find("takes no more writes after a failure") != std::string::npos);
  CHECK(store->del("a").code() == vkv::StatusCode::kIoError);
  CHECK(get_or_absent(*store, "a") == "1");
  CHECK(get_or_absent(*store, "b") == "<not found>");
}

TEST_CASE("durable store: a failed append fails that write alone, and writes go on after it",
          "[ch03]") {
  TempDir tmp;
  FaultInjectionEnv env;
  auto store = open_ok(tmp.file("data"), SyncPolicy::kAlways, env);
  REQUIRE(store->set("a", "1").is_ok());
  env.fail_once_after(0);  // the append fails, writing nothing (a full disk)
  CHECK(store->set("a", "2").to_string().find("injected fault") != std::string::npos);
  CHECK(get_or_absent(*store, "a") == "1");  // not applied
  REQUIRE(store->set("b", "3").is_ok());      // room again
  CHECK(get_or_absent(*store, "b") == "3");
}

TEST_CASE("durable store: an empty key and an oversized value are refused, harmlessly", "[ch03]") {
  TempDir tmp;
  auto store = open_ok(tmp.file("data"));
  CHECK(store->set("", "v").code() == vkv::StatusCode::kInvalidArgument);
  CHECK(store->set("big", std::string(vkv::storage::LogFormat::kMaxPayload, 'x')).code() ==
        vkv::StatusCode::kInvalidArgument);
  CHECK(store->set("ok", "fine").is_ok());  // not poisoned
  CHECK(get_or_absent(*store, "ok") == "fine");
}

TEST_CASE("durable store: concurrent writers to one key leave what the log says", "[ch03]") {
  TempDir tmp;
  const std::string dir = tmp.file("data");
  std::string live;
  {
    auto store = open_ok(dir);
    std::atomic<int> failures{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < 8; ++t) {
      threads.emplace_back([&store, &failures, t] {
        for (int i = 0; i < 50; ++i) {
          if (!store->set("same", std::to_string(t) + ":" + std::to_string(i)).is_ok()) ++failures;
        }
      });
    }
    for (auto& th : threads) th.join();
    REQUIRE(failures == 0);
    live = get_or_absent(*store, "same");
  }
  auto replayed = open_ok(dir);
  CHECK(get_or_absent(*replayed, "same") == live);
  CHECK(replayed->recovery()[0].records == 400);
}

