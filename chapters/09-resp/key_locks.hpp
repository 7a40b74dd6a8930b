/// \file
/// KeyLocks: one mutex per stripe of keys, so that a read-modify-write of one key (INCR,
/// APPEND, SETNX) runs alone against every other write of that key.
#pragma once

#include <array>
#include <cstddef>
#include <mutex>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace vkv::engine {

//! [key-locks]
/// How many mutexes KeyLocks has. Two keys share one when their hashes fall in the same
/// stripe: they then wait for each other needlessly, which costs a little time and never
/// correctness. 1024 stripes make that rare for any number of connections a worker pool
/// serves, for 40 KiB.
inline constexpr std::size_t kKeyLockStripes = 1024;

/// Striped per-key locks. Every write of a key, from either protocol, holds the key's lock
/// while it runs; a command that reads a key and then writes it (INCR reads the number, adds,
/// writes the sum) holds it from the read to the write, so no other write of that key can slip
/// between them and be lost.
///
/// Reads (GET) take no lock: the store is thread-safe on its own, and a read sees a value
/// that some write left, whole.
///
/// A thread that holds a key's lock from lock() takes no other key's lock until it lets it go
/// (every command that touches several keys, DEL or MSET, takes them one after another), and
/// lock_all() takes several in one fixed order, that of their stripes: so no two threads can
/// wait for each other.
///
/// Thread-safe.
class KeyLocks {
 public:
  /// Waits for `key`'s lock and returns it held; it is let go when the lock object goes.
  [[nodiscard]] std::unique_lock<std::mutex> lock(std::string_view key);
  /// Waits for the locks of all of `keys` at once, each stripe once, in the stripes' order,
  /// and returns them held. For a caller that must hold several keys still together.
  [[nodiscard]] std::vector<std::unique_lock<std::mutex>> lock_all(
      std::span<const std::string> keys);

 private:
  static std::size_t stripe_of(std::string_view key);

  std::array<std::mutex, kKeyLockStripes> stripes_;
};
//! [key-locks]

}  // namespace vkv::engine
