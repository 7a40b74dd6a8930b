// Many threads at once: INCR never loses an update; a text SET never slips inside an INCR;
// SCAN returns every key present for the whole scan while others come and go; lock_all
// holds several keys together without deadlocking.
#include <catch2/catch.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "09-resp/tests/redis_fixture.hpp"

using namespace vkv::testing;
using vkv::engine::ClientState;

TEST_CASE("key locks: INCR from 8 threads ends at exactly 8 times N", "[ch09]") {
  RedisFixture r;
  constexpr int kThreads = 8;
  constexpr int kEach = 2000;
  std::atomic<int> bad{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&r, &bad, t] {
      ClientState client;
      client.id = static_cast<std::uint64_t>(t + 1);
      for (int i = 0; i < kEach; ++i) {
        // INCR on one key, INCRBY 2 then DECR on another: each adds one.
        if (r("INCR counter", &client).front() != ':') ++bad;
        if (r("INCRBY other 2", &client).front() != ':') ++bad;
        if (r("DECR other", &client).front() != ':') ++bad;
      }
    });
  }
  for (auto& t : threads) t.join();
  CHECK(bad == 0);
  CHECK(r("GET counter") == bulk(std::to_string(kThreads * kEach)));
  CHECK(r("GET other") == bulk(std::to_string(kThreads * kEach)));
}

namespace {

// A store whose get() waits a little after reading, so that an INCR's window between its read
// and its write is wide, and a SET that is not kept out of it lands there often.
class SlowReadStore final : public vkv::storage::Store {
 public:
  explicit SlowReadStore(vkv::storage::Store& base) : base_(base) {}
  vkv::Status set(std::string_view k, std::string_view v) override { return base_.set(k, v); }
  vkv::Status del(std::string_view k) override { return base_.del(k); }
  vkv::Status get(std::string_view k, std::string* v) override {
    const vkv::Status s = base_.get(k, v);
    std::this_thread::sleep_for(std::chrono::microseconds(50));
    return s;
  }

 private:
  vkv::storage::Store& base_;
};

}  // namespace

TEST_CASE("key locks: a text SET is never lost inside an INCR (the text protocol takes the "
          "same locks)", "[ch09]") {
  // One thread INCRs while this one SETs a new base through the text protocol's engine and
  // reads it back: INCRs only add, so the value read is never below the base just set. A SET
  // that slipped between an INCR's read and write would be overwritten by the INCR's sum of
  // the old value, far below the base. (Without the text side's locks this fails within a
  // few hundred rounds: the INCR's reads are slowed to widen its window.)
  RedisFixture r;
  SlowReadStore slow(*r.store);
  vkv::engine::RedisCommands commands(slow, *r.scanner, r.locks);
  std::atomic<bool> done{false};
  std::atomic<int> bad{0};  // Catch's checks are for the test's own thread
  std::thread incr([&commands, &done, &bad] {
    ClientState client;
    const std::vector<std::string_view> request{"INCR", "k"};
    while (!done) {
      std::string out;
      vkv::protocol::RespWriter writer(&out, client.version);
      commands.run(request, client, writer);
      if (out.front() != ':') ++bad;
    }
  });
  int lost = 0;
  for (long long round = 1; round <= 2000; ++round) {
    const long long base = round * 1'000'000'000LL;
    REQUIRE(r.text->execute(vkv::protocol::SetCommand{"k", std::to_string(base)}).kind ==
            vkv::protocol::ReplyKind::kOk);
    const auto got = r.text->execute(vkv::protocol::GetCommand{"k"});
    if (std::stoll(got.text) < base) ++lost;
  }
  done = true;
  incr.join();
  CHECK(lost == 0);
  CHECK(bad == 0);
}

TEST_CASE("key locks: SCAN returns every key present for the whole scan, once, while other "
          "keys are added and deleted", "[ch09]") {
  RedisFixture r;
  // Stable keys, present throughout; churn keys between them in key order, written and
  // deleted meanwhile (enough to flush memtables into tables during the scan).
  std::set<std::string> stable;
  for (int i = 0; i < 3000; ++i) {
    char name[32];
    std::snprintf(name, sizeof name, "key:%05d", i * 2);
    stable.insert(name);
    REQUIRE(r.run({"SET", name, std::string(30, 's')}) == kOk);
  }
  REQUIRE(r.store->flush().is_ok());
  std::atomic<bool> done{false};
  std::atomic<int> bad{0};
  std::thread churn([&r, &done, &bad] {
    ClientState client;
    std::mt19937 rng(9);
    while (!done) {
      char name[32];
      std::snprintf(name, sizeof name, "key:%05d", static_cast<int>(rng() % 3000) * 2 + 1);
      const std::string reply = (rng() % 3 == 0) ? r.run({"DEL", name}, &client)
                                                 : r.run({"SET", name, std::string(60, 'c')}, &client);
      if (reply != kOk && reply.front() != ':') ++bad;
    }
  });
  std::multiset<std::string> seen;
  std::string cursor = "0";
  int pages = 0;
  do {
    const std::string reply = r.run({"SCAN", cursor, "COUNT", "37"});
    // *2 $n cursor *m ($k key)...
    REQUIRE(reply.rfind("*2\r\n$", 0) == 0);
    std::size_t at = 4;
    auto read_line = [&reply, &at] {
      const auto end = reply.find("\r\n", at);
      std::string line = reply.substr(at, end - at);
      at = end + 2;
      return line;
    };
    read_line();  // $n
    cursor = read_line();
    const std::string count = read_line();
    REQUIRE(count.front() == '*');
    for (int i = 0, n = std::stoi(count.substr(1)); i < n; ++i) {
      read_line();  // $len (keys have no CRLF here)
      seen.insert(read_line());
    }
    ++pages;
  } while (cursor != "0");
  done = true;
  churn.join();
  CHECK(bad == 0);
  CHECK(pages >= 3000 / 37);  // many pages, so the churn ran between them
  for (const auto& key : stable) {
    INFO(key);
    CHECK(seen.count(key) == 1);
  }
  std::set<std::string> once(seen.begin(), seen.end());
  CHECK(once.size() == seen.size());  // no key twice
}

namespace {

// Five keys (of `count`) drawn at random, repeats and any order allowed.
std::vector<int> draw_keys(std::mt19937& random, int count) {
  std::vector<int> drawn;
  for (int n = 0; n < 5; ++n) drawn.push_back(static_cast<int>(random() % count));
  return drawn;
}

// `drawn` without its repeats: the keys a lock_all() of them holds.
std::vector<int> distinct(std::vector<int> drawn) {
  std::sort(drawn.begin(), drawn.end());
  drawn.erase(std::unique(drawn.begin(), drawn.end()), drawn.end());
  return drawn;
}

}  // namespace

TEST_CASE("key locks: lock_all holds several keys together, a key twice once, and never "
          "deadlocks against lock() or itself", "[ch09]") {
  vkv::engine::KeyLocks locks;
  // The same key twice, and many keys: each stripe is taken once (a second take would hang).
  const std::vector<std::string> twice{"a", "b", "a"};
  CHECK(locks.lock_all(twice).size() == 2);

  // Counters that only a holder of their key's lock touches: any two holders at once would
  // lose increments. Threads take random sets of keys in random order with lock_all, others
  // one key at a time with lock(); all finishing is the absence of a deadlock.
  constexpr int kKeys = 64;
  constexpr int kRounds = 3000;
  std::vector<std::string> names;
  for (int k = 0; k < kKeys; ++k) names.push_back("key" + std::to_string(k));
  std::vector<long> counters(kKeys, 0);
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      std::mt19937 random(static_cast<unsigned>(t));
      for (int round = 0; round < kRounds; ++round) {
        if (t % 2 == 0) {
          const std::vector<int> drawn = draw_keys(random, kKeys);
          std::vector<std::string> keys;
          for (int k : drawn) keys.push_back(names[k]);
          auto held = locks.lock_all(keys);
          for (int k : distinct(drawn)) ++counters[k];
        } else {
          const int k = static_cast<int>(random() % kKeys);
          auto held = locks.lock(names[k]);
          ++counters[k];
        }
      }
    });
  }
  for (auto& thread : threads) thread.join();
  // Recount what each thread did, with the same random sequences.
  std::vector<long> expected(kKeys, 0);
  for (int t = 0; t < 8; ++t) {
    std::mt19937 random(static_cast<unsigned>(t));
    for (int round = 0; round < kRounds; ++round) {
      if (t % 2 == 0) {
        for (int k : distinct(draw_keys(random, kKeys))) ++expected[k];
      } else {
        ++expected[random() % kKeys];
      }
    }
  }
  CHECK(counters == expected);
}
