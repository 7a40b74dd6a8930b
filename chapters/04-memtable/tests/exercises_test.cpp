// The checks of the page's exercises. They are hidden ([.exercise]): `make test` skips them,
// `make exercise N=4` runs them, and each fails until the learner has done its exercise.
// They use only the Memtable's public interface, so they compile before the exercise is done.
#include <catch2/catch.hpp>

#include <string>

#include "04-memtable/memtable.hpp"

using vkv::storage::EntryKind;
using vkv::storage::Memtable;

TEST_CASE("a write that changes nothing adds nothing to the memtable", "[.exercise][ch04]") {
  Memtable table;
  const std::string value(100, 'v');

  // The same value again, ten thousand times: about a megabyte of dead entries today.
  table.set("key", value);
  const std::size_t after_set = table.memory_bytes();
  for (int i = 0; i < 10000; ++i) table.set("key", value);
  CHECK(table.memory_bytes() == after_set);

  // The same for a tombstone written again.
  table.del("gone");
  const std::size_t after_del = table.memory_bytes();
  for (int i = 0; i < 10000; ++i) table.del("gone");
  CHECK(table.memory_bytes() == after_del);

  // A write that does change something still lands: a new value, a tombstone over a value,
  // and a tombstone over an empty value, which has the same (no) bytes.
  std::string got;
  table.set("key", "other");
  CHECK(table.lookup("key", &got) == EntryKind::kValue);
  CHECK(got == "other");
  table.del("key");
  CHECK(table.lookup("key", &got) == EntryKind::kTombstone);
  table.set("empty", "");
  table.del("empty");
  CHECK(table.lookup("empty", &got) == EntryKind::kTombstone);
  table.set("empty", "");
  CHECK(table.lookup("empty", &got) == EntryKind::kValue);
  CHECK(got.empty());
  CHECK(table.entry_count() == 3);
}
