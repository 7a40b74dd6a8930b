// replay_log: whole logs replay in order; a torn tail is cut; damage with whole records after
// it stops start-up, or is cut by repair.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "03-wal/log_format.hpp"
#include "03-wal/recovery.hpp"
#include "common/testing/test_util.hpp"

using vkv::Env;
using vkv::Status;
using vkv::storage::encode_record;
using vkv::storage::LogRecord;
using vkv::storage::RecoveryOptions;
using vkv::storage::RecoveryReport;
using vkv::storage::replay_log;
using vkv::testing::read_whole_file;
using vkv::testing::TempDir;
using vkv::testing::write_whole_file;

namespace {

// A log of `n` records, "SET key<i> value<i>" with DELs mixed in, and where each starts.
struct TestLog {
  std::string bytes;
  std::vector<std::size_t> starts;
  std::vector<std::string> texts;  // what the replay should see, one per record
};

TestLog make_log(int n) {
  TestLog log;
  for (int i = 0; i < n; ++i) {
    const std::string key = "key" + std::to_string(i);
    const std::string value = "value-" + std::string(static_cast<std::size_t>(i % 7) * 5, 'x');
    const LogRecord r = i % 4 == 3 ? LogRecord::del(key) : LogRecord::set(key, value);
    log.starts.push_back(log.bytes.size());
    encode_record(r, &log.bytes);
    log.texts.push_back((i % 4 == 3 ? "DEL " + key : "SET " + key + " " + value));
  }
  return log;
}

struct Replayed {
  vkv::Result<RecoveryReport> report = Status::io_error("not run");
  std::vector<std::string> texts;
};

Replayed replay(const std::string& path, RecoveryOptions options = {}) {
  Replayed out;
  out.report = replay_log(
      Env::posix(), path,
      [&out](const LogRecord& r) {
        out.texts.push_back(r.kind == vkv::storage::EntryKind::kValue
                                ? "SET " + std::string(r.key) + " " + std::string(r.value)
                                : "DEL " + std::string(r.key));
        return Status::ok();
      },
      options);
  return out;
}

std::vector<std::string> first(const std::vector<std::string>& v, std::size_t n) {
  return {v.begin(), v.begin() + static_cast<std::ptrdiff_t>(n)};
}

}  // namespace

TEST_CASE("recovery: a whole log replays every record in order", "[ch03]") {
  TempDir dir;
  const TestLog log = make_log(50);
  write_whole_file(dir.file("000001.log"), log.bytes);
  const Replayed r = replay(dir.file("000001.log"));
  REQUIRE(r.report.is_ok());
  CHECK(r.texts == log.texts);
  CHECK(r.report->records == 50);
  CHECK(r.report->log_bytes == log.bytes.size());
  CHECK(r.report->torn_bytes == 0);
  CHECK(r.report->lines() ==
        std::vector<std::string>{dir.file("000001.log") + ": replayed 50 records (" +
                                 std::to_string(log.bytes.size()) + " bytes)"});
}

TEST_CASE("recovery: an empty log replays nothing and reports nothing", "[ch03]") {
  TempDir dir;
  write_whole_file(dir.file("000001.log"), "");
  const Replayed r = replay(dir.file("000001.log"));
  REQUIRE(r.report.is_ok());
  CHECK(r.report->records == 0);
  CHECK(r.report->lines().empty());
}

TEST_CASE("recovery: a torn tail at every byte offset of the last record is cut", "[ch03]") {
  TempDir dir;
  const TestLog log = make_log(10);
  const std::size_t last = log.starts.back();
  const std::string path = dir.file("000001.log");
  for (std::size_t cut = last; cut < log.bytes.size(); ++cut) {
    INFO("log cut at byte " << cut << " (last record starts at " << last << ")");
    write_whole_file(path, log.bytes.substr(0, cut));
    const Replayed r = replay(path);
    REQUIRE(r.report.is_ok());
    CHECK(r.texts == first(log.texts, 9));
    CHECK(r.report->torn_bytes == cut - last);
    CHECK(r.report->log_bytes == last);
    CHECK(read_whole_file(path) == log.bytes.substr(0, last));
    if (cut > last) {
      const std::string bytes = std::to_string(cut - last) + (cut - last == 1 ? " byte" : " bytes");
      CHECK(r.report->lines().back() == path + ": cut a torn record at the tail: " + bytes +
                                            " after offset " + std::to_string(last) +
                                            " (a crash interrupted an append)");
    }
    // And the cut log now opens cleanly.
    const Replayed again = replay(path);
    REQUIRE(again.report.is_ok());
    CHECK(again.report->torn_bytes == 0);
    CHECK(again.texts == first(log.texts, 9));
  }
}

TEST_CASE("recovery: a tail of zeros is cut without a torn report",
          "[ch03]") {
  TempDir dir;
  const std::string path = dir.file("000001.log");
  std::string bytes = make_log(5).bytes;
  const std::size_t last = bytes.size();
  encode_record(LogRecord::set("empty", ""), &bytes);  // a record whose last byte is zero
  REQUIRE(bytes.back() == '\0');
  SECTION("after whole records, the last of them ending in a zero byte") {
    write_whole_file(path, bytes + std::string(4096, '\0'));
    const Replayed r = replay(path);
    REQUIRE(r.report.is_ok());
    CHECK(r.report->records == 6);
    CHECK(r.report->torn_bytes == 0);
    CHECK(r.report->zero_tail_bytes == 4096);
    CHECK(r.report->log_bytes == bytes.size());
    CHECK(read_whole_file(path) == bytes);
    CHECK(r.report->lines().size() == 1);  // "replayed ...": zeros are not news
  }
  SECTION("a last record torn into zeros, at every length, is the same thing") {
    for (std::size_t end = last; end <= bytes.size(); ++end) {
      INFO("zeros from " << last << " instead of the record's first " << end - last << " bytes");
      write_whole_file(path, bytes.substr(0, last) + std::string(end - last + 4096, '\0'));
      const Replayed r = replay(path);
      REQUIRE(r.report.is_ok());
      CHECK(r.report->records == 5);
      CHECK(r.report->torn_bytes == 0);
      CHECK(r.report->zero_tail_bytes == end - last + 4096);
      CHECK(read_whole_file(path) == bytes.substr(0, last));
      CHECK(r.report->lines().size() == 1);
    }
  }
}

TEST_CASE("recovery: a log of nothing but zeros replays nothing and is cut to empty",
          "[ch03]") {
  TempDir dir;
  const std::string path = dir.file("000001.log");
  write_whole_file(path, std::string(3 << 20, '\0'));  // more than one read chunk
  const Replayed r = replay(path);
  REQUIRE(r.report.is_ok());
  CHECK(r.report->records == 0);
  CHECK(r.report->zero_tail_bytes == 3u << 20);
  CHECK(r.report->lines().empty());
  CHECK(read_whole_file(path).empty());
}

TEST_CASE("recovery: a torn record before a zero tail is reported, the zeros not",
          "[ch03]") {
  TempDir dir;
  const TestLog log = make_log(10);
  const std::size_t last = log.starts.back();
  const std::string path = dir.file("000001.log");
  // Cut 3 bytes into the last record's payload: its header and first bytes are not zeros.
  const std::size_t cut = last + vkv::storage::LogFormat::kHeaderSize + 3;
  write_whole_file(path, log.bytes.substr(0, cut) + std::string(8192, '\0'));
  const Replayed r = replay(path);
  REQUIRE(r.report.is_ok());
  CHECK(r.texts == first(log.texts, 9));
  // The torn record is as long as its header says; the zeros after that are a zero tail.
  const std::size_t torn = log.bytes.size() - last;
  CHECK(r.report->torn_bytes == torn);
  CHECK(r.report->zero_tail_bytes == cut + 8192 - log.bytes.size());
  CHECK(r.report->lines().back() == path + ": cut a torn record at the tail: " +
                                        std::to_string(torn) + " bytes after offset " +
                                        std::to_string(last) + " (a crash interrupted an append)");
  CHECK(read_whole_file(path) == log.bytes.substr(0, last));
}

TEST_CASE("recovery: zeros with anything but zeros after them are not a zero tail",
          "[ch03]") {
  TempDir dir;
  const TestLog log = make_log(5);
  const std::string path = dir.file("000001.log");
  const std::string zeros(1000, '\0');
  SECTION("zeros, then junk: a torn tail, all of it reported") {
    write_whole_file(path, log.bytes + zeros + "junk");
    const Replayed r = replay(path);
    REQUIRE(r.report.is_ok());
    CHECK(r.texts == log.texts);
    CHECK(r.report->torn_bytes == zeros.size() + 4);
    CHECK(r.report->zero_tail_bytes == 0);
  }
  SECTION("zeros, then whole records, then zeros: a hole, which is corruption") {
    const TestLog more = make_log(2);
    const std::string bad = log.bytes + zeros + more.bytes + zeros;
    write_whole_file(path, bad);
    const Replayed r = replay(path);
    REQUIRE_FALSE(r.report.is_ok());
    CHECK(r.report.status().to_string() ==
          "corruption: " + path + ": bad record at offset " + std::to_string(log.bytes.size()) +
              " (unknown record type) with 2 whole records after it: not a torn tail but "
              "damage; the log is left as it is (repair cuts it at offset " +
              std::to_string(log.bytes.size()) + ", dropping " +
              std::to_string(zeros.size() + more.bytes.size()) + " bytes)");
    CHECK(read_whole_file(path) == bad);
    const Replayed repaired = replay(path, RecoveryOptions{.repair = true});
    REQUIRE(repaired.report.is_ok());
    CHECK(repaired.report->dropped_records == 3);
    CHECK(repaired.report->dropped_bytes == zeros.size() + more.bytes.size());
    CHECK(repaired.report->zero_tail_bytes == zeros.size());
    CHECK(read_whole_file(path) == log.bytes);
  }
}

TEST_CASE("recovery: a flipped bit in any record is detected", "[ch03]") {
  TempDir dir;
  const TestLog log = make_log(5);
  const std::string path = dir.file("000001.log");
  for (std::size_t bit = 0; bit < log.bytes.size() * 8; ++bit) {
    std::string bad = log.bytes;
    bad[bit / 8] = static_cast<char>(bad[bit / 8] ^ (1 << (bit % 8)));
    std::size_t rec = 0;
    while (rec + 1 < log.starts.size() && log.starts[rec + 1] <= bit / 8) ++rec;
    INFO("bit " << bit << " in record " << rec);
    write_whole_file(path, bad);
    const Replayed r = replay(path);
    // Records before the damaged one are replayed either way; the damaged one never is.
    CHECK(first(r.texts, std::min(r.texts.size(), rec)) == first(log.texts, rec));
    if (rec + 1 == log.starts.size()) {
      // Nothing after it: indistinguishable from a crash mid-append, so cut as a torn tail.
      REQUIRE(r.report.is_ok());
      CHECK(r.texts == first(log.texts, rec));
      CHECK(r.report->torn_bytes == log.bytes.size() - log.starts[rec]);
    } else {
      REQUIRE_FALSE(r.report.is_ok());
      CHECK(r.report.status().is_corruption());
      const std::string& msg = r.report.status().message();
      const std::string where = ": bad record at offset " + std::to_string(log.starts[rec]) + " (";
      CHECK(msg.find(path + where) == 0);
      CHECK(read_whole_file(path) == bad);  // nothing deleted
    }
  }
}

TEST_CASE("recovery: corruption in the middle stops with the file, offset and a way out",
          "[ch03]") {
  TempDir dir;
  const TestLog log = make_log(5);
  const std::string path = dir.file("000001.log");
  std::string bad = log.bytes;
  bad[log.starts[2] + 10] ^= 0x20;  // a payload byte of record 2
  write_whole_file(path, bad);
  const Replayed r = replay(path);
  REQUIRE_FALSE(r.report.is_ok());
  CHECK(r.report.status().to_string() ==
        "corruption: " + path + ": bad record at offset " + std::to_string(log.starts[2]) +
            " (checksum mismatch) with 2 whole records after it: not a torn tail but damage; "
            "the log is left as it is (repair cuts it at offset " +
            std::to_string(log.starts[2]) + ", dropping " +
            std::to_string(bad.size() - log.starts[2]) + " bytes)");
  CHECK(read_whole_file(path) == bad);
}

TEST_CASE("recovery: repair cuts at the corruption and says what it dropped", "[ch03]") {
  TempDir dir;
  const TestLog log = make_log(5);
  const std::string path = dir.file("000001.log");
  std::string bad = log.bytes;
  bad[log.starts[2] + 4] ^= 0x7f;  // record 2's length: where it ends is now unknown
  write_whole_file(path, bad);
  const Replayed r = replay(path, RecoveryOptions{.repair = true});
  REQUIRE(r.report.is_ok());
  CHECK(r.texts == first(log.texts, 2));
  CHECK(r.report->repaired_at == log.starts[2]);
  CHECK(r.report->dropped_records == 3);
  CHECK(r.report->dropped_bytes == bad.size() - log.starts[2]);
  CHECK(read_whole_file(path) == log.bytes.substr(0, log.starts[2]));
  CHECK(r.report->lines().back() ==
        path + ": repair cut the log at offset " + std::to_string(log.starts[2]) + ": dropped " +
            std::to_string(bad.size() - log.starts[2]) +
            " bytes and 3 records (the bad record and every record after it)");
  const Replayed again = replay(path);
  REQUIRE(again.report.is_ok());
  CHECK(again.texts == first(log.texts, 2));
}

TEST_CASE("recovery: a visitor's failure stops the replay", "[ch03]") {
  TempDir dir;
  write_whole_file(dir.file("000001.log"), make_log(5).bytes);
  int seen = 0;
  auto r = replay_log(Env::posix(), dir.file("000001.log"), [&seen](const LogRecord&) {
    return ++seen == 3 ? Status::io_error("full") : Status::ok();
  });
  CHECK(r.status().to_string() == "IO error: full");
  CHECK(seen == 3);
}

TEST_CASE("recovery: a missing log is not found", "[ch03]") {
  TempDir dir;
  auto r = replay_log(Env::posix(), dir.file("nope.log"),
                      [](const LogRecord&) { return Status::ok(); });
  CHECK(r.status().is_not_found());
}
