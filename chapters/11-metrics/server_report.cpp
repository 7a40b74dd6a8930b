#include "11-metrics/server_report.hpp"

#include <malloc.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>

namespace vkv::runtime {

namespace {

void field(std::string* lines, std::string_view name, const std::string& value) {
  *lines += name;
  *lines += ':';
  *lines += value;
  *lines += "\r\n";
}

std::string num(std::uint64_t n) { return std::to_string(n); }

std::string fixed(double x, int decimals) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, x);
  return buf;
}

// Redis's `_human` form: `1.50M`, `812.00K`, `17B`.
std::string human(std::uint64_t bytes) {
  const char* units = "BKMGTP";
  double x = static_cast<double>(bytes);
  int u = 0;
  while (x >= 1024 && u < 5) {
    x /= 1024;
    ++u;
  }
  if (u == 0) return num(bytes) + "B";
  return fixed(x, 2) + units[u];
}

double seconds_of(const timeval& tv) {
  return static_cast<double>(tv.tv_sec) + static_cast<double>(tv.tv_usec) / 1e6;
}

}  // namespace

MemoryFigures read_memory() {
  MemoryFigures m;
  const struct mallinfo2 mi = mallinfo2();
  m.used = mi.uordblks + mi.hblkhd;  // in use from the heaps, and in mmap'd chunks
  std::ifstream statm("/proc/self/statm");
  std::uint64_t pages = 0, resident = 0;
  if (statm >> pages >> resident) {
    m.rss = resident * static_cast<std::uint64_t>(::sysconf(_SC_PAGESIZE));
  }
  return m;
}

MemoryFigures ServerReport::memory() const {
  MemoryFigures m = read_memory();
  m.peak_used = std::max(m.used, peak_used_.load(std::memory_order_relaxed));
  return m;
}

void ServerReport::sample(std::int64_t now_ms) {
  if (sources_.commands != nullptr) ops_.sample(now_ms, sources_.commands->stats().total_calls());
  if (sources_.traffic != nullptr) {
    input_.sample(now_ms, sources_.traffic->bytes_in());
    output_.sample(now_ms, sources_.traffic->bytes_out());
  }
  // The peak, once a second: mallinfo2() walks every heap under its lock.
  if (++samples_ % 10 != 1) return;
  const std::uint64_t used = read_memory().used;
  std::uint64_t peak = peak_used_.load(std::memory_order_relaxed);
  while (used > peak && !peak_used_.compare_exchange_weak(peak, used)) {
  }
}

//! [info]
std::string ServerReport::info(std::string_view section) const {
  std::string lines;
  const net::Server* server = server_.load();
  const storage::LsmStore* store = sources_.store;
  if (section == "server") {
    if (server != nullptr) field(&lines, "tcp_port", num(server->port()));
    if (server != nullptr) field(&lines, "vkv_workers", num(server->workers()));
  } else if (section == "clients") {
    if (server != nullptr) field(&lines, "maxclients", num(server->options().max_connections));
    field(&lines, "blocked_clients", "0");  // no vkv command blocks
  } else if (section == "memory") {
    const MemoryFigures m = memory();
    field(&lines, "used_memory", num(m.used));
    field(&lines, "used_memory_human", human(m.used));
    field(&lines, "used_memory_rss", num(m.rss));
    field(&lines, "used_memory_rss_human", human(m.rss));
    field(&lines, "used_memory_peak", num(m.peak_used));
    field(&lines, "used_memory_peak_human", human(m.peak_used));
    field(&lines, "maxmemory", "0");
    field(&lines, "mem_allocator", "libc");
    if (store != nullptr) {
      const storage::LsmStats s = store->stats();
      field(&lines, "vkv_memtable_bytes", num(s.memtable_bytes));
      field(&lines, "vkv_block_cache_bytes", num(s.block_cache_bytes));
      field(&lines, "vkv_filter_bytes", num(s.filter_bytes));
    }
    if (sources_.levels != nullptr) {
      field(&lines, "vkv_row_cache_bytes", num(sources_.levels->stats().row_cache_bytes));
    }
  } else if (section == "persistence") {
    field(&lines, "vkv_sync", sources_.sync);
    field(&lines, "aof_last_write_status", write_errors() == 0 ? "ok" : "err");
    field(&lines, "vkv_write_errors", num(write_errors()));
    if (store != nullptr) {
      const storage::LsmStats s = store->stats();
      field(&lines, "vkv_log_bytes", num(s.log_bytes));
      field(&lines, "vkv_log_unsynced_bytes", num(s.log_bytes - std::min(s.log_bytes, s.log_synced_bytes)));
      field(&lines, "vkv_log_syncs", num(s.log_syncs));
      field(&lines, "vkv_flush_in_progress", s.flushing ? "1" : "0");
    }
    if (sources_.levels != nullptr) {
      field(&lines, "vkv_compaction_in_progress", sources_.levels->stats().compacting ? "1" : "0");
    }
  } else if (section == "stats") {
    if (server != nullptr) {
      field(&lines, "total_connections_received", num(server->connections_accepted()));
      field(&lines, "rejected_connections", num(server->connections_rejected()));
    }
    if (sources_.traffic != nullptr) {
      field(&lines, "total_net_input_bytes", num(sources_.traffic->bytes_in()));
      field(&lines, "total_net_output_bytes", num(sources_.traffic->bytes_out()));
      field(&lines, "vkv_protocol_errors", num(sources_.traffic->protocol_errors()));
    }
    field(&lines, "instantaneous_ops_per_sec", num(static_cast<std::uint64_t>(ops_.per_second())));
    field(&lines, "instantaneous_input_kbps", fixed(input_.per_second() / 1024, 2));
    field(&lines, "instantaneous_output_kbps", fixed(output_.per_second() / 1024, 2));
  } else if (section == "replication") {
    field(&lines, "role", "master");
    field(&lines, "connected_slaves", "0");
  } else if (section == "cpu") {
    rusage ru{};
    if (getrusage(RUSAGE_SELF, &ru) == 0) {
      field(&lines, "used_cpu_sys", fixed(seconds_of(ru.ru_stime), 6));
      field(&lines, "used_cpu_user", fixed(seconds_of(ru.ru_utime), 6));
    }
  } else if (section == "lsm") {
    lines = lsm_lines();
  }
  return lines;
}
//! [info]

//! [lsm-lines]
// One line per level that holds tables or has been compacted into, then the totals. A
// level's `write_amp` is the bytes compactions wrote into it per byte flushed: the store's
// write amplification is 1 (the flush itself) plus the levels' (vkv_write_amplification).
std::string ServerReport::lsm_lines() const {
  std::string lines;
  if (sources_.levels == nullptr) return lines;
  const storage::VersionSetStats s = sources_.levels->stats();
  const double flushed = static_cast<double>(s.flushed_bytes);
  auto per_flushed = [flushed](std::uint64_t bytes) {
    return flushed > 0 ? static_cast<double>(bytes) / flushed : 0.0;
  };
  std::uint64_t read = 0, written = 0;
  for (std::size_t level = 0; level < s.levels.size(); ++level) {
    const storage::LevelStats& l = s.levels[level];
    read += l.bytes_read;
    written += l.bytes_written;
    if (l.tables == 0 && l.compactions == 0 && l.moves == 0) continue;
    field(&lines, "level" + num(level),
          "tables=" + num(l.tables) + ",bytes=" + num(l.bytes) + ",score=" + fixed(l.score, 2) +
              ",compactions=" + num(l.compactions) + ",moves=" + num(l.moves) +
              ",read_bytes=" + num(l.bytes_read) + ",written_bytes=" + num(l.bytes_written) +
              ",write_amp=" + fixed(per_flushed(l.bytes_written), 2) +
              ",seconds=" + fixed(l.seconds, 3));
  }
  field(&lines, "vkv_flushed_bytes", num(s.flushed_bytes));
  field(&lines, "vkv_compaction_read_bytes", num(read));
  field(&lines, "vkv_compaction_written_bytes", num(written));
  field(&lines, "vkv_write_amplification", fixed(flushed > 0 ? 1 + per_flushed(written) : 0, 2));
  field(&lines, "vkv_slowed_writes", num(s.slowed_writes));
  field(&lines, "vkv_stopped_writes", num(s.stopped_writes));
  field(&lines, "vkv_stall_seconds", fixed(s.stopped_seconds, 3));
  field(&lines, "vkv_failed_compactions", num(s.failed_compactions));
  field(&lines, "vkv_dropped_tombstones", num(s.dropped_tombstones));
  field(&lines, "vkv_row_cache_hits", num(s.row_cache_hits));
  return lines;
}
//! [lsm-lines]

}  // namespace vkv::runtime
