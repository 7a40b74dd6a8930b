#include "11-metrics/event_log.hpp"

#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <chrono>
#include <cmath>
#include <utility>

#include "common/escape.hpp"

namespace vkv::runtime {

Result<LogLevel> parse_log_level(std::string_view name) {
  if (name == "debug") return LogLevel::kDebug;
  if (name == "info") return LogLevel::kInfo;
  if (name == "warn") return LogLevel::kWarn;
  if (name == "error") return LogLevel::kError;
  return Status::invalid_argument("unknown log level \"" + escape_bytes(name) +
                                  "\": expected debug, info, warn or error");
}

Result<LogFormat> parse_log_format(std::string_view name) {
  if (name == "text") return LogFormat::kText;
  if (name == "json") return LogFormat::kJson;
  return Status::invalid_argument("unknown log format \"" + escape_bytes(name) +
                                  "\": expected text or json");
}

std::string_view log_level_name(LogLevel level) {
  switch (level) {
    case LogLevel::kDebug: return "debug";
    case LogLevel::kInfo: return "info";
    case LogLevel::kWarn: return "warn";
    case LogLevel::kError: return "error";
  }
  return "?";
}

namespace {

constexpr char kHex[] = "0123456789abcdef";

// Appends `value` in decimal, at least `width` digits (zeros in front).
void append_padded(std::string* out, std::int64_t value, int width) {
  char digits[24];
  const auto [end, ec] = std::to_chars(digits, digits + sizeof digits, value);
  (void)ec;  // 24 chars hold any int64
  for (auto n = end - digits; n < width; ++n) out->push_back('0');
  out->append(digits, end);
}

template <typename T>
void append_number(std::string* out, T value) {
  char digits[32];  // enough for any int64, uint64 or shortest double
  const auto [end, ec] = std::to_chars(digits, digits + sizeof digits, value);
  (void)ec;
  out->append(digits, end);
}

// The length of the well-formed UTF-8 sequence at the start of `s`, or 0 when it does not
// start with one (a stray continuation byte, a truncated sequence, an overlong form, a UTF-16
// surrogate, or a code point past U+10FFFF). `s` is not empty.
std::size_t utf8_sequence_length(std::string_view s) {
  const auto byte = [&](std::size_t i) { return static_cast<unsigned char>(s[i]); };
  const unsigned char b0 = byte(0);
  if (b0 < 0x80) return 1;
  std::size_t length = 0;
  unsigned char low = 0x80;  // the range the second byte must be in (RFC 3629's table)
  unsigned char high = 0xbf;
  if (b0 >= 0xc2 && b0 <= 0xdf) {
    length = 2;
  } else if (b0 >= 0xe0 && b0 <= 0xef) {
    length = 3;
    if (b0 == 0xe0) low = 0xa0;   // no overlong three-byte forms
    if (b0 == 0xed) high = 0x9f;  // no surrogates
  } else if (b0 >= 0xf0 && b0 <= 0xf4) {
    length = 4;
    if (b0 == 0xf0) low = 0x90;   // no overlong four-byte forms
    if (b0 == 0xf4) high = 0x8f;  // nothing past U+10FFFF
  } else {
    return 0;  // 0x80..0xc1 and 0xf5..0xff never start a sequence
  }
  if (s.size() < length || byte(1) < low || byte(1) > high) return 0;
  for (std::size_t i = 2; i < length; ++i) {
    if (byte(i) < 0x80 || byte(i) > 0xbf) return 0;
  }
  return length;
}

bool is_valid_utf8(std::string_view s) {
  for (std::size_t i = 0; i < s.size();) {
    const std::size_t n = utf8_sequence_length(s.substr(i));
    if (n == 0) return false;
    i += n;
  }
  return true;
}

//! [json-string]
// Appends `s` as a JSON string, quotes included. JSON text must be UTF-8, and a key or an
// error text may be any bytes, so: `"` and `\` are escaped, control bytes too (\n, \r, \t,
// the rest as \u00XX), well-formed UTF-8 is kept as it is, and each byte that is not part of
// well-formed UTF-8 becomes U+FFFD, the replacement character. The line is always valid JSON.
void append_json_string(std::string* out, std::string_view s) {
  out->push_back('"');
  for (std::size_t i = 0; i < s.size();) {
    const char c = s[i];
    const auto b = static_cast<unsigned char>(c);
    if (b >= 0x80) {
      const std::size_t n = utf8_sequence_length(s.substr(i));
      if (n == 0) {
        out->append("\\ufffd");
        i += 1;
      } else {
        out->append(s.substr(i, n));
        i += n;
      }
      continue;
    }
    ++i;
    if (c == '"' || c == '\\') {
      out->push_back('\\');
      out->push_back(c);
    } else if (c == '\n') {
      out->append("\\n");
    } else if (c == '\r') {
      out->append("\\r");
    } else if (c == '\t') {
      out->append("\\t");
    } else if (b < 0x20) {
      const char escaped[6] = {'\\', 'u', '0', '0', kHex[b >> 4], kHex[b & 0xf]};
      out->append(escaped, sizeof escaped);
    } else {
      out->push_back(c);
    }
  }
  out->push_back('"');
}
//! [json-string]

// True when `s` cannot stand bare after `name=` in a text line: it is empty, or holds a
// space, `=`, `"`, `\`, a control byte or bytes that are not UTF-8 (which a terminal would
// show as garbage, or act on).
bool needs_quotes(std::string_view s) {
  if (s.empty()) return true;
  for (const char c : s) {
    const auto b = static_cast<unsigned char>(c);
    if (b <= 0x20 || b == 0x7f || c == '=' || c == '"' || c == '\\') return true;
  }
  return !is_valid_utf8(s);
}

// Appends `s` to a text line: as it is when it can stand bare, else between double quotes
// with C's escapes (common/escape.hpp); UTF-8 text is kept readable, other high bytes are
// written as \xHH.
void append_text_string(std::string* out, std::string_view s) {
  if (!needs_quotes(s)) {
    out->append(s);
    return;
  }
  out->push_back('"');
  append_escaped(out, s, /*keep_high_bytes=*/is_valid_utf8(s));
  out->push_back('"');
}

void append_value(std::string* out, LogFormat format, const LogField::Value& value) {
  std::visit(
      [&](const auto& v) {
        using T = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<T, std::string_view>) {
          if (format == LogFormat::kJson) {
            append_json_string(out, v);
          } else {
            append_text_string(out, v);
          }
        } else if constexpr (std::is_same_v<T, bool>) {
          out->append(v ? "true" : "false");
        } else if constexpr (std::is_same_v<T, double>) {
          if (format == LogFormat::kJson && !std::isfinite(v)) {
            out->append("null");  // JSON has no NaN or infinity
          } else {
            append_number(out, v);  // shortest form that reads back the same; "inf" in text
          }
        } else {
          append_number(out, v);
        }
      },
      value);
}

}  // namespace

std::string format_utc_millis(std::int64_t unix_ms) {
  using namespace std::chrono;
  const sys_time<milliseconds> t{milliseconds(unix_ms)};
  const sys_days day = floor<days>(t);
  const year_month_day date(day);
  const hh_mm_ss<milliseconds> time(t - day);
  std::string out;
  out.reserve(24);
  append_padded(&out, static_cast<int>(date.year()), 4);
  out.push_back('-');
  append_padded(&out, static_cast<unsigned>(date.month()), 2);
  out.push_back('-');
  append_padded(&out, static_cast<unsigned>(date.day()), 2);
  out.push_back('T');
  append_padded(&out, time.hours().count(), 2);
  out.push_back(':');
  append_padded(&out, time.minutes().count(), 2);
  out.push_back(':');
  append_padded(&out, time.seconds().count(), 2);
  out.push_back('.');
  append_padded(&out, time.subseconds().count(), 3);
  out.push_back('Z');
  return out;
}

std::string EventLog::format_line(LogFormat format, std::int64_t unix_ms, LogLevel level,
                                  std::string_view name, std::span<const LogField> fields) {
  std::string line;
  line.reserve(64 + 24 * fields.size());
  if (format == LogFormat::kJson) {
    line.append("{\"ts\":\"").append(format_utc_millis(unix_ms));
    line.append("\",\"level\":\"").append(log_level_name(level));
    line.append("\",\"event\":");
    append_json_string(&line, name);
    for (const LogField& f : fields) {
      line.push_back(',');
      append_json_string(&line, f.name);
      line.push_back(':');
      append_value(&line, format, f.value);
    }
    line.push_back('}');
    return line;
  }
  // Text: the level padded to five, so the event names line up in a terminal.
  line.append(format_utc_millis(unix_ms)).push_back(' ');
  const std::string_view level_name = log_level_name(level);
  line.append(level_name).append(6 - level_name.size(), ' ');
  append_text_string(&line, name);
  for (const LogField& f : fields) {
    line.push_back(' ');
    append_text_string(&line, f.name);
    line.push_back('=');
    append_value(&line, format, f.value);
  }
  return line;
}

namespace {

UnixMillisClock clock_or_system(UnixMillisClock clock) {
  if (clock) return clock;
  return [] {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
  };
}

}  // namespace

EventLog::EventLog(int fd, EventLogOptions options)
    : level_(options.level),
      format_(options.format),
      clock_(clock_or_system(std::move(options.clock))),
      fd_(fd) {}

EventLog::EventLog(LogSink sink, EventLogOptions options)
    : level_(options.level),
      format_(options.format),
      clock_(clock_or_system(std::move(options.clock))),
      sink_(std::move(sink)) {}

void EventLog::event(LogLevel level, std::string_view name, std::span<const LogField> fields) {
  if (!enabled(level)) return;
  // The line is built before the lock: only the write is serialised.
  std::string line = format_line(format_, clock_(), level, name, fields);
  if (sink_) {
    std::lock_guard lock(mu_);
    sink_(line);
    return;
  }
  line.push_back('\n');
  std::lock_guard lock(mu_);
  write_line(line);
}

void EventLog::write_line(std::string_view line) {
  // One write(2) nearly always takes the whole line; the loop covers a signal or a pipe that
  // takes part of it, and the mutex keeps other lines out of the gap.
  while (!line.empty()) {
    const ssize_t n = ::write(fd_, line.data(), line.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;  // dropped: the log never stops the server
    line.remove_prefix(static_cast<std::size_t>(n));
  }
}

}  // namespace vkv::runtime
