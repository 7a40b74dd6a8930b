// RespSession and ProtocolSniffer, with a small command set standing in for Redis's: replies
// in the client's version, a protocol error answered and then the connection closed, QUIT,
// the first byte choosing the protocol, and a client id per RESP session.
#include <catch2/catch.hpp>

#include <memory>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "02-parsing/engine.hpp"
#include "02-parsing/memory_store.hpp"
#include "06-server/connection.hpp"
#include "09-resp/protocol_sniffer.hpp"
#include "09-resp/resp_session.hpp"
#include "09-resp/tests/fake_commands.hpp"

using vkv::protocol::RespLimits;
using vkv::runtime::RespSession;
using vkv::testing::FakeCommands;

TEST_CASE("resp session: runs each request and writes its reply", "[ch09]") {
  FakeCommands commands;
  RespSession session(commands, 7, {});
  std::string out;
  session.feed("*1\r\n$4\r\nPING\r\n*2\r\n$4\r\nECHO\r\n$2\r\nhi\r\n", &out);
  CHECK(out == "+PONG\r\n$2\r\nhi\r\n");
  CHECK(commands.ran == std::vector<std::string>{"PING", "ECHO hi"});
  CHECK_FALSE(session.wants_close());
  CHECK(session.client().id == 7);
}

TEST_CASE("resp session: a request fed in pieces runs once, when it is whole", "[ch09]") {
  FakeCommands commands;
  RespSession session(commands, 1, {});
  std::string out;
  const std::string request = "*2\r\n$4\r\nECHO\r\n$5\r\nhello\r\n";
  for (char c : request) {
    CHECK(out.empty());
    session.feed(std::string_view(&c, 1), &out);
  }
  CHECK(out == "$5\r\nhello\r\n");
  CHECK(commands.ran.size() == 1);
}

TEST_CASE("resp session: a whole request is one piece, one not all here yet a line",
          "[ch09]") {
  FakeCommands commands;
  RespSession session(commands, 1, {});
  const std::string ping = "*1\r\n$4\r\nPING\r\n";
  CHECK(session.next_piece(ping + ping) == ping.size());
  CHECK(session.next_piece("*2\r\n$4\r\nECHO\r\n$5\r\nhel") == 4);  // "*2\r\n"
  CHECK(session.next_piece("PING\r\nPING\r\n") == 6);                  // the inline form
  CHECK(session.next_piece("$5\r") == 3);                                // no newline: all
  std::string out;
  session.feed("*2\r\n", &out);  // now inside a request: the rest goes a line at a time
  CHECK(session.next_piece("$4\r\nECHO\r\n$2\r\nhi\r\n") == 4);
}

TEST_CASE("resp session: HELLO 3 switches the replies to RESP3, HELLO 2 back", "[ch09]") {
  FakeCommands commands;
  RespSession session(commands, 1, {});
  std::string out;
  session.feed("*1\r\n$4\r\nNULL\r\n", &out);
  CHECK(out == "$-1\r\n");
  out.clear();
  session.feed("*2\r\n$5\r\nHELLO\r\n$1\r\n3\r\n*1\r\n$4\r\nNULL\r\n", &out);
  CHECK(out == "%1\r\n$5\r\nproto\r\n:3\r\n_\r\n");  // HELLO's own reply is RESP3 already
  CHECK(session.client().version == vkv::protocol::RespVersion::kResp3);
  out.clear();
  session.feed("*2\r\n$5\r\nHELLO\r\n$1\r\n2\r\n*1\r\n$4\r\nNULL\r\n", &out);
  CHECK(out == "*2\r\n$5\r\nproto\r\n:2\r\n$-1\r\n");
}

TEST_CASE("resp session: a protocol error is answered, then the session reads no more and "
          "asks to close", "[ch09]") {
  FakeCommands commands;
  RespSession session(commands, 1, {});
  std::string out;
  session.feed("*1\r\n$4\r\nPING\r\n*1\r\n$x\r\n*1\r\n$4\r\nPING\r\n", &out);
  CHECK(out == "+PONG\r\n-ERR Protocol error: invalid bulk length\r\n");
  CHECK(session.wants_close());
  session.feed("*1\r\n$4\r\nPING\r\n", &out);  // ignored
  CHECK(commands.ran.size() == 1);
}

TEST_CASE("resp session: a bulk over the limit is refused before its bytes come", "[ch09]") {
  FakeCommands commands;
  RespLimits limits;
  limits.max_bulk_bytes = 1000;
  RespSession session(commands, 1, limits);
  std::string out;
  session.feed("*2\r\n$4\r\nECHO\r\n$1001\r\n", &out);
  CHECK(out == "-ERR Protocol error: invalid bulk length\r\n");
  CHECK(session.wants_close());
  CHECK(commands.ran.empty());
}

TEST_CASE("resp session: QUIT gets its +OK, then the session asks to close", "[ch09]") {
  FakeCommands commands;
  RespSession session(commands, 1, {});
  std::string out;
  session.feed("*1\r\n$4\r\nQUIT\r\n*1\r\n$4\r\nPING\r\n", &out);
  CHECK(out == "+OK\r\n");
  CHECK(session.wants_close());
  CHECK(commands.ran == std::vector<std::string>{"QUIT"});
}

TEST_CASE("resp session: a request cut short by the end of input never runs", "[ch09]") {
  FakeCommands commands;
  RespSession session(commands, 1, {});
  std::string out;
  session.feed("*2\r\n$4\r\nECHO\r\n$5\r\nhel", &out);
  session.finish(&out);
  CHECK(out.empty());
  CHECK(commands.ran.empty());
}

namespace {

// A factory for sessions on a fresh text engine and the fake commands.
struct Sessions {
  vkv::storage::MemoryStore store;
  vkv::engine::Engine engine{store};
  FakeCommands commands;
  vkv::net::SessionFactory make = vkv::net::resp_or_text_sessions(
      commands, vkv::net::text_sessions(engine, 1024), RespLimits{});
};

}  // namespace

TEST_CASE("protocol sniffer: a first byte '*' makes a RESP session", "[ch09]") {
  Sessions s;
  auto session = s.make();
  std::string out;
  session->feed("*", &out);  // the first byte alone chooses
  session->feed("1\r\n$4\r\nPING\r\n", &out);
  CHECK(out == "+PONG\r\n");
}

TEST_CASE("protocol sniffer: pieces are lines until a RESP session is chosen, then its own",
          "[ch09]") {
  Sessions s;
  auto session = s.make();
  const std::string ping = "*1\r\n$4\r\nPING\r\n";
  CHECK(session->next_piece(ping) == 4);  // nothing chosen yet: a line
  std::string out;
  session->feed("*", &out);
  CHECK(session->next_piece("1\r\n$4\r\nPING\r\n") == 3);  // the rest of the request begun
  session->feed("1\r\n$4\r\nPING\r\n", &out);
  CHECK(out == "+PONG\r\n");
  CHECK(session->next_piece(ping + ping) == ping.size());  // the RESP session's answer
}

TEST_CASE("protocol sniffer: any other first byte keeps the text protocol", "[ch09]") {
  Sessions s;
  auto session = s.make();
  std::string out;
  session->feed("SET k v\n", &out);
  session->feed("GET k\n", &out);
  session->feed("*1\r\n", &out);  // a later '*' changes nothing
  CHECK(out.substr(0, 11) == "OK\nVALUE v\n");
  CHECK(out.find("+PONG") == std::string::npos);
  CHECK(s.commands.ran.empty());
  CHECK_FALSE(session->wants_close());
}

TEST_CASE("protocol sniffer: a first line of PING alone makes a RESP session", "[ch09]") {
  using vkv::runtime::first_line;
  using vkv::runtime::FirstBytes;
  CHECK(first_line("PING\r\n") == FirstBytes::kResp);
  CHECK(first_line("ping\n") == FirstBytes::kResp);
  CHECK(first_line("PIN") == FirstBytes::kUndecided);
  CHECK(first_line("PING") == FirstBytes::kUndecided);
  CHECK(first_line("PING\r") == FirstBytes::kUndecided);
  CHECK(first_line("PING x\n") == FirstBytes::kText);
  CHECK(first_line("PUT k\n") == FirstBytes::kText);
  CHECK(first_line("GET k\n") == FirstBytes::kText);
  CHECK(first_line("*") == FirstBytes::kResp);
  Sessions s;
  auto session = s.make();
  std::string out;
  session->feed("PI", &out);  // held: it may still be PING
  CHECK(out.empty());
  session->feed("NG\r\n", &out);
  CHECK(out == "+PONG\r\n");
  out.clear();
  auto text = s.make();
  text->feed("P", &out);
  text->feed("UT\n", &out);  // not PING: the text protocol, which knows no PUT
  CHECK(out.rfind("ERR unknown command 'PUT'", 0) == 0);
  out.clear();
  auto cut = s.make();
  cut->feed("PIN", &out);
  cut->finish(&out);  // the input ended undecided: the text protocol says so
  CHECK(out.rfind("ERR partial line", 0) == 0);
}

TEST_CASE("protocol sniffer: nothing is chosen before the first byte", "[ch09]") {
  Sessions s;
  auto session = s.make();
  std::string out;
  session->feed("", &out);
  session->finish(&out);
  CHECK(out.empty());
  CHECK_FALSE(session->wants_close());
}

TEST_CASE("protocol sniffer: a RESP session asks to close after QUIT", "[ch09]") {
  Sessions s;
  auto session = s.make();
  std::string out;
  session->feed("*1\r\n$4\r\nQUIT\r\n", &out);
  CHECK(out == "+OK\r\n");
  CHECK(session->wants_close());
}

TEST_CASE("protocol sniffer: each RESP session gets its own client id, from 1, across "
          "threads", "[ch09]") {
  Sessions s;
  constexpr int kThreads = 4;
  constexpr int kEach = 50;
  std::vector<std::vector<std::uint64_t>> ids(kThreads);
  class IdCommands : public vkv::testing::FakeCommands {  // refusal(), watch_state() from it
   public:
    void run(std::span<const std::string_view>, vkv::engine::ClientState& client,
             vkv::protocol::RespWriter& out) override {
      out.integer(static_cast<std::int64_t>(client.id));
    }
  } id_commands;
  auto make = vkv::net::resp_or_text_sessions(
      id_commands, vkv::net::text_sessions(s.engine, 1024), RespLimits{});
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kEach; ++i) {
        auto session = make();
        std::string out;
        session->feed("*1\r\n$9\r\nCLIENT-ID\r\n", &out);
        ids[t].push_back(std::stoull(out.substr(1)));
      }
    });
  }
  for (auto& th : threads) th.join();
  std::set<std::uint64_t> all;
  for (const auto& v : ids) all.insert(v.begin(), v.end());
  CHECK(all.size() == kThreads * kEach);
  CHECK(*all.begin() == 1);
  CHECK(*all.rbegin() == kThreads * kEach);
}
