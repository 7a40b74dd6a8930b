/// \file
/// ScanCursors: SCAN's cursors, a bounded table from cursor number to the key a scan resumes at.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

namespace vkv::engine {

//! [scan-cursors]
/// The most cursors kept at once. Each scan in progress holds one (a cursor is used once), so
/// this many clients can scan at the same time before the oldest scans lose their place.
inline constexpr std::size_t kMaxScanCursors = 10'000;
/// The most bytes of resume keys kept at once: with long keys, fewer cursors are kept.
inline constexpr std::size_t kMaxScanCursorBytes = 16 << 20;

/// Redis clients read a SCAN cursor as a number (redis-py does `int(cursor)`, ioredis stops at
/// "0"), and vkv resumes a scan at a key. So the server keeps a table: each SCAN that does not
/// finish stores the key it stopped before under a new number, and the next SCAN hands the
/// number back.
///
/// - A cursor is good for one SCAN: take() removes it, and that SCAN's reply carries the next.
///   So each scan in progress holds one entry, however many pages it has.
/// - The table is bounded (kMaxScanCursors, kMaxScanCursorBytes): when full, the oldest
///   cursor goes. A scan that waits that long between pages gets an error and starts again.
/// - Numbers grow from a random start below 2^32 and stay below 2^53 (a JavaScript client
///   keeps them exact), and never 0, which means "start" and "done". Cursors do not survive a
///   restart: the table starts empty, and the random start makes an old number unlikely to
///   name a new scan's place.
///
/// Thread-safe: one table for all connections (a scan may go on from another connection).
class ScanCursors {
 public:
  /// A table whose first cursor is `first` (tests pass one; 0: a random start).
  explicit ScanCursors(std::uint64_t first = 0);

  /// Stores `resume_key` and returns its new cursor (never 0).
  std::uint64_t save(std::string resume_key);
  /// The key stored under `cursor`, which is removed; nothing when the table does not hold it
  /// (never given, used already, or dropped as the oldest).
  std::optional<std::string> take(std::uint64_t cursor);

  /// How many cursors are held now.
  [[nodiscard]] std::size_t size() const;

 private:
  mutable std::mutex mu_;
  std::map<std::uint64_t, std::string> keys_;  // guarded by mu_; oldest (smallest) first
  std::size_t bytes_ = 0;                      // guarded by mu_: the keys' bytes
  std::uint64_t next_;                         // guarded by mu_
};
//! [scan-cursors]

}  // namespace vkv::engine
