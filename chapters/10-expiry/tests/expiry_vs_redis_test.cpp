// Chapter 10's server beside a real redis-server (Debian's), the same requests sent to both:
// their replies must be the same bytes, error texts included, except where a reply counts
// time down (TTL, PTTL), which may differ by the moments the two were asked. This is what
// "Redis's semantics" means for the expiry commands: not a reading of its documentation, but
// what the installed Redis answers.
#include <catch2/catch.hpp>

#include <vector>

#include "tests/support/same_as_redis.hpp"

using vkv::testing::RedisStep;

namespace {

constexpr long kSecond = 1;      // a TTL in seconds, asked of two servers a moment apart
constexpr long kMillis = 1'000;  // a PTTL, on a slow machine

void same_replies(const std::vector<RedisStep>& steps) {
  vkv::testing::same_replies_as_redis(CH10_SERVER, steps);
}

}  // namespace

TEST_CASE("expiry vs redis: SET's time options, their errors and what they leave",
          "[ch10][redis]") {
  same_replies({
      {"SET a v EX 100"}, {"TTL a", kSecond}, {"PTTL a", kMillis},
      {"SET a v EX 0"}, {"SET a v EX -5"}, {"SET a v EX abc"}, {"SET a v EX"},
      {"SET a v EX 1.5"}, {"SET a v EX 01"}, {"SET a v EX +10"},
      {"SET a v EX 10 PX 10"}, {"SET a v EX 10 EX 20"}, {"TTL a", kSecond},
      {"SET a v KEEPTTL EX 10"}, {"SET a v EX 10 KEEPTTL"}, {"SET a v KEEPTTL"},
      {"TTL a", kSecond}, {"SET a v PX 9223372036854775807"},
      {"SET a v EX 9223372036854775807"}, {"SET a v EX 9223372036854"},
      {"SET a v EXAT 4102444800"}, {"EXPIRETIME a"}, {"PEXPIRETIME a"},
      {"SET a v PXAT 4102444800123"}, {"EXPIRETIME a"}, {"PEXPIRETIME a"},
      {"SET a v PXAT 1"}, {"GET a"}, {"EXISTS a"},
      {"SET a v NX EX 10"}, {"SET a w NX EX 10"}, {"SET a w XX GET EX 20"},
      {"SET a x GET"}, {"TTL a"},
      {"SET e v ex 10 nx"}, {"SET e v Ex 10 Xx"}, {"TTL e", kSecond},
      {"SET e v NX XX"}, {"SET e v FOO"},
  });
}

TEST_CASE("expiry vs redis: SETEX and PSETEX", "[ch10][redis]") {
  same_replies({
      {"SETEX f 100 v"}, {"TTL f", kSecond}, {"GET f"},
      {"PSETEX f 100000 v"}, {"PTTL f", kMillis},
      {"SETEX f 0 v"}, {"SETEX f -1 v"}, {"PSETEX f 0 v"}, {"SETEX f abc v"},
      {"SETEX f 9223372036854775807 v"}, {"PSETEX f 9223372036854775807 v"},
      {"SETEX f 10"}, {"SETEX f 10 v x"}, {"setex f 100 w"}, {"GET f"},
      {"psetex g 1 v"},
  });
}

TEST_CASE("expiry vs redis: what keeps a deadline and what clears it", "[ch10][redis]") {
  same_replies({
      {"SET a 5 EX 100"}, {"INCR a"}, {"TTL a", kSecond}, {"APPEND a 1"}, {"TTL a", kSecond},
      {"INCRBY a 10"}, {"DECR a"}, {"TTL a", kSecond}, {"GET a"},
      {"SET a v"}, {"TTL a"},
      {"SET b v EX 100"}, {"MSET b 1 c 2"}, {"TTL b"},
      {"SET d v EX 100"}, {"GETDEL d"}, {"TTL d"},
      {"SET k v EX 100"}, {"DEL k"}, {"TTL k"}, {"EXISTS k"},
  });
}

TEST_CASE("expiry vs redis: EXPIRE's family, its conditions and its errors",
          "[ch10][redis]") {
  same_replies({
      {"SET a v"}, {"EXPIRE a 100 XX"}, {"EXPIRE a 100 NX"}, {"EXPIRE a 100 NX"},
      {"EXPIRE a 50 GT"}, {"EXPIRE a 200 GT"}, {"EXPIRE a 300 LT"}, {"EXPIRE a 150 LT"},
      {"TTL a", kSecond},
      {"EXPIRE a 10 NX XX"}, {"EXPIRE a 10 GT LT"}, {"EXPIRE a 10 NX GT"},
      {"EXPIRE a 10 FOO"}, {"EXPIRE a abc"}, {"EXPIRE a 9223372036854775807"},
      {"EXPIRE a -9223372036854775808"}, {"PEXPIRE a 9223372036854775807"},
      {"EXPIREAT a 9223372036854775807"}, {"EXPIRE missing 10"}, {"EXPIRE a"}, {"EXPIRE"},
      {"TTL missing"}, {"PTTL missing"}, {"EXPIRETIME missing"}, {"PEXPIRETIME missing"},
      {"PERSIST a"}, {"PERSIST a"}, {"TTL a"}, {"PERSIST missing"}, {"EXPIRETIME a"},
      {"SET n v"}, {"EXPIRE n 100 LT"}, {"EXPIRE n 200 GT"}, {"TTL n", kSecond},
      {"EXPIRE a 0"}, {"EXISTS a"},
      {"SET b v"}, {"EXPIRE b -1"}, {"GET b"},
      {"SET d v EX 100"}, {"PEXPIREAT d 4102444800999"}, {"EXPIRETIME d"},
      {"PEXPIRETIME d"}, {"EXPIREAT d 4102444800 LT"}, {"EXPIREAT d 4102444801 GT"},
      {"PEXPIRETIME d"}, {"EXPIREAT d 1"}, {"EXISTS d"},
      {"TTL"}, {"PERSIST a b"},
  });
}

TEST_CASE("expiry vs redis: GETEX", "[ch10][redis]") {
  same_replies({
      {"SET c v EX 100"}, {"GETEX c"}, {"TTL c", kSecond}, {"GETEX c PERSIST"}, {"TTL c"},
      {"GETEX c EX 50"}, {"TTL c", kSecond}, {"GETEX c EX 0"}, {"GETEX c PX abc"},
      {"GETEX c PERSIST EX 10"}, {"GETEX c EX 10 PERSIST"}, {"GETEX c EX 10 EX 20"},
      {"GETEX c FOO"}, {"GETEX missing EX 10"}, {"GETEX missing EX 0"},
      {"GETEX c EXAT 4102444800"}, {"EXPIRETIME c"}, {"GETEX c PXAT 1"}, {"GET c"},
  });
}

// A watched key's deadline is part of what WATCH watches, in both. (One connection: the
// client's own EXPIRE.)
TEST_CASE("expiry vs redis: WATCH sees a deadline change, and a transaction runs SET's options",
          "[ch10][redis]") {
  same_replies({
      {"SET k v"}, {"WATCH k"}, {"EXPIRE k 100"}, {"MULTI"}, {"SET x 1"}, {"EXEC"},
      {"EXISTS x"},
      {"WATCH k"}, {"PERSIST k"}, {"MULTI"}, {"SET x 1"}, {"EXEC"}, {"EXISTS x"},
      {"WATCH k"}, {"PERSIST k"}, {"MULTI"}, {"SET x 1"}, {"EXEC"}, {"EXISTS x"},
      {"MULTI"}, {"SET e v EX 100"}, {"TTL e"}, {"SET e v EX 0"}, {"EXPIRE e"}, {"EXEC"},
      {"EXISTS e"},
      {"MULTI"}, {"SET e v EX 100"}, {"PERSIST e"}, {"SET e v EX 0"}, {"GETEX e PX 5000"},
      {"EXEC"}, {"PTTL e", 1000},
  });
}

// GETSET is a SET: it clears the deadline. INCRBYFLOAT changes the value: it keeps it.
TEST_CASE("expiry vs redis: GETSET clears a deadline, INCRBYFLOAT and TOUCH keep it",
          "[ch10][redis]") {
  same_replies({
      {"SET e v EX 100"}, {"GETSET e w"}, {"TTL e"}, {"GET e"},
      {"SET f 1.5 EX 100"}, {"INCRBYFLOAT f 1"}, {"TTL f", 1}, {"TOUCH f e missing"},
      {"TTL f", 1}, {"SET p v PX 1"}, {"GETSET missing v"}, {"TTL missing"},
  });
}
