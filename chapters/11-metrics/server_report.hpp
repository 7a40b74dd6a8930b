/// \file
/// ServerReport: what chapter 11 adds to INFO about the process, its connections and its
/// store: `# Memory`, `# CPU`, `# Replication`, `# LSM`, and more lines in the others.
#pragma once

#include <atomic>
#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>

#include "05-sstables/lsm_store.hpp"
#include "06-server/server.hpp"
#include "08-compaction/version_set.hpp"
#include "11-metrics/instantaneous_meter.hpp"
#include "11-metrics/metered_commands.hpp"
#include "11-metrics/traffic.hpp"

namespace vkv::runtime {

/// The process's memory, as INFO's `# Memory` tells it.
struct MemoryFigures {
  std::uint64_t used = 0;       ///< Bytes malloc has handed out and not had back (mallinfo2).
  std::uint64_t rss = 0;        ///< Resident bytes of the process (/proc/self/statm).
  std::uint64_t peak_used = 0;  ///< The most `used` seen by sample().
};

/// Reads the process's memory now (peak_used left 0).
MemoryFigures read_memory();

/// Where ServerReport's figures come from. Each must outlive the report.
struct ReportSources {
  storage::LsmStore* store = nullptr;        ///< The open store.
  storage::VersionSet* levels = nullptr;     ///< Its levels (chapter 8's compaction).
  const Traffic* traffic = nullptr;          ///< Bytes in and out of every connection.
  const engine::MeteredCommands* commands = nullptr;  ///< Commands counted.
  std::string sync;                          ///< The sync policy's name (`always`...).
};

//! [server-report]
/// INFO's lines about the server beside chapter 9's (RedisServerInfo::more_info): the
/// figures come from counters that already exist (the store's stats, the server's, the
/// sessions' Traffic, the commands' counts), read when INFO asks. Nothing here is on a
/// command's path except what sample() reads ten times a second. Thread-safe.
class ServerReport {
 public:
  /// A report over `sources`.
  explicit ServerReport(ReportSources sources) : sources_(std::move(sources)) {}

  /// Gives the server, once it listens (before, its lines are left out).
  void serving(const net::Server& server) { server_.store(&server); }
  /// Takes the instantaneous rates' next sample (every 100 ms), and every tenth time notes
  /// the peak memory. REQUIRES: one thread calls it.
  void sample(std::int64_t now_ms);
  /// Notes a failed write, sync or flush (INFO's `aof_last_write_status:err`).
  void note_write_error() { write_errors_.fetch_add(1, std::memory_order_relaxed); }

  /// INFO's lines of `section` that this adds; "" for a section it has nothing for.
  [[nodiscard]] std::string info(std::string_view section) const;

  /// The instantaneous rates: commands, bytes in, bytes out, per second.
  [[nodiscard]] double ops_per_second() const { return ops_.per_second(); }
  /// The memory now, with the peak seen.
  [[nodiscard]] MemoryFigures memory() const;
  /// The server, once serving() has given it (else null).
  [[nodiscard]] const net::Server* server() const { return server_.load(); }
  /// Failed writes, syncs and flushes noted.
  [[nodiscard]] std::uint64_t write_errors() const { return write_errors_.load(std::memory_order_relaxed); }
  /// The sources it reads.
  [[nodiscard]] const ReportSources& sources() const { return sources_; }

 private:
  [[nodiscard]] std::string lsm_lines() const;

  const ReportSources sources_;
  std::atomic<const net::Server*> server_{nullptr};
  std::atomic<std::uint64_t> write_errors_{0};
  std::atomic<std::uint64_t> peak_used_{0};
  std::uint64_t samples_ = 0;  // sample() calls: one thread's

  InstantaneousMeter ops_;
  InstantaneousMeter input_;
  InstantaneousMeter output_;
};
//! [server-report]

}  // namespace vkv::runtime
