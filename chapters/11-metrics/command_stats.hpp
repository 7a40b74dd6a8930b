/// \file
/// CommandStats: per command, how often it ran, how long it took, how often it failed:
/// INFO's `commandstats` and `latencystats`, counted without a lock or a shared cache line.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "11-metrics/latency_histogram.hpp"
#include "11-metrics/per_thread.hpp"

namespace vkv::runtime {

/// One command's counts, added up over the threads that ran it.
struct CommandTotals {
  std::string name;             ///< As INFO names it: `set`, `config|get`.
  std::uint64_t calls = 0;      ///< Runs, whatever their reply (rejected ones are not runs).
  std::uint64_t rejected = 0;   ///< Refused before they ran (arity, unknown subcommand).
  std::uint64_t failed = 0;     ///< Ran and answered with an error.
  LatencySnapshot latency;      ///< How long the runs took.
};

//! [command-stats]
/// Counts for a fixed set of command names, given when it is made.
///
/// The hot path, record(), is run by every worker for every command, so it shares nothing:
/// each thread writes counts of its own (PerThread), with plain stores that no other thread
/// writes. snapshot() adds every thread's
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
  CommandStats(const CommandStats&) = delete;
  CommandStats& operator=(const CommandStats&) = delete;

  /// The slot of the command `args` names (`args[0]` in any case; for a command with
  /// subcommands, `name|sub` when that was one of the names), or -1 when it is none of them.
  /// Allocates nothing.
  [[nodiscard]] int slot(std::span<const std::string_view> args) const;

  /// Counts one call of the command in `slot` (from slot()), which took `ns` nanoseconds.
  /// A rejected call is counted only as rejected: as in Redis, it never ran, so it is not
  /// one of the command's calls and its time is not the command's.
  void record(int slot, std::uint64_t ns, Outcome outcome) {
    Counts& c = threads_.mine().commands[static_cast<std::size_t>(slot)];
    if (outcome == Outcome::kRejected) return bump(c.rejected);
    bump(c.calls);
    if (outcome == Outcome::kFailed) bump(c.failed);
    c.latency.record(ns);
  }

  /// Every command called (or refused) at least once, added up over the threads, in name
  /// order.
  [[nodiscard]] std::vector<CommandTotals> snapshot() const;
  /// Calls of every command, added up: cheap enough to sample ten times a second.
  [[nodiscard]] std::uint64_t total_calls() const;
  /// Every call of every command, added up (INFO's latency of all commands together).
  [[nodiscard]] LatencySnapshot all_latency() const;
  /// Sets every count to 0 (CONFIG RESETSTAT). A call being counted meanwhile may undo the
  /// reset of its own command's counts (its thread stores its count plus one).
  void reset();

 private:
  struct alignas(64) Counts {  // from a cache line: no two threads' counts share one
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

  // slot() without the thread's cache of names.
  [[nodiscard]] int find_slot(std::span<const std::string_view> args) const;

  const std::uint64_t id_;  // unique per object, for the threads' caches of names
  std::vector<std::string> names_;
  std::unordered_map<std::string, int, NameHash, std::equal_to<>> slots_;  // fixed once made
  std::vector<bool> has_subcommands_;  // by slot: whether `name|...` slots exist
  PerThread<ThreadCounts> threads_;
};
//! [command-stats]

}  // namespace vkv::runtime
