#include "11-metrics/slow_log.hpp"

#include <chrono>

namespace vkv::runtime {

namespace {

// Redis's shortening: at most kSlowlogMaxArgs words, the last of them saying how many more
// there were; each word at most kSlowlogMaxArgBytes, then how many more bytes it had.
[[maybe_unused]] std::vector<std::string> shorten(std::span<const std::string_view> args) {
  std::vector<std::string> kept;
  const std::size_t n = std::min(args.size(), kSlowlogMaxArgs);
  for (std::size_t i = 0; i < n; ++i) {
    if (i + 1 == kSlowlogMaxArgs && args.size() > kSlowlogMaxArgs) {
      kept.push_back("... (" + std::to_string(args.size() - kSlowlogMaxArgs + 1) +
                     " more arguments)");
      break;
    }
    const std::string_view a = args[i];
    if (a.size() > kSlowlogMaxArgBytes) {
      kept.push_back(std::string(a.substr(0, kSlowlogMaxArgBytes)) + "... (" +
                     std::to_string(a.size() - kSlowlogMaxArgBytes) + " more bytes)");
    } else {
      kept.emplace_back(a);
    }
  }
  return kept;
}

}  // namespace

// LEARNER: begin SlowLog::add(): the entry, shortened, newest first, at most max_len kept
//! [add]
void SlowLog::add(std::span<const std::string_view> args, std::uint64_t micros,
                  std::string_view client_name) {
  SlowLogEntry e;
  e.unix_seconds = std::chrono::duration_cast<std::chrono::seconds>(
                       std::chrono::system_clock::now().time_since_epoch()).count();
  e.micros = micros;
  e.args = shorten(args);
  e.client_name = client_name;
  std::lock_guard lock(mu_);
  if (max_len_ == 0) return;
  e.id = next_id_++;
  entries_.push_front(std::move(e));
  while (entries_.size() > max_len_) entries_.pop_back();
}
//! [add]
// LEARNER: end

std::vector<SlowLogEntry> SlowLog::newest(std::size_t count) const {
  std::lock_guard lock(mu_);
  const std::size_t n = std::min(count, entries_.size());
  return {entries_.begin(), entries_.begin() + static_cast<std::ptrdiff_t>(n)};
}

std::size_t SlowLog::size() const {
  std::lock_guard lock(mu_);
  return entries_.size();
}

void SlowLog::reset() {
  std::lock_guard lock(mu_);
  entries_.clear();
}

}  // namespace vkv::runtime
