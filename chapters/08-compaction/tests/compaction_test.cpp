// pick_compaction() and CompactionIterator on small, real tables: which level goes first,
// which tables go with it, when a table only moves, and which tombstones a merge keeps.
#include <catch2/catch.hpp>

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "04-memtable/memtable.hpp"
#include "08-compaction/compaction.hpp"
#include "08-compaction/newest_wins_heap.hpp"
#include "08-compaction/newest_wins_iterator.hpp"
#include "common/testing/test_util.hpp"

using vkv::Env;
using vkv::storage::Compaction;
using vkv::storage::CompactionCursors;
using vkv::storage::CompactionIterator;
using vkv::storage::EntryKind;
using vkv::storage::LevelOptions;
using vkv::storage::LiveTable;
using vkv::storage::Version;
using vkv::testing::TempDir;

namespace {

// Tables written for real, in a temporary directory.
class Tables {
 public:
  Tables() : dir_(vkv::storage::DataDir::open(Env::posix(), tmp_.file("data")).value()) {}

  // A table holding `keys` (a key starting with '-' is a tombstone of the rest), each
  // value `value` padded to `value_bytes`.
  std::shared_ptr<LiveTable> make(const std::vector<std::string>& keys,
                                  const std::string& value = "v", std::size_t value_bytes = 1) {
    vkv::storage::Memtable m;
    for (const auto& k : keys) {
      if (k.starts_with("-")) {
        m.del(k.substr(1));
      } else {
        m.set(k, value + std::string(value_bytes - 1, '.'));
      }
    }
    const std::uint64_t number = next_++;
    auto file = vkv::storage::write_table_file(dir_, number, m);
    REQUIRE(file.is_ok());
    return std::make_shared<LiveTable>(std::move(file).value(), Env::posix(),
                                       dir_.file_path(vkv::storage::table_file_name(number)));
  }

 private:
  TempDir tmp_;
  vkv::storage::DataDir dir_;
  std::uint64_t next_ = 1;
};

std::vector<std::uint64_t> numbers(const Version::Tables& tables) {
  std::vector<std::uint64_t> out;
  for (const auto& t : tables) out.push_back(t->number());
  return out;
}

LevelOptions small_levels() {
  LevelOptions o;
  o.l0_compaction_trigger = 2;
  o.l0_space_ratio = 100;  // the count decides, unless a test says otherwise
  o.level1_bytes = 4096;
  o.level_size_multiplier = 10;
  return o;
}

}  // namespace

TEST_CASE("pick: nothing while every level is under its target", "[ch08][pick]") {
  Tables t;
  Version::Levels levels;
  levels[0].push_back(t.make({"a", "b"}));
  levels[1].push_back(t.make({"c", "d"}));
  const Version v(levels);
  CHECK_FALSE(vkv::storage::pick_compaction(v, small_levels(), {}).has_value());
  CHECK(vkv::storage::compaction_score(v, small_levels(), 0) == Approx(0.5));
}

TEST_CASE("pick: level 0 also goes down once it holds a large share of the bytes below",
          "[ch08][pick]") {
  Tables t;
  Version::Levels levels;
  levels[0].push_back(t.make({"a", "z"}, "v", 2000));    // one table: under the count
  levels[1].push_back(t.make({"a", "m", "z"}, "v", 1000));
  const Version v(levels);
  LevelOptions o = small_levels();
  CHECK_FALSE(vkv::storage::pick_compaction(v, o, {}).has_value());
  o.l0_space_ratio = 0.5;  // level 0 holds more than half of what is below it
  CHECK(vkv::storage::compaction_score(v, o, 0) > 1.0);
  auto c = vkv::storage::pick_compaction(v, o, {});
  REQUIRE(c.has_value());
  CHECK(c->level == 0);
}

TEST_CASE("pick: a full level 0 goes down whole, newest first, with the level-1 tables it "
          "overlaps",
          "[ch08][pick]") {
  Tables t;
  Version::Levels levels;
  levels[0].push_back(t.make({"c", "f"}));  // 1, older
  levels[0].push_back(t.make({"b", "d"}));  // 2, newer
  levels[1].push_back(t.make({"a"}));       // 3: before the range
  levels[1].push_back(t.make({"d", "e"}));  // 4: inside
  levels[1].push_back(t.make({"g", "h"}));  // 5: after
  const Version v(levels);
  auto c = vkv::storage::pick_compaction(v, small_levels(), {});
  REQUIRE(c.has_value());
  CHECK(c->level == 0);
  CHECK(numbers(c->inputs) == std::vector<std::uint64_t>{2, 1});
  CHECK(numbers(c->overlapped) == std::vector<std::uint64_t>{4});
  CHECK_FALSE(c->trivial_move());
}

TEST_CASE("pick: the level furthest over its target goes first, one table at a time, in turn",
          "[ch08][pick]") {
  Tables t;
  Version::Levels levels;
  // Level 1 holds about 3 x 2 KiB over a 4 KiB target: score about 1.5.
  levels[1].push_back(t.make({"a", "b"}, "v", 1000));
  levels[1].push_back(t.make({"c", "d"}, "v", 1000));
  levels[1].push_back(t.make({"e", "f"}, "v", 1000));
  levels[2].push_back(t.make({"d"}));  // overlaps the second table only
  const Version v(levels);
  CHECK(vkv::storage::compaction_score(v, small_levels(), 1) > 1.0);
  CompactionCursors cursors;
  auto first = vkv::storage::pick_compaction(v, small_levels(), cursors);
  REQUIRE(first.has_value());
  CHECK(first->level == 1);
  CHECK(numbers(first->inputs) == std::vector<std::uint64_t>{1});
  CHECK(first->trivial_move());  // nothing below "a".."b": it just moves down
  cursors[1] = "b";
  auto second = vkv::storage::pick_compaction(v, small_levels(), cursors);
  REQUIRE(second.has_value());
  CHECK(numbers(second->inputs) == std::vector<std::uint64_t>{2});
  CHECK(numbers(second->overlapped) == std::vector<std::uint64_t>{4});
  cursors[1] = "f";  // past the last table: back to the first
  auto third = vkv::storage::pick_compaction(v, small_levels(), cursors);
  REQUIRE(third.has_value());
  CHECK(numbers(third->inputs) == std::vector<std::uint64_t>{1});
}

TEMPLATE_TEST_CASE("merge: overwritten entries go, and a tombstone stays only while a deeper "
                   "level may hold its key",
                   "[ch08][pick]", vkv::storage::NewestWinsIterator,
                   vkv::storage::NewestWinsHeap) {
  Tables t;
  Version::Levels levels;
  levels[0].push_back(t.make({"a", "b", "c"}, "old"));
  levels[0].push_back(t.make({"-a", "-c", "d"}, "new"));
  levels[2].push_back(t.make({"c"}, "deep"));  // below the output level (1)
  auto v = std::make_shared<const Version>(levels);
  auto c = vkv::storage::pick_compaction(*v, small_levels(), {});
  REQUIRE(c.has_value());
  std::vector<std::unique_ptr<vkv::storage::Iterator>> sources;
  for (const auto& in : c->inputs) {
    sources.push_back(std::make_unique<vkv::storage::Table::Iterator>(*in->file().table));
  }
  CompactionIterator it(std::make_unique<TestType>(std::move(sources)), v, 1);
  std::string seen;
  for (it.seek_to_first(); it.valid(); it.next()) {
    seen += std::string(it.key()) + "=" +
            (it.kind() == EntryKind::kValue ? std::string(it.value()) : "-") + " ";
  }
  CHECK(it.status().is_ok());
  // a's tombstone has nothing below it to hide: dropped. c's hides level 2's c: kept.
  CHECK(seen == "b=old c=- d=new ");
  CHECK(it.dropped_tombstones() == 1);
}

TEMPLATE_TEST_CASE("merge: a dead value goes as a tombstone would: dropped with nothing below, "
                   "else kept as a tombstone",
                   "[ch08][pick]", vkv::storage::NewestWinsIterator,
                   vkv::storage::NewestWinsHeap) {
  Tables t;
  Version::Levels levels;
  levels[0].push_back(t.make({"a", "b", "c"}, "live"));  // older: its c is overwritten
  levels[0].push_back(t.make({"c", "e"}, "dead"));        // newer
  levels[2].push_back(t.make({"c"}, "deep"));             // below the output level (1)
  auto v = std::make_shared<const Version>(levels);
  auto c = vkv::storage::pick_compaction(*v, small_levels(), {});
  REQUIRE(c.has_value());
  const auto merge = [&](std::function<bool(std::string_view, std::string_view)> dead_value) {
    std::vector<std::unique_ptr<vkv::storage::Iterator>> sources;
    for (const auto& in : c->inputs) {
      sources.push_back(std::make_unique<vkv::storage::Table::Iterator>(*in->file().table));
    }
    return std::make_unique<CompactionIterator>(
        std::make_unique<TestType>(std::move(sources)), v, 1,
        std::move(dead_value));
  };
  const auto entries = [](CompactionIterator& it) {
    std::string seen;
    for (it.seek_to_first(); it.valid(); it.next()) {
      seen += std::string(it.key()) + "=" +
              (it.kind() == EntryKind::kValue ? std::string(it.value())
                                              : "-" + std::string(it.value())) + " ";
    }
    CHECK(it.status().is_ok());
    return seen;
  };

  SECTION("no filter: every value lives") {
    auto it = merge({});
    CHECK(entries(*it) == "a=live b=live c=dead e=dead ");
    CHECK(it->dead_values() == 0);
  }
  SECTION("a filter: asked about the newest value of each key only") {
    std::string asked;
    auto it = merge([&](std::string_view key, std::string_view value) {
      asked += std::string(key) + "=" + std::string(value) + " ";
      return value == "dead";
    });
    // c hides level 2's c: a tombstone with an empty value. e has nothing below: dropped.
    CHECK(entries(*it) == "a=live b=live c=- ");
    CHECK(asked == "a=live b=live c=dead e=dead ");
    CHECK(it->dead_values() == 2);
    CHECK(it->dropped_tombstones() == 0);
  }
}
