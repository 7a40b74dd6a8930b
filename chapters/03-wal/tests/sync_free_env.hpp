// SyncFreeEnv: the real file system with fdatasync and directory fsync turned into no-ops.
//
// The crash tests put a FaultInjectionEnv on top of this one: that Env does the bookkeeping
// of what a sync made durable and what a crash takes away, so the real fdatasync below it
// adds nothing but time (a millisecond or more each, hundreds of thousands of times).
#pragma once

#include <memory>
#include <string>

#include "common/env_wrapper.hpp"

namespace vkv::testing {

/// Forwards everything to a target Env (the posix one unless told), except that syncs
/// succeed without syncing.
class SyncFreeEnv final : public EnvWrapper {
 public:
  /// Over `target`, which must outlive this Env.
  explicit SyncFreeEnv(Env& target = Env::posix()) : EnvWrapper(target) {}

  /// The target's file, whose sync() does nothing.
  Result<std::unique_ptr<WritableFile>> new_writable_file(const std::string& path) override {
    return wrap(target().new_writable_file(path));
  }
  /// The target's file, whose sync() does nothing.
  Result<std::unique_ptr<WritableFile>> new_appendable_file(const std::string& path) override {
    return wrap(target().new_appendable_file(path));
  }
  /// Does nothing.
  Status sync_dir(const std::string&) override { return Status::ok(); }

 private:
  class File final : public WritableFile {
   public:
    explicit File(std::unique_ptr<WritableFile> base) : base_(std::move(base)) {}
    Status append(std::string_view data) override { return base_->append(data); }
    Status sync() override { return Status::ok(); }
    Status close() override { return base_->close(); }
    [[nodiscard]] std::uint64_t size() const override { return base_->size(); }

   private:
    std::unique_ptr<WritableFile> base_;
  };

  static Result<std::unique_ptr<WritableFile>> wrap(Result<std::unique_ptr<WritableFile>> f) {
    if (!f.is_ok()) return f.status();
    return std::unique_ptr<WritableFile>(std::make_unique<File>(std::move(f).value()));
  }
};

}  // namespace vkv::testing
