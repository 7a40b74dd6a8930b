/// \file
/// CrashDriver: the crash tests' one scaffolding (chapter 3's log, chapter 5's LSM store). It
/// runs a store's workload through a FaultInjectionEnv that fails from a chosen mutating
/// operation on, "crashes" (drops what was not synced), and hands the directory to the
/// store's own check; at every operation in turn, or after a whole run under each policy.
#pragma once

#include <catch2/catch.hpp>

#include <cstdint>
#include <functional>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include "02-parsing/store.hpp"
#include "03-wal/sync_policy.hpp"
#include "03-wal/tests/crash_workload.hpp"
#include "03-wal/tests/sync_free_env.hpp"
#include "common/fault_injection_env.hpp"
#include "common/testing/test_util.hpp"

namespace vkv::testing {

/// What a run of the workload got acknowledged.
struct CrashRun {
  std::size_t acked = 0;      ///< Writes 0..acked-1 returned ok.
  std::size_t attempted = 0;  ///< `acked`, and the write that failed: it may have reached the log.
};

/// Writes `ops` to `store` in order, going on past a failure, and counts what was
/// acknowledged. Checks (Catch REQUIRE) that nothing is acknowledged after a failure.
inline CrashRun write_workload(storage::Store& store, const std::vector<CrashOp>& ops) {
  CrashRun run;
  bool failed = false;
  for (const CrashOp& op : ops) {
    const Status s = op.del ? store.del(op.key) : store.set(op.key, op.value);
    if (s.is_ok()) {
      REQUIRE_FALSE(failed);  // nothing is acknowledged after a failure
      ++run.acked;
      ++run.attempted;
    } else if (!failed) {
      failed = true;
      ++run.attempted;
    }
  }
  return run;
}

/// The store a crash test drives: its workload, how to run it, and what must survive.
struct CrashSubject {
  /// The writes.
  std::vector<CrashOp> ops;
  /// Opens the store in `dir` on `env` under `sync`, writes `ops` (write_workload) and closes
  /// it; an empty CrashRun when it cannot open.
  std::function<CrashRun(Env& env, const std::string& dir, storage::SyncPolicy sync)> run;
  /// Reopens `dir` on the real file system after a crash and checks that what `run`
  /// acknowledged is there, and nothing that was never written.
  std::function<void(const std::string& dir, const CrashRun& run)> check;
};

/// Drives a CrashSubject through crashes. Each crash happens in a fresh temporary directory,
/// through a FaultInjectionEnv over a SyncFreeEnv (the bookkeeping of what a sync made
/// durable is the FaultInjectionEnv's; a real fdatasync below it would add only time).
class CrashDriver {
 public:
  /// Which unsynced bytes a crash keeps, by crash point (the operation failing first).
  using Keeps = std::function<std::vector<std::uint64_t>(std::uint64_t crash_point)>;
  /// Keeps every byte written, synced or not: the OS had them (a process crash).
  static constexpr std::uint64_t kKeepAll = std::numeric_limits<std::uint64_t>::max();

  /// Drives `subject`.
  explicit CrashDriver(CrashSubject subject) : subject_(std::move(subject)) {}

  /// The mutating operations of a run under `always` that nothing fails. Checks that it
  /// acknowledges every write, with an append and a sync per write at least.
  std::uint64_t count_mutating_ops() {
    TempDir tmp;
    FaultInjectionEnv env(base_);
    const CrashRun run = subject_.run(env, tmp.file("data"), storage::SyncPolicy::kAlways);
    REQUIRE(run.acked == subject_.ops.size());
    const std::uint64_t total_ops = env.mutating_ops();
    REQUIRE(total_ops >= 2 * subject_.ops.size());  // an append and a sync per write, at least
    return total_ops;
  }

  /// Crashes at every mutating operation in turn, under `always`: for k from 0 to
  /// `total_ops` (count_mutating_ops()), a run in which the (k+1)-th operation and every later
  /// one fail, then a crash keeping each of `keeps(k)` unsynced bytes, then the check. The
  /// last point fails nothing, so that run must acknowledge every write.
  void crash_at_every_op(std::uint64_t total_ops, const Keeps& keeps) {
    for (std::uint64_t k = 0; k <= total_ops; ++k) {
      for (std::uint64_t keep : keeps(k)) {
        INFO("failing from op " << k + 1 << " of " << total_ops << ", keeping " << keep
                                << " unsynced bytes");
        TempDir tmp;
        const std::string dir = tmp.file("data");
        FaultInjectionEnv env(base_);
        env.fail_after(k);
        const CrashRun run = subject_.run(env, dir, storage::SyncPolicy::kAlways);
        if (k >= total_ops) REQUIRE(run.acked == subject_.ops.size());
        REQUIRE(env.crash(keep).is_ok());
        subject_.check(dir, run);
      }
    }
  }

  /// A process crash under each sync policy: the whole workload acknowledged, then a crash
  /// that keeps whatever was written to the OS, synced or not, then the check.
  void crash_process_under_every_policy() {
    for (storage::SyncPolicy sync : {storage::SyncPolicy::kAlways, storage::SyncPolicy::kEverySec,
                                     storage::SyncPolicy::kNever}) {
      INFO("sync " << to_string(sync));
      TempDir tmp;
      FaultInjectionEnv env(base_);
      const CrashRun run = subject_.run(env, tmp.file("data"), sync);
      REQUIRE(run.acked == subject_.ops.size());
      REQUIRE(env.crash(kKeepAll).is_ok());
      subject_.check(tmp.file("data"), run);
    }
  }

  /// The Env under every FaultInjectionEnv this driver makes, for a test's own scenario.
  Env& base() { return base_; }
  /// The subject driven.
  [[nodiscard]] const CrashSubject& subject() const { return subject_; }

 private:
  CrashSubject subject_;
  SyncFreeEnv base_;
};

}  // namespace vkv::testing
