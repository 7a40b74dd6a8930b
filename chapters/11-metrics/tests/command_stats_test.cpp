// CommandStats: names found in any case, subcommands as `name|sub`, counts added up over
// threads, outcomes, and reset.
#include <catch2/catch.hpp>

#include <string>
#include <thread>
#include <vector>

#include "11-metrics/command_stats.hpp"

using vkv::runtime::CommandStats;

namespace {

std::vector<std::string> names() { return {"config", "config|get", "get", "set"}; }

int slot_of(const CommandStats& stats, std::vector<std::string_view> args) {
  return stats.slot(args);
}

}  // namespace

TEST_CASE("command stats: a command is found by its name in any case, a subcommand as "
          "name|sub", "[ch11]") {
  const auto n = names();
  CommandStats stats(n);
  CHECK(slot_of(stats, {"GET", "k"}) == slot_of(stats, {"get"}));
  CHECK(slot_of(stats, {"gEt"}) >= 0);
  CHECK(slot_of(stats, {"nosuch"}) == -1);
  CHECK(slot_of(stats, {std::string_view(std::string(200, 'x'))}) == -1);
  const int config = slot_of(stats, {"CONFIG"});
  const int config_get = slot_of(stats, {"CONFIG", "GET", "*"});
  CHECK(config >= 0);
  CHECK(config_get >= 0);
  CHECK(config_get != config);
  CHECK(slot_of(stats, {"config", "nosuch"}) == config);  // an unknown subcommand: the command
  CHECK(slot_of(stats, {"get", "config"}) == slot_of(stats, {"get"}));  // GET has none
}

TEST_CASE("command stats: calls from many threads add up, with their outcomes", "[ch11]") {
  // Each thread counts in its own row; snapshot() adds the rows up once the threads are done.
  const auto n = names();
  CommandStats stats(n);
  const int get = slot_of(stats, {"get"});
  const int set = slot_of(stats, {"set"});
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 10'000; ++i) stats.record(get, 1000, CommandStats::Outcome::kOk);
      stats.record(set, 2000, CommandStats::Outcome::kFailed);
      stats.record(set, 3000, CommandStats::Outcome::kRejected);
    });
  }
  for (auto& t : threads) t.join();
  const auto totals = stats.snapshot();
  REQUIRE(totals.size() == 2);  // only the commands called
  CHECK(totals[0].name == "get");
  CHECK(totals[0].calls == 40'000);
  CHECK(totals[0].latency.total_ns == 40'000'000);
  CHECK(totals[0].failed == 0);
  CHECK(totals[1].name == "set");
  CHECK(totals[1].calls == 4);  // the rejected ones never ran: not calls, as in Redis
  CHECK(totals[1].failed == 4);
  CHECK(totals[1].rejected == 4);
  CHECK(stats.total_calls() == 40'004);
  CHECK(stats.all_latency().count == 40'004);
  stats.reset();
  CHECK(stats.snapshot().empty());
  CHECK(stats.total_calls() == 0);
}

TEST_CASE("command stats: two of them on one thread keep their counts apart", "[ch11]") {
  const auto n = names();
  CommandStats a(n);
  CommandStats b(n);
  for (int i = 0; i < 3; ++i) {
    a.record(a.slot(std::vector<std::string_view>{"get"}), 10, CommandStats::Outcome::kOk);
    b.record(b.slot(std::vector<std::string_view>{"set"}), 10, CommandStats::Outcome::kOk);
  }
  REQUIRE(a.snapshot().size() == 1);
  CHECK(a.snapshot()[0].name == "get");
  CHECK(a.snapshot()[0].calls == 3);
  REQUIRE(b.snapshot().size() == 1);
  CHECK(b.snapshot()[0].name == "set");
}
