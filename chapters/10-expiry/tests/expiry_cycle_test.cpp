// ExpiryCycle under a manual clock, over chapter 8's store in a temporary directory: due keys
// deleted and the rest kept (the stored deadline decides, not the index); the budget bounds a
// run, so a backlog takes several; the reclaim hook after a wave, and during a long backlog;
// the thread rebuilds the index after a restart, runs under SCHED_IDLE with its writes made
// by an ordinary thread, and stops at once; storage failures (a delete, a check's read of a
// table, the start-up walk, the reclaim) reported once, the keys kept due.
#include <catch2/catch.hpp>

#include <sched.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "09-resp/key_locks.hpp"
#include "10-expiry/expiry_cycle.hpp"
#include "10-expiry/tests/expiring_fixture.hpp"
#include "common/fault_injection_env.hpp"
#include "common/testing/test_util.hpp"

using vkv::Status;
using vkv::engine::ExpiryCycle;
using vkv::engine::ExpiryCycleHooks;
using vkv::engine::ExpiryCycleOptions;
using vkv::engine::ExpiryRun;
using vkv::engine::KeyLocks;
using vkv::storage::UnixMillis;
using vkv::testing::ExpiringFixture;
using vkv::testing::wait_for;

namespace {

std::string key(int i) { return "key" + std::to_string(i); }

bool present(ExpiringFixture& f, std::string_view k) {
  std::string v;
  return f.x().get(k, &v).is_ok();
}

// Whether the store below holds an entry for `k`, expired or not.
bool stored(ExpiringFixture& f, std::string_view k) {
  std::string v;
  return f.lsm().get(k, &v).is_ok();
}

// Options for runs driven by hand: no run is cut short by the budget.
ExpiryCycleOptions unhurried() {
  ExpiryCycleOptions o;
  o.budget = std::chrono::minutes(1);
  return o;
}

// A cycle (batches of 2) over a store on a FaultInjectionEnv, which keeps the failures it
// reports, and five keys due 10 ms from now.
struct FailingDisk {
  vkv::FaultInjectionEnv env;
  ExpiringFixture f{env};
  KeyLocks locks;
  std::vector<std::string> failures;
  ExpiryCycle cycle{f.x(), locks, batches_of_two(), keeping_failures()};

  FailingDisk() {
    const UnixMillis now = f.clock.now();
    for (int i = 0; i < 5; ++i) REQUIRE(f.x().put(key(i), "v", now + 10).is_ok());
  }
  ExpiryCycleHooks keeping_failures() {
    ExpiryCycleHooks hooks;
    hooks.failed = [this](const Status& s) { failures.push_back(s.to_string()); };
    return hooks;
  }
  static ExpiryCycleOptions batches_of_two() {
    ExpiryCycleOptions o = unhurried();
    o.batch = 2;
    return o;
  }
};

}  // namespace

TEST_CASE("a run deletes the due keys and keeps the others", "[ch10]") {
  ExpiringFixture f;
  KeyLocks locks;
  ExpiryCycle cycle(f.x(), locks, unhurried());
  const UnixMillis now = f.clock.now();
  REQUIRE(f.x().put("due", "v", now + 10).is_ok());
  REQUIRE(f.x().put("later", "v", now + 5000).is_ok());
  REQUIRE(f.x().put("extended", "v", now + 10'000).is_ok());
  REQUIRE(f.x().set("never", "v").is_ok());
  // An index behind the store (a write racing the start-up walk): it says "extended" is due.
  f.x().index().note("extended", now + 10);

  CHECK(cycle.run_once(now + 9).taken == 0);  // nothing due yet
  f.clock.advance(10);
  const ExpiryRun run = cycle.run_once(f.clock.now());
  CHECK(run.status.is_ok());
  CHECK(run.taken == 2);
  CHECK(run.expired == 1);
  CHECK_FALSE(run.out_of_time);
  CHECK(cycle.expired_keys() == 1);
  CHECK_FALSE(stored(f, "due"));  // deleted from the store, not only hidden
  CHECK(present(f, "extended"));  // its stored deadline decided
  CHECK(present(f, "later"));
  CHECK(present(f, "never"));
  CHECK(f.x().index().size() == 2);  // later, and extended again, at its real deadline

  f.clock.advance(5000);
  CHECK(cycle.run_once(f.clock.now()).expired == 1);
  CHECK_FALSE(stored(f, "later"));
  CHECK(present(f, "extended"));
  f.clock.advance(5000);
  CHECK(cycle.run_once(f.clock.now()).expired == 1);
  CHECK_FALSE(stored(f, "extended"));
  CHECK(present(f, "never"));
  CHECK(f.x().index().size() == 0);
  CHECK(cycle.expired_keys() == 3);
}

TEST_CASE("a key rewritten without a deadline is not deleted", "[ch10]") {
  ExpiringFixture f;
  KeyLocks locks;
  ExpiryCycle cycle(f.x(), locks, unhurried());
  const UnixMillis now = f.clock.now();
  REQUIRE(f.x().put("k", "old", now + 10).is_ok());
  REQUIRE(f.x().set("k", "new").is_ok());  // a plain SET clears the deadline
  f.x().index().note("k", now + 10);       // a stale hint
  const ExpiryRun run = cycle.run_once(now + 10);
  CHECK(run.taken == 1);
  CHECK(run.expired == 0);
  std::string v;
  REQUIRE(f.x().get("k", &v).is_ok());
  CHECK(v == "new");
  CHECK(f.x().index().size() == 0);
}

TEST_CASE("the budget bounds a run: a backlog is taken over several runs", "[ch10]") {
  ExpiringFixture f;
  KeyLocks locks;
  ExpiryCycleOptions o;
  o.batch = 20;
  o.budget = std::chrono::microseconds(0);  // out of time after every batch: one batch a run
  ExpiryCycle cycle(f.x(), locks, o);
  const UnixMillis now = f.clock.now();
  for (int i = 0; i < 110; ++i) REQUIRE(f.x().put(key(i), "v", now + i).is_ok());
  f.clock.advance(1000);
  for (int r = 0; r < 5; ++r) {
    const ExpiryRun run = cycle.run_once(f.clock.now());
    CHECK(run.taken == 20);
    CHECK(run.expired == 20);
    CHECK(run.out_of_time);
  }
  CHECK(f.x().index().size() == 10);
  const ExpiryRun last = cycle.run_once(f.clock.now());
  CHECK(last.expired == 10);
  CHECK_FALSE(last.out_of_time);  // a batch that is not full ends the run first
  CHECK(cycle.expired_keys() == 110);
  CHECK(cycle.out_of_time_runs() == 5);
  CHECK(cycle.runs() == 6);
}

TEST_CASE("a run goes on while its batches come back full", "[ch10]") {
  ExpiringFixture f;
  KeyLocks locks;
  ExpiryCycleOptions o = unhurried();
  o.batch = 20;
  ExpiryCycle cycle(f.x(), locks, o);
  const UnixMillis now = f.clock.now();
  for (int i = 0; i < 1000; ++i) REQUIRE(f.x().put(key(i), "v", now + i % 7).is_ok());
  const ExpiryRun run = cycle.run_once(now + 10);
  CHECK(run.expired == 1000);
  CHECK(f.x().index().size() == 0);
  for (int i = 0; i < 1000; i += 97) CHECK_FALSE(stored(f, key(i)));
}

TEST_CASE("the reclaim hook is called once, after a wave is over", "[ch10]") {
  ExpiringFixture f;
  KeyLocks locks;
  ExpiryCycleOptions o = unhurried();
  o.batch = 20;
  o.reclaim_after = 50;
  int reclaims = 0;
  ExpiryCycleHooks hooks;
  hooks.reclaim = [&] {
    ++reclaims;
    return f.lsm().flush();  // what the server's does first
  };
  ExpiryCycle cycle(f.x(), locks, o, hooks);
  const UnixMillis now = f.clock.now();
  for (int i = 0; i < 100; ++i) REQUIRE(f.x().put(key(i), "v", now + 1 + i).is_ok());

  // The first half of the wave: enough keys, but the wave goes on while runs find keys due.
  f.clock.advance(25);
  CHECK_FALSE(cycle.run_once(f.clock.now()).reclaimed);
  f.clock.advance(25);
  CHECK_FALSE(cycle.run_once(f.clock.now()).reclaimed);
  CHECK(cycle.expired_keys() == 50);
  CHECK(reclaims == 0);
  // A quiet run: the wave is over.
  CHECK(cycle.run_once(f.clock.now()).reclaimed);
  CHECK(reclaims == 1);
  CHECK_FALSE(cycle.run_once(f.clock.now()).reclaimed);  // once, not every quiet run
  CHECK(reclaims == 1);

  // 40 more: below reclaim_after, so no reclaim yet.
  f.clock.advance(40);
  cycle.run_once(f.clock.now());
  CHECK_FALSE(cycle.run_once(f.clock.now()).reclaimed);
  // 10 more make 50 since the last: the next quiet run reclaims.
  f.clock.advance(10);
  cycle.run_once(f.clock.now());
  CHECK(cycle.run_once(f.clock.now()).reclaimed);
  CHECK(reclaims == 2);
  CHECK(cycle.reclaims() == 2);
  CHECK(cycle.expired_keys() == 100);
}

TEST_CASE("a backlog is reclaimed while it lasts: the rest of its keys are found gone, and "
          "its wave's end reclaims again",
          "[ch10]") {
  ExpiringFixture f(vkv::Env::posix(), vkv::testing::DropExpired::kYes);
  KeyLocks locks;
  ExpiryCycleOptions o;
  o.batch = 20;
  o.budget = std::chrono::microseconds(0);  // one batch a run: a backlog of many runs
  o.reclaim_after = 40;  // the first two runs' deletes
  o.backlog_reclaim_every = std::chrono::milliseconds(1);
  int reclaims = 0;
  ExpiryCycleHooks hooks;
  hooks.reclaim = [&] {  // what the server wires in, less malloc_trim
    ++reclaims;
    VKV_RETURN_IF_ERROR(f.lsm().flush());
    return f.levels().compact_all();
  };
  ExpiryCycle cycle(f.x(), locks, o, hooks);
  const UnixMillis now = f.clock.now();
  for (int i = 0; i < 200; ++i) {
    REQUIRE(f.x().put(key(i), std::string(100, 'v'), now + 1 + i).is_ok());
  }
  REQUIRE(f.x().put("live", "v", std::nullopt).is_ok());
  f.flush();
  REQUIRE(f.levels().wait_until_compacted().is_ok());
  f.clock.advance(1000);  // all 200 are due

  const ExpiryRun first = cycle.run_once(f.clock.now());
  CHECK(first.out_of_time);
  CHECK(first.expired == 20);
  CHECK_FALSE(first.reclaimed);  // a backlog starts
  std::this_thread::sleep_for(std::chrono::milliseconds(2));
  const ExpiryRun second = cycle.run_once(f.clock.now());
  CHECK(second.out_of_time);
  CHECK(second.reclaimed);  // it has lasted backlog_reclaim_every
  CHECK(reclaims == 1);
  // The compaction dropped every value whose deadline had passed, and the tombstones of the
  // keys deleted so far: only the live key is left.
  CHECK(f.lsm().stats().entries() == 1);
  // The rest of the backlog: each key is taken from the index and found gone, with no
  // tombstone; found gone, they count for no further reclaim, however long the backlog.
  ExpiryRun run;
  int draining = 0;
  do {
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
    run = cycle.run_once(f.clock.now());
    if (run.taken > 0) {
      ++draining;
      CHECK(run.expired == 0);
      CHECK(run.found_gone == run.taken);
      CHECK_FALSE(run.reclaimed);
    }
  } while (run.taken > 0 && draining < 100);
  CHECK(draining == 8);  // 160 keys, 20 a run
  CHECK(f.lsm().stats().entries() == 1);
  CHECK(f.x().index().size() == 0);
  CHECK(cycle.expired_keys() == 200);  // 40 deleted, 160 found gone
  // The first quiet run ends the wave, and reclaims what the backlog's reclaim left owed,
  // once.
  REQUIRE(run.taken == 0);
  CHECK(run.reclaimed);
  CHECK(reclaims == 2);
  CHECK_FALSE(cycle.run_once(f.clock.now()).reclaimed);
  CHECK(reclaims == 2);
  CHECK(present(f, "live"));
  CHECK_FALSE(stored(f, key(199)));
}

TEST_CASE("with backlog_reclaim_every 0, a backlog waits for its wave's end", "[ch10]") {
  ExpiringFixture f;
  KeyLocks locks;
  ExpiryCycleOptions o;
  o.batch = 20;
  o.budget = std::chrono::microseconds(0);
  o.reclaim_after = 1;
  o.backlog_reclaim_every = std::chrono::milliseconds(0);
  int reclaims = 0;
  ExpiryCycleHooks hooks;
  hooks.reclaim = [&] {
    ++reclaims;
    return Status::ok();
  };
  ExpiryCycle cycle(f.x(), locks, o, hooks);
  const UnixMillis now = f.clock.now();
  for (int i = 0; i < 100; ++i) REQUIRE(f.x().put(key(i), "v", now + 1).is_ok());
  f.clock.advance(10);
  ExpiryRun run;
  do {
    run = cycle.run_once(f.clock.now());
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
    if (run.out_of_time) CHECK(reclaims == 0);
  } while (run.taken > 0);
  CHECK(cycle.expired_keys() == 100);
  CHECK(reclaims == 1);  // the quiet run that ended the loop
}

TEST_CASE("after a wave and the server's reclaim, the tables hold only the live keys",
          "[ch10]") {
  ExpiringFixture f;
  KeyLocks locks;
  ExpiryCycleOptions o = unhurried();
  o.reclaim_after = 1000;
  ExpiryCycleHooks hooks;
  hooks.reclaim = [&] {  // what the server wires in, less malloc_trim
    VKV_RETURN_IF_ERROR(f.lsm().flush());
    return f.levels().compact_all();
  };
  ExpiryCycle cycle(f.x(), locks, o, hooks);
  const UnixMillis now = f.clock.now();
  for (int i = 0; i < 3000; ++i) {
    const auto deadline = i % 10 == 0 ? std::nullopt : std::optional<UnixMillis>(now + 1 + i);
    REQUIRE(f.x().put(key(i), std::string(100, 'v'), deadline).is_ok());
  }
  f.flush();
  REQUIRE(f.levels().wait_until_compacted().is_ok());
  CHECK(f.lsm().stats().table_entries >= 3000);

  f.clock.advance(3000);
  CHECK(cycle.run_once(f.clock.now()).expired == 2700);
  const ExpiryRun quiet = cycle.run_once(f.clock.now());
  REQUIRE(quiet.reclaimed);
  CHECK(quiet.status.is_ok());
  // The expired values and the tombstones that deleted them are gone from the tables.
  CHECK(f.lsm().stats().entries() == 300);
  CHECK(present(f, key(10)));
  CHECK_FALSE(stored(f, key(11)));
}

TEST_CASE("the thread rebuilds the index after a restart, then deletes what comes due",
          "[ch10]") {
  ExpiringFixture f;
  const UnixMillis now = f.clock.now();
  for (int i = 0; i < 1500; ++i) {
    const auto deadline = i % 3 == 0 ? std::nullopt : std::optional<UnixMillis>(now + 1000);
    REQUIRE(f.x().put(key(i), std::string(50, 'v'), deadline).is_ok());
  }
  f.flush();
  f.open();  // a restart: the deadlines are on disk, the index is empty
  REQUIRE(f.x().index().size() == 0);

  KeyLocks locks;
  ExpiryCycleOptions o;
  o.period = std::chrono::milliseconds(5);
  std::atomic<long> noted{-1};
  ExpiryCycleHooks hooks;
  hooks.rebuilt = [&](std::size_t n) { noted = static_cast<long>(n); };
  ExpiryCycle cycle(f.x(), locks, o, hooks);
  cycle.start();
  REQUIRE(wait_for([&] { return noted >= 0; }));
  CHECK(noted == 1000);
  CHECK(f.x().index().size() == 1000);
  CHECK(cycle.expired_keys() == 0);  // none is due yet

  f.clock.advance(1000);
  REQUIRE(wait_for([&] { return cycle.expired_keys() == 1000; }));
  cycle.stop();
  CHECK(f.x().index().size() == 0);
  CHECK_FALSE(stored(f, key(1)));
  CHECK(present(f, key(3)));
}

TEST_CASE("stop is prompt: it wakes the thread instead of waiting out the period", "[ch10]") {
  ExpiringFixture f;
  KeyLocks locks;
  ExpiryCycleOptions o;
  o.period = std::chrono::hours(1);  // a sleeping stop() would hang the test for an hour
  std::atomic<bool> rebuilt{false};
  ExpiryCycleHooks hooks;
  hooks.rebuilt = [&](std::size_t) { rebuilt = true; };
  {
    ExpiryCycle cycle(f.x(), locks, o, hooks);
    cycle.start();
    REQUIRE(wait_for([&] { return rebuilt.load(); }));
    cycle.stop();
    CHECK(cycle.runs() == 0);
    cycle.stop();  // idempotent
    rebuilt = false;
    cycle.start();  // and it starts again
    REQUIRE(wait_for([&] { return rebuilt.load(); }));
  }  // the destructor stops it too
  SUCCEED("stopped without waiting out the period");
}

TEST_CASE("the thread runs under SCHED_IDLE unless told not to, and what it writes is "
          "written by an ordinary thread", "[ch10]") {
  ExpiringFixture f;
  KeyLocks locks;
  const bool idle = GENERATE(true, false);
  const int caller = sched_getscheduler(0);  // what a thread started from here inherits
  ExpiryCycleOptions o;
  o.idle_priority = idle;
  o.period = std::chrono::milliseconds(5);
  o.reclaim_after = 1;
  std::atomic<int> cycle_policy{-1};
  std::atomic<int> reclaim_policy{-1};
  std::atomic<int> started_policy{-1};
  ExpiryCycleHooks hooks;
  // The hook runs on the cycle's thread, after the walk: its policy is the thread's own.
  hooks.rebuilt = [&](std::size_t) { cycle_policy = sched_getscheduler(0); };
  // The reclaim writes (a flush opens a log), and a thread it starts keeps its policy.
  hooks.reclaim = [&] {
    std::thread([&] { started_policy = sched_getscheduler(0); }).join();
    reclaim_policy = sched_getscheduler(0);  // last: the test waits for this one
    return Status::ok();
  };
  ExpiryCycle cycle(f.x(), locks, o, hooks);
  CHECK_FALSE(cycle.at_idle_priority());  // not started
  cycle.start();
  REQUIRE(wait_for([&] { return cycle_policy >= 0; }));
  if (idle && !cycle.at_idle_priority()) WARN("this system refused SCHED_IDLE");
  CHECK(cycle_policy == (cycle.at_idle_priority() ? SCHED_IDLE : caller));
  CHECK(cycle.at_idle_priority() == (idle && cycle_policy == SCHED_IDLE));
  CHECK(sched_getscheduler(0) == caller);  // the caller's thread is left as it was

  // At that priority it still does its work, and its writes and reclaim run at the caller's.
  REQUIRE(f.x().put("soon", "v", f.clock.now() + 10).is_ok());
  f.clock.advance(10);
  REQUIRE(wait_for([&] { return cycle.expired_keys() == 1 && reclaim_policy >= 0; }));
  CHECK_FALSE(stored(f, "soon"));
  CHECK(reclaim_policy == caller);
  CHECK(started_policy == caller);
}

TEST_CASE("a failed delete is reported once, and its keys stay due", "[ch10]") {
  FailingDisk d;
  auto& [env, f, locks, failures, cycle] = d;

  env.fail_after(0);  // every write from now on fails
  f.clock.advance(10);
  const ExpiryRun run = cycle.run_once(f.clock.now());
  CHECK_FALSE(run.status.is_ok());
  CHECK(run.expired == 0);
  CHECK(f.x().index().size() == 5);  // the failed key and the rest of its batch went back
  for (int r = 0; r < 3; ++r) CHECK_FALSE(cycle.run_once(f.clock.now()).status.is_ok());
  REQUIRE(failures.size() == 1);  // the same failure, once
  CHECK(failures[0].find("injected fault") != std::string::npos);
  CHECK(f.x().index().size() == 5);
  CHECK(cycle.expired_keys() == 0);
  env.clear_faults();
}

TEST_CASE("a check that cannot read a table is reported once, the keys stay due, and the next "
          "run after the disk recovers deletes them",
          "[ch10]") {
  FailingDisk d;
  auto& [env, f, locks, failures, cycle] = d;
  REQUIRE(f.lsm().flush().is_ok());  // the keys now live in a table only

  env.fail_reads_of(".sst");  // the first check of a run fails
  f.clock.advance(10);
  for (int r = 0; r < 3; ++r) {
    const ExpiryRun run = cycle.run_once(f.clock.now());
    CHECK_FALSE(run.status.is_ok());
    CHECK(run.expired == 0);
  }
  REQUIRE(failures.size() == 1);  // the same failure, once
  CHECK(failures[0].find("injected fault: read ") != std::string::npos);
  CHECK(f.x().index().size() == 5);  // every key taken went back, still due
  CHECK(cycle.expired_keys() == 0);

  env.clear_faults();
  const ExpiryRun run = cycle.run_once(f.clock.now());
  CHECK(run.status.is_ok());
  CHECK(run.expired == 5);
  CHECK(f.x().index().size() == 0);
  for (int i = 0; i < 5; ++i) CHECK_FALSE(stored(f, key(i)));
}

TEST_CASE("a failed reclaim is reported, and waits for the next wave", "[ch10]") {
  ExpiringFixture f;
  KeyLocks locks;
  ExpiryCycleOptions o = unhurried();
  o.reclaim_after = 1;
  std::vector<std::string> failures;
  ExpiryCycleHooks hooks;
  hooks.reclaim = [] { return Status::io_error("compaction: disk full"); };
  hooks.failed = [&](const Status& s) { failures.push_back(s.to_string()); };
  ExpiryCycle cycle(f.x(), locks, o, hooks);
  const UnixMillis now = f.clock.now();
  REQUIRE(f.x().put("a", "v", now + 10).is_ok());
  CHECK(cycle.run_once(now + 10).expired == 1);
  const ExpiryRun quiet = cycle.run_once(now + 10);
  CHECK(quiet.reclaimed);
  CHECK(quiet.status.is_ok());  // the run itself went well
  REQUIRE(failures.size() == 1);
  CHECK(failures[0] == "IO error: compaction: disk full");
  CHECK_FALSE(cycle.run_once(now + 10).reclaimed);  // not again until another wave
  CHECK(failures.size() == 1);
}

TEST_CASE("a failed start-up walk is reported, and the cycle goes on", "[ch10]") {
  ExpiringFixture f;
  const UnixMillis now = f.clock.now();
  REQUIRE(f.lsm().set("raw", "written by chapter 9").is_ok());  // no chapter 10 store wrote it
  KeyLocks locks;
  std::mutex mu;
  std::vector<std::string> failures;
  std::atomic<bool> rebuilt{false};
  ExpiryCycleHooks hooks;
  hooks.failed = [&](const Status& s) {
    std::lock_guard lock(mu);
    failures.push_back(s.to_string());
  };
  hooks.rebuilt = [&](std::size_t) { rebuilt = true; };
  ExpiryCycleOptions o;
  o.period = std::chrono::milliseconds(5);
  ExpiryCycle cycle(f.x(), locks, o, hooks);
  cycle.start();
  REQUIRE(wait_for([&] {
    std::lock_guard lock(mu);
    return !failures.empty();
  }));
  {
    std::lock_guard lock(mu);
    CHECK(failures.size() == 1);
    CHECK(failures[0].find("corruption") != std::string::npos);
  }
  CHECK_FALSE(rebuilt);
  // Keys written since are in the index: the cycle still deletes them.
  REQUIRE(f.x().put("new", "v", now + 10).is_ok());
  f.clock.advance(10);
  REQUIRE(wait_for([&] { return cycle.expired_keys() == 1; }));
  cycle.stop();
}
