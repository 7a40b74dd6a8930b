#include "recovery.hpp"

#include "log_reader.hpp"

namespace vkv::storage {

namespace {

std::string plural(std::uint64_t n, const char* one, const char* many) {
  return std::to_string(n) + " " + (n == 1 ? one : many);
}

// Counts the whole records from the reader's offset to the end of the file, hopping over
// further damage; the reader is left at the end.
Result<std::uint64_t> count_records_to_end(LogReader& reader) {
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
    auto next = reader.find_next_valid(reader.offset());
    if (!next.is_ok()) return next.status();
    if (!next->has_value()) return count;
    reader.seek(**next);
  }
}

Status corruption_error(const LogReader& reader, std::uint64_t bad_at, DecodeStatus problem,
                        std::uint64_t good_after) {
  return Status::corruption(
      reader.path() + ": bad record at offset " + std::to_string(bad_at) + " (" +
      std::string(describe(problem)) + ") with " +
      plural(good_after, "whole record", "whole records") +
      " after it: not a torn tail but damage; the log is left as it is (repair cuts it at offset " +
      std::to_string(bad_at) + ", dropping " +
      plural(reader.file_size() - bad_at, "byte", "bytes") + ")");
}

// Handles the bad record at the reader's offset: a torn tail is cut, corruption is an
// error or, with repair, cut as well.
Status handle_bad_record(Env& env, LogReader& reader, DecodeStatus problem,
                         const RecoveryOptions& options, RecoveryReport* report) {
  const std::uint64_t bad_at = reader.offset();
  auto next = reader.find_next_valid(bad_at);
  if (!next.is_ok()) return next.status();
  const std::uint64_t cut = reader.file_size() - bad_at;
  if (!next->has_value()) {
    report->torn_bytes = cut;
  } else {
    reader.seek(**next);
    auto good_after = count_records_to_end(reader);
    if (!good_after.is_ok()) return good_after.status();
    if (!options.repair) return corruption_error(reader, bad_at, problem, *good_after);
    report->repaired_at = bad_at;
    report->dropped_bytes = cut;
    report->dropped_records = 1 + *good_after;
  }
  report->log_bytes = bad_at;
  return env.truncate_file(reader.path(), bad_at);
}

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
