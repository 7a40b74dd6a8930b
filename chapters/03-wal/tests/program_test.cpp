// The real ch03-wal program: transcripts, a restart, kill -9, the LOCK, torn tails, repair,
// and bad flags.
#include <catch2/catch.hpp>

#include <signal.h>

#include <chrono>
#include <string>
#include <vector>

#include "common/testing/child_process.hpp"
#include "common/testing/test_util.hpp"
#include "common/testing/transcript.hpp"

using vkv::testing::ChildProcess;
using vkv::testing::ChildStream;
using vkv::testing::load_transcript;
using vkv::testing::read_whole_file;
using vkv::testing::run_program;
using vkv::testing::TempDir;
using vkv::testing::write_whole_file;

namespace {

// ch03-wal running in the background with pipes on its standard input and output, so a test
// can type a line, wait for the reply, and kill it at a moment of its choosing.
class RunningProgram {
 public:
  RunningProgram(const std::vector<std::string>& args, const std::string& err_path)
      : child_(CH03_PROGRAM, args,
               {ChildStream::pipe(), ChildStream::pipe(), ChildStream::file(err_path)}) {}

  // Types `line` and a newline.
  void send(const std::string& line) { REQUIRE(child_.write_stdin(line + "\n")); }
  // The next line of output, without its newline; waits up to 20 s, "<timeout>" or "<eof>".
  std::string read_line() {
    const auto line = child_.read_stdout_line(std::chrono::seconds(20));
    return line.value_or(child_.stdout_ended() ? "<eof>" : "<timeout>");
  }
  // Ends its input, as a learner pressing Ctrl-D.
  void close_input() { child_.close_stdin(); }
  // SIGKILL: no destructor, no flush, no goodbye.
  void kill9() { REQUIRE(child_.signal(SIGKILL)); }
  // Waits for it to end; the exit code, or 128 + the signal.
  int wait() { return child_.wait(); }

 private:
  ChildProcess child_;
};

}  // namespace

TEST_CASE("ch03-wal: transcript basic", "[ch03]") {
  TempDir tmp;
  const auto t = load_transcript(CH03_TRANSCRIPTS, "basic.session");
  const auto result = run_program(CH03_PROGRAM, {"--dir", tmp.file("data")}, t.input);
  CHECK(result.exit_code == 0);
  CHECK(result.out == t.expected);
  CHECK(result.err.empty());
}

TEST_CASE("ch03-wal: a restart replays the log (transcripts restart-1, restart-2)", "[ch03]") {
  TempDir tmp;
  const std::string dir = tmp.file("data");
  for (const char* sync : {"always", "everysec", "never"}) {
    INFO("--sync " << sync);
    std::filesystem::remove_all(dir);
    const auto first = load_transcript(CH03_TRANSCRIPTS, "restart-1.session");
    auto r1 = run_program(CH03_PROGRAM, {"--dir", dir, "--sync", sync}, first.input);
    CHECK(r1.exit_code == 0);
    CHECK(r1.out == first.expected);
    CHECK(r1.err.empty());
    const auto second = load_transcript(CH03_TRANSCRIPTS, "restart-2.session");
    auto r2 = run_program(CH03_PROGRAM, {"--dir", dir, "--sync", sync}, second.input);
    CHECK(r2.exit_code == 0);
    CHECK(r2.out == second.expected);
    const auto log_bytes = read_whole_file(dir + "/000001.log").size();
    CHECK(r2.err == "ch03-wal: " + dir + "/000001.log: replayed 4 records (" +
                        std::to_string(log_bytes - 22) + " bytes)\n");  // before SET user:3 carol
  }
}

TEST_CASE("ch03-wal: kill -9 after the OKs loses nothing", "[ch03]") {
  TempDir tmp;
  const std::string dir = tmp.file("data");
  for (const char* sync : {"always", "everysec", "never"}) {
    INFO("--sync " << sync);
    std::filesystem::remove_all(dir);
    {
      RunningProgram program({"--dir", dir, "--sync", sync}, tmp.file("err1"));
      for (int i = 0; i < 20; ++i) {
        program.send("SET key" + std::to_string(i) + " value" + std::to_string(i));
        REQUIRE(program.read_line() == "OK");
      }
      program.send("DEL key7");
      REQUIRE(program.read_line() == "OK");
      program.kill9();
      CHECK(program.wait() == 128 + SIGKILL);
    }
    std::string input;
    std::string expected;
    for (int i = 0; i < 20; ++i) {
      input += "GET key" + std::to_string(i) + "\n";
      expected += i == 7 ? "NOT_FOUND\n" : "VALUE value" + std::to_string(i) + "\n";
    }
    const auto after = run_program(CH03_PROGRAM, {"--dir", dir, "--sync", sync}, input);
    CHECK(after.exit_code == 0);
    CHECK(after.out == expected);
    CHECK(after.err.find("replayed 21 records") != std::string::npos);
  }
}

TEST_CASE("ch03-wal: a second process on the same directory stops with a clear message",
          "[ch03]") {
  TempDir tmp;
  const std::string dir = tmp.file("data");
  RunningProgram first({"--dir", dir}, tmp.file("err1"));
  first.send("SET x 1");
  REQUIRE(first.read_line() == "OK");  // the first one is up and holds the LOCK
  const auto second = run_program(CH03_PROGRAM, {"--dir", dir}, "GET x\n");
  CHECK(second.exit_code == 1);
  CHECK(second.out.empty());
  CHECK(second.err == "ch03-wal: busy: data directory " + dir +
                          " is in use by another process (it holds " + dir +
                          "/LOCK); stop that process or choose another directory\n");
  first.close_input();
  CHECK(first.wait() == 0);
  const auto third = run_program(CH03_PROGRAM, {"--dir", dir}, "GET x\n");
  CHECK(third.out == "VALUE 1\n");
}

TEST_CASE("ch03-wal: a torn tail is cut and reported in one line", "[ch03]") {
  TempDir tmp;
  const std::string dir = tmp.file("data");
  REQUIRE(run_program(CH03_PROGRAM, {"--dir", dir}, "SET a 1\nSET b 2\nSET c 3\n").exit_code == 0);
  const std::string log = dir + "/000001.log";
  const std::string bytes = read_whole_file(log);
  REQUIRE(bytes.size() == 39);  // three records of 13 bytes
  write_whole_file(log, bytes.substr(0, 35));  // the last one torn 4 bytes short
  const auto r = run_program(CH03_PROGRAM, {"--dir", dir}, "GET a\nGET b\nGET c\n");
  CHECK(r.exit_code == 0);
  CHECK(r.out == "VALUE 1\nVALUE 2\nNOT_FOUND\n");
  CHECK(r.err == "ch03-wal: " + log + ": replayed 2 records (26 bytes)\n"
                 "ch03-wal: " + log + ": cut a torn record at the tail: 9 bytes after offset 26"
                 " (a crash interrupted an append)\n");
  CHECK(read_whole_file(log).size() == 26);
}

TEST_CASE("ch03-wal: corruption stops start-up, --repair cuts it and says what it dropped",
          "[ch03]") {
  TempDir tmp;
  const std::string dir = tmp.file("data");
  REQUIRE(run_program(CH03_PROGRAM, {"--dir", dir}, "SET a 1\nSET b 2\nSET c 3\nSET d 4\n")
              .exit_code == 0);
  const std::string log = dir + "/000001.log";
  std::string bytes = read_whole_file(log);
  bytes[13 + 12] ^= 0x04;  // the value byte of record 1 (b): its checksum no longer matches
  write_whole_file(log, bytes);

  const auto refused = run_program(CH03_PROGRAM, {"--dir", dir}, "GET a\n");
  CHECK(refused.exit_code == 1);
  CHECK(refused.out.empty());
  CHECK(refused.err == "ch03-wal: corruption: " + log + ": bad record at offset 13 (checksum "
                       "mismatch) with 2 whole records after it: not a torn tail but damage; "
                       "the log is left as it is (repair cuts it at offset 13, dropping 39 "
                       "bytes)\n");
  CHECK(read_whole_file(log) == bytes);  // nothing deleted

  const auto repaired = run_program(CH03_PROGRAM, {"--dir", dir, "--repair"}, "GET a\nGET b\n");
  CHECK(repaired.exit_code == 0);
  CHECK(repaired.out == "VALUE 1\nNOT_FOUND\n");
  CHECK(repaired.err == "ch03-wal: " + log + ": replayed 1 record (13 bytes)\n"
                        "ch03-wal: " + log + ": repair cut the log at offset 13: dropped 39 "
                        "bytes and 3 records (the bad record and every record after it)\n");
}

TEST_CASE("ch03-wal: --help and bad flags", "[ch03]") {
  const auto help = run_program(CH03_PROGRAM, {"--help"}, "");
  CHECK(help.exit_code == 0);
  for (const char* flag : {"--dir", "--sync", "--repair", "--max-line"}) {
    CHECK(help.out.find(flag) != std::string::npos);
  }
  const auto bad = run_program(CH03_PROGRAM, {"--sync", "sometimes"}, "");
  CHECK(bad.exit_code == 2);
  CHECK(bad.err ==
        "ch03-wal: bad value 'sometimes' for --sync: expected one of always everysec never\n");
  TempDir tmp;
  write_whole_file(tmp.file("file"), "");
  const auto not_dir = run_program(CH03_PROGRAM, {"--dir", tmp.file("file")}, "");
  CHECK(not_dir.exit_code == 1);
  CHECK(not_dir.err == "ch03-wal: IO error: mkdir " + tmp.file("file") + ": File exists\n");
}
