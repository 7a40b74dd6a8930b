// ExpiryTextCommands: the same rules in the text protocol, with its replies (OK, NOT_SET,
// VALUE, NOT_FOUND, INTEGER n, ERR ...); plain SET left to the parser and clearing the
// deadline; SCAN over the deadlines' store.
#include <catch2/catch.hpp>

#include <string>

#include "10-expiry/tests/expiry_fixture.hpp"

using vkv::testing::ExpiryFixture;

TEST_CASE("text expiry: SET with options, TTL, and the key gone when the time comes",
          "[ch10]") {
  ExpiryFixture f;
  CHECK(f.text("SET k v PX 300") == "OK");
  CHECK(f.text("PTTL k") == "INTEGER 300");
  CHECK(f.text("TTL k") == "INTEGER 0");
  CHECK(f.text("GET k") == "VALUE v");
  f.clock.advance(300);
  CHECK(f.text("GET k") == "NOT_FOUND");
  CHECK(f.text("TTL k") == "INTEGER -2");
  CHECK(f("GET k") == "$-1\r\n");  // and for RESP
}

TEST_CASE("text expiry: a plain SET is the parser's, and clears the deadline", "[ch10]") {
  ExpiryFixture f;
  CHECK(f.text("SET k v EX 100") == "OK");
  CHECK(f.text("SET k w") == "OK");
  CHECK(f.text("TTL k") == "INTEGER -1");
  CHECK(f("SET k v EX 100") == "+OK\r\n");  // RESP's deadline, seen by the text protocol
  CHECK(f.text("TTL k") == "INTEGER 100");
  CHECK(f.text("SET k") == "ERR wrong number of arguments for 'SET' (usage: SET key value)");
}

TEST_CASE("text expiry: every command's replies", "[ch10]") {
  ExpiryFixture f;
  CHECK(f.text("SET k v NX") == "OK");
  CHECK(f.text("SET k w NX") == "NOT_SET");
  CHECK(f.text("SET k w NX GET") == "VALUE v");
  CHECK(f.text("SET other w XX GET") == "NOT_FOUND");
  CHECK(f.text("EXPIRE k 10") == "INTEGER 1");
  CHECK(f.text("expire k 20 lt") == "INTEGER 0");
  CHECK(f.text("PEXPIRE k 20000 GT") == "INTEGER 1");
  CHECK(f.text("EXPIREAT k 1767225630") == "INTEGER 1");
  CHECK(f.text("PEXPIREAT k 1767225640000") == "INTEGER 1");
  CHECK(f.text("EXPIRETIME k") == "INTEGER 1767225640");
  CHECK(f.text("PEXPIRETIME k") == "INTEGER 1767225640000");
  CHECK(f.text("PERSIST k") == "INTEGER 1");
  CHECK(f.text("PERSIST k") == "INTEGER 0");
  CHECK(f.text("GETEX k EX 5") == "VALUE v");
  CHECK(f.text("TTL k") == "INTEGER 5");
  CHECK(f.text("GETEX k PERSIST") == "VALUE v");
  CHECK(f.text("GETEX missing") == "NOT_FOUND");
  CHECK(f.text("EXPIRE k -1") == "INTEGER 1");
  CHECK(f.text("GET k") == "NOT_FOUND");
}

TEST_CASE("text expiry: bad arguments get the same errors as RESP", "[ch10]") {
  ExpiryFixture f;
  CHECK(f.text("SET k v EX 0") == "ERR invalid expire time in 'set' command");
  CHECK(f.text("SET k v EX x") == "ERR value is not an integer or out of range");
  CHECK(f.text("SET k v EX 1 KEEPTTL") == "ERR syntax error");
  CHECK(f.text("EXPIRE k 1 NX GT") ==
        "ERR NX and XX, GT or LT options at the same time are not compatible");
  CHECK(f.text("EXPIRE k 1 GT LT") == "ERR GT and LT options at the same time are not compatible");
  CHECK(f.text("EXPIRE k 9223372036854775807") == "ERR invalid expire time in 'expire' command");
  CHECK(f.text("TTL") == "ERR wrong number of arguments for 'ttl' command");
  CHECK(f.text("TTL \"\"") == "ERR empty key");
  CHECK(f.text("NOPE") ==
        "ERR unknown command 'NOPE' (commands: SET, GET, DEL, GETEX, EXPIRE, PEXPIRE, EXPIREAT, "
        "PEXPIREAT, PERSIST, TTL, PTTL, EXPIRETIME, PEXPIRETIME, SCAN)");
}

TEST_CASE("text expiry: binary keys, and SCAN skips expired keys and shows plain values",
          "[ch10]") {
  ExpiryFixture f;
  CHECK(f.text("SET \"a\\x00b\" \"v\\r\\n\" PX 300") == "OK");
  CHECK(f.text("PTTL \"a\\x00b\"") == "INTEGER 300");
  CHECK(f.text("SET c 3") == "OK");
  CHECK(f.text("SCAN \"\"") == "ENTRY \"a\\x00b\" \"v\\r\\n\"\nENTRY c 3\nEND");
  f.clock.advance(300);
  CHECK(f.text("SCAN \"\"") == "ENTRY c 3\nEND");
}
