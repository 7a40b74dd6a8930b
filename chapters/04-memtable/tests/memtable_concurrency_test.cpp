// Memtable under many threads: writers and readers on the same few keys, scans while writers
// run. Run it under -DVKV_SANITIZE=thread too: ThreadSanitizer must report nothing.
//
// Catch2's assertions are not thread-safe, so worker threads only count and describe failures;
// the test thread asserts after joining them.
#include <catch2/catch.hpp>

#include <atomic>
#include <charconv>
#include <latch>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "04-memtable/memtable.hpp"

using vkv::storage::LookupResult;
using vkv::storage::Memtable;

namespace {

constexpr int kWriters = 6;
constexpr int kReaders = 4;
constexpr int kKeys = 32;  // few keys, so every key sees every writer
constexpr int kWritesPerWriter = 20000;

std::string key_name(int k) { return "key-" + std::to_string(k); }

// A value that names its writer, its sequence number and its key, followed by padding whose
// length and byte depend on the sequence number: a torn read (half of one value, half of
// another) fails to parse or to match.
std::string make_value(int writer, int seq, const std::string& key) {
  std::string v = std::to_string(writer) + " " + std::to_string(seq) + " " + key + " ";
  v.append(static_cast<std::size_t>(seq % 97), static_cast<char>('a' + seq % 26));
  return v;
}

struct ParsedValue {
  int writer = -1;
  int seq = -1;
};

// Parses and checks a value made by make_value for `key`; writer stays -1 if it is malformed.
ParsedValue parse_value(std::string_view v, std::string_view key) {
  ParsedValue p;
  int writer = 0;
  int seq = 0;
  auto [after_writer, e1] = std::from_chars(v.data(), v.data() + v.size(), writer);
  if (e1 != std::errc() || after_writer == v.data() + v.size() || *after_writer != ' ') return p;
  auto [after_seq, e2] = std::from_chars(after_writer + 1, v.data() + v.size(), seq);
  if (e2 != std::errc()) return p;
  const std::string expected = make_value(writer, seq, std::string(key));
  if (v != expected) return p;
  p.writer = writer;
  p.seq = seq;
  return p;
}

// Counts failures from any thread and keeps the first description.
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

// What writer w did last to each key: the seq of its last set, or -1 for a del (-2: nothing).
using LastWrites = std::vector<std::vector<int>>;

void run_writer(Memtable& table, int w, std::latch& start, LastWrites& last) {
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

// Looks keys up until the writers are done. Each value must be whole, and for each key the
// sequence numbers seen from one writer must never go back: its writes appear in its order.
void run_reader(const Memtable& table, int r, std::latch& start,
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
      if (table.lookup(key, &value) != LookupResult::kFound) continue;
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

// Scans the whole table while writers run: keys must come out strictly ascending, each value
// whole, and every key that was there when the scan began must be in it (keys are never
// removed: a DEL leaves a tombstone, which a scan yields too).
void run_scanner(const Memtable& table, std::latch& start, const std::atomic<bool>& writers_done,
                 FailureLog& failures) {
  start.arrive_and_wait();
  do {
    std::string previous;
    bool first = true;
    const std::size_t there_before = table.entry_count();
    std::size_t scanned = 0;
    for (auto it = table.scan(); it.valid(); it.next(), ++scanned) {
      if (!first && !(previous < it.key())) failures.add("scan out of order at " + previous);
      first = false;
      previous = std::string(it.key());
      if (!it.is_tombstone() && parse_value(it.value(), it.key()).writer < 0) {
        failures.add("torn value in scan for " + previous);
      }
    }
    if (scanned < there_before) {
      failures.add("a scan yielded " + std::to_string(scanned) + " keys of the " +
                   std::to_string(there_before) + " there when it began");
    }
  } while (!writers_done.load(std::memory_order_acquire));
}

}  // namespace

TEST_CASE("many threads set, del, look up and scan the same keys at once", "[ch04]") {
  Memtable table(4);  // few shards, so that threads meet on the same shard's lock
  LastWrites last(kWriters, std::vector<int>(kKeys, -2));
  FailureLog failures;
  std::atomic<bool> writers_done{false};
  std::atomic<long> values_checked{0};
  std::latch start(kWriters + kReaders + 2);

  std::vector<std::thread> readers;
  for (int r = 0; r < kReaders; ++r) {
    readers.emplace_back(run_reader, std::cref(table), r, std::ref(start), std::cref(writers_done),
                         std::ref(failures), std::ref(values_checked));
  }
  // Two scanners, so that two scans link new keys into the same shards at once.
  std::vector<std::thread> scanners;
  for (int s = 0; s < 2; ++s) {
    scanners.emplace_back(run_scanner, std::cref(table), std::ref(start), std::cref(writers_done),
                          std::ref(failures));
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
    const LookupResult result = table.lookup(key, &value);
    bool explained = false;
    for (int w = 0; w < kWriters; ++w) {
      if (result == LookupResult::kDeleted && last[w][k] == -1) explained = true;
      if (result == LookupResult::kFound && last[w][k] >= 0 &&
          value == make_value(w, last[w][k], key)) {
        explained = true;
      }
    }
    CAPTURE(key, value);
    CHECK(explained);
  }
}

TEST_CASE("threads writing disjoint keys lose nothing", "[ch04]") {
  constexpr int kThreads = 8;
  constexpr int kPerThread = 5000;
  Memtable table;
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
  for (auto it = table.scan(); it.valid(); it.next()) ++scanned;
  CHECK(scanned == kThreads * kPerThread);
  std::string value;
  for (int t = 0; t < kThreads; ++t) {
    for (int i = 0; i < kPerThread; i += 97) {
      REQUIRE(table.lookup("t" + std::to_string(t) + "-" + std::to_string(i), &value) ==
              LookupResult::kFound);
      CHECK(value == std::to_string(i));
    }
  }
}
