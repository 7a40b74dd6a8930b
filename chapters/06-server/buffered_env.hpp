/// \file
/// BufferedEnv: an Env whose files gather appends in memory until they are flushed.
#pragma once

#include <memory>
#include <mutex>
#include <set>

#include "common/env.hpp"

namespace vkv::net {

class BufferedFile;

/// Wraps an Env so that appends to files opened for writing collect in a memory buffer, and
/// reach the operating system only on flush_all(), sync() or close() (or when a buffer passes
/// kFlushBytes). close() also syncs the file, since sync_all() covers only open files.
///
/// Why: under `--sync always` the server's log is written, not mapped (chapter 3), so each
/// record would cost a write(2), and a client that pipelines 16 SETs 16 system calls. Here
/// the writes of everyone served since the last sync collect in memory, and the gate's
/// sync_all() hands them to the operating system with one write and syncs them. Replies are
/// never sent before that (the DurabilityGate sees to it), so nothing in a buffer has been
/// acknowledged.
///
/// Reading a file that has unflushed appends sees only what was flushed: the storage code
/// reads logs only at start-up and tables only after syncing them, so it never notices.
class BufferedEnv : public Env {
 public:
  /// A buffer this large is written through at once, whatever flush_all() does.
  static constexpr std::size_t kFlushBytes = 1 << 20;

  /// Wraps `base`, which must outlive this object.
  explicit BufferedEnv(Env& base) : base_(base) {}

  /// Hands every open file's buffered appends to the operating system. Safe from any thread.
  Status flush_all();

  /// flush_all(), then makes every open file durable (fdatasync). Appends to a file may go on
  /// while it is being synced: what they add is simply not covered by this call. Safe from any
  /// thread; the store's own locks are not held, so its writers do not wait for the disk.
  Status sync_all();

  /// A buffered file (see the class comment).
  Result<std::unique_ptr<WritableFile>> new_writable_file(const std::string& path) override;
  /// A buffered file (see the class comment).
  Result<std::unique_ptr<WritableFile>> new_appendable_file(const std::string& path) override;
  /// A buffered file over the base Env's mapped file: a flush is then a copy.
  Result<std::unique_ptr<WritableFile>> new_mapped_file(const std::string& path) override;
  /// As the base Env.
  Result<std::unique_ptr<SequentialFile>> new_sequential_file(const std::string& path) override {
    return base_.new_sequential_file(path);
  }
  /// As the base Env.
  Result<std::unique_ptr<RandomAccessFile>> new_random_access_file(const std::string& path) override {
    return base_.new_random_access_file(path);
  }
  /// As the base Env.
  Status rename_file(const std::string& from, const std::string& to) override {
    return base_.rename_file(from, to);
  }
  /// As the base Env.
  Status remove_file(const std::string& path) override { return base_.remove_file(path); }
  /// As the base Env.
  Status truncate_file(const std::string& path, std::uint64_t size) override {
    return base_.truncate_file(path, size);
  }
  /// As the base Env.
  Status create_dir(const std::string& dir) override { return base_.create_dir(dir); }
  /// As the base Env.
  Status sync_dir(const std::string& dir) override { return base_.sync_dir(dir); }
  /// As the base Env.
  Result<std::vector<std::string>> list_dir(const std::string& dir) override {
    return base_.list_dir(dir);
  }
  /// As the base Env.
  bool file_exists(const std::string& path) override { return base_.file_exists(path); }
  /// As the base Env.
  Result<std::uint64_t> file_size(const std::string& path) override { return base_.file_size(path); }
  /// As the base Env.
  Result<std::unique_ptr<FileLock>> lock_file(const std::string& path) override {
    return base_.lock_file(path);
  }

 private:
  friend class BufferedFile;
  Result<std::unique_ptr<WritableFile>> wrap(Result<std::unique_ptr<WritableFile>> file);
  void forget(BufferedFile* file);

  Env& base_;
  std::mutex mu_;                   // guards open_
  std::set<BufferedFile*> open_;    // every file not yet destroyed
};

}  // namespace vkv::net
