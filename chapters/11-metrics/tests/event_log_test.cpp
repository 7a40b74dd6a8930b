// EventLog: exact text and JSON lines under a fixed clock; every kind of value; quoting in
// text; JSON that stays valid whatever bytes a string holds (checked here and by Python's
// own parser); the level filter; whole lines from many threads, to a sink and to a file;
// writes that fail are dropped, and a line longer than a pipe's buffer arrives whole.
#include <catch2/catch.hpp>

#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <cmath>
#include <cstdint>
#include <limits>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "11-metrics/event_log.hpp"
#include "11-metrics/tests/json_checker.hpp"
#include "common/escape.hpp"
#include "common/testing/test_util.hpp"

using vkv::runtime::EventLog;
using vkv::runtime::EventLogOptions;
using vkv::runtime::format_utc_millis;
using vkv::runtime::LogField;
using vkv::runtime::LogFormat;
using vkv::runtime::LogLevel;
using vkv::runtime::parse_log_format;
using vkv::runtime::parse_log_level;
using vkv::testing::is_valid_json;

namespace {

constexpr std::int64_t kTime = 1'796'138'547'123;  // 2026-12-01T15:22:27.123Z

// A log that keeps its lines, with the clock fixed at kTime.
struct Captured {
  explicit Captured(LogFormat format, LogLevel level = LogLevel::kDebug)
      : log([this](std::string_view line) { lines.emplace_back(line); },
            EventLogOptions{level, format, [] { return kTime; }}) {}
  std::vector<std::string> lines;
  EventLog log;
};

// The one line that logging `value` as the field `v` of the event `e` makes.
std::string line_of(LogFormat format, LogField::Value value) {
  LogField f("v", std::string_view());
  f.value = value;
  return EventLog::format_line(format, kTime, LogLevel::kInfo, "e", {&f, 1});
}

std::string text_value(LogField::Value value) {
  const std::string line = line_of(LogFormat::kText, value);
  return line.substr(line.find("v=") + 2);
}

std::string json_value(LogField::Value value) {
  const std::string line = line_of(LogFormat::kJson, value);
  const auto start = line.find("\"v\":") + 4;
  return line.substr(start, line.size() - 1 - start);
}

std::string_view sv(const char* s, std::size_t n) { return std::string_view(s, n); }

}  // namespace

TEST_CASE("log levels and formats are parsed from their names", "[ch11]") {
  CHECK(parse_log_level("debug").value() == LogLevel::kDebug);
  CHECK(parse_log_level("info").value() == LogLevel::kInfo);
  CHECK(parse_log_level("warn").value() == LogLevel::kWarn);
  CHECK(parse_log_level("error").value() == LogLevel::kError);
  CHECK(parse_log_format("text").value() == LogFormat::kText);
  CHECK(parse_log_format("json").value() == LogFormat::kJson);

  const auto level = parse_log_level("loud");
  REQUIRE_FALSE(level.is_ok());
  CHECK(level.status().to_string() ==
        "invalid argument: unknown log level \"loud\": expected debug, info, warn or error");
  const auto format = parse_log_format("INFO\n");
  REQUIRE_FALSE(format.is_ok());
  CHECK(format.status().message() == "unknown log format \"INFO\\n\": expected text or json");
  CHECK_FALSE(parse_log_level("").is_ok());
  CHECK_FALSE(parse_log_level("Info").is_ok());
}

TEST_CASE("times are UTC ISO-8601 with milliseconds", "[ch11]") {
  CHECK(format_utc_millis(kTime) == "2026-12-01T15:22:27.123Z");
  CHECK(format_utc_millis(0) == "1970-01-01T00:00:00.000Z");
  CHECK(format_utc_millis(-1) == "1969-12-31T23:59:59.999Z");
  CHECK(format_utc_millis(1'709'164'800'007) == "2024-02-29T00:00:00.007Z");
  CHECK(format_utc_millis(253'402'300'799'999) == "9999-12-31T23:59:59.999Z");
}

TEST_CASE("a text line is time, level, event and name=value fields", "[ch11]") {
  Captured c(LogFormat::kText);
  const std::uint64_t n = 1'048'576;
  const std::string path = "data";
  c.log.info("flush", {{"tables", 3}, {"bytes", n}, {"dir", path}});
  c.log.error("compaction_failed");
  c.log.warn("stall", {{"seconds", 0.25}});
  c.log.debug("tick", {{"ok", true}});
  REQUIRE(c.lines.size() == 4);
  CHECK(c.lines[0] == "2026-12-01T15:22:27.123Z info  flush tables=3 bytes=1048576 dir=data");
  CHECK(c.lines[1] == "2026-12-01T15:22:27.123Z error compaction_failed");
  CHECK(c.lines[2] == "2026-12-01T15:22:27.123Z warn  stall seconds=0.25");
  CHECK(c.lines[3] == "2026-12-01T15:22:27.123Z debug tick ok=true");
}

TEST_CASE("a JSON line is one object with ts, level, event and the fields", "[ch11]") {
  Captured c(LogFormat::kJson);
  c.log.info("flush", {{"tables", 3}, {"bytes", std::uint64_t{1'048'576}}, {"dir", "data"}});
  c.log.warn("stall");
  REQUIRE(c.lines.size() == 2);
  CHECK(c.lines[0] ==
        R"({"ts":"2026-12-01T15:22:27.123Z","level":"info","event":"flush",)"
        R"("tables":3,"bytes":1048576,"dir":"data"})");
  CHECK(c.lines[1] == R"({"ts":"2026-12-01T15:22:27.123Z","level":"warn","event":"stall"})");
  for (const auto& line : c.lines) CHECK(is_valid_json(line));
}

TEST_CASE("every kind of value is written as what it is", "[ch11]") {
  const double inf = std::numeric_limits<double>::infinity();
  const double nan = std::numeric_limits<double>::quiet_NaN();
  // Integers of every width keep their sign and their full range.
  CHECK(json_value(std::int64_t{-42}) == "-42");
  CHECK(json_value(std::numeric_limits<std::int64_t>::min()) == "-9223372036854775808");
  CHECK(json_value(std::numeric_limits<std::uint64_t>::max()) == "18446744073709551615");
  CHECK(LogField("n", std::uint8_t{200}).value == LogField::Value(std::uint64_t{200}));
  CHECK(LogField("n", short{-3}).value == LogField::Value(std::int64_t{-3}));
  CHECK(LogField("n", 0).value == LogField::Value(std::int64_t{0}));  // not a null pointer
  // Doubles in their shortest exact form; JSON has no NaN or infinity, so they are null.
  CHECK(json_value(0.1) == "0.1");
  CHECK(json_value(2.0) == "2");
  CHECK(json_value(1e300) == "1e+300");
  CHECK(json_value(inf) == "null");
  CHECK(json_value(nan) == "null");
  CHECK(text_value(-inf) == "-inf");
  CHECK(LogField("x", 1.5f).value == LogField::Value(1.5));
  // Bools are bools, and a string literal stays a string (not a pointer turned bool).
  CHECK(json_value(true) == "true");
  CHECK(text_value(false) == "false");
  CHECK(LogField("s", "yes").value == LogField::Value(std::string_view("yes")));
  CHECK(json_value(std::string_view("yes")) == "\"yes\"");
}

TEST_CASE("a text value that would break the line is quoted with escapes", "[ch11]") {
  using S = std::string_view;
  CHECK(text_value(S("data/dir-1")) == "data/dir-1");
  CHECK(text_value(S("h\xc3\xa9llo")) == "h\xc3\xa9llo");  // UTF-8 stays readable
  CHECK(text_value(S("")) == R"("")");
  CHECK(text_value(S("a b")) == R"("a b")");
  CHECK(text_value(S("k=v")) == R"("k=v")");
  CHECK(text_value(S("say \"hi\"")) == R"("say \"hi\"")");
  CHECK(text_value(S("back\\slash")) == R"("back\\slash")");
  CHECK(text_value(S("two\nlines\r\t")) == R"("two\nlines\r\t")");
  CHECK(text_value(sv("nul\0bell\a\x7f", 10)) == R"("nul\x00bell\x07\x7f")");
  CHECK(text_value(S("\xff\xfe caf\xc3\xa9")) == R"("\xff\xfe caf\xc3\xa9")");  // not UTF-8
  // Hostile names are quoted too, so a line always splits into its fields at spaces.
  const LogField f("a name", "x");
  CHECK(EventLog::format_line(LogFormat::kText, 0, LogLevel::kInfo, "an event", {&f, 1}) ==
        R"(1970-01-01T00:00:00.000Z info  "an event" "a name"=x)");
}

TEST_CASE("JSON strings are escaped so the line is always valid JSON", "[ch11]") {
  using S = std::string_view;
  CHECK(json_value(S("say \"hi\" \\ /")) == R"("say \"hi\" \\ /")");
  CHECK(json_value(S("a\nb\rc\td")) == R"("a\nb\rc\td")");
  CHECK(json_value(sv("\0\x01\x1f\x7f", 4)) == "\"\\u0000\\u0001\\u001f\x7f\"");
  // Well-formed UTF-8 is kept; every byte that is not part of it becomes U+FFFD.
  CHECK(json_value(S("\xe2\x82\xac \xf0\x9f\x98\x80")) == "\"\xe2\x82\xac \xf0\x9f\x98\x80\"");
  CHECK(json_value(S("\xff")) == R"("\ufffd")");
  CHECK(json_value(S("\x80x")) == R"("\ufffdx")");                  // a stray continuation
  CHECK(json_value(S("\xe2\x82")) == R"("\ufffd\ufffd")");          // cut short
  CHECK(json_value(S("\xc0\xaf")) == R"("\ufffd\ufffd")");          // overlong '/'
  CHECK(json_value(S("\xe0\x80\xaf")) == R"("\ufffd\ufffd\ufffd")");  // overlong, 3 bytes
  CHECK(json_value(S("\xed\xa0\x80")) == R"("\ufffd\ufffd\ufffd")");  // a UTF-16 surrogate
  CHECK(json_value(S("\xf4\x90\x80\x80")) ==
        R"("\ufffd\ufffd\ufffd\ufffd")");  // past U+10FFFF
  CHECK(json_value(S("\xf4\x8f\xbf\xbf")) == "\"\xf4\x8f\xbf\xbf\"");  // U+10FFFF itself

  // Each byte alone, and random byte strings, in a value, a field's name and the event's.
  std::vector<std::string> hostile;
  for (int b = 0; b < 256; ++b) hostile.emplace_back(1, static_cast<char>(b));
  std::mt19937 random(11);
  for (int i = 0; i < 2000; ++i) {
    std::string s(random() % 12, '\0');
    for (char& c : s) c = static_cast<char>(random() % 256);
    hostile.push_back(s);
  }
  for (const std::string& s : hostile) {
    const LogField f(s, s);
    const std::string line =
        EventLog::format_line(LogFormat::kJson, kTime, LogLevel::kError, s, {&f, 1});
    INFO(vkv::escape_bytes(line));
    REQUIRE(is_valid_json(line));
    REQUIRE(line.find('\n') == std::string::npos);
  }
}

TEST_CASE("Python's JSON parser reads hostile lines back as the strings logged", "[ch11]") {
  const std::vector<std::pair<std::string, std::string>> cases = {
      // {what is logged, what a reader gets back (UTF-8)}
      {"plain", "plain"},
      {std::string("q\"b\\s/n\nr\rt\tz\0end", 16), std::string("q\"b\\s/n\nr\rt\tz\0end", 16)},
      {"\x01\x1f\x7f", "\x01\x1f\x7f"},
      {"\xe2\x82\xac\xf0\x9f\x98\x80", "\xe2\x82\xac\xf0\x9f\x98\x80"},
      {"a\xff" "b\xc0\xaf", "a\xef\xbf\xbd" "b\xef\xbf\xbd\xef\xbf\xbd"},
  };
  Captured c(LogFormat::kJson);
  for (const auto& [logged, expected] : cases) c.log.info("hostile", {{"v", logged}});
  std::string input;
  for (const auto& line : c.lines) input += line + "\n";

  // One line of hex out per line in: the UTF-8 of the field `v` as Python decoded it.
  const auto out = vkv::testing::run_program(
      "/usr/bin/python3",
      {"-c",
       "import json, sys\n"
       "for line in sys.stdin.buffer:\n"
       "    print(json.loads(line.decode('utf-8', 'strict'))['v'].encode('utf-8').hex())\n"},
      input);
  INFO(out.err);
  REQUIRE(out.exit_code == 0);
  std::string expected_out;
  static constexpr char kHex[] = "0123456789abcdef";
  for (const auto& [logged, expected] : cases) {
    for (const char ch : expected) {
      const auto b = static_cast<unsigned char>(ch);
      expected_out += kHex[b >> 4];
      expected_out += kHex[b & 0xf];
    }
    expected_out += "\n";
  }
  CHECK(out.out == expected_out);
}

TEST_CASE("events below the log's level are not written", "[ch11]") {
  Captured c(LogFormat::kText, LogLevel::kWarn);
  CHECK_FALSE(c.log.enabled(LogLevel::kDebug));
  CHECK_FALSE(c.log.enabled(LogLevel::kInfo));
  CHECK(c.log.enabled(LogLevel::kWarn));
  CHECK(c.log.enabled(LogLevel::kError));
  c.log.debug("a");
  c.log.info("b");
  c.log.warn("c");
  c.log.error("d");
  c.log.event(LogLevel::kInfo, "e");
  REQUIRE(c.lines.size() == 2);
  CHECK(c.lines[0].ends_with(" warn  c"));
  CHECK(c.lines[1].ends_with(" error d"));

  c.log.set_level(LogLevel::kDebug);
  CHECK(c.log.level() == LogLevel::kDebug);
  c.log.debug("f");
  REQUIRE(c.lines.size() == 3);
  CHECK(c.lines[2].ends_with(" debug f"));
}

TEST_CASE("fields built at run time go through the span overload", "[ch11]") {
  Captured c(LogFormat::kText);
  // A field borrows its name: the names must outlive the call, as these do.
  const std::vector<std::string> names = {"l0", "l1", "l2"};
  std::vector<LogField> fields;
  for (int i = 0; i < 3; ++i) fields.emplace_back(names[i], i * 10);
  c.log.event(LogLevel::kInfo, "levels", fields);
  REQUIRE(c.lines.size() == 1);
  CHECK(c.lines[0] == "2026-12-01T15:22:27.123Z info  levels l0=0 l1=10 l2=20");
}

TEST_CASE("lines from many threads reach a sink one at a time, whole", "[ch11]") {
  constexpr int kThreads = 8;
  constexpr int kEvents = 1000;
  std::atomic<int> inside{0};
  std::atomic<bool> overlapped{false};
  std::vector<std::string> lines;  // written only inside the sink, which the log serialises
  EventLog log(
      [&](std::string_view line) {
        if (inside.fetch_add(1) != 0) overlapped = true;
        lines.emplace_back(line);
        inside.fetch_sub(1);
      },
      EventLogOptions{LogLevel::kInfo, LogFormat::kJson, {}});
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&log, t] {
      for (int i = 0; i < kEvents; ++i) {
        log.info("tick", {{"thread", t}, {"i", i}, {"text", "with \"quotes\" and\nnewline"}});
      }
    });
  }
  for (auto& th : threads) th.join();
  CHECK_FALSE(overlapped);
  REQUIRE(lines.size() == kThreads * kEvents);
  for (const auto& line : lines) REQUIRE(is_valid_json(line));
}

TEST_CASE("lines from many threads to one file never interleave", "[ch11]") {
  constexpr int kThreads = 8;
  constexpr int kEvents = 1000;
  vkv::testing::TempDir dir;
  const std::string path = dir.file("log");
  {
    const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    REQUIRE(fd >= 0);
    vkv::UniqueFd owner(fd);
    EventLog log(fd, EventLogOptions{LogLevel::kInfo, LogFormat::kJson, {}});
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
      threads.emplace_back([&log, t] {
        const std::string padding(static_cast<std::size_t>(t) * 37, 'x');
        for (int i = 0; i < kEvents; ++i) {
          log.info("tick", {{"thread", t}, {"i", i}, {"padding", padding}});
        }
      });
    }
    for (auto& th : threads) th.join();
  }
  const std::string text = vkv::testing::read_whole_file(path);
  REQUIRE(!text.empty());
  REQUIRE(text.back() == '\n');
  std::set<std::string> seen;
  std::size_t lines = 0;
  for (std::size_t start = 0; start < text.size();) {
    const std::size_t end = text.find('\n', start);
    const std::string line = text.substr(start, end - start);
    start = end + 1;
    ++lines;
    REQUIRE(is_valid_json(line));
    const auto t = line.find("\"thread\":");
    const auto p = line.find(",\"padding\"");
    REQUIRE(t != std::string::npos);
    REQUIRE(p != std::string::npos);
    seen.insert(line.substr(t, p - t));  // "thread":T,"i":I
  }
  CHECK(lines == kThreads * kEvents);
  CHECK(seen.size() == kThreads * kEvents);  // each event exactly once
}

TEST_CASE("a line longer than a pipe holds arrives whole", "[ch11]") {
  int fds[2];
  REQUIRE(::pipe2(fds, O_CLOEXEC) == 0);
  vkv::UniqueFd read_end(fds[0]);
  vkv::UniqueFd write_end(fds[1]);
  std::string received;
  std::thread reader([&] {
    char buf[4096];
    for (;;) {
      const ssize_t n = ::read(read_end.get(), buf, sizeof buf);
      if (n <= 0) return;
      received.append(buf, static_cast<std::size_t>(n));
    }
  });
  const std::string big(1 << 20, 'y');  // 1 MiB: many times a pipe's 64 KiB
  {
    EventLog log(write_end.get(), EventLogOptions{LogLevel::kInfo, LogFormat::kText,
                                                  [] { return kTime; }});
    log.info("big", {{"v", big}});
    log.info("after");
  }
  write_end.reset();  // the reader sees the end
  reader.join();
  CHECK(received == "2026-12-01T15:22:27.123Z info  big v=" + big +
                        "\n2026-12-01T15:22:27.123Z info  after\n");
}

TEST_CASE("a write that fails is dropped and the caller goes on", "[ch11]") {
  EventLog closed(-1);  // every write fails with EBADF
  closed.error("lost", {{"why", "no descriptor"}});
  const int full = ::open("/dev/full", O_WRONLY | O_CLOEXEC);
  REQUIRE(full >= 0);
  vkv::UniqueFd owner(full);
  EventLog disk_full(full);  // every write fails with ENOSPC
  for (int i = 0; i < 100; ++i) disk_full.info("lost", {{"i", i}});
  SUCCEED("no exception, no hang, no crash");
}
