// Chapter 10's server beside a real redis-server (Debian's), the same requests sent to both:
// their replies must be the same bytes, error texts included, except where a reply counts
// time down (TTL, PTTL), which may differ by the moments the two were asked. This is what
// "Redis's semantics" means for the expiry commands: not a reading of its documentation, but
// what the installed Redis answers.
#include <catch2/catch.hpp>

#include <unistd.h>

#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "09-resp/tests/redis_fixture.hpp"
#include "09-resp/tests/resp_client.hpp"
#include "common/escape.hpp"
#include "common/testing/test_util.hpp"
#include "tests/support/redis_server_process.hpp"
#include "tests/support/server_process.hpp"

using vkv::testing::RedisServerProcess;
using vkv::testing::RespClient;
using vkv::testing::ServerProcess;
using vkv::testing::TempDir;

namespace {

// One request and how its replies are compared.
struct Step {
  std::string_view line;  // the request's words, split at single spaces
  long within = -1;       // -1: the same bytes; else both integers, at most this far apart
};

constexpr long kSecond = 1;        // a TTL in seconds, asked of two servers a moment apart
constexpr long kMillis = 1'000;    // a PTTL, on a slow machine

// The integer of a RESP integer reply (":42\r\n"); false if it is not one.
bool integer_of(const std::string& reply, long* n) {
  if (reply.size() < 4 || reply[0] != ':' || reply.compare(reply.size() - 2, 2, "\r\n") != 0) {
    return false;
  }
  char* end = nullptr;
  const std::string digits = reply.substr(1, reply.size() - 3);
  *n = std::strtol(digits.c_str(), &end, 10);
  return end != nullptr && *end == '\0' && !digits.empty();
}

// Sends every step to both servers in turn and checks each pair of replies.
void same_replies(const std::vector<Step>& steps) {
  TempDir redis_dir;
  TempDir vkv_dir;
  INFO("needs Debian's redis-server (make test installs it)");
  REQUIRE(::access(vkv::testing::kRedisServer, X_OK) == 0);
  RedisServerProcess redis(redis_dir.path());
  ServerProcess vkv(CH10_SERVER, {"--dir", vkv_dir.file("data"), "--sync", "never"},
                    vkv_dir.file("stderr"));
  RespClient to_redis(redis.port());
  RespClient to_vkv(vkv.port());
  for (const Step& step : steps) {
    const auto args = vkv::testing::split_words(step.line);
    const std::string expected = to_redis.call(args);
    const std::string got = to_vkv.call(args);
    INFO("request: " << step.line);
    INFO("redis: " << vkv::escape_bytes(expected));
    INFO("vkv:   " << vkv::escape_bytes(got));
    if (step.within < 0) {
      CHECK(got == expected);
      continue;
    }
    long a = 0;
    long b = 0;
    REQUIRE(integer_of(expected, &a));
    REQUIRE(integer_of(got, &b));
    CHECK(std::labs(a - b) <= step.within);
  }
  CHECK(redis.stop() == 0);
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
      {"SET n v"}, {"EXPIRE n 100 LT"}, {"EXPIRE n 100 GT"}, {"TTL n", kSecond},
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
