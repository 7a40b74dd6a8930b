// ExpiryRules, with no protocol, over a real store and a ManualClock: SET's deadlines
// (cleared, kept, set, already past), GETEX, EXPIRE deleting at a past deadline, PERSIST,
// TTL's rounding, EXPIRETIME, binary keys and values.
#include <catch2/catch.hpp>

#include <string>

#include "10-expiry/tests/expiry_fixture.hpp"

using namespace vkv::engine;
using vkv::testing::ExpiryFixture;

namespace {

// The value of `r`, which must hold one.
template <class T>
T value_of(vkv::Result<T> r) {
  REQUIRE(r.is_ok());
  return std::move(r).value();
}

constexpr vkv::storage::UnixMillis kStart = 1'767'225'600'000;  // ManualClock's start

struct Rules {
  ExpiryFixture f;
  ExpiryRules rules{f.backend->store(), f.backend->locks()};

  SetOptions set_options(std::initializer_list<std::string_view> words) {
    std::vector<std::string_view> w(words);
    auto o = parse_set_options(w);
    REQUIRE(o.is_ok());
    return *o;
  }
  void set(std::string_view key, std::string_view value,
           std::initializer_list<std::string_view> words = {}) {
    auto done = rules.set(key, value, set_options(words));
    REQUIRE(done.is_ok());
  }
  std::int64_t pttl(std::string_view key) { return value_of(rules.ttl(key, TimeUnit::kMillis)); }
  std::int64_t ttl(std::string_view key) { return value_of(rules.ttl(key, TimeUnit::kSeconds)); }
  std::string get(std::string_view key) {
    std::string v;
    return f.backend->store().get(key, &v).is_ok() ? v : "<none>";
  }
};

}  // namespace

TEST_CASE("rules: SET EX sets a deadline, a plain SET clears it, KEEPTTL keeps it", "[ch10]") {
  Rules r;
  r.set("k", "v", {"EX", "10"});
  CHECK(r.pttl("k") == 10'000);
  r.set("k", "w", {"KEEPTTL"});
  CHECK(r.pttl("k") == 10'000);
  CHECK(r.get("k") == "w");
  r.set("k", "x");
  CHECK(r.pttl("k") == -1);
  r.set("k", "y", {"PXAT", std::to_string(kStart + 2500)});
  CHECK(r.pttl("k") == 2500);
  CHECK(value_of(r.rules.expire_time("k", TimeUnit::kMillis)) == kStart + 2500);
  CHECK(value_of(r.rules.expire_time("k", TimeUnit::kSeconds)) == (kStart + 2500 + 500) / 1000);
  r.f.clock.advance(2500);
  CHECK(r.get("k") == "<none>");
  CHECK(r.pttl("k") == -2);
}

TEST_CASE("rules: SET with a deadline already past leaves no key", "[ch10]") {
  Rules r;
  r.set("k", "v");
  r.set("k", "v", {"EXAT", "1"});
  CHECK(r.get("k") == "<none>");
  CHECK(r.pttl("k") == -2);
}

TEST_CASE("rules: NX, XX and GET", "[ch10]") {
  Rules r;
  auto done = r.rules.set("k", "1", r.set_options({"XX", "GET"}));
  REQUIRE(done.is_ok());
  CHECK_FALSE(done->written);
  CHECK_FALSE(done->old);
  done = r.rules.set("k", "1", r.set_options({"NX", "GET", "PX", "100"}));
  CHECK(done->written);
  CHECK_FALSE(done->old);
  done = r.rules.set("k", "2", r.set_options({"NX", "GET"}));
  CHECK_FALSE(done->written);
  CHECK(done->old == "1");
  CHECK(r.pttl("k") == 100);
  r.f.clock.advance(100);  // expired: NX writes again
  done = r.rules.set("k", "3", r.set_options({"NX"}));
  CHECK(done->written);
  CHECK(r.pttl("k") == -1);
}

TEST_CASE("rules: SET checks its time before anything, even when NX would not write",
          "[ch10]") {
  Rules r;
  r.set("k", "v");
  auto done = r.rules.set("k", "w", r.set_options({"NX", "EX", "0"}));
  REQUIRE_FALSE(done.is_ok());
  CHECK(done.status().message() == "invalid expire time in 'set' command");
}

TEST_CASE("rules: TTL rounds to the nearest second, as Redis does", "[ch10]") {
  Rules r;
  r.set("k", "v", {"PX", "1499"});
  CHECK(r.ttl("k") == 1);
  r.set("k", "v", {"PX", "1500"});
  CHECK(r.ttl("k") == 2);
  r.set("k", "v", {"PX", "400"});
  CHECK(r.ttl("k") == 0);
  CHECK(r.ttl("missing") == -2);
  r.set("plain", "v");
  CHECK(r.ttl("plain") == -1);
  CHECK(value_of(r.rules.expire_time("plain", TimeUnit::kSeconds)) == -1);
  CHECK(value_of(r.rules.expire_time("missing", TimeUnit::kMillis)) == -2);
}

TEST_CASE("rules: EXPIRE to a past time deletes the key and counts as done", "[ch10]") {
  Rules r;
  r.set("k", "v");
  CHECK(value_of(r.rules.expire("k", kStart - 1, {})) == true);
  CHECK(r.get("k") == "<none>");
  CHECK(value_of(r.rules.expire("k", kStart + 10, {})) == false);  // no key: 0
}

TEST_CASE("rules: EXPIRE's conditions against the stored deadline", "[ch10]") {
  Rules r;
  r.set("k", "v");
  CHECK(value_of(r.rules.expire("k", kStart + 100, {.xx = true})) == false);
  CHECK(value_of(r.rules.expire("k", kStart + 100, {.gt = true})) == false);
  CHECK(value_of(r.rules.expire("k", kStart + 100, {.nx = true})) == true);
  CHECK(value_of(r.rules.expire("k", kStart + 200, {.nx = true})) == false);
  CHECK(value_of(r.rules.expire("k", kStart + 50, {.gt = true})) == false);
  CHECK(value_of(r.rules.expire("k", kStart + 200, {.gt = true})) == true);
  CHECK(value_of(r.rules.expire("k", kStart + 300, {.lt = true})) == false);
  CHECK(value_of(r.rules.expire("k", kStart + 150, {.xx = true, .lt = true})) == true);
  CHECK(r.pttl("k") == 150);
  CHECK(r.get("k") == "v");
}

TEST_CASE("rules: PERSIST and GETEX", "[ch10]") {
  Rules r;
  CHECK(value_of(r.rules.persist("missing")) == false);
  r.set("k", "v");
  CHECK(value_of(r.rules.persist("k")) == false);
  GetexOptions px;
  px.time = TimeArg{"300", TimeUnit::kMillis, false};
  CHECK(value_of(r.rules.getex("k", px)) == "v");
  CHECK(r.pttl("k") == 300);
  CHECK(value_of(r.rules.getex("k", {})) == "v");  // no option: the deadline stays
  CHECK(r.pttl("k") == 300);
  GetexOptions persist;
  persist.persist = true;
  CHECK(value_of(r.rules.getex("k", persist)) == "v");
  CHECK(r.pttl("k") == -1);
  CHECK(value_of(r.rules.expire("k", kStart + 10, {})) == true);
  CHECK(value_of(r.rules.persist("k")) == true);
  CHECK(r.pttl("k") == -1);
  GetexOptions past;
  past.time = TimeArg{"1", TimeUnit::kSeconds, true};
  CHECK(value_of(r.rules.getex("k", past)) == "v");  // answers the value, then the key is gone
  CHECK(r.get("k") == "<none>");
  GetexOptions zero;
  zero.time = TimeArg{"0", TimeUnit::kSeconds, false};
  CHECK_FALSE(value_of(r.rules.getex("k", zero)));  // no key: nil before the time is checked
  r.set("k", "v");
  CHECK(r.rules.getex("k", zero).status().message() == "invalid expire time in 'getex' command");
}

TEST_CASE("rules: binary keys and values keep their deadlines", "[ch10]") {
  Rules r;
  const std::string key("k\0\r\n\xff", 5);
  const std::string value("\0\x01v\n", 4);
  r.set(key, value, {"PX", "700"});
  CHECK(r.get(key) == value);
  CHECK(r.pttl(key) == 700);
  CHECK(r.pttl(std::string("k\0", 2)) == -2);
}
