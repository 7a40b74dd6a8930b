#include "11-metrics/store_watcher.hpp"

#include <pthread.h>

#include <cmath>
#include <utility>

namespace vkv::runtime {

namespace {

// How much a counter grew. One that went down was reset (the store was opened again), so
// all of its value is new.
std::uint64_t grew(std::uint64_t before, std::uint64_t now) {
  return now >= before ? now - before : now;
}

double grew(double before, double now) {
  const double d = now >= before ? now - before : now;
  return std::round(d * 1000) / 1000;  // milliseconds are plenty for a person
}

StoreSample::Level level_or_empty(const StoreSample& s, std::size_t i) {
  return i < s.levels.size() ? s.levels[i] : StoreSample::Level{};
}

}  // namespace

// LEARNER: begin log_store_changes(): compare two samples; an event for each kind of change
//! [changes]
std::size_t log_store_changes(const StoreSample& before, const StoreSample& now, EventLog& log) {
  std::size_t events = 0;
  if (const std::uint64_t flushes = grew(before.flushes, now.flushes); flushes > 0) {
    log.info("flush", {{"flushes", flushes},
                       {"bytes", grew(before.flushed_bytes, now.flushed_bytes)},
                       {"l0_tables", level_or_empty(now, 0).tables},
                       {"memtable_bytes", now.memtable_bytes}});
    ++events;
  }
  for (std::size_t i = 0; i < now.levels.size(); ++i) {
    const StoreSample::Level was = level_or_empty(before, i);
    const StoreSample::Level& is = now.levels[i];
    const std::uint64_t compactions = grew(was.compactions, is.compactions);
    const std::uint64_t moves = grew(was.moves, is.moves);
    if (compactions == 0 && moves == 0) continue;
    log.info("compaction", {{"level", i},
                            {"compactions", compactions},
                            {"moves", moves},
                            {"read_bytes", grew(was.bytes_read, is.bytes_read)},
                            {"written_bytes", grew(was.bytes_written, is.bytes_written)},
                            {"seconds", grew(was.seconds, is.seconds)},
                            {"tables", is.tables},
                            {"bytes", is.bytes}});
    ++events;
  }
  const std::uint64_t slowed = grew(before.slowed_writes, now.slowed_writes);
  const std::uint64_t stopped = grew(before.stopped_writes, now.stopped_writes);
  if (slowed > 0 || stopped > 0) {
    log.warn("stall", {{"slowed_writes", slowed},
                       {"stopped_writes", stopped},
                       {"stopped_seconds", grew(before.stopped_seconds, now.stopped_seconds)},
                       {"l0_tables", level_or_empty(now, 0).tables}});
    ++events;
  }
  if (const std::uint64_t failed = grew(before.failed_compactions, now.failed_compactions);
      failed > 0) {
    log.error("compaction_failed", {{"failures", failed}, {"total", now.failed_compactions}});
    ++events;
  }
  return events;
}
//! [changes]
// LEARNER: end

StoreWatcher::StoreWatcher(std::function<StoreSample()> sample, EventLog& log,
                           std::chrono::milliseconds period)
    : sample_(std::move(sample)), log_(log), period_(period) {}

StoreWatcher::~StoreWatcher() { stop(); }

void StoreWatcher::start() {
  {
    std::lock_guard lock(mu_);
    stopping_ = false;
  }
  thread_ = std::thread([this] { loop(); });
}

void StoreWatcher::stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

std::size_t StoreWatcher::check_once() {
  std::lock_guard lock(check_mu_);
  StoreSample now = sample_();
  const std::size_t events = last_ ? log_store_changes(*last_, now, log_) : 0;
  last_ = std::move(now);
  return events;
}

void StoreWatcher::loop() {
  // The name `top -H` and /proc/<pid>/task/*/comm show for this thread.
  pthread_setname_np(pthread_self(), "vkv-watcher");
  {
    std::lock_guard lock(check_mu_);
    if (!last_) last_ = sample_();
  }
  // Checks start every period from the last start, not the last end, like a clock's tick.
  auto next = std::chrono::steady_clock::now() + period_;
  std::unique_lock lock(mu_);
  while (!wake_.wait_until(lock, next, [this] { return stopping_; })) {
    lock.unlock();
    check_once();
    lock.lock();
    next += period_;
    const auto now = std::chrono::steady_clock::now();
    if (next < now) next = now + period_;  // a slow check: start afresh, do not catch up
  }
}

}  // namespace vkv::runtime
