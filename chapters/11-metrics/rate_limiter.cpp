#include "11-metrics/rate_limiter.hpp"

#include <algorithm>
#include <utility>
#include <vector>

namespace vkv::runtime {

namespace {

SteadyMillisClock clock_or_steady(SteadyMillisClock clock) {
  if (clock) return clock;
  return [] {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::steady_clock::now().time_since_epoch())
        .count();
  };
}

}  // namespace

LogRateLimiter::LogRateLimiter(std::size_t burst, std::chrono::milliseconds window,
                               SteadyMillisClock clock)
    : burst_(std::max<std::size_t>(burst, 1)),
      window_ms_(window.count()),
      clock_(clock_or_steady(std::move(clock))) {}

LogRateLimiter::Kind& LogRateLimiter::entry(std::string_view kind, std::int64_t now) {
  if (auto it = kinds_.find(std::string(kind)); it != kinds_.end()) return it->second;
  if (kinds_.size() >= kMaxKinds) {
    std::erase_if(kinds_, [&](const auto& item) {
      const Kind& k = item.second;
      return now - k.window_start >= window_ms_ && k.dropped == 0;
    });
  }
  if (kinds_.size() >= kMaxKinds) kind = kOverflowKind;
  // A new kind starts with an empty window that has already ended: its first event opens one.
  return kinds_.try_emplace(std::string(kind), Kind{now - window_ms_, 0, 0}).first->second;
}

// LEARNER: begin LogRateLimiter::admit(): a new window when the last is over; within it, at most burst events, the rest counted
//! [admit]
LogAdmission LogRateLimiter::admit(std::string_view kind) {
  const std::int64_t now = clock_();
  std::lock_guard lock(mu_);
  Kind& k = entry(kind, now);
  if (now - k.window_start >= window_ms_) {  // a new window: the burst is back
    k.window_start = now;
    k.in_window = 0;
  }
  if (k.in_window >= burst_) {
    ++k.dropped;
    return LogAdmission{};
  }
  ++k.in_window;
  return LogAdmission{true, std::exchange(k.dropped, 0)};
}
//! [admit]
// LEARNER: end

bool LogRateLimiter::event(EventLog& log, LogLevel level, std::string_view name,
                           std::initializer_list<LogField> fields) {
  if (!log.enabled(level)) return false;
  const LogAdmission admission = admit(name);
  if (!admission) return false;
  if (admission.suppressed == 0) {
    log.event(level, name, fields);
    return true;
  }
  std::vector<LogField> with_count(fields);
  with_count.emplace_back("suppressed", admission.suppressed);
  log.event(level, name, std::span<const LogField>(with_count));
  return true;
}

}  // namespace vkv::runtime
