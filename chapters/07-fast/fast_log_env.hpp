/// \file
/// FastLogEnv: an Env whose log files make their space ahead (chapter 7's log).
#pragma once

#include <memory>
#include <string>

#include "03-wal/sync_policy.hpp"
#include "common/env_wrapper.hpp"

namespace vkv::storage {

/// An EnvWrapper that opens the write-ahead log's files (`NNNNNN.log`, DataDir::log_name)
/// as files that make their disk space ahead of their records, chosen by how the log will be
/// synced:
/// - SyncPolicy::kAlways: a ZeroFilledFile, whose space is written in zeros and synced
///   ahead (64 KiB doubling to 4 MiB), so that a sync after a batch commits only the data,
///   behind a BufferedFile, so that the appends between two syncs go out with one write;
/// - kEverySec, kNever: a MappedFile, which takes an append by a copy into a shared map of
///   fallocate-reserved space, with no system call.
/// Every other file, and every other call, goes to the target Env.
///
/// The log's files are opened with the operating system directly, not through the target,
/// so the target should be Env::posix() or a decorator whose log files may be skipped.
/// Chapter 3's code needs no change: LogWriter::open asks the DataDir's Env for the file,
/// and replay_log already cuts the zeros a crash leaves after the last record.
///
/// Usage: `FastLogEnv env(options.durable.sync);` then `LsmStore::open(env, options)` or
/// `DurableStore::open(env, options, inner)`; the Env must outlive the store. Pass the
/// policy the log is really synced with.
class FastLogEnv : public EnvWrapper {
 public:
  /// Log files for logs synced as `sync` says; everything else goes to `target`, which
  /// must outlive this Env.
  explicit FastLogEnv(SyncPolicy sync, Env& target = Env::posix())
      : EnvWrapper(target), sync_(sync) {}

  /// A log file, new and empty (truncated if it exists); other files from the target.
  Result<std::unique_ptr<WritableFile>> new_writable_file(const std::string& path) override;
  /// A log file, appended to after its end (created if missing); other files from the
  /// target.
  Result<std::unique_ptr<WritableFile>> new_appendable_file(const std::string& path) override;

  /// Whether the log files are MappedFiles (else ZeroFilledFiles) for a log synced as
  /// `sync` says: where a sync follows nearly every append, the sync is the cost; elsewhere
  /// the system call per append is.
  [[nodiscard]] static bool uses_mapped_file(SyncPolicy sync);
  /// Whether `path` names a log file (its last component is a log's name).
  [[nodiscard]] static bool is_log(const std::string& path);

 private:
  // Opens the log file at `path` as the policy says, truncated if `truncate`.
  Result<std::unique_ptr<WritableFile>> open_log(const std::string& path, bool truncate);

  const SyncPolicy sync_;
};

}  // namespace vkv::storage
