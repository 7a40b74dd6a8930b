// The two seams a later chapter uses: LevelOptions::dead_value (a value compaction treats as
// a tombstone) and VersionSet::compact_all() (every level merged down, now).
#include <catch2/catch.hpp>

#include <filesystem>
#include <map>
#include <random>
#include <string>

#include "05-sstables/manifest.hpp"
#include "08-compaction/level_manifest.hpp"
#include "08-compaction/tests/leveled_store.hpp"
#include "common/testing/test_util.hpp"

using vkv::Env;
using vkv::Status;
using vkv::storage::EntryKind;
using vkv::storage::kLevels;
using vkv::storage::LevelOptions;
using vkv::storage::LsmStore;
using vkv::testing::check_level_shape;
using vkv::testing::get_or_absent;
using vkv::testing::key_for;
using vkv::testing::table_bytes_on_disk;
using vkv::testing::open_leveled;
using vkv::testing::TempDir;
using vkv::testing::tiny_levels;

namespace {

// A value of about 1 KB; one that starts with "dead" is dead to dead_levels()' filter.
std::string compact_value(int key, int round, const char* prefix = "live") {
  return std::string(prefix) + "-k" + std::to_string(key) + "-r" + std::to_string(round) + "-" +
         std::string(1000, 'v');
}

LevelOptions dead_levels(bool background) {
  LevelOptions o = tiny_levels(background);
  o.dead_value = [](std::string_view, std::string_view value) { return value.starts_with("dead"); };
  return o;
}

// The levels that hold tables.
std::vector<int> levels_in_use(const vkv::storage::Version& v) {
  std::vector<int> out;
  for (int level = 0; level < kLevels; ++level) {
    if (!v.level(level).empty()) out.push_back(level);
  }
  return out;
}

// Tombstones in the tables of `level`.
int tombstones_in(const vkv::storage::Version& v, int level) {
  int n = 0;
  for (const auto& t : v.level(level)) {
    vkv::storage::Table::Iterator it(*t->file().table);
    for (it.seek_to_first(); it.valid(); it.next()) n += it.kind() == EntryKind::kTombstone;
  }
  return n;
}

}  // namespace

TEST_CASE("dead values: dropped at the bottom, live ones stay, and the counters count",
          "[ch08][compaction]") {
  TempDir tmp;
  LevelOptions levels = dead_levels(/*background=*/false);
  levels.l0_compaction_trigger = 100;  // no automatic compaction: the tables stay in level 0
  levels.l0_slowdown_trigger = levels.l0_stop_trigger = 200;
  auto s = open_leveled(tmp.file("data"), levels);
  for (int k = 0; k < 100; ++k) {
    REQUIRE(s.store->set(key_for(k), compact_value(k, 0, k % 2 == 0 ? "dead" : "live")).is_ok());
  }
  REQUIRE(s.store->flush().is_ok());
  REQUIRE(levels_in_use(*s.set->version()) == std::vector<int>{0});
  // Reads do not ask the filter (the later chapter's reads do their own check). This one
  // also puts the dead value in the row cache, which the compaction must make stale.
  CHECK(get_or_absent(*s.store, key_for(0)) == compact_value(0, 0, "dead"));
  REQUIRE(s.set->compact_all().is_ok());
  CHECK(levels_in_use(*s.set->version()) == std::vector<int>{1});
  for (int k = 0; k < 100; ++k) {
    CHECK(get_or_absent(*s.store, key_for(k)) == (k % 2 == 0 ? "<absent>" : compact_value(k, 0)));
  }
  const auto stats = s.set->stats();
  CHECK(stats.dead_values == 50);
  CHECK(stats.dropped_tombstones == 0);
  CHECK(s.store->stats().table_entries == 50);
}

TEST_CASE("dead values: a dead value above an older live one is written as a tombstone, so the "
          "old value does not come back",
          "[ch08][compaction]") {
  TempDir tmp;
  auto s = open_leveled(tmp.file("data"), dead_levels(/*background=*/false));
  // 300 live keys, pushed to the bottom: level 1 is empty after compact_all().
  for (int k = 0; k < 300; ++k) REQUIRE(s.store->set(key_for(k), compact_value(k, 0)).is_ok());
  REQUIRE(s.store->flush().is_ok());
  REQUIRE(s.set->compact_all().is_ok());
  const std::vector<int> bottom = levels_in_use(*s.set->version());
  REQUIRE(bottom.size() == 1);
  REQUIRE(bottom[0] >= 2);
  // Newer, dead values of the first 100, flushed until level 0 is compacted into level 1,
  // above the old values (level 0 is compacted at 2 tables).
  for (int k = 0; k < 100; ++k) REQUIRE(s.store->set(key_for(k), compact_value(k, 1, "dead")).is_ok());
  REQUIRE(s.store->flush().is_ok());
  for (int i = 0; i < 2 && !s.set->version()->level(0).empty(); ++i) {
    REQUIRE(s.store->set("other", "x").is_ok());
    REQUIRE(s.store->flush().is_ok());
  }
  const auto v = s.set->version();
  REQUIRE(v->level(0).empty());
  CHECK(tombstones_in(*v, 1) == 100);
  CHECK(s.set->stats().dead_values == 100);
  for (int k = 0; k < 300; ++k) {
    CHECK(get_or_absent(*s.store, key_for(k)) == (k < 100 ? "<absent>" : compact_value(k, 0)));
  }
  // Merged down onto the old values, the tombstones go too, and take the old values along.
  REQUIRE(s.set->compact_all().is_ok());
  CHECK(s.set->stats().dropped_tombstones == 100);
  CHECK(s.store->stats().table_entries == 201);
  for (int k = 0; k < 100; ++k) CHECK(get_or_absent(*s.store, key_for(k)) == "<absent>");
}

TEST_CASE("compact_all: the same live data, in one level, about its size, and dead values go",
          "[ch08][compaction]") {
  const bool background = GENERATE(true, false);
  INFO("background " << background);
  TempDir tmp;
  const std::string dir = tmp.file("data");
  auto s = open_leveled(dir, dead_levels(background));
  std::map<std::string, std::string> model;  // what GET must return; dead keys absent
  std::mt19937 rng(11);
  for (int i = 0; i < 3000; ++i) {
    const int k = static_cast<int>(rng() % 400);
    const int what = static_cast<int>(rng() % 10);
    if (what == 0) {
      REQUIRE(s.store->del(key_for(k)).is_ok());
      model.erase(key_for(k));
    } else {
      const std::string value = compact_value(k, i, what == 1 ? "dead" : "live");
      REQUIRE(s.store->set(key_for(k), value).is_ok());
      if (what == 1) {
        model.erase(key_for(k));
      } else {
        model[key_for(k)] = value;
      }
    }
  }
  REQUIRE(s.store->flush().is_ok());
  REQUIRE(s.set->wait_until_compacted().is_ok());
  INFO(vkv::storage::format_tables(*s.set->version()));
  REQUIRE(levels_in_use(*s.set->version()).size() >= 2);

  REQUIRE(s.set->compact_all().is_ok());
  const auto v = s.set->version();
  CHECK(levels_in_use(*v).size() == 1);
  check_level_shape(*v);
  for (int k = 0; k < 400; ++k) {
    const auto it = model.find(key_for(k));
    CHECK(get_or_absent(*s.store, key_for(k)) == (it == model.end() ? "<absent>" : it->second));
  }
  std::uint64_t live = 0;
  for (const auto& [key, value] : model) live += key.size() + value.size();
  const std::uint64_t on_disk = table_bytes_on_disk(dir);
  INFO("on disk " << on_disk << " for " << live << " live");
  CHECK(on_disk >= live / 2);  // the data is there (keys and values compress a little)
  CHECK(on_disk < live + live / 5);
  CHECK(s.store->stats().table_entries == model.size());
  CHECK(s.set->stats().dead_values > 0);
  // Nothing left to do: a second pass rewrites the level and changes nothing.
  REQUIRE(s.set->compact_all().is_ok());
  CHECK(s.store->stats().table_entries == model.size());
}

TEST_CASE("compact_all: an empty store is ok", "[ch08][compaction]") {
  const bool background = GENERATE(true, false);
  TempDir tmp;
  auto s = open_leveled(tmp.file("data"), tiny_levels(background));
  CHECK(s.set->compact_all().is_ok());
  CHECK(levels_in_use(*s.set->version()).empty());
}

TEST_CASE("compact_all: tables in the last level are rewritten too", "[ch08][compaction]") {
  TempDir tmp;
  const std::string dir = tmp.file("data");
  {
    auto s = open_leveled(dir, tiny_levels(/*background=*/false));
    for (int k = 0; k < 100; ++k) {
      REQUIRE(s.store->set(key_for(k), compact_value(k, 0, k < 50 ? "dead" : "live")).is_ok());
    }
    REQUIRE(s.store->flush().is_ok());
    REQUIRE(s.set->compact_all().is_ok());
  }
  {
    // Too few bytes to get there by compaction: move the tables to the last level by hand.
    auto m = vkv::storage::read_level_manifest(Env::posix(), dir);
    REQUIRE(m.is_ok());
    REQUIRE(m->has_value());
    for (auto& t : (*m)->tables) t.level = kLevels - 1;
    REQUIRE(vkv::storage::write_level_manifest(Env::posix(), dir, **m).is_ok());
  }
  auto s = open_leveled(dir, dead_levels(/*background=*/true));
  REQUIRE(levels_in_use(*s.set->version()) == std::vector<int>{kLevels - 1});
  REQUIRE(s.set->compact_all().is_ok());
  CHECK(s.set->stats().dead_values == 50);
  CHECK(levels_in_use(*s.set->version()) == std::vector<int>{kLevels - 1});
  for (int k = 0; k < 100; ++k) {
    CHECK(get_or_absent(*s.store, key_for(k)) == (k < 50 ? "<absent>" : compact_value(k, 0)));
  }
}
