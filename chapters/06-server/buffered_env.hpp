/// \file
/// BufferedEnv: an Env whose files gather appends in memory until they are flushed.
#pragma once

#include <memory>
#include <mutex>
#include <set>

#include "common/env_wrapper.hpp"

namespace vkv::net {

class BufferedFile;

/// Wraps an Env so that appends to files opened for writing collect in a memory buffer, and
/// reach the operating system only on flush_all(), sync() or close() (or when a buffer passes
/// kFlushBytes). close() also syncs the file, since sync_all() covers only open files.
///
/// Why: under `--sync always` each log record would cost a write(2), and a client that
/// pipelines 16 SETs 16 system calls. Here the writes of everyone served since the last sync
/// collect in memory, and the gate's sync_all() hands them to the operating system with one
/// write and syncs them. Replies are never sent before that (the DurabilityGate sees to it),
/// so nothing in a buffer has been acknowledged.
///
/// Reading a file that has unflushed appends sees only what was flushed: the storage code
/// reads logs only at start-up and tables only after syncing them, so it never notices.
class BufferedEnv : public EnvWrapper {
 public:
  /// A buffer this large is written through at once, whatever flush_all() does.
  static constexpr std::size_t kFlushBytes = 1 << 20;

  /// Wraps `base`, which must outlive this object.
  explicit BufferedEnv(Env& base) : EnvWrapper(base) {}

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
  // Everything else: forwarded by EnvWrapper.

 private:
  friend class BufferedFile;
  Result<std::unique_ptr<WritableFile>> wrap(Result<std::unique_ptr<WritableFile>> file);
  void forget(BufferedFile* file);

  std::mutex mu_;                   // guards open_
  std::set<BufferedFile*> open_;    // every file not yet destroyed
};

}  // namespace vkv::net
