// The server, tested as users meet it: the real binary (e2e::kServer: each server chapter's)
// on a free port, real sockets.
#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <atomic>
#include <memory>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "tests/support/server_process.hpp"
#include "tests/support/small_filesystem.hpp"
#include "common/testing/shell_session.hpp"
#include "common/testing/test_util.hpp"
#include "common/testing/transcript.hpp"
#include "tests/support/e2e_config.hpp"

using vkv::testing::Client;
using vkv::testing::ServerProcess;
using vkv::testing::TempDir;
using vkv::testing::wait_for;
namespace e2e = vkv::testing::e2e;

namespace {

std::unique_ptr<ServerProcess> start_server(const TempDir& dir, std::vector<std::string> args = {}) {
  args.insert(args.end(), {"--dir", dir.path()});
  return std::make_unique<ServerProcess>(e2e::kServer, args);
}

// `replies` with the commands a later chapter adds to the text protocol (SCAN, from chapter
// 8) left out of each unknown-command error's list, which chapter 6 wrote as
// "(commands: SET, GET, DEL)": these tests hold for every server chapter.
std::string without_added_commands(std::string replies) {
  const std::string base = "(commands: SET, GET, DEL";
  for (std::size_t at = replies.find(base); at != std::string::npos;
       at = replies.find(base, at + 1)) {
    const std::size_t from = at + base.size();
    const std::size_t close = replies.find(')', from);
    if (close != std::string::npos) replies.erase(from, close - from);
  }
  return replies;
}

}  // namespace

TEST_CASE("server: the nc session works, with LF or CRLF line ends", "[e2e]") {
  TempDir dir;
  auto server = start_server(dir);
  Client c(server->port());
  CHECK(c.call("SET foo bar") == "OK");
  CHECK(c.call("GET foo") == "VALUE bar");
  CHECK(c.call("DEL foo") == "OK");
  CHECK(c.call("GET foo") == "NOT_FOUND");
  CHECK(c.call("SET greeting \"hello world\"\r") == "OK");
  CHECK(c.call("get greeting\r") == "VALUE \"hello world\"");
}

TEST_CASE("server: the chapter's nc session (transcript), over a socket", "[e2e]") {
  TempDir dir;
  auto server = start_server(dir);
  const auto t = vkv::testing::load_transcript(e2e::kTranscripts, "nc.session");
  Client c(server->port());
  CHECK(without_added_commands(vkv::testing::replay(c, t)) == t.expected);
}

TEST_CASE("server: the page's Run it session (the chapter's tests/run-it), replayed in one shell",
          "[e2e]") {
  vkv::testing::ShellSession shell(e2e::kBuildDir);
  const auto steps = shell.run_all(vkv::testing::session_files(e2e::kRunIt));
  for (const auto& step : steps) CHECK(step.mismatch() == "");
  // Beyond the words, which hold no numbers: where the session shows the server's memory
  // (before and while a client never reads), it grows by far less than the replies it asked
  // for.
  std::vector<long> rss_kib;
  bool shows_memory = false;
  for (const auto& step : steps) {
    if (step.command.find("VmRSS") == std::string::npos) continue;
    shows_memory = true;
    if (step.actual.empty()) continue;
    const std::string& line = step.actual.front();
    rss_kib.push_back(std::stol(line.substr(line.find_first_of("0123456789"))));
  }
  if (!shows_memory) return;
  REQUIRE(rss_kib.size() >= 2);
  CHECK(rss_kib.back() - rss_kib.front() < 64 * 1024);
}

TEST_CASE("server: every error reply of the text protocol, and the session goes on", "[e2e]") {
  TempDir dir;
  auto server = start_server(dir, {"--max-line", "100"});
  Client c(server->port());
  CHECK(without_added_commands(c.call("FROB x")) ==
        "ERR unknown command 'FROB' (commands: SET, GET, DEL)");
  CHECK(c.call("SET a") == "ERR wrong number of arguments for 'SET' (usage: SET key value)");
  CHECK(c.call("GET") == "ERR wrong number of arguments for 'GET' (usage: GET key)");
  CHECK(c.call("DEL a b") == "ERR wrong number of arguments for 'DEL' (usage: DEL key)");
  CHECK(c.call("SET \"a b") == "ERR unbalanced quotes");
  CHECK(c.call("SET a \"\\q\"") == "ERR bad escape '\\q' (use \\\" \\\\ \\n \\r \\t or \\xHH)");
  CHECK(c.call("GET \"\"") == "ERR empty key");
  CHECK(c.call(std::string(500, 'x')) == "ERR line too long (limit 100 bytes)");
  CHECK(c.call("SET a 1") == "OK");
}

TEST_CASE("server: an empty line gets no reply, and a partial last line gets an error", "[e2e]") {
  TempDir dir;
  auto server = start_server(dir);
  Client c(server->port());
  REQUIRE(c.send("\n\nSET k v\nGET k"));
  CHECK(c.read_line() == "OK");
  c.shutdown_write();
  CHECK(c.read_line() == "ERR partial line at end of input (5 bytes with no newline; not executed)");
  CHECK_FALSE(c.read_line().has_value());  // then the server closes
}

TEST_CASE("server: a thousand pipelined commands in one write are answered in order", "[e2e]") {
  TempDir dir;
  auto server = start_server(dir);
  Client c(server->port());
  std::string batch;
  for (int i = 0; i < 1000; ++i) {
    batch += (i % 2 == 0) ? "SET k" + std::to_string(i) + " v" + std::to_string(i) + "\n"
                          : "GET k" + std::to_string(i - 1) + "\n";
  }
  REQUIRE(c.send(batch));
  for (int i = 0; i < 1000; ++i) {
    const auto line = c.read_line();
    REQUIRE(line.has_value());
    CHECK(*line == ((i % 2 == 0) ? "OK" : "VALUE v" + std::to_string(i - 1)));
  }
}

TEST_CASE("server: 1,000 connections at once, each with its own keys", "[e2e]") {
  vkv::testing::raise_fd_limit();
  TempDir dir;
  auto server = start_server(dir);
  std::vector<std::unique_ptr<Client>> clients;
  for (int i = 0; i < 1000; ++i) clients.push_back(std::make_unique<Client>(server->port()));
  for (int i = 0; i < 1000; ++i) {
    REQUIRE(clients[i]->send("SET conn" + std::to_string(i) + " value" + std::to_string(i) + "\n"));
  }
  for (int i = 0; i < 1000; ++i) REQUIRE(clients[i]->read_line() == "OK");
  for (int i = 0; i < 1000; ++i) REQUIRE(clients[i]->send("GET conn" + std::to_string(i) + "\n"));
  int right = 0;
  for (int i = 0; i < 1000; ++i) right += clients[i]->read_line() == "VALUE value" + std::to_string(i);
  CHECK(right == 1000);
}

TEST_CASE("server: the connection over --max-connections gets an error and is closed", "[e2e]") {
  TempDir dir;
  auto server = start_server(dir, {"--max-connections", "2"});
  Client a(server->port());
  Client b(server->port());
  CHECK(a.call("SET a 1") == "OK");
  CHECK(b.call("SET b 2") == "OK");
  Client third(server->port());
  CHECK(third.read_line() == "ERR max connections");
  CHECK_FALSE(third.read_line().has_value());
  CHECK(a.call("GET b") == "VALUE 2");  // the others go on
}

TEST_CASE("server: a client that never reads cannot make the server buffer without bound", "[e2e]") {
  TempDir dir;
  auto server = start_server(dir, {"--stalled-timeout", "1"});
  Client setter(server->port());
  const std::string big(60 * 1000, 'b');
  REQUIRE(setter.call("SET big " + big) == "OK");
  // Each GET below is answered with all 60 KB (a short reply would never fill the socket).
  REQUIRE(setter.call("GET big") == "VALUE " + big);
  const long rss_before = server->rss_kib();
  REQUIRE(rss_before > 0);

  // 20,000 GETs of a 60 KB value: 1.2 GB of replies, never read.
  std::string gets;
  for (int i = 0; i < 1000; ++i) gets += "GET big\n";
  vkv::testing::NonReadingClient greedy(server->port(), gets, 20);
  // The greedy client is closed once its replies have not moved for the stalled timeout.
  CHECK(wait_for([&] { return greedy.hung_up(); }, std::chrono::seconds(30)));
  // At its most (VmHWM, a bound on what it held since rss_before), not only once the
  // client is gone and its buffers freed.
  CHECK(server->peak_rss_kib() - rss_before < 64 * 1024);  // far below the 1.2 GB asked for
  CHECK(setter.call("GET missing") == "NOT_FOUND");     // everyone else is served
}

TEST_CASE("server: a client that disconnects mid-command disturbs no one", "[e2e]") {
  TempDir dir;
  auto server = start_server(dir);
  Client steady(server->port());
  CHECK(steady.call("SET stay here") == "OK");
  for (int i = 0; i < 50; ++i) {
    Client flaky(server->port());
    REQUIRE(flaky.send("SET half-written \"no end"));
  }  // each closes with half a line sent
  {
    Client flaky(server->port());
    REQUIRE(flaky.send(std::string(200000, 'z')));  // half a very long line
  }
  CHECK(steady.call("GET stay") == "VALUE here");
  CHECK(steady.call("GET half-written") == "NOT_FOUND");
}

TEST_CASE("server: garbage bytes get errors, never a crash", "[e2e]") {
  TempDir dir;
  auto server = start_server(dir);
  Client c(server->port());
  std::string junk;
  for (int i = 0; i < 256; ++i) junk.push_back(static_cast<char>(i));
  junk += "\n";
  for (int i = 0; i < 100; ++i) REQUIRE(c.send(junk));
  REQUIRE(c.send("GET after\n"));
  std::string last;
  for (int i = 0; i < 1000; ++i) {  // read replies until the GET's
    auto line = c.read_line();
    REQUIRE(line.has_value());
    last = *line;
    if (last == "NOT_FOUND") break;
  }
  CHECK(last == "NOT_FOUND");
}

TEST_CASE("server: --help lists the flags, and bad flags stop it", "[e2e]") {
  auto help = vkv::testing::run_program(e2e::kServer, {"--help"}, "");
  CHECK(help.exit_code == 0);
  for (const char* flag : {"--bind", "--port", "--dir", "--sync", "--memtable-bytes", "--workers",
                           "--max-connections", "--max-line"}) {
    CHECK(help.out.find(flag) != std::string::npos);
  }
  auto bad = vkv::testing::run_program(e2e::kServer, {"--port", "70000"}, "");
  CHECK(bad.exit_code == 2);
  auto bad_bind = vkv::testing::run_program(e2e::kServer, {"--bind", "nowhere", "--port", "0"}, "");
  CHECK(bad_bind.exit_code != 0);
  CHECK(bad_bind.err.find("bad bind address 'nowhere'") != std::string::npos);
}

TEST_CASE("server: kill -9 under many writers with --sync always loses no acknowledged SET",
          "[e2e]") {
  TempDir dir;
  std::vector<std::pair<std::string, std::string>> acknowledged;
  for (int round = 0; round < 3; ++round) {
    // One worker (the gate syncs on it), then two (the gate's own thread), each with the
    // smallest memtable so that background flushes run when the kill comes; then defaults.
    const std::vector<std::vector<std::string>> flags = {
        {"--sync", "always", "--workers", "1", "--memtable-bytes", "65536"},
        {"--sync", "always", "--workers", "2", "--memtable-bytes", "65536"},
        {"--sync", "always"}};
    auto server = start_server(dir, flags[static_cast<std::size_t>(round)]);
    constexpr int kWriters = 8;
    std::vector<std::vector<std::pair<std::string, std::string>>> acked(kWriters);
    std::atomic<int> total{0};
    std::atomic<int> stopped{0};  // writers whose SET was refused, or found the server gone
    std::vector<std::thread> writers;
    for (int w = 0; w < kWriters; ++w) {
      writers.emplace_back([&, w] {
        Client c(server->port());
        for (int i = 0;; ++i) {
          const std::string key = "r" + std::to_string(round) + "w" + std::to_string(w) + "k" + std::to_string(i);
          const std::string value = "v" + std::to_string(i * 7919) + std::string(i % 50, 'x');
          if (!c.send("SET " + key + " " + value + "\n")) break;
          auto reply = c.read_line();
          if (!reply.has_value()) break;  // the server died mid-command: not acknowledged
          if (*reply != "OK") break;
          acked[w].emplace_back(key, value);
          ++total;
        }
        ++stopped;
      });
    }
    // Enough writes to kill in the middle of, or none coming: then the test fails at once.
    const bool written = wait_for([&] { return total.load() >= 3000 || stopped.load() == kWriters; });
    server->stop(SIGKILL);
    for (auto& t : writers) t.join();
    REQUIRE(written);
    REQUIRE(total.load() >= 3000);
    for (auto& a : acked) acknowledged.insert(acknowledged.end(), a.begin(), a.end());

    auto restarted = start_server(dir, {"--sync", "always"});
    // The small memtables were flushed while the writers ran (tables on disk).
    CHECK(restarted->ready_line().find(" (0 tables") == std::string::npos);
    Client check(restarted->port());
    int missing = 0;
    for (const auto& [key, value] : acknowledged) missing += check.call("GET " + key) != "VALUE " + value;
    CHECK(missing == 0);
    INFO("round " << round << ": " << acknowledged.size() << " acknowledged writes so far");
  }
}

TEST_CASE("server: SIGTERM stops it cleanly, and a restart finds everything", "[e2e]") {
  TempDir dir;
  {
    auto server = start_server(dir, {"--sync", "never"});
    Client c(server->port());
    for (int i = 0; i < 500; ++i) REQUIRE(c.call("SET key" + std::to_string(i) + " " + std::to_string(i)) == "OK");
    REQUIRE(c.call("DEL key7") == "OK");
    CHECK(server->stop(SIGTERM) == 0);
  }
  auto server = start_server(dir, {"--sync", "never"});
  Client c(server->port());
  for (int i = 0; i < 500; ++i) {
    CHECK(c.call("GET key" + std::to_string(i)) == (i == 7 ? "NOT_FOUND" : "VALUE " + std::to_string(i)));
  }
  CHECK(server->ready_line().find("sync never") != std::string::npos);
}

TEST_CASE("server: SIGTERM lets the commands in flight finish", "[e2e]") {
  TempDir dir;
  auto server = start_server(dir, {"--sync", "always"});
  Client c(server->port());
  std::string batch;
  for (int i = 0; i < 2000; ++i) batch += "SET flight" + std::to_string(i) + " v\n";
  REQUIRE(c.send(batch));
  REQUIRE(c.read_line() == "OK");  // the batch is being worked on
  ::kill(server->pid(), SIGTERM);
  int answered = 1;
  while (auto line = c.read_line()) {
    if (*line != "OK") break;
    ++answered;
  }
  CHECK(server->stop(SIGTERM) == 0);
  // Whatever was answered OK is there after the restart.
  auto restarted = start_server(dir);
  Client check(restarted->port());
  int missing = 0;
  for (int i = 0; i < answered; ++i) missing += check.call("GET flight" + std::to_string(i)) != "VALUE v";
  CHECK(missing == 0);
}

TEST_CASE("server: a second server on the same data directory stops with a clear message", "[e2e]") {
  TempDir dir;
  auto server = start_server(dir);
  auto second = vkv::testing::run_program(e2e::kServer, {"--port", "0", "--dir", dir.path()}, "");
  CHECK(second.exit_code == 1);
  CHECK(second.err.find("LOCK") != std::string::npos);
}

TEST_CASE("server: a full disk: writes get an error naming it, reads go on, and writes come "
          "back once there is room", "[e2e]") {
  for (const char* sync : {"always", "never"}) {
    INFO("--sync " << sync);
    vkv::testing::SmallFilesystem disk(4 << 20);
    if (!disk.available()) {
      WARN("cannot mount a small tmpfs here (not root?): the full-disk test checks nothing");
      return;
    }
    TempDir logs;
    const std::string err = logs.file("stderr");
    auto server = std::make_unique<ServerProcess>(
        e2e::kServer, std::vector<std::string>{"--dir", disk.file("data"), "--sync", sync}, err);
    Client c(server->port());
    REQUIRE(c.call("SET before-full yes") == "OK");
    // Fill what is left with a file of our own, then write until the disk says no.
    const std::string filler = disk.file("filler");
    {
      std::ofstream f(filler, std::ios::binary);
      const std::string mib(1 << 20, 'x');
      for (int i = 0; i < 8 && f.write(mib.data(), mib.size()); ++i) {
      }
    }
    const std::string value(1000, 'v');
    std::string refused;
    std::map<std::string, std::string> acknowledged;
    for (int i = 0; i < 5000 && refused.empty(); ++i) {
      const std::string key = "k" + std::to_string(i);
      const std::string reply = c.call("SET " + key + " " + value);
      if (reply == "OK") {
        acknowledged[key] = value;
      } else {
        refused = reply;
      }
    }
    REQUIRE(refused.rfind("ERR ", 0) == 0);  // an answer, not a server that went away
    CHECK(refused.find("No space left on device") != std::string::npos);
    CHECK(c.call("GET before-full") == "VALUE yes");  // reads go on
    CHECK(c.call("SET still-full " + value).rfind("ERR ", 0) == 0);
    CHECK(vkv::testing::wait_for([&] {
      return vkv::testing::read_whole_file(err).find("No space left on device") != std::string::npos;
    }));
    std::filesystem::remove(filler);  // room again
    std::string after_room;  // errors until the server sees the room; then OK
    vkv::testing::wait_for([&] {
      after_room = c.call("SET after-room ok");
      return after_room.rfind("ERR ", 0) != 0;
    });
    REQUIRE(after_room == "OK");
    acknowledged["after-room"] = "ok";
    acknowledged["before-full"] = "yes";
    server->stop(SIGKILL);
    auto restarted = std::make_unique<ServerProcess>(
        e2e::kServer, std::vector<std::string>{"--dir", disk.file("data"), "--sync", sync});
    Client check(restarted->port());
    int missing = 0;
    for (const auto& [key, v] : acknowledged) missing += check.call("GET " + key) != "VALUE " + v;
    CHECK(missing == 0);
  }
}

TEST_CASE("server: a table damaged on disk fails the GETs of its block, in one log line, and "
          "every other key is served", "[e2e]") {
  TempDir dir;
  const std::string err = dir.file("stderr");
  const std::string data = dir.file("data");
  auto server = std::make_unique<ServerProcess>(
      e2e::kServer,
      std::vector<std::string>{"--dir", data, "--sync", "never", "--memtable-bytes", "65536"},
      err);
  Client c(server->port());
  constexpr int kKeys = 3000;
  const std::string value(50, 'v');
  for (int i = 0; i < kKeys; ++i) {
    REQUIRE(c.call("SET key" + std::to_string(i) + " " + value) == "OK");
  }
  vkv::testing::wait_until_settled(data);
  // Each table's first data block, damaged in place as a disk might (the file keeps its size).
  int damaged = 0;
  for (const auto& table : vkv::testing::files_in(data, ".sst")) {
    damaged += vkv::testing::damage_byte(table, 7) ? 1 : 0;
  }
  REQUIRE(damaged > 0);
  int failed = 0;
  int served = 0;
  for (int i = 0; i < kKeys; ++i) {
    const std::string reply = c.call("GET key" + std::to_string(i));
    if (reply == "VALUE " + value) {
      ++served;
    } else {
      INFO(reply);
      CHECK(reply.rfind("ERR storage: corruption: ", 0) == 0);
      CHECK(reply.find(".sst: data block 0 at offset 0: checksum mismatch") != std::string::npos);
      ++failed;
    }
  }
  CHECK(failed > 0);
  CHECK(served > failed);  // the other blocks' keys, and the memtable's
  CHECK(c.call("SET after yes") == "OK");  // writes go on
  CHECK(c.call("GET after") == "VALUE yes");
  // Chapter 6's line, `vkv: table read failed: ...`; chapter 11's event, `table_read_failed`.
  const auto lines_saying = [](const std::string& log) {
    std::vector<std::string> said;
    std::istringstream in(log);
    for (std::string line; std::getline(in, line);) {
      if (line.find("table read failed: ") != std::string::npos ||
          line.find(" table_read_failed ") != std::string::npos) {
        said.push_back(line);
      }
    }
    return said;
  };
  const auto log = [&] { return vkv::testing::read_whole_file(err); };
  REQUIRE(wait_for([&] { return !lines_saying(log()).empty(); }));
  CHECK(server->stop(SIGTERM) == 0);
  const std::string all = log();
  INFO(all);
  // Not a line for each failed GET: chapter 6 says one every ten seconds, chapter 11 ten
  // events of a kind. Each names the file and the block.
  const auto said = lines_saying(all);
  REQUIRE_FALSE(said.empty());
  const bool events = said[0].find(" table_read_failed ") != std::string::npos;
  CHECK(said.size() <= (events ? 10U : 1U));
  CHECK(static_cast<int>(said.size()) < failed);
  for (const std::string& line : said) {
    CHECK(line.find("corruption: ") != std::string::npos);
    CHECK(line.find(".sst: data block 0 at offset 0: checksum mismatch") != std::string::npos);
    CHECK(line.find("that read gets an error, other keys are served") != std::string::npos);
  }
  CHECK(all.find("write failed") == std::string::npos);
  CHECK(all.find("write_failed") == std::string::npos);
}
