// The page's exercise that changes code, with the test that says it is done, against the
// real vkv over real sockets. Hidden from `make test` (the leading '.' of [.exercise]), it
// fails until the exercise is done: `make exercise N=7` runs it.
#include <catch2/catch.hpp>

#include <filesystem>
#include <string>
#include <vector>

#include "common/testing/test_util.hpp"
#include "tests/support/server_process.hpp"

using vkv::testing::Client;
using vkv::testing::ServerProcess;
using vkv::testing::TempDir;

namespace {

// Starts vkv on `dir` with `flags`, sets one key, and returns the size of its log file.
std::uintmax_t log_size_after_one_set(const std::string& dir, std::vector<std::string> flags) {
  flags.insert(flags.end(), {"--dir", dir});
  ServerProcess server(VKV_PROGRAM, flags);
  Client c(server.port());
  REQUIRE(c.call("SET greeting hello") == "OK");
  return std::filesystem::file_size(dir + "/000001.log");
}

}  // namespace

// "The baseline, one flag away": `vkv --baseline` runs with chapter 6's parts (the plain log
// files and the skiplist shards), so both can be compared in one binary.
TEST_CASE("exercise: vkv --baseline writes chapter 3's plain log, and recovers from it",
          "[.exercise][ch07]") {
  for (const char* sync : {"always", "never"}) {
    INFO("--sync " << sync);
    TempDir fast;
    TempDir clear;
    // Chapter 7's log files make their space ahead: 64 KiB of zeros, or a 1 MiB window.
    CHECK(log_size_after_one_set(fast.path(), {"--sync", sync}) >= 64 * 1024);
    // Chapter 3's log file holds its records and nothing more.
    CHECK(log_size_after_one_set(clear.path(), {"--sync", sync, "--baseline"}) < 4096);
    // kill -9 (the ServerProcess is gone), then a restart: the write is there.
    ServerProcess again(VKV_PROGRAM, {"--sync", sync, "--baseline", "--dir", clear.path()});
    Client c(again.port());
    CHECK(c.call("GET greeting") == "VALUE hello");
  }
}
