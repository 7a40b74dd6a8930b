/// \file
/// Env: the file layer every piece of storage code goes through.
///
/// Storage never calls open(2) or fsync(2) itself; it asks an Env. The real one,
/// Env::posix(), calls the operating system. The test one (FaultInjectionEnv, in
/// fault_injection_env.hpp) can be told to fail any call, or to "crash": forget everything
/// written since the last sync, the way a power loss does. That is how the storage tests
/// reach every error path and every crash point.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.hpp"

namespace vkv {

/// How WritableFile::preallocate() makes room ahead of the data.
enum class Preallocation {
  /// Reserve the blocks with fallocate(2). Cheap: nothing is written. The file system marks
  /// the blocks *unwritten*, and the first write into each one turns it into a written block:
  /// a metadata change that the next sync must commit to the journal.
  kReserve,
  /// Write the zeros, then sync them. Costs writing the space once, but from then on the
  /// blocks are plain data: a sync after writing into them commits the data and nothing
  /// else. For a file that is synced after nearly every append (a log under `always`).
  kZeroFill,
};

/// A file open for appending. Not thread-safe: one writer at a time.
class WritableFile {
 public:
  virtual ~WritableFile() = default;
  /// Appends `data` at the end of the file (handed to the OS; not yet durable).
  virtual Status append(std::string_view data) = 0;
  /// Makes everything appended so far durable (fdatasync).
  virtual Status sync() = 0;
  /// Closes the file; later calls fail. Space that preallocate() made past size() is given
  /// back first, so a closed file ends at its data (the cut is not synced: a crash soon
  /// after may bring the zeros back). The destructor closes too, ignoring errors, and gives
  /// nothing back.
  virtual Status close() = 0;
  /// The file's size: its size when opened plus every byte appended since. This is the
  /// logical size, where the next append goes: space made by preallocate() is not counted.
  [[nodiscard]] virtual std::uint64_t size() const = 0;

  /// Makes room for the file to grow to `bytes` without the size changing on each append,
  /// where the file system can, in the way `how` says; the bytes read as zeros until
  /// written.
  ///
  /// Why: fdatasync must make a changed file size durable, which costs a journal commit on
  /// top of the data. A file whose space is allocated beforehand keeps one size while it
  /// fills, so each sync writes less (on ext4, about 76 µs instead of 106 µs for a small
  /// append). With Preallocation::kZeroFill the blocks are written too, so a sync stays at
  /// that cost however many new blocks the appends since the last sync reached. The price
  /// is that the file on disk is larger than its data: it ends in zeros, after a crash and
  /// after a clean exit alike, and whoever reads it back must tell that tail from data (the
  /// log's recovery does).
  ///
  /// Appends still go to size(), not to the end of the allocated space. Asking for no more
  /// than is already there does nothing; close() gives back what was not used. The default
  /// does nothing and returns ok: an Env that cannot preallocate still appends correctly,
  /// only slower. A failure is an error the caller may ignore: it costs speed, not data.
  virtual Status preallocate(std::uint64_t bytes, Preallocation how) {
    (void)bytes;
    (void)how;
    return Status::ok();
  }
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
  /// Opens `path` for appending after its current end (its size: a preallocated tail of
  /// zeros counts as content, so cut it first), creating it if missing.
  virtual Result<std::unique_ptr<WritableFile>> new_appendable_file(const std::string& path) = 0;
  /// Like new_appendable_file, but the file takes its appends by a copy into a shared
  /// memory map of its space, not by a write(2) each: cheaper by a system call per append,
  /// and a process crash loses no more (the copied bytes are in the operating system's page
  /// cache at once). sync() makes them durable as usual. The space is reserved ahead of the
  /// appends, a window at a time, like preallocate(kReserve), and close() gives back what
  /// was not used. The default opens an ordinary appendable file.
  virtual Result<std::unique_ptr<WritableFile>> new_mapped_file(const std::string& path) {
    return new_appendable_file(path);
  }
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
