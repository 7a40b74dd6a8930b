// The look-ahead seam (net::LookAhead): each read's bytes are shown to it before the session runs
// any of them, and a server without one serves as before. The batch hook (net::BatchHook): each
// read's requests, and a partial last line, run between its start and its stop.
#include <catch2/catch.hpp>

#include <atomic>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "02-parsing/memory_store.hpp"
#include "06-server/durability.hpp"
#include "06-server/tests/running_server.hpp"
#include "tests/support/server_process.hpp"

namespace {

using vkv::testing::NoDisk;

// What the look-ahead was shown, and whether key "a" already had a value each time.
struct Seen {
  std::mutex mu;
  std::string bytes;
  std::vector<bool> a_was_set;
};

}  // namespace

TEST_CASE("look-ahead: a read's bytes are shown to it before any of their commands runs",
          "[ch06]") {
  Seen seen;
  std::atomic<vkv::storage::MemoryStore*> store{nullptr};  // set once the server is made
  NoDisk durability;
  vkv::testing::RunningServer running(durability, [&](std::string_view bytes) {
    std::string value;
    const bool a_set = store.load()->get("a", &value).is_ok();
    std::lock_guard lock(seen.mu);
    seen.bytes.append(bytes);
    seen.a_was_set.push_back(a_set);
  });
  store = &running.store;
  vkv::testing::Client client(running.server->port());
  REQUIRE(client.send("SET a 1\nSET b 2\nGET a\n"));  // one write: one read, most likely
  CHECK(client.read_line() == "OK");
  CHECK(client.read_line() == "OK");
  CHECK(client.read_line() == "VALUE 1");
  std::lock_guard lock(seen.mu);
  CHECK(seen.bytes == "SET a 1\nSET b 2\nGET a\n");  // every byte, in order, once
  REQUIRE_FALSE(seen.a_was_set.empty());
  CHECK_FALSE(seen.a_was_set.front());  // shown before "SET a 1" ran
}

TEST_CASE("look-ahead: a server without one answers the same pipeline the same way", "[ch06]") {
  NoDisk durability;
  vkv::testing::RunningServer running(durability);
  vkv::testing::Client client(running.server->port());
  REQUIRE(client.send("SET a 1\nSET b 2\nGET a\nGET c\n"));
  CHECK(client.read_line() == "OK");
  CHECK(client.read_line() == "OK");
  CHECK(client.read_line() == "VALUE 1");
  CHECK(client.read_line() == "NOT_FOUND");
}

namespace {

// The batch hook's calls, in order: "start" or "stop", with the value of "a" then ("-": none).
struct Batches {
  std::mutex mu;
  std::vector<std::string> calls;
};

}  // namespace

TEST_CASE("batch hook: a read's requests run between a start and a stop, and a session's "
          "finish() too", "[ch06]") {
  Batches batches;
  std::atomic<vkv::storage::MemoryStore*> store{nullptr};  // set once the server is made
  NoDisk durability;
  vkv::testing::RunningServer running(durability, {}, [&](bool starting) {
    std::string value;
    if (!store.load()->get("a", &value).is_ok()) value = "-";
    std::lock_guard lock(batches.mu);
    batches.calls.push_back(std::string(starting ? "start" : "stop") + " a=" + value);
  });
  store = &running.store;
  vkv::testing::Client client(running.server->port());
  REQUIRE(client.send("SET a 1\nSET b 2\n"));  // one write: one read, most likely
  CHECK(client.read_line() == "OK");
  CHECK(client.read_line() == "OK");
  REQUIRE(client.send("GET a"));  // no newline: finish() answers it once the client is done
  client.shutdown_write();
  CHECK(client.read_line() ==
        "ERR partial line at end of input (5 bytes with no newline; not executed)");
  std::lock_guard lock(batches.mu);
  const auto& calls = batches.calls;
  REQUIRE(calls.size() >= 4);  // the first read's batch, ..., finish()'s
  for (std::size_t i = 0; i < calls.size(); ++i) {  // starts and stops take turns
    CHECK(calls[i].rfind(i % 2 == 0 ? "start" : "stop", 0) == 0);
  }
  CHECK(calls.front() == "start a=-");  // before "SET a 1" ran
  CHECK(calls[1] == "stop a=1");        // after it
  CHECK(calls.back() == "stop a=1");    // finish()'s batch, after the first
}
