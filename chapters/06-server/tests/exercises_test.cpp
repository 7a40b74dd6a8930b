// The page's exercises that change code, each with the test that says it is done, against
// the real ch06-server over real sockets. They are hidden from `make test` (the leading '.'
// of [.exercise]) and fail until the exercise is done: `make exercise N=6` runs them.
#include <catch2/catch.hpp>

#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "common/testing/test_util.hpp"
#include "tests/support/server_process.hpp"

using vkv::testing::Client;
using vkv::testing::ServerProcess;
using vkv::testing::TempDir;
using vkv::testing::wait_for;

// "An idle timeout": --idle-timeout N closes a client that has sent nothing for N seconds.
TEST_CASE("exercise: --idle-timeout closes a client that sends nothing for that long",
          "[.exercise][ch06]") {
  const auto help = vkv::testing::run_program(CH06_PROGRAM, {"--help"}, "");
  CHECK(help.out.find("--idle-timeout") != std::string::npos);

  TempDir dir;
  ServerProcess server(CH06_PROGRAM, {"--dir", dir.path(), "--idle-timeout", "1"});
  Client idle(server.port());
  Client busy(server.port());
  CHECK(busy.call("SET k v") == "OK");
  // The busy client sends every 200 ms for three seconds, and is served throughout.
  const auto start = std::chrono::steady_clock::now();
  while (std::chrono::steady_clock::now() - start < std::chrono::seconds(3)) {
    REQUIRE(busy.call("GET k") == "VALUE v");
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  CHECK(wait_for([&] { return idle.hung_up(); }));  // silent all along: closed
  CHECK_FALSE(busy.hung_up());
  Client late(server.port());
  CHECK(late.call("GET k") == "VALUE v");  // and the server goes on
}

// "Say why a client was closed": closing a client that left its replies unread is said in
// one line on standard error.
TEST_CASE("exercise: the server says when it closes a client that does not read",
          "[.exercise][ch06]") {
  TempDir dir;
  const std::string err = dir.file("stderr");
  ServerProcess server(CH06_PROGRAM, {"--dir", dir.file("data"), "--stalled-timeout", "1"}, err);
  Client setter(server.port());
  REQUIRE(setter.call("SET big " + std::string(60000, 'b')) == "OK");
  std::string gets;
  for (int i = 0; i < 1000; ++i) gets += "GET big\n";
  vkv::testing::NonReadingClient greedy(server.port(), gets, 20);
  CHECK(wait_for([&] { return greedy.hung_up(); }, std::chrono::seconds(30)));
  const std::string said = "did not read its replies for 1 s";
  CHECK(wait_for([&] {
    return vkv::testing::read_whole_file(err).find(said) != std::string::npos;
  }));
  INFO(vkv::testing::read_whole_file(err));
  CHECK(setter.call("GET missing") == "NOT_FOUND");
}
