#include "03-wal/recovery.hpp"

#include <algorithm>

#include "03-wal/log_reader.hpp"

namespace vkv::storage {

namespace {

std::string plural(std::uint64_t n, const char* one, const char* many) {
  return std::to_string(n) + " " + (n == 1 ? one : many);
}

// Counts the whole records from the reader's offset on, hopping over further damage but
// looking for records to hop to only before `limit` (where the zeros that end the file
// begin). The reader is left after the last whole record (at the end, if that is where it
// ends).
Result<std::uint64_t> count_records_to_end(LogReader& reader, std::uint64_t limit) {
  std::uint64_t count = 0;
  LogRecord record;
  DecodeStatus problem{};
  for (;;) {
    auto outcome = reader.next(&record, &problem);
    if (!outcome.is_ok()) return outcome.status();
    if (*outcome == LogReader::Outcome::kEnd) return count;
    if (*outcome == LogReader::Outcome::kRecord) {
      ++count;
      continue;
    }
    auto next = reader.find_next_valid(reader.offset(), limit);
    if (!next.is_ok()) return next.status();
    if (!next->has_value()) return count;
    reader.seek(**next);
  }
}

Status corruption_error(const LogReader& reader, std::uint64_t bad_at, DecodeStatus problem,
                        std::uint64_t good_after, std::uint64_t dropped) {
  return Status::corruption(
      reader.path() + ": bad record at offset " + std::to_string(bad_at) + " (" +
      std::string(describe(problem)) + ") with " +
      plural(good_after, "whole record", "whole records") +
      " after it: not a torn tail but damage; the log is left as it is (repair cuts it at offset " +
      std::to_string(bad_at) + ", dropping " + plural(dropped, "byte", "bytes") + ")");
}

//! [bad-record]
// Where the torn record at `bad_at` ends: as far as its header says, if it has a believable
// one, else at the end of the file; never before the zeros that end the file begin
// (`zeros_at`), nor after the end of the file. Zeros after that are a zero tail.
Result<std::uint64_t> torn_record_end(LogReader& reader, std::uint64_t bad_at,
                                      std::uint64_t zeros_at) {
  auto claimed = reader.claimed_end(bad_at);
  if (!claimed.is_ok()) return claimed.status();
  const std::uint64_t end = std::max(zeros_at, claimed->value_or(reader.file_size()));
  return std::min(end, reader.file_size());
}

// Handles the bad record at the reader's offset: a zero tail and a torn tail are cut,
// corruption is an error or, with repair, cut as well.
Status handle_bad_record(Env& env, LogReader& reader, DecodeStatus problem,
                         const RecoveryOptions& options, RecoveryReport* report) {
  const std::uint64_t bad_at = reader.offset();
  // No record wrote the zeros that end the file (or they are a tail torn into zeros): no
  // record starts there (its type would be 0), so the search for whole records stops there.
  auto zeros_at = reader.zero_tail_start();
  if (!zeros_at.is_ok()) return zeros_at.status();
  if (*zeros_at <= bad_at) {
    report->zero_tail_bytes = reader.file_size() - bad_at;
  } else {
    auto next = reader.find_next_valid(bad_at, *zeros_at);
    if (!next.is_ok()) return next.status();
    if (!next->has_value()) {
      auto torn_end = torn_record_end(reader, bad_at, *zeros_at);
      if (!torn_end.is_ok()) return torn_end.status();
      report->torn_bytes = *torn_end - bad_at;
      report->zero_tail_bytes = reader.file_size() - *torn_end;
    } else {
      reader.seek(**next);
      auto good_after = count_records_to_end(reader, *zeros_at);
      if (!good_after.is_ok()) return good_after.status();
      const std::uint64_t data_end = std::max(*zeros_at, reader.offset());
      const std::uint64_t dropped = data_end - bad_at;
      if (!options.repair) return corruption_error(reader, bad_at, problem, *good_after, dropped);
      report->repaired_at = bad_at;
      report->dropped_bytes = dropped;
      report->dropped_records = 1 + *good_after;
      report->zero_tail_bytes = reader.file_size() - data_end;
    }
  }
  report->log_bytes = bad_at;
  return env.truncate_file(reader.path(), bad_at);
}
//! [bad-record]

}  // namespace

std::vector<std::string> RecoveryReport::lines() const {
  std::vector<std::string> out;
  if (records > 0) {
    out.push_back(path + ": replayed " + plural(records, "record", "records") + " (" +
                  plural(log_bytes, "byte", "bytes") + ")");
  }
  if (torn_bytes > 0) {
    out.push_back(path + ": cut a torn record at the tail: " +
                  plural(torn_bytes, "byte", "bytes") + " after offset " +
                  std::to_string(log_bytes) + " (a crash interrupted an append)");
  }
  if (repaired_at) {
    out.push_back(path + ": repair cut the log at offset " + std::to_string(*repaired_at) +
                  ": dropped " + plural(dropped_bytes, "byte", "bytes") + " and " +
                  plural(dropped_records, "record", "records") +
                  " (the bad record and every record after it)");
  }
  return out;
}

// LEARNER: begin replay_log(): visit each whole record; hand a bad one to handle_bad_record()
//! [replay-log]
Result<RecoveryReport> replay_log(Env& env, const std::string& path, const RecordVisitor& visit,
                                  const RecoveryOptions& options) {
  auto reader = LogReader::open(env, path);
  if (!reader.is_ok()) return reader.status();
  RecoveryReport report;
  report.path = path;
  LogRecord record;
  DecodeStatus problem{};
  for (;;) {
    auto outcome = reader->next(&record, &problem);
    if (!outcome.is_ok()) return outcome.status();
    if (*outcome == LogReader::Outcome::kEnd) break;
    if (*outcome == LogReader::Outcome::kBadRecord) {
      VKV_RETURN_IF_ERROR(handle_bad_record(env, *reader, problem, options, &report));
      return report;
    }
    VKV_RETURN_IF_ERROR(visit(record));
    ++report.records;
  }
  report.log_bytes = reader->offset();
  return report;
}
//! [replay-log]
// LEARNER: end

//! [replay-logs]
Result<LogsReplayed> replay_logs(const DataDir& dir, std::uint64_t first,
                                 const RecordVisitor& visit, const RecoveryOptions& options) {
  auto numbers = dir.log_numbers();
  if (!numbers.is_ok()) return numbers.status();
  LogsReplayed replayed;
  for (std::uint64_t n : *numbers) {
    if (n < first) continue;
    auto report = replay_log(dir.env(), dir.log_path(n), visit, options);
    if (!report.is_ok()) return report.status();
    replayed.reports.push_back(std::move(report).value());
    replayed.newest = n;
  }
  return replayed;
}
//! [replay-logs]

}  // namespace vkv::storage
