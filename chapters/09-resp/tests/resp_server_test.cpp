// Chapter 9's server (the real binary, CH09_SERVER) on a free port, over real sockets: both
// protocols on one port at once, a binary value of 1 MiB, the limits refused before the
// bytes come, protocol errors and QUIT closing the connection, and redis-cli.
#include <catch2/catch.hpp>

#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "09-resp/tests/resp_client.hpp"
#include "common/testing/test_util.hpp"
#include "tests/support/server_process.hpp"

using vkv::testing::Client;
using vkv::testing::resp_request;
using vkv::testing::RespClient;
using vkv::testing::ServerProcess;
using vkv::testing::TempDir;

namespace {

// The server on a free port, its data in `dir`/data and its standard error in `dir`/stderr
// (the levels' table it prints would only clutter the test's output).
std::unique_ptr<ServerProcess> start_resp_server(const TempDir& dir,
                                            std::vector<std::string> args = {}) {
  args.insert(args.end(), {"--dir", dir.file("data"), "--sync", "never"});
  return std::make_unique<ServerProcess>(CH09_SERVER, args, dir.file("stderr"));
}

// The path of `program` on $PATH, or "" when it is not installed.
std::string on_path(const std::string& program) {
  const char* path = std::getenv("PATH");
  std::string dirs = path != nullptr ? path : "/usr/bin:/bin";
  for (std::size_t start = 0; start <= dirs.size();) {
    std::size_t end = dirs.find(':', start);
    if (end == std::string::npos) end = dirs.size();
    const std::string candidate = dirs.substr(start, end - start) + "/" + program;
    if (::access(candidate.c_str(), X_OK) == 0) return candidate;
    start = end + 1;
  }
  return "";
}

}  // namespace

TEST_CASE("resp server: RESP and text clients on one port at once, seeing each other's writes",
          "[ch09][e2e]") {
  TempDir dir;
  auto server = start_resp_server(dir);
  RespClient resp(server->port());
  Client text(server->port());
  CHECK(resp.call({"PING"}) == "+PONG\r\n");
  CHECK(text.call("SET from-text hello") == "OK");
  CHECK(resp.call({"SET", "from-resp", "world"}) == "+OK\r\n");
  CHECK(text.call("GET from-resp") == "VALUE world");
  CHECK(resp.call({"GET", "from-text"}) == "$5\r\nhello\r\n");
  CHECK(resp.call({"GET", "missing"}) == "$-1\r\n");
  CHECK(text.call("GET missing") == "NOT_FOUND");
}

TEST_CASE("resp server: pipelined requests get their replies in order", "[ch09][e2e]") {
  TempDir dir;
  auto server = start_resp_server(dir);
  RespClient c(server->port());
  std::string requests;
  for (int i = 0; i < 100; ++i) {
    requests += resp_request({"SET", "k" + std::to_string(i), std::to_string(i)});
    requests += resp_request({"GET", "k" + std::to_string(i)});
  }
  REQUIRE(c.send(requests));
  for (int i = 0; i < 100; ++i) {
    CHECK(c.read_reply() == "+OK\r\n");
    const std::string v = std::to_string(i);
    CHECK(c.read_reply() == "$" + std::to_string(v.size()) + "\r\n" + v + "\r\n");
  }
}

TEST_CASE("resp server: a 1 MiB value holding every byte value comes back the same",
          "[ch09][e2e]") {
  TempDir dir;
  auto server = start_resp_server(dir);
  std::string value(1 << 20, '\0');
  std::mt19937 rng(9);
  for (std::size_t i = 0; i < value.size(); ++i) value[i] = static_cast<char>(i % 256);
  std::shuffle(value.begin(), value.end(), rng);
  const std::string key("bin\0\r\n key", 10);  // a key can hold any bytes too
  RespClient c(server->port());
  CHECK(c.call({"SET", key, value}) == "+OK\r\n");
  const std::string reply = c.call({"GET", key});
  CHECK(reply.size() == value.size() + 12);
  CHECK(reply == "$1048576\r\n" + value + "\r\n");
}

TEST_CASE("resp server: a RESP client that pipelines and never reads is held to the output "
          "limit, a whole request at a time", "[ch09][e2e]") {
  // The connection feeds RESP a whole request at a time (RespSession::next_piece()) and
  // checks its output between requests, as it checks between lines of the text protocol.
  TempDir dir;
  auto server = start_resp_server(dir, {"--stalled-timeout", "1"});
  RespClient setter(server->port());
  const std::string big(100 * 1000, 'b');
  REQUIRE(setter.call({"SET", "big", big}) == "+OK\r\n");
  REQUIRE(setter.call({"GET", "big"}) == "$100000\r\n" + big + "\r\n");
  const long rss_before = server->rss_kib();
  REQUIRE(rss_before > 0);
  // 20,000 GETs of a 100 KB value, 1,000 to a write: 2 GB of replies, never read. A read of
  // the connection's (64 KiB) holds about 2,900 of them (22 bytes each): a connection that
  // ran a whole read before looking at its output would buffer about 290 MB.
  std::string gets;
  for (int i = 0; i < 1000; ++i) gets += resp_request({"GET", "big"});
  vkv::testing::NonReadingClient greedy(server->port(), gets, 20);
  CHECK(vkv::testing::wait_for([&] { return greedy.hung_up(); }, std::chrono::seconds(30)));
  // At its most (VmHWM, a bound on what it held since rss_before), not only once the
  // client is gone and its buffers freed.
  CHECK(server->peak_rss_kib() - rss_before < 64 * 1024);  // far below what was asked for
  CHECK(setter.call({"GET", "missing"}) == "$-1\r\n");  // everyone else is served
}

TEST_CASE("resp server: a 2 GiB bulk header is refused at once and the connection closed, "
          "without the server taking the memory", "[ch09][e2e]") {
  TempDir dir;
  auto server = start_resp_server(dir);
  const long before_kib = server->rss_kib();
  RespClient c(server->port());
  REQUIRE(c.send("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$2147483648\r\n"));
  CHECK(c.read_reply() == "-ERR Protocol error: invalid bulk length\r\n");
  CHECK(c.closes_next());
  CHECK(server->rss_kib() - before_kib < 16 * 1024);
  RespClient other(server->port());  // and the server goes on
  CHECK(other.call({"PING"}) == "+PONG\r\n");
}

TEST_CASE("resp server: --max-bulk-bytes and --max-args set the limits", "[ch09][e2e]") {
  TempDir dir;
  auto server = start_resp_server(dir, {"--max-bulk-bytes", "1000", "--max-args", "3"});
  RespClient ok(server->port());
  CHECK(ok.call({"SET", "k", std::string(1000, 'x')}) == "+OK\r\n");
  RespClient big(server->port());
  CHECK(big.call({"SET", "k", std::string(1001, 'x')}) ==
        "-ERR Protocol error: invalid bulk length\r\n");
  CHECK(big.closes_next());
  RespClient many(server->port());
  CHECK(many.call({"SET", "k", "v", "EX"}) == "-ERR Protocol error: invalid multibulk length\r\n");
  CHECK(many.closes_next());
  CHECK(ok.call({"GET", "k"}) == "$1000\r\n" + std::string(1000, 'x') + "\r\n");
}

TEST_CASE("resp server: a malformed request gets its protocol error, then the connection "
          "closes", "[ch09][e2e]") {
  TempDir dir;
  auto server = start_resp_server(dir);
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"*1\r\n$x\r\n", "-ERR Protocol error: invalid bulk length\r\n"},
      {"*-5\r\n", "-ERR Protocol error: invalid multibulk length\r\n"},
      {"*2\r\n$4\r\nECHO\r\n:1\r\n", "-ERR Protocol error: expected '$', got ':'\r\n"},
      {"*1\r\n$4\r\nPINGxx", "-ERR Protocol error: expected CRLF after a bulk string, got 'x'\r\n"},
  };
  for (const auto& [request, error] : cases) {
    INFO(request);
    RespClient c(server->port());
    REQUIRE(c.send(request));
    CHECK(c.read_reply() == error);
    CHECK(c.closes_next());
  }
}

TEST_CASE("resp server: the inline form is read on a RESP connection, and an inline PING "
          "first makes one", "[ch09][e2e]") {
  TempDir dir;
  auto server = start_resp_server(dir);
  {
    RespClient c(server->port());
    CHECK(c.call({"PING"}) == "+PONG\r\n");
    REQUIRE(c.send("SET k v\r\nGET k\r\n"));
    CHECK(c.read_reply() == "+OK\r\n");
    CHECK(c.read_reply() == "$1\r\nv\r\n");
  }
  {  // as redis-benchmark's PING_INLINE starts
    RespClient c(server->port());
    REQUIRE(c.send("PING\r\nPING\r\n"));
    CHECK(c.read_reply() == "+PONG\r\n");
    CHECK(c.read_reply() == "+PONG\r\n");
    CHECK(c.call({"GET", "k"}) == "$1\r\nv\r\n");
  }
}

TEST_CASE("resp server: QUIT is answered, then the connection closes", "[ch09][e2e]") {
  TempDir dir;
  auto server = start_resp_server(dir);
  RespClient c(server->port());
  REQUIRE(c.send(resp_request({"QUIT"}) + resp_request({"PING"})));
  CHECK(c.read_reply() == "+OK\r\n");
  CHECK(c.closes_next());
}

TEST_CASE("resp server: SHUTDOWN stops the server as SIGTERM does: no reply, the requests "
          "after it not run, exit code 0, every write kept, and redis-cli's shutdown too",
          "[ch09][e2e]") {
  TempDir dir;
  auto server = start_resp_server(dir);  // --sync never: only the clean stop's sync keeps the SETs
  RespClient c(server->port());
  REQUIRE(c.call({"SET", "kept", "yes"}) == "+OK\r\n");
  REQUIRE(c.send(resp_request({"SET", "before", "1"}) + resp_request({"SHUTDOWN", "NOSAVE"}) +
                 resp_request({"SET", "after", "1"})));
  CHECK(c.read_reply() == "+OK\r\n");
  CHECK(c.closes_next());  // nothing for SHUTDOWN, nor for the SET after it
  CHECK(server->exit_code_within(std::chrono::seconds(30)) == std::optional<int>(0));

  server = start_resp_server(dir);
  RespClient again(server->port());
  CHECK(again.call({"MGET", "kept", "before", "after"}) ==
        "*3\r\n$3\r\nyes\r\n$1\r\n1\r\n$-1\r\n");
  const std::string cli = on_path("redis-cli");
  INFO("redis-cli is in Debian's redis-tools: apt-get install redis-tools");
  REQUIRE(!cli.empty());
  const auto shut = vkv::testing::run_program(cli, {"-p", std::to_string(server->port()),
                                                    "SHUTDOWN"}, "");
  CHECK(shut.exit_code == 0);
  CHECK(shut.out.empty());
  CHECK(server->exit_code_within(std::chrono::seconds(30)) == std::optional<int>(0));
}

TEST_CASE("resp server: HELLO 3 switches the connection to RESP3, HELLO 2 back", "[ch09][e2e]") {
  TempDir dir;
  auto server = start_resp_server(dir);
  RespClient c(server->port());
  CHECK(c.call({"GET", "missing"}) == "$-1\r\n");
  CHECK(c.call({"HELLO", "3"}).substr(0, 1) == "%");
  CHECK(c.call({"GET", "missing"}) == "_\r\n");
  CHECK(c.call({"HELLO", "2"}).substr(0, 1) == "*");
  CHECK(c.call({"GET", "missing"}) == "$-1\r\n");
}

TEST_CASE("resp server: a write under --sync always is answered, and kept over a restart",
          "[ch09][e2e]") {
  TempDir dir;
  {
    ServerProcess server(CH09_SERVER, {"--dir", dir.file("data"), "--sync", "always"},
                         dir.file("stderr"));
    RespClient c(server.port());
    CHECK(c.call({"SET", "durable", "yes"}) == "+OK\r\n");
    CHECK(server.stop(SIGKILL) == 128 + SIGKILL);  // no clean stop: only the log keeps it
  }
  ServerProcess server(CH09_SERVER, {"--dir", dir.file("data"), "--sync", "always"},
                       dir.file("stderr"));
  RespClient c(server.port());
  CHECK(c.call({"GET", "durable"}) == "$3\r\nyes\r\n");
}

TEST_CASE("resp server: redis-cli talks to it: PING, SET and GET, RESP3 with -3",
          "[ch09][e2e]") {
  const std::string cli = on_path("redis-cli");
  INFO("redis-cli is in Debian's redis-tools: apt-get install redis-tools");
  REQUIRE(!cli.empty());
  TempDir dir;
  auto server = start_resp_server(dir);
  const std::string port = std::to_string(server->port());
  auto run = [&](std::vector<std::string> args) {
    args.insert(args.begin(), {"-p", port});
    return vkv::testing::run_program(cli, args, "");
  };
  CHECK(run({"PING"}).out == "PONG\n");
  CHECK(run({"SET", "greeting", "hello world"}).out == "OK\n");
  CHECK(run({"GET", "greeting"}).out == "hello world\n");
  CHECK(run({"-3", "GET", "greeting"}).out == "hello world\n");
  CHECK(run({"-3", "GET", "missing"}).out == "\n");  // RESP3's null, as redis-cli prints it
  // Several commands through one connection, read from standard input.
  const auto piped = vkv::testing::run_program(cli, {"-p", port}, "SET a 1\nGET a\n");
  CHECK(piped.out == "OK\n1\n");
}

TEST_CASE("resp server: INFO counts the connections open now, of both protocols",
          "[ch09][e2e]") {
  TempDir dir;
  auto server = start_resp_server(dir);
  RespClient a(server->port());
  CHECK(a.call({"PING"}) == "+PONG\r\n");
  const auto clients = [&a] {
    const std::string info = a.call({"INFO", "clients"});
    const std::size_t at = info.find("connected_clients:");
    return at == std::string::npos ? std::string("none")
                                   : info.substr(at + 18, info.find('\r', at) - at - 18);
  };
  CHECK(clients() == "1");
  {
    vkv::testing::Client text(server->port());
    CHECK(text.call("SET k v") == "OK");
    RespClient b(server->port());
    CHECK(b.call({"PING"}) == "+PONG\r\n");
    CHECK(clients() == "3");
  }
  // The two are closed; the server sees it on its next turn with them.
  CHECK(vkv::testing::wait_for([&] { return clients() == "1"; }));
}
