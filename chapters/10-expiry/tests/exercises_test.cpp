// Chapter 10's exercise: SETEX and PSETEX. Hidden ([.exercise]): it fails until the learner
// writes the commands (`make exercise N=10` reports it).
#include <catch2/catch.hpp>

#include "09-resp/tests/redis_fixture.hpp"
#include "10-expiry/tests/expiry_fixture.hpp"

using namespace vkv::testing;

TEST_CASE("exercise: SETEX and PSETEX, the older spelling of SET with EX and PX",
          "[.exercise][ch10]") {
  ExpiryFixture f;
  CHECK(f("SETEX k 10 v") == kOk);
  CHECK(f("TTL k") == integer(10));
  CHECK(f("GET k") == bulk("v"));
  CHECK(f("PSETEX p 1500 w") == kOk);
  CHECK(f("PTTL p") == integer(1500));
  f.clock.advance(1500);
  CHECK(f("GET p") == kNil);
  CHECK(f("SETEX k 0 v") == error("ERR invalid expire time in 'setex' command"));
  CHECK(f("SETEX k -1 v") == error("ERR invalid expire time in 'setex' command"));
  CHECK(f("SETEX k ten v") == error("ERR value is not an integer or out of range"));
  CHECK(f("SETEX k 10") == error("ERR wrong number of arguments for 'setex' command"));
  CHECK(f("COMMAND INFO setex").find("setex") != std::string::npos);
}
