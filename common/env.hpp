/// \file
/// Env: the file layer every piece of storage code goes through.
///
/// Storage never calls open(2) or fsync(2) itself; it asks an Env. The real one,
/// Env::posix(), calls the operating system. The test one (FaultInjectionEnv, in
/// fault_injection_env.hpp) can be told to fail any call, or to "crash": forget everything
/// written since the last sync, the way a power loss does. That is how the storage tests
/// reach every error path and every crash point. Such a decorator derives from EnvWrapper
/// (env_wrapper.hpp), which forwards every call, and overrides only what it changes.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.hpp"

namespace vkv {

/// A file open for appending. Not thread-safe: one writer at a time.
class WritableFile {
 public:
  virtual ~WritableFile() = default;
  /// Appends `data` at the end of the file (handed to the OS; not yet durable).
  ///
  /// If it fails (a full disk), the file takes back what it wrote of `data` where it can:
  /// then size() is what it was before the call, the file holds nothing after it, and a
  /// later append may succeed (once there is room). Where it cannot, size() counts the
  /// bytes that did reach the file, and its tail is in doubt.
  virtual Status append(std::string_view data) = 0;
  /// Makes everything appended so far durable (fdatasync).
  virtual Status sync() = 0;
  /// Closes the file; later calls fail. The destructor closes too, ignoring errors.
  virtual Status close() = 0;
  /// The file's size: its size when opened plus every byte appended since (where the next
  /// append goes).
  [[nodiscard]] virtual std::uint64_t size() const = 0;
};

/// A file read from start to end, for replaying a log.
class SequentialFile {
 public:
  virtual ~SequentialFile() = default;
  /// Reads up to `n` bytes into `out` (replacing its contents); an empty `out` means the end.
  virtual Status read(std::size_t n, std::string* out) = 0;
};

/// A file read at any offset, for SSTables. Safe to call from many threads at once.
class RandomAccessFile {
 public:
  virtual ~RandomAccessFile() = default;
  /// Reads exactly `n` bytes at `offset` into `out`; a short read is an error (corruption).
  virtual Status read(std::uint64_t offset, std::size_t n, std::string* out) const = 0;
  /// The file's size when it was opened.
  [[nodiscard]] virtual std::uint64_t size() const = 0;
};

/// A held advisory lock on a file; released when destroyed.
class FileLock {
 public:
  virtual ~FileLock() = default;
};

/// The operations storage code may perform on files and directories.
///
/// Every method may be called from any thread.
class Env {
 public:
  virtual ~Env() = default;

  /// The Env that calls the operating system.
  static Env& posix();

  /// Creates `path`, or truncates it if it exists, and opens it for appending.
  virtual Result<std::unique_ptr<WritableFile>> new_writable_file(const std::string& path) = 0;
  /// Opens `path` for appending after its current end, creating it if missing.
  virtual Result<std::unique_ptr<WritableFile>> new_appendable_file(const std::string& path) = 0;
  /// Opens `path` for reading from the start.
  virtual Result<std::unique_ptr<SequentialFile>> new_sequential_file(const std::string& path) = 0;
  /// Opens `path` for reading at any offset.
  virtual Result<std::unique_ptr<RandomAccessFile>> new_random_access_file(
      const std::string& path) = 0;

  /// Renames `from` to `to`, replacing `to` if it exists (rename(2)); durable after sync_dir.
  virtual Status rename_file(const std::string& from, const std::string& to) = 0;
  /// Removes `path`; durable after sync_dir.
  virtual Status remove_file(const std::string& path) = 0;
  /// Cuts `path` down to `size` bytes and makes the new size durable.
  virtual Status truncate_file(const std::string& path, std::uint64_t size) = 0;
  /// Creates directory `dir` if it does not exist (its parent must).
  virtual Status create_dir(const std::string& dir) = 0;
  /// Removes directory `dir`, which must be empty (rmdir(2)); durable after sync_dir of its
  /// parent. For a program that builds a directory aside and throws away an unfinished one
  /// (chapter 10's upgrade of an older data directory).
  virtual Status remove_dir(const std::string& dir) = 0;
  /// Makes the directory's entries (created, renamed, removed files) durable (fsync on it).
  virtual Status sync_dir(const std::string& dir) = 0;
  /// The names (not paths) of the entries in `dir`, without "." and "..", in no set order.
  virtual Result<std::vector<std::string>> list_dir(const std::string& dir) = 0;
  /// True when `path` exists.
  virtual bool file_exists(const std::string& path) = 0;
  /// The size of `path` in bytes.
  virtual Result<std::uint64_t> file_size(const std::string& path) = 0;
  /// Takes an exclusive advisory lock on `path` (created if missing). Fails with a busy status
  /// when another process (or another lock in this one) holds it.
  virtual Result<std::unique_ptr<FileLock>> lock_file(const std::string& path) = 0;
};

}  // namespace vkv
