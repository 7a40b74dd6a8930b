// PrometheusText: the exact text of each family type, escaping, the values Prometheus reads,
// the mistakes it refuses, and Prometheus's own parser (promtool) over a sample registry.
#include <catch2/catch.hpp>

#include <array>
#include <cmath>
#include <cstdint>
#include <limits>
#include <stdexcept>
#include <string>
#include <vector>

#include "11-metrics/prometheus_text.hpp"
#include "11-metrics/tests/promtool.hpp"

using vkv::engine::PrometheusLabel;
using vkv::engine::PrometheusText;

namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

// The text of a registry like the server's: counters, gauges, and a histogram with several
// label sets, with label values that need escaping.
std::string sample_registry() {
  PrometheusText text;
  text.counter("vkv_commands_total", "Commands run, by command.");
  text.sample(12, {{"cmd", "get"}});
  text.sample(3, {{"cmd", "set"}});
  text.sample(0, {{"cmd", "del"}});
  text.counter("vkv_connections_accepted_total", "Client connections accepted.");
  text.sample(7);
  text.gauge("vkv_connected_clients", "Clients connected now.");
  text.sample(2);
  text.gauge("vkv_memtable_bytes", "Bytes held by the memtable.");
  text.sample(1048576);
  text.gauge("vkv_compaction_score", "How overdue compaction is, per level.");
  text.sample(0.25, {{"level", "0"}});
  text.sample(kInf, {{"level", "1"}});
  text.sample(std::nan(""), {{"level", "2"}});
  text.gauge("vkv_build_info", "The build: always 1, its version in the labels.");
  text.sample(1, {{"version", "11 \"metrics\" \\ beta\nsecond line"}, {"os", "Linux, é"}});
  text.histogram("vkv_command_duration_seconds", "Time to run a command, by command.");
  const std::array<double, 4> bounds{0.0001, 0.001, 0.01, 0.1};
  const std::array<std::uint64_t, 4> get_counts{5, 9, 11, 12};
  text.histogram_sample({{"cmd", "get"}}, bounds, get_counts, 0.0421, 12);
  const std::array<std::uint64_t, 4> set_counts{0, 1, 3, 3};
  text.histogram_sample({{"cmd", "set"}}, bounds, set_counts, 0.0137, 3);
  const std::array<std::uint64_t, 4> none{0, 0, 0, 0};
  text.histogram_sample({{"cmd", "del"}}, bounds, none, 0, 0);
  return text.take();
}

}  // namespace

TEST_CASE("prometheus text: a counter family is HELP, TYPE and its samples", "[ch11]") {
  PrometheusText text;
  text.counter("vkv_commands_total", "Commands run, by command.");
  text.sample(12, {{"cmd", "get"}});
  text.sample(3, {{"cmd", "set"}, {"proto", "resp"}});
  text.counter("vkv_errors_total", "Errors sent.");
  text.sample(0);
  CHECK(text.take() ==
        "# HELP vkv_commands_total Commands run, by command.\n"
        "# TYPE vkv_commands_total counter\n"
        "vkv_commands_total{cmd=\"get\"} 12\n"
        "vkv_commands_total{cmd=\"set\",proto=\"resp\"} 3\n"
        "# HELP vkv_errors_total Errors sent.\n"
        "# TYPE vkv_errors_total counter\n"
        "vkv_errors_total 0\n");
}

TEST_CASE("prometheus text: a gauge family, with values of every kind", "[ch11]") {
  PrometheusText text;
  text.gauge("vkv_level_score", "Compaction score.");
  text.sample(0.25, {{"level", "0"}});
  text.sample(-3, {{"level", "1"}});
  text.sample(kInf, {{"level", "2"}});
  text.sample(std::nan(""), {{"level", "3"}});
  const std::vector<PrometheusLabel> labels{{"level", "4"}};
  text.sample(1e-7, labels);
  CHECK(text.take() ==
        "# HELP vkv_level_score Compaction score.\n"
        "# TYPE vkv_level_score gauge\n"
        "vkv_level_score{level=\"0\"} 0.25\n"
        "vkv_level_score{level=\"1\"} -3\n"
        "vkv_level_score{level=\"2\"} +Inf\n"
        "vkv_level_score{level=\"3\"} NaN\n"
        "vkv_level_score{level=\"4\"} 1e-7\n");
}

TEST_CASE("prometheus text: a histogram writes cumulative buckets, +Inf, _sum and _count",
          "[ch11]") {
  PrometheusText text;
  text.histogram("vkv_command_duration_seconds", "Time to run a command.");
  const std::array<double, 3> bounds{0.001, 0.01, 1};
  const std::array<std::uint64_t, 3> get{4, 6, 6};
  text.histogram_sample({{"cmd", "get"}}, bounds, get, 0.0125, 7);
  const std::array<std::uint64_t, 3> none{0, 0, 0};
  text.histogram_sample({}, bounds, none, 0, 0);
  CHECK(text.take() ==
        "# HELP vkv_command_duration_seconds Time to run a command.\n"
        "# TYPE vkv_command_duration_seconds histogram\n"
        "vkv_command_duration_seconds_bucket{cmd=\"get\",le=\"0.001\"} 4\n"
        "vkv_command_duration_seconds_bucket{cmd=\"get\",le=\"0.01\"} 6\n"
        "vkv_command_duration_seconds_bucket{cmd=\"get\",le=\"1\"} 6\n"
        "vkv_command_duration_seconds_bucket{cmd=\"get\",le=\"+Inf\"} 7\n"
        "vkv_command_duration_seconds_sum{cmd=\"get\"} 0.0125\n"
        "vkv_command_duration_seconds_count{cmd=\"get\"} 7\n"
        "vkv_command_duration_seconds_bucket{le=\"0.001\"} 0\n"
        "vkv_command_duration_seconds_bucket{le=\"0.01\"} 0\n"
        "vkv_command_duration_seconds_bucket{le=\"1\"} 0\n"
        "vkv_command_duration_seconds_bucket{le=\"+Inf\"} 0\n"
        "vkv_command_duration_seconds_sum 0\n"
        "vkv_command_duration_seconds_count 0\n");
}

TEST_CASE("prometheus text: label values and help texts are escaped", "[ch11]") {
  PrometheusText text;
  text.gauge("g", "a \\ backslash, a \"quote\" and\na second line");
  text.sample(1, {{"v", "back\\slash \"quoted\"\nnext"}});
  CHECK(text.take() ==
        "# HELP g a \\\\ backslash, a \"quote\" and\\na second line\n"
        "# TYPE g gauge\n"
        "g{v=\"back\\\\slash \\\"quoted\\\"\\nnext\"} 1\n");
}

TEST_CASE("prometheus text: UTF-8 passes, bytes that are not UTF-8 become U+FFFD", "[ch11]") {
  PrometheusText text;
  text.gauge("g", "caf\xC3\xA9");
  text.sample(1, {{"v", "\xE2\x82\xAC ok"}});                 // the euro sign
  text.sample(2, {{"v", "\xFF\xC0\xAF|\xED\xA0\x80|\xE2\x82"}});  // bad, overlong, surrogate, cut
  CHECK(text.take() ==
        "# HELP g caf\xC3\xA9\n"
        "# TYPE g gauge\n"
        "g{v=\"\xE2\x82\xAC ok\"} 1\n"
        "g{v=\"\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD|\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD|"
        "\xEF\xBF\xBD\xEF\xBF\xBD\"} 2\n");
}

TEST_CASE("prometheus text: values are written so Prometheus reads them back", "[ch11]") {
  CHECK(PrometheusText::format_value(0) == "0");
  CHECK(PrometheusText::format_value(3) == "3");
  CHECK(PrometheusText::format_value(-42) == "-42");
  CHECK(PrometheusText::format_value(9007199254740992.0) == "9007199254740992");  // 2^53
  CHECK(PrometheusText::format_value(0.005) == "0.005");
  CHECK(PrometheusText::format_value(1.5e-7) == "1.5e-7");
  CHECK(PrometheusText::format_value(0.1 + 0.2) == "0.30000000000000004");
  CHECK(PrometheusText::format_value(kInf) == "+Inf");
  CHECK(PrometheusText::format_value(-kInf) == "-Inf");
  CHECK(PrometheusText::format_value(std::nan("")) == "NaN");
}

TEST_CASE("prometheus text: take() empties the writer for the next scrape", "[ch11]") {
  PrometheusText text;
  text.gauge("g", "A gauge.");
  text.sample(1);
  CHECK_FALSE(text.take().empty());
  CHECK(text.take().empty());
  text.gauge("g", "A gauge.");  // the same family again: a new scrape
  text.sample(2);
  CHECK(text.take() == "# HELP g A gauge.\n# TYPE g gauge\ng 2\n");
}

TEST_CASE("prometheus text: what the format cannot say is a bug, and throws", "[ch11]") {
  PrometheusText text;
  SECTION("names") {
    CHECK_THROWS_AS(text.counter("vkv_commands", "No _total."), std::logic_error);
    CHECK_THROWS_AS(text.gauge("vkv_things_total", "A gauge in a counter's name."),
                    std::logic_error);
    CHECK_THROWS_AS(text.gauge("9lives", "Starts with a digit."), std::logic_error);
    CHECK_THROWS_AS(text.gauge("vkv-bytes", "A dash."), std::logic_error);
    CHECK_THROWS_AS(text.gauge("", "Empty."), std::logic_error);
    CHECK_THROWS_AS(text.gauge("vkv_bytes", ""), std::logic_error);
    CHECK_NOTHROW(text.gauge("vkv:rule_bytes", "A colon is allowed in a metric name."));
    CHECK_THROWS_AS(text.sample(1, {{"a:b", "x"}}), std::logic_error);  // not in a label's
    CHECK_THROWS_AS(text.sample(1, {{"1a", "x"}}), std::logic_error);
    CHECK_THROWS_AS(text.sample(1, {{"a", "x"}, {"a", "y"}}), std::logic_error);
  }
  SECTION("a family begun twice, or a histogram's sample names taken") {
    text.gauge("g", "A gauge.");
    CHECK_THROWS_AS(text.gauge("g", "Again."), std::logic_error);
    text.gauge("h_count", "A gauge.");
    CHECK_THROWS_AS(text.histogram("h", "Its _count is taken."), std::logic_error);
  }
  SECTION("samples of the wrong type") {
    const std::array<double, 1> bounds{1};
    const std::array<std::uint64_t, 1> counts{1};
    CHECK_THROWS_AS(text.sample(1), std::logic_error);  // no family yet
    text.counter("c_total", "A counter.");
    CHECK_THROWS_AS(text.sample(-1), std::logic_error);  // counters only go up
    CHECK_THROWS_AS(text.histogram_sample({}, bounds, counts, 1, 1), std::logic_error);
    text.histogram("h", "A histogram.");
    CHECK_THROWS_AS(text.sample(1), std::logic_error);
  }
  SECTION("buckets that are not cumulative, or not in order") {
    text.histogram("h", "A histogram.");
    const std::array<double, 2> bounds{1, 2};
    const std::array<std::uint64_t, 2> down{3, 2};
    const std::array<std::uint64_t, 2> ok{1, 2};
    const std::array<double, 2> unordered{2, 1};
    const std::array<double, 2> with_inf{1, kInf};
    const std::array<std::uint64_t, 1> short_counts{1};
    CHECK_THROWS_AS(text.histogram_sample({}, bounds, down, 1, 3), std::logic_error);
    CHECK_THROWS_AS(text.histogram_sample({}, bounds, ok, 1, 1), std::logic_error);  // > count
    CHECK_THROWS_AS(text.histogram_sample({}, unordered, ok, 1, 2), std::logic_error);
    CHECK_THROWS_AS(text.histogram_sample({}, with_inf, ok, 1, 2), std::logic_error);
    CHECK_THROWS_AS(text.histogram_sample({}, bounds, short_counts, 1, 2), std::logic_error);
    CHECK_THROWS_AS(text.histogram_sample({{"le", "1"}}, bounds, ok, 1, 2), std::logic_error);
    CHECK_NOTHROW(text.histogram_sample({}, bounds, ok, 1, 2));
  }
}

TEST_CASE("prometheus text: Prometheus's own parser (promtool) takes a whole registry",
          "[ch11]") {
  const std::string text = sample_registry();
  const vkv::testing::ProgramOutput checked = vkv::testing::promtool_check_metrics(text);
  INFO("the text:\n" << text);
  INFO("promtool said:\n" << checked.out << checked.err);
  // 0: it parsed, and its linter found nothing to say (3 would be lint problems: a missing
  // unit suffix, a counter without _total; 1 a parse error).
  CHECK(checked.exit_code == 0);
  CHECK(checked.out.empty());
  CHECK(checked.err.empty());
}

TEST_CASE("prometheus text: promtool is not a rubber stamp (a control)", "[ch11]") {
  // Its linter exits 3 for a name in milliseconds: the check above would have seen it.
  const auto lint = vkv::testing::promtool_check_metrics(
      "# HELP x_milliseconds A time.\n# TYPE x_milliseconds gauge\nx_milliseconds 1\n");
  CHECK(lint.exit_code == 3);
  CHECK(lint.err.find("use base unit \"seconds\"") != std::string::npos);  // on stderr
  // Its parser exits 1 for a label value that is not UTF-8, which PrometheusText never writes.
  const auto parse =
      vkv::testing::promtool_check_metrics("# HELP x A.\n# TYPE x gauge\nx{l=\"\xFF\"} 1\n");
  CHECK(parse.exit_code == 1);
}
