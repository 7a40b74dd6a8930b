// Chapter 8's program, as the page's "Run it" uses it: a small memtable, 20,000 keys
// overwritten many times over one connection; at the stop the levels' table shows the
// compactions, and the directory holds a few times the live data, not every flushed table.
// Once with the tables mapped (the default), once with `--pread-tables` (chapter 5's reads).
// A compaction that meets a damaged table, as the log says it. And the server's threads,
// each named for its job.
#include <catch2/catch.hpp>

#include <algorithm>
#include <csignal>
#include <filesystem>
#include <string>
#include <vector>

#include "common/testing/test_util.hpp"
#include "tests/support/server_process.hpp"

using vkv::testing::Client;
using vkv::testing::ServerProcess;
using vkv::testing::TempDir;
using vkv::testing::wait_until_settled;

namespace {

std::uint64_t dir_bytes(const std::string& dir) {
  std::uint64_t bytes = 0;
  for (const auto& e : std::filesystem::directory_iterator(dir)) {
    if (e.is_regular_file()) bytes += e.file_size();
  }
  return bytes;
}

// Chapter 8's server with a 1 MiB memtable, which 30,000 SETs of 100 bytes fill a few times.
struct SmallServer {
  TempDir tmp;
  std::string dir = tmp.file("data");
  std::string err = tmp.file("stderr");  // the server's log
  ServerProcess server{CH08_PROGRAM,
                       {"--dir", dir, "--sync", "never", "--memtable-bytes", "1048576"}, err};
  Client client{server.port()};
};

// SETs keys key100000 to key<100000 + keys - 1> to `value`, a thousand a batch.
void set_keys(Client& c, int keys, const std::string& value) {
  for (int first = 0; first < keys; first += 1000) {
    std::string batch;
    for (int k = first; k < first + 1000; ++k) {
      batch += "SET key" + std::to_string(100000 + k) + " " + value + "\n";
    }
    REQUIRE(c.send(batch));
    for (int k = 0; k < 1000; ++k) REQUIRE(c.read_line() == std::optional<std::string>("OK"));
  }
}


}  // namespace

TEST_CASE("program: the page's overwrite load compacts, and the levels' table says so",
          "[ch08][program]") {
  TempDir tmp;
  const std::string dir = tmp.file("data");
  const std::string err = tmp.file("stderr");
  constexpr int kKeys = 20000;
  constexpr int kRounds = 10;
  const std::string value(100, 'v');
  const bool pread_tables = GENERATE(false, true);
  std::vector<std::string> flags = {"--dir", dir, "--sync", "never", "--memtable-bytes", "1048576"};
  if (pread_tables) flags.push_back("--pread-tables");
  INFO("--pread-tables: " << pread_tables);
  {
    ServerProcess server(CH08_PROGRAM, flags, err);
    Client c(server.port());
    for (int round = 0; round < kRounds; ++round) {
      // One round's SETs in batches of 1000, each batch's replies read before the next.
      for (int first = 0; first < kKeys; first += 1000) {
        std::string batch;
        for (int k = first; k < first + 1000; ++k) {
          batch += "SET key" + std::to_string(100000 + k) + " r" + std::to_string(round) + value + "\n";
        }
        REQUIRE(c.send(batch));
        for (int k = 0; k < 1000; ++k) REQUIRE(c.read_line() == std::optional<std::string>("OK"));
      }
    }
    CHECK(c.call("GET key100007") == "VALUE r" + std::to_string(kRounds - 1) + value);
    CHECK(server.stop(SIGTERM) == 0);
  }
  const std::string report = vkv::testing::read_whole_file(err);
  INFO(report);
  CHECK(report.find("level  tables") != std::string::npos);
  CHECK(report.find("  L1 ") != std::string::npos);  // compactions wrote level 1
  const std::uint64_t live = kKeys * (8 + 2 + 100);
  const std::uint64_t flushed = std::uint64_t{kRounds} * live;
  CHECK(dir_bytes(dir) < flushed / 2);  // far less than everything ever written
  CHECK(dir_bytes(dir) < 4 * live);

  // Started again, it reads every key's last value from its tables, mapped or not as asked.
  ServerProcess again(CH08_PROGRAM, flags, tmp.file("stderr2"));
  const std::string maps = vkv::testing::read_whole_file("/proc/" + std::to_string(again.pid()) + "/maps");
  CHECK((maps.find(".sst") != std::string::npos) == !pread_tables);
  Client c(again.port());
  for (int k = 0; k < kKeys; k += 997) {
    CHECK(c.call("GET key" + std::to_string(100000 + k)) ==
          "VALUE r" + std::to_string(kRounds - 1) + value);
  }
  CHECK(c.call("GET nosuchkey") == "NOT_FOUND");
  CHECK(again.stop(SIGTERM) == 0);
}

TEST_CASE("program: a mapped table whose pages are gone fails its GETs with an error and one "
          "log line, and the server goes on",
          "[ch08][program][mapped]") {
  // The tables are cut to their first page while the server runs: reading a lost page of a
  // mapped file raises SIGBUS, as a disk's read error does.
  SmallServer small;
  const std::string& dir = small.dir;
  const std::string& err = small.err;
  ServerProcess& server = small.server;
  Client& c = small.client;
  constexpr int kKeys = 30000;  // about 3.5 MB: several flushes, none of it read back yet
  const std::string value(100, 'v');
  set_keys(c, kKeys, value);
  wait_until_settled(dir);  // flushes and compactions done: then cut every table
  int cut = 0;
  for (const std::string& table : vkv::testing::files_in(dir, ".sst")) {
    std::error_code gone;  // a compaction finishing late may remove a table as we go
    if (std::filesystem::file_size(table, gone) > 4096 && !gone) {
      std::filesystem::resize_file(table, 4096, gone);
      cut += gone ? 0 : 1;
    }
  }
  REQUIRE(cut > 0);

  int errors = 0;
  for (int k = 0; k < kKeys; k += 101) {
    const std::string reply = c.call("GET key" + std::to_string(100000 + k));
    if (reply.rfind("ERR", 0) == 0) {
      CHECK(reply.find("SIGBUS") != std::string::npos);
      ++errors;
    } else {
      CHECK(reply == "VALUE " + value);  // from the memtable, or a table's first page
    }
  }
  CHECK(errors > 0);
  CHECK(c.call("SET after-the-cut kept") == "OK");
  CHECK(c.call("GET after-the-cut") == "VALUE kept");
  CHECK(server.stop(SIGTERM) == 0);

  const std::string log = vkv::testing::read_whole_file(err);
  INFO(log);
  CHECK(log.find("vkv: table read failed: ") != std::string::npos);
  CHECK(log.find("SIGBUS") != std::string::npos);
  // Said at most once in ten seconds, however many GETs failed.
  std::size_t lines = 0;
  for (std::size_t at = log.find("table read failed"); at != std::string::npos;
       at = log.find("table read failed", at + 1)) {
    ++lines;
  }
  CHECK(lines <= 2);
}

TEST_CASE("program: a compaction that meets a damaged table is said in one log line as a "
          "failed compaction, and writes go on",
          "[ch08][program]") {
  SmallServer small;
  const std::string& dir = small.dir;
  const std::string& err = small.err;
  ServerProcess& server = small.server;
  Client& c = small.client;
  constexpr int kKeys = 30000;
  set_keys(c, kKeys, std::string(100, 'a'));
  wait_until_settled(dir);
  // Damage every table's first data block in place, as a disk might (the file keeps its size).
  int damaged = 0;
  for (const auto& table : vkv::testing::files_in(dir, ".sst")) {
    damaged += vkv::testing::damage_byte(table, 100) ? 1 : 0;
  }
  REQUIRE(damaged > 0);
  // The same keys again: their flushes must be merged with the damaged tables below.
  set_keys(c, kKeys, std::string(100, 'b'));
  const auto log = [&] { return vkv::testing::read_whole_file(err); };
  REQUIRE(vkv::testing::wait_for([&] { return log().find("compaction failed") != std::string::npos; }));
  CHECK(c.call("SET after-the-failure kept") == "OK");  // writes go on
  CHECK(c.call("GET after-the-failure") == "VALUE kept");
  CHECK(c.call("GET key100000").rfind("VALUE b", 0) == 0);  // from the newer tables
  CHECK(server.stop(SIGTERM) == 0);

  const std::string said = log();
  INFO(said);
  const std::size_t line = said.find("vkv: compaction failed: ");
  REQUIRE(line != std::string::npos);
  const std::string first = said.substr(line, said.find('\n', line) - line);
  CHECK(first.find(".sst") != std::string::npos);  // names the damaged file
  CHECK(first.find("nothing was deleted") != std::string::npos);
  CHECK(first.ends_with("; reads go on, and writes until level 0 is full"));
  CHECK(said.find("write failed") == std::string::npos);  // not said as a failed write
}

TEST_CASE("program: each thread of the server is named for its job", "[ch08][program]") {
  TempDir tmp;
  ServerProcess server(CH08_PROGRAM,
                       {"--dir", tmp.file("data"), "--sync", "everysec", "--workers", "2"});
  Client c(server.port());
  REQUIRE(c.call("SET k v") == "OK");
  std::vector<std::string> names;  // as `top -H` shows them
  for (const auto& stat : vkv::testing::read_thread_stats(server.pid())) names.push_back(stat.name);
  std::string all;
  for (const auto& n : names) all += n + " ";
  INFO("threads: " << all);
  for (const char* name : {"vkv-worker-0", "vkv-worker-1", "vkv-flush", "vkv-compact",
                           "vkv-log-sync", "vkv-log-map"}) {
    CHECK(std::count(names.begin(), names.end(), name) == 1);
  }
  CHECK(server.stop(SIGTERM) == 0);
}
