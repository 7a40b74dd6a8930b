// Chapter 11's exercise: LATENCY HISTOGRAM. Hidden ([.exercise]): it fails until the learner
// writes the command (`make exercise N=11` reports it).
#include <catch2/catch.hpp>

#include <string>

#include "11-metrics/tests/metrics_fixture.hpp"

using namespace vkv::testing;

TEST_CASE("exercise: LATENCY HISTOGRAM, the latencies of each command by power of two",
          "[.exercise][ch11]") {
  MetricsFixture f;
  CHECK(f("SET a 1") == kOk);
  CHECK(f("SET b 2") == kOk);
  CHECK(f("GET a") == bulk("1"));
  // Redis 7's reply, RESP2: the command's name, then calls and a histogram whose keys are
  // bucket bounds in microseconds (1, 2, 4, ...) and whose values are cumulative counts.
  const std::string set = f("LATENCY HISTOGRAM set");
  CHECK(set.rfind("*2\r\n$3\r\nset\r\n*4\r\n$5\r\ncalls\r\n:2\r\n$14\r\nhistogram_usec\r\n*", 0) == 0);
  CHECK(set.find(":2\r\n", set.find("histogram_usec")) != std::string::npos);  // all 2 counted
  const std::string all = f("LATENCY HISTOGRAM");
  CHECK(all.rfind("*6\r\n", 0) == 0);  // get, set, and LATENCY HISTOGRAM's first call
  CHECK(f("LATENCY HISTOGRAM nosuch") == "*0\r\n");
  CHECK(f("LATENCY NOSUCH").rfind("-ERR unknown subcommand", 0) == 0);
  CHECK(f("COMMAND INFO latency").find("latency") != std::string::npos);
}
