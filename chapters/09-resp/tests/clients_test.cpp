// Real Redis clients against chapter 9's real server (CH09_SERVER) on 127.0.0.1: redis-py,
// ioredis and node-redis, hiredis, redis-cli (one-shot, RESP3, interactive under a
// pseudo-terminal) and redis-benchmark. Each client program checks its own replies and
// prints "ok ..."; `make test` installs them all (the Makefile's TEST_NEEDS, and npm ci for
// the Node clients, run by the build).
#include <catch2/catch.hpp>

#include <unistd.h>

#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include "09-resp/tests/resp_client.hpp"
#include "common/testing/test_util.hpp"
#include "tests/support/server_process.hpp"

#ifdef CH09_SERVER

using vkv::testing::run_program;
using vkv::testing::ServerProcess;
using vkv::testing::TempDir;

namespace {

// Every client run is bounded: `timeout` ends it if it hangs.
constexpr const char* kTimeout = "/usr/bin/timeout";

std::unique_ptr<ServerProcess> start_server(const TempDir& dir) {
  return std::make_unique<ServerProcess>(
      CH09_SERVER, std::vector<std::string>{"--dir", dir.file("data"), "--sync", "never"});
}

// Runs `program` `args` under a 60-second timeout; returns what it printed.
vkv::testing::ProgramOutput run_client(const std::string& program,
                                       std::vector<std::string> args,
                                       const std::string& input = "") {
  args.insert(args.begin(), {"60", program});
  return run_program(kTimeout, args, input);
}

bool exists(const std::string& path) { return ::access(path.c_str(), F_OK) == 0; }

}  // namespace

TEST_CASE("redis clients: redis-py (binary values, pipelines with and without MULTI, MGET, INCR and WATCH from 4 clients, SCAN, "
          "errors)", "[ch09][clients]") {
  INFO("needs Debian's python3-redis (make test installs it)");
  REQUIRE(exists("/usr/lib/python3/dist-packages/redis/__init__.py"));
  TempDir dir;
  auto server = start_server(dir);
  const auto r = run_client("/usr/bin/python3", {CH09_CLIENTS "/redis_py_client.py",
                                                 std::to_string(server->port())});
  INFO(r.err);
  CHECK(r.exit_code == 0);
  CHECK(r.out == "ok redis-py\n");
}

TEST_CASE("redis clients: ioredis (RESP3 by HELLO 3) and node-redis (RESP2 and RESP3)",
          "[ch09][clients]") {
  INFO("needs node, and the packages of tests/clients/package-lock.json (the build runs npm ci)");
  REQUIRE(exists(CH09_CLIENTS "/node_modules/ioredis/package.json"));
  REQUIRE(exists(CH09_CLIENTS "/node_modules/redis/package.json"));
  TempDir dir;
  auto server = start_server(dir);
  const auto r = run_client(CH09_NODE, {CH09_CLIENTS "/node_clients.js",
                                        std::to_string(server->port())});
  INFO(r.err);
  CHECK(r.exit_code == 0);
  CHECK(r.out == "ok ioredis\nok node-redis RESP2\nok node-redis RESP3\n");
}

TEST_CASE("redis clients: hiredis (binary values, pipeline, MGET, INCR from 4 connections, "
          "SCAN, errors)", "[ch09][clients]") {
#ifdef CH09_HIREDIS_CLIENT
  TempDir dir;
  auto server = start_server(dir);
  const auto r = run_client(CH09_HIREDIS_CLIENT, {std::to_string(server->port())});
  INFO(r.err);
  CHECK(r.exit_code == 0);
  CHECK(r.out == "ok hiredis\n");
#else
  FAIL("hiredis was not found when the build was configured: install libhiredis-dev "
       "(make test does) and configure again");
#endif
}

TEST_CASE("redis clients: redis-cli, one command at a time, in RESP2 and RESP3, errors shown "
          "as (error)", "[ch09][clients]") {
  TempDir dir;
  auto server = start_server(dir);
  const std::string port = std::to_string(server->port());
  auto cli = [&port](std::vector<std::string> args) {
    args.insert(args.begin(), {"--no-raw", "-p", port});
    const auto r = run_client("/usr/bin/redis-cli", args);
    INFO(r.err);
    CHECK(r.exit_code == 0);
    return r.out;
  };
  CHECK(cli({"SET", "greeting", "hello world"}) == "OK\n");
  CHECK(cli({"GET", "greeting"}) == "\"hello world\"\n");
  CHECK(cli({"INCR", "n"}) == "(integer) 1\n");
  CHECK(cli({"GET", "nope"}) == "(nil)\n");
  CHECK(cli({"MGET", "greeting", "nope"}) == "1) \"hello world\"\n2) (nil)\n");
  CHECK(cli({"INCR", "greeting"}) == "(error) ERR value is not an integer or out of range\n");
  CHECK(cli({"FOO", "bar"}) == "(error) ERR unknown command 'FOO', with args beginning with: "
                               "'bar' \n");
  CHECK(cli({"-3", "GET", "nope"}) == "(nil)\n");
  CHECK(cli({"-3", "HELLO", "3"}).find("1# \"server\" => \"vkv\"\n") != std::string::npos);
  CHECK(cli({"-3", "CONFIG", "GET", "appendonly"}) == "1# \"appendonly\" => \"yes\"\n");
  CHECK(cli({"-3", "INFO", "keyspace"}) == "# Keyspace\r\ndb0:keys=2,expires=0,avg_ttl=0\r\n");
  // --scan pages through SCAN's cursors to the end.
  for (int i = 0; i < 50; ++i) cli({"SET", "scan:" + std::to_string(i), "v"});
  const std::string scanned = cli({"--scan", "--pattern", "scan:*"});
  CHECK(std::count(scanned.begin(), scanned.end(), '\n') == 50);
}

TEST_CASE("redis clients: redis-cli's interactive start (under a pseudo-terminal) reads "
          "COMMAND DOCS and shows vkv's help", "[ch09][clients]") {
  TempDir dir;
  auto server = start_server(dir);
  // `script` gives redis-cli a terminal, so it starts its prompt: it asks COMMAND DOCS for
  // its help and hints. TERM=dumb keeps its line editor from querying the terminal.
  const auto r = run_client(
      "/usr/bin/env", {"TERM=dumb", "/usr/bin/script", "-qec",
                       "/usr/bin/redis-cli -p " + std::to_string(server->port()), "/dev/null"},
      "help SET\nSET a 1\nGET a\nINCR a\nFOO\nquit\n");
  INFO(r.out + r.err);
  CHECK(r.exit_code == 0);
  CHECK(r.out.find("key value [NX|XX] [GET]") != std::string::npos);  // from COMMAND DOCS
  CHECK(r.out.find("Sets the string value of a key.") != std::string::npos);
  CHECK(r.out.find("\"1\"") != std::string::npos);
  CHECK(r.out.find("(integer) 2") != std::string::npos);
  CHECK(r.out.find("(error) ERR unknown command 'FOO'") != std::string::npos);
}

TEST_CASE("redis clients: redis-benchmark runs SET, GET, INCR, MSET and PING to the end, "
          "unpipelined and 16 deep", "[ch09][clients]") {
  TempDir dir;
  auto server = start_server(dir);
  // redis-benchmark waits for every reply it asks for: first each kind of request it sends
  // must be answered, so that a server that answers wrong fails here, not at the timeout.
  vkv::testing::RespClient probe(server->port());
  REQUIRE(probe.call({"PING"}) == "+PONG\r\n");
  REQUIRE(probe.call({"SET", "probe", "v"}) == "+OK\r\n");
  REQUIRE(probe.call({"GET", "probe"}) == "$1\r\nv\r\n");
  REQUIRE(probe.call({"INCR", "probe:n"}) == ":1\r\n");
  REQUIRE(probe.call({"MSET", "probe:a", "1", "probe:b", "2"}) == "+OK\r\n");
  vkv::testing::RespClient inline_probe(server->port());  // as PING_INLINE starts
  REQUIRE(inline_probe.send("PING\r\n"));
  REQUIRE(inline_probe.read_reply() == "+PONG\r\n");
  for (const char* pipeline : {"1", "16"}) {
    // `ping` is both PING_INLINE (a first line `PING\r\n`, no '*') and PING_MBULK.
    const auto r = run_client("/usr/bin/redis-benchmark",
                              {"-p", std::to_string(server->port()), "-t",
                               "set,get,incr,mset,ping", "-n", "2000", "-c", "10", "-P",
                               pipeline, "-q"});
    INFO("-P " << pipeline << "\n" << r.out << r.err);
    CHECK(r.exit_code == 0);
    for (const char* test :
         {"SET:", "GET:", "INCR:", "MSET (10 keys):", "PING_INLINE:", "PING_MBULK:"}) {
      CHECK(r.out.find(test) != std::string::npos);
    }
    CHECK(r.out.find("rror") == std::string::npos);
    CHECK(r.err.find("rror") == std::string::npos);
  }
}

#endif  // CH09_SERVER
