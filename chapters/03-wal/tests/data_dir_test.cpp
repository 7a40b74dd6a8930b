// DataDir: created if missing, locked against a second opener, and the log file names.
#include <catch2/catch.hpp>

#include "03-wal/data_dir.hpp"
#include "common/testing/test_util.hpp"

using vkv::Env;
using vkv::storage::DataDir;
using vkv::testing::TempDir;

TEST_CASE("data dir: log names are six-digit numbers, parsed back exactly", "[ch03]") {
  CHECK(DataDir::log_name(1) == "000001.log");
  CHECK(DataDir::log_name(1234567) == "1234567.log");
  CHECK(DataDir::parse_log_name("000042.log") == 42u);
  CHECK(DataDir::parse_log_name("1234567.log") == 1234567u);
  for (const char* bad : {"LOCK", ".log", "000000.log", "00001a.log", "000001.log.tmp",
                          "000001.sst", "-1.log", " 1.log"}) {
    INFO(bad);
    CHECK_FALSE(DataDir::parse_log_name(bad).has_value());
  }
}

TEST_CASE("data dir: created if missing, and its logs listed oldest first", "[ch03]") {
  TempDir tmp;
  auto dir = DataDir::open(Env::posix(), tmp.file("data") + "/");
  REQUIRE(dir.is_ok());
  CHECK(dir->path() == tmp.file("data"));
  CHECK(dir->log_path(3) == tmp.file("data/000003.log"));
  for (const char* name : {"000010.log", "000002.log", "notes.txt", "000003.sst"}) {
    vkv::testing::write_whole_file(tmp.file("data/") + name, "");
  }
  auto numbers = dir->log_numbers();
  REQUIRE(numbers.is_ok());
  CHECK(*numbers == std::vector<std::uint64_t>{2, 10});
}

TEST_CASE("data dir: a second opener fails while the first holds the LOCK", "[ch03]") {
  TempDir tmp;
  auto first = DataDir::open(Env::posix(), tmp.path());
  REQUIRE(first.is_ok());
  auto second = DataDir::open(Env::posix(), tmp.path());
  REQUIRE_FALSE(second.is_ok());
  CHECK(second.status().code() == vkv::StatusCode::kBusy);
  CHECK(second.status().message().find("is in use by another process") != std::string::npos);
  { auto released = std::move(first).value(); }  // the lock goes with the DataDir
  CHECK(DataDir::open(Env::posix(), tmp.path()).is_ok());
}

TEST_CASE("data dir: a path that is a file, or has no parent, is an error", "[ch03]") {
  TempDir tmp;
  vkv::testing::write_whole_file(tmp.file("plain"), "x");
  CHECK_FALSE(DataDir::open(Env::posix(), tmp.file("plain")).is_ok());
  auto orphan = DataDir::open(Env::posix(), tmp.file("no/such/parent"));
  CHECK(orphan.status().is_not_found());
}
