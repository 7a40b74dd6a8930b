#include "common/fault_injection_env.hpp"

#include <algorithm>
#include <utility>

#include "common/path.hpp"

namespace vkv {
namespace {

// `dir` without trailing slashes, so "/d/" and "/d" name the same directory.
std::string normalise_dir(std::string dir) {
  while (dir.size() > 1 && dir.back() == '/') dir.pop_back();
  return dir;
}

}  // namespace

// A WritableFile that goes through the Env's fault counter and records how much of the
// file is durable.
class FaultInjectionEnv::TrackedFile final : public WritableFile {
 public:
  TrackedFile(FaultInjectionEnv* env, std::unique_ptr<WritableFile> base, std::string path,
              std::shared_ptr<FileState> state)
      : env_(env), base_(std::move(base)), path_(std::move(path)), state_(std::move(state)) {}

  Status append(std::string_view data) override {
    std::lock_guard lock(env_->mu_);
    VKV_RETURN_IF_ERROR(check("append"));
    VKV_RETURN_IF_ERROR(base_->append(data));
    state_->size += data.size();
    return Status::ok();
  }

  Status sync() override {
    std::lock_guard lock(env_->mu_);
    VKV_RETURN_IF_ERROR(check("sync"));
    VKV_RETURN_IF_ERROR(base_->sync());
    state_->synced = state_->size;
    return Status::ok();
  }

  Status close() override {
    std::lock_guard lock(env_->mu_);
    VKV_RETURN_IF_ERROR(check("close"));
    return base_->close();
  }

  [[nodiscard]] std::uint64_t size() const override { return base_->size(); }

 private:
  // Counts the operation, then refuses it if a fault is due or a crash came in between.
  // REQUIRES: env_->mu_ is held.
  Status check(std::string_view op) {
    VKV_RETURN_IF_ERROR(env_->count_op(op, path_));
    if (state_->dead) {
      return Status::io_error(std::string(op) + " " + path_ + ": file was open at a crash");
    }
    return Status::ok();
  }

  FaultInjectionEnv* env_;
  std::unique_ptr<WritableFile> base_;
  std::string path_;
  std::shared_ptr<FileState> state_;
};

FaultInjectionEnv::FaultInjectionEnv(Env& base) : EnvWrapper(base) {}

FaultInjectionEnv::~FaultInjectionEnv() = default;

void FaultInjectionEnv::fail_after(std::uint64_t n_ops) {
  std::lock_guard lock(mu_);
  first_failing_ = ops_ + n_ops + 1;
  fail_once_ = false;
}

void FaultInjectionEnv::fail_once_after(std::uint64_t n_ops) {
  std::lock_guard lock(mu_);
  first_failing_ = ops_ + n_ops + 1;
  fail_once_ = true;
}

void FaultInjectionEnv::clear_faults() {
  std::lock_guard lock(mu_);
  first_failing_.reset();
  fail_once_ = false;
  failing_reads_.reset();
}

void FaultInjectionEnv::fail_reads_of(std::string suffix) {
  std::lock_guard lock(mu_);
  failing_reads_ = std::move(suffix);
}

Status FaultInjectionEnv::read_fault(const std::string& path) {
  std::lock_guard lock(mu_);
  if (!failing_reads_ || !path.ends_with(*failing_reads_)) return Status::ok();
  ++faults_;
  return Status::io_error("injected fault: read " + path);
}

// A file of the base Env whose every read first asks the Env whether it must fail.
class FaultInjectionEnv::FaultyReads final : public RandomAccessFile {
 public:
  FaultyReads(FaultInjectionEnv& env, std::string path, std::unique_ptr<RandomAccessFile> file)
      : env_(env), path_(std::move(path)), file_(std::move(file)) {}
  Status read(std::uint64_t offset, std::size_t n, std::string* out) const override {
    VKV_RETURN_IF_ERROR(env_.read_fault(path_));
    return file_->read(offset, n, out);
  }
  [[nodiscard]] std::uint64_t size() const override { return file_->size(); }

 private:
  FaultInjectionEnv& env_;
  const std::string path_;
  const std::unique_ptr<RandomAccessFile> file_;
};

Result<std::unique_ptr<RandomAccessFile>> FaultInjectionEnv::new_random_access_file(
    const std::string& path) {
  auto file = target().new_random_access_file(path);
  if (!file.is_ok()) return file.status();
  return std::unique_ptr<RandomAccessFile>(
      std::make_unique<FaultyReads>(*this, path, std::move(file).value()));
}

std::uint64_t FaultInjectionEnv::mutating_ops() const {
  std::lock_guard lock(mu_);
  return ops_;
}

std::uint64_t FaultInjectionEnv::injected_faults() const {
  std::lock_guard lock(mu_);
  return faults_;
}

Status FaultInjectionEnv::count_op(std::string_view op, const std::string& path) {
  ++ops_;
  if (!first_failing_ || ops_ < *first_failing_) return Status::ok();
  if (fail_once_ && ops_ != *first_failing_) return Status::ok();
  ++faults_;
  return Status::io_error("injected fault: " + std::string(op) + " " + path);
}

Result<std::string> FaultInjectionEnv::durable_content(const std::string& path) {
  auto file = target().new_sequential_file(path);
  if (!file.is_ok()) return file.status();
  std::string content;
  std::string chunk;
  do {
    VKV_RETURN_IF_ERROR((*file)->read(64 * 1024, &chunk));
    content += chunk;
  } while (!chunk.empty());
  if (auto it = files_.find(path); it != files_.end()) {
    content.resize(std::min<std::uint64_t>(content.size(), it->second->synced));
  }
  return content;
}

Status FaultInjectionEnv::restore(const std::string& path, const std::string& content) {
  auto file = target().new_writable_file(path);
  if (!file.is_ok()) return file.status();
  VKV_RETURN_IF_ERROR((*file)->append(content));
  VKV_RETURN_IF_ERROR((*file)->sync());
  return (*file)->close();
}

Result<std::unique_ptr<WritableFile>> FaultInjectionEnv::open_writable(const std::string& path,
                                                                        bool truncate) {
  std::lock_guard lock(mu_);
  VKV_RETURN_IF_ERROR(count_op(truncate ? "new_writable_file" : "new_appendable_file", path));
  const bool existed = target().file_exists(path);
  auto file = truncate ? target().new_writable_file(path) : target().new_appendable_file(path);
  if (!file.is_ok()) return file.status();

  auto& state = files_[path];
  if (truncate || !state) {
    // A fresh state: truncation counts as durable, and an untracked file's existing bytes
    // count as synced. An appendable file already tracked keeps what it knew.
    state = std::make_shared<FileState>();
    state->size = state->synced = (*file)->size();
  }
  if (!existed) {
    pending_.push_back({PendingChange::Kind::kCreate, parent_dir(path), path, {}, {}});
  }
  return std::unique_ptr<WritableFile>(
      std::make_unique<TrackedFile>(this, std::move(file).value(), path, state));
}

Result<std::unique_ptr<WritableFile>> FaultInjectionEnv::new_writable_file(
    const std::string& path) {
  return open_writable(path, /*truncate=*/true);
}

Result<std::unique_ptr<WritableFile>> FaultInjectionEnv::new_appendable_file(
    const std::string& path) {
  return open_writable(path, /*truncate=*/false);
}

Status FaultInjectionEnv::rename_file(const std::string& from, const std::string& to) {
  std::lock_guard lock(mu_);
  VKV_RETURN_IF_ERROR(count_op("rename", from + " " + to));
  std::optional<std::string> replaced;
  if (target().file_exists(to)) {
    auto content = durable_content(to);
    if (!content.is_ok()) return content.status();
    replaced = std::move(content).value();
  }
  VKV_RETURN_IF_ERROR(target().rename_file(from, to));

  auto moved = files_.extract(from);
  files_.erase(to);
  if (moved) {
    moved.key() = to;
    files_.insert(std::move(moved));
  }
  pending_.push_back({PendingChange::Kind::kRename, parent_dir(to), to, from, replaced});
  return Status::ok();
}

Status FaultInjectionEnv::remove_file(const std::string& path) {
  std::lock_guard lock(mu_);
  VKV_RETURN_IF_ERROR(count_op("remove", path));
  std::optional<std::string> removed;
  if (auto content = durable_content(path); content.is_ok()) {
    removed = std::move(content).value();
  }
  VKV_RETURN_IF_ERROR(target().remove_file(path));
  files_.erase(path);
  pending_.push_back({PendingChange::Kind::kRemove, parent_dir(path), path, {}, removed});
  return Status::ok();
}

Status FaultInjectionEnv::truncate_file(const std::string& path, std::uint64_t size) {
  std::lock_guard lock(mu_);
  VKV_RETURN_IF_ERROR(count_op("truncate", path));
  VKV_RETURN_IF_ERROR(target().truncate_file(path, size));
  if (auto it = files_.find(path); it != files_.end()) {
    it->second->size = it->second->synced = size;
  }
  return Status::ok();
}

Status FaultInjectionEnv::create_dir(const std::string& dir) {
  std::lock_guard lock(mu_);
  VKV_RETURN_IF_ERROR(count_op("create_dir", dir));
  return target().create_dir(dir);
}

Status FaultInjectionEnv::remove_dir(const std::string& dir) {
  std::lock_guard lock(mu_);
  VKV_RETURN_IF_ERROR(count_op("remove_dir", dir));
  return target().remove_dir(dir);
}

Status FaultInjectionEnv::sync_dir(const std::string& dir) {
  std::lock_guard lock(mu_);
  VKV_RETURN_IF_ERROR(count_op("sync_dir", dir));
  VKV_RETURN_IF_ERROR(target().sync_dir(dir));
  const std::string synced = normalise_dir(dir);
  std::erase_if(pending_, [&](const PendingChange& c) { return c.dir == synced; });
  return Status::ok();
}

Status FaultInjectionEnv::crash_file(const std::string& path, const FileState& state,
                                     std::uint64_t keep_unsynced) {
  if (!target().file_exists(path)) return Status::ok();
  auto size = target().file_size(path);
  if (!size.is_ok()) return size.status();
  const std::uint64_t keep = state.synced + std::min(keep_unsynced, state.size - state.synced);
  if (*size > keep) return target().truncate_file(path, keep);
  return Status::ok();
}

Status FaultInjectionEnv::undo(const PendingChange& change) {
  switch (change.kind) {
    case PendingChange::Kind::kCreate:
      if (target().file_exists(change.path)) return target().remove_file(change.path);
      return Status::ok();
    case PendingChange::Kind::kRename:
      if (target().file_exists(change.path)) {
        VKV_RETURN_IF_ERROR(target().rename_file(change.path, change.from));
      }
      if (change.saved) return restore(change.path, *change.saved);
      return Status::ok();
    case PendingChange::Kind::kRemove:
      if (change.saved) return restore(change.path, *change.saved);
      return Status::ok();
  }
  return Status::ok();
}

Status FaultInjectionEnv::crash(std::uint64_t keep_unsynced_bytes) {
  std::lock_guard lock(mu_);
  Status first_error;
  auto note = [&first_error](Status s) {
    if (first_error.is_ok() && !s.is_ok()) first_error = std::move(s);
  };

  // First cut the data back, while every file is still under its current name...
  for (const auto& [path, state] : files_) {
    state->dead = true;
    note(crash_file(path, *state, keep_unsynced_bytes));
  }
  // ...then undo the directory changes, newest first, so each sees the state it made.
  for (auto it = pending_.rbegin(); it != pending_.rend(); ++it) note(undo(*it));

  files_.clear();
  pending_.clear();
  first_failing_.reset();
  fail_once_ = false;
  return first_error;
}

}  // namespace vkv
