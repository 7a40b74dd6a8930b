// Chapter 12's exercise: `ch12-cluster moves`. Hidden ([.exercise]): it fails until the
// learner adds the subcommand (`make exercise N=12` reports it).
#include <catch2/catch.hpp>

#include <string>

#include "common/testing/test_util.hpp"

namespace {

// The percentage in "moved M of K keys (P%)", or -1.
double percent_moved(const std::string& out) {
  const auto open = out.find('(');
  const auto pct = out.find("%)");
  if (open == std::string::npos || pct == std::string::npos) return -1;
  return std::stod(out.substr(open + 1, pct - open - 1));
}

}  // namespace

TEST_CASE("exercise: ch12-cluster moves, the share of keys that move when nodes change",
          "[.exercise][ch12]") {
  const auto grow = vkv::testing::run_program(
      CH12_TOOL, {"moves", "--from", "3", "--to", "4", "--keys", "10000"}, "");
  REQUIRE(grow.exit_code == 0);
  CHECK(grow.out.rfind("moved ", 0) == 0);
  CHECK(percent_moved(grow.out) > 15);  // about a quarter: the new node's share
  CHECK(percent_moved(grow.out) < 35);
  const auto same = vkv::testing::run_program(
      CH12_TOOL, {"moves", "--from", "3", "--to", "3", "--keys", "1000"}, "");
  CHECK(same.out == "moved 0 of 1000 keys (0.0%)\n");
  const auto bad = vkv::testing::run_program(CH12_TOOL, {"moves", "--from", "0"}, "");
  CHECK(bad.exit_code == 2);
}
