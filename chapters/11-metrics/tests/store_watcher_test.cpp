// StoreWatcher over scripted samples: the first is a baseline; flushes, compactions (one
// event a level), stalls and failed compactions become exact lines; nothing changed, nothing
// logged; a reset counter counts from zero. Then the real thread: it logs what changes, and
// stops at once however long its period.
#include <catch2/catch.hpp>

#include <chrono>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "11-metrics/event_log.hpp"
#include "11-metrics/store_watcher.hpp"
#include "common/testing/test_util.hpp"

using vkv::runtime::EventLog;
using vkv::runtime::EventLogOptions;
using vkv::runtime::LogFormat;
using vkv::runtime::LogLevel;
using vkv::runtime::StoreSample;
using vkv::runtime::StoreWatcher;
using vkv::testing::wait_for;

namespace {

// A store's counters that a test sets, and a log that keeps its lines. Thread-safe, for the
// test that runs the watcher's thread.
struct Script {
  Script()
      : log(
            [this](std::string_view line) {
              std::lock_guard lock(mu);
              lines.emplace_back(line.substr(line.find(' ') + 1));  // without the time
            },
            EventLogOptions{LogLevel::kDebug, LogFormat::kText, {}}) {
    sample.levels.resize(3);
  }

  StoreSample take() {
    std::lock_guard lock(mu);
    ++taken;
    return sample;
  }
  int times_taken() {
    std::lock_guard lock(mu);
    return taken;
  }
  std::vector<std::string> drain() {
    std::lock_guard lock(mu);
    return std::exchange(lines, {});
  }
  template <typename F>
  void change(F f) {
    std::lock_guard lock(mu);
    f(sample);
  }

  std::mutex mu;
  StoreSample sample;              // guarded by mu
  int taken = 0;                   // guarded by mu
  std::vector<std::string> lines;  // guarded by mu
  EventLog log;
};

}  // namespace

TEST_CASE("the first sample is the baseline and logs nothing", "[ch11]") {
  Script s;
  s.change([](StoreSample& x) {
    x.flushes = 40;
    x.failed_compactions = 2;
    x.stopped_writes = 7;
    x.levels[1].compactions = 9;
  });
  StoreWatcher w([&] { return s.take(); }, s.log);
  CHECK(w.check_once() == 0);
  CHECK(w.check_once() == 0);  // and nothing changed since
  CHECK(s.drain().empty());
  CHECK(s.times_taken() == 2);
}

TEST_CASE("flushes since the last sample make one flush event", "[ch11]") {
  Script s;
  StoreWatcher w([&] { return s.take(); }, s.log);
  w.check_once();
  s.change([](StoreSample& x) {
    x.flushes = 2;
    x.flushed_bytes = 8'388'608;
    x.memtable_bytes = 1024;
    x.levels[0].tables = 2;
    x.levels[0].bytes = 8'388'608;
  });
  CHECK(w.check_once() == 1);
  s.change([](StoreSample& x) {
    x.flushes = 3;
    x.flushed_bytes = 12'000'000;
    x.levels[0].tables = 3;
  });
  CHECK(w.check_once() == 1);
  const auto lines = s.drain();
  REQUIRE(lines.size() == 2);
  CHECK(lines[0] == "info  flush flushes=2 bytes=8388608 l0_tables=2 memtable_bytes=1024");
  CHECK(lines[1] == "info  flush flushes=1 bytes=3611392 l0_tables=3 memtable_bytes=1024");
}

TEST_CASE("each level that compactions reached makes one compaction event", "[ch11]") {
  Script s;
  s.change([](StoreSample& x) {
    x.levels[1] = {4, 40'000, 10, 1, 90'000, 80'000, 1.5};
  });
  StoreWatcher w([&] { return s.take(); }, s.log);
  w.check_once();
  s.change([](StoreSample& x) {
    x.levels[0].tables = 0;  // level 0's tables went down into level 1
    x.levels[1] = {5, 52'000, 11, 1, 102'000, 92'000, 1.7504};
    x.levels[2].moves = 1;  // and a table moved to level 2 without a rewrite
    x.levels[2].tables = 1;
    x.levels[2].bytes = 2'000;
  });
  CHECK(w.check_once() == 2);
  const auto lines = s.drain();
  REQUIRE(lines.size() == 2);
  CHECK(lines[0] ==
        "info  compaction level=1 compactions=1 moves=0 read_bytes=12000 written_bytes=12000 "
        "seconds=0.25 tables=5 bytes=52000");
  CHECK(lines[1] ==
        "info  compaction level=2 compactions=0 moves=1 read_bytes=0 written_bytes=0 "
        "seconds=0 tables=1 bytes=2000");
}

TEST_CASE("slowed or stopped writes make a stall warning", "[ch11]") {
  Script s;
  StoreWatcher w([&] { return s.take(); }, s.log);
  w.check_once();
  s.change([](StoreSample& x) {
    x.slowed_writes = 120;
    x.levels[0].tables = 8;
  });
  CHECK(w.check_once() == 1);
  s.change([](StoreSample& x) {
    x.stopped_writes = 3;
    x.stopped_seconds = 0.4;
    x.levels[0].tables = 12;
  });
  CHECK(w.check_once() == 1);
  const auto lines = s.drain();
  REQUIRE(lines.size() == 2);
  CHECK(lines[0] == "warn  stall slowed_writes=120 stopped_writes=0 stopped_seconds=0 l0_tables=8");
  CHECK(lines[1] ==
        "warn  stall slowed_writes=0 stopped_writes=3 stopped_seconds=0.4 l0_tables=12");
}

TEST_CASE("a failed compaction is an error event", "[ch11]") {
  Script s;
  StoreWatcher w([&] { return s.take(); }, s.log);
  w.check_once();
  s.change([](StoreSample& x) { x.failed_compactions = 1; });
  CHECK(w.check_once() == 1);
  s.change([](StoreSample& x) { x.failed_compactions = 3; });
  CHECK(w.check_once() == 1);
  CHECK(w.check_once() == 0);
  const auto lines = s.drain();
  REQUIRE(lines.size() == 2);
  CHECK(lines[0] == "error compaction_failed failures=1 total=1");
  CHECK(lines[1] == "error compaction_failed failures=2 total=3");
}

TEST_CASE("everything at once comes out flush, compactions, stall, failure", "[ch11]") {
  Script s;
  StoreWatcher w([&] { return s.take(); }, s.log);
  w.check_once();
  s.change([](StoreSample& x) {
    x.flushes = 1;
    x.levels[1].compactions = 1;
    x.stopped_writes = 1;
    x.failed_compactions = 1;
  });
  CHECK(w.check_once() == 4);
  const auto lines = s.drain();
  REQUIRE(lines.size() == 4);
  CHECK(lines[0].starts_with("info  flush "));
  CHECK(lines[1].starts_with("info  compaction level=1 "));
  CHECK(lines[2].starts_with("warn  stall "));
  CHECK(lines[3].starts_with("error compaction_failed "));
}

TEST_CASE("a counter that went down counts from zero, and new levels from nothing",
          "[ch11]") {
  Script s;
  s.change([](StoreSample& x) {
    x.flushes = 10;
    x.levels.resize(1);
  });
  StoreWatcher w([&] { return s.take(); }, s.log);
  w.check_once();
  s.change([](StoreSample& x) {
    x.flushes = 2;  // the store was opened again
    x.levels.resize(2);
    x.levels[1].compactions = 1;
  });
  CHECK(w.check_once() == 2);
  const auto lines = s.drain();
  REQUIRE(lines.size() == 2);
  CHECK(lines[0].starts_with("info  flush flushes=2 "));
  CHECK(lines[1].starts_with("info  compaction level=1 compactions=1 "));
}

TEST_CASE("the watcher's thread logs what changes, and stops", "[ch11]") {
  Script s;
  StoreWatcher w([&] { return s.take(); }, s.log, std::chrono::milliseconds(5));
  w.start();
  REQUIRE(wait_for([&] { return s.times_taken() >= 2; }));  // the baseline and a check
  s.change([](StoreSample& x) { x.flushes = 1; });
  std::vector<std::string> seen;
  REQUIRE(wait_for([&] {
    for (auto& line : s.drain()) seen.push_back(std::move(line));
    return !seen.empty();
  }));
  CHECK(seen == std::vector<std::string>{
                    "info  flush flushes=1 bytes=0 l0_tables=0 memtable_bytes=0"});
  w.stop();
  w.stop();  // idempotent
  // The thread is gone; the last sample it took is still the one check_once() compares with.
  s.change([](StoreSample& x) { x.flushes = 3; });
  CHECK(w.check_once() == 1);
  CHECK(s.drain() == std::vector<std::string>{
                         "info  flush flushes=2 bytes=0 l0_tables=0 memtable_bytes=0"});
}

TEST_CASE("stop() does not wait out the period", "[ch11]") {
  Script s;
  StoreWatcher w([&] { return s.take(); }, s.log, std::chrono::hours(1));
  w.start();
  // Once the baseline is taken, the thread waits its hour.
  REQUIRE(wait_for([&] { return s.times_taken() >= 1; }));
  const auto before = std::chrono::steady_clock::now();
  w.stop();
  CHECK(std::chrono::steady_clock::now() - before < std::chrono::seconds(5));
}

TEST_CASE("a watcher that was started stops when destroyed", "[ch11]") {
  Script s;
  {
    StoreWatcher w([&] { return s.take(); }, s.log, std::chrono::hours(1));
    w.start();
  }
  SUCCEED("destroyed without a hang");
}
