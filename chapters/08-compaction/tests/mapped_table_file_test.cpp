// MappedTableFile and MappedTableEnv: reads copied out of a map, a page the disk cannot give
// back as an error of one read, and chapter 8's store with its tables mapped.
#include <catch2/catch.hpp>

#include <fcntl.h>
#include <signal.h>
#include <sys/mman.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "02-parsing/tests/store_contract.hpp"
#include "08-compaction/mapped_table_file.hpp"
#include "08-compaction/tests/leveled_store.hpp"
#include "common/testing/test_util.hpp"

namespace {

using vkv::Env;
using vkv::storage::MappedTableEnv;
using vkv::storage::MappedTableFile;
using vkv::testing::contains;
using vkv::testing::key_for;
using vkv::testing::open_leveled;
using vkv::testing::TempDir;
using vkv::testing::tiny_levels;

// Byte i of a test file: varied, so a copy from the wrong place shows.
char byte_at(std::size_t i) { return static_cast<char>((i * 131 + i / 4096) & 0xFF); }

std::string pattern(std::size_t n) {
  std::string s(n, '\0');
  for (std::size_t i = 0; i < n; ++i) s[i] = byte_at(i);
  return s;
}

std::unique_ptr<vkv::RandomAccessFile> open_mapped(const std::string& path) {
  auto file = MappedTableFile::open(path);
  INFO(file.status().to_string());
  REQUIRE(file.is_ok());
  return std::move(file).value();
}

}  // namespace

TEST_CASE("mapped table file: reads what the file holds, and refuses reads past its end",
          "[ch08][mapped]") {
  TempDir tmp;
  const std::string path = tmp.file("000001.sst");
  const std::string bytes = pattern(3 * 4096 + 100);
  vkv::testing::write_whole_file(path, bytes);
  auto file = open_mapped(path);
  CHECK(file->size() == bytes.size());

  std::string out = "left over";
  REQUIRE(file->read(0, bytes.size(), &out).is_ok());
  CHECK(out == bytes);
  REQUIRE(file->read(4090, 20, &out).is_ok());  // across a page boundary
  CHECK(out == bytes.substr(4090, 20));
  REQUIRE(file->read(bytes.size(), 0, &out).is_ok());  // nothing, at the very end
  CHECK(out.empty());

  const vkv::Status past = file->read(bytes.size() - 10, 11, &out);
  CHECK(past.is_corruption());
  CHECK(contains(past.message(), "short read"));
  CHECK(contains(past.message(), path));
  CHECK(out.empty());
  CHECK(file->read(~std::uint64_t{0}, 1, &out).is_corruption());  // no overflow in the check

  SECTION("an empty file maps nothing and reads nothing") {
    vkv::testing::write_whole_file(tmp.file("000002.sst"), "");
    auto empty = open_mapped(tmp.file("000002.sst"));
    CHECK(empty->size() == 0);
    CHECK(empty->read(0, 0, &out).is_ok());
    CHECK(empty->read(0, 1, &out).is_corruption());
  }
  SECTION("a missing file is an error naming it") {
    auto missing = MappedTableFile::open(tmp.file("000009.sst"));
    REQUIRE(!missing.is_ok());
    CHECK(contains(missing.status().message(), "000009.sst"));
  }
}

TEST_CASE("mapped table file: a page the file no longer has fails that read, and the process "
          "goes on",
          "[ch08][mapped]") {
  // A file cut shorter than its map is how a test makes a mapped page unreadable: touching
  // it raises SIGBUS, as a disk's read error does.
  TempDir tmp;
  const std::string path = tmp.file("000003.sst");
  const std::string bytes = pattern(4 * 4096);
  vkv::testing::write_whole_file(path, bytes);
  auto file = open_mapped(path);
  std::filesystem::resize_file(path, 4096);  // pages 1 to 3 are gone

  std::string out;
  const vkv::Status lost = file->read(2 * 4096 + 7, 100, &out);
  INFO(lost.to_string());
  CHECK(lost.code() == vkv::StatusCode::kIoError);
  CHECK(contains(lost.message(), path));
  CHECK(contains(lost.message(), "SIGBUS"));
  CHECK(out.empty());
  // Again (the handler is still there, SIGBUS is not left blocked), and a read that starts
  // in the page still there and runs into a lost one.
  CHECK(file->read(3 * 4096, 10, &out).code() == vkv::StatusCode::kIoError);
  CHECK(file->read(4000, 200, &out).code() == vkv::StatusCode::kIoError);
  // The page the file still has reads as before.
  REQUIRE(file->read(100, 200, &out).is_ok());
  CHECK(out == bytes.substr(100, 200));

  SECTION("from many threads at once, each read gets its own answer") {
    std::atomic<int> wrong{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t) {
      threads.emplace_back([&, t] {
        std::string mine;
        for (int i = 0; i < 2000; ++i) {
          const bool good = (i + t) % 2 == 0;
          const std::uint64_t at = good ? 64 * (i % 50) : 4096 + 64 * (i % 50);
          const vkv::Status s = file->read(at, 64, &mine);
          const bool right = good ? s.is_ok() && mine == bytes.substr(at, 64)
                                  : s.code() == vkv::StatusCode::kIoError;
          if (!right) ++wrong;
        }
      });
    }
    for (auto& th : threads) th.join();
    CHECK(wrong.load() == 0);
  }
}

TEST_CASE("mapped table file: a SIGBUS that is not a guarded copy's is handled as before the "
          "guard",
          "[ch08][mapped]") {
  // The guard takes only faults inside its own copies: a fault anywhere else (a bug, a store
  // into chapter 7's mapped log on a full disk) or a SIGBUS sent with kill goes where it went
  // before the handler was installed. Each case runs ch08-sigbus-probe, a process of its
  // own; in each, a guarded read of a lost page has failed cleanly first.
  struct Case {
    const char* scenario;
    const char* action;
    int exit_code;  // 128 + SIGBUS: ended by the signal
  };
  const int by_sigbus = 128 + SIGBUS;
  const Case cases[] = {
      {"default", "fault", by_sigbus}, {"default", "kill", by_sigbus},
      {"ignored", "fault", by_sigbus},  // a fault cannot be ignored
      {"ignored", "kill", 0},           // a sent SIGBUS can
      {"handler", "fault", 41},         {"handler", "kill", 41},
      // A handler put in after ours that calls ours: ours goes back to the first one, not
      // to it (which would call each other until the stack ran out).
      {"chain", "fault", 41},
  };
  for (const Case& c : cases) {
    TempDir tmp;
    const auto out = vkv::testing::run_program(CH08_SIGBUS_PROBE, {c.scenario, c.action, tmp.path()}, "");
    INFO(c.scenario << " " << c.action << ": exit " << out.exit_code << "\n" << out.err);
    CHECK(out.exit_code == c.exit_code);
  }
}

TEST_CASE("mapped table env: tables are mapped, every other file comes from the target",
          "[ch08][mapped]") {
  CHECK(MappedTableEnv::is_table("/data/000007.sst"));
  CHECK(MappedTableEnv::is_table("000123.sst"));
  CHECK_FALSE(MappedTableEnv::is_table("/data/000007.sst.tmp"));
  CHECK_FALSE(MappedTableEnv::is_table("/data/000007.log"));
  CHECK_FALSE(MappedTableEnv::is_table("/x.sst/MANIFEST"));

  TempDir tmp;
  vkv::testing::write_whole_file(tmp.file("000001.sst"), "table");
  vkv::testing::write_whole_file(tmp.file("000001.log"), "log");
  MappedTableEnv env(Env::posix());
  auto table = env.new_random_access_file(tmp.file("000001.sst"));
  auto log = env.new_random_access_file(tmp.file("000001.log"));
  REQUIRE(table.is_ok());
  REQUIRE(log.is_ok());
  CHECK(dynamic_cast<MappedTableFile*>(table->get()) != nullptr);
  CHECK(dynamic_cast<MappedTableFile*>(log->get()) == nullptr);
  std::string out;
  REQUIRE((*log)->read(0, 3, &out).is_ok());
  CHECK(out == "log");
}

namespace {

// A store as chapter 8's server opens it: tables mapped, no block cache.
vkv::testing::LeveledStore open_mapped_store(const std::string& dir, MappedTableEnv& env) {
  vkv::testing::LeveledStore s;
  vkv::storage::LsmStoreOptions o = vkv::testing::leveled_options(dir, tiny_levels(), &s.set);
  o.block_cache_bytes = 0;
  auto store = vkv::storage::LsmStore::open(env, o);
  INFO(store.status().to_string());
  REQUIRE(store.is_ok());
  s.store = std::move(store).value();
  return s;
}

class MappedLeveledUnderTest final : public vkv::testing::StoreUnderTest {
 public:
  MappedLeveledUnderTest() : s_(open_mapped_store(dir_.file("data"), env_)) {}
  vkv::storage::Store& store() override { return *s_.store; }

 private:
  TempDir dir_;
  MappedTableEnv env_{Env::posix()};
  vkv::testing::LeveledStore s_;
};

}  // namespace

VKV_STORE_CONTRACT_TESTS("LsmStore with levels and mapped tables", "[ch08][mapped]",
                         [] { return std::make_unique<MappedLeveledUnderTest>(); })

TEST_CASE("mapped tables: a table cut short under the store fails the GETs it holds, the rest "
          "are served",
          "[ch08][mapped]") {
  TempDir tmp;
  const std::string dir = tmp.file("data");
  MappedTableEnv env(Env::posix());
  auto s = open_mapped_store(dir, env);
  const std::string value(200, 'v');
  constexpr int kKeys = 2000;  // about 400 KB: several levels of 16 KiB tables
  for (int k = 0; k < kKeys; ++k) REQUIRE(s.store->set(key_for(k), value).is_ok());
  REQUIRE(s.store->flush().is_ok());
  REQUIRE(s.set->wait_until_compacted().is_ok());
  std::string got;  // (no GET before the cut: the row cache would answer those keys after it)

  // Cut the live table holding key 1000 to its first page: its later blocks are gone.
  std::string victim;
  std::string first_lost;  // the victim's keys from here to its end may be lost
  std::string last_lost;
  for (int level = 0; level < vkv::storage::kLevels && victim.empty(); ++level) {
    for (const auto& t : s.set->version()->level(level)) {
      if (t->smallest() <= key_for(1000) && key_for(1000) <= t->largest()) {
        victim = dir + "/" + vkv::storage::table_file_name(t->file().number);
        first_lost = t->smallest();
        last_lost = t->largest();
      }
    }
  }
  REQUIRE(!victim.empty());
  // Each key was written once, so it lives in one table only: the victim's, or another's.
  std::filesystem::resize_file(victim, 4096);

  int failed = 0;
  int served = 0;
  for (int k = 0; k < kKeys; ++k) {
    const std::string key = key_for(k);
    const vkv::Status st = s.store->get(key, &got);
    INFO(key << ": " << st.to_string());
    if (key < first_lost || key > last_lost) {
      REQUIRE(st.is_ok());  // every key of every other table is served
      REQUIRE(got == value);
      ++served;
    } else if (st.is_ok()) {
      REQUIRE(got == value);  // in the page the victim still has
      ++served;
    } else {
      REQUIRE(st.code() == vkv::StatusCode::kIoError);
      CHECK(contains(st.message(), "SIGBUS"));
      CHECK(contains(st.message(), victim));
      ++failed;
    }
  }
  INFO("failed " << failed << ", served " << served);
  CHECK(failed > 0);
  // New writes still go in and are read back.
  REQUIRE(s.store->set("after", "still here").is_ok());
  REQUIRE(s.store->get("after", &got).is_ok());
  CHECK(got == "still here");
}
