// RedisCommands through a RespWriter over a real LsmStore: every command's reply in RESP2 and
// RESP3, every bad argument with Redis's words, storage failures, and the text protocol
// seeing the same keys.
#include <catch2/catch.hpp>

#include <limits>
#include <map>
#include <set>

#include "09-resp/tests/redis_fixture.hpp"
#include "09-resp/transactions.hpp"
#include "common/fault_injection_env.hpp"

using namespace vkv::testing;
using vkv::engine::ClientState;
using vkv::protocol::RespVersion;

TEST_CASE("redis commands: GET, SET, DEL of binary keys and values", "[ch09]") {
  RedisFixture r;
  const std::string key("k\0\r\n\xff", 5);
  const std::string value("v\0\r\n\x01 x", 7);
  CHECK(r.run({"SET", key, value}) == kOk);
  CHECK(r.run({"GET", key}) == bulk(value));
  CHECK(r.run({"SET", "e", ""}) == kOk);
  CHECK(r("GET e") == bulk(""));
  CHECK(r("GET missing") == kNil);
  CHECK(r.run({"DEL", key, "missing", key, "e"}) == integer(2));
  CHECK(r.run({"GET", key}) == kNil);
}

TEST_CASE("redis commands: names in any case, arity from the table", "[ch09]") {
  RedisFixture r;
  CHECK(r("set a 1") == kOk);
  CHECK(r("GeT a") == bulk("1"));
  CHECK(r("GET") == error("ERR wrong number of arguments for 'get' command"));
  CHECK(r("get a b") == error("ERR wrong number of arguments for 'get' command"));
  CHECK(r("SET a") == error("ERR wrong number of arguments for 'set' command"));
  CHECK(r("DEL") == error("ERR wrong number of arguments for 'del' command"));
  CHECK(r("MSET a 1 b") == error("ERR wrong number of arguments for 'mset' command"));
  CHECK(r("ECHO") == error("ERR wrong number of arguments for 'echo' command"));
  CHECK(r("PING a b") == error("ERR wrong number of arguments for 'ping' command"));
  CHECK(r("CLIENT") == error("ERR wrong number of arguments for 'client' command"));
  CHECK(r("CLIENT SETNAME") ==
        error("ERR wrong number of arguments for 'client|setname' command"));
}

TEST_CASE("redis commands: an unknown command is named with its first arguments, as Redis "
          "words it", "[ch09]") {
  RedisFixture r;
  CHECK(r("FOO a b") == error("ERR unknown command 'FOO', with args beginning with: 'a' 'b' "));
  CHECK(r("foo") == error("ERR unknown command 'foo', with args beginning with: "));
  // The arguments stop once they pass 128 bytes, the last one cut to fit.
  const std::string long_arg(200, 'x');
  const std::string reply = r.run({"nope", "a", long_arg, "never"});
  CHECK(reply == error("ERR unknown command 'nope', with args beginning with: 'a' '" +
                       std::string(124, 'x') + "' "));
  // A line break in a name cannot break the reply's line.
  CHECK(r.run({"x\r\ny"}).find("\r\n") == r.run({"x\r\ny"}).size() - 2);
  CHECK(r("CLIENT FOO") == error("ERR unknown subcommand 'FOO'. Try CLIENT HELP."));
  CHECK(r("CONFIG nope x") == error("ERR unknown subcommand 'nope'. Try CONFIG HELP."));
}

TEST_CASE("redis commands: an empty key is refused, as the text protocol refuses it", "[ch09]") {
  RedisFixture r;
  CHECK(r.run({"SET", "", "v"}) == error("ERR empty key"));
  CHECK(r.run({"GET", ""}) == error("ERR empty key"));
  CHECK(r.run({"MSET", "a", "1", "", "2"}) == error("ERR empty key"));
  CHECK(r.run({"MSET", "a", "", "b", "2"}) == kOk);  // an empty value is fine
  CHECK(r.run({"DEL", "a", ""}) == error("ERR empty key"));
  CHECK(r("GET a") == bulk(""));
}

TEST_CASE("redis commands: SET NX, XX and GET", "[ch09]") {
  RedisFixture r;
  CHECK(r("SET k 1 NX") == kOk);
  CHECK(r("SET k 2 NX") == kNil);
  CHECK(r("GET k") == bulk("1"));
  CHECK(r("SET k 3 XX") == kOk);
  CHECK(r("SET other 3 XX") == kNil);
  CHECK(r("GET other") == kNil);
  CHECK(r("SET k 4 GET") == bulk("3"));
  CHECK(r("SET new 1 GET") == kNil);
  CHECK(r("GET new") == bulk("1"));
  CHECK(r("SET k 5 nx get") == bulk("4"));  // NX with GET: the old value, nothing set
  CHECK(r("GET k") == bulk("4"));
  CHECK(r("SET none 5 XX GET") == kNil);
  CHECK(r("GET none") == kNil);
}

TEST_CASE("redis commands: bad SET options are a syntax error, expiry with a clear text", "[ch09]") {
  RedisFixture r;
  CHECK(r("SET k v NX XX") == error("ERR syntax error"));
  CHECK(r("SET k v XX NX") == error("ERR syntax error"));
  CHECK(r("SET k v FOO") == error("ERR syntax error"));
  for (const char* opt : {"EX 10", "PX 10", "EXAT 10", "PXAT 10", "KEEPTTL", "ex 1"}) {
    CHECK(r(std::string("SET k v ") + opt) ==
          error("ERR syntax error: vkv does not expire keys yet (no EX, PX, EXAT, PXAT or "
                "KEEPTTL)"));
  }
  CHECK(r("GET k") == kNil);  // nothing was set by any of them
}

TEST_CASE("redis commands: SETNX, GETDEL, STRLEN, APPEND, MGET, MSET, EXISTS, TYPE", "[ch09]") {
  RedisFixture r;
  CHECK(r("SETNX a 1") == integer(1));
  CHECK(r("SETNX a 2") == integer(0));
  CHECK(r("GETDEL a") == bulk("1"));
  CHECK(r("GETDEL a") == kNil);
  CHECK(r("STRLEN a") == integer(0));
  CHECK(r("APPEND a hello") == integer(5));
  CHECK(r("APPEND a _world") == integer(11));
  CHECK(r("STRLEN a") == integer(11));
  CHECK(r("MSET x 1 y 2 x 3") == kOk);  // the last value of a repeated key wins
  CHECK(r("MGET x nope y") == array({bulk("3"), kNil, bulk("2")}));
  CHECK(r("EXISTS x x nope y") == integer(3));  // a key named twice counts twice
  CHECK(r("TYPE x") == simple("string"));
  CHECK(r("TYPE nope") == simple("none"));
}

TEST_CASE("redis commands: MSETNX sets all of its keys or none", "[ch09]") {
  RedisFixture r;
  CHECK(r("MSETNX a 1 b 2") == integer(1));
  CHECK(r("MGET a b") == array({bulk("1"), bulk("2")}));
  CHECK(r("MSETNX c 3 b 9") == integer(0));  // b exists: c is not set either
  CHECK(r("MGET c b") == array({kNil, bulk("2")}));
  CHECK(r("MSETNX d 1 d 2") == integer(1));  // a key named twice: the last value wins
  CHECK(r("GET d") == bulk("2"));
  CHECK(r("MSETNX e 1 f") == error("ERR wrong number of arguments for 'msetnx' command"));
  CHECK(r("MSETNX e") == error("ERR wrong number of arguments for 'msetnx' command"));
  CHECK(r("EXISTS e f") == integer(0));
}

TEST_CASE("redis commands: INCR, DECR, INCRBY, DECRBY and their errors", "[ch09]") {
  RedisFixture r;
  CHECK(r("INCR n") == integer(1));
  CHECK(r("INCRBY n 41") == integer(42));
  CHECK(r("DECR n") == integer(41));
  CHECK(r("DECRBY n 50") == integer(-9));
  CHECK(r("GET n") == bulk("-9"));
  CHECK(r("INCRBY n -1") == integer(-10));
  const std::string not_integer = error("ERR value is not an integer or out of range");
  CHECK(r("INCRBY n x") == not_integer);
  CHECK(r("INCRBY n 1.5") == not_integer);
  CHECK(r("INCRBY n 9223372036854775808") == not_integer);
  CHECK(r("SET s abc") == kOk);
  CHECK(r("INCR s") == not_integer);
  for (const char* bad : {"007", "+1", "-0", " 1", "1 ", ""}) {
    CHECK(r.run({"SET", "b", bad}) == kOk);
    CHECK(r("INCR b") == not_integer);
  }
  CHECK(r("SET max 9223372036854775807") == kOk);
  CHECK(r("INCR max") == error("ERR increment or decrement would overflow"));
  CHECK(r("GET max") == bulk("9223372036854775807"));  // unchanged
  CHECK(r("SET min -9223372036854775808") == kOk);
  CHECK(r("DECR min") == error("ERR increment or decrement would overflow"));
  CHECK(r("DECRBY z -9223372036854775808") == error("ERR decrement would overflow"));
  CHECK(r("DECRBY z 9223372036854775807") == integer(-9223372036854775807LL));
}

TEST_CASE("redis commands: parse_redis_integer reads what Redis reads", "[ch09]") {
  using vkv::engine::parse_redis_integer;
  CHECK(parse_redis_integer("0") == 0);
  CHECK(parse_redis_integer("-1") == -1);
  CHECK(parse_redis_integer("9223372036854775807") == std::numeric_limits<std::int64_t>::max());
  CHECK(parse_redis_integer("-9223372036854775808") == std::numeric_limits<std::int64_t>::min());
  // 18 digits and fewer are read without a check per digit; 19 and more with one.
  CHECK(parse_redis_integer("999999999999999999") == 999'999'999'999'999'999);
  CHECK(parse_redis_integer("-999999999999999999") == -999'999'999'999'999'999);
  CHECK(parse_redis_integer("1000000000000000000") == 1'000'000'000'000'000'000);
  CHECK(parse_redis_integer("1000") == 1000);
  for (const char* bad : {"", "-", "00", "01", "-0", "+5", "1e3", "9223372036854775808",
                          "-9223372036854775809", "12a", "123456789012345678901",
                          "12345678901234567a", "-1234567890123456 7", "1234567890123456789a"}) {
    CHECK_FALSE(parse_redis_integer(bad).has_value());
  }
}

TEST_CASE("redis commands: PING, ECHO, QUIT, SELECT, AUTH", "[ch09]") {
  RedisFixture r;
  CHECK(r("PING") == simple("PONG"));
  CHECK(r("PING hi") == bulk("hi"));
  CHECK(r("ECHO hi") == bulk("hi"));
  CHECK(r("SELECT 0") == kOk);
  CHECK(r("SELECT 1") == error("ERR DB index is out of range"));
  CHECK(r("SELECT x") == error("ERR value is not an integer or out of range"));
  CHECK(r("AUTH secret") ==
        error("ERR AUTH <password> called without any password configured for the default "
              "user. Are you sure your configuration is correct?"));
  CHECK(r("AUTH default anything") == kOk);
  CHECK(r("AUTH bob pw") == error("WRONGPASS invalid username-password pair or user is disabled."));
  CHECK(r("AUTH a b c") == error("ERR syntax error"));
  CHECK_FALSE(r.client.close_after_reply);
  CHECK(r("QUIT") == kOk);
  CHECK(r.client.close_after_reply);
}

TEST_CASE("redis commands: HELLO answers its map in the version it switches to", "[ch09]") {
  RedisFixture r;
  const std::string map_body = bulk("server") + bulk("vkv") + bulk("version") + bulk("7.0.0") +
                               bulk("proto") + "%P" + bulk("id") + integer(7) + bulk("mode") +
                               bulk("standalone") + bulk("role") + bulk("master") +
                               bulk("modules") + "*0\r\n";
  auto with_proto = [&](int p) {
    std::string s = map_body;
    s.replace(s.find("%P"), 2, integer(p));
    return s;
  };
  CHECK(r("HELLO") == "*14\r\n" + with_proto(2));
  CHECK(r("HELLO 3") == "%7\r\n" + with_proto(3));
  CHECK(r.client.version == RespVersion::kResp3);
  CHECK(r("GET nope") == kNull3);
  CHECK(r("HELLO") == "%7\r\n" + with_proto(3));
  CHECK(r("HELLO 2") == "*14\r\n" + with_proto(2));
  CHECK(r.client.version == RespVersion::kResp2);
  CHECK(r("HELLO 4") == error("NOPROTO unsupported protocol version"));
  CHECK(r("HELLO 1") == error("NOPROTO unsupported protocol version"));
  CHECK(r("HELLO x") == error("ERR Protocol version is not an integer or out of range"));
  CHECK(r.client.version == RespVersion::kResp2);  // a refused HELLO changes nothing
  CHECK(r("HELLO 3 AUTH bob pw") ==
        error("WRONGPASS invalid username-password pair or user is disabled."));
  CHECK(r.client.version == RespVersion::kResp2);
  CHECK(r("HELLO 3 FOO") == error("ERR Syntax error in HELLO option 'FOO'"));
  CHECK(r("HELLO 3 AUTH default") == error("ERR Syntax error in HELLO option 'AUTH'"));
  CHECK(r.run({"HELLO", "3", "SETNAME", "a b"}) ==
        error("ERR Client names cannot contain spaces, newlines or special characters."));
  CHECK(r("HELLO 3 AUTH default pw SETNAME app") == "%7\r\n" + with_proto(3));
  CHECK(r.client.name == "app");
}

TEST_CASE("redis commands: CLIENT ID, SETNAME, GETNAME, SETINFO, INFO", "[ch09]") {
  RedisFixture r;
  CHECK(r("CLIENT ID") == integer(7));
  CHECK(r("CLIENT GETNAME") == kNil);
  CHECK(r("client setname app-1") == kOk);
  CHECK(r("CLIENT GETNAME") == bulk("app-1"));
  CHECK(r.run({"CLIENT", "SETNAME", "a b"}) ==
        error("ERR Client names cannot contain spaces, newlines or special characters."));
  CHECK(r.run({"CLIENT", "SETNAME", ""}) == kOk);  // no name again
  CHECK(r("CLIENT GETNAME") == kNil);
  CHECK(r("CLIENT SETINFO LIB-NAME redis-py") == kOk);
  CHECK(r("CLIENT SETINFO lib-ver 4.3.4") == kOk);
  CHECK(r("CLIENT SETINFO color red") == error("ERR Unrecognized option 'color'"));
  CHECK(r.run({"CLIENT", "SETINFO", "LIB-NAME", "a\nb"}) ==
        error("ERR LIB-NAME cannot contain spaces, newlines or special characters."));
  const std::string line = "id=7 name= db=0 resp=2 lib-name=redis-py lib-ver=4.3.4\n";
  CHECK(r("CLIENT INFO") == bulk(line));
  CHECK(r("HELLO 3").front() == '%');
  CHECK(r("CLIENT INFO") == "=" + std::to_string(line.size() + 4) + "\r\ntxt:" +
                                "id=7 name= db=0 resp=3 lib-name=redis-py lib-ver=4.3.4\n\r\n");
  CHECK(r("CLIENT HELP").rfind("*", 0) == 0);
}

TEST_CASE("redis commands: replies in RESP3 (null, map, verbatim)", "[ch09]") {
  RedisFixture r;
  r.client.version = RespVersion::kResp3;
  CHECK(r("GET nope") == kNull3);
  CHECK(r("MGET nope") == "*1\r\n" + kNull3);
  CHECK(r("SET k v NX") == kOk);
  CHECK(r("SET k v NX") == kNull3);
  CHECK(r("CONFIG GET save") == "%1\r\n" + bulk("save") + bulk(""));
  CHECK(r("INFO server").rfind("=", 0) == 0);
  CHECK(r("INFO server").find("txt:# Server\r\n") != std::string::npos);
}

TEST_CASE("redis commands: DBSIZE, KEYS and FLUSHDB walk the keys, in tables too", "[ch09]") {
  RedisFixture r;
  CHECK(r("DBSIZE") == integer(0));
  CHECK(r("KEYS *") == "*0\r\n");
  for (int i = 0; i < 3000; ++i) {
    REQUIRE(r.run({"SET", "user:" + std::to_string(i), std::string(40, 'v')}) == kOk);
  }
  REQUIRE(r.store->flush().is_ok());
  CHECK(r.store->stats().tables > 0);
  REQUIRE(r("SET other 1") == kOk);
  REQUIRE(r("DEL user:5") == integer(1));
  CHECK(r("DBSIZE") == integer(3000));
  CHECK(r("KEYS user:1?9") == array({bulk("user:109"), bulk("user:119"), bulk("user:129"),
                                     bulk("user:139"), bulk("user:149"), bulk("user:159"),
                                     bulk("user:169"), bulk("user:179"), bulk("user:189"),
                                     bulk("user:199")}));
  CHECK(r("KEYS oth*") == array({bulk("other")}));
  CHECK(r("KEYS user:5") == "*0\r\n");
  CHECK(r("FLUSHDB x") == error("ERR syntax error"));
  CHECK(r("FLUSHDB ASYNC") == kOk);
  CHECK(r("DBSIZE") == integer(0));
  CHECK(r("GET user:7") == kNil);
  REQUIRE(r("SET a 1") == kOk);
  CHECK(r("FLUSHALL") == kOk);
  CHECK(r("DBSIZE") == integer(0));
}

TEST_CASE("redis commands: the text protocol and RESP see the same keys", "[ch09]") {
  RedisFixture r;
  using vkv::protocol::GetCommand;
  using vkv::protocol::SetCommand;
  using vkv::protocol::DelCommand;
  REQUIRE(r.text->execute(SetCommand{"k", "from text"}).kind == vkv::protocol::ReplyKind::kOk);
  CHECK(r("GET k") == bulk("from text"));
  CHECK(r("SET k resp") == kOk);
  CHECK(r.text->execute(GetCommand{"k"}).text == "resp");
  CHECK(r("INCR n") == integer(1));
  CHECK(r.text->execute(GetCommand{"n"}).text == "1");
  REQUIRE(r.text->execute(DelCommand{"k"}).kind == vkv::protocol::ReplyKind::kOk);
  CHECK(r("EXISTS k") == integer(0));
}

TEST_CASE("redis commands: SCAN pages through every key once, and its cursor errors", "[ch09]") {
  RedisFixture r;
  std::set<std::string> keys;
  for (int i = 0; i < 250; ++i) {
    keys.insert("k" + std::to_string(i));
    REQUIRE(r.run({"SET", "k" + std::to_string(i), "v"}) == kOk);
  }
  // The first page, spelled out: cursor 1 (this fixture's first), then 10 keys in order.
  const std::string first = r("SCAN 0");
  CHECK(first.rfind("*2\r\n$1\r\n1\r\n*10\r\n$2\r\nk0\r\n$2\r\nk1\r\n$3\r\nk10\r\n", 0) == 0);
  CHECK(r("SCAN 1").rfind("*2\r\n$1\r\n2\r\n*10\r\n", 0) == 0);
  // A cursor is good for one call.
  CHECK(r("SCAN 1").rfind("-ERR invalid cursor: unknown, used already, or expired", 0) == 0);
  CHECK(r("SCAN 99").rfind("-ERR invalid cursor: unknown", 0) == 0);
  CHECK(r("SCAN x") == error("ERR invalid cursor"));
  CHECK(r("SCAN -1") == error("ERR invalid cursor"));
  CHECK(r("SCAN 0 COUNT 0") == error("ERR syntax error"));
  CHECK(r("SCAN 0 COUNT x") == error("ERR value is not an integer or out of range"));
  CHECK(r("SCAN 0 MATCH") == error("ERR syntax error"));
  CHECK(r("SCAN 0 FOO 1") == error("ERR syntax error"));
  // MATCH, TYPE and COUNT.
  CHECK(r("SCAN 0 MATCH k1? COUNT 1000") ==
        array({bulk("0"), array({bulk("k10"), bulk("k11"), bulk("k12"), bulk("k13"),
                                 bulk("k14"), bulk("k15"), bulk("k16"), bulk("k17"),
                                 bulk("k18"), bulk("k19")})}));
  CHECK(r("SCAN 0 TYPE hash COUNT 1000") == array({bulk("0"), "*0\r\n"}));
  CHECK(r("SCAN 0 MATCH nothing*") == array({bulk("0"), "*0\r\n"}));
  CHECK(r("SCAN 0 MATCH k249") == array({bulk("0"), array({bulk("k249")})}));
}

TEST_CASE("redis commands: COMMAND, COMMAND COUNT, INFO, LIST and DOCS describe the table",
          "[ch09]") {
  RedisFixture r;
  // The table's commands, and the transactions' (which run in front of them).
  const auto count = vkv::engine::RedisCommands::table().size() +
                     vkv::engine::TransactionCommands::specs().size();
  CHECK(r("COMMAND COUNT") == integer(static_cast<long long>(count)));
  CHECK(r("COMMAND").rfind("*" + std::to_string(count) + "\r\n*10\r\n$3\r\nget\r\n:2\r\n", 0) == 0);
  CHECK(r("COMMAND INFO get nope") ==
        "*2\r\n*10\r\n$3\r\nget\r\n:2\r\n*2\r\n+readonly\r\n+fast\r\n:1\r\n:1\r\n:1\r\n"
        "*3\r\n+@read\r\n+@string\r\n+@fast\r\n*0\r\n*0\r\n*0\r\n$-1\r\n");
  CHECK(r("COMMAND LIST").rfind("*" + std::to_string(count) + "\r\n$3\r\nget\r\n", 0) == 0);
  CHECK(r("COMMAND DOCS get") ==
        "*2\r\n$3\r\nget\r\n*8\r\n$7\r\nsummary\r\n$34\r\nReturns the string value of a key.\r\n"
        "$5\r\nsince\r\n$5\r\n1.0.0\r\n$5\r\ngroup\r\n$6\r\nstring\r\n$9\r\narguments\r\n"
        "*1\r\n*4\r\n$4\r\nname\r\n$3\r\nkey\r\n$4\r\ntype\r\n$3\r\nkey\r\n");
  // Every command and subcommand has what redis-cli needs: summary, since, group, and
  // arguments with a name and a type.
  r.client.version = RespVersion::kResp3;
  const std::string docs = r("COMMAND DOCS");
  CHECK(docs.rfind("%" + std::to_string(count) + "\r\n", 0) == 0);
  CHECK(docs.find("$14\r\nclient|setname\r\n%4\r\n") != std::string::npos);
  CHECK(r("COMMAND DOCS nope") == "%0\r\n");
}

TEST_CASE("redis commands: CONFIG GET matches globs, in any case, each setting once", "[ch09]") {
  RedisFixture r;
  CHECK(r("CONFIG GET save") == array({bulk("save"), bulk("")}));
  CHECK(r("CONFIG GET appendonly") == array({bulk("appendonly"), bulk("yes")}));
  CHECK(r("CONFIG GET APPEND*") == array({bulk("appendonly"), bulk("yes"),
                                          bulk("appendfsync"), bulk("no")}));
  CHECK(r("CONFIG GET save save s*") == array({bulk("save"), bulk("")}));
  CHECK(r("CONFIG GET nothing") == "*0\r\n");
  CHECK(r("CONFIG GET") == error("ERR wrong number of arguments for 'config|get' command"));
  CHECK(r("CONFIG SET save x").rfind("-ERR CONFIG SET is not supported", 0) == 0);
}

TEST_CASE("redis commands: INFO's sections, and Keyspace only when asked", "[ch09]") {
  RedisFixture r;
  REQUIRE(r("SET a 1") == kOk);
  REQUIRE(r("GET a") == bulk("1"));
  REQUIRE(r("GET b") == kNil);
  REQUIRE(r("GET").rfind("-ERR wrong number of arguments", 0) == 0);
  // Three commands ran: the refused GET is not counted, nor the INFO that asks, as in Redis.
  const std::string all = r("INFO");
  CHECK(all.rfind("$", 0) == 0);
  for (const char* part : {"# Server\r\nredis_version:7.0.0\r\n", "redis_mode:standalone\r\n",
                           "\r\n\r\n# Clients\r\n", "# Persistence\r\nloading:0\r\n",
                           "# Stats\r\ntotal_commands_processed:3\r\n", "keyspace_hits:1\r\n",
                           "keyspace_misses:1\r\n"}) {
    CHECK(all.find(part) != std::string::npos);
  }
  CHECK(all.find("# Keyspace") == std::string::npos);  // no count unless asked: O(n)
  const std::string keyspace = r("INFO keyspace");
  CHECK(keyspace == bulk("# Keyspace\r\ndb0:keys=1,expires=0,avg_ttl=0\r\n"));
  CHECK(r("INFO Stats").find("# Server") == std::string::npos);
  CHECK(r("INFO everything").find("db0:keys=1") != std::string::npos);
  CHECK(r("INFO nothing") == bulk(""));
}

TEST_CASE("redis commands: a storage failure is an ERR that says what failed, and nothing "
          "unaccepted is acknowledged", "[ch09]") {
  vkv::FaultInjectionEnv env;
  RedisFixture r(env, vkv::storage::SyncPolicy::kAlways);
  REQUIRE(r("SET a 1") == kOk);
  REQUIRE(r("INCR n") == integer(1));
  const auto before = env.mutating_ops();
  REQUIRE(r("SET b 1") == kOk);
  const auto per_write = env.mutating_ops() - before;

  SECTION("SET") {
    env.fail_after(0);
    const std::string reply = r("SET a 2");
    CHECK(reply.rfind("-ERR storage: ", 0) == 0);
    CHECK(reply.find("injected fault") != std::string::npos);
    CHECK(r("GET a") == bulk("1"));
  }
  SECTION("INCR") {
    env.fail_after(0);
    CHECK(r("INCR n").rfind("-ERR storage: ", 0) == 0);
    CHECK(r("GET n") == bulk("1"));
  }
  SECTION("MSET says how far it got") {
    env.fail_after(per_write);  // the first key's write goes through, the second's fails
    const std::string reply = r("MSET x 1 y 2 z 3");
    CHECK(reply.rfind("-ERR storage: ", 0) == 0);
    CHECK(reply.find("(MSET set the first 1 of 3 keys)") != std::string::npos);
    CHECK(r("MGET x y z") == array({bulk("1"), kNil, kNil}));
  }
  SECTION("MSETNX says how far it got") {
    env.fail_after(per_write);
    const std::string reply = r("MSETNX x 1 y 2 z 3");
    CHECK(reply.rfind("-ERR storage: ", 0) == 0);
    CHECK(reply.find("(MSETNX set the first 1 of 3 keys)") != std::string::npos);
    CHECK(r("MGET x y z") == array({bulk("1"), kNil, kNil}));
  }
  SECTION("DEL says how far it got") {
    env.fail_after(per_write);
    const std::string reply = r("DEL a b");
    CHECK(reply.find("(DEL deleted 1 of the keys before this one)") != std::string::npos);
    CHECK(r("GET b") == bulk("1"));
  }
}

TEST_CASE("redis commands: INCRBYFLOAT's numbers, read and written as Redis does", "[ch09]") {
  using vkv::engine::format_redis_long_double;
  using vkv::engine::parse_redis_long_double;
  CHECK(format_redis_long_double(10.6L) == "10.6");
  CHECK(format_redis_long_double(5200.0L) == "5200");
  CHECK(format_redis_long_double(-0.0L) == "0");
  CHECK(format_redis_long_double(1e-20L) == "0");
  CHECK(format_redis_long_double(-1e-20L) == "0");  // "-0.00000000000000000", cut to "-0"
  CHECK(format_redis_long_double(0.5L) == "0.5");
  CHECK(format_redis_long_double(-4989.4L) == "-4989.39999999999999991");
  CHECK(parse_redis_long_double("10.50") == 10.5L);
  CHECK(parse_redis_long_double("0x10") == 16.0L);
  CHECK(parse_redis_long_double("inf").has_value());  // read; the sum is refused
  for (std::string_view bad : {"", " 1", "\t1", "1 ", "abc", "1.5e", "nan", "1e5000", "-1e5000"}) {
    INFO(bad);
    CHECK_FALSE(parse_redis_long_double(bad).has_value());
  }
  CHECK(parse_redis_long_double(std::string("1\0abc", 5)) == 1.0L);  // to the NUL, as Redis
  CHECK_FALSE(parse_redis_long_double(std::string(5 * 1024, '1')).has_value());
  RedisFixture r;
  CHECK(r.run({"SET", "k", " 3"}) == kOk);
  CHECK(r("INCRBYFLOAT k 1") == error("ERR value is not a valid float"));
  CHECK(r.run({"INCRBYFLOAT", "k2", ""}) == error("ERR value is not a valid float"));
  CHECK(r("INCRBYFLOAT k3 1e4932") .size() > 4900);
  CHECK(r("INCRBYFLOAT k3 1e4932") == error("ERR increment would produce NaN or Infinity"));
  CHECK(r("GETSET k3 v").size() > 4900);  // the sum was not written: the first stands
}

TEST_CASE("redis commands: SHUTDOWN asks the server to stop and closes the connection without a "
          "reply, and its bad options and ABORT are refused and stop nothing", "[ch09]") {
  RedisFixture r;
  // Commands made without a server to stop (as the fixture's) refuse it.
  CHECK(r("SHUTDOWN") == error("ERR SHUTDOWN is not possible here: no server to stop"));
  CHECK_FALSE(r.client.close_after_reply);

  int stops = 0;
  vkv::engine::RedisServerInfo info;
  info.shutdown = [&stops] { ++stops; };
  r.commands = std::make_unique<vkv::engine::RedisCommands>(*r.store, *r.scanner, r.locks, info, 1);
  ClientState client;
  for (const auto& bad : std::vector<std::vector<std::string>>{
           {"SHUTDOWN", "NOW", "LATER"}, {"SHUTDOWN", "SAVE", "NOSAVE"},
           {"shutdown", "nosave", "save"}, {"SHUTDOWN", "ABORT", "NOW"},
           {"SHUTDOWN", "NOSAVE", "ABORT"}}) {
    CHECK(r.run(bad, &client) == error("ERR syntax error"));
  }
  CHECK(r.run({"SHUTDOWN", "ABORT"}, &client) == error("ERR No shutdown in progress."));
  CHECK(r.run({"SHUTDOWN", "abort", "ABORT"}, &client) == error("ERR No shutdown in progress."));
  CHECK(stops == 0);
  CHECK_FALSE(client.close_after_reply);

  CHECK(r.run({"SHUTDOWN", "NOSAVE", "NOW", "FORCE"}, &client).empty());
  CHECK(stops == 1);
  CHECK(client.close_after_reply);
  ClientState other;
  CHECK(r.run({"shutdown"}, &other).empty());
  CHECK(stops == 2);
}
