#include "11-metrics/metrics_program.hpp"

#include <vector>

#include "03-wal/sync_policy.hpp"
#include "09-resp/command_helpers.hpp"
#include "09-resp/redis_commands.hpp"
#include "09-resp/transactions.hpp"
#include "10-expiry/expiry_commands.hpp"
#include "11-metrics/prometheus_metrics.hpp"
#include "11-metrics/stats_text_command.hpp"

namespace vkv::runtime {

namespace {

std::int64_t steady_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch()).count();
}

}  // namespace

std::vector<std::string> counted_command_names() {
  std::vector<const engine::CommandSpec*> specs;
  for (const auto& row : engine::RedisCommands::table()) specs.push_back(&row);
  for (const auto& row : engine::TransactionCommands::specs()) specs.push_back(&row);
  for (const auto* row : engine::ExpiryCommands::specs()) specs.push_back(row);
  for (const auto* row : engine::MeteredCommands::specs()) specs.push_back(row);
  return engine::command_names(specs);
}

Status MetricsProgram::check_flags() const {
  const std::string& port = flags_.metrics_port;
  if (port.empty()) return Status::ok();
  const bool digits = port.size() <= 5 && port.find_first_not_of("0123456789") == std::string::npos;
  if (!digits || std::stoul(port) > 65535) {
    return Status::invalid_argument("bad value '" + port +
                                    "' for --metrics-port: expected 0 to 65535");
  }
  return Status::ok();
}

EventLog& MetricsProgram::log() {
  if (!log_) {
    EventLogOptions o;
    o.level = parse_log_level(flags_.log_level).value();    // the flag allows only these
    o.format = parse_log_format(flags_.log_format).value();
    log_ = std::make_unique<EventLog>(2, o);
  }
  return *log_;
}

void MetricsProgram::say(const std::string& line, bool failure) {
  if (failure) return log().error("failed", {{"message", line}});
  log().info("note", {{"message", line}});
}

//! [program]
ServerProgram MetricsProgram::program() {
  ServerProgram program = expiry_.program();  // chapter 10's server, which this one extends
  program.summary += " It shows what it does: INFO, SLOWLOG, STATS in the text protocol, a"
                     " Prometheus endpoint (--metrics-port), and a log of events as text or"
                     " JSON (--log-format).";
  program.add_flags = [chapter10 = program.add_flags, this](Flags& flags) {
    chapter10(flags);
    flags.add_string("metrics-port", &flags_.metrics_port,
                     "port of the Prometheus endpoint, /metrics, on --bind (0: any free one; "
                     "default: none)");
    flags.add_choice("log-format", &flags_.log_format, {"text", "json"},
                     "each log event as a line of text or a JSON object");
    flags.add_choice("log-level", &flags_.log_level, {"debug", "info", "warn", "error"},
                     "the least level of event logged");
    flags.add_size("slowlog-log-slower-than", &flags_.slowlog_micros,
                   "microseconds from which a command goes in SLOWLOG");
    flags.add_size("slowlog-max-len", &flags_.slowlog_max_len,
                   "entries SLOWLOG keeps (0: none)");
  };
  // Once the flags are read: the log, and every failed write, sync or flush, and every read
  // of the tables that failed (a GET's, a scan's), as an event (at most 10 a kind in 10 s),
  // in place of chapter 6's lines.
  program.tune_store = [chapter10 = program.tune_store, this](storage::LsmStoreOptions& o) {
    chapter10(o);
    sync_ = std::string(storage::to_string(o.durable.sync));
    log();
    o.durable.on_write_error = [this](const Status& e) {
      if (ServerReport* report = report_ptr_.load()) report->note_write_error();
      limited_.event(log(), LogLevel::kError, "write_failed",
                     {{"error", e.to_string()}, {"effect", "writes get an error, reads go on"}});
    };
    o.on_read_error = [this](const Status& e) {
      limited_.event(log(), LogLevel::kError, "table_read_failed",
                     {{"error", e.to_string()},
                      {"effect", "that read gets an error, other keys are served"}});
    };
  };
  // A failed compaction's own error, naming the file (the watcher's `compaction_failed`
  // counts them): not a failed write, since writes go on.
  expiry_.redis().compaction().on_compaction_error = [this](const Status& e) {
    limited_.event(log(), LogLevel::kError, "compaction_error",
                   {{"error", e.to_string()},
                    {"effect", "reads go on, and writes until level 0 is full"}});
  };
  program.say = [this](const std::string& line, bool failure) { say(line, failure); };
  program.prepare_dir = [chapter10 = program.prepare_dir, this](
                            Env& env, const storage::LsmStoreOptions& o) -> Status {
    VKV_RETURN_IF_ERROR(check_flags());
    return chapter10(env, o);
  };
  expiry_.say = program.say;
  program.store_report = nullptr;  // chapter 8's table of levels: INFO's `# LSM` instead
  // INFO's added lines, SLOWLOG in COMMAND, the slow log's settings in CONFIG GET.
  expiry_.tune_info = [this](engine::RedisServerInfo& info) {
    info.chapter = "11";
    for (const auto* spec : engine::MeteredCommands::specs()) info.more_commands.push_back(spec);
    info.config.push_back({"slowlog-log-slower-than", std::to_string(flags_.slowlog_micros)});
    info.config.push_back({"slowlog-max-len", std::to_string(flags_.slowlog_max_len)});
    info.more_info = [this](std::string_view section) {
      std::string lines;
      if (const ServerReport* report = report_ptr_.load()) lines += report->info(section);
      if (metered_) lines += metered_->info(section);
      return lines;
    };
  };
  // Once the store is open: chapter 10's backend, then the metered commands in front of its
  // commands, for every RESP session.
  program.text_store = [chapter10 = program.text_store, this](
                           storage::LsmStore& store) -> storage::Store& {
    storage::Store& text = chapter10(store);
    store_ = &store;
    engine::ExpiryBackend& backend = *expiry_.backend();
    engine::MeteredOptions o;
    o.slowlog_threshold_micros = static_cast<std::int64_t>(flags_.slowlog_micros);
    o.slowlog_max_len = flags_.slowlog_max_len;
    o.count_command = [&backend] { backend.redis().count_command(); };
    o.on_error = [this](const engine::CommandError& e) {
      // The store's failure (a damaged table, a disk's error) is the server's, not the client's.
      const bool storage = e.error.starts_with(engine::kStorageError);
      limited_.event(log(), storage ? LogLevel::kError : LogLevel::kWarn,
                     storage ? "storage_error" : "client_error",
                     {{"client", e.client_id}, {"command", e.command}, {"error", e.error}});
    };
    metered_ = std::make_unique<engine::MeteredCommands>(backend.commands(),
                                                         counted_command_names(), o);
    expiry_.redis().serve(*metered_);
    // And what chapter 9's transactions answer themselves, metered in front of them.
    expiry_.redis().in_front_of_transactions =
        [this](engine::RespCommands& transactions) -> engine::RespCommands& {
      transactions_meter_ = metered_->front(transactions);
      return *transactions_meter_;
    };
    report_ = std::make_unique<ServerReport>(ReportSources{
        &store, expiry_.redis().compaction().levels(), &traffic_, metered_.get(), sync_});
    report_ptr_ = report_.get();
    return text;
  };
  // STATS in the text protocol, before chapter 10's commands.
  program.text_commands = [chapter10 = program.text_commands, this](storage::LsmStore& store) {
    return std::make_unique<StatsTextCommand>(*metered_, chapter10(store));
  };
  // Every connection's bytes counted, and a RESP protocol error logged.
  program.sessions = [chapter10 = program.sessions, this](storage::LsmStore& store,
                                                          net::SessionFactory text) {
    return net::counting_sessions(chapter10(store, std::move(text)), traffic_,
                                  [this](std::string_view error) {
                                    limited_.event(log(), LogLevel::kWarn, "protocol_error",
                                                   {{"error", error}});
                                  });
  };
  program.serving = [this](const net::Server& server, storage::LsmStore& store) {
    serving(server, store);
  };
  program.before_close = [chapter10 = program.before_close, this] {
    stopping();
    chapter10();
  };
  return program;
}
//! [program]

StoreSample MetricsProgram::sample_store() {
  StoreSample s;
  const storage::LsmStats lsm = store_->stats();
  s.flushes = lsm.flushes;
  s.memtable_bytes = lsm.memtable_bytes;
  if (const storage::VersionSet* levels = expiry_.redis().compaction().levels()) {
    const storage::VersionSetStats v = levels->stats();
    s.flushed_bytes = v.flushed_bytes;
    for (const storage::LevelStats& l : v.levels) {
      s.levels.push_back({l.tables, l.bytes, l.compactions, l.moves, l.bytes_read,
                          l.bytes_written, l.seconds});
    }
    s.slowed_writes = v.slowed_writes;
    s.stopped_writes = v.stopped_writes;
    s.stopped_seconds = v.stopped_seconds;
    s.failed_compactions = v.failed_compactions;
  }
  return s;
}

//! [serving]
void MetricsProgram::serving(const net::Server& server, storage::LsmStore& store) {
  report_->serving(server);
  const storage::LsmStats s = store.stats();
  log().info("recovered", {{"dir", store.dir().path()},
                           {"entries", s.entries()},
                           {"tables", s.tables},
                           {"log_records", s.records_replayed}});
  sampler_ = std::make_unique<PeriodicTask>("vkv-sampler", std::chrono::milliseconds(100),
                                            [this] { report_->sample(steady_ms()); });
  sampler_->start();
  watcher_ = std::make_unique<StoreWatcher>([this] { return sample_store(); }, log());
  watcher_->start();
  std::string metrics = "off";
  if (!flags_.metrics_port.empty()) {
    MetricsSources sources;
    sources.report = report_.get();
    sources.commands = metered_.get();
    sources.redis = &expiry_.backend()->redis();
    sources.expired_keys = [this] { return expiry_.cycle() ? expiry_.cycle()->expired_keys() : 0; };
    sources.keys_with_deadlines = [this] { return expiry_.backend()->store().index().size(); };
    sources.started = started_;
    const auto port = static_cast<std::uint16_t>(std::stoul(flags_.metrics_port));  // checked
    auto endpoint = net::MetricsEndpoint::start(server.options().bind, port,
                                                [sources] { return render_metrics(sources); });
    if (endpoint.is_ok()) {
      endpoint_ = std::move(endpoint).value();
      metrics = "http://" + endpoint_->address() + "/metrics";
    } else {  // the server serves on; only its metrics are missing, and the log says why
      log().error("metrics_failed", {{"error", endpoint.status().to_string()}});
    }
  }
  log().info("ready", {{"address", server.address()},
                       {"sync", sync_},
                       {"workers", server.workers()},
                       {"metrics", metrics}});
}
//! [serving]

void MetricsProgram::stopping() {
  endpoint_.reset();
  if (watcher_) watcher_->stop();
  if (sampler_) sampler_->stop();
  const auto up = std::chrono::duration_cast<std::chrono::seconds>(
                      std::chrono::steady_clock::now() - started_).count();
  const net::Server* server = report_ ? report_->server() : nullptr;
  log().info("shutdown", {{"uptime_seconds", up},
                          {"commands", metered_ ? metered_->stats().total_calls() : 0},
                          {"connections", server ? server->connections_accepted() : 0},
                          {"expired_keys", expiry_.cycle() ? expiry_.cycle()->expired_keys() : 0}});
}

}  // namespace vkv::runtime
