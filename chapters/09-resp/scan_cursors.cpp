#include "09-resp/scan_cursors.hpp"

#include <random>

namespace vkv::engine {

namespace {

// Numbers stay below this, so that a JavaScript client's double holds them exactly.
constexpr std::uint64_t kMaxCursor = (std::uint64_t{1} << 53) - 1;

std::uint64_t random_start() {
  std::random_device seed;
  return 1 + std::uniform_int_distribution<std::uint64_t>(0, (std::uint64_t{1} << 32) - 2)(seed);
}

}  // namespace

ScanCursors::ScanCursors(std::uint64_t first) : next_(first != 0 ? first : random_start()) {}

// LEARNER: begin ScanCursors::save() and take(): a new number for each resume key, the oldest dropped when the table is full; a cursor is taken once
//! [save-take]
std::uint64_t ScanCursors::save(std::string resume_key) {
  std::lock_guard lock(mu_);
  const std::uint64_t cursor = next_;
  next_ = next_ >= kMaxCursor ? 1 : next_ + 1;
  bytes_ += resume_key.size();
  keys_[cursor] = std::move(resume_key);
  while (keys_.size() > kMaxScanCursors || (bytes_ > kMaxScanCursorBytes && keys_.size() > 1)) {
    auto oldest = keys_.begin();
    bytes_ -= oldest->second.size();
    keys_.erase(oldest);
  }
  return cursor;
}

std::optional<std::string> ScanCursors::take(std::uint64_t cursor) {
  std::lock_guard lock(mu_);
  auto it = keys_.find(cursor);
  if (it == keys_.end()) return std::nullopt;
  std::string key = std::move(it->second);
  bytes_ -= key.size();
  keys_.erase(it);
  return key;
}
//! [save-take]
// LEARNER: end

std::size_t ScanCursors::size() const {
  std::lock_guard lock(mu_);
  return keys_.size();
}

}  // namespace vkv::engine
