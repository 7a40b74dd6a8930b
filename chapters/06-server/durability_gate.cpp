#include "06-server/durability_gate.hpp"

#include <algorithm>

#include "06-server/worker_count.hpp"

namespace vkv::net {

DurabilityGate::Mode DurabilityGate::mode_for(std::size_t workers) {
  return worker_count(workers) == 1 ? Mode::kInline : Mode::kBackground;
}

DurabilityGate::DurabilityGate(SyncFn sync, Mode mode) : sync_(std::move(sync)), mode_(mode) {
  if (mode_ == Mode::kBackground) syncer_ = std::thread([this] { run(); });
}

DurabilityGate::~DurabilityGate() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  wake_.notify_one();
  if (syncer_.joinable()) syncer_.join();
}

std::optional<std::uint64_t> DurabilityGate::sync_started_writes() {
  // Every write counted in `target` has started; wait the few microseconds until they have
  // all reached the store, so the sync below covers them.
  const std::uint64_t target = started_.load();
  while (finished_.load() < target) std::this_thread::yield();
  const Status synced = sync_();
  syncs_.fetch_add(1);
  if (!synced.is_ok()) return std::nullopt;
  return target;
}

bool DurabilityGate::settle_inline(std::uint64_t ticket) {
  std::lock_guard lock(inline_mu_);
  if (is_durable(ticket)) return true;
  const auto covered = sync_started_writes();
  if (!covered) return false;
  durable_.store(std::max(durable_.load(), *covered), std::memory_order_release);
  return true;
}

bool DurabilityGate::when_durable(std::uint64_t ticket, Callback done) {
  {
    std::lock_guard lock(mu_);
    if (is_durable(ticket)) return false;
    if (failed_) {
      done(false);
      return true;
    }
    waiters_.push_back({ticket, std::move(done)});
  }
  wake_.notify_one();
  return true;
}

void DurabilityGate::settle_all() {
  if (mode_ == Mode::kInline) return;  // nothing ever waits
  std::unique_lock lock(mu_);
  wake_.notify_one();
  settled_.wait(lock, [this] { return waiters_.empty(); });
}

//! [gate-sync]
void DurabilityGate::run() {
  std::unique_lock lock(mu_);
  while (true) {
    wake_.wait(lock, [this] { return stopping_ || !waiters_.empty(); });
    if (waiters_.empty() && stopping_) return;
    // Under steady load the connections settled by the last sync are about to wait again.
    // Syncing at once would cover only the first few, and the rest would wait a whole sync
    // more; so give them as long as a sync takes (at most kMaxGather) to join this one.
    const auto patience = std::min(last_sync_, kMaxGather);
    wake_.wait_for(lock, patience, [this] { return stopping_ || waiters_.size() >= last_batch_; });
    const auto started = std::chrono::steady_clock::now();
    lock.unlock();
    const auto covered = sync_started_writes();
    lock.lock();
    last_sync_ = std::chrono::duration_cast<std::chrono::microseconds>(
        std::chrono::steady_clock::now() - started);
    if (covered && !failed_) {
      durable_.store(std::max(durable_.load(), *covered), std::memory_order_release);
    } else {
      failed_ = true;  // the log is in doubt: nothing waiting may ever be acknowledged
    }
    std::vector<Waiter> settled;
    auto still_waiting = std::partition(waiters_.begin(), waiters_.end(), [&](const Waiter& w) {
      return !failed_ && !is_durable(w.ticket);
    });
    std::move(still_waiting, waiters_.end(), std::back_inserter(settled));
    waiters_.erase(still_waiting, waiters_.end());
    last_batch_ = settled.size();
    const bool durable = !failed_;
    lock.unlock();
    for (auto& w : settled) w.done(durable);
    lock.lock();
    settled_.notify_all();
  }
}
//! [gate-sync]

Status GatedStore::set(std::string_view key, std::string_view value) {
  gate_.write_started();
  Status s = inner_.set(key, value);
  gate_.write_done();
  return s;
}

Status GatedStore::del(std::string_view key) {
  gate_.write_started();
  Status s = inner_.del(key);
  gate_.write_done();
  return s;
}

}  // namespace vkv::net
