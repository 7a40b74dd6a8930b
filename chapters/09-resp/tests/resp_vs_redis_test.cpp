// Chapter 9's server beside a real redis-server (Debian's): the same requests sent to both,
// the replies compared byte for byte, error texts included. Left out on purpose, where vkv
// differs and its page says so: SELECT of a database other than 0 (vkv has one), the order
// of KEYS (Redis's is its hash table's), CONFIG GET of settings vkv does not have, and what
// HELLO, INFO, CLIENT ID and COMMAND DOCS tell of the server itself. SET's expiry options
// come in chapter 10.
#include <catch2/catch.hpp>

#include "tests/support/same_as_redis.hpp"

using vkv::testing::same_replies_as_redis;

TEST_CASE("resp vs redis: strings, counters and their errors", "[ch09][redis]") {
  same_replies_as_redis(CH09_SERVER, {
      {"GET missing"}, {"SET s hello"}, {"GET s"}, {"SET s"}, {"SET"}, {"GET s extra"},
      {"SET s hello NX"}, {"SET s hello XX"}, {"SET s2 v XX"}, {"SET s world GET"},
      {"SET s v NX XX"}, {"SET s v FOO"}, {"SET s hello"},
      {"SETNX s x"}, {"SETNX s2 x"}, {"GETDEL s2"}, {"GETDEL s2"},
      {"MGET s s2 missing"}, {"MSET a 1 b 2"}, {"MSET a 1 b"}, {"MSET"},
      {"STRLEN s"}, {"STRLEN missing"}, {"APPEND s world"}, {"APPEND new abc"}, {"GET s"},
      {"INCR n"}, {"INCR n"}, {"INCRBY n 10"}, {"INCRBY n -3"}, {"DECR n"}, {"DECRBY n 5"},
      {"INCR s"}, {"INCRBY n abc"}, {"INCRBY n 9223372036854775807"}, {"INCRBY n 1.0"},
      {"DECRBY n -9223372036854775808"},
      {"SET big 9223372036854775807"}, {"INCR big"}, {"GET big"},
      {"SET neg -9223372036854775808"}, {"DECR neg"},
      {"SET z 007"}, {"INCR z"}, {"SET f 1.5"}, {"INCR f"}, {"SET p +1"}, {"INCR p"},
  });
}

TEST_CASE("resp vs redis: keys, the keyspace and the connection", "[ch09][redis]") {
  same_replies_as_redis(CH09_SERVER, {
      {"MSET k1 a k2 b k3 c"}, {"DEL k1 k2 missing"}, {"DEL"}, {"EXISTS k3 k3 missing"},
      {"MSET u1 a u2 b"}, {"UNLINK u1 u2 u2 missing"}, {"UNLINK"}, {"EXISTS u1 u2"},
      {"EXISTS"}, {"TYPE k3"}, {"TYPE missing"}, {"DBSIZE"}, {"DBSIZE x"},
      {"KEYS k3*"}, {"KEYS [k]3"}, {"KEYS nothing*"}, {"KEYS"},
      {"SCAN 0"}, {"SCAN abc"}, {"SCAN 0 COUNT 0"}, {"SCAN 0 FOO"},
      {"FLUSHDB"}, {"DBSIZE"}, {"SET k v"}, {"FLUSHALL"}, {"DBSIZE"},
      {"FLUSHALL ASYNC"}, {"FLUSHALL SYNC"}, {"FLUSHALL FOO"}, {"FLUSHDB FOO"},
      {"PING"}, {"PING hello"}, {"PING a b"}, {"ECHO hi"}, {"ECHO"}, {"ECHO a b"},
      {"SELECT 0"}, {"SELECT abc"}, {"UNKNOWNCMD a b"}, {"get missing"}, {"GeT missing"},
      {"CLIENT SETNAME foo"}, {"CLIENT GETNAME"}, {"CLIENT FOO"},
      {"HELLO 4"}, {"AUTH x"}, {"AUTH a b"},
  });
}
