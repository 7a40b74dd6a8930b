/// \file
/// MeteredCommands: the Redis commands, each timed and counted on its way through;
/// SLOWLOG; INFO's commandstats, errorstats and latencystats.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "09-resp/command_table.hpp"
#include "09-resp/resp_commands.hpp"
#include "11-metrics/command_stats.hpp"
#include "11-metrics/cycle_clock.hpp"
#include "11-metrics/slow_log.hpp"

namespace vkv::engine {

/// What MeteredCommands tells of a command answered with an error, for the log: never the
/// command's arguments (they may hold a client's values), only its name and the error.
struct CommandError {
  std::uint64_t client_id = 0;  ///< CLIENT ID of the connection.
  std::string_view command;     ///< A known command's name, as sent; else `(unknown)`.
  /// The error reply, without its `-`, cut before the first quote (what Redis's errors
  /// quote is a client's words).
  std::string_view error;
};

/// Redis's errors counted by their code, the first word of the reply (`ERR`, `WRONGTYPE`):
/// INFO's `errorstats` and `total_error_replies`. Thread-safe; the lock is taken only on an
/// error.
class ErrorStats {
 public:
  /// The most codes told apart; others are counted under `ERR` (a client cannot grow this
  /// without bound by making up codes: vkv writes every error, but counts stay bounded).
  static constexpr std::size_t kMaxCodes = 128;
  /// Counts the error reply `reply` (`-CODE text...`).
  void count(std::string_view reply);
  /// Replies that were errors.
  [[nodiscard]] std::uint64_t total() const { return total_.load(std::memory_order_relaxed); }
  /// Each code and its count, in code order.
  [[nodiscard]] std::map<std::string, std::uint64_t> by_code() const;
  /// Forgets every count.
  void reset();

 private:
  std::atomic<std::uint64_t> total_{0};
  mutable std::mutex mu_;
  std::map<std::string, std::uint64_t> codes_;  // guarded by mu_
};

/// The settings of MeteredCommands.
struct MeteredOptions {
  /// Commands that ran this long or longer go in the slow log (0: all; negative: none).
  std::int64_t slowlog_threshold_micros = runtime::kDefaultSlowlogMicros;
  std::size_t slowlog_max_len = runtime::kDefaultSlowlogMaxLen;  ///< Entries kept.
  /// Told of each command answered with an error (a client's mistake or a failing store),
  /// on the worker's thread: the caller rate-limits what it logs. May be empty.
  std::function<void(const CommandError&)> on_error;
  /// Counts one command in INFO's `total_commands_processed` (SLOWLOG, which this runs
  /// itself; the others count there as they run). May be empty.
  std::function<void()> count_command;
};

//! [metered-commands]
/// A RespCommands in front of another (`inner`, chapter 10's commands): each request is
/// passed on, timed (CycleClock), and counted for its command (CommandStats); an
/// error reply is counted by its code (ErrorStats); a command slower than the threshold goes
/// in the SlowLog. It runs SLOWLOG itself, and after a successful CONFIG RESETSTAT, resets
/// its own counts too.
///
/// What a command costs here: two reads of the clock, a lookup of its name (most often in a
/// small cache of the names this thread met last), and a few stores to counts no other
/// thread writes.
///
/// Thread-safe.
class MeteredCommands final : public RespCommands {
 public:
  /// In front of `inner`, which must outlive this, counting the commands named `names`
  /// (command_names() gives them for a table).
  MeteredCommands(RespCommands& inner, std::span<const std::string> names,
                  MeteredOptions options = {});

  void run(std::span<const std::string_view> args, ClientState& client,
           protocol::RespWriter& out) override;
  /// SLOWLOG's missing subcommand; `inner`'s refusal of the others.
  [[nodiscard]] std::optional<std::string> refusal(
      std::span<const std::string_view> args) const override;
  /// `inner`'s (what WATCH compares).
  Result<std::optional<std::string>> watch_state(std::string_view key) override {
    return inner_.watch_state(key);
  }

  /// Counts `reply`, which `args` got in `ns` nanoseconds, as run() counts what it passes
  /// on: its command's calls (or rejected or failed calls) and latency, the error's code,
  /// the error hook, and the slow log when `slow_logged`. For front() and run().
  void count(std::span<const std::string_view> args, const ClientState& client,
             std::string_view reply, std::uint64_t ns, bool slow_logged);

  /// A meter for what chapter 9's transactions answer themselves, to run in front of the
  /// TransactionCommands that stands in front of this (RedisProgram's
  /// `in_front_of_transactions`): MULTI, EXEC, DISCARD, WATCH and UNWATCH, and a command
  /// refused as it is queued, counted as Redis counts them. What it passes on is counted here
  /// by run(); a command queued (`+QUEUED`), when EXEC runs it. Must not outlive this.
  std::unique_ptr<RespCommands> front(RespCommands& transactions);

  /// The rows of the commands this runs itself (SLOWLOG and its subcommands), for COMMAND
  /// and COMMAND DOCS (RedisServerInfo::more_commands).
  static std::vector<const CommandSpec*> specs();

  /// INFO's lines of `section` that this knows: `commandstats`, `errorstats`,
  /// `latencystats`, and `stats`'s `total_error_replies`; "" for the others.
  [[nodiscard]] std::string info(std::string_view section) const;

  /// The counts per command.
  [[nodiscard]] const runtime::CommandStats& stats() const { return stats_; }
  /// The counts per error code.
  [[nodiscard]] const ErrorStats& errors() const { return errors_; }
  /// The slow log.
  [[nodiscard]] const runtime::SlowLog& slow_log() const { return slow_log_; }

 private:
  // Runs `args` here (SLOWLOG) or in `inner`.
  void dispatch(std::span<const std::string_view> args, ClientState& client,
                protocol::RespWriter& out);
  void slowlog(std::span<const std::string_view> args, protocol::RespWriter& out);

  RespCommands& inner_;
  const runtime::CycleClock& clock_;
  MeteredOptions options_;
  runtime::CommandStats stats_;
  ErrorStats errors_;
  runtime::SlowLog slow_log_;
};
//! [metered-commands]

/// The names CommandStats counts for a table of commands: each row's and each of its
/// subcommands' (`config|get`), once each, in lower case.
std::vector<std::string> command_names(std::span<const CommandSpec* const> specs);

}  // namespace vkv::engine
