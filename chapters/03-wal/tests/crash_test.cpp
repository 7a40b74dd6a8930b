// Crash simulation: a workload of a few hundred writes through a FaultInjectionEnv that fails
// at every write and every sync in turn, then "loses power". After recovery, every write
// acknowledged under `always` is there, and what is there is a prefix of the writes made.
#include <catch2/catch.hpp>

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "02-parsing/memory_store.hpp"
#include "03-wal/durable_store.hpp"
#include "03-wal/tests/crash_driver.hpp"
#include "03-wal/tests/crash_workload.hpp"
#include "common/fault_injection_env.hpp"
#include "common/testing/test_util.hpp"

using vkv::Env;
using vkv::FaultInjectionEnv;
using vkv::Status;
using vkv::storage::DurableStore;
using vkv::storage::DurableStoreOptions;
using vkv::storage::MemoryStore;
using vkv::storage::SyncPolicy;
using vkv::testing::CrashDriver;
using vkv::testing::CrashRun;
using vkv::testing::TempDir;

namespace {

using Op = vkv::testing::CrashOp;

constexpr int kKeys = 41;

// 300 writes over 41 keys, so keys are overwritten and deleted and order matters.
std::vector<Op> workload() { return vkv::testing::crash_workload(300, kKeys, 0); }

// The state after the first `n` writes.
std::map<std::string, std::string> model(const std::vector<Op>& ops, std::size_t n) {
  return vkv::testing::state_after(ops, n);
}

std::unique_ptr<DurableStore> open_store(Env& env, const std::string& dir, SyncPolicy sync) {
  DurableStoreOptions options;
  options.dir = dir;
  options.sync = sync;
  auto store = DurableStore::open(env, options, std::make_unique<MemoryStore>());
  return store.is_ok() ? std::move(store).value() : nullptr;
}

// Reopens with the real file system and checks the acknowledged-prefix property.
void check_recovered(const std::string& dir, const std::vector<Op>& ops, const CrashRun& run) {
  DurableStoreOptions options;
  options.dir = dir;
  options.sync = SyncPolicy::kAlways;
  auto store = DurableStore::open(Env::posix(), options, std::make_unique<MemoryStore>());
  REQUIRE(store.is_ok());
  std::size_t replayed = 0;
  for (const auto& r : (*store)->recovery()) replayed += r.records;
  INFO("acked " << run.acked << ", attempted " << run.attempted << ", replayed " << replayed);
  REQUIRE(replayed >= run.acked);
  REQUIRE(replayed <= run.attempted);
  const auto expected = model(ops, replayed);
  for (int k = 0; k < kKeys; ++k) {
    const std::string key = "k" + std::to_string(k);
    std::string value;
    const Status s = (*store)->get(key, &value);
    auto it = expected.find(key);
    INFO("key " << key);
    if (it == expected.end()) {
      REQUIRE(s.is_not_found());
    } else {
      REQUIRE(s.is_ok());
      REQUIRE(value == it->second);
    }
  }
}

// The durable store over a memory store, as the crash driver runs and checks it.
CrashDriver durable_store_driver() {
  const auto ops = workload();
  return CrashDriver({ops,
                      [ops](Env& env, const std::string& dir, SyncPolicy sync) {
                        auto store = open_store(env, dir, sync);
                        return store ? vkv::testing::write_workload(*store, ops) : CrashRun{};
                      },
                      [ops](const std::string& dir, const CrashRun& run) {
                        check_recovered(dir, ops, run);
                      }});
}

}  // namespace

TEST_CASE("crash: at every write and sync, acknowledged writes survive as a prefix", "[ch03]") {
  CrashDriver driver = durable_store_driver();
  const std::uint64_t total_ops = driver.count_mutating_ops();
  // Keep none of the unsynced bytes, a few (a torn append), or all (the OS had them).
  driver.crash_at_every_op(total_ops, [](std::uint64_t) {
    return std::vector<std::uint64_t>{0, 5, CrashDriver::kKeepAll};
  });
}

TEST_CASE("crash: a process crash loses nothing acknowledged, under every policy", "[ch03]") {
  durable_store_driver().crash_process_under_every_policy();
}

TEST_CASE("crash: a power loss under never keeps a prefix, if anything", "[ch03]") {
  CrashDriver driver = durable_store_driver();
  TempDir tmp;
  FaultInjectionEnv env(driver.base());
  CrashRun run = driver.subject().run(env, tmp.file("data"), SyncPolicy::kNever);
  REQUIRE(run.acked == driver.subject().ops.size());
  REQUIRE(env.crash(123).is_ok());  // a torn write in the middle of what was never synced
  run.acked = 0;                    // never promises nothing across a power loss
  driver.subject().check(tmp.file("data"), run);
}

TEST_CASE("crash: concurrent writers under always, failing at many points", "[ch03]") {
  constexpr int kThreads = 4;
  constexpr int kPerThread = 40;
  vkv::testing::SyncFreeEnv base;
  for (std::uint64_t k = 0; k < 2 * kThreads * kPerThread + 10; k += 7) {
    INFO("failing from op " << k + 1);
    TempDir tmp;
    const std::string dir = tmp.file("data");
    FaultInjectionEnv env(base);
    env.fail_after(k);
    std::vector<int> acked(kThreads, 0);
    {
      auto store = open_store(env, dir, SyncPolicy::kAlways);
      if (store) {
        std::vector<std::thread> threads;
        for (int t = 0; t < kThreads; ++t) {
          threads.emplace_back([&store, &acked, t] {
            for (int i = 0; i < kPerThread; ++i) {
              // Each thread counts up its own key: the value says how far it got.
              if (!store->set("t" + std::to_string(t), std::to_string(i)).is_ok()) return;
              acked[t] = i + 1;
            }
          });
        }
        for (auto& th : threads) th.join();
      }
    }
    REQUIRE(env.crash(0).is_ok());
    DurableStoreOptions options;
    options.dir = dir;
    auto store = DurableStore::open(Env::posix(), options, std::make_unique<MemoryStore>());
    REQUIRE(store.is_ok());
    for (int t = 0; t < kThreads; ++t) {
      std::string value;
      const Status s = (*store)->get("t" + std::to_string(t), &value);
      const int recovered = s.is_ok() ? std::stoi(value) + 1 : 0;
      INFO("thread " << t);
      CHECK(recovered >= acked[t]);
      CHECK(recovered <= acked[t] + 1);  // at most the one write that failed
    }
  }
}
