// Chapter 10's exercise: RENAME and RENAMENX, which move a key's deadline with its value.
// Hidden ([.exercise]): it fails until the learner writes the commands (`make exercise N=10`
// reports it). The replies are the ones Debian's redis-server gives.
#include <catch2/catch.hpp>

#include "09-resp/tests/redis_fixture.hpp"
#include "10-expiry/tests/expiry_fixture.hpp"

using namespace vkv::testing;

TEST_CASE("exercise: RENAME and RENAMENX move the deadline with the value",
          "[.exercise][ch10]") {
  ExpiryFixture f;
  CHECK(f("SET a v EX 100") == kOk);
  CHECK(f("SET b w") == kOk);
  CHECK(f("RENAME a b") == kOk);  // b's old value goes, and b takes a's deadline
  CHECK(f("GET b") == bulk("v"));
  CHECK(f("TTL b") == integer(100));
  CHECK(f("EXISTS a") == integer(0));
  CHECK(f("SET c v") == kOk);
  CHECK(f("SET d v EX 50") == kOk);
  CHECK(f("RENAME c d") == kOk);  // a source with no deadline leaves none
  CHECK(f("TTL d") == integer(-1));
  CHECK(f("RENAME d d") == kOk);
  CHECK(f("RENAME missing x") == error("ERR no such key"));
  CHECK(f("SET e v PX 1500") == kOk);
  CHECK(f("RENAMENX e d") == integer(0));  // d exists: nothing moves
  CHECK(f("RENAMENX e g") == integer(1));
  CHECK(f("PTTL g") == integer(1500));
  f.clock.advance(1500);
  CHECK(f("RENAME g h") == error("ERR no such key"));  // expired is missing
  CHECK(f("GET h") == kNil);
  CHECK(f("RENAME a") == error("ERR wrong number of arguments for 'rename' command"));
  CHECK(f("COMMAND INFO renamenx").find("renamenx") != std::string::npos);
}
