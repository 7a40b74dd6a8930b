#include "11-metrics/prometheus_metrics.hpp"

#include <sys/resource.h>

#include <string>
#include <vector>

#include "11-metrics/prometheus_text.hpp"

namespace vkv::runtime {

namespace {

using engine::PrometheusText;

double as_double(std::uint64_t n) { return static_cast<double>(n); }

void one(PrometheusText& p, bool counter, std::string_view name, std::string_view help,
         double value) {
  counter ? p.counter(name, help) : p.gauge(name, help);
  p.sample(value);
}

void server_metrics(PrometheusText& p, const MetricsSources& s) {
  const auto up = std::chrono::duration<double>(std::chrono::steady_clock::now() - s.started);
  one(p, false, "vkv_uptime_seconds", "Seconds since the server started.", up.count());
  const ServerReport& r = *s.report;
  if (const net::Server* server = r.server()) {
    one(p, false, "vkv_connected_clients", "Client connections open now.",
        as_double(server->connections()));
    one(p, true, "vkv_connections_received_total", "Client connections accepted.",
        as_double(server->connections_accepted()));
    one(p, true, "vkv_connections_rejected_total",
        "Client connections turned away at --max-connections.",
        as_double(server->connections_rejected()));
  }
  if (const Traffic* t = r.sources().traffic) {
    one(p, true, "vkv_net_input_bytes_total", "Bytes read from clients.",
        as_double(t->bytes_in()));
    one(p, true, "vkv_net_output_bytes_total", "Reply bytes written for clients.",
        as_double(t->bytes_out()));
    one(p, true, "vkv_protocol_errors_total", "Connections closed for a RESP protocol error.",
        as_double(t->protocol_errors()));
  }
  rusage ru{};
  if (getrusage(RUSAGE_SELF, &ru) == 0) {
    auto secs = [](const timeval& tv) {
      return static_cast<double>(tv.tv_sec) + static_cast<double>(tv.tv_usec) / 1e6;
    };
    one(p, true, "vkv_cpu_user_seconds_total", "CPU time in user mode.", secs(ru.ru_utime));
    one(p, true, "vkv_cpu_system_seconds_total", "CPU time in the kernel.", secs(ru.ru_stime));
  }
  const MemoryFigures m = r.memory();
  one(p, false, "vkv_memory_used_bytes", "Bytes malloc has handed out (mallinfo2).",
      as_double(m.used));
  one(p, false, "vkv_memory_rss_bytes", "Resident bytes of the process.", as_double(m.rss));
}

void command_metrics(PrometheusText& p, const MetricsSources& s) {
  if (s.redis != nullptr) {
    one(p, true, "vkv_commands_processed_total", "Commands run (INFO's total_commands_processed).",
        as_double(s.redis->commands_processed()));
    one(p, true, "vkv_keyspace_hits_total", "Reads that found their key.",
        as_double(s.redis->keyspace_hits()));
    one(p, true, "vkv_keyspace_misses_total", "Reads that did not.",
        as_double(s.redis->keyspace_misses()));
  }
  if (s.expired_keys) {
    one(p, true, "vkv_expired_keys_total", "Keys deleted because their time had come.",
        as_double(s.expired_keys()));
  }
  if (s.keys_with_deadlines) {
    one(p, false, "vkv_keys_with_deadline", "Keys that have a deadline now.",
        as_double(s.keys_with_deadlines()));
  }
  if (s.commands == nullptr) return;
  const auto totals = s.commands->stats().snapshot();
  p.counter("vkv_command_calls_total", "Calls of each command, whatever their reply.");
  for (const auto& c : totals) p.sample(as_double(c.calls), {{"cmd", c.name}});
  p.counter("vkv_command_failed_calls_total", "Calls that ran and answered with an error.");
  for (const auto& c : totals) p.sample(as_double(c.failed), {{"cmd", c.name}});
  p.counter("vkv_command_rejected_calls_total", "Calls refused before they ran.");
  for (const auto& c : totals) p.sample(as_double(c.rejected), {{"cmd", c.name}});
  //! [histogram]
  p.histogram("vkv_command_duration_seconds", "How long each command ran, in the server.");
  for (const auto& c : totals) {
    std::vector<std::uint64_t> cumulative;
    for (double bound : kPrometheusLatencyBounds) {
      cumulative.push_back(c.latency.count_at_most(static_cast<std::uint64_t>(bound * 1e9)));
    }
    p.histogram_sample({{"cmd", c.name}}, kPrometheusLatencyBounds, cumulative,
                       static_cast<double>(c.latency.total_ns) / 1e9, c.latency.count);
  }
  //! [histogram]
  p.counter("vkv_error_replies_total", "Error replies, by their code (ERR, WRONGTYPE...).");
  for (const auto& [code, n] : s.commands->errors().by_code()) {
    p.sample(as_double(n), {{"code", code}});
  }
}

void store_metrics(PrometheusText& p, const MetricsSources& s) {
  const ReportSources& src = s.report->sources();
  one(p, true, "vkv_write_errors_total", "Failed log writes, syncs, flushes and compactions.",
      as_double(s.report->write_errors()));
  if (src.store != nullptr) {
    const storage::LsmStats st = src.store->stats();
    one(p, false, "vkv_memtable_bytes", "Bytes the memtables hold.", as_double(st.memtable_bytes));
    one(p, false, "vkv_block_cache_bytes", "Bytes the block cache holds.",
        as_double(st.block_cache_bytes));
    one(p, false, "vkv_log_bytes", "Bytes in the log being written.", as_double(st.log_bytes));
    one(p, false, "vkv_log_unsynced_bytes", "Bytes of the log not yet known to be on disk.",
        as_double(st.log_bytes - std::min(st.log_bytes, st.log_synced_bytes)));
    one(p, true, "vkv_flushes_total", "Memtables written out as tables.", as_double(st.flushes));
  }
  if (src.levels == nullptr) return;
  const storage::VersionSetStats v = src.levels->stats();
  std::vector<std::string> names;
  for (std::size_t i = 0; i < v.levels.size(); ++i) names.push_back(std::to_string(i));
  auto per_level = [&](bool counter, std::string_view name, std::string_view help, auto get) {
    counter ? p.counter(name, help) : p.gauge(name, help);
    for (std::size_t i = 0; i < v.levels.size(); ++i) {
      p.sample(get(v.levels[i]), {{"level", names[i]}});
    }
  };
  using L = storage::LevelStats;
  per_level(false, "vkv_level_tables", "Tables in each level.",
            [](const L& l) { return static_cast<double>(l.tables); });
  per_level(false, "vkv_level_bytes", "Bytes in each level.",
            [](const L& l) { return as_double(l.bytes); });
  per_level(true, "vkv_compactions_total", "Compactions whose output went to each level.",
            [](const L& l) { return as_double(l.compactions); });
  per_level(true, "vkv_compaction_read_bytes_total", "Bytes read by compactions into each level.",
            [](const L& l) { return as_double(l.bytes_read); });
  per_level(true, "vkv_compaction_written_bytes_total",
            "Bytes written by compactions into each level.",
            [](const L& l) { return as_double(l.bytes_written); });
  one(p, true, "vkv_flushed_bytes_total", "Bytes of tables written by flushes.",
      as_double(v.flushed_bytes));
  one(p, true, "vkv_slowed_writes_total", "Writes paced while level 0 was filling.",
      as_double(v.slowed_writes));
  one(p, true, "vkv_stopped_writes_total", "Writes that waited for compaction.",
      as_double(v.stopped_writes));
  one(p, true, "vkv_stall_seconds_total", "Time writes waited for compaction.",
      v.stopped_seconds);
  one(p, true, "vkv_failed_compactions_total", "Compactions that failed (and were retried).",
      as_double(v.failed_compactions));
}

}  // namespace

std::string render_metrics(const MetricsSources& sources) {
  PrometheusText p;
  if (sources.report != nullptr) server_metrics(p, sources);
  command_metrics(p, sources);
  if (sources.report != nullptr) store_metrics(p, sources);
  return p.take();
}

}  // namespace vkv::runtime
