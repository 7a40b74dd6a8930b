/// \file
/// PerThread: one value per thread that writes, so that counting never shares a cache line
/// or takes a lock; readers add the values up.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <thread>
#include <utility>

namespace vkv::runtime {

//! [per-thread]
/// A T for each thread that calls mine(), made by `make` on the thread's first call and kept
/// until this is destroyed (a thread that ends leaves its counts behind, still counted).
///
/// mine() is the hot path: a thread_local pointer, compared with this object's id. Only a
/// thread's first call takes the lock (per object, while a thread keeps to one object of a
/// type; one that goes back and forth between two takes it at each switch). Each T is written by its own thread only, so its
/// counts can be plain relaxed loads and stores (no locked instruction, no cache line that
/// two writers fight over); for_each() reads them from any thread.
template <typename T>
class PerThread {
 public:
  /// Values made by `make` (default: T's default constructor).
  explicit PerThread(std::function<std::unique_ptr<T>()> make = [] { return std::make_unique<T>(); })
      : id_(next_id()), make_(std::move(make)) {}
  PerThread(const PerThread&) = delete;
  PerThread& operator=(const PerThread&) = delete;

  /// The calling thread's value.
  T& mine() {
    Cache& c = cache();
    if (c.owner == id_) return *c.value;
    return register_thread();
  }
  /// Calls `f` with each thread's value, under the lock (no thread can be added meanwhile).
  template <typename F>
  void for_each(F f) const {
    std::lock_guard lock(mu_);
    for (const auto& entry : values_) f(std::as_const(*entry.second));
  }
  /// The same, letting `f` change the values (to reset counts: a count its thread bumps
  /// meanwhile may keep its old value plus one).
  template <typename F>
  void for_each(F f) {
    std::lock_guard lock(mu_);
    for (auto& entry : values_) f(*entry.second);
  }

 private:
  // The object this thread used last, and its value there: one per T, per thread.
  struct Cache {
    std::uint64_t owner = 0;
    T* value = nullptr;
  };
  static Cache& cache() {
    thread_local Cache c;
    return c;
  }
  static std::uint64_t next_id() {
    static std::atomic<std::uint64_t> next{1};
    return next.fetch_add(1);
  }
  T& register_thread() {
    std::lock_guard lock(mu_);
    auto& value = values_[std::this_thread::get_id()];
    if (!value) value = make_();
    cache() = {id_, value.get()};
    return *value;
  }

  const std::uint64_t id_;  // never reused, so a thread's cache never mistakes another object
  const std::function<std::unique_ptr<T>()> make_;
  mutable std::mutex mu_;
  std::map<std::thread::id, std::unique_ptr<T>> values_;  // guarded by mu_
};
//! [per-thread]

/// Adds `by` to a count only one thread writes: a plain load and store, no locked
/// instruction (readers on other threads see the count whole, maybe a moment old).
inline void bump(std::atomic<std::uint64_t>& count, std::uint64_t by = 1) {
  count.store(count.load(std::memory_order_relaxed) + by, std::memory_order_relaxed);
}

}  // namespace vkv::runtime
