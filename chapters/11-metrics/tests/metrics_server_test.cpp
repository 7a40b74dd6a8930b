// Chapter 11's server (the real binary, CH11_SERVER) on a free port: INFO's fields against
// real activity, redis-cli's INFO, SLOWLOG, STATS through the text protocol, the Prometheus
// endpoint read by a real parser (promtool), and the log's events, as text and as JSON.
#include <catch2/catch.hpp>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <csignal>
#include <fstream>
#include <memory>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "09-resp/tests/redis_fixture.hpp"
#include "09-resp/tests/resp_client.hpp"
#include "common/testing/test_util.hpp"
#include "tests/support/redis_server_process.hpp"
#include "tests/support/server_process.hpp"

using vkv::testing::Client;
using vkv::testing::read_whole_file;
using vkv::testing::RespClient;
using vkv::testing::run_program;
using vkv::testing::ServerProcess;
using vkv::testing::TempDir;
using vkv::testing::wait_for;
using vkv::testing::contains;

namespace {

std::unique_ptr<ServerProcess> start_server(const TempDir& dir, std::vector<std::string> more = {}) {
  std::vector<std::string> args{"--dir", dir.file("data"), "--sync", "never"};
  args.insert(args.end(), more.begin(), more.end());
  return std::make_unique<ServerProcess>(CH11_SERVER, args, dir.file("stderr"));
}

// redis-cli (Debian's redis-tools) run with `words` against the server on `port`.
vkv::testing::ProgramOutput redis_cli(std::uint16_t port, std::vector<std::string> words) {
  words.insert(words.begin(), {"-p", std::to_string(port)});
  return run_program("/usr/bin/redis-cli", words, "");
}

// INFO's report (the bulk string's text) for `sections`.
std::string info(RespClient& c, std::vector<std::string> sections = {}) {
  sections.insert(sections.begin(), "INFO");
  const std::string reply = c.call(sections);
  const auto start = reply.find("\r\n");
  return start == std::string::npos ? reply : reply.substr(start + 2);
}

// The value of INFO's field `name`, or "" when it is not there.
std::string field(const std::string& report, const std::string& name) {
  const std::string key = "\r\n" + name + ":";
  auto at = report.find(key);
  if (at == std::string::npos) {
    if (report.rfind(name + ":", 0) != 0) return "";
    at = 0;
  } else {
    at += 2;
  }
  at += name.size() + 1;
  return report.substr(at, report.find("\r\n", at) - at);
}

// The body of GET `path` from 127.0.0.1:`port`, status line and headers included.
std::string http_get(std::uint16_t port, const std::string& path) {
  Client c(port);
  c.send("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
  std::string all;
  while (auto line = c.read_line()) {
    if (!line->empty() && line->back() == '\r') line->pop_back();
    all += *line + "\n";
  }
  return all;
}

// The port in the log's `ready` event's `metrics=http://127.0.0.1:PORT/metrics`.
std::uint16_t metrics_port(const std::string& log) {
  std::smatch m;
  if (!std::regex_search(log, m, std::regex("metrics=http://127\\.0\\.0\\.1:([0-9]+)/metrics"))) {
    return 0;
  }
  return static_cast<std::uint16_t>(std::stoi(m[1]));
}

}  // namespace

TEST_CASE("metrics server: INFO's fields follow what the server did", "[ch11][e2e]") {
  TempDir dir;
  auto server = start_server(dir, {"--max-connections", "2"});
  RespClient c(server->port());
  for (int i = 0; i < 20; ++i) REQUIRE(c.call({"SET", "k" + std::to_string(i), "v"}) == "+OK\r\n");
  CHECK(c.call({"SET", "t", "v", "EX", "100"}) == "+OK\r\n");
  CHECK(c.call({"GET", "k1"}) == "$1\r\nv\r\n");
  CHECK(c.call({"GET", "missing"}) == "$-1\r\n");
  CHECK(c.call({"INCR", "k1"}) == "-ERR value is not an integer or out of range\r\n");
  {
    RespClient second(server->port());  // the second of two allowed
    CHECK(second.call({"PING"}) == "+PONG\r\n");
    Client third(server->port());  // one too many: turned away
    REQUIRE(wait_for([&] { return third.closed_by_server(); }));
  }
  const std::string all = info(c, {"everything"});
  CHECK(field(all, "vkv_chapter") == "11");
  CHECK(field(all, "tcp_port") == std::to_string(server->port()));
  CHECK(field(all, "process_id") == std::to_string(server->pid()));
  CHECK(field(all, "maxclients") == "2");
  CHECK(field(all, "keyspace_hits") == "2");  // GET k1, and INCR's read of it (chapter 9's)
  CHECK(field(all, "keyspace_misses") == "1");
  CHECK(field(all, "total_connections_received") == "2");
  CHECK(field(all, "rejected_connections") == "1");
  CHECK(field(all, "total_error_replies") == "1");
  CHECK(field(all, "errorstat_ERR") == "count=1");
  CHECK(contains(field(all, "cmdstat_set"), "calls=21,"));
  CHECK(contains(field(all, "cmdstat_incr"), "rejected_calls=0,failed_calls=1"));
  CHECK(contains(field(all, "latency_percentiles_usec_set"), "p50="));
  CHECK(contains(field(all, "latency_percentiles_usec_set"), ",p99.9="));
  CHECK(field(all, "db0") == "keys=21,expires=1,avg_ttl=0");
  if (vkv::testing::kGlibcMalloc) CHECK(std::stoull(field(all, "used_memory")) > 0);
  CHECK(std::stoull(field(all, "used_memory_rss")) > 0);
  CHECK(std::stoull(field(all, "total_net_input_bytes")) > 20 * 20);
  CHECK(std::stoull(field(all, "total_net_output_bytes")) >= 21 * 5);
  CHECK(field(all, "vkv_sync") == "never");
  CHECK(field(all, "aof_last_write_status") == "ok");
  CHECK(field(all, "role") == "master");
  CHECK(contains(all, "\r\n# LSM\r\n"));
  CHECK(contains(all, "vkv_write_amplification:"));
  // The rate is over the last 1.6 s of samples, taken every 100 ms: commands sent now show.
  REQUIRE(wait_for([&] {
    for (int i = 0; i < 50; ++i) c.call({"PING"});
    return field(info(c, {"stats"}), "instantaneous_ops_per_sec") != "0";
  }));
  // INFO with no argument: the default sections, not the long ones.
  const std::string standard = info(c);
  CHECK(contains(standard, "# Memory\r\n"));
  CHECK_FALSE(contains(standard, "# Commandstats"));
  CHECK_FALSE(contains(standard, "# Keyspace"));
}

TEST_CASE("metrics server: redis-cli INFO shows the sections, and SLOWLOG keeps slow commands",
          "[ch11][e2e]") {
  INFO("needs redis-cli (Debian's redis-tools; make test installs it)");
  REQUIRE(::access("/usr/bin/redis-cli", X_OK) == 0);
  TempDir dir;
  auto server = start_server(dir, {"--slowlog-log-slower-than", "0", "--slowlog-max-len", "3"});
  auto cli = [&](std::vector<std::string> words) { return redis_cli(server->port(), words).out; };
  CHECK(cli({"SET", "a", "1"}) == "OK\n");
  const std::string all = cli({"INFO", "all"});
  for (const char* section : {"# Server", "# Clients", "# Memory", "# Persistence", "# Stats",
                              "# Replication", "# CPU", "# LSM", "# Commandstats",
                              "# Latencystats", "# Keyspace"}) {
    INFO(section);
    CHECK(contains(all, std::string(section) + "\r\n"));
  }
  CHECK(cli({"SLOWLOG", "LEN"}) == "2\n");  // SET and INFO (LEN goes in once it has run)
  CHECK(cli({"SLOWLOG", "LEN"}) == "3\n");
  CHECK(cli({"SLOWLOG", "LEN"}) == "3\n");  // at most --slowlog-max-len
  const std::string slow = cli({"SLOWLOG", "GET", "1"});
  CHECK(contains(slow, "SLOWLOG\nLEN\n"));
  CHECK(cli({"SLOWLOG", "RESET"}) == "OK\n");
  CHECK(cli({"CONFIG", "GET", "slowlog-max-len"}) == "slowlog-max-len\n3\n");
}

TEST_CASE("metrics server: redis-cli's and redis-py's shutdown stop the final server cleanly: exit "
          "code 0, the stop logged, every write kept", "[ch11][e2e]") {
  INFO("needs redis-cli (Debian's redis-tools; make test installs it)");
  REQUIRE(::access("/usr/bin/redis-cli", X_OK) == 0);
  TempDir dir;
  auto server = start_server(dir);  // --sync never: only the clean stop's sync keeps the SET
  CHECK(redis_cli(server->port(), {"SET", "kept", "yes"}).out == "OK\n");
  const auto shut = redis_cli(server->port(), {"SHUTDOWN"});
  CHECK(shut.exit_code == 0);
  CHECK(shut.out.empty());
  CHECK(server->exit_code_within(std::chrono::seconds(30)) == std::optional<int>(0));
  CHECK(contains(read_whole_file(dir.file("stderr")), "shutdown"));
  server = start_server(dir);
  CHECK(redis_cli(server->port(), {"GET", "kept"}).out == "yes\n");
  // redis-py's shutdown() takes the closed connection for success (a reply would be an error).
  INFO("needs Debian's python3-redis (make test installs it)");
  const auto py = run_program(
      "/usr/bin/python3",
      {"-c", "import redis, sys; redis.Redis(port=int(sys.argv[1])).shutdown(nosave=True)",
       std::to_string(server->port())},
      "");
  INFO(py.err);
  CHECK(py.exit_code == 0);
  CHECK(server->exit_code_within(std::chrono::seconds(30)) == std::optional<int>(0));
}

TEST_CASE("metrics server: STATS in the text protocol shows what INFO shows", "[ch11][e2e]") {
  TempDir dir;
  auto server = start_server(dir);
  Client text(server->port());
  CHECK(text.call("SET a 1") == "OK");
  CHECK(text.call("STATS server") == "SECTION Server");
  std::vector<std::string> lines;
  while (auto line = text.read_line()) {
    if (*line == "END") break;
    lines.push_back(*line);
  }
  CHECK(std::find(lines.begin(), lines.end(), "STAT vkv_chapter 11") != lines.end());
  CHECK(std::find(lines.begin(), lines.end(),
                  "STAT tcp_port " + std::to_string(server->port())) != lines.end());
  CHECK(text.call("NOSUCH") .rfind("ERR", 0) == 0);
  CHECK(contains(text.call("NOSUCH"), "STATS"));  // the known commands' list names it
}

TEST_CASE("metrics server: /metrics is valid Prometheus text, checked by promtool",
          "[ch11][e2e]") {
  INFO("needs promtool (Debian's prometheus; make test installs it)");
  REQUIRE(::access("/usr/bin/promtool", X_OK) == 0);
  TempDir dir;
  auto server = start_server(dir, {"--metrics-port", "0"});
  std::uint16_t port = 0;
  REQUIRE(wait_for([&] { return (port = metrics_port(read_whole_file(dir.file("stderr")))) != 0; }));
  RespClient c(server->port());
  for (int i = 0; i < 5; ++i) REQUIRE(c.call({"SET", "k", "v"}) == "+OK\r\n");
  CHECK(c.call({"GET", "k"}) == "$1\r\nv\r\n");
  CHECK(c.call({"NOSUCH"}).rfind("-ERR", 0) == 0);
  const std::string response = http_get(port, "/metrics");
  REQUIRE(response.rfind("HTTP/1.1 200", 0) == 0);
  const std::string body = response.substr(response.find("\n\n") + 2);
  CHECK(contains(body, "vkv_command_calls_total{cmd=\"set\"} 5\n"));
  CHECK(contains(body, "vkv_command_duration_seconds_bucket{cmd=\"set\",le=\"+Inf\"} 5\n"));
  CHECK(contains(body, "vkv_command_duration_seconds_count{cmd=\"get\"} 1\n"));
  CHECK(contains(body, "vkv_keyspace_hits_total 1\n"));
  CHECK(contains(body, "vkv_error_replies_total{code=\"ERR\"} 1\n"));
  CHECK(contains(body, "# TYPE vkv_connections_received_total counter\n"));
  const auto checked = run_program("/usr/bin/promtool", {"check", "metrics"}, body);
  INFO(checked.out << checked.err);
  CHECK(checked.exit_code == 0);
  CHECK(http_get(port, "/nosuch").rfind("HTTP/1.1 404", 0) == 0);
}

TEST_CASE("metrics server: a --metrics-port already taken is said in the log, and the server "
          "serves on", "[ch11][e2e]") {
  // A port this test holds: the server's endpoint cannot bind it.
  vkv::UniqueFd held(::socket(AF_INET, SOCK_STREAM, 0));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  REQUIRE(::bind(held.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
  REQUIRE(::listen(held.get(), 1) == 0);
  socklen_t len = sizeof addr;
  REQUIRE(::getsockname(held.get(), reinterpret_cast<sockaddr*>(&addr), &len) == 0);
  const std::string taken = std::to_string(ntohs(addr.sin_port));
  TempDir dir;
  auto server = start_server(dir, {"--metrics-port", taken});
  REQUIRE(wait_for([&] { return contains(read_whole_file(dir.file("stderr")), "metrics_failed"); }));
  CHECK(contains(read_whole_file(dir.file("stderr")), "metrics=off"));
  RespClient c(server->port());
  CHECK(c.call({"PING"}) == "+PONG\r\n");
}

TEST_CASE("metrics server: a --metrics-port that is not a port stops it with a clear error",
          "[ch11][e2e]") {
  TempDir dir;
  const auto bad = run_program(CH11_SERVER, {"--dir", dir.file("data"), "--port", "0",
                                             "--metrics-port", "70000"}, "");
  CHECK(bad.exit_code == 1);
  CHECK(contains(bad.err, "bad value '70000' for --metrics-port: expected 0 to 65535"));
  CHECK(contains(bad.err, " error failed message="));  // why it stops, at level error
  const auto bad_format = run_program(CH11_SERVER, {"--log-format", "xml"}, "");
  CHECK(bad_format.exit_code == 2);
  CHECK(contains(bad_format.err, "log-format"));
}

TEST_CASE("metrics server: the log's events, one JSON object a line, and never a stored value",
          "[ch11][e2e]") {
  TempDir dir;
  auto server = start_server(dir, {"--log-format", "json", "--memtable-bytes", "1048576"});
  {
    RespClient c(server->port());
    const std::string secret = "SECRET-VALUE-" + std::string(200, 'x');
    for (int batch = 0; batch < 30; ++batch) {  // 30,000 SETs of 5,000 keys, 1,000 at a time
      std::string requests;
      for (int i = 0; i < 1000; ++i) {
        requests += vkv::testing::resp_request({"SET", "key" + std::to_string(i % 5000 + batch % 5 * 1000), secret});
      }
      REQUIRE(c.send(requests));
      for (int i = 0; i < 1000; ++i) REQUIRE(c.read_reply() == "+OK\r\n");
    }
    // A bad client: unknown commands that quote the value, then bad framing.
    for (int i = 0; i < 50; ++i) c.call({"NOSUCH", secret});
    RespClient bad(server->port());
    bad.send("*1\r\n$x\r\n");
    CHECK(bad.read_reply() == "-ERR Protocol error: invalid bulk length\r\n");
    CHECK(bad.closes_next());
  }
  const std::string path = dir.file("stderr");
  REQUIRE(wait_for([&] { return contains(read_whole_file(path), "\"event\":\"compaction\""); }));
  CHECK(server->stop(SIGTERM) == 0);
  const std::string log = read_whole_file(path);
  INFO(log.substr(0, 4000));
  for (const char* event : {"recovered", "ready", "flush", "compaction", "client_error",
                            "protocol_error", "shutdown"}) {
    INFO(event);
    CHECK(contains(log, std::string("\"event\":\"") + event + "\""));
  }
  std::size_t client_errors = 0;
  for (std::size_t at = 0; (at = log.find("\"event\":\"client_error\"", at)) != std::string::npos; ++at) {
    ++client_errors;
  }
  CHECK(client_errors == 10);  // of 50: at most 10 of a kind in 10 s (the rest are counted)
  CHECK_FALSE(contains(log, "SECRET-VALUE"));
  // Every line is one JSON object, as a real parser reads it.
  const auto parsed = run_program(
      "/usr/bin/python3",
      {"-c", "import json,sys\nfor line in open(sys.argv[1]):\n  json.loads(line)\nprint('ok')",
       path},
      "");
  INFO(parsed.err);
  CHECK(parsed.out == "ok\n");
}

TEST_CASE("metrics server: a damaged table is the server's error in the log: a GET that meets it "
          "a table_read_failed and a storage_error event, a compaction a compaction_error "
          "event naming the file",
          "[ch11][e2e]") {
  TempDir dir;
  auto server = start_server(dir, {"--memtable-bytes", "1048576"});
  RespClient c(server->port());
  const auto set_all = [&](const std::string& value) {  // 30,000 keys, 1,000 a batch
    for (int first = 0; first < 30000; first += 1000) {
      std::string requests;
      for (int k = first; k < first + 1000; ++k) {
        requests += vkv::testing::resp_request({"SET", "key" + std::to_string(k), value});
      }
      REQUIRE(c.send(requests));
      for (int k = 0; k < 1000; ++k) REQUIRE(c.read_reply() == "+OK\r\n");
    }
  };
  set_all(std::string(100, 'a'));
  const std::string data = dir.file("data");
  vkv::testing::wait_until_settled(data);  // the flushes and compactions done
  for (const auto& table : vkv::testing::files_in(data, ".sst")) {  // damage each in place
    vkv::testing::damage_byte(table, 100);
  }
  // key0, the smallest key, is in the first block of a damaged table, and only there.
  CHECK(c.call({"GET", "key0"}).rfind("-ERR storage: ", 0) == 0);
  set_all(std::string(100, 'b'));  // flushes that must be merged with the damaged tables
  const std::string path = dir.file("stderr");
  // The event as it happens, then the watcher's count of it (at its next sample, 250 ms on).
  REQUIRE(wait_for([&] {
    const std::string log = read_whole_file(path);
    return contains(log, " compaction_error ") && contains(log, " compaction_failed ");
  }));
  CHECK(c.call({"SET", "after", "kept"}) == "+OK\r\n");  // writes go on
  CHECK(server->stop(SIGTERM) == 0);
  const std::string log = read_whole_file(path);
  INFO(log.substr(0, 4000));
  const std::size_t at = log.find(" compaction_error ");
  const std::string line = log.substr(at, log.find('\n', at) - at);
  CHECK(contains(line, ".sst"));
  CHECK(contains(line, "nothing was deleted"));
  CHECK(contains(line, "effect=\"reads go on, and writes until level 0 is full\""));
  CHECK_FALSE(contains(log, "write_failed"));
  const std::size_t get_at = log.find(" storage_error ");
  REQUIRE(get_at != std::string::npos);
  const std::string get_line = log.substr(get_at, log.find('\n', get_at) - get_at);
  CHECK(contains(get_line, "command=GET"));
  CHECK(contains(get_line, "checksum mismatch"));
  CHECK(log.rfind("error", get_at) == get_at - 5);  // at the level error
  CHECK_FALSE(contains(log, "client_error"));  // the client did nothing wrong
  // What the store met, besides whom it failed: an event too, not chapter 6's plain line.
  const std::size_t read_at = log.find(" table_read_failed ");
  REQUIRE(read_at != std::string::npos);
  CHECK(contains(log.substr(read_at, log.find('\n', read_at) - read_at), "checksum mismatch"));
  CHECK_FALSE(contains(log, "table read failed"));
}

TEST_CASE("metrics server: transactions are counted as Redis counts them: MULTI, EXEC, "
          "DISCARD, WATCH, UNWATCH, refusals as they are queued, EXECABORT, commands processed",
          "[ch11][e2e][redis]") {
  if (::access(vkv::testing::kRedisServer, X_OK) != 0) {
    FAIL("needs Debian's redis-server at " << vkv::testing::kRedisServer);
  }
  TempDir redis_dir;
  vkv::testing::RedisServerProcess redis(redis_dir.path());
  TempDir dir;
  auto server = start_server(dir);
  RespClient to_redis(redis.port());
  RespClient to_vkv(server->port());
  const std::vector<std::string> steps = {
      "CONFIG RESETSTAT",
      "MULTI", "SET a 1", "INCR a", "EXEC",             // run: each command counted by EXEC
      "MULTI", "SET a", "NOSUCH x", "EXEC",             // refused as queued, then EXECABORT
      "WATCH a", "UNWATCH", "MULTI", "DISCARD", "EXEC",  // EXEC without MULTI
      "MULTI", "UNWATCH", "EXEC", "EXEC x",             // a queued UNWATCH; EXEC's arity
      "MULTI", "MULTI", "WATCH b", "DISCARD", "DISCARD", "WATCH"};
  for (const std::string& step : steps) {
    const auto words = vkv::testing::split_words(step);
    INFO(step);
    CHECK(to_vkv.call(words) == to_redis.call(words));
  }
  // The counts, without the times, one line each, in order (Redis's order is its hash's).
  const auto counts = [](RespClient& c, const char* section) {
    std::istringstream lines(std::regex_replace(
        info(c, {section}), std::regex("usec=[0-9]+,usec_per_call=[0-9.]+,"), ""));
    std::vector<std::string> sorted;
    for (std::string line; std::getline(lines, line);) sorted.push_back(line);
    std::sort(sorted.begin(), sorted.end());
    std::string all;
    for (const auto& line : sorted) all += line + "\n";
    return all;
  };
  const std::string commands = counts(to_vkv, "commandstats");
  CHECK(commands == counts(to_redis, "commandstats"));
  CHECK(contains(commands, "cmdstat_exec:calls=4,rejected_calls=1,failed_calls=2\r\n"));
  CHECK(counts(to_vkv, "errorstats") == counts(to_redis, "errorstats"));
  for (const char* name : {"total_error_replies", "total_commands_processed"}) {
    INFO(name);
    CHECK(field(info(to_vkv, {"stats"}), name) == field(info(to_redis, {"stats"}), name));
  }
  CHECK(redis.stop() == 0);
  CHECK(server->stop(SIGTERM) == 0);
}

TEST_CASE("metrics server: text logs at --log-level warn leave out the info events",
          "[ch11][e2e]") {
  TempDir dir;
  auto server = start_server(dir, {"--log-level", "warn"});
  RespClient c(server->port());
  // Answered first (a server that did not answer would never log it).
  REQUIRE(c.call({"NOSUCH"}).rfind("-ERR unknown command", 0) == 0);
  REQUIRE(wait_for([&] { return contains(read_whole_file(dir.file("stderr")), " client_error "); }));
  CHECK(server->stop(SIGTERM) == 0);
  const std::string log = read_whole_file(dir.file("stderr"));
  CHECK_FALSE(contains(log, " ready "));
  CHECK_FALSE(contains(log, " shutdown "));
  CHECK(contains(log, "warn  client_error client=1 command=(unknown) error=\"ERR unknown command\""));
}
