// NewestWinsIterator: sources that share keys, merged in key order, the first (newest)
// source's entry winning each key.
#include <catch2/catch.hpp>

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "08-compaction/newest_wins_iterator.hpp"

using vkv::Status;
using vkv::storage::EntryKind;
using vkv::storage::Iterator;
using vkv::storage::NewestWinsIterator;

namespace {

struct Entry {
  std::string key;
  std::string value;
  EntryKind kind = EntryKind::kValue;
};

// A sorted source in a vector; fails (status) once it reaches `fail_at`, if given.
class VectorIterator final : public Iterator {
 public:
  explicit VectorIterator(std::vector<Entry> entries, std::size_t fail_at = SIZE_MAX)
      : entries_(std::move(entries)), fail_at_(fail_at) {}
  bool valid() const override { return pos_ < entries_.size() && status_.is_ok(); }
  void seek_to_first() override { move_to(0); }
  void seek(std::string_view target) override {
    std::size_t i = 0;
    while (i < entries_.size() && entries_[i].key < target) ++i;
    move_to(i);
  }
  void next() override { move_to(pos_ + 1); }
  std::string_view key() const override { return entries_[pos_].key; }
  std::string_view value() const override { return entries_[pos_].value; }
  EntryKind kind() const override { return entries_[pos_].kind; }
  Status status() const override { return status_; }

 private:
  void move_to(std::size_t i) {
    pos_ = i;
    if (pos_ >= fail_at_ && pos_ < entries_.size()) status_ = Status::corruption("bad block");
  }
  std::vector<Entry> entries_;
  std::size_t fail_at_;
  std::size_t pos_ = SIZE_MAX;
  Status status_;
};

std::unique_ptr<Iterator> source(std::vector<Entry> entries, std::size_t fail_at = SIZE_MAX) {
  return std::make_unique<VectorIterator>(std::move(entries), fail_at);
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

NewestWinsIterator three_sources() {
  std::vector<std::unique_ptr<Iterator>> s;
  s.push_back(source({{"b", "new"}, {"d", "", EntryKind::kTombstone}}));  // newest
  s.push_back(source({{"a", "mid"}, {"b", "mid"}, {"e", "mid"}}));
  s.push_back(source({{"a", "old"}, {"c", "old"}, {"d", "old"}, {"e", "old"}}));  // oldest
  return NewestWinsIterator(std::move(s));
}

}  // namespace

TEST_CASE("newest wins: each key once, from the first source that has it", "[ch08][merge]") {
  NewestWinsIterator it = three_sources();
  it.seek_to_first();
  CHECK(walk(it) == "a=mid b=new c=old d=- e=mid ");
  CHECK(it.status().is_ok());
}

TEST_CASE("newest wins: seek lands on the first key at or after the target", "[ch08][merge]") {
  NewestWinsIterator it = three_sources();
  it.seek("bb");
  CHECK(walk(it) == "c=old d=- e=mid ");
  it.seek("d");
  CHECK(walk(it) == "d=- e=mid ");
  it.seek("z");
  CHECK_FALSE(it.valid());
}

TEST_CASE("newest wins: no sources, and empty sources, yield nothing", "[ch08][merge]") {
  NewestWinsIterator none({});
  none.seek_to_first();
  CHECK_FALSE(none.valid());
  std::vector<std::unique_ptr<Iterator>> s;
  s.push_back(source({}));
  s.push_back(source({{"k", "v"}}));
  s.push_back(source({}));
  NewestWinsIterator it(std::move(s));
  it.seek_to_first();
  CHECK(walk(it) == "k=v ");
}

TEST_CASE("newest wins: a damaged source stops the merge with its error", "[ch08][merge]") {
  std::vector<std::unique_ptr<Iterator>> s;
  s.push_back(source({{"a", "1"}, {"c", "1"}, {"e", "1"}}));
  s.push_back(source({{"b", "2"}, {"d", "2"}, {"f", "2"}}, /*fail_at=*/2));
  NewestWinsIterator it(std::move(s));
  it.seek_to_first();
  // It yields what comes before the damage, then stops rather than skip the damaged entries.
  const std::string seen = walk(it);
  CHECK(seen == "a=1 b=2 c=1 d=2 ");
  CHECK(it.status().is_corruption());
}
