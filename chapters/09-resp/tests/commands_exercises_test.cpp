// Chapter 9's exercise: GETRANGE. Hidden ([.exercise]): it fails until the learner writes
// the command (`make exercise N=9` reports it).
#include <catch2/catch.hpp>

#include "09-resp/tests/redis_fixture.hpp"

using namespace vkv::testing;

TEST_CASE("exercise: GETRANGE key start end, with Redis's negative indexes", "[.exercise][ch09]") {
  RedisFixture r;
  REQUIRE(r.run({"SET", "k", "This is a string"}) == kOk);
  CHECK(r("GETRANGE k 0 3") == bulk("This"));
  CHECK(r("GETRANGE k -3 -1") == bulk("ing"));
  CHECK(r("GETRANGE k 0 -1") == bulk("This is a string"));
  CHECK(r("GETRANGE k 10 100") == bulk("string"));
  CHECK(r("GETRANGE k 5 2") == bulk(""));
  CHECK(r("GETRANGE k -100 -50") == bulk(""));
  CHECK(r("GETRANGE nope 0 -1") == bulk(""));
  CHECK(r("GETRANGE k x 1") == error("ERR value is not an integer or out of range"));
  CHECK(r("GETRANGE k 0") == error("ERR wrong number of arguments for 'getrange' command"));
}
