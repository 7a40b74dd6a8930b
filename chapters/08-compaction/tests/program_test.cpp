// Chapter 8's program, as the page's "Run it" uses it: a small memtable, 20,000 keys
// overwritten many times over one connection; at the stop the levels' table shows the
// compactions, and the directory holds a few times the live data, not every flushed table.
// Once with the tables mapped (the default), once with `--pread-tables` (chapter 5's reads).
#include <catch2/catch.hpp>

#include <csignal>
#include <filesystem>
#include <string>
#include <vector>

#include "common/testing/test_util.hpp"
#include "tests/support/server_process.hpp"

using vkv::testing::Client;
using vkv::testing::ServerProcess;
using vkv::testing::TempDir;

namespace {

std::uint64_t dir_bytes(const std::string& dir) {
  std::uint64_t bytes = 0;
  for (const auto& e : std::filesystem::directory_iterator(dir)) {
    if (e.is_regular_file()) bytes += e.file_size();
  }
  return bytes;
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

  // Started again, it reads every key's last value from its tables.
  ServerProcess again(CH08_PROGRAM, flags, tmp.file("stderr2"));
  Client c(again.port());
  for (int k = 0; k < kKeys; k += 997) {
    CHECK(c.call("GET key" + std::to_string(100000 + k)) ==
          "VALUE r" + std::to_string(kRounds - 1) + value);
  }
  CHECK(c.call("GET nosuchkey") == "NOT_FOUND");
  CHECK(again.stop(SIGTERM) == 0);
}
