// LsmScanner: the scan contract over an LsmStore with chapter 5's flat tables and with this
// chapter's levels (compaction in the background and inline); the memtable, level 0 and
// deeper levels merged into one order; the sources a scan holds outliving a compaction; a
// damaged table; LevelIterator over a real level.
#include <catch2/catch.hpp>

#include <map>
#include <random>
#include <string>

#include "08-compaction/level_iterator.hpp"
#include "08-compaction/lsm_scanner.hpp"
#include "08-compaction/newest_wins_iterator.hpp"
#include "08-compaction/tests/leveled_store.hpp"
#include "08-compaction/tests/scan_contract.hpp"
#include "common/testing/test_util.hpp"

using vkv::Env;
using vkv::Status;
using vkv::storage::LevelIterator;
using vkv::storage::LsmScanner;
using vkv::storage::LsmStore;
using vkv::storage::Version;
using vkv::testing::key_for;
using vkv::testing::open_leveled;
using vkv::testing::table_files;
using vkv::testing::TempDir;
using vkv::testing::tiny_levels;
using vkv::testing::scan_contract::Model;
using vkv::testing::scan_contract::model_range;
using vkv::testing::scan_contract::scan_all;

namespace {

// An LsmStore and its scanner; with levels unless `levels` is empty (chapter 5's tables).
class ScannedLsmStore final : public vkv::testing::ScanStoreUnderTest {
 public:
  explicit ScannedLsmStore(std::optional<bool> background_compaction) {
    if (background_compaction) {
      s_ = open_leveled(dir_.file("data"), tiny_levels(*background_compaction));
    } else {
      vkv::storage::LsmStoreOptions o;
      o.durable.dir = dir_.file("data");
      o.durable.sync = vkv::storage::SyncPolicy::kNever;
      o.memtable_bytes = vkv::storage::kMinMemtableBytes;
      auto store = LsmStore::open(Env::posix(), o);
      REQUIRE(store.is_ok());
      s_.store = std::move(store).value();
    }
    scanner_ = std::make_unique<LsmScanner>(*s_.store);
  }
  vkv::storage::Store& store() override { return *s_.store; }
  vkv::storage::OrderedStore& ordered() override { return *scanner_; }
  void flush() override { REQUIRE(s_.store->flush().is_ok()); }

 private:
  TempDir dir_;
  vkv::testing::LeveledStore s_;
  std::unique_ptr<LsmScanner> scanner_;
};


}  // namespace

VKV_SCAN_CONTRACT_TESTS("LsmScanner over levels (background compaction)", "[ch08]",
                        [] { return std::make_unique<ScannedLsmStore>(true); })
VKV_SCAN_CONTRACT_TESTS("LsmScanner over levels (inline compaction)", "[ch08]",
                        [] { return std::make_unique<ScannedLsmStore>(false); })
VKV_SCAN_CONTRACT_TESTS("LsmScanner over chapter 5's tables", "[ch08]",
                        [] { return std::make_unique<ScannedLsmStore>(std::nullopt); })

TEST_CASE("scan: the memtable, level 0 and deeper levels merge into one order, the newest "
          "entry of each key winning", "[ch08][scan]") {
  TempDir tmp;
  // Level 0 compacted only at 4 tables, whatever their bytes: the test's second flush stays
  // in level 0.
  vkv::storage::LevelOptions levels = tiny_levels(/*background=*/false);
  levels.l0_compaction_trigger = 4;
  levels.l0_space_ratio = 100;
  auto s = open_leveled(tmp.file("data"), levels);
  Model model;
  const auto set = [&](int k, const std::string& value) {
    REQUIRE(s.store->set(key_for(k), value).is_ok());
    model[key_for(k)] = value;
  };
  const auto del = [&](int k) {
    REQUIRE(s.store->del(key_for(k)).is_ok());
    model.erase(key_for(k));
  };
  // The oldest entries, compacted into the deeper levels.
  for (int k = 0; k < 2000; ++k) set(k, "r0-" + std::string(200, 'a'));
  REQUIRE(s.store->flush().is_ok());
  REQUIRE(s.set->wait_until_compacted().is_ok());
  // Newer ones in one level-0 table, then the newest in the memtable.
  for (int k = 0; k < 2000; k += 20) set(k, "r1");
  for (int k = 5; k < 2000; k += 70) del(k);
  REQUIRE(s.store->flush().is_ok());
  for (int k = 0; k < 2000; k += 30) set(k, "r2");
  for (int k = 7; k < 2000; k += 110) del(k);
  for (int k = 2000; k < 2010; ++k) set(k, "new");

  const auto v = s.set->version();
  REQUIRE_FALSE(v->level(0).empty());
  std::size_t deeper_levels = 0;
  std::size_t most_tables = 0;
  for (int level = 1; level < vkv::storage::kLevels; ++level) {
    deeper_levels += !v->level(level).empty();
    most_tables = std::max(most_tables, v->level(level).size());
  }
  REQUIRE(most_tables >= 2);  // a level of several tables, walked one after another
  REQUIRE(s.store->stats().memtable_entries > 0);
  // One iterator per level-0 table and one per deeper level: not one per table.
  CHECK(v->new_iterators().size() == v->level(0).size() + deeper_levels);

  LsmScanner scanner(*s.store);
  CHECK(scan_all(scanner, "", std::nullopt, 37) == model);
  std::mt19937 rng(5);
  for (int i = 0; i < 20; ++i) {
    int a = static_cast<int>(rng() % 2100), b = static_cast<int>(rng() % 2100);
    if (b < a) std::swap(a, b);
    CHECK(scan_all(scanner, key_for(a), key_for(b), 1 + rng() % 50) ==
          model_range(model, key_for(a), key_for(b)));
  }
}

TEST_CASE("scan: the sources a scan holds stay readable while compactions replace every table",
          "[ch08][scan]") {
  TempDir tmp;
  const std::string dir = tmp.file("data");
  auto s = open_leveled(dir, tiny_levels(/*background=*/false));
  for (int k = 0; k < 100; ++k) REQUIRE(s.store->set(key_for(k), "round0").is_ok());
  REQUIRE(s.store->flush().is_ok());
  REQUIRE(s.store->set("m", "in the memtable").is_ok());
  std::optional<vkv::storage::LsmSources> held = s.store->sources();
  // Rewrite everything: flushes, and compactions that replace every table held. Round 1 goes
  // into the memtable held (it takes writes until its flush); later rounds into newer ones.
  for (int round = 1; round <= 8; ++round) {
    for (int k = 0; k < 50; ++k) {
      REQUIRE(s.store->set(key_for(k), "round" + std::to_string(round)).is_ok());
    }
    REQUIRE(s.store->flush().is_ok());
  }
  REQUIRE(s.set->wait_until_compacted().is_ok());
  CHECK(table_files(dir) > s.set->version()->tables().size());  // the held ones stay
  // What was held reads as it was: its tables, and its memtable as that memtable ended.
  Model seen;
  {
    vkv::storage::NewestWinsIterator merged(std::move(held->newest_first));
    for (merged.seek_to_first(); merged.valid(); merged.next()) {
      seen[std::string(merged.key())] = std::string(merged.value());
    }
    REQUIRE(merged.status().is_ok());
  }
  CHECK(seen.size() == 101);
  CHECK(seen["m"] == "in the memtable");
  for (int k = 0; k < 50; ++k) CHECK(seen[key_for(k)] == "round1");
  for (int k = 50; k < 100; ++k) CHECK(seen[key_for(k)] == "round0");  // the held tables'
  // Let go: the replaced tables' files go with the last holder.
  held.reset();
  CHECK(table_files(dir) == s.set->version()->tables().size());
}

TEST_CASE("scan: a damaged table is an error naming it, never a short page, and the store's "
          "on_read_error hears of it",
          "[ch08][scan]") {
  TempDir tmp;
  const std::string dir = tmp.file("data");
  vkv::testing::LeveledStore s;
  std::vector<Status> told;
  vkv::storage::LsmStoreOptions o = vkv::testing::leveled_options(dir, tiny_levels(false), &s.set);
  o.on_read_error = [&told](const Status& e) { told.push_back(e); };
  auto opened = LsmStore::open(Env::posix(), o);
  REQUIRE(opened.is_ok());
  s.store = std::move(opened).value();
  for (int k = 0; k < 10; ++k) REQUIRE(s.store->set(key_for(k), std::string(100, 'v')).is_ok());
  REQUIRE(s.store->flush().is_ok());
  const std::string name = vkv::storage::table_file_name(s.set->version()->level(0).front()->number());
  std::string bytes = vkv::testing::read_whole_file(dir + "/" + name);
  bytes[100] ^= 0x55;  // the middle of the first data block
  vkv::testing::write_whole_file(dir + "/" + name, bytes);
  LsmScanner scanner(*s.store);
  vkv::storage::ScanPage page;
  const Status st = scanner.scan("", std::nullopt, 100, &page);
  REQUIRE_FALSE(st.is_ok());
  CHECK(st.is_corruption());
  CHECK(st.to_string().find(name) != std::string::npos);
  REQUIRE(told.size() == 1);
  CHECK(told[0].to_string() == st.to_string());
}

TEST_CASE("level iterator: walks a level's tables one after another, and seeks into the one "
          "table that may hold the target", "[ch08][scan]") {
  TempDir tmp;
  auto s = open_leveled(tmp.file("data"), tiny_levels(/*background=*/false));
  for (int k = 0; k < 2000; k += 2) REQUIRE(s.store->set(key_for(k), std::string(200, 'v')).is_ok());
  REQUIRE(s.store->flush().is_ok());
  REQUIRE(s.set->wait_until_compacted().is_ok());
  const auto v = s.set->version();
  int level = 1;
  while (level < vkv::storage::kLevels && v->level(level).size() < 3) ++level;
  REQUIRE(level < vkv::storage::kLevels);
  const Version::Tables& tables = v->level(level);

  LevelIterator it(tables);
  CHECK_FALSE(it.valid());
  std::uint64_t walked = 0, entries = 0;
  std::string last;
  for (it.seek_to_first(); it.valid(); it.next()) {
    CHECK(std::string(it.key()) > last);
    last = it.key();
    ++walked;
  }
  CHECK(it.status().is_ok());
  for (const auto& t : tables) entries += t->file().table->entry_count();
  CHECK(walked == entries);

  it.seek("");  // before the first table
  REQUIRE(it.valid());
  CHECK(it.key() == tables.front()->smallest());
  for (std::size_t i = 0; i + 1 < tables.size(); ++i) {
    it.seek(tables[i]->smallest());
    REQUIRE(it.valid());
    CHECK(it.key() == tables[i]->smallest());
    it.seek(tables[i]->largest());  // a table's last key
    REQUIRE(it.valid());
    CHECK(it.key() == tables[i]->largest());
    it.next();  // on into the next table
    REQUIRE(it.valid());
    CHECK(it.key() == tables[i + 1]->smallest());
    it.seek(std::string(tables[i]->largest()) + '\0');  // in the gap between two tables
    REQUIRE(it.valid());
    CHECK(it.key() == tables[i + 1]->smallest());
  }
  it.seek(std::string(tables.back()->largest()) + '\0');  // past the last
  CHECK_FALSE(it.valid());
  CHECK(it.status().is_ok());
}
