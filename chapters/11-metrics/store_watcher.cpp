#include "11-metrics/store_watcher.hpp"


#include <cmath>
#include <utility>

namespace vkv::runtime {

namespace {

// How much a counter grew. One that went down was reset (the store was opened again), so
// all of its value is new.
[[maybe_unused]] std::uint64_t grew(std::uint64_t before, std::uint64_t now) {
  return now >= before ? now - before : now;
}

[[maybe_unused]] double grew(double before, double now) {
  const double d = now >= before ? now - before : now;
  return std::round(d * 1000) / 1000;  // milliseconds are plenty for a person
}

[[maybe_unused]] StoreSample::Level level_or_empty(const StoreSample& s, std::size_t i) {
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
    : sample_(std::move(sample)), log_(log), task_("vkv-watcher", period, [this] { check_once(); }) {}

StoreWatcher::~StoreWatcher() { stop(); }

void StoreWatcher::start() { task_.start(); }

void StoreWatcher::stop() { task_.stop(); }

std::size_t StoreWatcher::check_once() {
  std::lock_guard lock(check_mu_);
  StoreSample now = sample_();
  const std::size_t events = last_ ? log_store_changes(*last_, now, log_) : 0;
  last_ = std::move(now);
  return events;
}

}  // namespace vkv::runtime
