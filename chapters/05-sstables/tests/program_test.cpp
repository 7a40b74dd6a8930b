// The real ch05-sstables program: transcripts, restarts over flushed tables, --dump on a
// table it wrote, a damaged table, and bad flags.
#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>
#include <string>
#include <vector>

#include "common/env.hpp"
#include "05-sstables/table.hpp"
#include "common/testing/shell_session.hpp"
#include "common/testing/test_util.hpp"
#include "common/testing/transcript.hpp"

using vkv::testing::load_transcript;
using vkv::testing::read_whole_file;
using vkv::testing::run_program;
using vkv::testing::TempDir;
using vkv::testing::write_whole_file;

namespace {

std::vector<std::string> tables_in(const std::string& dir) {
  return vkv::testing::files_in(dir, ".sst");
}

std::string key(int i) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "key%05d", i);
  return buf;
}

std::string value(int i) { return "value-" + std::to_string(i) + "-" + std::string(150, 'x'); }

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

// Writes 3000 keys with a small memtable, so the program flushes several tables.
std::string fill(const std::string& dir) {
  std::string input;
  for (int i = 0; i < 3000; ++i) input += "SET " + key(i) + " " + value(i) + "\n";
  const auto r = run_program(CH05_PROGRAM, {"--dir", dir, "--memtable-bytes", "64K",
                                            "--sync", "never"}, input);
  REQUIRE(r.exit_code == 0);
  REQUIRE(r.err.empty());
  return r.out;
}

}  // namespace

TEST_CASE("ch05-sstables: transcript basic", "[ch05]") {
  TempDir tmp;
  const auto t = load_transcript(CH05_TRANSCRIPTS, "basic.session");
  const auto r = run_program(CH05_PROGRAM, {"--dir", tmp.file("data")}, t.input);
  CHECK(r.exit_code == 0);
  CHECK(r.out == t.expected);
  CHECK(r.err.empty());
}

TEST_CASE("ch05-sstables: a restart replays the log (transcripts restart-1, restart-2)",
          "[ch05]") {
  TempDir tmp;
  const std::string dir = tmp.file("data");
  const auto first = load_transcript(CH05_TRANSCRIPTS, "restart-1.session");
  const auto r1 = run_program(CH05_PROGRAM, {"--dir", dir}, first.input);
  CHECK(r1.exit_code == 0);
  CHECK(r1.out == first.expected);
  const auto second = load_transcript(CH05_TRANSCRIPTS, "restart-2.session");
  const auto r2 = run_program(CH05_PROGRAM, {"--dir", dir}, second.input);
  CHECK(r2.exit_code == 0);
  CHECK(r2.out == second.expected);
  CHECK(r2.err == "ch05-sstables: " + dir + "/000001.log: replayed 3 records (" +
                      std::to_string(read_whole_file(dir + "/000001.log").size() - 21) +
                      " bytes)\n");  // before SET river Loire
}

TEST_CASE("ch05-sstables: the page's Run it session (tests/run-it), replayed in one shell",
          "[ch05]") {
  vkv::testing::ShellSession shell(VKV_BUILD_DIR);
  for (const auto& step : shell.run_all(vkv::testing::session_files(CH05_RUN_IT))) {
    CHECK(step.mismatch() == "");
  }
}

TEST_CASE("ch05-sstables: keys flushed to tables are there after a restart, deletes too",
          "[ch05]") {
  TempDir tmp;
  const std::string dir = tmp.file("data");
  const std::string out = fill(dir);
  CHECK(std::count(out.begin(), out.end(), '\n') == 3000);
  const auto tables = tables_in(dir);
  CHECK(tables.size() >= 3);

  std::string input;
  std::string expected;
  for (int i = 0; i < 3000; i += 10) {
    input += "GET " + key(i) + "\n";
    expected += "VALUE " + value(i) + "\n";
  }
  for (int i = 0; i < 3000; i += 3) {
    input += "DEL " + key(i) + "\n";
    expected += "OK\n";
  }
  const auto second = run_program(CH05_PROGRAM, {"--dir", dir, "--memtable-bytes", "64K"}, input);
  CHECK(second.exit_code == 0);
  CHECK(second.out == expected);
  CHECK(contains(second.err, "ch05-sstables: " + dir + ": opened and verified " +
                                 std::to_string(tables.size()) + " tables holding "));

  input.clear();
  expected.clear();
  for (int i = 0; i < 3000; ++i) {
    input += "GET " + key(i) + "\n";
    expected += i % 3 == 0 ? "NOT_FOUND\n" : "VALUE " + value(i) + "\n";
  }
  const auto third = run_program(CH05_PROGRAM, {"--dir", dir}, input);
  CHECK(third.exit_code == 0);
  CHECK(third.out == expected);
}

TEST_CASE("ch05-sstables: --dump prints a table it wrote, block by block", "[ch05]") {
  TempDir tmp;
  const std::string dir = tmp.file("data");
  fill(dir);
  const std::string table = tables_in(dir).front();
  const auto r = run_program(CH05_PROGRAM, {"--dump", table}, "");
  CHECK(r.exit_code == 0);
  CHECK(r.err.empty());
  CHECK(r.out.rfind("SSTable " + table + ": " +
                        std::to_string(read_whole_file(table).size()) + " bytes\n", 0) == 0);
  CHECK(contains(r.out, "magic \"vkvSSTab\", format version 1"));
  CHECK(contains(r.out, "index block at offset "));
  CHECK(contains(r.out, "data block 0 at offset 0, "));
  CHECK(contains(r.out, "    value     \"key00000\" (" + std::to_string(value(0).size()) +
                            "-byte value)\n"));
  CHECK(contains(r.out, "all checksums ok\n"));

  const auto missing = run_program(CH05_PROGRAM, {"--dump", tmp.file("nope.sst")}, "");
  CHECK(missing.exit_code == 1);
  CHECK(missing.err == "ch05-sstables: not found: open " + tmp.file("nope.sst") +
                           ": No such file or directory\n");
}

TEST_CASE("ch05-sstables: a damaged table: --dump shows it, start-up refuses by name",
          "[ch05]") {
  TempDir tmp;
  const std::string dir = tmp.file("data");
  fill(dir);
  const std::string table = tables_in(dir).front();
  std::uint64_t block1 = 0;
  {
    auto file = vkv::Env::posix().new_random_access_file(table);
    REQUIRE(file.is_ok());
    auto t = vkv::storage::Table::open(std::move(*file), table);
    REQUIRE(t.is_ok());
    block1 = (*t)->data_block_handle(1).offset;
  }
  std::string bytes = read_whole_file(table);
  bytes[block1 + 100] ^= 0x01;
  write_whole_file(table, bytes);

  const std::string where = table + ": data block 1 at offset " + std::to_string(block1) +
                            ": checksum mismatch";
  const auto dump = run_program(CH05_PROGRAM, {"--dump", table}, "");
  CHECK(dump.exit_code == 1);
  CHECK(contains(dump.out, "MISMATCH"));
  CHECK(contains(dump.out, "1 damaged blocks"));
  CHECK(dump.err == "ch05-sstables: corruption: " + where + "\n");

  const auto start = run_program(CH05_PROGRAM, {"--dir", dir}, "GET key00001\n");
  CHECK(start.exit_code == 1);
  CHECK(start.out.empty());
  CHECK(start.err.rfind("ch05-sstables: corruption: " + where + " (stored 0x", 0) == 0);
}

TEST_CASE("ch05-sstables: --help and bad flags", "[ch05]") {
  const auto help = run_program(CH05_PROGRAM, {"--help"}, "");
  CHECK(help.exit_code == 0);
  for (const char* flag : {"--dir", "--sync", "--repair", "--memtable-bytes", "--block-cache-bytes",
                           "--dump"}) {
    CHECK(contains(help.out, flag));
  }
  const auto bad = run_program(CH05_PROGRAM, {"--memtable-bytes", "lots"}, "");
  CHECK(bad.exit_code == 2);
  CHECK(bad.err == "ch05-sstables: bad value 'lots' for --memtable-bytes: expected a size such "
                   "as 4096, 64K or 4M\n");
  const auto small = run_program(CH05_PROGRAM, {"--memtable-bytes", "1K"}, "");
  CHECK(small.exit_code == 2);
  CHECK(small.err == "ch05-sstables: bad value 1024 for --memtable-bytes: expected a size of at "
                     "least 64K\n");
}
