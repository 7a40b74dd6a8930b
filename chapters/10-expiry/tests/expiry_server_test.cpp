// Chapter 10's server (the real binary, CH10_SERVER) on a free port, over real sockets, with
// real TTLs: keys set to expire through both protocols are gone for both once their time has
// come (waited for, never slept on); the expiry thread under SCHED_IDLE, the threads its
// writes start ordinary; redis-cli's SET EX then GET; redis-py and ioredis set and read TTLs.
#include <catch2/catch.hpp>

#include <sched.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "03-wal/data_dir.hpp"
#include "09-resp/tests/resp_client.hpp"
#include "common/testing/test_util.hpp"
#include "tests/support/server_process.hpp"

using vkv::testing::Client;
using vkv::testing::RespClient;
using vkv::testing::run_program;
using vkv::testing::ServerProcess;
using vkv::testing::TempDir;
using vkv::testing::wait_for;

namespace {

std::unique_ptr<ServerProcess> start_server(const TempDir& dir) {
  return std::make_unique<ServerProcess>(
      CH10_SERVER, std::vector<std::string>{"--dir", dir.file("data"), "--sync", "never"},
      dir.file("stderr"));
}

bool exists(const std::string& path) { return ::access(path.c_str(), F_OK) == 0; }

}  // namespace

TEST_CASE("expiry server: a key set to expire in one protocol is gone in both", "[ch10][e2e]") {
  TempDir dir;
  auto server = start_server(dir);
  RespClient resp(server->port());
  Client text(server->port());
  const auto started = std::chrono::steady_clock::now();
  CHECK(resp.call({"SET", "from-resp", "v", "PX", "300"}) == "+OK\r\n");
  CHECK(text.call("SET from-text w PX 300") == "OK");
  CHECK(text.call("SET stays x") == "OK");
  CHECK(resp.call({"PEXPIRE", "stays", "100000"}) == ":1\r\n");
  // Both read back before their deadlines (else waiting for them to go proves nothing).
  REQUIRE(text.call("GET from-resp") == "VALUE v");
  REQUIRE(resp.call({"GET", "from-text"}) == "$1\r\nw\r\n");
  REQUIRE(wait_for([&] { return resp.call({"GET", "from-resp"}) == "$-1\r\n"; }));
  REQUIRE(wait_for([&] { return text.call("GET from-text") == "NOT_FOUND"; }));
  CHECK(std::chrono::steady_clock::now() - started >= std::chrono::milliseconds(300));
  CHECK(resp.call({"EXISTS", "from-resp", "from-text", "stays"}) == ":1\r\n");
  CHECK(resp.call({"DBSIZE"}) == ":1\r\n");
  CHECK(resp.call({"KEYS", "*"}) == "*1\r\n$5\r\nstays\r\n");
  CHECK(text.call("TTL from-resp") == "INTEGER -2");
  CHECK(text.call("TTL stays") == "INTEGER 100");
}

TEST_CASE("expiry server: the commands of one EXEC are set from one reading of the clock, "
          "however long those between them take", "[ch10][e2e]") {
  TempDir dir;
  auto server = start_server(dir);
  RespClient resp(server->port());
  // Enough keys that a KEYS walking them all takes milliseconds.
  constexpr int kKeys = 50'000;
  std::string load;
  for (int i = 0; i < kKeys; ++i) {
    load += vkv::testing::resp_request({"SET", "filler:" + std::to_string(i), "x"});
  }
  REQUIRE(resp.send(load));
  for (int i = 0; i < kKeys; ++i) REQUIRE(resp.read_reply() == "+OK\r\n");
  CHECK(resp.call({"MULTI"}) == "+OK\r\n");
  CHECK(resp.call({"SET", "first", "v", "PX", "100000"}) == "+QUEUED\r\n");
  CHECK(resp.call({"KEYS", "*"}) == "+QUEUED\r\n");
  CHECK(resp.call({"SET", "second", "v", "PX", "100000"}) == "+QUEUED\r\n");
  const auto before = std::chrono::steady_clock::now();
  const std::string exec = resp.call({"EXEC"});
  const auto took = std::chrono::steady_clock::now() - before;
  CHECK(exec.rfind("*3\r\n+OK\r\n*", 0) == 0);
  CHECK(exec.ends_with("+OK\r\n"));
  const std::string first = resp.call({"PEXPIRETIME", "first"});
  CHECK(first.rfind(":17", 0) == 0);  // a deadline in this century's Unix milliseconds
  CHECK(resp.call({"PEXPIRETIME", "second"}) == first);
  // What makes the check above mean something: the EXEC took long enough for a second
  // reading of the clock to have moved (said, not required: a fast machine may not).
  if (took < std::chrono::milliseconds(2)) WARN("EXEC took under 2 ms: the check proves little");
}

// Each thread of process `pid`: its name, and its scheduling policy (field 41 of its stat:
// 0 SCHED_OTHER, 5 SCHED_IDLE).
std::vector<std::pair<std::string, int>> thread_policies(pid_t pid) {
  std::vector<std::pair<std::string, int>> threads;
  for (const auto& stat : vkv::testing::read_thread_stats(pid)) {
    if (stat.fields.size() < 41 - 3 + 1) continue;  // cut short: gone while it was read
    threads.emplace_back(stat.name, std::stoi(stat.fields[41 - 3]));
  }
  return threads;
}

// The number of the newest log file (NNNNNN.log) in `dir`.
std::uint64_t newest_log(const std::string& dir) {
  std::uint64_t newest = 0;
  for (const auto& file : std::filesystem::directory_iterator(dir)) {
    const auto number = vkv::storage::DataDir::parse_log_name(file.path().filename().string());
    newest = std::max(newest, number.value_or(0));
  }
  return newest;
}

TEST_CASE("expiry server: the expiry thread runs under SCHED_IDLE, and every thread its "
          "writes start is an ordinary one", "[ch10][e2e]") {
  TempDir dir;
  // Small memtables, and a log syncer thread per log: the cycle's tombstones alone fill
  // memtables, so the logs they open (and their threads) are started by the cycle's writes.
  ServerProcess server(CH10_SERVER,
                       {"--dir", dir.file("data"), "--sync", "everysec", "--memtable-bytes",
                        "65536"},
                       dir.file("stderr"));
  RespClient resp(server.port());
  constexpr int kKeys = 3000;
  for (int i = 0; i < kKeys; ++i) {
    REQUIRE(resp.call({"SET", "k" + std::to_string(i), std::string(100, 'v'), "PX", "100"}) ==
            "+OK\r\n");
  }
  const std::uint64_t log_after_load = newest_log(dir.file("data"));
  // The cycle deletes every one of them (INFO's expired_keys counts its deletes). At idle
  // priority, beside other tests that keep the cores busy, it may take a while.
  REQUIRE(wait_for(
      [&] {
        return resp.call({"INFO", "stats"}).find("expired_keys:" + std::to_string(kKeys)) !=
               std::string::npos;
      },
      std::chrono::seconds(120)));
  // Its tombstones filled memtables: the logs opened since (and their threads) are its.
  REQUIRE(newest_log(dir.file("data")) > log_after_load);
  const auto threads = thread_policies(server.pid());
  int idle = 0;
  for (const auto& [name, policy] : threads) {
    if (name == "vkv-expiry") {
      CHECK(policy == SCHED_IDLE);
      ++idle;
    } else {
      INFO("thread " << name);
      CHECK(policy == SCHED_OTHER);  // workers, flushes, the log's syncer, vkv-expiry-w
    }
  }
  CHECK(idle == 1);
  CHECK(threads.size() >= 4);  // the main thread, a worker, the cycle and its writer at least
}

TEST_CASE("expiry server: deadlines survive a restart", "[ch10][e2e]") {
  TempDir dir;
  {
    auto server = start_server(dir);
    RespClient c(server->port());
    CHECK(c.call({"SET", "k", "v", "EX", "1000"}) == "+OK\r\n");
    CHECK(c.call({"SET", "plain", "v"}) == "+OK\r\n");
  }
  auto server = start_server(dir);
  RespClient c(server->port());
  const std::string ttl = c.call({"TTL", "k"});
  CHECK((ttl == ":1000\r\n" || ttl == ":999\r\n"));
  CHECK(c.call({"TTL", "plain"}) == ":-1\r\n");
}

TEST_CASE("expiry server: after kill -9, every acknowledged deadline is back, and keys that "
          "expired while it was down are gone",
          "[ch10][e2e]") {
  TempDir dir;
  const std::vector<std::string> always{"--dir", dir.file("data"), "--sync", "always"};
  const auto killed_at = [&] {
    ServerProcess server(CH10_SERVER, always, dir.file("stderr"));
    RespClient c(server.port());
    for (int i = 0; i < 200; ++i) {
      const std::string n = std::to_string(i);
      REQUIRE(c.call({"SET", "long" + n, "v" + n, "EX", "1000"}) == "+OK\r\n");
      REQUIRE(c.call({"SET", "short" + n, "v" + n, "PX", "400"}) == "+OK\r\n");
      REQUIRE(c.call({"SET", "plain" + n, "v" + n}) == "+OK\r\n");
    }
    return std::chrono::steady_clock::now();
  }();  // the server is killed with SIGKILL here, nothing flushed or synced at exit
  // Start again once the short keys' time has passed: they expired while it was down.
  while (std::chrono::steady_clock::now() - killed_at < std::chrono::milliseconds(450)) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  ServerProcess server(CH10_SERVER, always, dir.file("stderr"));
  RespClient c(server.port());
  for (int i = 0; i < 200; ++i) {
    const std::string n = std::to_string(i);
    INFO(n);
    const std::string ttl = c.call({"TTL", "long" + n});
    CHECK((ttl.starts_with(":99") || ttl == ":1000\r\n"));
    CHECK(c.call({"GET", "short" + n}) == "$-1\r\n");
    CHECK(c.call({"TTL", "plain" + n}) == ":-1\r\n");
  }
  CHECK(c.call({"DBSIZE"}) == ":400\r\n");
}

TEST_CASE("expiry server: redis-cli SET EX, then GET after it expires answers nil",
          "[ch10][e2e][clients]") {
  INFO("needs redis-cli (Debian's redis-tools; make test installs it)");
  REQUIRE(exists("/usr/bin/redis-cli"));
  TempDir dir;
  auto server = start_server(dir);
  const std::string port = std::to_string(server->port());
  auto cli = [&](std::vector<std::string> args) {
    args.insert(args.begin(), {"10", "/usr/bin/redis-cli", "-p", port});
    return run_program("/usr/bin/timeout", args, "").out;
  };
  CHECK(cli({"SET", "k", "v", "EX", "1"}) == "OK\n");
  CHECK(cli({"TTL", "k"}) == "1\n");
  REQUIRE(cli({"GET", "k"}) == "v\n");  // it reads back before its deadline
  CHECK(cli({"SET", "short", "v", "PX", "300"}) == "OK\n");
  REQUIRE(wait_for([&] { return cli({"GET", "short"}) == "\n"; }));  // nil prints empty
  REQUIRE(wait_for([&] { return cli({"GET", "k"}) == "\n"; }));
  CHECK(cli({"TTL", "k"}) == "-2\n");
  CHECK(cli({"SET", "k", "v", "EX", "0"}).find("ERR invalid expire time in 'set' command") == 0);
}

TEST_CASE("expiry server: redis-cli's interactive help shows SET's expiry options and the "
          "new commands (from COMMAND DOCS)", "[ch10][clients]") {
  TempDir dir;
  auto server = start_server(dir);
  // `script` gives redis-cli a terminal, so it reads COMMAND DOCS for its help and hints
  // (as chapter 9's test of its interactive start).
  const auto r = run_program(
      "/usr/bin/timeout",
      {"60", "/usr/bin/env", "TERM=dumb", "/usr/bin/script", "-qec",
       "/usr/bin/redis-cli -p " + std::to_string(server->port()), "/dev/null"},
      "help SET\nhelp EXPIRE\nhelp GETEX\nquit\n");
  INFO(r.out + r.err);
  CHECK(r.exit_code == 0);
  CHECK(r.out.find("key value [NX|XX] [GET] [EX seconds|PX milliseconds|EXAT "
                   "unix-time-seconds|PXAT unix-time-milliseconds|KEEPTTL]") != std::string::npos);
  CHECK(r.out.find("key seconds [NX|XX|GT|LT]") != std::string::npos);
  CHECK(r.out.find("|PERSIST]") != std::string::npos);
}

TEST_CASE("expiry server: redis-py sets and reads TTLs", "[ch10][clients]") {
  INFO("needs Debian's python3-redis (make test installs it)");
  REQUIRE(exists("/usr/lib/python3/dist-packages/redis/__init__.py"));
  TempDir dir;
  auto server = start_server(dir);
  const auto r = run_program("/usr/bin/timeout",
                             {"60", "/usr/bin/python3", CH10_CLIENTS "/redis_py_expiry.py",
                              std::to_string(server->port())}, "");
  INFO(r.err);
  CHECK(r.exit_code == 0);
  CHECK(r.out == "ok redis-py expiry\n");
}

TEST_CASE("expiry server: ioredis sets and reads TTLs", "[ch10][clients]") {
  INFO("needs node, and chapter 9's tests/clients packages (its build runs npm ci)");
  REQUIRE(exists(CH09_CLIENTS "/node_modules/ioredis/package.json"));
  TempDir dir;
  auto server = start_server(dir);
  const auto r = run_program("/usr/bin/timeout",
                             {"60", CH10_NODE, CH10_CLIENTS "/ioredis_expiry.js",
                              std::to_string(server->port()), CH09_CLIENTS}, "");
  INFO(r.err);
  CHECK(r.exit_code == 0);
  CHECK(r.out == "ok ioredis expiry\n");
}
