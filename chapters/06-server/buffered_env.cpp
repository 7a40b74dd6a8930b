#include "06-server/buffered_env.hpp"

#include <condition_variable>
#include <string>

namespace vkv::net {

/// A WritableFile that buffers appends until flush(); see BufferedEnv.
class BufferedFile : public WritableFile {
 public:
  BufferedFile(BufferedEnv& env, std::unique_ptr<WritableFile> base)
      : env_(env), base_(std::move(base)) {}
  ~BufferedFile() override {
    {
      std::unique_lock lock(mu_);
      no_syncs_.wait(lock, [this] { return syncing_ == 0; });
      (void)flush_locked();
    }
    env_.forget(this);
  }

  Status append(std::string_view data) override {
    std::lock_guard lock(mu_);
    buffer_.append(data);
    return buffer_.size() >= BufferedEnv::kFlushBytes ? flush_locked() : Status::ok();
  }
  Status sync() override {
    std::lock_guard lock(mu_);
    VKV_RETURN_IF_ERROR(flush_locked());
    return base_->sync();
  }
  // Closing syncs too: once a file is closed, sync_all() no longer covers it, and a write the
  // gate counted may still be in it (the store closes an old log when it starts a new one).
  Status close() override {
    std::unique_lock lock(mu_);
    no_syncs_.wait(lock, [this] { return syncing_ == 0; });
    if (closed_) return Status::ok();
    VKV_RETURN_IF_ERROR(flush_locked());
    VKV_RETURN_IF_ERROR(base_->sync());
    closed_ = true;
    return base_->close();
  }
  std::uint64_t size() const override {
    std::lock_guard lock(mu_);
    return base_->size() + buffer_.size();
  }
  Status flush() {
    std::lock_guard lock(mu_);
    return flush_locked();
  }
  // Flushes, then syncs without holding mu_, so appends go on meanwhile (write(2) and
  // fdatasync(2) on one descriptor may run at once); close() waits for it.
  Status flush_and_sync() {
    {
      std::lock_guard lock(mu_);
      if (closed_) return Status::ok();  // close() synced it
      VKV_RETURN_IF_ERROR(flush_locked());
      ++syncing_;
    }
    Status s = base_->sync();
    {
      std::lock_guard lock(mu_);
      --syncing_;
    }
    no_syncs_.notify_all();
    return s;
  }

 private:
  Status flush_locked() {
    if (buffer_.empty() || closed_) return Status::ok();
    Status s = base_->append(buffer_);
    buffer_.clear();  // on failure the file is in doubt; the writer above poisons itself
    return s;
  }

  BufferedEnv& env_;
  mutable std::mutex mu_;
  std::unique_ptr<WritableFile> base_;  // guarded by mu_
  std::string buffer_;                  // guarded by mu_
  int syncing_ = 0;                     // guarded by mu_: flush_and_sync calls under way
  bool closed_ = false;                 // guarded by mu_: close() synced and closed it
  std::condition_variable no_syncs_;    // syncing_ went back to 0
};

Status BufferedEnv::flush_all() {
  std::lock_guard lock(mu_);
  Status first;
  for (BufferedFile* f : open_) {
    Status s = f->flush();
    if (first.is_ok() && !s.is_ok()) first = s;
  }
  return first;
}

Status BufferedEnv::sync_all() {
  std::lock_guard lock(mu_);
  Status first;
  for (BufferedFile* f : open_) {
    Status s = f->flush_and_sync();
    if (first.is_ok() && !s.is_ok()) first = s;
  }
  return first;
}

Result<std::unique_ptr<WritableFile>> BufferedEnv::wrap(Result<std::unique_ptr<WritableFile>> file) {
  if (!file.is_ok()) return file.status();
  auto buffered = std::make_unique<BufferedFile>(*this, std::move(file).value());
  std::lock_guard lock(mu_);
  open_.insert(buffered.get());
  return std::unique_ptr<WritableFile>(std::move(buffered));
}

void BufferedEnv::forget(BufferedFile* file) {
  std::lock_guard lock(mu_);
  open_.erase(file);
}

Result<std::unique_ptr<WritableFile>> BufferedEnv::new_writable_file(const std::string& path) {
  return wrap(target().new_writable_file(path));
}

Result<std::unique_ptr<WritableFile>> BufferedEnv::new_appendable_file(const std::string& path) {
  return wrap(target().new_appendable_file(path));
}

}  // namespace vkv::net
