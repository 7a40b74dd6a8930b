// MeteredCommands in front of chapter 10's commands: each command counted and timed,
// errors by code, rejected and failed calls, SLOWLOG, CONFIG RESETSTAT, the INFO sections it
// writes, and what the error hook is told (never a client's value).
#include <catch2/catch.hpp>

#include <string>

#include "09-resp/transactions.hpp"
#include "11-metrics/tests/metrics_fixture.hpp"

using vkv::testing::bulk;
using vkv::testing::error;
using vkv::testing::integer;
using vkv::testing::kOk;
using vkv::testing::MetricsFixture;
using vkv::testing::contains;

TEST_CASE("metered commands: replies pass through unchanged, and each command is counted",
          "[ch11]") {
  MetricsFixture f;
  CHECK(f("SET a 1") == kOk);
  CHECK(f("set b 2 EX 100") == kOk);
  CHECK(f("GET a") == bulk("1"));
  CHECK(f("INCR a") == integer(2));
  CHECK(f("CONFIG GET dir").rfind("*", 0) == 0);
  const std::string stats = f.metered->info("commandstats");
  CHECK(contains(stats, "cmdstat_set:calls=2,usec="));
  CHECK(contains(stats, "cmdstat_get:calls=1,"));
  CHECK(contains(stats, "cmdstat_incr:calls=1,"));
  CHECK(contains(stats, "cmdstat_config|get:calls=1,"));
  CHECK(contains(stats, ",rejected_calls=0,failed_calls=0\r\n"));
  CHECK_FALSE(contains(stats, "cmdstat_del"));  // never called: not shown, as in Redis
  const std::string latency = f.metered->info("latencystats");
  CHECK(contains(latency, "latency_percentiles_usec_set:p50="));
  CHECK(contains(latency, ",p99="));
  CHECK(contains(latency, ",p99.9="));
}

TEST_CASE("metered commands: errors are counted by code, as rejected or failed calls",
          "[ch11]") {
  MetricsFixture f;
  CHECK(f("SET s notanumber") == kOk);
  CHECK(f("INCR s") == error("ERR value is not an integer or out of range"));
  CHECK(f("GET") == error("ERR wrong number of arguments for 'get' command"));
  CHECK(f("CONFIG NOSUCH").rfind("-ERR unknown subcommand", 0) == 0);
  CHECK(f("NOSUCH x").rfind("-ERR unknown command", 0) == 0);
  const std::string stats = f.metered->info("commandstats");
  CHECK(contains(stats, "cmdstat_incr:calls=1,"));
  CHECK(contains(stats, "cmdstat_incr:calls=1,usec="));
  CHECK(contains(stats, ",rejected_calls=0,failed_calls=1\r\n"));  // INCR ran, and failed
  // GET was refused before it ran: not a call of GET, as in Redis, but a rejected one.
  CHECK(contains(stats, "cmdstat_get:calls=0,usec=0,usec_per_call=0.00,rejected_calls=1,"
                   "failed_calls=0\r\n"));
  CHECK_FALSE(contains(f.metered->info("latencystats"), "latency_percentiles_usec_get"));
  CHECK(contains(f.metered->info("errorstats"), "errorstat_ERR:count=4\r\n"));
  CHECK(f.metered->info("stats") == "total_error_replies:4\r\n");
  CHECK(f.errors.size() == 4);
}

TEST_CASE("metered commands: the error hook never sees a client's value", "[ch11]") {
  MetricsFixture f;
  CHECK(f("SET k SECRETVALUE") == kOk);
  f("NOSUCH k SECRETVALUE");
  f("SET k SECRETVALUE BADOPTION");
  f("INCR k");
  REQUIRE(f.errors.size() == 3);
  for (const auto& e : f.errors) {
    INFO(e);
    CHECK_FALSE(contains(e, "SECRETVALUE"));
  }
}

TEST_CASE("metered commands: SLOWLOG GET, LEN, RESET and HELP, as Redis answers them",
          "[ch11]") {
  vkv::engine::MeteredOptions o;
  o.slowlog_threshold_micros = 0;  // every command is slow
  o.slowlog_max_len = 2;
  MetricsFixture f(o);
  CHECK(f("SET a 1") == kOk);
  CHECK(f("GET a") == bulk("1"));
  CHECK(f("SLOWLOG LEN") == integer(2));  // SET and GET; SLOWLOG LEN itself comes after
  const std::string got = f("SLOWLOG GET 1");
  CHECK(got.rfind("*1\r\n*6\r\n:2\r\n:", 0) == 0);  // id 2: SLOWLOG LEN itself
  CHECK(contains(got, "*2\r\n$7\r\nSLOWLOG\r\n$3\r\nLEN\r\n$0\r\n\r\n$0\r\n\r\n"));
  CHECK(f("SLOWLOG GET -1").rfind("*2\r\n", 0) == 0);  // max_len 2
  CHECK(f("SLOWLOG GET -2") == error("ERR count should be greater than or equal to -1"));
  CHECK(f("SLOWLOG GET x") == error("ERR count should be greater than or equal to -1"));
  CHECK(f("SLOWLOG RESET") == kOk);
  CHECK(f("SLOWLOG LEN") == integer(1));  // RESET itself, logged after it ran
  CHECK(f("SLOWLOG HELP").rfind("*12\r\n", 0) == 0);
  CHECK(f("SLOWLOG NOSUCH") == error("ERR unknown subcommand 'NOSUCH'. Try SLOWLOG HELP."));
  CHECK(f("SLOWLOG") == error("ERR wrong number of arguments for 'slowlog' command"));
  CHECK(f("SLOWLOG LEN x") == error("ERR wrong number of arguments for 'slowlog|len' command"));
  CHECK(contains(f.metered->info("commandstats"), "cmdstat_slowlog|get:calls="));
}

TEST_CASE("metered commands: CONFIG RESETSTAT resets these counts with chapter 9's",
          "[ch11]") {
  MetricsFixture f;
  f("SET a 1");
  f("GET");
  CHECK(f("CONFIG RESETSTAT") == kOk);
  const std::string stats = f.metered->info("commandstats");
  CHECK_FALSE(contains(stats, "cmdstat_set"));
  CHECK(f.metered->info("errorstats").empty());
  CHECK(f.metered->info("stats") == "total_error_replies:0\r\n");
}

TEST_CASE("metered commands: COMMAND tells of SLOWLOG", "[ch11]") {
  CHECK(vkv::engine::MeteredCommands::specs().size() == 1);
  CHECK(vkv::engine::MeteredCommands::specs()[0]->subcommands.size() == 4);
}

TEST_CASE("metered commands: refused before they run as they would be when run: SLOWLOG's "
          "subcommands, and the commands behind", "[ch11][transactions]") {
  MetricsFixture f;
  auto refusal = [&](std::string_view line) {
    const auto words = vkv::testing::split_words(line);
    std::vector<std::string_view> args(words.begin(), words.end());
    return f.metered->refusal(args).value_or("");
  };
  CHECK(refusal("SLOWLOG") == "ERR wrong number of arguments for 'slowlog' command");
  CHECK(refusal("SLOWLOG FOO") == "ERR unknown subcommand 'FOO'. Try SLOWLOG HELP.");
  CHECK(refusal("SLOWLOG LEN x") == "ERR wrong number of arguments for 'slowlog|len' command");
  CHECK(refusal("SLOWLOG get 5").empty());
  CHECK(refusal("EXPIRE k").rfind("ERR wrong number of arguments for 'expire'", 0) == 0);
  CHECK(refusal("NOSUCH").rfind("ERR unknown command 'NOSUCH'", 0) == 0);
  CHECK(refusal("SET k v EX 0").empty());  // its time is checked as it runs
  CHECK(f("SLOWLOG FOO") == refusal("SLOWLOG FOO").insert(0, "-") + "\r\n");  // the same text
}

TEST_CASE("metered commands: in front of the transactions, MULTI and EXEC are counted, EXEC "
          "stays out of the slow log, and what EXEC runs is counted once",
          "[ch11]") {
  int counted = 0;  // what INFO's total_commands_processed is told
  vkv::engine::MeteredOptions options;
  options.slowlog_threshold_micros = 0;  // every command goes in the slow log, but EXEC
  options.count_command = [&counted] { ++counted; };
  MetricsFixture f(options);
  vkv::engine::TransactionCommands transactions(*f.metered);
  const auto front = f.metered->front(transactions);
  const auto run = [&](std::string_view line) {
    const auto args = vkv::testing::split_words(line);
    std::vector<std::string_view> views(args.begin(), args.end());
    std::string out;
    vkv::protocol::RespWriter writer(&out, f.client.version);
    front->run(views, f.client, writer);
    return out;
  };
  CHECK(run("MULTI") == kOk);
  CHECK(run("SET a 1") == "+QUEUED\r\n");
  CHECK(run("GET") == error("ERR wrong number of arguments for 'get' command"));
  CHECK(run("EXEC") == error("EXECABORT Transaction discarded because of previous errors."));
  CHECK(run("MULTI") == kOk);
  CHECK(run("SET a 1") == "+QUEUED\r\n");
  CHECK(run("EXEC") == "*1\r\n+OK\r\n");
  CHECK(run("GET a") == bulk("1"));  // passed on: counted behind the transactions
  const std::string stats = f.metered->info("commandstats");
  CHECK(contains(stats, "cmdstat_multi:calls=2,"));
  CHECK(contains(stats, "cmdstat_exec:calls=2,"));  // one aborted: a failed call
  CHECK(contains(stats, "cmdstat_set:calls=1,"));   // when EXEC ran it, not when queued
  CHECK(contains(stats, "cmdstat_get:calls=1,"));
  CHECK(contains(stats, "cmdstat_get:calls=1,usec="));
  CHECK(contains(f.metered->info("errorstats"), "errorstat_EXECABORT:count=1\r\n"));
  CHECK(contains(f.metered->info("errorstats"), "errorstat_ERR:count=1\r\n"));
  CHECK(counted == 4);  // the MULTIs and EXECs; SET and GET count in chapter 9's commands
  const std::string slow = run("SLOWLOG GET");
  CHECK(contains(slow, "MULTI"));
  CHECK(contains(slow, "SET"));
  CHECK_FALSE(contains(slow, "EXEC"));
}

TEST_CASE("metered commands: SLOWLOG counts as a command processed once it runs, not when "
          "refused",
          "[ch11]") {
  int counted = 0;
  vkv::engine::MeteredOptions options;
  options.count_command = [&counted] { ++counted; };
  MetricsFixture f(options);
  CHECK(f("SLOWLOG LEN") == integer(0));
  CHECK(counted == 1);
  CHECK(f("SLOWLOG NOSUCH").rfind("-ERR unknown subcommand", 0) == 0);
  CHECK(f("SLOWLOG GET 1 2").rfind("-ERR wrong number of arguments", 0) == 0);
  CHECK(counted == 1);  // as Redis: a refused command is not one processed
}
