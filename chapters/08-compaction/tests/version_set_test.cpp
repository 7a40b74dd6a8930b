// VersionSet under an LsmStore: the Store contract with compaction running; the disk stays
// bounded under overwrites; tombstones go once nothing below needs them; readers keep the
// tables of the version they hold; restarts, chapter 5's directories, leftovers of a crash;
// a damaged table and a full disk during compaction; backpressure.
#include <catch2/catch.hpp>

#include <atomic>
#include <filesystem>
#include <limits>
#include <map>
#include <random>
#include <string>
#include <thread>

#include "02-parsing/tests/store_contract.hpp"
#include "08-compaction/tests/leveled_store.hpp"
#include "common/env_wrapper.hpp"
#include "common/testing/test_util.hpp"

using vkv::Env;
using vkv::Status;
using vkv::storage::kLevels;
using vkv::storage::LsmStore;
using vkv::storage::SyncPolicy;
using vkv::storage::VersionSet;
using vkv::testing::check_level_shape;
using vkv::testing::get_or_absent;
using vkv::testing::key_for;
using vkv::testing::table_bytes_on_disk;
using vkv::testing::open_leveled;
using vkv::testing::table_files;
using vkv::testing::TempDir;
using vkv::testing::tiny_levels;

namespace {

class LeveledUnderTest final : public vkv::testing::StoreUnderTest {
 public:
  explicit LeveledUnderTest(bool background)
      : s_(open_leveled(dir_.file("data"), tiny_levels(background))) {}
  vkv::storage::Store& store() override { return *s_.store; }

 private:
  TempDir dir_;
  vkv::testing::LeveledStore s_;
};

std::string value_for(int key, int round) {
  return "k" + std::to_string(key) + "-r" + std::to_string(round) + "-" + std::string(1000, 'v');
}


}  // namespace

VKV_STORE_CONTRACT_TESTS("LsmStore with levels (background compaction)", "[ch08]",
                         [] { return std::make_unique<LeveledUnderTest>(true); })
VKV_STORE_CONTRACT_TESTS("LsmStore with levels (inline compaction)", "[ch08]",
                         [] { return std::make_unique<LeveledUnderTest>(false); })

TEST_CASE("levels: overwriting the same keys keeps the tables near the live data",
          "[ch08][compaction]") {
  TempDir tmp;
  const std::string dir = tmp.file("data");
  auto s = open_leveled(dir);
  constexpr int kKeys = 100;
  constexpr int kRounds = 40;  // 4 MB written over ~100 KB of live data
  for (int round = 0; round < kRounds; ++round) {
    for (int k = 0; k < kKeys; ++k) REQUIRE(s.store->set(key_for(k), value_for(k, round)).is_ok());
  }
  REQUIRE(s.store->flush().is_ok());
  REQUIRE(s.set->wait_until_compacted().is_ok());
  const auto stats = s.set->stats();
  const std::uint64_t live = kKeys * (key_for(0).size() + value_for(0, 0).size());
  const std::uint64_t on_disk = table_bytes_on_disk(dir);
  INFO("tables " << table_files(dir) << ", on disk " << on_disk << " for " << live << " live");
  CHECK(stats.flushed_bytes > 30 * live);  // the workload really wrote that much
  CHECK(on_disk < 3 * live);               // and compaction took it back
  CHECK(stats.levels[0].tables < 2);
  std::uint64_t compactions = 0;
  for (const auto& l : stats.levels) compactions += l.compactions;
  CHECK(compactions > 5);
  check_level_shape(*s.set->version());
  for (int k = 0; k < kKeys; ++k) CHECK(get_or_absent(*s.store, key_for(k)) == value_for(k, kRounds - 1));
}

TEST_CASE("levels: tombstones are dropped once no deeper level holds the key",
          "[ch08][compaction]") {
  TempDir tmp;
  const std::string dir = tmp.file("data");
  auto s = open_leveled(dir, tiny_levels(/*background=*/false));
  constexpr int kKeys = 300;
  for (int k = 0; k < kKeys; ++k) REQUIRE(s.store->set(key_for(k), value_for(k, 0)).is_ok());
  REQUIRE(s.store->flush().is_ok());
  for (int k = 0; k < kKeys; ++k) REQUIRE(s.store->del(key_for(k)).is_ok());
  // Enough writes of other keys that the tombstones are pushed down onto the values.
  for (int round = 0; round < 10; ++round) {
    for (int k = 0; k < 100; ++k) REQUIRE(s.store->set("other" + std::to_string(k), value_for(k, round)).is_ok());
  }
  REQUIRE(s.store->flush().is_ok());
  REQUIRE(s.set->wait_until_compacted().is_ok());
  for (int k = 0; k < kKeys; ++k) CHECK(get_or_absent(*s.store, key_for(k)) == "<absent>");
  CHECK(s.set->stats().dropped_tombstones > 0);
  // What the tables still hold: far fewer entries than the 300 values and 300 tombstones.
  const auto stats = s.store->stats();
  CHECK(stats.table_entries < 100 + kKeys);
}

TEST_CASE("levels: a reader's version keeps its tables readable until it lets go",
          "[ch08][compaction]") {
  TempDir tmp;
  const std::string dir = tmp.file("data");
  auto s = open_leveled(dir, tiny_levels(/*background=*/false));
  for (int k = 0; k < 50; ++k) REQUIRE(s.store->set(key_for(k), value_for(k, 0)).is_ok());
  REQUIRE(s.store->flush().is_ok());
  const std::shared_ptr<const vkv::storage::Version> held = s.set->version();
  std::vector<std::string> held_files;
  for (const auto& level : held->levels()) {
    for (const auto& t : level) held_files.push_back(dir + "/" + vkv::storage::table_file_name(t->number()));
  }
  REQUIRE_FALSE(held_files.empty());
  // Rewrite everything a few times: compactions replace every table the held version has.
  for (int round = 1; round <= 8; ++round) {
    for (int k = 0; k < 50; ++k) REQUIRE(s.store->set(key_for(k), value_for(k, round)).is_ok());
    REQUIRE(s.store->flush().is_ok());
  }
  REQUIRE(s.set->wait_until_compacted().is_ok());
  // The held version still reads the old values, from files no current version lists.
  for (int k = 0; k < 50; ++k) {
    std::string value;
    std::uint64_t skips = 0;
    REQUIRE(held->get(key_for(k), &value, &skips).is_ok());
    CHECK(value == value_for(k, 0));
  }
  for (const auto& f : held_files) CHECK(std::filesystem::exists(f));
  const std::uint64_t first = held->tables().front()->number;
  CHECK_FALSE(s.set->is_live(first));
}

TEST_CASE("levels: once no reader holds them, replaced tables are deleted", "[ch08][compaction]") {
  TempDir tmp;
  const std::string dir = tmp.file("data");
  auto s = open_leveled(dir, tiny_levels(/*background=*/false));
  for (int round = 0; round < 12; ++round) {
    for (int k = 0; k < 50; ++k) REQUIRE(s.store->set(key_for(k), value_for(k, round)).is_ok());
    REQUIRE(s.store->flush().is_ok());
  }
  REQUIRE(s.set->wait_until_compacted().is_ok());
  std::size_t live = 0;
  for (const auto& level : s.set->version()->levels()) live += level.size();
  CHECK(table_files(dir) == live);
}

TEST_CASE("levels: a restart finds every level and every value", "[ch08][compaction]") {
  TempDir tmp;
  const std::string dir = tmp.file("data");
  std::map<std::string, std::string> model;
  std::mt19937 rng(7);
  {
    auto s = open_leveled(dir);
    for (int i = 0; i < 4000; ++i) {
      const std::string key = key_for(static_cast<int>(rng() % 400));
      if (rng() % 5 == 0) {
        REQUIRE(s.store->del(key).is_ok());
        model.erase(key);
      } else {
        const std::string value = value_for(i, i);
        REQUIRE(s.store->set(key, value).is_ok());
        model[key] = value;
      }
    }
  }
  auto s = open_leveled(dir);
  int deeper = 0;
  for (int level = 1; level < kLevels; ++level) deeper += !s.set->version()->level(level).empty();
  CHECK(deeper > 0);
  for (int k = 0; k < 400; ++k) {
    const auto it = model.find(key_for(k));
    CHECK(get_or_absent(*s.store, key_for(k)) == (it == model.end() ? "<absent>" : it->second));
  }
}

TEST_CASE("levels: chapter 5's directory opens as level 0, then chapter 5 refuses it by version",
          "[ch08][compaction]") {
  TempDir tmp;
  const std::string dir = tmp.file("data");
  {
    vkv::storage::LsmStoreOptions flat;
    flat.durable.dir = dir;
    flat.memtable_bytes = vkv::storage::kMinMemtableBytes;
    auto store = LsmStore::open(Env::posix(), flat);
    REQUIRE(store.is_ok());
    for (int round = 0; round < 3; ++round) {
      for (int k = 0; k < 60; ++k) REQUIRE((*store)->set(key_for(k), value_for(k, round)).is_ok());
      REQUIRE((*store)->flush().is_ok());
    }
  }
  {
    auto s = open_leveled(dir, tiny_levels(false));
    CHECK(s.set->version()->level(0).size() + s.set->version()->level(1).size() > 0);
    for (int k = 0; k < 60; ++k) CHECK(get_or_absent(*s.store, key_for(k)) == value_for(k, 2));
    REQUIRE(s.set->wait_until_compacted().is_ok());
  }
  vkv::storage::LsmStoreOptions flat;
  flat.durable.dir = dir;
  auto refused = LsmStore::open(Env::posix(), flat);
  REQUIRE_FALSE(refused.is_ok());
  CHECK(refused.status().message().find("MANIFEST version 2") != std::string::npos);
}

TEST_CASE("levels: start-up removes tables no MANIFEST entry holds", "[ch08][compaction]") {
  TempDir tmp;
  const std::string dir = tmp.file("data");
  std::string planted;
  {
    auto s = open_leveled(dir, tiny_levels(false));
    for (int k = 0; k < 60; ++k) REQUIRE(s.store->set(key_for(k), value_for(k, 0)).is_ok());
    REQUIRE(s.store->flush().is_ok());
    // A table as a compaction that crashed before its edit would leave it: whole, unlisted.
    const std::uint64_t number = s.set->version()->tables().front()->number;
    planted = dir + "/" + vkv::storage::table_file_name(9999);
    std::filesystem::copy_file(dir + "/" + vkv::storage::table_file_name(number), planted);
  }
  auto s = open_leveled(dir, tiny_levels(false));
  CHECK_FALSE(std::filesystem::exists(planted));
  bool noted = false;
  for (const auto& note : s.store->recovery_notes()) noted |= note.find("009999.sst") != std::string::npos;
  CHECK(noted);
  for (int k = 0; k < 60; ++k) CHECK(get_or_absent(*s.store, key_for(k)) == value_for(k, 0));
}

namespace {

// Numbers the steps taken through it, in order, while `watching` is set, and keeps the
// number of the last step of any kind by the thread that made it (the one that opens the
// store: its last is opening the log to append to) and of the first file created, renamed or
// removed by any other.
class OtherThreadsWrites final : public vkv::EnvWrapper {
 public:
  OtherThreadsWrites() : EnvWrapper(Env::posix()) {}
  vkv::Result<std::unique_ptr<vkv::WritableFile>> new_writable_file(const std::string& path) override {
    note(true);
    return EnvWrapper::new_writable_file(path);
  }
  vkv::Result<std::unique_ptr<vkv::WritableFile>> new_appendable_file(const std::string& path) override {
    note(false);
    return EnvWrapper::new_appendable_file(path);
  }
  vkv::Result<std::unique_ptr<vkv::SequentialFile>> new_sequential_file(const std::string& path) override {
    note(false);
    return EnvWrapper::new_sequential_file(path);
  }
  Status rename_file(const std::string& from, const std::string& to) override {
    note(true);
    return EnvWrapper::rename_file(from, to);
  }
  Status remove_file(const std::string& path) override {
    note(true);
    return EnvWrapper::remove_file(path);
  }
  Status sync_dir(const std::string& dir) override {
    note(false);
    return EnvWrapper::sync_dir(dir);
  }
  // Whether another thread created, renamed or removed a file before the owner's last step
  // while watching: before the store was open.
  [[nodiscard]] bool overlapped() const { return first_other_.load() < last_owner_.load(); }
  std::atomic<bool> watching{false};

 private:
  void note(bool writes) {
    if (!watching.load()) return;
    const int n = next_.fetch_add(1);
    if (std::this_thread::get_id() == owner_) {
      last_owner_.store(n);
    } else if (writes) {
      int first = first_other_.load();
      while (n < first && !first_other_.compare_exchange_weak(first, n)) {
      }
    }
  }
  std::thread::id owner_ = std::this_thread::get_id();
  std::atomic<int> next_{0};
  std::atomic<int> last_owner_{-1};
  std::atomic<int> first_other_{std::numeric_limits<int>::max()};
};

}  // namespace

// Start-up lists the directory and removes what a crash left (temporary files, unlisted
// tables). A compaction running meanwhile would have its own new files taken for those: its
// table.tmp removed under it, or a finished table deleted before its edit. So the compaction
// thread starts only once the store is open.
TEST_CASE("levels: a store opening with compactions due writes nothing from another thread "
          "until it is open",
          "[ch08][compaction]") {
  TempDir tmp;
  const std::string dir = tmp.file("data");
  vkv::storage::LevelOptions piling = tiny_levels();  // no compaction: level 0 piles up
  piling.l0_compaction_trigger = 100;
  piling.l0_slowdown_trigger = 200;
  piling.l0_stop_trigger = 300;
  {
    auto s = open_leveled(dir, piling);
    for (int round = 0; round < 6; ++round) {
      for (int k = 0; k < 60; ++k) REQUIRE(s.store->set(key_for(k), value_for(k, round)).is_ok());
      REQUIRE(s.store->flush().is_ok());
    }
    REQUIRE(s.set->version()->level(0).size() >= 6);
  }
  {
    // And a long log to replay, so that opening takes a while: a memtable that holds it all.
    vkv::storage::LsmStoreOptions o = vkv::testing::leveled_options(dir, piling, nullptr);
    o.memtable_bytes = 64 << 20;
    auto store = vkv::storage::LsmStore::open(Env::posix(), o);
    REQUIRE(store.is_ok());
    for (int k = 0; k < 20000; ++k) REQUIRE((*store)->set(key_for(k), value_for(k, 9)).is_ok());
  }
  OtherThreadsWrites env;
  env.watching = true;
  auto s = open_leveled(dir, tiny_levels(true), env);
  env.watching = false;
  // The compaction thread may start writing the moment open() returns, before the line
  // above: what must not happen is its files and start-up's at the same time.
  CHECK_FALSE(env.overlapped());
  // Once open, the compaction thread runs: level 0 drains.
  REQUIRE(s.set->wait_until_compacted().is_ok());
  CHECK(s.set->version()->level(0).size() < 2);
  for (int k = 0; k < 20000; k += 997) CHECK(get_or_absent(*s.store, key_for(k)) == value_for(k, 9));
}

namespace {

// Fails the creation of table files from every thread but the one that made it: with
// background compaction, that fails the compactions and lets the flushes through.
class CompactionDiskFull final : public vkv::EnvWrapper {
 public:
  CompactionDiskFull() : EnvWrapper(Env::posix()) {}
  vkv::Result<std::unique_ptr<vkv::WritableFile>> new_writable_file(const std::string& path) override {
    if (full_.load() && std::this_thread::get_id() != owner_ && path.ends_with(".sst.tmp")) {
      return Status::io_error("injected: no space left on device: " + path);
    }
    return EnvWrapper::new_writable_file(path);
  }
  void set_full(bool full) { full_ = full; }

 private:
  std::thread::id owner_ = std::this_thread::get_id();
  std::atomic<bool> full_{false};
};

}  // namespace

TEST_CASE("levels: a full disk stops compaction, not the store, and writes are refused only when "
          "level 0 is full, and compaction is tried again",
          "[ch08][compaction]") {
  TempDir tmp;
  const std::string dir = tmp.file("data");
  CompactionDiskFull env;
  env.set_full(true);
  std::vector<std::string> errors;
  std::mutex errors_mu;
  VersionSet* set = nullptr;
  auto options = vkv::testing::leveled_options(dir, tiny_levels(), &set);
  options.durable.on_write_error = [&](const Status& s) {
    std::lock_guard lock(errors_mu);
    errors.push_back(s.to_string());
  };
  auto opened = LsmStore::open(env, options);
  REQUIRE(opened.is_ok());
  LsmStore& store = **opened;
  // Flush until level 0 reaches its stop: then writes are refused with the cause.
  Status refused;
  int written = 0;
  for (int round = 0; round < 100 && refused.is_ok(); ++round) {
    for (int k = 0; k < 60 && refused.is_ok(); ++k) {
      refused = store.set(key_for(k), value_for(k, round));
      if (refused.is_ok()) ++written;
    }
  }
  REQUIRE_FALSE(refused.is_ok());
  CHECK(refused.message().find("level 0 is full") != std::string::npos);
  CHECK(refused.message().find("no space left") != std::string::npos);
  {
    std::lock_guard lock(errors_mu);
    REQUIRE_FALSE(errors.empty());
    CHECK(errors.front().find("compaction of level 0 failed") != std::string::npos);
  }
  CHECK(set->stats().failed_compactions > 0);
  // Reads go on, and nothing acknowledged is lost.
  CHECK(get_or_absent(store, key_for(0)).starts_with("k0-r"));
  // Room again: the retry (within a few seconds) compacts, and writes are taken again.
  env.set_full(false);
  // The retry comes after a back-off of a few seconds: wait for the condition, not a time.
  Status compacted = set->wait_until_compacted();
  for (int tries = 0; !compacted.is_ok() && tries < 600; ++tries) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    compacted = set->wait_until_compacted();
  }
  REQUIRE(compacted.is_ok());
  CHECK(store.set(key_for(0), "after").is_ok());
  CHECK(get_or_absent(store, key_for(0)) == "after");
  CHECK(set->stats().stopped_writes > 0);
}

TEST_CASE("levels: a damaged table stops its compaction with a clear error and deletes nothing",
          "[ch08][compaction]") {
  TempDir tmp;
  const std::string dir = tmp.file("data");
  std::vector<std::string> errors;
  VersionSet* set = nullptr;
  auto options = vkv::testing::leveled_options(dir, tiny_levels(/*background=*/false), &set);
  options.durable.on_write_error = [&](const Status& s) { errors.push_back(s.to_string()); };
  auto opened = LsmStore::open(Env::posix(), options);
  REQUIRE(opened.is_ok());
  LsmStore& store = **opened;
  for (int k = 0; k < 10; ++k) REQUIRE(store.set(key_for(k), value_for(k, 0)).is_ok());
  REQUIRE(store.flush().is_ok());  // one table in level 0: nothing to compact yet
  REQUIRE(set->version()->level(0).size() == 1);
  const std::uint64_t number = set->version()->level(0).front()->number();
  const std::string path = dir + "/" + vkv::storage::table_file_name(number);
  {
    // Damage the middle of its first data block, as the disk might.
    std::string bytes = vkv::testing::read_whole_file(path);
    bytes[100] ^= 0x55;
    vkv::testing::write_whole_file(path, bytes);
  }
  const std::size_t files_before = table_files(dir);
  for (int k = 10; k < 20; ++k) REQUIRE(store.set(key_for(k), value_for(k, 0)).is_ok());
  REQUIRE(store.flush().is_ok());  // level 0 reaches 2: the compaction reads the damage
  REQUIRE_FALSE(errors.empty());
  CHECK(errors.front().find(vkv::storage::table_file_name(number)) != std::string::npos);
  CHECK(errors.front().find("nothing was deleted") != std::string::npos);
  CHECK(std::filesystem::exists(path));
  CHECK(table_files(dir) == files_before + 1);  // the new flush's table, and no leftovers
  // The rest of the store serves: the new keys, from the undamaged table.
  for (int k = 10; k < 20; ++k) CHECK(get_or_absent(store, key_for(k)) == value_for(k, 0));
}
