// ChildProcess, the one way the tests start a program: pipes both ways, a line read with a
// timeout, end of output told apart from a timeout, files for the streams, signals.
#include <signal.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <string>

#include "common/testing/child_process.hpp"
#include "common/testing/test_util.hpp"

using vkv::testing::ChildProcess;
using vkv::testing::ChildStream;
using vkv::testing::read_whole_file;
using vkv::testing::TempDir;
using vkv::testing::write_whole_file;

TEST_CASE("child process: lines through pipes, a timeout, the end of output", "[common]") {
  ChildProcess cat("/bin/cat", {}, {ChildStream::pipe(), ChildStream::pipe(), {}});
  REQUIRE(cat.pid() > 0);
  REQUIRE(cat.write_stdin("one\ntwo\nthr"));
  CHECK(cat.read_stdout_line(std::chrono::seconds(20)) == "one");
  CHECK(cat.read_stdout_line(std::chrono::seconds(20)) == "two");
  CHECK(cat.read_stdout_line(std::chrono::milliseconds(100)) == std::nullopt);  // half a line
  CHECK_FALSE(cat.stdout_ended());
  REQUIRE(cat.write_stdin("ee\n"));
  CHECK(cat.read_stdout_line(std::chrono::seconds(20)) == "three");
  cat.close_stdin();
  CHECK(cat.read_stdout_line(std::chrono::seconds(20)) == std::nullopt);
  CHECK(cat.stdout_ended());
  CHECK(cat.wait() == 0);
  CHECK(cat.pid() == -1);
}

TEST_CASE("child process: streams to and from files, the exit code, a signal", "[common]") {
  TempDir tmp;
  write_whole_file(tmp.file("in"), "hello\n");
  {
    ChildProcess sh("/bin/sh", {"-c", "cat; echo oops >&2; exit 3"},
                    {ChildStream::file(tmp.file("in")), ChildStream::file(tmp.file("out")),
                     ChildStream::file(tmp.file("err"))});
    CHECK(sh.wait() == 3);
  }
  CHECK(read_whole_file(tmp.file("out")) == "hello\n");
  CHECK(read_whole_file(tmp.file("err")) == "oops\n");

  ChildProcess sleeper("/bin/sleep", {"60"}, {});
  REQUIRE(sleeper.signal(SIGTERM));
  CHECK(sleeper.wait() == 128 + SIGTERM);
  CHECK_FALSE(sleeper.signal(SIGTERM));  // waited for: no pid to signal

  CHECK_THROWS_AS(ChildProcess("/no/such/program", {}, {}), std::runtime_error);
}
