// BackgroundFlusher: work runs on its own thread, in order; the destructor runs what is left.
#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <future>
#include <thread>
#include <vector>

#include "06-server/background_flusher.hpp"

using vkv::storage::BackgroundFlusher;

TEST_CASE("flusher: work runs on its own thread, one piece after another, in order",
          "[ch06]") {
  std::vector<int> order;  // written by the flusher's thread only
  std::promise<std::thread::id> ran_on;
  {
    BackgroundFlusher flusher;
    auto runner = flusher.runner();
    runner([&] { ran_on.set_value(std::this_thread::get_id()); });
    for (int i = 0; i < 100; ++i) flusher.run([&order, i] { order.push_back(i); });
    auto id = ran_on.get_future();
    REQUIRE(id.wait_for(std::chrono::seconds(10)) == std::future_status::ready);
    CHECK(id.get() != std::this_thread::get_id());
  }  // the destructor ran whatever was still queued
  REQUIRE(order.size() == 100);
  for (int i = 0; i < 100; ++i) CHECK(order[static_cast<std::size_t>(i)] == i);
}

TEST_CASE("flusher: the destructor waits for the work queued behind a slow one", "[ch06]") {
  std::atomic<int> done{0};
  {
    BackgroundFlusher flusher;
    flusher.run([&] {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
      ++done;
    });
    flusher.run([&] { ++done; });
  }
  CHECK(done.load() == 2);
}

TEST_CASE("flusher: counts what it completed", "[ch06]") {
  BackgroundFlusher flusher;
  std::promise<void> second;
  flusher.run([] {});
  flusher.run([&] { second.set_value(); });
  second.get_future().wait();
  // The count is taken after the work returns: wait for it briefly.
  for (int i = 0; i < 1000 && flusher.completed() < 2; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  CHECK(flusher.completed() == 2);
}
