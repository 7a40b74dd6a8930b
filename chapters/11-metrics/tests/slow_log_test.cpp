// SlowLog: the threshold (0: all, negative: none), the newest first, its length bound, and
// Redis's shortening of long commands.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "11-metrics/slow_log.hpp"

using vkv::runtime::SlowLog;

namespace {

void add(SlowLog& log, std::vector<std::string_view> args, std::uint64_t micros) {
  if (log.should_log(micros)) log.add(args, micros, "");
}

}  // namespace

TEST_CASE("slow log: only commands at or past the threshold, newest first, at most max_len",
          "[ch11]") {
  SlowLog log(100, 3);
  add(log, {"get", "a"}, 99);
  CHECK(log.size() == 0);
  for (int i = 0; i < 5; ++i) add(log, {"set", "k" + std::to_string(i)}, 100 + i);
  REQUIRE(log.size() == 3);
  const auto newest = log.newest(10);
  REQUIRE(newest.size() == 3);
  CHECK(newest[0].id == 4);
  CHECK(newest[0].micros == 104);
  CHECK(newest[0].args == std::vector<std::string>{"set", "k4"});
  CHECK(newest[2].id == 2);
  CHECK(log.newest(1).size() == 1);
  log.reset();
  CHECK(log.size() == 0);
  add(log, {"get", "a"}, 500);
  CHECK(log.newest(1)[0].id == 5);  // ids go on after a reset
}

TEST_CASE("slow log: a threshold of 0 keeps every command, a negative one none", "[ch11]") {
  SlowLog all(0, 10);
  CHECK(all.should_log(0));
  SlowLog none(-1, 10);
  CHECK_FALSE(none.should_log(1'000'000'000));
  SlowLog empty(0, 0);
  empty.add(std::vector<std::string_view>{"get"}, 5, "");
  CHECK(empty.size() == 0);
}

TEST_CASE("slow log: long commands are shortened as Redis shortens them", "[ch11]") {
  SlowLog log(0, 10);
  std::vector<std::string> words(40, "w");
  words[1] = std::string(200, 'v');
  std::vector<std::string_view> views(words.begin(), words.end());
  log.add(views, 7, "app");
  const auto e = log.newest(1).at(0);
  REQUIRE(e.args.size() == 32);
  CHECK(e.args[1] == std::string(128, 'v') + "... (72 more bytes)");
  CHECK(e.args[31] == "... (9 more arguments)");
  CHECK(e.client_name == "app");
}
