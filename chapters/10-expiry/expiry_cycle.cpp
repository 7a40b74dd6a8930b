#include "10-expiry/expiry_cycle.hpp"

#include <pthread.h>
#include <sched.h>

#include <future>
#include <utility>

namespace vkv::engine {

ExpiryCycle::ExpiryCycle(storage::ExpiringStore& store, KeyLocks& locks,
                         ExpiryCycleOptions options, ExpiryCycleHooks hooks)
    : store_(store), locks_(locks), options_(options), hooks_(std::move(hooks)) {}

ExpiryCycle::~ExpiryCycle() { stop(); }

void ExpiryCycle::start() {
  {
    std::lock_guard lock(mu_);
    stopping_ = false;
  }
  if (options_.idle_priority) {  // made here, by an ordinary thread: ordinary too
    writer_.emplace();
    writer_->run([] { pthread_setname_np(pthread_self(), "vkv-expiry-w"); });
  }
  thread_ = std::thread([this] { loop(); });
}

void ExpiryCycle::stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
  writer_.reset();  // the cycle has stopped: nothing is queued
}

//! [idle-priority]
namespace {
// Whether this thread is an expiry cycle's, lowered to SCHED_IDLE.
thread_local bool t_idle_cycle = false;

// Puts the calling thread under SCHED_IDLE (which takes no priority number: 0). A kernel or
// sandbox that refuses leaves it an ordinary thread, which the budget still bounds.
bool lower_to_idle_priority() {
  const sched_param none{};
  return pthread_setschedparam(pthread_self(), SCHED_IDLE, &none) == 0;
}
}  // namespace

void ExpiryCycle::loop() {
  // The name a benchmark (or top -H) finds this thread by in /proc/<pid>/task/*/stat.
  pthread_setname_np(pthread_self(), "vkv-expiry");
  // Background work yields to the requests: see ExpiryCycleOptions::idle_priority.
  if (options_.idle_priority && lower_to_idle_priority()) {
    t_idle_cycle = true;
    at_idle_priority_.store(true, std::memory_order_relaxed);
  }
  {
    std::size_t noted = 0;
    const Status s = store_.rebuild_index(&noted);
    std::lock_guard run(run_mu_);
    if (s.is_ok()) {
      if (hooks_.rebuilt) hooks_.rebuilt(noted);
    } else {
      report(s);  // the index holds what the walk found before it failed, and every new write
    }
  }
  // Runs start every period from the last start (not the last end), so the rate stays
  // `hz` however long each run took.
  auto next = std::chrono::steady_clock::now() + options_.period;
  std::unique_lock lock(mu_);
  while (!wake_.wait_until(lock, next, [this] { return stopping_; })) {
    lock.unlock();
    run_once(store_.clock().now());
    lock.lock();
    next += options_.period;
    const auto now = std::chrono::steady_clock::now();
    if (next < now) next = now;  // a late run (a long reclaim): start afresh, do not catch up
  }
}

// What the cycle writes, written by an ordinary thread: a thread it started would inherit
// SCHED_IDLE for good (an unprivileged thread cannot raise its policy again).
void ExpiryCycle::run_ordinary(const std::function<void()>& job) {
  if (!t_idle_cycle) return job();  // an ordinary thread already (or run_once() from a test)
  std::promise<void> done;
  std::future<void> finished = done.get_future();
  writer_->run([&] {
    job();
    done.set_value();
  });
  finished.wait();
}
//! [idle-priority]

// LEARNER: begin ExpiryCycle::run_once(): sample, delete what is due, go on while much was due and time is left
//! [cycle]
ExpiryRun ExpiryCycle::run_once(storage::UnixMillis now) {
  std::lock_guard run_lock(run_mu_);
  const auto started = std::chrono::steady_clock::now();
  const std::size_t batch_size = options_.batch > 0 ? options_.batch : 1;
  ExpiryRun run;
  std::vector<std::string> batch;
  for (;;) {
    batch.clear();
    const storage::ExpirySample sample = store_.index().sample_due(now, batch_size, &batch);
    run.looked += sample.looked;
    run.taken += sample.due;
    run.status = expire_batch(batch, now, &run);
    if (!run.status.is_ok()) break;       // tried again next run
    if (sample.looked < batch_size) break;  // once round the whole index: done
    if (sample.due * 100 <= sample.looked * options_.stale_percent) break;  // few left: done
    if (std::chrono::steady_clock::now() - started >= options_.budget) {
      run.out_of_time = true;             // the rest waits for the next run
      break;
    }
  }
  runs_.fetch_add(1, std::memory_order_relaxed);
  if (run.out_of_time) out_of_time_runs_.fetch_add(1, std::memory_order_relaxed);
  expired_since_reclaim_ += run.expired;
  if (!run.status.is_ok()) {
    report(run.status);
  } else {
    if (run.taken > 0) last_reported_.clear();  // it worked: a failure again is news
    maybe_reclaim(&run);
  }
  return run;
}
// LEARNER: end

Status ExpiryCycle::expire_batch(const std::vector<std::string>& batch, storage::UnixMillis now,
                                 ExpiryRun* run) {
  using Stored = storage::ExpiringStore::Stored;
  // 1. Which keys look expired, read without their locks: the most of the work, done at the
  //    cycle's own priority, holding no key's lock while it may wait for a core.
  std::vector<std::string> candidates;
  std::size_t checked = 0;
  Status failed;
  for (; checked < batch.size(); ++checked) {
    auto stored = store_.check_expired(batch[checked], now);
    if (!stored.is_ok()) {
      failed = stored.status();
      break;
    }
    if (*stored == Stored::kExpired) {
      candidates.push_back(batch[checked]);
    } else if (*stored == Stored::kGone) {  // expired too: a compaction dropped it first
      ++run->found_gone;
      expired_keys_.fetch_add(1, std::memory_order_relaxed);
    }
  }
  // 2. On an ordinary thread: the candidates locked together, so that no write can slip in
  //    between a key's check and its delete, checked again (a write may have come since;
  //    their blocks are in the cache now), and deleted.
  std::size_t done = 0;
  std::size_t deleted = 0;
  std::size_t gone = 0;
  if (!candidates.empty()) {
    run_ordinary([&] {
      auto held = locks_.lock_all(candidates);
      for (; done < candidates.size(); ++done) {
        auto again = store_.check_expired(candidates[done], now);
        Status s = again.status();
        if (s.is_ok() && *again == Stored::kExpired) s = store_.delete_expired(candidates[done]);
        if (!s.is_ok()) {
          if (failed.is_ok()) failed = s;
          break;
        }
        if (*again == Stored::kExpired) ++deleted;
        if (*again == Stored::kGone) ++gone;
      }
    });
  }
  run->expired += deleted;
  run->found_gone += gone;
  expired_keys_.fetch_add(deleted + gone, std::memory_order_relaxed);
  if (failed.is_ok()) return Status::ok();
  // Still due: the next run retries what was not done.
  for (std::size_t i = done; i < candidates.size(); ++i) store_.index().note(candidates[i], now);
  for (std::size_t i = checked; i < batch.size(); ++i) store_.index().note(batch[i], now);
  return failed;
}
//! [cycle]

//! [reclaim]
void ExpiryCycle::maybe_reclaim(ExpiryRun* run) {
  if (!hooks_.reclaim) return;
  const std::uint64_t enough = options_.reclaim_after > 0 ? options_.reclaim_after : 1;
  if (backlog_reclaim_due(*run, enough)) {
    reclaim_owed_ = true;  // its wave's end reclaims again: see backlog_reclaim_due()
    reclaim(run);
    next_backlog_reclaim_ = std::chrono::steady_clock::now() + backlog_interval();
    return;
  }
  // A wave is over when a run finds nothing due. Reclaiming at every run of one would
  // compact everything again and again while the keys are still going.
  if (run->taken > 0 || (expired_since_reclaim_ < enough && !reclaim_owed_)) return;
  reclaim_owed_ = false;
  reclaim(run);
}

void ExpiryCycle::reclaim(ExpiryRun* run) {
  expired_since_reclaim_ = 0;  // a failed reclaim waits for enough keys to expire again
  run->reclaimed = true;
  reclaims_.fetch_add(1, std::memory_order_relaxed);
  Status s;
  run_ordinary([&] { s = hooks_.reclaim(); });  // a flush opens a log, which starts threads
  if (s.is_ok()) {
    last_reported_.clear();
  } else {
    report(s);
  }
}
//! [reclaim]

//! [backlog-reclaim]
bool ExpiryCycle::backlog_reclaim_due(const ExpiryRun& run, std::uint64_t enough) {
  if (!run.out_of_time || backlog_interval().count() <= 0) {
    next_backlog_reclaim_.reset();  // no backlog (or no reclaim during one)
    return false;
  }
  const auto now = std::chrono::steady_clock::now();
  if (!next_backlog_reclaim_) {  // a backlog starts
    next_backlog_reclaim_ = now + backlog_interval();
    return false;
  }
  // Keys the cycle deleted, not keys it found gone: after a reclaim, the rest of the backlog
  // is found gone, and asks for no compaction more.
  return now >= *next_backlog_reclaim_ && expired_since_reclaim_ >= enough;
}

std::chrono::milliseconds ExpiryCycle::backlog_interval() const {
  return std::min(options_.backlog_reclaim_every,
                  std::chrono::milliseconds(std::chrono::hours(24)));
}
//! [backlog-reclaim]

void ExpiryCycle::report(const Status& s) {
  std::string what = s.to_string();
  if (what == last_reported_) return;
  last_reported_ = std::move(what);
  if (hooks_.failed) hooks_.failed(s);
}

}  // namespace vkv::engine
