/// \file
/// CommandStats: per command, how often it ran, how long it took, how often it failed:
/// INFO's `commandstats` and `latencystats`, counted without a lock or a shared cache line.
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <string_view>
#include <thread>
#include <unordered_map>
#include <vector>

#include "11-metrics/latency_histogram.hpp"

namespace vkv::runtime {

/// One command's counts, added up over the threads that ran it.
struct CommandTotals {
  std::string name;             ///< As INFO names it: `set`, `config|get`.
  std::uint64_t calls = 0;      ///< Runs, whatever their reply.
  std::uint64_t rejected = 0;   ///< Refused before they ran (arity, unknown subcommand).
  std::uint64_t failed = 0;     ///< Ran and answered with an error.
  LatencySnapshot latency;      ///< How long the runs took.
};

//! [command-stats]
/// Counts for a fixed set of command names, given when it is made.
///
/// The hot path, record(), is run by every worker for every command, so it shares nothing:
/// each thread writes counts of its own (a ThreadCounts, found through a thread_local
/// pointer), with plain stores that no other thread writes. snapshot() adds every thread's
/// counts up when INFO or a scrape asks, which is rare. Nothing is ever locked by record()
/// after a thread's first call.
///
/// Thread-safe.
class CommandStats {
 public:
  /// How a call ended.
  enum class Outcome { kOk, kRejected, kFailed };

  /// Counts for `names` (lower case; a subcommand as `config|get`).
  explicit CommandStats(std::span<const std::string> names);
  ~CommandStats();
  CommandStats(const CommandStats&) = delete;
  CommandStats& operator=(const CommandStats&) = delete;

  /// The slot of the command `args` names (`args[0]` in any case; for a command with
  /// subcommands, `name|sub` when that was one of the names), or -1 when it is none of them.
  /// Allocates nothing.
  [[nodiscard]] int slot(std::span<const std::string_view> args) const;

  /// Counts one call of the command in `slot` (from slot()), which took `ns` nanoseconds.
  void record(int slot, std::uint64_t ns, Outcome outcome) {
    ThreadCounts& mine = counts_here();
    Counts& c = mine.commands[static_cast<std::size_t>(slot)];
    bump(c.calls);
    if (outcome == Outcome::kRejected) bump(c.rejected);
    if (outcome == Outcome::kFailed) bump(c.failed);
    c.latency.record(ns);
  }

  /// Every command called at least once, added up over the threads, in name order.
  [[nodiscard]] std::vector<CommandTotals> snapshot() const;
  /// Calls of every command, added up: cheap enough to sample ten times a second.
  [[nodiscard]] std::uint64_t total_calls() const;
  /// Every call of every command, added up (INFO's latency of all commands together).
  [[nodiscard]] LatencySnapshot all_latency() const;
  /// Sets every count to 0 (CONFIG RESETSTAT). A call counted meanwhile may be lost.
  void reset();

 private:
  struct Counts {
    std::atomic<std::uint64_t> calls{0};
    std::atomic<std::uint64_t> rejected{0};
    std::atomic<std::uint64_t> failed{0};
    LatencyHistogram latency;
  };
  // One thread's counts, one Counts per name. Written by that thread only.
  struct ThreadCounts {
    explicit ThreadCounts(std::size_t n) : commands(n) {}
    std::vector<Counts> commands;
  };
  struct NameHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };

  static void bump(std::atomic<std::uint64_t>& n) {
    n.store(n.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
  }
  // This thread's counts: cached in a thread_local for the object last used on this thread,
  // else found (or made) under mu_.
  ThreadCounts& counts_here();
  // slot() without the thread's cache of names.
  [[nodiscard]] int find_slot(std::span<const std::string_view> args) const;
  ThreadCounts& register_thread();

  const std::uint64_t id_;  // unique per object, so a thread's cache never mistakes another
  std::vector<std::string> names_;
  std::unordered_map<std::string, int, NameHash, std::equal_to<>> slots_;  // fixed once made
  std::vector<bool> has_subcommands_;  // by slot: whether `name|...` slots exist

  mutable std::mutex mu_;  // guards threads_
  std::map<std::thread::id, std::unique_ptr<ThreadCounts>> threads_;
};
//! [command-stats]

}  // namespace vkv::runtime
