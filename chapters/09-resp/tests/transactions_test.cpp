// MULTI, EXEC, DISCARD, WATCH and UNWATCH (TransactionCommands) in front of chapter 9's
// commands on a real store; and an EXEC alone against both protocols' sessions.
#include <catch2/catch.hpp>

#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "06-server/connection.hpp"
#include "09-resp/protocol_sniffer.hpp"
#include "09-resp/redis_backend.hpp"
#include "09-resp/tests/redis_fixture.hpp"
#include "09-resp/transactions.hpp"

using vkv::engine::ClientState;
using vkv::engine::TransactionCommands;
using vkv::testing::RedisFixture;
using vkv::testing::split_words;

namespace {

// Chapter 9's commands behind TransactionCommands, with two clients.
struct TxFixture : RedisFixture {
  explicit TxFixture(vkv::engine::TransactionLimits limits = {}) : tx(*commands, limits) {
    other.id = 8;
  }
  // Runs `line` (split at spaces) for `c` through the transactions; the reply's bytes.
  std::string t(std::string_view line, ClientState& c) {
    const auto args = split_words(line);
    std::vector<std::string_view> views(args.begin(), args.end());
    std::string out;
    vkv::protocol::RespWriter writer(&out, c.version);
    tx.run(views, c, writer);
    return out;
  }
  std::string t(std::string_view line) { return t(line, client); }

  TransactionCommands tx;
  ClientState other;  ///< A second client.
};

// The pieces of `text` that each end in `end`.
std::vector<std::string> split_lines(const std::string& text, std::string_view end) {
  std::vector<std::string> out;
  std::size_t at = 0;
  for (std::size_t next; (next = text.find(end, at)) != std::string::npos; at = next + end.size()) {
    out.push_back(text.substr(at, next - at));
  }
  return out;
}

}  // namespace

TEST_CASE("transactions: MULTI queues, EXEC runs the queue in order and answers one array",
          "[ch09][transactions]") {
  TxFixture f;
  CHECK(f.t("MULTI") == "+OK\r\n");
  CHECK(f.t("SET k 1") == "+QUEUED\r\n");
  CHECK(f.t("INCR k") == "+QUEUED\r\n");
  CHECK(f.t("get K") == "+QUEUED\r\n");
  CHECK(f.t("GET k") == "+QUEUED\r\n");
  CHECK(f("GET k") == "$-1\r\n");  // queued, not run: the other commands see nothing yet
  CHECK(f.t("exec") == "*4\r\n+OK\r\n:2\r\n$-1\r\n$1\r\n2\r\n");
  CHECK(f.t("GET k") == "$1\r\n2\r\n");  // the transaction is over: commands run again
  CHECK(f.t("MULTI") == "+OK\r\n");
  CHECK(f.t("EXEC") == "*0\r\n");
}

TEST_CASE("transactions: a command refused as it is queued spoils the transaction: EXECABORT, "
          "and nothing of it runs", "[ch09][transactions]") {
  TxFixture f;
  // SHUTDOWN is refused by name (Redis's no_multi), not for its arguments.
  for (const char* wrong :
       {"NOSUCH x", "GET", "SET  v", "CLIENT NOSUCH", "WATCH", "SHUTDOWN", "shutdown NOSAVE"}) {
    INFO(wrong);
    CHECK(f.t("MULTI") == "+OK\r\n");
    CHECK(f.t("SET k 1") == "+QUEUED\r\n");
    CHECK(f.t(wrong).starts_with("-ERR "));
    CHECK(f.t("SET j 1") == "+QUEUED\r\n");  // still queued, as Redis does
    CHECK(f.t("EXEC") == "-EXECABORT Transaction discarded because of previous errors.\r\n");
    CHECK(f("GET k") == "$-1\r\n");
    CHECK(f("GET j") == "$-1\r\n");
    CHECK(f.t("EXEC") == "-ERR EXEC without MULTI\r\n");  // the transaction is gone
  }
  CHECK(f.t("MULTI") == "+OK\r\n");
  CHECK(f.t("SHUTDOWN NOW") == "-ERR Command not allowed inside a transaction\r\n");
  CHECK(f.t("DISCARD") == "+OK\r\n");
}

TEST_CASE("transactions: an EXEC with arguments ends the transaction and the WATCH, as Redis's does",
          "[ch09][transactions]") {
  TxFixture f;
  CHECK(f.t("MULTI") == "+OK\r\n");
  CHECK(f.t("SET k 1") == "+QUEUED\r\n");
  CHECK(f.t("EXEC now") ==
        "-EXECABORT Transaction discarded because of: wrong number of arguments for 'exec' "
        "command\r\n");
  CHECK(f.t("EXEC") == "-ERR EXEC without MULTI\r\n");
  CHECK(f("GET k") == "$-1\r\n");
  // Outside MULTI too, and it forgets the watched keys, as Redis's does.
  f("SET w v");
  CHECK(f.t("WATCH w") == "+OK\r\n");
  CHECK(f.t("EXEC now").starts_with("-EXECABORT Transaction discarded because of: wrong"));
  CHECK(f.t("SET w changed", f.other) == "+OK\r\n");
  CHECK(f.t("MULTI") == "+OK\r\n");
  CHECK(f.t("EXEC") == "*0\r\n");
}

TEST_CASE("transactions: a command that fails as it runs does not stop the others (no rollback)",
          "[ch09][transactions]") {
  TxFixture f;
  f("SET word hello");
  CHECK(f.t("MULTI") == "+OK\r\n");
  CHECK(f.t("SET a 1") == "+QUEUED\r\n");
  CHECK(f.t("INCR word") == "+QUEUED\r\n");
  CHECK(f.t("INCR a") == "+QUEUED\r\n");
  CHECK(f.t("EXEC") == "*3\r\n+OK\r\n-ERR value is not an integer or out of range\r\n:2\r\n");
}

TEST_CASE("transactions: MULTI, EXEC, DISCARD, WATCH and UNWATCH misused get Redis's errors",
          "[ch09][transactions]") {
  TxFixture f;
  CHECK(f.t("EXEC") == "-ERR EXEC without MULTI\r\n");
  CHECK(f.t("DISCARD") == "-ERR DISCARD without MULTI\r\n");
  CHECK(f.t("WATCH") == "-ERR wrong number of arguments for 'watch' command\r\n");
  CHECK(f.t("MULTI now") == "-ERR wrong number of arguments for 'multi' command\r\n");
  CHECK(f.t("UNWATCH x") == "-ERR wrong number of arguments for 'unwatch' command\r\n");
  CHECK(f.t("MULTI") == "+OK\r\n");
  CHECK(f.t("MULTI") == "-ERR MULTI calls can not be nested\r\n");  // spoils nothing
  CHECK(f.t("WATCH k") == "-ERR WATCH inside MULTI is not allowed\r\n");  // nor this
  CHECK(f.t("SET k 1") == "+QUEUED\r\n");
  CHECK(f.t("UNWATCH") == "+QUEUED\r\n");  // as Redis: queued, and answered OK by EXEC
  CHECK(f.t("EXEC") == "*2\r\n+OK\r\n+OK\r\n");
  CHECK(f.t("MULTI") == "+OK\r\n");
  CHECK(f.t("SET k 2") == "+QUEUED\r\n");
  CHECK(f.t("DISCARD") == "+OK\r\n");
  CHECK(f("GET k") == "$1\r\n1\r\n");  // discarded, not run
  CHECK(f.t("DISCARD") == "-ERR DISCARD without MULTI\r\n");
}

TEST_CASE("transactions: WATCH: EXEC runs nothing and answers null when a watched key changed",
          "[ch09][transactions]") {
  TxFixture f;
  f("SET w v");
  SECTION("changed by another client: the transaction does not run") {
    CHECK(f.t("WATCH w") == "+OK\r\n");
    CHECK(f.t("SET w changed", f.other) == "+OK\r\n");
    CHECK(f.t("MULTI") == "+OK\r\n");
    CHECK(f.t("SET x 1") == "+QUEUED\r\n");
    CHECK(f.t("EXEC") == "*-1\r\n");
    CHECK(f("GET x") == "$-1\r\n");
    // EXEC forgot the key: the next transaction runs.
    CHECK(f.t("MULTI") == "+OK\r\n");
    CHECK(f.t("SET x 1") == "+QUEUED\r\n");
    CHECK(f.t("EXEC") == "*1\r\n+OK\r\n");
  }
  SECTION("changed through the text protocol, deleted, or created: the same") {
    CHECK(f.t("WATCH w absent") == "+OK\r\n");
    std::string line = GENERATE(as<std::string>{}, "text", "del", "create");
    if (line == "text") REQUIRE(f.text_store->set("w", "other").is_ok());  // the text SET's store
    if (line == "del") CHECK(f.t("DEL w", f.other) == ":1\r\n");
    if (line == "create") CHECK(f.t("SET absent 1", f.other) == "+OK\r\n");
    CHECK(f.t("MULTI") == "+OK\r\n");
    CHECK(f.t("SET x 1") == "+QUEUED\r\n");
    CHECK(f.t("EXEC") == "*-1\r\n");
    CHECK(f("GET x") == "$-1\r\n");
  }
  SECTION("unchanged, or written back as it was: it runs") {
    CHECK(f.t("WATCH w absent w") == "+OK\r\n");
    CHECK(f.t("GET w", f.other) == "$1\r\nv\r\n");
    CHECK(f.t("DEL absent", f.other) == ":0\r\n");
    CHECK(f.t("SET w v", f.other) == "+OK\r\n");  // Redis would abort here (see the class)
    CHECK(f.t("MULTI") == "+OK\r\n");
    CHECK(f.t("SET x 1") == "+QUEUED\r\n");
    CHECK(f.t("EXEC") == "*1\r\n+OK\r\n");
  }
  SECTION("UNWATCH, or DISCARD, forgets the keys") {
    CHECK(f.t("WATCH w") == "+OK\r\n");
    CHECK(f.t("UNWATCH") == "+OK\r\n");
    CHECK(f.t("SET w changed", f.other) == "+OK\r\n");
    CHECK(f.t("MULTI") == "+OK\r\n");
    CHECK(f.t("EXEC") == "*0\r\n");
    CHECK(f.t("WATCH w") == "+OK\r\n");
    CHECK(f.t("MULTI") == "+OK\r\n");
    CHECK(f.t("DISCARD") == "+OK\r\n");
    CHECK(f.t("SET w again", f.other) == "+OK\r\n");
    CHECK(f.t("MULTI") == "+OK\r\n");
    CHECK(f.t("EXEC") == "*0\r\n");
  }
  SECTION("the client's own write counts too; an EXEC without MULTI keeps the keys watched") {
    CHECK(f.t("WATCH w") == "+OK\r\n");
    CHECK(f.t("EXEC") == "-ERR EXEC without MULTI\r\n");
    CHECK(f.t("SET w mine") == "+OK\r\n");
    CHECK(f.t("MULTI") == "+OK\r\n");
    CHECK(f.t("EXEC") == "*-1\r\n");
  }
  SECTION("in RESP3 the aborted EXEC's reply is a null") {
    f.client.version = vkv::protocol::RespVersion::kResp3;
    CHECK(f.t("WATCH w") == "+OK\r\n");
    CHECK(f.t("SET w changed", f.other) == "+OK\r\n");
    CHECK(f.t("MULTI") == "+OK\r\n");
    CHECK(f.t("EXEC") == "_\r\n");
  }
}

TEST_CASE("transactions: a transaction may hold only so much: past it, the command is refused "
          "and the transaction with it", "[ch09][transactions]") {
  // A queued SET of a 100-byte value costs about 310 bytes (HeldBytes counts the strings and
  // vectors around the bytes), a watched key with no value about 100, one of 300 bytes 415.
  TxFixture f({.per_connection = 400, .all_connections = 700});
  CHECK(f.t("MULTI") == "+OK\r\n");
  CHECK(f.t("SET k " + std::string(100, 'v')) == "+QUEUED\r\n");
  const std::string refused = f.t("SET k " + std::string(100, 'v'));
  CHECK(refused.starts_with("-ERR transaction too large"));
  CHECK(f.tx.bytes_held() > 0);
  CHECK(f.t("EXEC") == "-EXECABORT Transaction discarded because of previous errors.\r\n");
  CHECK(f.tx.bytes_held() == 0);  // given back
  CHECK(f("GET k") == "$-1\r\n");
  f("SET big " + std::string(300, 'b'));
  CHECK(f.t("WATCH w big").starts_with("-ERR transaction too large"));
  CHECK(f.t("WATCH k") == "+OK\r\n");  // nothing of the refused WATCH was kept
  CHECK(f.t("MULTI") == "+OK\r\n");
  CHECK(f.t("EXEC") == "*0\r\n");  // w and big were not watched: nothing stops it
  SECTION("every connection's together") {
    CHECK(f.t("MULTI") == "+OK\r\n");
    CHECK(f.t("SET k " + std::string(100, 'v')) == "+QUEUED\r\n");
    CHECK(f.t("MULTI", f.other) == "+OK\r\n");
    CHECK(f.t("SET k " + std::string(100, 'v'), f.other) == "+QUEUED\r\n");
    ClientState third;  // within its own limit, past the total's
    CHECK(f.t("MULTI", third) == "+OK\r\n");
    CHECK(f.t("SET k " + std::string(100, 'v'), third).starts_with("-ERR transaction too large"));
    CHECK(f.t("DISCARD") == "+OK\r\n");
    CHECK(f.t("EXEC", f.other) == "*1\r\n+OK\r\n");
    CHECK(f.t("EXEC", third) == "-EXECABORT Transaction discarded because of previous errors.\r\n");
    CHECK(f.tx.bytes_held() == 0);
  }
  SECTION("a connection that closes gives its bytes back") {
    {
      ClientState leaving;
      CHECK(f.t("MULTI", leaving) == "+OK\r\n");
      CHECK(f.t("SET k v", leaving) == "+QUEUED\r\n");
      CHECK(f.tx.bytes_held() > 0);
    }
    CHECK(f.tx.bytes_held() == 0);
  }
}

TEST_CASE("transactions: WATCH of many keys, some twice, watches each once", "[ch09][transactions]") {
  TxFixture f;
  std::string line = "WATCH";
  for (int i = 0; i < 20000; ++i) line += " k" + std::to_string(i % 10000);
  CHECK(f.t(line) == "+OK\r\n");
  CHECK(f.t("WATCH k1 k2") == "+OK\r\n");
  CHECK(f.client.transaction.watched.size() == 10000);
  CHECK(f.t("SET k9999 x", f.other) == "+OK\r\n");
  CHECK(f.t("MULTI") == "+OK\r\n");
  CHECK(f.t("EXEC") == "*-1\r\n");
}

TEST_CASE("transactions: COMMAND tells of MULTI, EXEC, DISCARD, WATCH and UNWATCH",
          "[ch09][transactions]") {
  TxFixture f;
  CHECK(f.t("COMMAND INFO watch").starts_with("*1\r\n*10\r\n$5\r\nwatch\r\n:-2\r\n"));
  for (const char* name : {"multi", "exec", "discard", "unwatch"}) {
    INFO(name);
    CHECK(f.t(std::string("COMMAND INFO ") + name).find(":1\r\n") != std::string::npos);
  }
}

TEST_CASE("transactions: no command of either protocol runs in the middle of an EXEC",
          "[ch09][transactions]") {
  RedisFixture f;
  // Two workers' worth of sessions over the one TransactionCommands the factory makes.
  vkv::net::SessionFactory make = vkv::net::resp_or_text_sessions(
      *f.commands, vkv::net::text_sessions(*f.text, 1024), {});
  auto writer = make();
  auto resp_reader = make();
  auto text_reader = make();
  std::string out;
  writer->feed("*3\r\n$3\r\nSET\r\n$1\r\na\r\n$1\r\n0\r\n*3\r\n$3\r\nSET\r\n$1\r\nb\r\n$1\r\n0\r\n",
               &out);
  REQUIRE(out == "+OK\r\n+OK\r\n");
  constexpr int kRounds = 2000;
  std::atomic<bool> done{false};
  std::thread w([&] {
    const std::string tx =
        "*1\r\n$5\r\nMULTI\r\n*2\r\n$4\r\nINCR\r\n$1\r\na\r\n*2\r\n$4\r\nINCR\r\n$1\r\nb\r\n"
        "*1\r\n$4\r\nEXEC\r\n";
    for (int i = 0; i < kRounds; ++i) {
      std::string o;
      writer->feed(tx, &o);
    }
    done = true;
  });
  int torn_resp = 0, torn_text = 0, reads = 0;
  while (!done) {
    // MGET's "*2\r\n$N\r\nA\r\n$M\r\nB\r\n": A and B must be equal.
    std::string o;
    resp_reader->feed("*3\r\n$4\r\nMGET\r\n$1\r\na\r\n$1\r\nb\r\n", &o);
    const auto words = split_lines(o, "\r\n");
    if (words.size() != 5 || words[2] != words[4]) ++torn_resp;
    // The text protocol: two GETs fed at once run under one hold of the gate.
    std::string t;
    text_reader->feed("GET a\nGET b\n", &t);
    const auto lines = split_lines(t, "\n");
    if (lines.size() != 2 || lines[0] != lines[1]) ++torn_text;
    ++reads;
  }
  w.join();
  INFO(reads << " reads of each protocol");
  CHECK(torn_resp == 0);
  CHECK(torn_text == 0);
  std::string o;
  resp_reader->feed("*3\r\n$4\r\nMGET\r\n$1\r\na\r\n$1\r\nb\r\n", &o);
  CHECK(o == "*2\r\n$4\r\n2000\r\n$4\r\n2000\r\n");
}
