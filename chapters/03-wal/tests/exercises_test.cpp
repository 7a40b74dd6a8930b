// The checks of the page's exercises. They are hidden ([.exercise]): `make test` skips them,
// `make exercise N=3` runs them, and each fails until the learner has done its exercise.
// They drive the real ch03-wal program and look at the files it leaves, so they compile
// before the exercise is done.
#include <catch2/catch.hpp>

#include <filesystem>
#include <string>

#include "common/testing/test_util.hpp"

using vkv::testing::files_in;
using vkv::testing::read_whole_file;
using vkv::testing::run_program;
using vkv::testing::TempDir;
using vkv::testing::write_whole_file;

TEST_CASE("the --compact flag rewrites the log as one new log of the live keys",
          "[.exercise][ch03]") {
  TempDir tmp;
  const std::string dir = tmp.file("data");
  const auto first = run_program(CH03_PROGRAM, {"--dir", dir},
                                 "SET a 1\nSET a 2\nSET b 3\nDEL b\nSET c 4\n");
  REQUIRE(first.exit_code == 0);

  const auto compacted = run_program(CH03_PROGRAM, {"--dir", dir, "--compact"},
                                     "GET a\nGET b\nGET c\n");
  INFO("its standard error: " << compacted.err);
  CHECK(compacted.exit_code == 0);
  CHECK(compacted.out == "VALUE 2\nNOT_FOUND\nVALUE 4\n");

  // One log, not the old one, holding two SET records of a one-byte key and value (13 bytes
  // each): no overwritten value, no tombstone.
  const auto logs = files_in(dir, ".log");
  REQUIRE(logs.size() == 1);
  CHECK(std::filesystem::path(logs[0]).filename() != "000001.log");
  CHECK(std::filesystem::file_size(logs[0]) == 2 * 13);

  // A plain start replays the new log, and writes go on after it.
  const auto again = run_program(CH03_PROGRAM, {"--dir", dir}, "GET a\nGET b\nSET d 5\nGET d\n");
  CHECK(again.exit_code == 0);
  CHECK(again.out == "VALUE 2\nNOT_FOUND\nOK\nVALUE 5\n");

  // On a new, empty directory there is nothing to compact, and nothing fails.
  const auto fresh = run_program(CH03_PROGRAM, {"--dir", tmp.file("fresh"), "--compact"},
                                 "SET x 1\nGET x\n");
  CHECK(fresh.exit_code == 0);
  CHECK(fresh.out == "OK\nVALUE 1\n");
}

TEST_CASE("a repeated or a missing record stops start-up as corruption", "[.exercise][ch03]") {
  // Three records of one shape, so each is a third of the log whatever the format adds.
  TempDir tmp;
  const std::string dir = tmp.file("data");
  const std::string log = dir + "/000001.log";
  REQUIRE(run_program(CH03_PROGRAM, {"--dir", dir}, "SET a 1\nSET b 2\nSET c 3\n").exit_code == 0);
  const std::string whole = read_whole_file(log);
  REQUIRE(whole.size() % 3 == 0);
  const std::size_t record = whole.size() / 3;

  SECTION("a record written twice") {
    write_whole_file(log, whole + whole.substr(0, record));
  }
  SECTION("a record missing from the middle") {
    write_whole_file(log, whole.substr(0, record) + whole.substr(2 * record));
  }
  // Every record is whole and its checksum good: only its place in the sequence is wrong.
  const auto stopped = run_program(CH03_PROGRAM, {"--dir", dir}, "GET a\n");
  CHECK(stopped.exit_code == 1);
  CHECK(stopped.err.find("corruption") != std::string::npos);
  CHECK(stopped.err.find("sequence") != std::string::npos);

  // --repair cuts the log where the sequence breaks, and the store starts.
  const auto repaired = run_program(CH03_PROGRAM, {"--dir", dir, "--repair"}, "GET a\n");
  CHECK(repaired.exit_code == 0);
  CHECK(repaired.out == "VALUE 1\n");
}
