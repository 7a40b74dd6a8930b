#include "03-wal/log_writer.hpp"

#include <pthread.h>

#include <algorithm>

#include "03-wal/log_format.hpp"

namespace vkv::storage {

// One write() call waiting in the queue. It lives on the writer's stack; the leader fills
// in `status` and sets `done` under queue_mu_, and the writer returns only after that.
struct LogWriter::Writer {
  const LogRecord* record;
  const Apply* apply;
  Status status;
  bool done = false;
};

//! [log-open]
Result<std::unique_ptr<LogWriter>> LogWriter::open(const DataDir& dir, std::uint64_t number,
                                                   LogWriterOptions options) {
  Env& env = dir.env();
  const std::string path = dir.log_path(number);
  const bool exists = env.file_exists(path);
  auto file = exists ? env.new_appendable_file(path) : env.new_writable_file(path);
  if (!file.is_ok()) return file.status();
  // A new file's name is durable only once its directory is synced.
  if (!exists) VKV_RETURN_IF_ERROR(env.sync_dir(dir.path()));
  return std::make_unique<LogWriter>(std::move(file).value(), path, options);
}
//! [log-open]

LogWriter::LogWriter(std::unique_ptr<WritableFile> file, std::string path,
                     LogWriterOptions options)
    : path_(std::move(path)),
      options_(options),
      file_(std::move(file)),
      appended_(file_->size()),
      synced_(file_->size()) {
  if (options_.sync == SyncPolicy::kEverySec) {
    syncer_ = std::jthread([this](std::stop_token stop) { run_syncer(stop); });
    pthread_setname_np(syncer_.native_handle(), "vkv-log-sync");  // as `top -H` shows it
  }
}

LogWriter::~LogWriter() {
  if (syncer_.joinable()) {
    syncer_.request_stop();
    syncer_.join();
  }
  std::lock_guard lock(file_mu_);
  if (options_.sync == SyncPolicy::kEverySec && failure_.is_ok() && synced_ < appended_) {
    (void)sync_locked();  // best effort
  }
  (void)file_->close();  // best effort: what matters was synced above, or by the policy
}

// LEARNER: begin LogWriter::write(): queue up; the writer at the front leads a batch, the rest wait
//! [group-commit]
Status LogWriter::write(const LogRecord& record, const Apply& apply) {
  if (encoded_size(record) - LogFormat::kHeaderSize > LogFormat::kMaxPayload) {
    return Status::invalid_argument("record too large for the log: key and value must fit in " +
                                    std::to_string(LogFormat::kMaxPayload) + " bytes");
  }
  if (options_.sync != SyncPolicy::kAlways || options_.defer_sync) {
    return write_direct(record, apply);
  }
  Writer self{&record, &apply, {}, false};
  std::unique_lock lock(queue_mu_);
  queue_.push_back(&self);
  if (leader_waiting_ && queue_.size() >= last_batch_) stragglers_.notify_one();
  queue_changed_.wait(lock, [&] { return self.done || queue_.front() == &self; });
  if (self.done) return self.status;  // a leader committed our record for us

  wait_for_stragglers(lock);
  // Take the writers queued behind us, commit them without holding the queue lock (so more
  // writers can queue up for the next batch meanwhile), then wake them.
  std::vector<Writer*> batch;
  std::size_t bytes = 0;
  for (Writer* w : queue_) {
    bytes += encoded_size(*w->record);
    if (!batch.empty() && bytes > kMaxBatchBytes) break;
    batch.push_back(w);
  }
  last_batch_ = batch.size();
  lock.unlock();
  commit(batch);
  lock.lock();
  for (std::size_t i = 0; i < batch.size(); ++i) {
    queue_.front()->done = true;
    queue_.pop_front();
  }
  const Status status = self.status;
  lock.unlock();
  // One wake-up for the whole batch and the next leader, made after unlocking so that they
  // do not wake only to wait for the lock. (The condition variable is a member, so it is
  // still there however soon the woken writers return.)
  queue_changed_.notify_all();
  return status;
}
//! [group-commit]
// LEARNER: end

//! [write-direct]
Status LogWriter::write_direct(const LogRecord& record, const Apply& apply) {
  // Without a sync to share there is nothing to batch. What must hold is that two writes of
  // one key reach `apply` in the order they sit in the log: otherwise the store could keep
  // the value that the log, and so the next start, says lost. So one lock is held across
  // the append and the apply. (file_mu_ is taken only for the append, so the everysec
  // syncer never waits for an apply.)
  std::lock_guard order(direct_mu_);
  thread_local std::string encoded;
  encoded.clear();
  encode_record(record, &encoded);
  Status s;
  {
    std::lock_guard lock(file_mu_);
    s = append_locked(encoded, /*sync=*/false);
  }
  if (s.is_ok() && apply) {
    s = apply(record);
    if (!s.is_ok()) {
      std::lock_guard lock(file_mu_);
      poison_locked(s);
    }
  }
  return s;
}
//! [write-direct]

//! [stragglers]
void LogWriter::wait_for_stragglers(std::unique_lock<std::mutex>& lock) {
  // The writers of the last batch were woken a moment ago, and under steady load they are
  // about to queue again. If we took our batch now we would get only the first few; the
  // rest would form the next batch, and batches would alternate between a few writers and
  // most of them. So we wait until as many are queued as the last batch had, but never
  // longer than a sync takes: a writer who misses this batch waits for one more sync anyway.
  // A lone writer never waits (its last batch was itself).
  if (options_.sync != SyncPolicy::kAlways || queue_.size() >= last_batch_) return;
  const auto patience = std::min(std::chrono::nanoseconds(last_sync_nanos_.load()),
                                 std::chrono::nanoseconds(kMaxStragglerWait));
  leader_waiting_ = true;
  stragglers_.wait_for(lock, patience, [this] { return queue_.size() >= last_batch_; });
  leader_waiting_ = false;
}
//! [stragglers]

// LEARNER: begin LogWriter::commit(): append the batch with one sync, then apply its records in log order
//! [commit]
void LogWriter::commit(const std::vector<Writer*>& batch) {
  batch_.clear();
  for (const Writer* w : batch) encode_record(*w->record, &batch_);
  Status s;
  {
    std::lock_guard lock(file_mu_);
    s = append_locked(batch_, /*sync=*/options_.sync == SyncPolicy::kAlways);
  }
  // Apply in log order, only once the batch is as durable as the policy promises.
  for (Writer* w : batch) {
    if (s.is_ok() && *w->apply) {
      w->status = (*w->apply)(*w->record);
      if (!w->status.is_ok()) {
        std::lock_guard lock(file_mu_);
        poison_locked(w->status);
        s = failure_;
      }
      continue;
    }
    w->status = s;
  }
}
//! [commit]
// LEARNER: end

Status LogWriter::sync() {
  std::lock_guard lock(file_mu_);
  if (failure_.is_ok() && synced_ == appended_) return Status::ok();
  return sync_locked();
}

std::size_t LogWriter::queued() const {
  std::lock_guard lock(queue_mu_);
  return queue_.size();
}

Status LogWriter::health() const {
  std::lock_guard lock(file_mu_);
  return failure_;
}

//! [append]
Status LogWriter::append_locked(std::string_view bytes, bool sync) {
  if (!failure_.is_ok()) return failure_;
  if (Status s = file_->append(bytes); !s.is_ok()) {
    // The file took the partial write back (it ends at our last whole record): fail only
    // this append. Otherwise what it holds past our records is in doubt.
    if (file_->size() != appended_) poison_locked(s);
    if (options_.on_write_error) options_.on_write_error(s);
    return s;
  }
  appended_ += bytes.size();
  return sync ? sync_locked() : Status::ok();
}
//! [append]

Status LogWriter::sync_locked() {
  if (!failure_.is_ok()) return failure_;
  const std::uint64_t target = appended_;
  const auto start = std::chrono::steady_clock::now();
  Status s = file_->sync();
  last_sync_nanos_ = std::chrono::duration_cast<std::chrono::nanoseconds>(
                         std::chrono::steady_clock::now() - start)
                         .count();
  ++syncs_;
  if (!s.is_ok()) {
    poison_locked(s);
    if (options_.on_write_error) options_.on_write_error(failure_);
    return s;
  }
  synced_ = target;
  return Status::ok();
}

void LogWriter::poison_locked(const Status& cause) {
  if (!failure_.is_ok()) return;
  failure_ = Status::io_error("log " + path_ + " takes no more writes after a failure (" +
                              cause.to_string() + "); restart to recover from the log");
}

//! [everysec]
void LogWriter::run_syncer(std::stop_token stop) {
  std::unique_lock wait_lock(syncer_mu_);
  for (;;) {
    // Sleeps for the interval, or until the destructor asks us to stop.
    syncer_wake_.wait_for(wait_lock, stop, options_.sync_interval, [] { return false; });
    if (stop.stop_requested()) return;
    std::lock_guard lock(file_mu_);
    // A failure poisons the log: later writes fail instead of being acknowledged unsynced.
    if (failure_.is_ok() && synced_ < appended_) (void)sync_locked();
  }
}
//! [everysec]

}  // namespace vkv::storage
