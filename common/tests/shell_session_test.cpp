// ShellSession's contract, pinned with plain shell commands: what a session file means, how
// its replies are compared, and that a session's processes end with it.
#include <catch2/catch.hpp>

#include <signal.h>

#include <filesystem>
#include <string>

#include "common/testing/shell_session.hpp"
#include "common/testing/test_util.hpp"

using vkv::testing::parse_shell_session;
using vkv::testing::ShellSession;
using vkv::testing::ShellStep;
using vkv::testing::TempDir;
using vkv::testing::write_whole_file;

namespace {

// Runs `session` (the text of a session file) in a fresh ShellSession.
std::vector<ShellStep> run_text(const std::string& session) {
  TempDir files;
  write_whole_file(files.file("s.session"), session);
  ShellSession shell(files.path());
  return shell.run(files.file("s.session"));
}

// `session` run in a fresh ShellSession that is kept, for its dir() and port().
struct KeptSession {
  explicit KeptSession(const std::string& session) : shell(files.path()) {
    write_whole_file(files.file("s.session"), session);
    steps = shell.run(files.file("s.session"));
  }
  TempDir files;
  ShellSession shell;
  std::vector<ShellStep> steps;
};

}  // namespace

TEST_CASE("shell session: commands, replies, numbers that vary, comments", "[common]") {
  const auto steps = parse_shell_session(
      "# A caption, before the first command\n"
      "# $ echo one\n"
      "one\n"
      "# a comment\n"
      "# $ bench\n"
      "~ SET 123 ops/s\n"
      "\n");
  REQUIRE(steps.size() == 2);
  CHECK(steps[0].command == "echo one");
  CHECK(steps[0].expected == std::vector<std::string>{"one"});
  CHECK(steps[1].command == "bench");
  CHECK(steps[1].expected == std::vector<std::string>{"SET 123 ops/s", ""});
  CHECK(steps[1].numbers_vary == std::vector<bool>{true, false});
}

TEST_CASE("shell session: a ~ line compares words, not numbers", "[common]") {
  CHECK(ShellStep::same_words("SET   336135 ops/s  p50 7.870 ms", "SET 41188 ops/s p50 12.5 ms"));
  CHECK(ShellStep::same_words("VmRSS:\t 11764 kB", "VmRSS: 1,234 kB"));
  CHECK_FALSE(ShellStep::same_words("SET 1 ops/s", "GET 1 ops/s"));
  CHECK_FALSE(ShellStep::same_words("SET 1 ops/s", "SET 1 ops/s  ERRORS SEEN"));
}

TEST_CASE("shell session: runs each command in one bash, stdout and stderr as a terminal shows "
          "them", "[common]") {
  const auto steps = run_text(
      "# $ x=6; echo $((x * 7))\n"
      "42\n"
      "# $ echo to-stderr >&2; echo to-stdout\n"
      "to-stderr\n"
      "to-stdout\n"
      "# $ printf 'no newline'\n"
      "no newline\n"
      "# $ echo $x; pwd | grep -c vkv-test; test -L build && echo linked\n"
      "6\n"
      "1\n"
      "linked\n"
      "# $ false\n");
  REQUIRE(steps.size() == 5);
  for (const auto& step : steps) CHECK(step.mismatch() == "");
  CHECK(steps[3].exit_code == 0);
  CHECK(steps[4].exit_code == 1);
}

TEST_CASE("shell session: a job in the background is waited for, and 9999 is a free port",
          "[common]") {
  const KeptSession s("# $ (sleep 0.3; echo ready on 127.0.0.1:9999) &\n"
                      "ready on 127.0.0.1:9999\n"
                      "# $ echo 19999 9999x\n"
                      "19999 9999x\n");
  REQUIRE(s.steps.size() == 2);
  CHECK(s.steps[0].mismatch() == "");
  CHECK(s.steps[0].actual == std::vector<std::string>{"ready on 127.0.0.1:" + s.shell.port()});
  CHECK(s.shell.port() != "9999");
  CHECK(s.steps[1].command == "echo 19999 9999x");  // only the word 9999 is the port
}

TEST_CASE("shell session: a reply that differs is told, with what came instead", "[common]") {
  const auto steps = run_text("# $ echo actual\nexpected\n# $ echo 1 2\n~ 3\n");
  REQUIRE(steps.size() == 2);
  CHECK(steps[0].mismatch().find("expected:\n  expected\ngot:\n  actual\n") != std::string::npos);
  CHECK(steps[1].mismatch() != "");  // two numbers are two words
}

TEST_CASE("shell session: bash's notices of a killed job are left out", "[common]") {
  const auto steps = run_text("# $ sleep 1000 & job=$!\n"
                              "# $ kill -9 $job; wait $job; echo done\n"
                              "done\n"
                              "# $ sleep 1000 & kill $!; wait $!; echo done\n"
                              "done\n");
  for (const auto& step : steps) CHECK(step.mismatch() == "");
}

TEST_CASE("shell session: the processes it started end with it", "[common]") {
  TempDir files;
  write_whole_file(files.file("s.session"), "# $ sleep 1000 & echo started\nstarted\n"
                                            "# $ echo $!\n~ 1\n");
  pid_t job = 0;
  {
    ShellSession shell(files.path());
    const auto steps = shell.run(files.file("s.session"));
    REQUIRE(steps.size() == 2);
    REQUIRE(steps[1].mismatch() == "");
    job = std::stoi(steps[1].actual[0]);
    CHECK(::kill(job, 0) == 0);
  }
  // Gone, or a zombie that no one reaps (it runs no more either way).
  const std::string stat = vkv::testing::read_whole_file("/proc/" + std::to_string(job) + "/stat");
  CHECK((stat.empty() || stat.substr(stat.rfind(')') + 2, 1) == "Z"));
}

TEST_CASE("shell session: after a step times out, the rest is reported, not run",
          "[common]") {
  // The background job never prints the line the session waits for: that step times out
  // after kBackgroundOutputTimeout, and the next command is not run.
  const KeptSession s("# $ (sleep 1000) &\n"
                      "ready\n"
                      "# $ touch ran\n");
  REQUIRE(s.steps.size() == 2);
  CHECK(s.steps[0].timed_out);
  CHECK(s.steps[1].timed_out);
  CHECK(s.steps[1].actual ==
        std::vector<std::string>{"(not run: an earlier step did not print all it must)"});
  CHECK_FALSE(std::filesystem::exists(s.shell.dir() + "/ran"));
}

TEST_CASE("shell session: a step whose jobs have all ended with lines missing fails at once",
          "[common]") {
  // The job prints one of the two lines and ends: no one is left to print the second, so the
  // step does not wait out kBackgroundOutputTimeout, and the next command is not run.
  const KeptSession s("# $ (sleep 0.2; echo one) &\n"
                      "one\n"
                      "two\n"
                      "# $ touch ran\n");
  REQUIRE(s.steps.size() == 2);
  CHECK(s.steps[0].actual == std::vector<std::string>{"one"});
  CHECK(s.steps[0].output_ended);
  CHECK_FALSE(s.steps[0].timed_out);
  CHECK(s.steps[0].mismatch().find("(every job ended before the rest came)") != std::string::npos);
  CHECK(s.steps[1].timed_out);  // not run
  CHECK_FALSE(std::filesystem::exists(s.shell.dir() + "/ran"));
}
