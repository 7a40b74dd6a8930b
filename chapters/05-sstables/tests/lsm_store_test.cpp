// LsmStore: the Store contract (with flushes inside it), the read path across memtables and
// tables, restarts, what start-up cleans up and what it refuses, a failed flush, concurrency,
// and a few hundred thousand keys over many tables.
#include <catch2/catch.hpp>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "common/fault_injection_env.hpp"
#include "05-sstables/lsm_store.hpp"
#include "05-sstables/manifest.hpp"
#include "02-parsing/tests/store_contract.hpp"
#include "05-sstables/table_file.hpp"
#include "common/testing/test_util.hpp"

using vkv::Env;
using vkv::Status;
using vkv::storage::kBloomBitsPerKey;
using vkv::storage::kDefaultBlockCacheBytes;
using vkv::storage::kMinMemtableBytes;
using vkv::storage::LsmStore;
using vkv::storage::LsmStoreOptions;
using vkv::storage::SyncPolicy;
using vkv::testing::TempDir;

namespace {

LsmStoreOptions options_for(const std::string& dir, std::size_t memtable_bytes = kMinMemtableBytes,
                            SyncPolicy sync = SyncPolicy::kAlways) {
  LsmStoreOptions o;
  o.durable.dir = dir;
  o.durable.sync = sync;
  o.memtable_bytes = memtable_bytes;
  return o;
}

LsmStoreOptions with_read_path(LsmStoreOptions o, std::size_t block_cache_bytes,
                               std::size_t filter_bits_per_key) {
  o.block_cache_bytes = block_cache_bytes;
  o.filter_bits_per_key = filter_bits_per_key;
  return o;
}

std::unique_ptr<LsmStore> open_store(const LsmStoreOptions& options, Env& env = Env::posix()) {
  auto store = LsmStore::open(env, options);
  INFO(store.status().to_string());
  REQUIRE(store.is_ok());
  return std::move(store).value();
}

std::string get_or_absent(LsmStore& s, std::string_view key) {
  std::string value;
  const Status st = s.get(key, &value);
  if (st.is_not_found()) return "<not found>";
  INFO(st.to_string());
  REQUIRE(st.is_ok());
  return value;
}

// The names of the files in `dir` that end with `suffix`, sorted.
std::vector<std::string> files_ending(const std::string& dir, const std::string& suffix) {
  std::vector<std::string> names;
  for (const auto& e : std::filesystem::directory_iterator(dir)) {
    const std::string name = e.path().filename().string();
    if (name.ends_with(suffix)) names.push_back(name);
  }
  std::sort(names.begin(), names.end());
  return names;
}

// Where the third data block of the table at `path` starts. REQUIRES: it has three.
std::uint64_t third_block_offset(const std::string& path) {
  auto file = Env::posix().new_random_access_file(path);
  REQUIRE(file.is_ok());
  auto table = vkv::storage::Table::open(std::move(*file), path);
  REQUIRE(table.is_ok());
  REQUIRE((*table)->data_block_count() > 2);
  return (*table)->data_block_handle(2).offset;
}

bool has_note(const LsmStore& s, const std::string& part) {
  for (const auto& n : s.recovery_notes()) {
    if (n.find(part) != std::string::npos) return true;
  }
  return false;
}

std::string key_for(int i) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "key%013d", i);
  return buf;
}

// A flush runner that runs each piece of work on a thread of its own, and joins them all
// when destroyed. REQUIRES: destroyed after the store it runs for.
class ThreadRunner {
 public:
  ThreadRunner() = default;
  ThreadRunner(const ThreadRunner&) = delete;
  ThreadRunner& operator=(const ThreadRunner&) = delete;
  ~ThreadRunner() {
    std::lock_guard lock(mu_);
    for (auto& t : threads_) t.join();
  }
  vkv::storage::FlushRunner runner() {
    return [this](std::function<void()> work) {
      std::lock_guard lock(mu_);
      threads_.emplace_back(std::move(work));
      ++started_;
    };
  }
  [[nodiscard]] int started() {
    std::lock_guard lock(mu_);
    return started_;
  }

 private:
  std::mutex mu_;
  std::vector<std::thread> threads_;
  int started_ = 0;
};

// A flush runner that only keeps the work, for the test to run when it chooses; whatever is
// left runs when it is destroyed, so a test that stops early (a failed REQUIRE) does not leave
// the store's destructor waiting for a flush forever. REQUIRES: destroyed before the store.
class ManualRunner {
 public:
  ManualRunner() = default;
  ManualRunner(const ManualRunner&) = delete;
  ManualRunner& operator=(const ManualRunner&) = delete;
  ~ManualRunner() {
    for (auto& work : work_) work();
  }
  vkv::storage::FlushRunner runner() {
    return [this](std::function<void()> work) { work_.push_back(std::move(work)); };
  }
  [[nodiscard]] std::size_t pending() const { return work_.size(); }
  void run_one() {
    REQUIRE_FALSE(work_.empty());
    auto work = std::move(work_.front());
    work_.erase(work_.begin());
    work();
  }

 private:
  std::vector<std::function<void()>> work_;
};

// An LsmStore in a temporary directory, for the contract suite: the smallest memtable, so
// the suite's larger cases flush several times along the way; flushed in the writer's
// thread, or on a runner's.
class LsmStoreUnderTest : public vkv::testing::StoreUnderTest {
 public:
  explicit LsmStoreUnderTest(SyncPolicy sync,
                             std::size_t block_cache_bytes = kDefaultBlockCacheBytes,
                             std::size_t filter_bits_per_key = kBloomBitsPerKey,
                             bool background_flush = false) {
    LsmStoreOptions o = with_read_path(options_for(dir_.file("data"), kMinMemtableBytes, sync),
                                       block_cache_bytes, filter_bits_per_key);
    if (background_flush) o.flush_runner = runner_.runner();
    store_ = open_store(o);
  }
  vkv::storage::Store& store() override { return *store_; }

 private:
  TempDir dir_;
  ThreadRunner runner_;  // outlives the store
  std::unique_ptr<LsmStore> store_;
};

}  // namespace

VKV_STORE_CONTRACT_TESTS("LsmStore (always)", "[ch05]", [] {
  return std::make_unique<LsmStoreUnderTest>(SyncPolicy::kAlways);
})
VKV_STORE_CONTRACT_TESTS("LsmStore (never)", "[ch05]", [] {
  return std::make_unique<LsmStoreUnderTest>(SyncPolicy::kNever);
})
// A cache of a few blocks (evicting all the time) and 1-bit filters (mostly false positives):
// the read path's fallbacks, under the same contract.
VKV_STORE_CONTRACT_TESTS("LsmStore (never, tiny cache, weak filters)", "[ch05]", [] {
  return std::make_unique<LsmStoreUnderTest>(SyncPolicy::kNever, 16 << 10, 1);
})
// Flushed on another thread (a later chapter's server does that).
VKV_STORE_CONTRACT_TESTS("LsmStore (never, background flush)", "[ch05]", [] {
  return std::make_unique<LsmStoreUnderTest>(SyncPolicy::kNever, kDefaultBlockCacheBytes,
                                             kBloomBitsPerKey, /*background_flush=*/true);
})
// And neither, as the chapter first built it.
VKV_STORE_CONTRACT_TESTS("LsmStore (never, no cache, no filters)", "[ch05]", [] {
  return std::make_unique<LsmStoreUnderTest>(SyncPolicy::kNever, 0, 0);
})

TEST_CASE("lsm: the contract's random workload really flushes", "[ch05][lsm]") {
  LsmStoreUnderTest under_test(SyncPolicy::kNever);
  vkv::testing::contract::matches_a_map_model(under_test.store());
  CHECK(static_cast<LsmStore&>(under_test.store()).stats().tables >= 1);
}

TEST_CASE("lsm: the newest value wins, across memtable, tables and a restart", "[ch05][lsm]") {
  TempDir tmp;
  const auto options = options_for(tmp.file("data"));
  {
    auto store = open_store(options);
    REQUIRE(store->set("k", "one").is_ok());
    REQUIRE(store->set("other", "x").is_ok());
    REQUIRE(store->flush().is_ok());  // table 1: k=one
    REQUIRE(store->set("k", "two").is_ok());
    REQUIRE(store->flush().is_ok());  // table 2: k=two
    CHECK(get_or_absent(*store, "k") == "two");
    REQUIRE(store->set("k", "three").is_ok());  // memtable: k=three
    CHECK(get_or_absent(*store, "k") == "three");
    CHECK(get_or_absent(*store, "other") == "x");  // found in the oldest table
    CHECK(store->stats().tables == 2);
  }
  auto store = open_store(options);
  CHECK(get_or_absent(*store, "k") == "three");
  REQUIRE(store->flush().is_ok());
  CHECK(store->stats().tables == 3);
  CHECK(get_or_absent(*store, "k") == "three");
  CHECK(files_ending(tmp.file("data"), ".sst").size() == 3);
  CHECK(files_ending(tmp.file("data"), ".log").size() == 1);  // the flushed logs are gone
}

TEST_CASE("lsm: a tombstone hides every older value on disk, across a restart", "[ch05][lsm]") {
  TempDir tmp;
  const auto options = options_for(tmp.file("data"));
  {
    auto store = open_store(options);
    for (const char* v : {"a", "b", "c"}) {
      REQUIRE(store->set("gone", v).is_ok());
      REQUIRE(store->set("memdel", v).is_ok());
      REQUIRE(store->flush().is_ok());  // three tables, each with a value for both keys
    }
    REQUIRE(store->del("gone").is_ok());
    REQUIRE(store->flush().is_ok());      // the tombstone is in the newest table
    REQUIRE(store->del("memdel").is_ok());  // this one only in the memtable and the log
    CHECK(get_or_absent(*store, "gone") == "<not found>");
    CHECK(get_or_absent(*store, "memdel") == "<not found>");
    CHECK(store->stats().tables == 4);
  }
  {
    auto store = open_store(options);  // "memdel"'s tombstone comes back from the log
    CHECK(get_or_absent(*store, "gone") == "<not found>");
    CHECK(get_or_absent(*store, "memdel") == "<not found>");
    REQUIRE(store->flush().is_ok());
  }
  auto store = open_store(options);  // and now both tombstones are in tables only
  CHECK(store->stats().memtable_entries == 0);
  CHECK(get_or_absent(*store, "gone") == "<not found>");
  CHECK(get_or_absent(*store, "memdel") == "<not found>");
  REQUIRE(store->set("gone", "back").is_ok());  // a new value beats the tombstone
  CHECK(get_or_absent(*store, "gone") == "back");
}

TEST_CASE("lsm: a full memtable is flushed by the next write, and the files follow",
          "[ch05][lsm]") {
  TempDir tmp;
  const auto options = options_for(tmp.file("data"), kMinMemtableBytes, SyncPolicy::kNever);
  auto store = open_store(options);
  const std::string value(100, 'v');
  int i = 0;
  while (store->stats().flushes < 3) REQUIRE(store->set(key_for(i++), value).is_ok());
  const auto stats = store->stats();
  CHECK(stats.tables == 3);
  CHECK(stats.entries() == static_cast<std::uint64_t>(i));
  CHECK(stats.memtable_bytes < kMinMemtableBytes);
  // Logs and tables share one counter: log 1, then log 2 and table 3, log 4 and table 5...
  CHECK(files_ending(tmp.file("data"), ".sst") ==
        std::vector<std::string>{"000003.sst", "000005.sst", "000007.sst"});
  CHECK(files_ending(tmp.file("data"), ".log") == std::vector<std::string>{"000006.log"});
  CHECK(files_ending(tmp.file("data"), ".tmp").empty());
  auto manifest = vkv::storage::read_manifest(Env::posix(), tmp.file("data"));
  REQUIRE(manifest.is_ok());
  REQUIRE(manifest->has_value());
  CHECK((*manifest)->tables == std::vector<std::uint64_t>{3, 5, 7});
  CHECK((*manifest)->log_number == 6);
  CHECK((*manifest)->next_file_number == 8);
}

TEST_CASE("lsm: start-up reports what it found, and stats count entries", "[ch05][lsm]") {
  TempDir tmp;
  const auto options = options_for(tmp.file("data"));
  {
    auto store = open_store(options);
    CHECK(store->recovery_notes().empty());
    for (int i = 0; i < 10; ++i) REQUIRE(store->set(key_for(i), "v").is_ok());
    REQUIRE(store->flush().is_ok());
    REQUIRE(store->set(key_for(0), "again").is_ok());
    REQUIRE(store->del(key_for(1)).is_ok());
  }
  auto store = open_store(options);
  const auto stats = store->stats();
  CHECK(stats.tables == 1);
  CHECK(stats.table_entries == 10);
  CHECK(stats.memtable_entries == 2);
  CHECK(stats.records_replayed == 2);
  CHECK(stats.entries() == 12);
  CHECK(has_note(*store, "opened and verified 1 table holding 10 entries"));
  CHECK(has_note(*store, "000002.log: replayed 2 records"));
}

TEST_CASE("lsm: a chapter 4 data directory (logs, no MANIFEST) opens as is", "[ch05][lsm]") {
  TempDir tmp;
  {
    auto store = open_store(options_for(tmp.file("data")));
    REQUIRE(store->set("old", "log").is_ok());
  }
  std::filesystem::remove(tmp.file("data/MANIFEST"));  // there is none yet anyway
  auto store = open_store(options_for(tmp.file("data")));
  CHECK(get_or_absent(*store, "old") == "log");
}

TEST_CASE("lsm: start-up removes what a crashed flush left behind", "[ch05][lsm]") {
  TempDir tmp;
  const std::string dir = tmp.file("data");
  {
    auto store = open_store(options_for(dir));
    REQUIRE(store->set("a", "1").is_ok());
    REQUIRE(store->flush().is_ok());  // log 2 and table 3
    REQUIRE(store->set("b", "2").is_ok());
  }
  // A flush from log 2 that died at each stage: a partial temporary table, a MANIFEST.tmp,
  // a finished table 5 never recorded (log 2 still holds its data), and a log below the
  // MANIFEST's log number that was never deleted.
  vkv::testing::write_whole_file(dir + "/000005.sst.tmp", "half a table");
  vkv::testing::write_whole_file(dir + "/MANIFEST.tmp", "half a manifest");
  std::filesystem::copy_file(dir + "/000003.sst", dir + "/000005.sst");
  vkv::testing::write_whole_file(dir + "/000001.log", "");
  auto store = open_store(options_for(dir));
  CHECK(has_note(*store, "removed " + dir + "/000005.sst.tmp: a temporary file"));
  CHECK(has_note(*store, "removed " + dir + "/MANIFEST.tmp: a temporary file"));
  CHECK(has_note(*store, "removed " + dir + "/000005.sst: a table a crashed flush wrote"));
  CHECK(has_note(*store, "removed " + dir + "/000001.log: a log whose records are all in tables"));
  CHECK(files_ending(dir, ".tmp").empty());
  CHECK(files_ending(dir, ".sst") == std::vector<std::string>{"000003.sst"});
  CHECK(get_or_absent(*store, "a") == "1");
  CHECK(get_or_absent(*store, "b") == "2");
  REQUIRE(store->set("c", "3").is_ok());
  REQUIRE(store->flush().is_ok());  // numbers go on past every file seen: log 6, table 7
  CHECK(files_ending(dir, ".sst") == std::vector<std::string>{"000003.sst", "000007.sst"});
}

TEST_CASE("lsm: a table no MANIFEST names and no log covers is not deleted", "[ch05][lsm]") {
  TempDir tmp;
  const std::string dir = tmp.file("data");
  {
    auto store = open_store(options_for(dir));
    REQUIRE(store->set("a", "1").is_ok());
    REQUIRE(store->flush().is_ok());  // table 3; log 1 deleted
  }
  std::filesystem::remove(dir + "/MANIFEST");  // a person, not a crash
  auto store = LsmStore::open(Env::posix(), options_for(dir));
  REQUIRE_FALSE(store.is_ok());
  CHECK(store.status().to_string() ==
        "corruption: " + dir + "/000003.sst is not in " + dir +
            "/MANIFEST and no log holds its data: refusing to delete it (was the MANIFEST "
            "removed or replaced?)");
  CHECK(std::filesystem::exists(dir + "/000003.sst"));
}

TEST_CASE("lsm: a corrupt table stops start-up, naming the file and the block", "[ch05][lsm]") {
  TempDir tmp;
  const std::string dir = tmp.file("data");
  {
    auto store = open_store(options_for(dir, kMinMemtableBytes, SyncPolicy::kNever));
    for (int i = 0; i < 2000; ++i) REQUIRE(store->set(key_for(i), std::string(50, 'v')).is_ok());
    REQUIRE(store->flush().is_ok());
  }
  const auto tables = files_ending(dir, ".sst");
  REQUIRE(tables.size() >= 1);
  const std::string path = dir + "/" + tables.front();  // a full one, flushed when full
  std::string bytes = vkv::testing::read_whole_file(path);
  const std::uint64_t block2 = third_block_offset(path);
  bytes[block2 + 7] ^= 0x10;
  vkv::testing::write_whole_file(path, bytes);
  auto store = LsmStore::open(Env::posix(), options_for(dir));
  REQUIRE_FALSE(store.is_ok());
  CHECK(store.status().to_string().rfind("corruption: " + path + ": data block 2 at offset " +
                                             std::to_string(block2) + ": checksum mismatch",
                                         0) == 0);
}

TEST_CASE("lsm: a table damaged while the store runs fails the GETs of that block, each told to "
          "on_read_error, while the other keys are served and a missing key is no failure",
          "[ch05][lsm]") {
  TempDir tmp;
  LsmStoreOptions o = options_for(tmp.file("data"), kMinMemtableBytes, SyncPolicy::kNever);
  std::vector<Status> told;
  o.on_read_error = [&told](const Status& e) { told.push_back(e); };
  auto store = open_store(o);
  for (int i = 0; i < 2000; ++i) REQUIRE(store->set(key_for(i), std::string(50, 'v')).is_ok());
  REQUIRE(store->flush().is_ok());
  const auto tables = files_ending(o.durable.dir, ".sst");
  REQUIRE(tables.size() >= 1);
  const std::string path = o.durable.dir + "/" + tables.front();
  const std::uint64_t block2 = third_block_offset(path);
  REQUIRE(vkv::testing::damage_byte(path, block2 + 7));  // no GET has read the block yet

  std::vector<Status> failed;
  int served = 0;
  for (int i = 0; i < 2000; ++i) {
    std::string value;
    const Status s = store->get(key_for(i), &value);
    if (s.is_ok()) {
      CHECK(value == std::string(50, 'v'));
      ++served;
    } else {
      failed.push_back(s);
    }
  }
  REQUIRE_FALSE(failed.empty());  // the keys of block 2
  CHECK(served + failed.size() == 2000);
  CHECK(served > 1000);           // every other block's keys
  REQUIRE(told.size() == failed.size());
  for (std::size_t i = 0; i < failed.size(); ++i) {
    CHECK(failed[i].is_corruption());
    CHECK(told[i].to_string() == failed[i].to_string());
    CHECK(failed[i].to_string().find(path + ": data block 2") != std::string::npos);
  }
  std::string value;
  CHECK(store->get("no such key", &value).is_not_found());
  CHECK(told.size() == failed.size());  // a missing key is not a failure
}

TEST_CASE("lsm: a disk that cannot read the tables fails their GETs with its I/O error, each "
          "told to on_read_error, and once it can again every value is there",
          "[ch05][lsm]") {
  TempDir tmp;
  vkv::FaultInjectionEnv env;
  LsmStoreOptions o = options_for(tmp.file("data"), kMinMemtableBytes, SyncPolicy::kNever);
  o.block_cache_bytes = 0;  // every GET reads the disk
  std::vector<Status> told;
  o.on_read_error = [&told](const Status& e) { told.push_back(e); };
  auto store = open_store(o, env);
  for (int i = 0; i < 100; ++i) REQUIRE(store->set(key_for(i), "v" + std::to_string(i)).is_ok());
  REQUIRE(store->flush().is_ok());
  REQUIRE(store->set("in the memtable", "yes").is_ok());

  env.fail_reads_of(".sst");
  std::string value;
  const Status s = store->get(key_for(7), &value);
  CHECK(s.code() == vkv::StatusCode::kIoError);
  CHECK(s.to_string().find("injected fault: read ") != std::string::npos);
  REQUIRE(told.size() == 1);
  CHECK(told[0].to_string() == s.to_string());
  CHECK(get_or_absent(*store, "in the memtable") == "yes");  // the memtable is still served
  CHECK(told.size() == 1);

  env.clear_faults();
  for (int i = 0; i < 100; ++i) CHECK(get_or_absent(*store, key_for(i)) == "v" + std::to_string(i));
  CHECK(told.size() == 1);
}

TEST_CASE("lsm: a corrupt or missing MANIFEST entry stops start-up by name", "[ch05][lsm]") {
  TempDir tmp;
  const std::string dir = tmp.file("data");
  {
    auto store = open_store(options_for(dir));
    REQUIRE(store->set("a", "1").is_ok());
    REQUIRE(store->flush().is_ok());
  }
  SECTION("a flipped bit in the MANIFEST") {
    std::string bytes = vkv::testing::read_whole_file(dir + "/MANIFEST");
    bytes[30] ^= 0x01;
    vkv::testing::write_whole_file(dir + "/MANIFEST", bytes);
    auto store = LsmStore::open(Env::posix(), options_for(dir));
    REQUIRE_FALSE(store.is_ok());
    CHECK(store.status().to_string().rfind("corruption: " + dir + "/MANIFEST: checksum mismatch",
                                           0) == 0);
  }
  SECTION("a table it lists is missing") {
    std::filesystem::remove(dir + "/000003.sst");
    auto store = LsmStore::open(Env::posix(), options_for(dir));
    REQUIRE_FALSE(store.is_ok());
    CHECK(store.status().to_string().rfind(
              "corruption: " + dir + "/MANIFEST lists 000003.sst, which is missing", 0) == 0);
  }
}

TEST_CASE("lsm: too small a memtable is refused", "[ch05][lsm]") {
  TempDir tmp;
  auto store = LsmStore::open(Env::posix(), options_for(tmp.file("data"), 1000));
  REQUIRE_FALSE(store.is_ok());
  CHECK(store.status().to_string() ==
        "invalid argument: memtable size 1000 is below the least accepted, 65536 bytes");
}

TEST_CASE("lsm: a failed flush stops writes, reads go on, and a restart recovers everything",
          "[ch05][lsm]") {
  TempDir tmp;
  const std::string dir = tmp.file("data");
  {
    vkv::FaultInjectionEnv env;
    LsmStoreOptions options = options_for(dir);
    std::vector<std::string> told;
    options.durable.on_write_error = [&told](const Status& e) { told.push_back(e.message()); };
    auto store = open_store(options, env);
    for (int i = 0; i < 100; ++i) REQUIRE(store->set(key_for(i), "v" + std::to_string(i)).is_ok());
    env.fail_once_after(5);  // somewhere inside the flush, after the rotation
    const Status failed = store->flush();
    REQUIRE(told.size() == 1);  // the owner is told, to say so in its log
    CHECK(told[0].find("a flush failed") != std::string::npos);
    REQUIRE_FALSE(failed.is_ok());
    CHECK(failed.message().find("injected fault") != std::string::npos);
    const Status refused = store->set("after", "x");
    REQUIRE_FALSE(refused.is_ok());
    CHECK(refused.message().find("no more writes are taken: restart") != std::string::npos);
    CHECK(get_or_absent(*store, key_for(42)) == "v42");  // read from the memtable set aside
  }
  auto store = open_store(options_for(dir));
  for (int i = 0; i < 100; ++i) CHECK(get_or_absent(*store, key_for(i)) == "v" + std::to_string(i));
  CHECK(get_or_absent(*store, "after") == "<not found>");
  REQUIRE(store->flush().is_ok());
  CHECK(files_ending(dir, ".tmp").empty());
}

TEST_CASE("lsm: with a flush runner, the write that fills the memtable only sets it aside",
          "[ch05][lsm]") {
  TempDir tmp;
  const std::string dir = tmp.file("data");
  {
    LsmStoreOptions o = options_for(dir, kMinMemtableBytes, SyncPolicy::kNever);
    std::unique_ptr<LsmStore> store;
    ManualRunner runner;  // destroyed before the store
    o.flush_runner = runner.runner();
    store = open_store(o);
    int written = 0;
    while (runner.pending() == 0) {
      REQUIRE(written < 100000);
      REQUIRE(store->set(key_for(written), "v" + std::to_string(written)).is_ok());
      ++written;
    }
    // Set aside and a new log started; nothing written out yet, and nothing waits for it.
    CHECK(store->stats().flushes == 0);
    CHECK(store->stats().tables == 0);
    CHECK(files_ending(dir, ".log").size() == 2);
    REQUIRE(store->set("after", "x").is_ok());
    CHECK(get_or_absent(*store, key_for(0)) == "v0");  // from the memtable set aside
    CHECK(get_or_absent(*store, "after") == "x");
    runner.run_one();  // the rest of the flush, as the runner's thread would run it
    CHECK(store->stats().flushes == 1);
    CHECK(store->stats().tables == 1);
    CHECK(files_ending(dir, ".log").size() == 1);  // the old log is gone
    for (int i = 0; i < written; ++i) {
      CHECK(get_or_absent(*store, key_for(i)) == "v" + std::to_string(i));
    }
  }
  auto store = open_store(options_for(dir));
  CHECK(store->stats().tables == 1);
  CHECK(get_or_absent(*store, key_for(0)) == "v0");
  CHECK(get_or_absent(*store, "after") == "x");
}

TEST_CASE("lsm: a failed background flush stops later writes, and a restart recovers them all",
          "[ch05][lsm]") {
  TempDir tmp;
  const std::string dir = tmp.file("data");
  std::vector<std::string> acknowledged;
  {
    vkv::FaultInjectionEnv env;
    LsmStoreOptions o = options_for(dir, kMinMemtableBytes, SyncPolicy::kAlways);
    std::unique_ptr<LsmStore> store;
    ManualRunner runner;  // destroyed before the store
    o.flush_runner = runner.runner();
    store = open_store(o, env);
    for (int i = 0; runner.pending() == 0; ++i) {
      REQUIRE(i < 100000);
      REQUIRE(store->set(key_for(i), "v").is_ok());
      acknowledged.push_back(key_for(i));
    }
    env.fail_once_after(1);  // inside writing the table
    runner.run_one();
    const Status refused = store->set("later", "x");
    REQUIRE_FALSE(refused.is_ok());
    CHECK(refused.message().find("no more writes are taken: restart") != std::string::npos);
    CHECK(refused.message().find("injected fault") != std::string::npos);
    CHECK(get_or_absent(*store, acknowledged.front()) == "v");  // reads go on
    CHECK(store->sync().is_ok());  // the memtable set aside is in its log, synced
  }
  auto store = open_store(options_for(dir));
  for (const auto& key : acknowledged) CHECK(get_or_absent(*store, key) == "v");
  CHECK(get_or_absent(*store, "later") == "<not found>");
}

TEST_CASE("lsm: readers never see a key go back in time while writers flush", "[ch05][lsm]") {
  const bool background = GENERATE(false, true);
  CAPTURE(background);
  TempDir tmp;
  ThreadRunner runner;  // outlives the store
  LsmStoreOptions o = options_for(tmp.file("data"), kMinMemtableBytes, SyncPolicy::kNever);
  if (background) o.flush_runner = runner.runner();
  auto store = open_store(o);
  constexpr int kWriters = 3;
  constexpr int kRounds = 1500;
  std::atomic<bool> done{false};
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int w = 0; w < kWriters; ++w) {
    threads.emplace_back([&, w] {
      // Each round rewrites the writer's 20 keys with the round number, padded so the
      // memtable fills and flushes every few rounds.
      for (int round = 1; round <= kRounds; ++round) {
        for (int k = 0; k < 20; ++k) {
          const std::string key = "w" + std::to_string(w) + "-" + std::to_string(k);
          if (!store->set(key, std::to_string(round) + std::string(40, '.')).is_ok()) ++failures;
        }
      }
    });
  }
  for (int r = 0; r < 2; ++r) {
    threads.emplace_back([&] {
      std::vector<int> seen(kWriters * 20, 0);
      while (!done.load()) {
        for (int i = 0; i < kWriters * 20; ++i) {
          const std::string key = "w" + std::to_string(i / 20) + "-" + std::to_string(i % 20);
          std::string value;
          const Status s = store->get(key, &value);
          if (s.is_not_found()) {
            if (seen[i] != 0) ++failures;  // it was there, and nothing deletes it
            continue;
          }
          if (!s.is_ok()) {
            ++failures;
            continue;
          }
          const int round = std::stoi(value);
          if (round < seen[i]) ++failures;
          seen[i] = round;
        }
      }
    });
  }
  for (int w = 0; w < kWriters; ++w) threads[w].join();
  done = true;
  for (std::size_t t = kWriters; t < threads.size(); ++t) threads[t].join();
  CHECK(failures.load() == 0);
  REQUIRE(store->sync().is_ok());  // waits for a flush still running
  CHECK(store->stats().flushes >= 3);
  if (background) CHECK(runner.started() == static_cast<int>(store->stats().flushes));
  for (int i = 0; i < kWriters * 20; ++i) {
    const std::string key = "w" + std::to_string(i / 20) + "-" + std::to_string(i % 20);
    CHECK(std::stoi(get_or_absent(*store, key)) == kRounds);
  }
}

TEST_CASE("lsm: 200k keys over many tables, a restart, deletes, another restart",
          "[ch05][lsm][big]") {
  TempDir tmp;
  const auto options = options_for(tmp.file("data"), 512 << 10, SyncPolicy::kNever);
  constexpr int kKeys = 200'000;
  auto value_for = [](int i, int version) {
    return std::to_string(i) + "/" + std::to_string(version) + std::string(80, 'x');
  };
  std::mt19937 rng(5);
  std::map<int, int> overwritten;  // key -> version, for a random tenth of the keys
  {
    auto store = open_store(options);
    for (int i = 0; i < kKeys; ++i) REQUIRE(store->set(key_for(i), value_for(i, 1)).is_ok());
    for (int n = 0; n < kKeys / 10; ++n) {
      const int i = static_cast<int>(rng() % kKeys);
      const int version = ++overwritten[i] + 1;
      REQUIRE(store->set(key_for(i), value_for(i, version)).is_ok());
    }
    CHECK(store->stats().tables >= 20);
  }
  auto version_of = [&](int i) {
    auto it = overwritten.find(i);
    return it == overwritten.end() ? 1 : it->second + 1;
  };
  {
    auto store = open_store(options);
    int wrong = 0;
    for (int i = 0; i < kKeys; ++i) wrong += get_or_absent(*store, key_for(i)) != value_for(i, version_of(i));
    CHECK(wrong == 0);
    for (int i = 0; i < kKeys; i += 7) REQUIRE(store->del(key_for(i)).is_ok());
  }
  auto store = open_store(options);
  int wrong = 0;
  for (int i = 0; i < kKeys; ++i) {
    const std::string want = i % 7 == 0 ? "<not found>" : value_for(i, version_of(i));
    wrong += get_or_absent(*store, key_for(i)) != want;
  }
  CHECK(wrong == 0);
  CHECK(get_or_absent(*store, key_for(kKeys)) == "<not found>");
}

namespace {

// What one GET cost at the tables.
struct GetCost {
  std::uint64_t block_reads = 0;
  std::uint64_t cache_hits = 0;
  std::uint64_t filter_skips = 0;
};

GetCost cost_of_get(LsmStore& store, const std::string& key, std::string* value, Status* status) {
  const auto before = store.stats();
  *status = store.get(key, value);
  const auto after = store.stats();
  return {after.block_reads - before.block_reads, after.cache_hits - before.cache_hits,
          after.filter_skips - before.filter_skips};
}

// `tables` tables, each flushed on its own, all covering the same key range: key i is in
// table i % tables only. `i` runs over [0, tables * per_table), even numbers only, so the odd
// ones are absent keys inside every table's range.
void fill_overlapping_tables(LsmStore& store, int tables, int per_table) {
  for (int t = 0; t < tables; ++t) {
    for (int n = 0; n < per_table; ++n) {
      const int i = 2 * (n * tables + t);
      REQUIRE(store.set(key_for(i), "v" + std::to_string(i)).is_ok());
    }
    REQUIRE(store.flush().is_ok());
  }
}

}  // namespace

TEST_CASE("lsm: a GET over many overlapping tables reads one block from disk, not one per table",
          "[ch05][lsm][read]") {
  constexpr int kTables = 20;
  constexpr int kPerTable = 200;
  constexpr int kKeys = kTables * kPerTable;
  TempDir tmp;
  // No cache, so every block fetched is a disk read: what the filters alone save.
  const auto options = with_read_path(options_for(tmp.file("data"), kMinMemtableBytes,
                                                  SyncPolicy::kNever), 0, kBloomBitsPerKey);
  {
    auto store = open_store(options);
    fill_overlapping_tables(*store, kTables, kPerTable);
    REQUIRE(store->stats().tables == kTables);
  }
  // Both ways a filter is made: by the flush (above) and by start-up's verifying pass (here).
  for (const bool reopened : {false, true}) {
    TempDir fresh;
    auto store = reopened ? open_store(options) : nullptr;
    if (!reopened) {
      store = open_store(with_read_path(options_for(fresh.file("data"), kMinMemtableBytes,
                                                    SyncPolicy::kNever), 0, kBloomBitsPerKey));
      fill_overlapping_tables(*store, kTables, kPerTable);
    }
    INFO((reopened ? "filters built at start-up" : "filters built by the flush"));
    CHECK(store->stats().block_reads == 0);  // start-up's verify pass is not a GET
    CHECK(store->stats().filter_bytes <= kKeys * kBloomBitsPerKey / 8 + kTables * 8);
    std::uint64_t reads = 0, more_than_one = 0, skips = 0;
    for (int i = 0; i < 2 * kKeys; i += 2) {
      std::string value;
      Status s;
      const GetCost cost = cost_of_get(*store, key_for(i), &value, &s);
      REQUIRE(s.is_ok());
      REQUIRE(value == "v" + std::to_string(i));
      CHECK(cost.block_reads >= 1);  // the table that has it
      reads += cost.block_reads;
      skips += cost.filter_skips;
      more_than_one += cost.block_reads > 1 ? 1 : 0;
    }
    // Without filters a GET would read a block from every newer table: 10.5 on average.
    // With them: one, and one more only when a newer table's filter says a false yes (about
    // 1% of them at 10 bits per key; the bound allows 2% of the 9.5 newer ones on average).
    INFO("block reads " << reads << ", GETs reading more than one " << more_than_one);
    CHECK(static_cast<double>(reads) / kKeys < 1 + 0.02 * (kTables - 1) / 2);
    CHECK(more_than_one < kKeys / 5);
    CHECK(skips >= static_cast<std::uint64_t>(kKeys) * (kTables - 1) / 2 * 9 / 10);
    // An absent key inside every table's range: almost always no read at all.
    std::uint64_t absent_reads = 0;
    for (int i = 1; i < 2 * kKeys; i += 2) {
      std::string value;
      Status s;
      absent_reads += cost_of_get(*store, key_for(i), &value, &s).block_reads;
      REQUIRE(s.is_not_found());
    }
    INFO("block reads for " << kKeys << " absent keys: " << absent_reads);
    CHECK(static_cast<double>(absent_reads) / (kKeys * kTables) < 0.02);
  }
}

TEST_CASE("lsm: with the filters off, a GET reads a block from every newer table",
          "[ch05][lsm][read]") {
  constexpr int kTables = 10;
  constexpr int kPerTable = 50;
  TempDir tmp;
  auto store = open_store(with_read_path(options_for(tmp.file("data"), kMinMemtableBytes,
                                                     SyncPolicy::kNever), 0, 0));
  fill_overlapping_tables(*store, kTables, kPerTable);
  std::string value;
  Status s;
  // The last key of table 0, the oldest, is inside every table's range: all ten tables are
  // read, newest first.
  const GetCost cost = cost_of_get(*store, key_for(2 * (kPerTable - 1) * kTables), &value, &s);
  REQUIRE(s.is_ok());
  CHECK(cost.block_reads == kTables);
  CHECK(cost.filter_skips == 0);
  CHECK(store->stats().filter_bytes == 0);
}

TEST_CASE("lsm: the block cache serves a block read before, with no read from disk",
          "[ch05][lsm][read]") {
  TempDir tmp;
  auto store = open_store(options_for(tmp.file("data"), kMinMemtableBytes, SyncPolicy::kNever));
  fill_overlapping_tables(*store, 5, 200);
  std::string value;
  Status s;
  const GetCost first = cost_of_get(*store, key_for(0), &value, &s);
  REQUIRE(s.is_ok());
  CHECK(first.block_reads + first.cache_hits >= 1);
  const GetCost again = cost_of_get(*store, key_for(0), &value, &s);
  REQUIRE(s.is_ok());
  CHECK(again.block_reads == 0);
  CHECK(again.cache_hits == first.block_reads + first.cache_hits);
  CHECK(store->stats().block_cache_bytes > 0);
  // Every key once, then every key again: the second pass reads nothing from disk (the
  // tables' blocks, about 20 of 4 KiB, fit in the default cache many times over).
  for (int i = 0; i < 2000; i += 2) REQUIRE(store->get(key_for(i), &value).is_ok());
  const auto warm = store->stats();
  for (int i = 0; i < 2000; i += 2) REQUIRE(store->get(key_for(i), &value).is_ok());
  CHECK(store->stats().block_reads == warm.block_reads);
  CHECK(store->stats().cache_hits >= warm.cache_hits + 1000);
}

TEST_CASE("lsm: filters and the cache keep newest-wins and tombstones, across a restart",
          "[ch05][lsm][read]") {
  TempDir tmp;
  const auto options = options_for(tmp.file("data"), kMinMemtableBytes, SyncPolicy::kNever);
  {
    auto store = open_store(options);
    for (int version = 1; version <= 6; ++version) {
      for (int i = 0; i < 300; ++i) {
        if (version == 6 && i % 3 == 0) {
          REQUIRE(store->del(key_for(i)).is_ok());
        } else if (i % version == 0) {
          REQUIRE(store->set(key_for(i), std::to_string(version)).is_ok());
        }
      }
      REQUIRE(store->flush().is_ok());
    }
  }
  auto want = [](int i) -> std::string {
    if (i % 3 == 0) return "<not found>";
    for (int version = 5; version >= 1; --version) {
      if (i % version == 0) return std::to_string(version);
    }
    return "<not found>";
  };
  auto store = open_store(options);
  for (int pass = 0; pass < 2; ++pass) {  // cold, then from the cache
    for (int i = 0; i < 300; ++i) REQUIRE(get_or_absent(*store, key_for(i)) == want(i));
  }
}

TEST_CASE("lsm: too many filter bits per key are refused", "[ch05][lsm]") {
  TempDir tmp;
  auto options = options_for(tmp.file("data"));
  options.filter_bits_per_key = vkv::storage::kMaxBloomBitsPerKey + 1;
  auto store = LsmStore::open(Env::posix(), options);
  REQUIRE_FALSE(store.is_ok());
  CHECK(store.status().to_string() ==
        "invalid argument: filter bits per key 65 is above the most accepted, 64");
}

TEST_CASE("lsm: with defer_sync a write waits for no sync, and sync_through makes it durable",
          "[ch05][lsm]") {
  TempDir tmp;
  const std::string dir = tmp.file("data");
  LsmStoreOptions options = options_for(dir);
  options.durable.defer_sync = true;
  {
    vkv::FaultInjectionEnv env;
    auto store = open_store(options, env);
    REQUIRE(store->set("kept", "1").is_ok());
    const auto ticket = store->ticket();
    CHECK(ticket > 0);
    REQUIRE(store->sync_through(ticket).is_ok());
    CHECK(store->sync_through(ticket).is_ok());  // covered: nothing more to do
    REQUIRE(store->set("lost", "2").is_ok());    // acknowledged by nobody: no sync_through
    CHECK(get_or_absent(*store, "lost") == "2");  // applied at once
    CHECK(store->ticket() > ticket);
    store.reset();  // an orderly close would sync; abandon the files as a power loss would
    REQUIRE(env.crash().is_ok());
  }
  auto store = open_store(options_for(dir));
  CHECK(get_or_absent(*store, "kept") == "1");
}

TEST_CASE("lsm: tickets keep counting across flushes, and a flush leaves them durable",
          "[ch05][lsm]") {
  TempDir tmp;
  LsmStoreOptions options = options_for(tmp.file("data"));
  options.durable.defer_sync = true;
  auto store = open_store(options);
  REQUIRE(store->set("a", "1").is_ok());
  const auto before = store->ticket();
  REQUIRE(store->flush().is_ok());  // a new log: the old one's tickets were synced first
  CHECK(store->ticket() >= before);
  REQUIRE(store->sync_through(before).is_ok());
  REQUIRE(store->set("b", "2").is_ok());
  CHECK(store->ticket() > before);
  CHECK(store->sync_through(store->ticket()).is_ok());
}
