// LogRateLimiter under a manual clock: a burst per window, then drops, counted and reported
// by the next event allowed; kinds apart; the log's level first; a bounded memory of kinds;
// exact counts under many threads.
#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <string>
#include <thread>
#include <vector>

#include "11-metrics/event_log.hpp"
#include "11-metrics/rate_limiter.hpp"

using vkv::runtime::EventLog;
using vkv::runtime::EventLogOptions;
using vkv::runtime::LogAdmission;
using vkv::runtime::LogFormat;
using vkv::runtime::LogLevel;
using vkv::runtime::LogRateLimiter;

namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

// A steady clock a test moves by hand.
struct ManualMillis {
  std::atomic<std::int64_t> now{1'000'000};
  vkv::runtime::SteadyMillisClock clock() {
    return [this] { return now.load(); };
  }
};

// How many of `n` events of `kind` the limiter allows.
int allowed_of(LogRateLimiter& limiter, std::string_view kind, int n) {
  int allowed = 0;
  for (int i = 0; i < n; ++i) allowed += limiter.admit(kind) ? 1 : 0;
  return allowed;
}

}  // namespace

TEST_CASE("a burst is allowed, the rest of the window is counted", "[ch11]") {
  ManualMillis t;
  LogRateLimiter limiter(3, seconds(10), t.clock());
  for (int i = 0; i < 3; ++i) {
    const LogAdmission a = limiter.admit("bad_request");
    CHECK(a.allowed);
    CHECK(a.suppressed == 0);
  }
  for (int i = 0; i < 5; ++i) {
    const LogAdmission a = limiter.admit("bad_request");
    CHECK_FALSE(a.allowed);
    CHECK(a.suppressed == 0);
  }
  t.now += 9'999;  // the window is counted from its first event
  CHECK_FALSE(limiter.admit("bad_request"));
  t.now += 1;  // a new window: the burst is back, and the first says how many were dropped
  const LogAdmission next = limiter.admit("bad_request");
  CHECK(next.allowed);
  CHECK(next.suppressed == 6);
  const LogAdmission after = limiter.admit("bad_request");
  CHECK(after.allowed);
  CHECK(after.suppressed == 0);  // said once, not again
  CHECK(allowed_of(limiter, "bad_request", 10) == 1);
}

TEST_CASE("each kind has its own burst", "[ch11]") {
  ManualMillis t;
  LogRateLimiter limiter(2, seconds(10), t.clock());
  CHECK(allowed_of(limiter, "a", 5) == 2);
  CHECK(allowed_of(limiter, "b", 5) == 2);
  t.now += 10'000;
  CHECK(limiter.admit("a").suppressed == 3);
  CHECK(limiter.admit("b").suppressed == 3);
}

TEST_CASE("a burst of 0 counts as 1, and the defaults are 10 in 10 seconds", "[ch11]") {
  ManualMillis t;
  LogRateLimiter one(0, seconds(1), t.clock());
  CHECK(allowed_of(one, "k", 5) == 1);
  LogRateLimiter defaults(10, seconds(10), t.clock());
  CHECK(allowed_of(defaults, "k", 100) == 10);
  LogRateLimiter real_clock;  // the steady clock: a test this quick stays in one window
  CHECK(allowed_of(real_clock, "k", 100) == 10);
}

TEST_CASE("event() writes within the limit and adds suppressed=N", "[ch11]") {
  ManualMillis t;
  std::vector<std::string> lines;
  EventLog log([&](std::string_view line) { lines.emplace_back(line); },
               EventLogOptions{LogLevel::kInfo, LogFormat::kText, [] { return std::int64_t{0}; }});
  LogRateLimiter limiter(2, seconds(10), t.clock());
  int written = 0;
  for (int i = 0; i < 5; ++i) {
    if (limiter.event(log, LogLevel::kWarn, "client_error", {{"error", "bad frame"}})) ++written;
  }
  CHECK(written == 2);
  t.now += 10'000;
  CHECK(limiter.event(log, LogLevel::kWarn, "client_error", {{"error", "bad frame"}}));
  REQUIRE(lines.size() == 3);
  CHECK(lines[0] == R"(1970-01-01T00:00:00.000Z warn  client_error error="bad frame")");
  CHECK(lines[1] == lines[0]);
  CHECK(lines[2] ==
        R"(1970-01-01T00:00:00.000Z warn  client_error error="bad frame" suppressed=3)");
}

TEST_CASE("an event the log's level hides is not counted against the limit", "[ch11]") {
  ManualMillis t;
  std::vector<std::string> lines;
  EventLog log([&](std::string_view line) { lines.emplace_back(line); },
               EventLogOptions{LogLevel::kWarn, LogFormat::kText, {}});
  LogRateLimiter limiter(1, seconds(10), t.clock());
  for (int i = 0; i < 10; ++i) CHECK_FALSE(limiter.event(log, LogLevel::kInfo, "chatter"));
  CHECK(lines.empty());
  log.set_level(LogLevel::kInfo);
  CHECK(limiter.event(log, LogLevel::kInfo, "chatter"));
  REQUIRE(lines.size() == 1);
  CHECK(lines[0].ends_with(" chatter"));  // no suppressed=: nothing was dropped
}

TEST_CASE("the limiter remembers a bounded number of kinds", "[ch11]") {
  ManualMillis t;
  LogRateLimiter limiter(1, seconds(10), t.clock());
  for (std::size_t i = 0; i < LogRateLimiter::kMaxKinds; ++i) {
    REQUIRE(limiter.admit("kind" + std::to_string(i)).allowed);
  }
  // Full, and every window still open: new kinds share the overflow kind's burst.
  CHECK(limiter.admit("new1").allowed);
  CHECK_FALSE(limiter.admit("new2").allowed);
  CHECK_FALSE(limiter.admit("new3").allowed);
  CHECK_FALSE(limiter.admit(LogRateLimiter::kOverflowKind).allowed);
  // Once their windows end, the quiet kinds are forgotten and a new kind gets its own.
  t.now += 10'000;
  CHECK(limiter.admit("new4").allowed);
  CHECK_FALSE(limiter.admit("new4").allowed);
  CHECK(limiter.admit("new5").allowed);
  // The overflow kind kept its count of drops, and reports it.
  CHECK(limiter.admit(LogRateLimiter::kOverflowKind).suppressed == 3);
}

TEST_CASE("under many threads exactly the burst is allowed and every drop is counted",
          "[ch11]") {
  ManualMillis t;
  LogRateLimiter limiter(10, seconds(10), t.clock());
  constexpr int kThreads = 8;
  constexpr int kEvents = 1000;
  std::atomic<int> allowed{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < kThreads; ++i) {
    threads.emplace_back([&] { allowed += allowed_of(limiter, "flood", kEvents); });
  }
  for (auto& th : threads) th.join();
  CHECK(allowed == 10);
  t.now += 10'000;
  CHECK(limiter.admit("flood").suppressed == kThreads * kEvents - 10);
}
