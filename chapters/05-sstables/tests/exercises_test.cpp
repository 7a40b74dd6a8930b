// The page's exercises that change code, each with the test that says it is done. They are
// hidden from `make test` (the leading '.' of [.exercise]) and fail until the exercise is
// done: `make exercise N=5` runs them.
#include <catch2/catch.hpp>

#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "05-sstables/lsm_store.hpp"
#include "common/testing/test_util.hpp"

using vkv::Env;
using vkv::storage::LsmStore;
using vkv::storage::LsmStoreOptions;
using vkv::storage::SyncPolicy;
using vkv::testing::run_program;
using vkv::testing::TempDir;

namespace {

std::unique_ptr<LsmStore> open_store(const std::string& dir) {
  LsmStoreOptions o;
  o.durable.dir = dir;
  o.durable.sync = SyncPolicy::kNever;
  auto store = LsmStore::open(Env::posix(), o);
  INFO(store.status().to_string());
  REQUIRE(store.is_ok());
  return std::move(store).value();
}

bool absent(LsmStore& store, const std::string& key) {
  std::string value;
  return store.get(key, &value).is_not_found();
}

}  // namespace

// "Count the tombstones": the last line of --dump says how many tombstones the table holds.
TEST_CASE("exercise: --dump counts the tombstones of a table", "[.exercise][ch05]") {
  TempDir tmp;
  const std::string dir = tmp.file("data");
  // Enough values for a few tables, then 50 deletes of keys in those tables, then enough
  // values again that the deletes are flushed too.
  std::string input;
  const std::string value(100, 'v');
  for (int i = 0; i < 2000; ++i) input += "SET key" + std::to_string(i) + " " + value + "\n";
  for (int i = 0; i < 50; ++i) input += "DEL key" + std::to_string(i) + "\n";
  for (int i = 2000; i < 4000; ++i) input += "SET key" + std::to_string(i) + " " + value + "\n";
  REQUIRE(run_program(CH05_PROGRAM, {"--dir", dir, "--memtable-bytes", "64K", "--sync", "never"},
                      input).exit_code == 0);

  const std::regex summary(R"(^\d+ data blocks, \d+ entries read \((\d+) tombstones\), all checksums ok$)");
  int said = 0;
  int listed = 0;
  for (const auto& table : vkv::testing::files_in(dir, ".sst")) {
    const auto dump = run_program(CH05_PROGRAM, {"--dump", table}, "");
    REQUIRE(dump.exit_code == 0);
    std::istringstream lines(dump.out);
    std::string line, last;
    while (std::getline(lines, line)) {
      listed += line.rfind("    tombstone ", 0) == 0;
      last = line;
    }
    INFO(table << "'s last line: " << last);
    std::smatch m;
    REQUIRE(std::regex_match(last, m, summary));
    said += std::stoi(m[1]);
  }
  CHECK(listed == 50);
  CHECK(said == 50);
}

// "Drop the tombstones nothing needs": a flush into a store that has no table yet drops its
// tombstones, since no older table holds a value for them to hide. Once a table exists, a
// flush keeps them.
TEST_CASE("exercise: a flush into a store with no table drops the tombstones", "[.exercise][ch05]") {
  TempDir tmp;
  const std::string dir = tmp.file("data");
  {
    auto store = open_store(dir);
    REQUIRE(store->set("kept", "1").is_ok());
    REQUIRE(store->set("gone", "2").is_ok());
    REQUIRE(store->del("gone").is_ok());
    REQUIRE(store->del("never-set").is_ok());
    REQUIRE(store->flush().is_ok());
    CHECK(store->stats().table_entries == 1);  // "kept" alone: nothing older to hide
    CHECK(absent(*store, "gone"));
    CHECK(absent(*store, "never-set"));

    REQUIRE(store->del("kept").is_ok());
    REQUIRE(store->flush().is_ok());
    CHECK(store->stats().table_entries == 2);  // this tombstone hides the first table's value
    CHECK(absent(*store, "kept"));
  }
  auto reopened = open_store(dir);
  CHECK(absent(*reopened, "kept"));
  CHECK(absent(*reopened, "gone"));
  CHECK(reopened->stats().table_entries == 2);

  // A memtable of tombstones alone, in a fresh store: the flush leaves no entry at all.
  TempDir fresh;
  {
    auto store = open_store(fresh.path());
    REQUIRE(store->del("x").is_ok());
    REQUIRE(store->flush().is_ok());
    CHECK(store->stats().table_entries == 0);
  }
  auto again = open_store(fresh.path());
  CHECK(absent(*again, "x"));
  REQUIRE(again->set("x", "back").is_ok());
  std::string value;
  CHECK((again->get("x", &value).is_ok() && value == "back"));
}
