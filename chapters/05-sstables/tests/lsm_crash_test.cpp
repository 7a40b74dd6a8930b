// Crash simulation of chapter 5's store (the workload and the checks: lsm_crash.hpp).
#include <catch2/catch.hpp>

#include "05-sstables/tests/lsm_crash.hpp"

using vkv::Env;
using vkv::FaultInjectionEnv;
using vkv::Status;
using vkv::storage::SyncPolicy;
using vkv::testing::CrashDriver;
using vkv::testing::SyncFreeEnv;
using vkv::testing::TempDir;
using vkv::testing::lsm_crash::check_recovered;
using vkv::testing::lsm_crash::lsm_store_driver;
using vkv::testing::lsm_crash::Op;
using vkv::testing::lsm_crash::options_for;
using vkv::testing::lsm_crash::workload;
using vkv::storage::LsmStore;

TEST_CASE("lsm crash: at every mutating operation of a flushing workload, nothing "
          "acknowledged is lost and nothing deleted comes back",
          "[ch05][crash]") {
  std::uint64_t flushes = 0;
  std::size_t leftovers_removed = 0;
  CrashDriver driver = lsm_store_driver({}, &flushes, &leftovers_removed);
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
      auto store = LsmStore::open(env, options_for(dir, SyncPolicy::kAlways, {}));
      if (store.is_ok()) {
        for (const Op& op : ops) {
          const Status s = op.del ? (*store)->del(op.key) : (*store)->set(op.key, op.value);
          if (!s.is_ok()) break;  // the failed write is in doubt; stop there
          ++acked;
        }
      }
      REQUIRE(env.crash(0).is_ok());
    }
    check_recovered(dir, ops, acked, {});
  }
}

TEST_CASE("lsm crash: a process crash loses nothing acknowledged, under every policy",
          "[ch05][crash]") {
  lsm_store_driver({}).crash_process_under_every_policy();
}
