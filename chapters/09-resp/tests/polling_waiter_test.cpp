// PollingWaiter: when it polls, when it sleeps, and that it returns what is ready either way.
// Its clock is a fake one that moves a step at each reading, and jumps when a test says so,
// so "a window" passes in a few polls and "a long sleep" is long without waiting for it.
#include <catch2/catch.hpp>

#include <unistd.h>

#include <array>
#include <atomic>
#include <chrono>
#include <span>
#include <thread>

#include "09-resp/polling_waiter.hpp"

using vkv::net::PollingWaiter;
using vkv::runtime::Interest;
using vkv::runtime::Reactor;
using vkv::runtime::Ready;
using namespace std::chrono_literals;

namespace {

// A pipe whose read end is watched by a reactor, tagged with the pipe itself.
struct WatchedPipe {
  int fds[2] = {-1, -1};
  Reactor reactor;

  static Reactor make_reactor() {
    auto r = Reactor::create();
    REQUIRE(r.is_ok());
    return std::move(*r);
  }
  WatchedPipe() : reactor(make_reactor()) {
    REQUIRE(::pipe(fds) == 0);
    REQUIRE(reactor.add(fds[0], this, Interest::kRead).is_ok());
  }
  ~WatchedPipe() {
    reactor.remove(fds[0]);
    ::close(fds[0]);
    ::close(fds[1]);
  }
  void make_ready() const { REQUIRE(::write(fds[1], "x", 1) == 1); }
  void drain() const {
    char c;
    REQUIRE(::read(fds[0], &c, 1) == 1);
  }
};

// 1 µs a reading, plus whatever jump() added: a window of 100 µs is about 100 polls.
struct FakeClock {
  std::atomic<std::int64_t> t{0};
  std::atomic<std::int64_t> jumped{0};
  vkv::net::NanoClock clock() {
    return [this] { return t.fetch_add(1000) + jumped.load(); };
  }
  void jump(std::chrono::nanoseconds by) { jumped.fetch_add(by.count()); }
};

// Makes `wait` poll: a request already there ends its first sleep at once. The request is
// then read, so the pipe is empty again.
void start_polling(WatchedPipe& pipe, PollingWaiter& wait, std::span<Ready> ready) {
  pipe.make_ready();
  REQUIRE(wait(pipe.reactor, ready) == 1);
  REQUIRE(wait.polling());
  pipe.drain();
}

// A client that sends a request once the waiter has read the fake clock past `after`, moving
// the clock on by `jump` first.
std::thread send_when_clock_passes(WatchedPipe& pipe, FakeClock& fake, std::int64_t after,
                                   std::chrono::nanoseconds jump) {
  return std::thread([&pipe, &fake, after, jump] {
    while (fake.t.load() <= after) std::this_thread::yield();
    fake.jump(jump);
    pipe.make_ready();
  });
}

}  // namespace

TEST_CASE("polling waiter: a sleep that ends within the window turns polling on", "[ch09]") {
  WatchedPipe pipe;
  FakeClock fake;
  PollingWaiter wait(100us, fake.clock());
  std::array<Ready, 8> ready{};
  CHECK_FALSE(wait.polling());  // a new worker sleeps first

  pipe.make_ready();  // the request is there already: the sleep ends at once
  REQUIRE(wait(pipe.reactor, ready) == 1);
  CHECK(ready[0].tag == &pipe);
  CHECK(wait.counts().sleeps == 1);
  CHECK(wait.polling());

  // Polling now: the next request is found by a poll, with no sleep.
  REQUIRE(wait(pipe.reactor, ready) == 1);
  CHECK(ready[0].tag == &pipe);
  CHECK(wait.counts().polls_with_work == 1);
  CHECK(wait.counts().sleeps == 1);
  CHECK(wait.polling());
}

TEST_CASE("polling waiter: a window that finds nothing turns polling off, and it sleeps",
          "[ch09]") {
  WatchedPipe pipe;
  FakeClock fake;
  PollingWaiter wait(100us, fake.clock());
  std::array<Ready, 8> ready{};
  start_polling(pipe, wait, ready);

  // Nothing comes for the whole window; the waiter must then sleep until something does.
  // The client sends once the waiter's clock has passed the window (so no poll can find it),
  // a second later on the fake clock.
  std::thread client = send_when_clock_passes(pipe, fake, fake.t.load() + 100'000, 1s);
  REQUIRE(wait(pipe.reactor, ready) == 1);
  client.join();
  CHECK(ready[0].tag == &pipe);
  CHECK(wait.counts().empty_windows == 1);
  CHECK(wait.counts().sleeps == 2);
  CHECK(wait.counts().polls_with_work == 0);
  CHECK_FALSE(wait.polling());  // the request came long after the window

  // Not polling: the next wait sleeps at once, even with the request there already.
  REQUIRE(wait(pipe.reactor, ready) == 1);
  CHECK(wait.counts().empty_windows == 1);
  CHECK(wait.counts().sleeps == 3);
}

TEST_CASE("polling waiter: requests between one and two windows apart do not keep it polling",
          "[ch09]") {
  WatchedPipe pipe;
  FakeClock fake;
  PollingWaiter wait(100us, fake.clock());
  std::array<Ready, 8> ready{};
  start_polling(pipe, wait, ready);

  // A request 150 us after the round ended: the window's polls miss it (the client waits
  // until they are over), and the sleep after them is short (50 us), but the wait as a
  // whole was longer than a window.
  std::thread late = send_when_clock_passes(pipe, fake, fake.t.load() + 100'000, 50us);
  REQUIRE(wait(pipe.reactor, ready) == 1);
  late.join();
  pipe.drain();
  CHECK_FALSE(wait.polling());
  CHECK(wait.counts().empty_windows == 1);

  // The next requests, 150 us apart too, each cost a sleep and no window.
  for (int request = 0; request < 2; ++request) {
    // The client waits until the waiter has read the clock once: the wait has begun.
    std::thread client = send_when_clock_passes(pipe, fake, fake.t.load(), 150us);
    REQUIRE(wait(pipe.reactor, ready) == 1);
    client.join();
    pipe.drain();
    CHECK_FALSE(wait.polling());
  }
  CHECK(wait.counts().empty_windows == 1);
  CHECK(wait.counts().sleeps == 4);
  CHECK(wait.counts().polls_with_work == 0);
}

TEST_CASE("polling waiter: a window of 0 never polls", "[ch09]") {
  WatchedPipe pipe;
  FakeClock fake;
  PollingWaiter wait(0us, fake.clock());
  std::array<Ready, 8> ready{};
  pipe.make_ready();
  for (int i = 0; i < 3; ++i) {
    REQUIRE(wait(pipe.reactor, ready) == 1);
    CHECK_FALSE(wait.polling());
  }
  CHECK(wait.counts().sleeps == 3);
  CHECK(wait.counts().polls_with_work == 0);
}

TEST_CASE("polling waiter: a stopping server's wake-up ends a wait while it polls", "[ch09]") {
  WatchedPipe pipe;
  PollingWaiter wait(1s);  // the real clock, and a window far longer than the test
  std::array<Ready, 8> ready{};
  start_polling(pipe, wait, ready);
  std::thread stopper([&] {
    std::this_thread::sleep_for(20ms);
    pipe.reactor.wake_all();
  });
  REQUIRE(wait(pipe.reactor, ready) == 1);
  stopper.join();
  CHECK(ready[0].tag == nullptr);  // the wake-up entry: stop() was called
  CHECK(wait.counts().polls_with_work == 1);
}
