/// \file
/// WriteGate: many writers at once, or none while one thread swaps what they write to.
#pragma once

#include <atomic>
#include <condition_variable>
#include <mutex>

namespace vkv::storage {

/// A gate that writers pass through in any number, and that one thread can close to have
/// the store to itself for a moment: close() waits until every writer inside has left, and
/// writers arriving meanwhile wait until open().
///
/// LsmStore uses it to swap the log and the memtable at a flush: no write may be half in the
/// old log and half in the new memtable. A std::shared_mutex would do the same, but glibc's
/// prefers readers (here: writers), so under a steady stream of writers the flush could wait
/// for ever; this gate shuts new arrivals out as soon as close() is called.
///
/// Passing costs two atomic additions while the gate is open: a writer counts itself in,
/// then checks that the gate is open; the closer marks it closed, then waits for the count
/// to reach zero. Both use sequentially consistent operations, so at least one of the two
/// sees the other: either the writer sees "closed" and backs out, or the closer counts it
/// and waits for it. The mutex and condition variable are only for the waiting.
///
/// Thread-safe. REQUIRES: one closer at a time; the thread calling close() holds no Pass
/// and calls open() next.
class WriteGate {
 public:
  /// Being inside the gate, from construction to destruction.
  class Pass {
   public:
    /// Waits while the gate is closed, then goes in.
    explicit Pass(WriteGate& gate) : gate_(gate) { gate_.enter(); }
    /// Leaves, waking the closer if this was the last one inside.
    ~Pass() { gate_.leave(); }
    Pass(const Pass&) = delete;
    Pass& operator=(const Pass&) = delete;

   private:
    WriteGate& gate_;
  };

  /// Shuts new writers out and waits until none is inside.
  void close() {
    closed_.store(true);
    std::unique_lock lock(mu_);
    cv_.wait(lock, [this] { return inside_.load() == 0; });
  }

  /// Lets writers in again. REQUIRES: close() was called by this thread.
  void open() {
    {
      std::lock_guard lock(mu_);
      closed_.store(false);
    }
    cv_.notify_all();
  }

 private:
  void enter() {
    for (;;) {
      inside_.fetch_add(1);
      if (!closed_.load()) return;
      leave();  // closed: back out (waking the closer if we were the last), and wait
      std::unique_lock lock(mu_);
      cv_.wait(lock, [this] { return !closed_.load(); });
    }
  }

  void leave() {
    if (inside_.fetch_sub(1) == 1 && closed_.load()) {
      // Taking the mutex orders this wake-up after the closer's check of the count, so it
      // is not lost between that check and the closer's wait.
      std::lock_guard lock(mu_);
      cv_.notify_all();
    }
  }

  std::atomic<int> inside_{0};       // writers inside, or about to back out
  std::atomic<bool> closed_{false};  // written by the closer; changed to false under mu_
  std::mutex mu_;                    // for waiting only
  std::condition_variable cv_;       // the count reached zero while closed, or the gate opened
};

}  // namespace vkv::storage
