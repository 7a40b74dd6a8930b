// BatchClock: one reading of the clock for one batch of requests, on the thread that runs it;
// a fresh reading everywhere else.
#include <catch2/catch.hpp>

#include <thread>

#include "10-expiry/clock.hpp"

using vkv::storage::BatchClock;
using vkv::storage::ManualClock;
using vkv::storage::UnixMillis;

TEST_CASE("batch clock: within a batch it holds its first reading, outside it reads afresh",
          "[ch10]") {
  ManualClock inner;
  const BatchClock clock(inner);
  CHECK(clock.now() == inner.now());
  inner.advance(5);
  CHECK(clock.now() == inner.now());  // no batch: every reading is the inner clock's

  clock.batch(true);
  inner.advance(7);  // the reading is taken at the first now(), not when the batch starts
  const UnixMillis first = clock.now();
  CHECK(first == inner.now());
  inner.advance(10);
  CHECK(clock.now() == first);
  UnixMillis elsewhere = 0;  // another thread is in no batch of its own
  std::thread([&] { elsewhere = clock.now(); }).join();
  CHECK(elsewhere == inner.now());
  CHECK(clock.now() == first);  // still held on this thread
  clock.batch(false);
  CHECK(clock.now() == inner.now());

  clock.batch(true);  // the next batch takes a reading of its own
  inner.advance(3);
  CHECK(clock.now() == inner.now());
  clock.batch(false);
}

TEST_CASE("batch clock: a batch of one clock holds no other clock still", "[ch10]") {
  ManualClock inner;
  const BatchClock held(inner);
  const BatchClock other(inner);
  held.batch(true);
  const UnixMillis first = held.now();
  inner.advance(20);
  CHECK(held.now() == first);
  CHECK(other.now() == inner.now());
  held.batch(false);
}
