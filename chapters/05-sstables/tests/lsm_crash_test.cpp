// Crash simulation: a workload that flushes several times, run through a FaultInjectionEnv
// that fails at every write, sync, rename and delete in turn, then "loses power". After
// recovery start-up succeeds, no acknowledged write is missing, no deleted key comes back,
// and nothing appears that was never written.
#include <catch2/catch.hpp>

#include <chrono>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "03-wal/tests/crash_driver.hpp"
#include "03-wal/tests/crash_workload.hpp"
#include "03-wal/tests/sync_free_env.hpp"
#include "05-sstables/lsm_store.hpp"
#include "common/fault_injection_env.hpp"
#include "common/testing/test_util.hpp"

using vkv::Env;
using vkv::FaultInjectionEnv;
using vkv::Status;
using vkv::storage::kMinMemtableBytes;
using vkv::storage::LsmStore;
using vkv::storage::LsmStoreOptions;
using vkv::storage::SyncPolicy;
using vkv::testing::CrashDriver;
using vkv::testing::CrashRun;
using vkv::testing::SyncFreeEnv;
using vkv::testing::TempDir;

namespace {

using Op = vkv::testing::CrashOp;

constexpr int kKeys = 53;
constexpr int kOps = 420;

// Writes over 53 keys with values of about 600 bytes, every sixth a delete: the smallest
// memtable fills every hundred-odd writes, so the workload flushes three or four times, and
// keys written before a flush are overwritten or deleted after it.
std::vector<Op> workload() { return vkv::testing::crash_workload(kOps, kKeys, 600); }

using State = std::map<std::string, std::string>;

// The state after the first `n` writes.
State model(const std::vector<Op>& ops, std::size_t n) { return vkv::testing::state_after(ops, n); }

LsmStoreOptions options_for(const std::string& dir, SyncPolicy sync) {
  LsmStoreOptions o;
  o.durable.dir = dir;
  o.durable.sync = sync;
  o.memtable_bytes = kMinMemtableBytes;
  return o;
}

State recovered_state(LsmStore& store) {
  State state;
  for (int k = 0; k < kKeys; ++k) {
    const std::string key = "k" + std::to_string(k);
    std::string value;
    const Status s = store.get(key, &value);
    INFO(key << ": " << s.to_string());
    REQUIRE((s.is_ok() || s.is_not_found()));
    if (s.is_ok()) state[key] = value;
  }
  return state;
}

// Reopens with the real file system: start-up must succeed, and the store must hold the
// acknowledged writes exactly, or those and the one write that failed (it may have reached
// the log before its failure: a write that is not acknowledged is in doubt, not undone).
// Returns how many leftovers of a crashed flush start-up removed.
std::size_t check_recovered(const std::string& dir, const std::vector<Op>& ops,
                            std::size_t acked) {
  auto store = LsmStore::open(Env::posix(), options_for(dir, SyncPolicy::kAlways));
  INFO(store.status().to_string());
  REQUIRE(store.is_ok());
  const State state = recovered_state(**store);
  const bool as_acked = state == model(ops, acked);
  const bool with_failed = acked < ops.size() && state == model(ops, acked + 1);
  INFO("acked " << acked);
  REQUIRE((as_acked || with_failed));
  for (const auto& name : std::filesystem::directory_iterator(dir)) {
    CHECK_FALSE(name.path().string().ends_with(".tmp"));  // start-up removed them
  }
  std::size_t removed = 0;
  for (const auto& note : (*store)->recovery_notes()) removed += note.rfind("removed ", 0) == 0;
  return removed;
}

// The LSM store with the smallest memtable, as the crash driver runs and checks it. When
// given, `*flushes` gets the store's flush count after each run, and `*leftovers_removed`
// adds up the leftovers of crashed flushes that each check saw start-up remove.
CrashDriver lsm_store_driver(std::uint64_t* flushes = nullptr,
                             std::size_t* leftovers_removed = nullptr) {
  const auto ops = workload();
  return CrashDriver({ops,
                      [ops, flushes](Env& env, const std::string& dir, SyncPolicy sync) {
                        auto store = LsmStore::open(env, options_for(dir, sync));
                        if (!store.is_ok()) return CrashRun{};
                        const CrashRun run = vkv::testing::write_workload(**store, ops);
                        if (flushes != nullptr) *flushes = (*store)->stats().flushes;
                        return run;
                      },
                      [ops, leftovers_removed](const std::string& dir, const CrashRun& run) {
                        const std::size_t removed = check_recovered(dir, ops, run.acked);
                        if (leftovers_removed != nullptr) *leftovers_removed += removed;
                      }});
}

}  // namespace

TEST_CASE("lsm crash: at every mutating operation of a flushing workload, nothing "
          "acknowledged is lost and nothing deleted comes back",
          "[ch05][crash]") {
  std::uint64_t flushes = 0;
  std::size_t leftovers_removed = 0;
  CrashDriver driver = lsm_store_driver(&flushes, &leftovers_removed);
  const std::uint64_t total_ops = driver.count_mutating_ops();
  REQUIRE(flushes >= 3);
  const std::uint64_t clean_run_flushes = flushes;
  const auto start = std::chrono::steady_clock::now();
  // Keep none of the unsynced bytes (a power loss), or all of them (the OS had them: a
  // process crash) every few operations.
  driver.crash_at_every_op(total_ops, [](std::uint64_t k) {
    std::vector<std::uint64_t> keeps{0};
    if (k % 4 == 0) keeps.push_back(CrashDriver::kKeepAll);
    return keeps;
  });
  CHECK(leftovers_removed > 0);  // the crash points reached the middle of flushes
  WARN("crash points: " << total_ops + 1 << " over " << clean_run_flushes << " flushes, in "
                        << std::chrono::duration_cast<std::chrono::milliseconds>(
                               std::chrono::steady_clock::now() - start)
                               .count()
                        << " ms, " << leftovers_removed << " leftovers removed");
}

TEST_CASE("lsm crash: a failure at one operation only, then the store is used on and "
          "restarted, keeps everything acknowledged",
          "[ch05][crash]") {
  const auto ops = workload();
  SyncFreeEnv base;
  for (std::uint64_t k = 0; k < 1200; k += 37) {
    INFO("failing op " << k + 1 << " only");
    TempDir tmp;
    const std::string dir = tmp.file("data");
    std::size_t acked = 0;
    {
      FaultInjectionEnv env(base);
      env.fail_once_after(k);
      auto store = LsmStore::open(env, options_for(dir, SyncPolicy::kAlways));
      if (store.is_ok()) {
        for (const Op& op : ops) {
          const Status s = op.del ? (*store)->del(op.key) : (*store)->set(op.key, op.value);
          if (!s.is_ok()) break;  // the failed write is in doubt; stop there
          ++acked;
        }
      }
      REQUIRE(env.crash(0).is_ok());
    }
    check_recovered(dir, ops, acked);
  }
}

TEST_CASE("lsm crash: a process crash loses nothing acknowledged, under every policy",
          "[ch05][crash]") {
  lsm_store_driver().crash_process_under_every_policy();
}
