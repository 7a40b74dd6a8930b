// NewestWinsIterator and NewestWinsHeap: sources that share keys, merged in key order, the
// first (newest) source's entry winning each key. Every case runs against both; the last
// compares them on random sources.
#include <catch2/catch.hpp>

#include <memory>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "08-compaction/newest_wins_heap.hpp"
#include "08-compaction/newest_wins_iterator.hpp"

using vkv::Status;
using vkv::storage::EntryKind;
using vkv::storage::Iterator;
using vkv::storage::NewestWinsHeap;
using vkv::storage::NewestWinsIterator;

namespace {

struct Entry {
  std::string key;
  std::string value;
  EntryKind kind = EntryKind::kValue;
};

// A sorted source in a vector; fails (status) once it reaches `fail_at`, if given, and with
// `heals`, forgets the failure at the next seek (as a LevelIterator does, reopening a table).
// Like a table's iterator, it keeps its current key in one buffer that each move rewrites, so
// a merge that held on to a key's view past a move would see the next key instead.
class VectorIterator final : public Iterator {
 public:
  explicit VectorIterator(std::vector<Entry> entries, std::size_t fail_at = SIZE_MAX,
                          bool heals = false)
      : entries_(std::move(entries)), fail_at_(fail_at), heals_(heals) {}
  bool valid() const override { return pos_ < entries_.size() && status_.is_ok(); }
  void seek_to_first() override {
    if (heals_) status_ = Status::ok();
    move_to(0);
  }
  void seek(std::string_view target) override {
    if (heals_) status_ = Status::ok();
    std::size_t i = 0;
    while (i < entries_.size() && entries_[i].key < target) ++i;
    move_to(i);
  }
  void next() override { move_to(pos_ + 1); }
  std::string_view key() const override { return key_; }
  std::string_view value() const override { return entries_[pos_].value; }
  EntryKind kind() const override { return entries_[pos_].kind; }
  Status status() const override { return status_; }

 private:
  void move_to(std::size_t i) {
    pos_ = i;
    if (pos_ >= fail_at_ && pos_ < entries_.size()) status_ = Status::corruption("bad block");
    key_.assign(pos_ < entries_.size() ? entries_[pos_].key : "");
  }
  std::vector<Entry> entries_;
  std::size_t fail_at_;
  bool heals_;
  std::size_t pos_ = SIZE_MAX;
  std::string key_;  // the current key, rewritten in place at each move
  Status status_;
};

std::unique_ptr<Iterator> source(std::vector<Entry> entries, std::size_t fail_at = SIZE_MAX,
                                 bool heals = false) {
  return std::make_unique<VectorIterator>(std::move(entries), fail_at, heals);
}

// key=value (or key=- for a tombstone), in order.
std::string walk(Iterator& it) {
  std::string out;
  for (; it.valid(); it.next()) {
    out += std::string(it.key()) + "=" +
           (it.kind() == EntryKind::kValue ? std::string(it.value()) : "-") + " ";
  }
  return out;
}

template <typename Merge>
Merge three_sources() {
  std::vector<std::unique_ptr<Iterator>> s;
  s.push_back(source({{"b", "new"}, {"d", "", EntryKind::kTombstone}}));  // newest
  s.push_back(source({{"a", "mid"}, {"b", "mid"}, {"e", "mid"}}));
  s.push_back(source({{"a", "old"}, {"c", "old"}, {"d", "old"}, {"e", "old"}}));  // oldest
  return Merge(std::move(s));
}

}  // namespace

TEMPLATE_TEST_CASE("newest wins: each key once, from the first source that has it",
                   "[ch08][merge]", NewestWinsIterator, NewestWinsHeap) {
  TestType it = three_sources<TestType>();
  it.seek_to_first();
  CHECK(walk(it) == "a=mid b=new c=old d=- e=mid ");
  CHECK(it.status().is_ok());
}

TEMPLATE_TEST_CASE("newest wins: seek lands on the first key at or after the target",
                   "[ch08][merge]", NewestWinsIterator, NewestWinsHeap) {
  TestType it = three_sources<TestType>();
  it.seek("bb");
  CHECK(walk(it) == "c=old d=- e=mid ");
  it.seek("d");
  CHECK(walk(it) == "d=- e=mid ");
  it.seek("z");
  CHECK_FALSE(it.valid());
}

TEMPLATE_TEST_CASE("newest wins: no sources, and empty sources, yield nothing", "[ch08][merge]",
                   NewestWinsIterator, NewestWinsHeap) {
  TestType none({});
  none.seek_to_first();
  CHECK_FALSE(none.valid());
  std::vector<std::unique_ptr<Iterator>> s;
  s.push_back(source({}));
  s.push_back(source({{"k", "v"}}));
  s.push_back(source({}));
  TestType it(std::move(s));
  it.seek_to_first();
  CHECK(walk(it) == "k=v ");
}

TEMPLATE_TEST_CASE("newest wins: a damaged source stops the merge with its error",
                   "[ch08][merge]", NewestWinsIterator, NewestWinsHeap) {
  std::vector<std::unique_ptr<Iterator>> s;
  s.push_back(source({{"a", "1"}, {"c", "1"}, {"e", "1"}}));
  s.push_back(source({{"b", "2"}, {"d", "2"}, {"f", "2"}}, /*fail_at=*/2));
  TestType it(std::move(s));
  it.seek_to_first();
  // It yields what comes before the damage, then stops rather than skip the damaged entries.
  const std::string seen = walk(it);
  CHECK(seen == "a=1 b=2 c=1 d=2 ");
  CHECK(it.status().is_corruption());
}

TEMPLATE_TEST_CASE("newest wins: sources failing at the same step all move, as one merge",
                   "[ch08][merge]", NewestWinsIterator, NewestWinsHeap) {
  // Both sources are at "a" and fail on their next move; only the first heals at a seek.
  std::vector<std::unique_ptr<Iterator>> s;
  s.push_back(source({{"a", "1"}, {"b", "1"}}, /*fail_at=*/1, /*heals=*/true));
  s.push_back(source({{"a", "2"}, {"c", "2"}}, /*fail_at=*/1, /*heals=*/false));
  TestType it(std::move(s));
  it.seek_to_first();
  CHECK(walk(it) == "a=1 ");
  CHECK(it.status().is_corruption());
  // The second source failed too, in the same step, and a seek does not heal it.
  it.seek("a");
  CHECK_FALSE(it.valid());
  CHECK(it.status().is_corruption());
}

namespace {

// `count` sorted sources over keys k00..k59, each holding about a third of them, values naming
// the source, about one entry in five a tombstone.
std::vector<std::vector<Entry>> random_sources(std::mt19937& rng, std::size_t count) {
  std::vector<std::vector<Entry>> sources(count);
  for (std::size_t s = 0; s < count; ++s) {
    for (int k = 0; k < 60; ++k) {
      if (rng() % 3 != 0) continue;
      std::string key = "k" + std::to_string(k / 10) + std::to_string(k % 10);
      if (rng() % 5 == 0) {
        sources[s].push_back({key, "", EntryKind::kTombstone});
      } else {
        sources[s].push_back({key, "s" + std::to_string(s)});
      }
    }
  }
  return sources;
}

// Where each source fails (SIZE_MAX: never) and whether a seek heals it.
struct Damage {
  std::vector<std::size_t> fail_at;
  std::vector<bool> heals;
};

// About one source in six fails, at one of its first 16 entries; half of those heal.
Damage random_damage(std::mt19937& rng, std::size_t count) {
  Damage d;
  for (std::size_t s = 0; s < count; ++s) {
    d.fail_at.push_back(rng() % 6 == 0 ? rng() % 16 : SIZE_MAX);
    d.heals.push_back(rng() % 2 == 0);
  }
  return d;
}

template <typename Merge>
Merge merge_of(const std::vector<std::vector<Entry>>& sources, const Damage& damage) {
  std::vector<std::unique_ptr<Iterator>> s;
  for (std::size_t i = 0; i < sources.size(); ++i) {
    s.push_back(source(sources[i], damage.fail_at[i], damage.heals[i]));
  }
  return Merge(std::move(s));
}

}  // namespace

TEST_CASE("newest wins: the heap yields what the linear merge yields, on random sources",
          "[ch08][merge]") {
  std::mt19937 rng(8);
  for (int round = 0; round < 300; ++round) {
    const std::size_t count = 1 + rng() % 24;
    const auto sources = random_sources(rng, count);
    const Damage damage = random_damage(rng, count);
    auto linear = merge_of<NewestWinsIterator>(sources, damage);
    auto heap = merge_of<NewestWinsHeap>(sources, damage);
    linear.seek_to_first();
    heap.seek_to_first();
    INFO("round " << round << ", " << count << " sources");
    REQUIRE(walk(heap) == walk(linear));
    REQUIRE(heap.status().code() == linear.status().code());
    // Seeks after the walk (and after any failure in it) land alike too.
    for (int seek = 0; seek < 3; ++seek) {
      const std::string target = "k" + std::to_string(rng() % 6) + std::to_string(rng() % 10);
      linear.seek(target);
      heap.seek(target);
      INFO("seek to " << target);
      REQUIRE(walk(heap) == walk(linear));
      REQUIRE(heap.status().code() == linear.status().code());
    }
  }
}
