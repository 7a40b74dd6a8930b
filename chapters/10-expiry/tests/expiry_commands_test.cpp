// ExpiryCommands through RESP, over a real store with a ManualClock: each command's replies
// and error texts, expired keys gone for every read (GET, EXISTS, MGET, TYPE, KEYS, SCAN,
// DBSIZE), INCR and APPEND keeping a deadline, SET and MSET clearing it, COMMAND telling of
// the new commands, INFO's expires, and chapter 9's errors for arity and keys.
#include <catch2/catch.hpp>

#include <functional>
#include <string>
#include <vector>

#include "09-resp/tests/redis_fixture.hpp"
#include "09-resp/transactions.hpp"
#include "10-expiry/tests/expiry_fixture.hpp"

using vkv::testing::array;
using vkv::testing::bulk;
using vkv::testing::error;
using vkv::testing::ExpiryFixture;
using vkv::testing::integer;
using vkv::testing::kNil;
using vkv::testing::kOk;

TEST_CASE("resp expiry: SET EX, TTL, PTTL, and the key gone when the time comes", "[ch10]") {
  ExpiryFixture f;
  CHECK(f("SET k v EX 10") == kOk);
  CHECK(f("TTL k") == integer(10));
  CHECK(f("PTTL k") == integer(10'000));
  f.clock.advance(9'999);
  CHECK(f("GET k") == bulk("v"));
  CHECK(f("TTL k") == integer(0));
  f.clock.advance(1);
  CHECK(f("GET k") == kNil);
  CHECK(f("TTL k") == integer(-2));
  CHECK(f("PTTL k") == integer(-2));
  CHECK(f("SET p v") == kOk);
  CHECK(f("TTL p") == integer(-1));
  CHECK(f("EXPIRETIME p") == integer(-1));
  CHECK(f("PEXPIRETIME missing") == integer(-2));
}

TEST_CASE("resp expiry: every read misses an expired key at once", "[ch10]") {
  ExpiryFixture f;
  CHECK(f("MSET a 1 b 2 c 3") == kOk);
  CHECK(f("PEXPIRE b 300") == integer(1));
  CHECK(f("DBSIZE") == integer(3));
  f.clock.advance(300);
  CHECK(f("GET b") == kNil);
  CHECK(f("EXISTS a b c") == integer(2));
  CHECK(f("MGET a b c") == array({bulk("1"), kNil, bulk("3")}));
  CHECK(f("TYPE b") == "+none\r\n");
  CHECK(f("STRLEN b") == integer(0));
  CHECK(f("KEYS *") == array({bulk("a"), bulk("c")}));
  CHECK(f("DBSIZE") == integer(2));
  CHECK(f("SCAN 0 COUNT 100") == array({bulk("0"), array({bulk("a"), bulk("c")})}));
  CHECK(f("DEL b") == integer(0));
}

TEST_CASE("resp expiry: MSETNX takes an expired key for a missing one, and sets no deadline",
          "[ch10]") {
  ExpiryFixture f;
  CHECK(f("SET live v EX 100") == kOk);
  CHECK(f("SET gone v PX 300") == kOk);
  CHECK(f("MSETNX gone x other y") == integer(0));  // gone has not expired yet
  f.clock.advance(300);
  CHECK(f("MSETNX live x other y") == integer(0));
  CHECK(f("TTL live") == integer(100));
  CHECK(f("MSETNX gone x other y") == integer(1));
  CHECK(f("MGET gone other") == array({bulk("x"), bulk("y")}));
  CHECK(f("TTL gone") == integer(-1));
}

TEST_CASE("resp expiry: INCR and APPEND keep the deadline, SET, MSET, SETNX clear it",
          "[ch10]") {
  ExpiryFixture f;
  CHECK(f("SET n 1 EX 100") == kOk);
  CHECK(f("INCR n") == integer(2));
  CHECK(f("INCRBY n 5") == integer(7));
  CHECK(f("DECR n") == integer(6));
  CHECK(f("APPEND n 0") == integer(2));
  CHECK(f("TTL n") == integer(100));
  CHECK(f("GET n") == bulk("60"));
  CHECK(f("SET n 1") == kOk);
  CHECK(f("TTL n") == integer(-1));
  CHECK(f("SET n 1 EX 100") == kOk);
  CHECK(f("MSET n 2 m 3") == kOk);
  CHECK(f("TTL n") == integer(-1));
  CHECK(f("SET gone 1 PX 5") == kOk);
  f.clock.advance(5);
  CHECK(f("INCR gone") == integer(1));  // expired: a new key, with no deadline
  CHECK(f("TTL gone") == integer(-1));
  CHECK(f("SETNX gone 2") == integer(0));
  CHECK(f("GETDEL n") == bulk("2"));
}

TEST_CASE("resp expiry: SET's options and their replies", "[ch10]") {
  ExpiryFixture f;
  CHECK(f("SET k v XX") == kNil);
  CHECK(f("SET k v NX PX 500") == kOk);
  CHECK(f("SET k w NX") == kNil);
  CHECK(f("SET k w NX GET") == bulk("v"));
  CHECK(f("GET k") == bulk("v"));
  CHECK(f("SET k w XX GET KEEPTTL") == bulk("v"));
  CHECK(f("PTTL k") == integer(500));
  CHECK(f("SET k x get exat 1767225601") == bulk("w"));
  CHECK(f("PTTL k") == integer(1000));
  CHECK(f("SET k x EXAT 1") == kOk);  // in the past: gone
  CHECK(f("EXISTS k") == integer(0));
}

TEST_CASE("resp expiry: bad arguments get Redis's errors", "[ch10]") {
  ExpiryFixture f;
  const auto err = [](std::string_view text) { return error(text); };
  CHECK(f("SET k v EX 0") == err("ERR invalid expire time in 'set' command"));
  CHECK(f("SET k v PX -5") == err("ERR invalid expire time in 'set' command"));
  CHECK(f("SET k v EX 9223372036854775807") == err("ERR invalid expire time in 'set' command"));
  CHECK(f("SET k v EX ten") == err("ERR value is not an integer or out of range"));
  CHECK(f("SET k v EX 1 PX 1") == err("ERR syntax error"));
  CHECK(f("SET k v NX XX") == err("ERR syntax error"));
  CHECK(f("SET k v KEEPTTL EX 1") == err("ERR syntax error"));
  CHECK(f("SET k v EX") == err("ERR syntax error"));
  CHECK(f("SET k v") == kOk);
  CHECK(f("EXPIRE k 10 NX XX") ==
        err("ERR NX and XX, GT or LT options at the same time are not compatible"));
  CHECK(f("EXPIRE k 10 GT LT") == err("ERR GT and LT options at the same time are not compatible"));
  CHECK(f("EXPIRE k 10 YY") == err("ERR Unsupported option YY"));
  CHECK(f("EXPIRE k ten") == err("ERR value is not an integer or out of range"));
  CHECK(f("EXPIRE k 9223372036854775807") == err("ERR invalid expire time in 'expire' command"));
  CHECK(f("PEXPIRE k 9223372036854775807") == err("ERR invalid expire time in 'pexpire' command"));
  CHECK(f("GETEX k EX 0") == err("ERR invalid expire time in 'getex' command"));
  CHECK(f("GETEX k EX 1 PERSIST") == err("ERR syntax error"));
  CHECK(f("GETEX missing EX 0") == kNil);  // no key: nil before the time is looked at
  CHECK(f("TTL k") == integer(-1));  // nothing above changed it
  // Arity and keys, as chapter 9 checks them.
  CHECK(f("EXPIRE k") == err("ERR wrong number of arguments for 'expire' command"));
  CHECK(f("TTL") == err("ERR wrong number of arguments for 'ttl' command"));
  CHECK(f("TTL a b") == err("ERR wrong number of arguments for 'ttl' command"));
  CHECK(f("SET k") == err("ERR wrong number of arguments for 'set' command"));
  CHECK(f("MSET a 1 b") == err("ERR wrong number of arguments for 'mset' command"));
  CHECK(f.run({"TTL", ""}) == err("ERR empty key"));
  CHECK(f.run({"SET", "", "v", "EX", "1"}) == err("ERR empty key"));
  CHECK(f("NOSUCH a") == err("ERR unknown command 'NOSUCH', with args beginning with: 'a' "));
}

TEST_CASE("resp expiry: EXPIRE's family and PERSIST", "[ch10]") {
  ExpiryFixture f;
  CHECK(f("EXPIRE missing 10") == integer(0));
  CHECK(f("SET k v") == kOk);
  CHECK(f("EXPIRE k 10 XX") == integer(0));
  CHECK(f("EXPIRE k 10 GT") == integer(0));
  CHECK(f("EXPIRE k 10 NX") == integer(1));
  CHECK(f("PEXPIRE k 20000 gt") == integer(1));
  CHECK(f("EXPIREAT k 1767225605 LT") == integer(1));
  CHECK(f("TTL k") == integer(5));
  CHECK(f("PEXPIREAT k 1767225607000 xx gt") == integer(1));
  CHECK(f("EXPIRETIME k") == integer(1767225607));
  CHECK(f("PEXPIRETIME k") == integer(1767225607000));
  CHECK(f("PERSIST k") == integer(1));
  CHECK(f("PERSIST k") == integer(0));
  CHECK(f("PERSIST missing") == integer(0));
  CHECK(f("EXPIRE k -1") == integer(1));  // in the past: deleted
  CHECK(f("GET k") == kNil);
  CHECK(f("SET k v") == kOk);
  CHECK(f("PEXPIRE k 0") == integer(1));
  CHECK(f("EXISTS k") == integer(0));
}

TEST_CASE("resp expiry: GETEX", "[ch10]") {
  ExpiryFixture f;
  CHECK(f("GETEX missing") == kNil);
  CHECK(f("SET k v") == kOk);
  CHECK(f("GETEX k PX 300") == bulk("v"));
  CHECK(f("PTTL k") == integer(300));
  CHECK(f("GETEX k") == bulk("v"));
  CHECK(f("PTTL k") == integer(300));
  CHECK(f("GETEX k PERSIST") == bulk("v"));
  CHECK(f("TTL k") == integer(-1));
  CHECK(f("GETEX k EXAT 1") == bulk("v"));
  CHECK(f("GET k") == kNil);
}

TEST_CASE("resp expiry: SETEX and PSETEX, the older spelling of SET with EX and PX", "[ch10]") {
  ExpiryFixture f;
  CHECK(f("SETEX k 10 v") == kOk);
  CHECK(f("TTL k") == integer(10));
  CHECK(f("GET k") == bulk("v"));
  CHECK(f("PSETEX p 1500 w") == kOk);
  CHECK(f("PTTL p") == integer(1500));
  f.clock.advance(1500);
  CHECK(f("GET p") == kNil);
  CHECK(f("SETEX k 0 x") == error("ERR invalid expire time in 'setex' command"));
  CHECK(f("psetex k -1 x") == error("ERR invalid expire time in 'psetex' command"));
  CHECK(f("SETEX k ten x") == error("ERR value is not an integer or out of range"));
  CHECK(f("SETEX k 10") == error("ERR wrong number of arguments for 'setex' command"));
  CHECK(f("GET k") == bulk("v"));  // the refused ones wrote nothing
  CHECK(f("PTTL k") == integer(8500));  // 10 s, less the 1.5 s the clock moved
}

TEST_CASE("resp expiry: COMMAND tells of the new commands and SET's new options", "[ch10]") {
  ExpiryFixture f;
  const std::string list = f("COMMAND LIST");
  for (const char* name : {"expire", "pexpire", "expireat", "pexpireat", "ttl", "pttl",
                           "persist", "getex", "expiretime", "pexpiretime", "setex", "psetex",
                           "get", "set"}) {
    CHECK(list.find(bulk(name)) != std::string::npos);
  }
  // MSET and SET replace chapter 9's rows; MULTI, EXEC... come with every session.
  const std::size_t count = vkv::engine::RedisCommands::table().size() + 12 +
                            vkv::engine::TransactionCommands::specs().size();
  CHECK(f("COMMAND COUNT") == integer(static_cast<long long>(count)));
  CHECK(f("COMMAND INFO ttl").find(bulk("ttl") + ":2\r\n") != std::string::npos);
  const std::string set_docs = f("COMMAND DOCS set");
  CHECK(set_docs.find(bulk("KEEPTTL")) != std::string::npos);
  CHECK(set_docs.find(bulk("EXAT")) != std::string::npos);
  CHECK(f("COMMAND DOCS expire").find(bulk("GT")) != std::string::npos);
  CHECK(f("COMMAND").find(bulk("pexpiretime")) != std::string::npos);
}

TEST_CASE("resp expiry: INFO counts the keys with deadlines and names chapter 10", "[ch10]") {
  ExpiryFixture f;
  CHECK(f("MSET a 1 b 2 c 3") == kOk);
  CHECK(f("EXPIRE a 100") == integer(1));
  const std::string keyspace = f("INFO keyspace");
  CHECK(keyspace.find("db0:keys=3,expires=1,avg_ttl=0") != std::string::npos);
  CHECK(f("INFO server").find("vkv_chapter:10") != std::string::npos);
  CHECK(f("INFO stats").find("expired_keys") == std::string::npos);  // no cycle given
  CHECK(f("CONFIG RESETSTAT") == kOk);
  CHECK(f("TTL a") == integer(100));
  CHECK(f("PTTL missing") == integer(-2));
  CHECK(f("GETEX b") == bulk("2"));
  CHECK(f("EXPIRE c 5") == integer(1));  // a write: not a lookup, as in Redis
  const std::string stats = f("INFO stats");
  // And CONFIG RESETSTAT, counted once it has run, as Redis counts it; not this INFO.
  CHECK(stats.find("total_commands_processed:5\r\n") != std::string::npos);
  CHECK(stats.find("keyspace_hits:2\r\n") != std::string::npos);
  CHECK(stats.find("keyspace_misses:1\r\n") != std::string::npos);
}

namespace {

// A client of the fixture's commands behind chapter 9's transactions.
struct TransactionClient {
  explicit TransactionClient(ExpiryFixture& f) : tx(f.backend->commands()) {}
  // Runs the words of `line`; returns the reply's bytes.
  std::string operator()(std::string_view line) {
    const auto args = ExpiryFixture::words(line);
    std::vector<std::string_view> views(args.begin(), args.end());
    std::string out;
    vkv::protocol::RespWriter writer(&out, client.version);
    tx.run(views, client, writer);
    return out;
  }
  vkv::engine::TransactionCommands tx;
  vkv::engine::ClientState client;
};

}  // namespace

TEST_CASE("resp expiry: WATCH sees deadlines: EXPIRE, PERSIST or the expiry of a watched key "
          "stops the transaction", "[ch10][transactions]") {
  ExpiryFixture f;
  TransactionClient t(f);  // the client with the transaction; f's own is another
  std::string last;  // the last EXEC's reply
  auto exec_after = [&](const std::function<void()>& change) {
    REQUIRE(t("WATCH k") == "+OK\r\n");
    change();
    REQUIRE(t("MULTI") == "+OK\r\n");
    REQUIRE(t("SET x 1") == "+QUEUED\r\n");
    last = t("EXEC");
    return last;
  };
  f("SET k v");
  SECTION("EXPIRE by another client") {
    CHECK(exec_after([&] { CHECK(f("EXPIRE k 100") == integer(1)); }) == "*-1\r\n");
  }
  SECTION("EXPIRE through the text protocol") {
    CHECK(exec_after([&] { CHECK(f.text("EXPIRE k 100") == "INTEGER 1"); }) == "*-1\r\n");
  }
  SECTION("PERSIST") {
    f("EXPIRE k 100");
    CHECK(exec_after([&] { CHECK(f("PERSIST k") == integer(1)); }) == "*-1\r\n");
  }
  SECTION("the key expires between WATCH and EXEC") {
    f("PEXPIRE k 100");
    CHECK(exec_after([&] { f.clock.advance(100); }) == "*-1\r\n");
  }
  SECTION("time passes and the deadline stays: it runs") {
    f("EXPIRE k 100");
    CHECK(exec_after([&] { f.clock.advance(1000); }) == "*1\r\n+OK\r\n");
  }
  CHECK(f("EXISTS x") == integer(last == "*-1\r\n" ? 0 : 1));  // a transaction stopped wrote nothing
}

TEST_CASE("resp expiry: inside a transaction, chapter 10's commands are checked as they are "
          "queued and run with their options by EXEC", "[ch10][transactions]") {
  ExpiryFixture f;
  TransactionClient t(f);
  CHECK(t("MULTI") == "+OK\r\n");
  CHECK(t("SET e v EX 100") == "+QUEUED\r\n");
  CHECK(t("TTL e") == "+QUEUED\r\n");
  CHECK(t("SET e v EX 0") == "+QUEUED\r\n");  // its time is checked when it runs, as Redis does
  CHECK(t("EXPIRE e") == "-ERR wrong number of arguments for 'expire' command\r\n");
  CHECK(t("EXEC") == "-EXECABORT Transaction discarded because of previous errors.\r\n");
  CHECK(f("EXISTS e") == integer(0));
  CHECK(t("MULTI") == "+OK\r\n");
  CHECK(t("SET e v EX 100") == "+QUEUED\r\n");
  CHECK(t("TTL e") == "+QUEUED\r\n");
  CHECK(t("SET e v EX 0") == "+QUEUED\r\n");
  CHECK(t("EXEC") == "*3\r\n+OK\r\n:100\r\n-ERR invalid expire time in 'set' command\r\n");
}
