/// \file
/// FaultInjectionEnv: an Env that fails on command and can simulate a power loss.
///
/// Storage tests wrap the real Env in one of these to reach the paths that real disks
/// reach rarely: a write that fails half way through a workload, and a crash that keeps
/// only what was synced.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/env.hpp"
#include "common/env_wrapper.hpp"

namespace vkv {

/// An Env that forwards to a base Env (an EnvWrapper), counts mutating operations, fails them
/// on command, and can make the base filesystem look as it would after a power loss.
///
/// **Counting and failing.** The mutating operations are: WritableFile append, sync and
/// close; new_writable_file, new_appendable_file, rename_file, remove_file, truncate_file,
/// create_dir, remove_dir and sync_dir. Each one counts (mutating_ops()), failed ones
/// included. After fail_after(n), the (n+1)-th mutating operation from then on and every
/// later one fail; after fail_once_after(n) only the (n+1)-th does. A failed operation does nothing at all
/// and returns `Status::io_error("injected fault: <op> <path>")`. Reads, list_dir,
/// file_exists, file_size and lock_file are never counted nor failed by these. The usual test
/// counts a workload's operations once, then replays it failing at each one in turn.
///
/// **Failing reads.** After fail_reads_of(suffix), every read of a file whose path ends with
/// `suffix`, through a RandomAccessFile this Env opened (before the call or after), fails with
/// `Status::io_error("injected fault: read <path>")`, as a disk that cannot give a block back
/// would, until clear_faults(). Nothing is changed on disk, so the same reads succeed after.
///
/// **The crash model** (crash()), for files written through this Env since it was created
/// or since the last crash():
/// - A file keeps the bytes up to its last successful sync() (or truncate_file(), which is
///   durable by contract); later appends are cut off. crash() can keep some of those
///   unsynced bytes, to model a torn write that reached the disk in part.
/// - A file that did not exist before new_writable_file/new_appendable_file created it
///   vanishes, unless its directory was synced (sync_dir) after the creation.
/// - A rename not followed by a sync_dir of the target's directory is undone: the file goes
///   back to its old name, and a file the rename replaced gets back its content (the
///   durable part of it, saved in memory at the time of the rename).
/// - A remove not followed by a sync_dir of its directory is undone: the file comes back
///   with its durable content (saved in memory at the time of the remove).
///
/// What it does not model: a new_writable_file that truncated an existing file counts as a
/// durable truncation (the old content never comes back); files not written through this
/// Env are left as they are (their whole content counts as durable, even if it was never
/// synced); create_dir and remove_dir are durable at once; a rename is made durable by syncing the target's
/// directory alone, even across directories; paths are compared as written (no
/// normalisation beyond trailing slashes on directories); writes are never reordered, so
/// a crash never leaves a hole before synced bytes. Saved contents are kept in memory:
/// fine for test-sized files.
///
/// crash() is meant to be called once the store under test is destroyed or abandoned. It
/// clears the faults and all tracking, so the Env can reopen the store as after a reboot;
/// files still open from before the crash fail every later operation. The operation count
/// goes on.
///
/// Thread-safe: every operation takes one mutex (so operations through this Env do not run
/// in parallel). REQUIRES: the Env outlives every file it returns.
class FaultInjectionEnv final : public EnvWrapper {
 public:
  /// Wraps `base`, which must outlive this Env.
  explicit FaultInjectionEnv(Env& base = Env::posix());
  /// Leaves the base filesystem as it is (call crash() first to simulate a power loss).
  ~FaultInjectionEnv() override;
  /// Not copyable: the tracking belongs to one Env.
  FaultInjectionEnv(const FaultInjectionEnv&) = delete;
  /// Not copyable: the tracking belongs to one Env.
  FaultInjectionEnv& operator=(const FaultInjectionEnv&) = delete;

  /// Makes the (n_ops+1)-th mutating operation from now, and every later one, fail.
  void fail_after(std::uint64_t n_ops);
  /// Makes only the (n_ops+1)-th mutating operation from now fail; later ones succeed.
  void fail_once_after(std::uint64_t n_ops);
  /// Makes every read of a file whose path ends with `suffix` fail, from now on (see
  /// "Failing reads" above). Not counted as mutating operations; counted in injected_faults().
  void fail_reads_of(std::string suffix);
  /// Stops failing operations, and reads.
  void clear_faults();
  /// How many mutating operations were attempted through this Env (failed ones included).
  [[nodiscard]] std::uint64_t mutating_ops() const;
  /// How many operations were failed on purpose so far.
  [[nodiscard]] std::uint64_t injected_faults() const;

  /// Simulates a power loss, as described in the class comment: every tracked file is cut
  /// to its synced length plus at most `keep_unsynced_bytes` of what followed, then creates,
  /// renames and removes not followed by a sync_dir are undone, newest first. Then clears
  /// the faults and the tracking. Returns the first error of the base Env, if any.
  Status crash(std::uint64_t keep_unsynced_bytes = 0);

  /// Counted and failable; the new file's directory entry is pending until sync_dir.
  Result<std::unique_ptr<WritableFile>> new_writable_file(const std::string& path) override;
  /// Counted and failable; a file it creates is pending until sync_dir.
  Result<std::unique_ptr<WritableFile>> new_appendable_file(const std::string& path) override;
  /// Counted and failable; undone by crash() unless the target's directory is synced.
  Status rename_file(const std::string& from, const std::string& to) override;
  /// Counted and failable; undone by crash() unless the directory is synced.
  Status remove_file(const std::string& path) override;
  /// Counted and failable; the new size is durable at once.
  Status truncate_file(const std::string& path, std::uint64_t size) override;
  /// Counted and failable; the directory is durable at once.
  Status create_dir(const std::string& dir) override;
  /// Counted and failable; the removal is durable at once.
  Status remove_dir(const std::string& dir) override;
  /// Counted and failable; makes the pending creates, renames and removes in `dir` durable.
  Status sync_dir(const std::string& dir) override;
  /// The base's file, whose reads fail while fail_reads_of() names it. Never counted.
  Result<std::unique_ptr<RandomAccessFile>> new_random_access_file(
      const std::string& path) override;
  // list_dir, file_exists, file_size and lock_file: forwarded by EnvWrapper, never counted
  // nor failed.

 private:
  class TrackedFile;   // the WritableFile it hands out, in the .cpp
  class FaultyReads;   // the RandomAccessFile it hands out, in the .cpp

  // The injected fault for a read of `path`, or ok.
  Status read_fault(const std::string& path);

  // What crash() needs to know about one file written through this Env. Shared with the
  // open WritableFile, so a rename carries it along to the new name.
  struct FileState {
    std::uint64_t size = 0;    // bytes appended so far
    std::uint64_t synced = 0;  // bytes made durable by sync() or truncate_file()
    bool dead = false;         // a crash() happened since the file was opened
  };

  // A directory change that a power loss would undo, until its directory is synced.
  struct PendingChange {
    enum class Kind { kCreate, kRename, kRemove };
    Kind kind;
    std::string dir;                    // the directory whose sync_dir makes it durable
    std::string path;                   // created, removed, or the rename's target
    std::string from;                   // the rename's source
    std::optional<std::string> saved;   // the durable content replaced or removed
  };

  // Counts one mutating operation and returns the injected fault if it must fail.
  // REQUIRES: mu_ is held.
  Status count_op(std::string_view op, const std::string& path);
  // The content of `path` that would survive a crash now. REQUIRES: mu_ is held.
  Result<std::string> durable_content(const std::string& path);
  // Writes `content` to `path` through the base Env, replacing it. REQUIRES: mu_ is held.
  Status restore(const std::string& path, const std::string& content);
  // Cuts one file as a crash leaves it: synced bytes and at most `keep_unsynced` more.
  // REQUIRES: mu_ is held.
  Status crash_file(const std::string& path, const FileState& state,
                    std::uint64_t keep_unsynced);
  // Undoes one pending change during crash(). REQUIRES: mu_ is held.
  Status undo(const PendingChange& change);
  // Opens a writable file for new_writable_file (`truncate`) or new_appendable_file.
  Result<std::unique_ptr<WritableFile>> open_writable(const std::string& path, bool truncate);

  mutable std::mutex mu_;
  std::uint64_t ops_ = 0;                       // guarded by mu_
  std::uint64_t faults_ = 0;                    // guarded by mu_
  std::optional<std::uint64_t> first_failing_;  // guarded by mu_: op number, 1-based
  bool fail_once_ = false;                      // guarded by mu_
  std::optional<std::string> failing_reads_;    // guarded by mu_: the suffix of fail_reads_of
  std::map<std::string, std::shared_ptr<FileState>> files_;  // guarded by mu_
  std::vector<PendingChange> pending_;                       // guarded by mu_, oldest first
};

}  // namespace vkv
