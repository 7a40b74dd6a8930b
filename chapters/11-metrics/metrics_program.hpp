/// \file
/// MetricsProgram: chapter 11's server as a ServerProgram: chapter 10's, with its commands
/// metered, INFO in full, SLOWLOG, STATS, a Prometheus endpoint and structured logs.
#pragma once

#include <atomic>
#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "06-server/server_program.hpp"
#include "10-expiry/expiry_program.hpp"
#include "11-metrics/event_log.hpp"
#include "11-metrics/metered_commands.hpp"
#include "11-metrics/metrics_endpoint.hpp"
#include "11-metrics/periodic_task.hpp"
#include "11-metrics/rate_limiter.hpp"
#include "11-metrics/server_report.hpp"
#include "11-metrics/store_watcher.hpp"
#include "11-metrics/traffic.hpp"

namespace vkv::runtime {

/// The events a client or a failing disk can cause (`client_error`, `protocol_error`,
/// `write_failed`, `table_read_failed`, `compaction_error`, `storage_error`), at most this
/// many of a kind per kLogWindow; the rest are counted.
inline constexpr std::size_t kLoggedPerWindow = 10;
/// The window of kLoggedPerWindow.
inline constexpr std::chrono::milliseconds kLogWindow{10'000};

/// The names the server's MeteredCommands counts: chapter 9's table and its transactions',
/// chapter 10's rows and chapter 11's own.
std::vector<std::string> counted_command_names();

/// The flags chapter 11 adds.
struct MetricsFlags {
  /// `--metrics-port`: empty for no endpoint (the default), 0 for any free port (the log's
  /// `ready` event says which), else the port.
  std::string metrics_port;
  std::string log_format = "text";      ///< `--log-format`: text or json.
  std::string log_level = "info";       ///< `--log-level`: debug, info, warn or error.
  /// `--slowlog-log-slower-than`, in microseconds (Redis's default, 10 ms).
  std::size_t slowlog_micros = static_cast<std::size_t>(kDefaultSlowlogMicros);
  std::size_t slowlog_max_len = kDefaultSlowlogMaxLen;  ///< `--slowlog-max-len` (0: off).
};

/// Holds what chapter 11's server needs while it runs and gives the ServerProgram that uses
/// it. Its seams refer to this object: it must outlive run_server_program().
class MetricsProgram {
 public:
  MetricsProgram() = default;
  MetricsProgram(const MetricsProgram&) = delete;
  MetricsProgram& operator=(const MetricsProgram&) = delete;

  /// Chapter 11's server (see the chapter's page for each seam it fills).
  ServerProgram program();

 private:
  // Checks the flags that Flags cannot check alone.
  Status check_flags() const;
  // The log, made once the flags are read (before: standard error, as earlier chapters).
  EventLog& log();
  // What the program says of itself: a `note` event for each recovery note or upgrade, a
  // `failed` error for why it stops.
  void say(const std::string& line, bool failure);
  // The store's counters as StoreWatcher samples them.
  StoreSample sample_store();
  // Starts the endpoint, the watcher and the sampler, and says the server is ready.
  void serving(const net::Server& server, storage::LsmStore& store);
  // Stops them and says what the server did, before chapter 10's stops the expiry cycle.
  void stopping();

  ExpiryProgram expiry_;  // chapter 10's server, which this one extends
  MetricsFlags flags_;
  std::string sync_;      // the sync policy's name, once the flags are read
  const std::chrono::steady_clock::time_point started_ = std::chrono::steady_clock::now();

  std::unique_ptr<EventLog> log_;
  // Client errors and write failures: at most kLoggedPerWindow of a kind per kLogWindow.
  LogRateLimiter limited_{kLoggedPerWindow, kLogWindow};
  Traffic traffic_;
  storage::LsmStore* store_ = nullptr;
  std::unique_ptr<engine::MeteredCommands> metered_;
  std::unique_ptr<engine::RespCommands> transactions_meter_;  // metered_->front(), for MULTI...
  std::unique_ptr<ServerReport> report_;
  std::atomic<ServerReport*> report_ptr_{nullptr};  // report_, for threads that may come early
  std::unique_ptr<StoreWatcher> watcher_;
  std::unique_ptr<PeriodicTask> sampler_;
  std::unique_ptr<net::MetricsEndpoint> endpoint_;
};

}  // namespace vkv::runtime
