// The LSM store's crash simulation, for every store built on LsmStore: a workload that
// flushes several times, run through a FaultInjectionEnv that fails at every write, sync,
// rename and delete in turn, then "loses power". After recovery start-up succeeds, no
// acknowledged write is missing, no deleted key comes back, and nothing appears that was
// never written. A later chapter runs it with its own options (`Tune`).
#pragma once

#include <catch2/catch.hpp>

#include <chrono>
#include <filesystem>
#include <functional>
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

namespace vkv::testing::lsm_crash {

using storage::kMinMemtableBytes;
using storage::LsmStore;
using storage::LsmStoreOptions;
using storage::SyncPolicy;

/// Changes the store's options (a later chapter's parts); may be empty.
using Tune = std::function<void(LsmStoreOptions&)>;

using Op = vkv::testing::CrashOp;

constexpr int kKeys = 53;
constexpr int kOps = 420;

// Writes over 53 keys with values of about 600 bytes, every sixth a delete: the smallest
// memtable fills every hundred-odd writes, so the workload flushes three or four times, and
// keys written before a flush are overwritten or deleted after it.
inline std::vector<Op> workload() { return vkv::testing::crash_workload(kOps, kKeys, 600); }

using State = std::map<std::string, std::string>;

// The state after the first `n` writes.
inline State model(const std::vector<Op>& ops, std::size_t n) {
  return vkv::testing::state_after(ops, n);
}

inline LsmStoreOptions options_for(const std::string& dir, SyncPolicy sync, const Tune& tune) {
  LsmStoreOptions o;
  o.durable.dir = dir;
  o.durable.sync = sync;
  o.memtable_bytes = kMinMemtableBytes;
  if (tune) tune(o);
  return o;
}

inline State recovered_state(LsmStore& store) {
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
inline std::size_t check_recovered(const std::string& dir, const std::vector<Op>& ops,
                                   std::size_t acked, const Tune& tune) {
  auto store = LsmStore::open(Env::posix(), options_for(dir, SyncPolicy::kAlways, tune));
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
inline CrashDriver lsm_store_driver(const Tune& tune, std::uint64_t* flushes = nullptr,
                                   std::size_t* leftovers_removed = nullptr) {
  const auto ops = workload();
  return CrashDriver({ops,
                      [ops, flushes, tune](Env& env, const std::string& dir, SyncPolicy sync) {
                        auto store = LsmStore::open(env, options_for(dir, sync, tune));
                        if (!store.is_ok()) return CrashRun{};
                        const CrashRun run = vkv::testing::write_workload(**store, ops);
                        if (flushes != nullptr) *flushes = (*store)->stats().flushes;
                        return run;
                      },
                      [ops, leftovers_removed, tune](const std::string& dir, const CrashRun& run) {
                        const std::size_t removed = check_recovered(dir, ops, run.acked, tune);
                        if (leftovers_removed != nullptr) *leftovers_removed += removed;
                      }});
}

}  // namespace vkv::testing::lsm_crash
