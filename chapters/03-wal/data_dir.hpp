/// \file
/// DataDir: the data directory, its LOCK, and the names of the files in it.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/env.hpp"

namespace vkv::storage {

/// A data directory held by this process.
///
/// open() creates the directory if it is missing and takes an advisory lock on its LOCK
/// file, held until the DataDir is destroyed. Two processes writing one log would interleave
/// their records and each would replay a history the other never saw, so a second opener
/// fails at once with a busy status that says so. The lock is advisory (fcntl): it binds
/// vkv programs, not other tools, and the kernel drops it when the process dies, so a
/// kill -9 never leaves a stale lock behind.
///
/// It also names the files inside: logs are `NNNNNN.log`, numbered from 1, so later chapters
/// can start a new log (and delete old ones) and replay the live ones in order.
class DataDir {
 public:
  /// The name of the lock file inside the directory.
  static constexpr std::string_view kLockName = "LOCK";

  /// Creates `path` if it does not exist (its parent must) and locks it.
  /// A busy status when another process (or another DataDir in this one) holds it.
  static Result<DataDir> open(Env& env, std::string path);

  /// The file name of log number `number`: "000001.log" for 1.
  static std::string log_name(std::uint64_t number);
  /// The number in a log file name ("000042.log" gives 42), or nothing if `name` is not one.
  static std::optional<std::uint64_t> parse_log_name(std::string_view name);
  /// A numbered file's name: the number in at least six digits, then `suffix`
  /// ("000007.sst" for 7 and ".sst"). Logs use it, and so do later chapters' files.
  static std::string numbered_name(std::uint64_t number, std::string_view suffix);
  /// The number in a name made by numbered_name with `suffix`, or nothing if `name` is not
  /// one (no number, a number of 0, or another suffix).
  static std::optional<std::uint64_t> parse_numbered_name(std::string_view name,
                                                          std::string_view suffix);

  /// The path of the file `name` in this directory.
  [[nodiscard]] std::string file_path(std::string_view name) const;
  /// The path of log number `number` in this directory.
  [[nodiscard]] std::string log_path(std::uint64_t number) const;
  /// The numbers of the logs in the directory, smallest (oldest) first.
  [[nodiscard]] Result<std::vector<std::uint64_t>> log_numbers() const;

  /// The directory's path, as given to open().
  [[nodiscard]] const std::string& path() const { return path_; }
  /// The Env the directory is used through.
  [[nodiscard]] Env& env() const { return *env_; }

 private:
  DataDir(Env& env, std::string path, std::unique_ptr<FileLock> lock)
      : env_(&env), path_(std::move(path)), lock_(std::move(lock)) {}

  Env* env_;
  std::string path_;
  std::unique_ptr<FileLock> lock_;  // held for the DataDir's lifetime
};

}  // namespace vkv::storage
