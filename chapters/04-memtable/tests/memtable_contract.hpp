/// \file
/// The memtable shard contract: one test suite that every MemtableShard runs, through a
/// Memtable made of it and through one shard's own iterator.
///
/// Usage, in an implementation's test file:
///
///     VKV_MEMTABLE_CONTRACT_TESTS("SkiplistShard", "[ch04]", make_skiplist_shard)
///
/// where the last argument is a vkv::storage::MemtableShardFactory.
///
/// Catch2's assertions are not thread-safe, so the threads of the concurrency cases only
/// count and describe failures; the test thread asserts after joining them.
#pragma once

#include <catch2/catch.hpp>

#include <malloc.h>

#include <atomic>
#include <charconv>
#include <cstdio>
#include <iterator>
#include <latch>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "04-memtable/arena.hpp"
#include "04-memtable/memtable.hpp"

namespace vkv::testing::memtable_contract {

using storage::EntryKind;
using storage::Iterator;
using storage::Memtable;
using storage::MemtableShardFactory;

/// What the model holds for a key: a value, or nullopt for a tombstone.
using Model = std::map<std::string, std::optional<std::string>>;

inline std::string random_bytes(std::mt19937& rng, std::size_t min_len, std::size_t max_len) {
  std::string s(min_len + rng() % (max_len - min_len + 1), '\0');
  for (char& c : s) c = static_cast<char>(rng() % 256);
  return s;
}

/// Keys from a small space, so that sets and dels often hit a key already there; some share
/// long prefixes and some hold bytes >= 0x80, where signed and unsigned order differ.
inline std::string random_key(std::mt19937& rng) {
  switch (rng() % 3) {
    case 0:
      return "k" + std::to_string(rng() % 300);
    case 1:
      return std::string(1 + rng() % 3, static_cast<char>(rng() % 256));
    default:
      return "prefix/" + random_bytes(rng, 0, 2);
  }
}

/// The iterator's entry as the model spells it.
inline std::optional<std::string> entry_of(const Iterator& it) {
  if (it.kind() == EntryKind::kTombstone) return std::nullopt;
  return std::string(it.value());
}

/// Every entry from `it`'s current one on, as a model; fails unless strictly ascending.
inline Model walk(Iterator& it) {
  Model seen;
  std::string previous;
  bool first = true;
  for (; it.valid(); it.next()) {
    const std::string key(it.key());
    if (!first) REQUIRE(previous < key);  // strictly ascending: sorted, and no duplicates
    first = false;
    previous = key;
    if (it.kind() == EntryKind::kTombstone) REQUIRE(it.value().empty());
    seen[key] = entry_of(it);
  }
  REQUIRE(it.status().is_ok());
  return seen;
}

/// Every entry of the table, as a model.
inline Model scan_all(const Memtable& table) {
  auto it = table.new_iterator();
  it->seek_to_first();
  return walk(*it);
}

inline void check_lookup_matches(const Memtable& table, const Model& model,
                                 const std::string& key) {
  std::string value = "untouched";
  const std::optional<EntryKind> found = table.lookup(key, &value);
  auto it = model.find(key);
  if (it == model.end()) {
    REQUIRE_FALSE(found.has_value());
    REQUIRE(value == "untouched");
  } else if (!it->second) {
    REQUIRE(found == EntryKind::kTombstone);
    REQUIRE(value == "untouched");
  } else {
    REQUIRE(found == EntryKind::kValue);
    REQUIRE(value == *it->second);
  }
}

/// A random SET (a value of up to max_value bytes) or, one time in del_one_in, a DEL of a
/// random key, applied to the table and to the model alike.
inline void random_write(Memtable& table, Model& model, std::mt19937& rng, unsigned del_one_in,
                         std::size_t max_value) {
  const std::string key = random_key(rng);
  if (rng() % del_one_in == 0) {
    table.del(key);
    model[key] = std::nullopt;
  } else {
    const std::string value = random_bytes(rng, 0, max_value);
    table.set(key, value);
    model[key] = value;
  }
}

/// Seeks `it` to `target` and checks it lands where std::map::lower_bound does, then that
/// the next few steps agree with the model too.
inline void check_seek(Iterator& it, const Model& model, const std::string& target) {
  CAPTURE(target);
  it.seek(target);
  auto expected = model.lower_bound(target);
  for (int step = 0; step < 4; ++step, ++expected) {
    if (expected == model.end()) {
      REQUIRE_FALSE(it.valid());
      return;
    }
    REQUIRE(it.valid());
    REQUIRE(it.key() == expected->first);
    REQUIRE(entry_of(it) == expected->second);
    it.next();
  }
}

inline void set_overwrite_and_lookup(const MemtableShardFactory& make_shard) {
  Memtable table(Memtable::kDefaultShards, make_shard);
  std::string value;
  CHECK_FALSE(table.lookup("a", &value).has_value());
  table.set("a", "1");
  REQUIRE(table.lookup("a", &value) == EntryKind::kValue);
  CHECK(value == "1");
  table.set("a", "a much longer second value");
  REQUIRE(table.lookup("a", &value) == EntryKind::kValue);
  CHECK(value == "a much longer second value");
  table.set("a", "");
  REQUIRE(table.lookup("a", &value) == EntryKind::kValue);
  CHECK(value.empty());
  CHECK(table.entry_count() == 1);
}

inline void tombstones(const MemtableShardFactory& make_shard) {
  Memtable table(Memtable::kDefaultShards, make_shard);
  std::string value = "untouched";
  table.set("gone", "v");
  table.del("gone");
  CHECK(table.lookup("gone", &value) == EntryKind::kTombstone);
  CHECK(value == "untouched");

  table.del("never-set");  // still a tombstone: it must hide values of the key on disk
  CHECK(table.lookup("never-set", &value) == EntryKind::kTombstone);
  table.del("never-set");  // twice: still one entry, still a tombstone
  CHECK(table.entry_count() == 2);

  auto it = table.new_iterator();
  it->seek_to_first();
  REQUIRE(it->valid());
  CHECK(it->key() == "gone");
  CHECK(it->kind() == EntryKind::kTombstone);
  CHECK(it->value().empty());
  it->next();
  REQUIRE(it->valid());
  CHECK(it->key() == "never-set");
  CHECK(it->kind() == EntryKind::kTombstone);
  it->next();
  CHECK_FALSE(it->valid());

  table.set("gone", "back");
  REQUIRE(table.lookup("gone", &value) == EntryKind::kValue);
  CHECK(value == "back");
  CHECK(table.entry_count() == 2);
}

inline void empty_iterates_nothing(const MemtableShardFactory& make_shard) {
  Memtable table(Memtable::kDefaultShards, make_shard);
  auto it = table.new_iterator();
  CHECK_FALSE(it->valid());  // positioned nowhere until told
  it->seek_to_first();
  CHECK_FALSE(it->valid());
  it->seek("a");
  CHECK_FALSE(it->valid());
  CHECK(it->status().is_ok());
  CHECK(table.entry_count() == 0);
}

inline void matches_a_map_model(const MemtableShardFactory& make_shard) {
  for (const std::size_t shards : {1, 3, 16, 64}) {
    CAPTURE(shards);
    Memtable table(shards, make_shard);
    Model model;
    std::mt19937 rng(static_cast<unsigned>(shards));
    for (int i = 0; i < 20000; ++i) {
      random_write(table, model, rng, 4, 64);
      if (i % 7 == 0) check_lookup_matches(table, model, random_key(rng));
    }
    REQUIRE(scan_all(table) == model);
    REQUIRE(table.entry_count() == model.size());
    for (const auto& [key, value] : model) check_lookup_matches(table, model, key);
  }
}

inline void iterations_between_writes(const MemtableShardFactory& make_shard) {
  // Every iteration finds some keys there at the last one and some new, in every shard, with
  // overwrites and dels in between.
  for (const std::size_t shards : {1, 16}) {
    CAPTURE(shards);
    Memtable table(shards, make_shard);
    Model model;
    std::mt19937 rng(static_cast<unsigned>(shards) + 7);
    for (int round = 0; round < 40; ++round) {
      const int writes = 1 + static_cast<int>(rng() % 400);
      for (int i = 0; i < writes; ++i) random_write(table, model, rng, 5, 16);
      CAPTURE(round);
      REQUIRE(scan_all(table) == model);
      REQUIRE(scan_all(table) == model);  // again, with nothing new
    }
  }
}

inline void unsigned_byte_order(const MemtableShardFactory& make_shard) {
  Memtable table(4, make_shard);
  const std::vector<std::string> sorted = {
      std::string(),  std::string("\0", 1), std::string("\0\0", 2), "a", "ab", "b",
      "\x7f",         "\x80",               "\xff",                  "\xff\xff"};
  for (auto it = sorted.rbegin(); it != sorted.rend(); ++it) table.set(*it, "v");
  std::vector<std::string> scanned;
  auto it = table.new_iterator();
  for (it->seek_to_first(); it->valid(); it->next()) scanned.emplace_back(it->key());
  CHECK(scanned == sorted);
}

inline void long_shared_prefixes(const MemtableShardFactory& make_shard) {
  // Keys that differ in a later word, in a high byte (signed as a char, unsigned as a byte),
  // or only in length, or in a tail shorter than a word, still come out in std::string's
  // order, however a shard compares them.
  std::mt19937 rng(7);
  const std::string prefix = "user:0000000000:";  // two whole words alike
  Memtable table(2, make_shard);
  Model model;
  for (int i = 0; i < 3000; ++i) {
    std::string key = prefix.substr(0, rng() % (prefix.size() + 1));
    const std::size_t tail = rng() % 20;
    for (std::size_t j = 0; j < tail; ++j) {
      key += static_cast<char>(rng() % 4 == 0 ? 0x80 + rng() % 128 : 'a' + rng() % 3);
    }
    table.set(key, "v");
    model[key] = "v";
  }
  CHECK(scan_all(table) == model);
}

inline void seek_is_lower_bound(const MemtableShardFactory& make_shard) {
  // Seeks between rounds of writes, so that each finds keys written since the last one.
  for (const std::size_t shards : {1, 3, 16}) {
    CAPTURE(shards);
    Memtable table(shards, make_shard);
    Model model;
    std::mt19937 rng(static_cast<unsigned>(shards) + 11);
    auto it = table.new_iterator();
    for (int round = 0; round < 20; ++round) {
      for (int i = 0; i < 300; ++i) random_write(table, model, rng, 5, 16);
      CAPTURE(round);
      for (int i = 0; i < 50; ++i) check_seek(*it, model, random_key(rng));
      check_seek(*it, model, "");                     // before every key: the first
      check_seek(*it, model, model.begin()->first);  // exactly a key
      check_seek(*it, model, model.rbegin()->first + '\0');  // past the last: nothing
      check_seek(*table.new_iterator(), model, random_key(rng));  // a fresh iterator too
    }
  }
}

inline void shard_iterator_seeks(const MemtableShardFactory& make_shard) {
  // One shard alone, through its own iterator: the Memtable's merge is not what sorts.
  auto shard = make_shard(0);
  Model model;
  std::mt19937 rng(5);
  auto it = shard->new_iterator();
  it->seek_to_first();
  CHECK_FALSE(it->valid());
  for (int round = 0; round < 10; ++round) {
    for (int i = 0; i < 500; ++i) {
      const std::string key = random_key(rng);
      if (rng() % 5 == 0) {
        shard->write(key, EntryKind::kTombstone, {});
        model[key] = std::nullopt;
      } else {
        const std::string value = random_bytes(rng, 0, 20);
        shard->write(key, EntryKind::kValue, value);
        model[key] = value;
      }
    }
    CAPTURE(round);
    it->seek_to_first();
    REQUIRE(walk(*it) == model);
    REQUIRE(shard->entry_count() == model.size());
    for (int i = 0; i < 50; ++i) check_seek(*it, model, random_key(rng));
    const std::string middle = std::next(model.begin(), model.size() / 2)->first;
    it->seek(middle);
    REQUIRE(walk(*it) == Model(model.lower_bound(middle), model.end()));
  }
}

inline void large_values(const MemtableShardFactory& make_shard) {
  Memtable table(Memtable::kDefaultShards, make_shard);
  const std::string big(3 * storage::Arena::kMaxBlockSize + 17, 'x');
  table.set("big", big);
  table.set("small", "s");
  std::string value;
  REQUIRE(table.lookup("big", &value) == EntryKind::kValue);
  CHECK(value == big);
  REQUIRE(table.lookup("small", &value) == EntryKind::kValue);
  CHECK(value == "s");
  CHECK(table.memory_bytes() >= big.size());
}

inline void iterated_value_outlives_overwrite(const MemtableShardFactory& make_shard) {
  Memtable table(Memtable::kDefaultShards, make_shard);
  table.set("k", "first");
  auto it = table.new_iterator();
  it->seek_to_first();
  REQUIRE(it->valid());
  const std::string_view first = it->value();
  table.set("k", "second");
  table.del("k");
  CHECK(first == "first");  // the old entry is still in the arena, unchanged
  CHECK(it->value() == "first");  // and the iterator still agrees with itself
  CHECK(it->kind() == EntryKind::kValue);
}

inline void memory_counts_dead_bytes(const MemtableShardFactory& make_shard) {
  Memtable table(Memtable::kDefaultShards, make_shard);
  const std::size_t empty = table.memory_bytes();
  const std::string value(100, 'v');
  char key[32];
  for (int i = 0; i < 10000; ++i) {
    std::snprintf(key, sizeof key, "key%013d", i);
    table.set(key, value);
  }
  const std::size_t filled = table.memory_bytes();
  CHECK(filled - empty >= 10000 * (16 + 100));
  constexpr int kRounds = 4;
  for (int round = 0; round < kRounds; ++round) {
    for (int i = 0; i < 10000; ++i) {
      std::snprintf(key, sizeof key, "key%013d", i);
      table.set(key, value);  // same size: the old entry is left behind as dead bytes
    }
  }
  // Blocks count in full when allocated, so the first overwrites may fill the unused tails
  // of blocks already counted: at most one largest block per shard.
  const std::size_t tails = table.shard_count() * storage::Arena::kMaxBlockSize;
  CHECK(table.memory_bytes() - filled >= kRounds * 10000 * 100 - tails);
  CHECK(table.entry_count() == 10000);
}

/// Bytes the allocator has handed out and not had back: from its heaps, and mmapped directly.
inline std::size_t heap_in_use() {
  const struct mallinfo2 info = mallinfo2();
  return info.uordblks + info.hblkhd;
}

/// Fills a memtable with `count` entries of 16-byte keys and `value_size`-byte values (each
/// key written `writes` times), and checks its own figure against the allocator's.
inline void check_memory_figure(const MemtableShardFactory& make_shard, int count,
                                std::size_t value_size, int writes) {
  const std::string value(value_size, 'v');
  const std::size_t before = heap_in_use();
  std::size_t reported = 0;
  std::size_t real = 0;
  {
    auto table = std::make_unique<Memtable>(Memtable::kDefaultShards, make_shard);
    char key[32];
    for (int w = 0; w < writes; ++w) {
      for (int i = 0; i < count; ++i) {
        std::snprintf(key, sizeof key, "key%013d", i);
        table->set(key, value);
      }
    }
    reported = table->memory_bytes();
    real = heap_in_use() - before;
  }
  CAPTURE(count, value_size, writes, reported, real);
  CHECK(static_cast<double>(reported) >= 0.9 * static_cast<double>(real));
  CHECK(static_cast<double>(reported) <= 1.1 * static_cast<double>(real));
}

inline void memory_figure_is_honest(const MemtableShardFactory& make_shard) {
  // Sanitizers replace malloc with their own allocator, which glibc's mallinfo2() cannot
  // see, so there is nothing to compare against in those builds.
#if !defined(__SANITIZE_ADDRESS__) && !defined(__SANITIZE_THREAD__)
  check_memory_figure(make_shard, 100000, 100, 1);
  check_memory_figure(make_shard, 150000, 10, 1);
  check_memory_figure(make_shard, 100000, 100, 3);  // each key written three times
  check_memory_figure(make_shard, 1000, 40 * 1024, 1);  // each value its own heap block
  check_memory_figure(make_shard, 200, 200 * 1024, 1);  // each value its own mmapped block
#else
  (void)make_shard;
  SUCCEED("skipped: the sanitizer's allocator is invisible to mallinfo2()");
#endif
}

// ---- Many threads at once ----

constexpr int kWriters = 6;
constexpr int kReaders = 4;
constexpr int kKeys = 32;  // few keys, so every key sees every writer
constexpr int kWritesPerWriter = 20000;

inline std::string key_name(int k) { return "key-" + std::to_string(k); }

/// A value that names its writer, its sequence number and its key, followed by padding whose
/// length and byte depend on the sequence number: a torn read (half of one value, half of
/// another) fails to parse or to match.
inline std::string make_value(int writer, int seq, const std::string& key) {
  std::string v = std::to_string(writer) + " " + std::to_string(seq) + " " + key + " ";
  v.append(static_cast<std::size_t>(seq % 97), static_cast<char>('a' + seq % 26));
  return v;
}

struct ParsedValue {
  int writer = -1;
  int seq = -1;
};

/// Parses and checks a value made by make_value for `key`; writer stays -1 if malformed.
inline ParsedValue parse_value(std::string_view v, std::string_view key) {
  ParsedValue p;
  int writer = 0;
  int seq = 0;
  auto [after_writer, e1] = std::from_chars(v.data(), v.data() + v.size(), writer);
  if (e1 != std::errc() || after_writer == v.data() + v.size() || *after_writer != ' ') return p;
  auto [after_seq, e2] = std::from_chars(after_writer + 1, v.data() + v.size(), seq);
  if (e2 != std::errc()) return p;
  if (v != make_value(writer, seq, std::string(key))) return p;
  p.writer = writer;
  p.seq = seq;
  return p;
}

/// Counts failures from any thread and keeps the first description.
class FailureLog {
 public:
  void add(std::string what) {
    std::lock_guard lock(mu_);
    if (count_++ == 0) first_ = std::move(what);
  }
  int count() {
    std::lock_guard lock(mu_);
    return count_;
  }
  std::string first() {
    std::lock_guard lock(mu_);
    return first_;
  }

 private:
  std::mutex mu_;
  int count_ = 0;
  std::string first_;
};

/// What writer w did last to each key: the seq of its last set, or -1 for a del (-2: nothing).
using LastWrites = std::vector<std::vector<int>>;

inline void run_writer(Memtable& table, int w, std::latch& start, LastWrites& last) {
  std::mt19937 rng(static_cast<unsigned>(w) + 1);
  start.arrive_and_wait();
  for (int seq = 0; seq < kWritesPerWriter; ++seq) {
    const int k = static_cast<int>(rng() % kKeys);
    const std::string key = key_name(k);
    if (rng() % 8 == 0) {
      table.del(key);
      last[w][k] = -1;
    } else {
      table.set(key, make_value(w, seq, key));
      last[w][k] = seq;
    }
  }
}

/// Looks keys up until the writers are done. Each value must be whole, and for each key the
/// sequence numbers seen from one writer must never go back: its writes appear in its order.
inline void run_reader(const Memtable& table, int r, std::latch& start,
                       const std::atomic<bool>& writers_done, FailureLog& failures,
                       std::atomic<long>& values_checked) {
  std::mt19937 rng(static_cast<unsigned>(r) + 100);
  std::vector<std::vector<int>> latest_seen(kKeys, std::vector<int>(kWriters, -1));
  std::string value;
  start.arrive_and_wait();
  do {
    for (int i = 0; i < 1000; ++i) {
      const int k = static_cast<int>(rng() % kKeys);
      const std::string key = key_name(k);
      if (table.lookup(key, &value) != EntryKind::kValue) continue;
      values_checked.fetch_add(1, std::memory_order_relaxed);
      const ParsedValue p = parse_value(value, key);
      if (p.writer < 0 || p.writer >= kWriters) {
        failures.add("torn or foreign value for " + key + ": " + value);
        continue;
      }
      int& latest = latest_seen[k][p.writer];
      if (p.seq < latest) {
        failures.add(key + ": writer " + std::to_string(p.writer) + "'s seq went back from " +
                     std::to_string(latest) + " to " + std::to_string(p.seq));
      }
      latest = p.seq;
    }
  } while (!writers_done.load(std::memory_order_acquire));
}

/// Walks `it` from where it is: keys strictly ascending, each value whole. Returns the count.
inline std::size_t check_walk(Iterator& it, FailureLog& failures) {
  std::string previous;
  bool first = true;
  std::size_t walked = 0;
  for (; it.valid(); it.next(), ++walked) {
    if (!first && !(previous < it.key())) failures.add("iteration out of order at " + previous);
    first = false;
    previous = std::string(it.key());
    if (it.kind() == EntryKind::kValue && parse_value(it.value(), it.key()).writer < 0) {
      failures.add("torn value in an iteration for " + previous);
    }
  }
  return walked;
}

/// Iterates the whole table, and from a seek, while writers run: keys strictly ascending,
/// each value whole, and every key there when the iteration began in it (keys are never
/// removed: a DEL leaves a tombstone, which an iterator yields too).
inline void run_scanner(const Memtable& table, int s, std::latch& start,
                        const std::atomic<bool>& writers_done, FailureLog& failures) {
  std::mt19937 rng(static_cast<unsigned>(s) + 200);
  start.arrive_and_wait();
  do {
    const std::size_t there_before = table.entry_count();
    auto it = table.new_iterator();
    it->seek_to_first();
    const std::size_t scanned = check_walk(*it, failures);
    if (scanned < there_before) {
      failures.add("an iteration yielded " + std::to_string(scanned) + " keys of the " +
                   std::to_string(there_before) + " there when it began");
    }
    const std::string target = key_name(static_cast<int>(rng() % kKeys));
    it->seek(target);
    if (it->valid() && it->key() < target) failures.add("seek landed before " + target);
    check_walk(*it, failures);
  } while (!writers_done.load(std::memory_order_acquire));
}

inline void many_threads_at_once(const MemtableShardFactory& make_shard) {
  Memtable table(4, make_shard);  // few shards, so that threads meet on the same shard
  LastWrites last(kWriters, std::vector<int>(kKeys, -2));
  FailureLog failures;
  std::atomic<bool> writers_done{false};
  std::atomic<long> values_checked{0};
  std::latch start(kWriters + kReaders + 2);

  std::vector<std::thread> readers;
  for (int r = 0; r < kReaders; ++r) {
    readers.emplace_back(run_reader, std::cref(table), r, std::ref(start),
                         std::cref(writers_done), std::ref(failures), std::ref(values_checked));
  }
  // Two scanners, so that two iterations position themselves in the same shards at once.
  std::vector<std::thread> scanners;
  for (int s = 0; s < 2; ++s) {
    scanners.emplace_back(run_scanner, std::cref(table), s, std::ref(start),
                          std::cref(writers_done), std::ref(failures));
  }
  std::vector<std::thread> writers;
  for (int w = 0; w < kWriters; ++w) {
    writers.emplace_back(run_writer, std::ref(table), w, std::ref(start), std::ref(last));
  }
  for (auto& t : writers) t.join();
  writers_done.store(true, std::memory_order_release);
  for (auto& t : readers) t.join();
  for (auto& t : scanners) t.join();

  INFO(failures.first());
  REQUIRE(failures.count() == 0);
  REQUIRE(values_checked.load() > 0);  // the readers did check values

  // Each key's final state must be some writer's last write to it.
  REQUIRE(table.entry_count() == kKeys);
  for (int k = 0; k < kKeys; ++k) {
    const std::string key = key_name(k);
    std::string value;
    const std::optional<EntryKind> found = table.lookup(key, &value);
    bool explained = false;
    for (int w = 0; w < kWriters; ++w) {
      if (found == EntryKind::kTombstone && last[w][k] == -1) explained = true;
      if (found == EntryKind::kValue && last[w][k] >= 0 &&
          value == make_value(w, last[w][k], key)) {
        explained = true;
      }
    }
    CAPTURE(key, value);
    CHECK(explained);
  }
}

inline void disjoint_writers_lose_nothing(const MemtableShardFactory& make_shard) {
  constexpr int kThreads = 8;
  constexpr int kPerThread = 5000;
  Memtable table(Memtable::kDefaultShards, make_shard);
  std::latch start(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&table, &start, t] {
      start.arrive_and_wait();
      for (int i = 0; i < kPerThread; ++i) {
        table.set("t" + std::to_string(t) + "-" + std::to_string(i), std::to_string(i));
      }
    });
  }
  for (auto& th : threads) th.join();

  REQUIRE(table.entry_count() == kThreads * kPerThread);
  std::size_t scanned = 0;
  auto it = table.new_iterator();
  for (it->seek_to_first(); it->valid(); it->next()) ++scanned;
  CHECK(scanned == kThreads * kPerThread);
  std::string value;
  for (int t = 0; t < kThreads; ++t) {
    for (int i = 0; i < kPerThread; i += 97) {
      REQUIRE(table.lookup("t" + std::to_string(t) + "-" + std::to_string(i), &value) ==
              EntryKind::kValue);
      CHECK(value == std::to_string(i));
    }
  }
}

// prefetch() is a hint: after a batch of keys (present, deleted, absent, and more than a
// batch) every lookup answers as before, and the memory figure has not moved.
inline void prefetch_changes_nothing(const MemtableShardFactory& make_shard) {
  Memtable table(4, make_shard);
  for (int i = 0; i < 1000; ++i) table.set(key_name(i), "v" + std::to_string(i));
  for (int i = 0; i < 1000; i += 7) table.del(key_name(i));
  std::vector<std::string> names;
  for (int i = 0; i < 40; ++i) names.push_back(key_name(i * 3));
  names.push_back("absent");
  names.push_back("");
  const std::vector<std::string_view> keys(names.begin(), names.end());
  const std::size_t bytes = table.memory_bytes();
  table.prefetch(keys);
  table.prefetch({});
  CHECK(table.memory_bytes() == bytes);
  CHECK(table.entry_count() == 1000);
  for (int i = 0; i < 1000; ++i) {
    std::string value;
    const std::optional<EntryKind> found = table.lookup(key_name(i), &value);
    CAPTURE(i);
    if (i % 7 == 0) {
      CHECK(found == EntryKind::kTombstone);
    } else {
      REQUIRE(found == EntryKind::kValue);
      CHECK(value == "v" + std::to_string(i));
    }
  }
  std::string value;
  CHECK_FALSE(table.lookup("absent", &value));
}

}  // namespace vkv::testing::memtable_contract

#define VKV_MEMTABLE_CASE_(NAME, TAG, FACTORY, TITLE, FN)                          \
  TEST_CASE(NAME ": " TITLE, TAG "[memtable-contract]") {                          \
    ::vkv::testing::memtable_contract::FN(::vkv::storage::MemtableShardFactory(FACTORY)); \
  }

/// Defines the memtable shard contract's test cases for one MemtableShard. NAME names it in
/// the test titles, TAG is the chapter's tag ("[ch04]"), FACTORY a MemtableShardFactory.
#define VKV_MEMTABLE_CONTRACT_TESTS(NAME, TAG, FACTORY)                                         \
  VKV_MEMTABLE_CASE_(NAME, TAG, FACTORY, "set, overwrite and lookup", set_overwrite_and_lookup) \
  VKV_MEMTABLE_CASE_(NAME, TAG, FACTORY, "del leaves a tombstone that a later set replaces",    \
                     tombstones)                                                                \
  VKV_MEMTABLE_CASE_(NAME, TAG, FACTORY, "an empty memtable iterates nothing",                  \
                     empty_iterates_nothing)                                                    \
  VKV_MEMTABLE_CASE_(NAME, TAG, FACTORY,                                                        \
                     "iteration and lookup match a std::map fed the same random operations",    \
                     matches_a_map_model)                                                       \
  VKV_MEMTABLE_CASE_(NAME, TAG, FACTORY,                                                        \
                     "iterations between writes each see the keys added since the last",        \
                     iterations_between_writes)                                                 \
  VKV_MEMTABLE_CASE_(NAME, TAG, FACTORY,                                                        \
                     "keys compare as unsigned bytes, shortest first on a shared prefix",       \
                     unsigned_byte_order)                                                       \
  VKV_MEMTABLE_CASE_(NAME, TAG, FACTORY,                                                        \
                     "long keys with shared prefixes sort as unsigned bytes",                   \
                     long_shared_prefixes)                                                      \
  VKV_MEMTABLE_CASE_(NAME, TAG, FACTORY,                                                        \
                     "seek lands where std::map::lower_bound does, between writes",             \
                     seek_is_lower_bound)                                                       \
  VKV_MEMTABLE_CASE_(NAME, TAG, FACTORY, "one shard's own iterator walks and seeks in order",   \
                     shard_iterator_seeks)                                                      \
  VKV_MEMTABLE_CASE_(NAME, TAG, FACTORY, "values larger than an arena block round-trip",        \
                     large_values)                                                              \
  VKV_MEMTABLE_CASE_(NAME, TAG, FACTORY,                                                        \
                     "an iterated value stays valid after the key is written again",            \
                     iterated_value_outlives_overwrite)                                         \
  VKV_MEMTABLE_CASE_(NAME, TAG, FACTORY,                                                        \
                     "memory_bytes counts every entry's bytes and the dead bytes of overwrites", \
                     memory_counts_dead_bytes)                                                  \
  VKV_MEMTABLE_CASE_(NAME, TAG, FACTORY,                                                        \
                     "memory_bytes is within 10% of what the allocator hands out",              \
                     memory_figure_is_honest)                                                   \
  VKV_MEMTABLE_CASE_(NAME, TAG, FACTORY,                                                        \
                     "many threads set, del, look up, iterate and seek the same keys at once",  \
                     many_threads_at_once)                                                      \
  VKV_MEMTABLE_CASE_(NAME, TAG, FACTORY, "threads writing disjoint keys lose nothing",          \
                     disjoint_writers_lose_nothing)                                             \
  VKV_MEMTABLE_CASE_(NAME, TAG, FACTORY, "prefetch is a hint that changes no answer",           \
                     prefetch_changes_nothing)
