/// \file
/// replay_log: reads a log back at start-up, cuts a torn tail, and stops at corruption.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "03-wal/data_dir.hpp"
#include "common/env.hpp"
#include "03-wal/log_record.hpp"

namespace vkv::storage {

/// How replay_log treats a damaged log.
struct RecoveryOptions {
  /// When a bad record has whole records after it: false (the default) stops with a
  /// corruption error and changes nothing; true cuts the log at the bad record, dropping it
  /// and everything after it, and reports what was dropped.
  bool repair = false;
};

/// What replay_log found and did, for the program to tell its user.
struct RecoveryReport {
  std::string path;               ///< The log replayed.
  std::uint64_t records = 0;      ///< Whole records replayed.
  std::uint64_t log_bytes = 0;    ///< Where the log ends after recovery (all of it replayed).
  std::uint64_t torn_bytes = 0;   ///< Bytes of a torn last record cut off (0: none).
  /// Zero bytes cut off after the last whole record (or after the torn one). A file system
  /// may leave zeros where appends were going when the machine stopped, and a file layer
  /// that makes a log's space ahead of its records leaves them after any exit. Either way no
  /// record was written there, so nothing acknowledged is lost: not damage, and lines()
  /// leaves it out.
  std::uint64_t zero_tail_bytes = 0;
  std::optional<std::uint64_t> repaired_at;  ///< Where repair cut the log, if it did.
  std::uint64_t dropped_bytes = 0;    ///< Bytes repair dropped.
  std::uint64_t dropped_records = 0;  ///< Records repair dropped: the bad one and those after.

  /// One line per thing worth telling: what was replayed, a torn tail cut, a repair (not
  /// the zero tail cut: see zero_tail_bytes).
  [[nodiscard]] std::vector<std::string> lines() const;
};

/// Receives each replayed record; its views are valid only during the call. A failure
/// stops the replay and is returned.
using RecordVisitor = std::function<Status(const LogRecord&)>;

/// Replays the log at `path`: calls `visit` with every whole record, in order.
///
/// A bad record (torn, wrong checksum, unknown type...) is then judged by what follows it:
/// - nothing but zero bytes: space no record was written into (see zero_tail_bytes), or a
///   tail torn into zeros. Nothing acknowledged is there: the log is cut back to the end of
///   the last whole record (durably), and the cut is counted in zero_tail_bytes, not
///   reported as a torn record.
/// - nothing valid after it, before the zeros that end the file if any: it is a torn tail,
///   the mark of a crash during an append. The log is cut back to the end of the last whole
///   record (durably) and the cut is reported (the zeros after it count in zero_tail_bytes).
/// - whole records after it: that is corruption, not a crash. Without options.repair the
///   result is a corruption error naming the file and the bad record's offset, and nothing
///   is changed; with it, the log is cut at the bad record and the loss is reported.
/// Records before the bad one have been visited either way.
Result<RecoveryReport> replay_log(Env& env, const std::string& path, const RecordVisitor& visit,
                                  const RecoveryOptions& options = {});

/// What replay_logs found: one report per log it replayed, oldest first.
struct LogsReplayed {
  std::vector<RecoveryReport> reports;  ///< One per log replayed, in the order replayed.
  std::optional<std::uint64_t> newest;  ///< The number of the newest log replayed, if any.
};

/// Replays, with replay_log, every log in `dir` numbered `first` or above, oldest first
/// (log numbers only grow, so that is the order they were written in). Logs below `first`
/// are left alone: a caller that has their records elsewhere (chapter 5's tables) deletes
/// them. The first failure stops the replay and is returned.
Result<LogsReplayed> replay_logs(const DataDir& dir, std::uint64_t first,
                                 const RecordVisitor& visit, const RecoveryOptions& options = {});

}  // namespace vkv::storage
