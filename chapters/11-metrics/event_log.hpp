/// \file
/// EventLog: the server's log, one structured event a line, as text or as JSON.
#pragma once

#include <atomic>
#include <concepts>
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <mutex>
#include <span>
#include <string>
#include <string_view>
#include <variant>

#include "common/status.hpp"

namespace vkv::runtime {

/// How much an event matters. A log shows the events at its level and above.
enum class LogLevel {
  kDebug,  ///< Detail for whoever is chasing a problem; off by default.
  kInfo,   ///< What the server did: it started, flushed, compacted, stopped.
  kWarn,   ///< Something is not as it should be, but the server copes (writes stalled).
  kError,  ///< Something failed (a compaction, a disk); the server goes on if it can.
};

/// How each line is written.
enum class LogFormat {
  kText,  ///< For a person at a terminal: time, level, event, then `name=value` fields.
  kJson,  ///< For a program: one JSON object a line (`jq`, a log collector).
};

/// The level named `name`: "debug", "info", "warn" or "error" (a `--log-level` flag).
Result<LogLevel> parse_log_level(std::string_view name);
/// The format named `name`: "text" or "json" (a `--log-format` flag).
Result<LogFormat> parse_log_format(std::string_view name);
/// The level's name, as parse_log_level() reads it ("info").
std::string_view log_level_name(LogLevel level);

/// Milliseconds since the Unix epoch, read from a clock a test can replace.
using UnixMillisClock = std::function<std::int64_t()>;

/// One name=value pair of an event. Written in a braced list at the call site:
///
///     log.info("flush", {{"flushes", 1}, {"bytes", n}, {"l0_tables", 3}});
///
/// A field *borrows* its name and any string value: it lives for the one call it is
/// written in, which is all the log needs (the line is built before the call returns).
///
/// REQUIRES: the name is a short identifier (letters, digits, `_`), and not `ts`, `level` or
/// `event`, which every JSON line already has. A value may be any bytes: the log quotes and
/// escapes it.
struct LogField {
  /// What a value can be. Integers keep their sign, so a count is never written as -1.
  using Value = std::variant<std::string_view, std::int64_t, std::uint64_t, double, bool>;

  /// A string value (any bytes).
  LogField(std::string_view n, std::string_view v) : name(n), value(v) {}
  /// A string value from a literal (without this, a `const char*` would become a bool).
  LogField(std::string_view n, const char* v) : name(n), value(std::string_view(v)) {}
  /// A string value from a std::string, which must outlive the call.
  LogField(std::string_view n, const std::string& v) : name(n), value(std::string_view(v)) {}
  /// A signed integer of any width.
  template <std::signed_integral T>
  LogField(std::string_view n, T v) : name(n), value(static_cast<std::int64_t>(v)) {}
  /// An unsigned integer of any width (a count, a size).
  template <std::unsigned_integral T>
    requires(!std::same_as<T, bool>)
  LogField(std::string_view n, T v) : name(n), value(static_cast<std::uint64_t>(v)) {}
  /// A floating-point number (seconds, a ratio); a non-finite one is written as null in JSON.
  template <std::floating_point T>
  LogField(std::string_view n, T v) : name(n), value(static_cast<double>(v)) {}
  /// A bool, and only a bool (a pointer does not turn into one here).
  template <std::same_as<bool> T>
  LogField(std::string_view n, T v) : name(n), value(v) {}

  std::string_view name;  ///< The field's name.
  Value value;            ///< Its value.
};

/// How an EventLog writes: which events, in which form, with which clock.
struct EventLogOptions {
  /// Events below this level are not written (see EventLog::enabled()).
  LogLevel level = LogLevel::kInfo;
  /// Text for a terminal, JSON for a program.
  LogFormat format = LogFormat::kText;
  /// Where the time of each event comes from; empty means the system's wall clock.
  UnixMillisClock clock;
};

/// What an EventLog hands each line to when it does not write to a descriptor: the line
/// without its newline. Called under the log's mutex, so one line at a time.
using LogSink = std::function<void(std::string_view line)>;

//! [event-log]
/// The server's log: each event one line, its time, level and name first, then its fields.
///
///     2026-12-01T15:22:27.123Z info  flush flushes=1 bytes=1048576 l0_tables=3 memtable_bytes=0
///     {"ts":"2026-12-01T15:22:27.123Z","level":"info","event":"flush","flushes":1,...}
///
/// One event, one line, so `grep flush`, `tail -f` and a JSON reader all see whole events,
/// and fields are name=value so nobody parses a sentence. Every string is escaped, so no
/// value (a client's bytes in an error text) can break a line in two or break the JSON.
///
/// Each line goes out with one write(2) under a mutex: lines written from many threads
/// never interleave. A write that fails is dropped without a word: the log serves the
/// server, and a full disk or a closed terminal must not stop it.
///
/// Thread-safe.
class EventLog {
 public:
  /// Writes to the descriptor `fd` (standard error by default), which it does not own.
  /// REQUIRES: `fd` stays open while this log lives (or is invalid: every write is dropped).
  explicit EventLog(int fd = 2, EventLogOptions options = {});
  /// Hands each line to `sink` instead (tests, or a caller that keeps lines).
  explicit EventLog(LogSink sink, EventLogOptions options = {});
  EventLog(const EventLog&) = delete;
  EventLog& operator=(const EventLog&) = delete;

  /// True when events of `level` are written: a caller skips building costly fields if not.
  [[nodiscard]] bool enabled(LogLevel level) const {
    return level >= level_.load(std::memory_order_relaxed);
  }
  /// Writes events of `level` and above from now on (CONFIG SET loglevel, say).
  void set_level(LogLevel level) { level_.store(level, std::memory_order_relaxed); }
  /// The level events must have to be written.
  [[nodiscard]] LogLevel level() const { return level_.load(std::memory_order_relaxed); }
  /// The form of each line.
  [[nodiscard]] LogFormat format() const { return format_; }

  /// Writes the event `name` at `level` with `fields`, if that level is enabled.
  void event(LogLevel level, std::string_view name, std::span<const LogField> fields);
  /// Writes the event `name` at `level` with the fields of a braced list.
  void event(LogLevel level, std::string_view name, std::initializer_list<LogField> fields = {}) {
    event(level, name, std::span<const LogField>(fields.begin(), fields.size()));
  }
  /// A debug event.
  void debug(std::string_view name, std::initializer_list<LogField> fields = {}) {
    event(LogLevel::kDebug, name, fields);
  }
  /// An info event.
  void info(std::string_view name, std::initializer_list<LogField> fields = {}) {
    event(LogLevel::kInfo, name, fields);
  }
  /// A warning event.
  void warn(std::string_view name, std::initializer_list<LogField> fields = {}) {
    event(LogLevel::kWarn, name, fields);
  }
  /// An error event.
  void error(std::string_view name, std::initializer_list<LogField> fields = {}) {
    event(LogLevel::kError, name, fields);
  }

  /// The line (without its newline) that an event of `level`, `name` and `fields` at
  /// `unix_ms` makes in `format`: what the log writes, for a test or a caller's own sink.
  static std::string format_line(LogFormat format, std::int64_t unix_ms, LogLevel level,
                                 std::string_view name, std::span<const LogField> fields);

 private:
  // Writes `line` (which ends in a newline) whole to fd_, or drops it.
  // REQUIRES: mu_ is held.
  void write_line(std::string_view line);

  std::atomic<LogLevel> level_;
  const LogFormat format_;
  const UnixMillisClock clock_;
  const int fd_ = -1;     // used when sink_ is empty
  const LogSink sink_;

  std::mutex mu_;  // one line at a time, whoever writes it
};
//! [event-log]

/// `unix_ms` as UTC ISO-8601 with milliseconds: "2026-12-01T15:22:27.123Z".
std::string format_utc_millis(std::int64_t unix_ms);

}  // namespace vkv::runtime
