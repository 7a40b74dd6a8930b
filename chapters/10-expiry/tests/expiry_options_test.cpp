// The options of chapter 10's commands, as Redis parses them: SET's, GETEX's, EXPIRE's
// conditions (the NX/XX/GT/LT table), and times turned into deadlines with Redis's errors.
#include <catch2/catch.hpp>

#include <limits>
#include <string>
#include <vector>

#include "10-expiry/expiry_options.hpp"

using namespace vkv::engine;
using vkv::storage::UnixMillis;

namespace {

// The value of `r`, which must hold one.
template <class T>
T ok(vkv::Result<T> r) {
  REQUIRE(r.is_ok());
  return std::move(r).value();
}

constexpr UnixMillis kNow = 1'767'225'600'000;
constexpr std::int64_t kMax = std::numeric_limits<std::int64_t>::max();

std::vector<std::string_view> words(std::initializer_list<std::string_view> w) { return w; }

std::string set_error(std::initializer_list<std::string_view> w) {
  auto o = parse_set_options(words(w));
  return o.is_ok() ? "<ok>" : o.status().message();
}

std::string condition_error(std::initializer_list<std::string_view> w) {
  auto c = parse_expire_condition(words(w));
  return c.is_ok() ? "<ok>" : c.status().message();
}

}  // namespace

TEST_CASE("set options: each one, in any case", "[ch10]") {
  auto o = parse_set_options(words({"nx", "Get", "ex", "10"}));
  REQUIRE(o.is_ok());
  CHECK(o->if_absent);
  CHECK_FALSE(o->if_present);
  CHECK(o->get);
  CHECK(o->ttl == SetTtl::kSet);
  CHECK(o->time.number == "10");
  CHECK(o->time.unit == TimeUnit::kSeconds);
  CHECK_FALSE(o->time.absolute);
  o = parse_set_options(words({"XX", "PXAT", "123"}));
  REQUIRE(o.is_ok());
  CHECK(o->if_present);
  CHECK(o->time.unit == TimeUnit::kMillis);
  CHECK(o->time.absolute);
  o = parse_set_options(words({"KEEPTTL"}));
  REQUIRE(o.is_ok());
  CHECK(o->ttl == SetTtl::kKeep);
  o = parse_set_options(words({}));
  REQUIRE(o.is_ok());
  CHECK(o->ttl == SetTtl::kClear);
  o = parse_set_options(words({"EX", "1", "EX", "2"}));  // the same one twice: the last counts
  REQUIRE(o.is_ok());
  CHECK(o->time.number == "2");
}

TEST_CASE("set options: Redis's conflicts are syntax errors", "[ch10]") {
  CHECK(set_error({"NX", "XX"}) == "syntax error");
  CHECK(set_error({"XX", "NX"}) == "syntax error");
  CHECK(set_error({"EX", "1", "PX", "2"}) == "syntax error");
  CHECK(set_error({"EXAT", "1", "PXAT", "2"}) == "syntax error");
  CHECK(set_error({"EX", "1", "KEEPTTL"}) == "syntax error");
  CHECK(set_error({"KEEPTTL", "PX", "1"}) == "syntax error");
  CHECK(set_error({"EX"}) == "syntax error");  // no number
  CHECK(set_error({"PERSIST"}) == "syntax error");  // GETEX's, not SET's
  CHECK(set_error({"bogus"}) == "syntax error");
  CHECK(set_error({"NX", "GET", "EX", "5"}) == "<ok>");  // NX with GET: allowed since Redis 7
}

TEST_CASE("getex options: one of EX PX EXAT PXAT PERSIST", "[ch10]") {
  auto o = parse_getex_options(words({"persist"}));
  REQUIRE(o.is_ok());
  CHECK(o->persist);
  CHECK_FALSE(o->time);
  o = parse_getex_options(words({"px", "500"}));
  REQUIRE(o.is_ok());
  REQUIRE(o->time);
  CHECK(o->time->unit == TimeUnit::kMillis);
  CHECK(parse_getex_options(words({"EX", "1", "PERSIST"})).status().message() == "syntax error");
  CHECK(parse_getex_options(words({"PERSIST", "EX", "1"})).status().message() == "syntax error");
  CHECK(parse_getex_options(words({"KEEPTTL"})).status().message() == "syntax error");
  CHECK(parse_getex_options(words({"NX"})).status().message() == "syntax error");
  CHECK(parse_getex_options(words({"EX"})).status().message() == "syntax error");
}

TEST_CASE("set and getex times: positive integers only, and no overflow", "[ch10]") {
  CHECK(ok(option_deadline({"10", TimeUnit::kSeconds, false}, kNow, "set")) == kNow + 10'000);
  CHECK(ok(option_deadline({"10", TimeUnit::kMillis, false}, kNow, "set")) == kNow + 10);
  CHECK(ok(option_deadline({"10", TimeUnit::kSeconds, true}, kNow, "set")) == 10'000);
  CHECK(ok(option_deadline({"10", TimeUnit::kMillis, true}, kNow, "set")) == 10);
  const auto error = [](std::string_view n, TimeUnit u, bool at, std::string_view cmd = "set") {
    auto r = option_deadline({n, u, at}, kNow, cmd);
    return r.is_ok() ? "<ok>" : r.status().message();
  };
  CHECK(error("0", TimeUnit::kSeconds, false) == "invalid expire time in 'set' command");
  CHECK(error("-1", TimeUnit::kMillis, false) == "invalid expire time in 'set' command");
  CHECK(error("0", TimeUnit::kMillis, true) == "invalid expire time in 'set' command");
  CHECK(error("9223372036854775807", TimeUnit::kSeconds, false, "getex") ==
        "invalid expire time in 'getex' command");
  CHECK(error("9223372036854775807", TimeUnit::kMillis, false) ==
        "invalid expire time in 'set' command");
  CHECK(error("9223372036854775807", TimeUnit::kMillis, true) == "<ok>");
  CHECK(error("ten", TimeUnit::kSeconds, false) == "value is not an integer or out of range");
  CHECK(error("1.5", TimeUnit::kSeconds, false) == "value is not an integer or out of range");
  CHECK(error("99999999999999999999", TimeUnit::kSeconds, false) ==
        "value is not an integer or out of range");
}

TEST_CASE("expire times: negatives allowed, overflow refused", "[ch10]") {
  CHECK(ok(expire_deadline({"-5", TimeUnit::kSeconds, false}, kNow, "expire")) == kNow - 5000);
  CHECK(ok(expire_deadline({"0", TimeUnit::kMillis, false}, kNow, "pexpire")) == kNow);
  CHECK(ok(expire_deadline({"-1", TimeUnit::kSeconds, true}, kNow, "expireat")) == -1000);
  const auto error = [](std::string_view n, TimeUnit u, bool at, std::string_view cmd) {
    auto r = expire_deadline({n, u, at}, kNow, cmd);
    return r.is_ok() ? "<ok>" : r.status().message();
  };
  CHECK(error(std::to_string(kMax / 1000 + 1), TimeUnit::kSeconds, true, "expireat") ==
        "invalid expire time in 'expireat' command");
  CHECK(error("-9223372036854775808", TimeUnit::kSeconds, false, "expire") ==
        "invalid expire time in 'expire' command");
  CHECK(error(std::to_string(kMax - 10), TimeUnit::kMillis, false, "pexpire") ==
        "invalid expire time in 'pexpire' command");
  CHECK(error(std::to_string(kMax), TimeUnit::kMillis, true, "pexpireat") == "<ok>");
  CHECK(error("x", TimeUnit::kSeconds, false, "expire") ==
        "value is not an integer or out of range");
}

TEST_CASE("expire conditions: parsing and Redis's incompatibilities", "[ch10]") {
  CHECK(condition_error({}) == "<ok>");
  CHECK(condition_error({"nx"}) == "<ok>");
  CHECK(condition_error({"XX", "GT"}) == "<ok>");
  CHECK(condition_error({"XX", "LT"}) == "<ok>");
  CHECK(condition_error({"NX", "XX"}) ==
        "NX and XX, GT or LT options at the same time are not compatible");
  CHECK(condition_error({"NX", "GT"}) ==
        "NX and XX, GT or LT options at the same time are not compatible");
  CHECK(condition_error({"lt", "nx"}) ==
        "NX and XX, GT or LT options at the same time are not compatible");
  CHECK(condition_error({"GT", "LT"}) == "GT and LT options at the same time are not compatible");
  CHECK(condition_error({"GT", "bogus"}) == "Unsupported option bogus");
}

TEST_CASE("expire conditions: the NX XX GT LT table (no deadline counts as infinite)",
          "[ch10]") {
  const std::optional<UnixMillis> none;
  const std::optional<UnixMillis> at100 = 100;
  const auto c = [](std::initializer_list<std::string_view> w) {
    return ok(parse_expire_condition(words(w)));
  };
  CHECK(c({}).allows(none, 50));
  CHECK(c({}).allows(at100, 50));
  CHECK(c({"NX"}).allows(none, 50));
  CHECK_FALSE(c({"NX"}).allows(at100, 50));
  CHECK_FALSE(c({"XX"}).allows(none, 50));
  CHECK(c({"XX"}).allows(at100, 50));
  CHECK_FALSE(c({"GT"}).allows(none, 500));  // nothing is later than never
  CHECK(c({"GT"}).allows(at100, 101));
  CHECK_FALSE(c({"GT"}).allows(at100, 100));
  CHECK_FALSE(c({"GT"}).allows(at100, 99));
  CHECK(c({"LT"}).allows(none, 500));        // everything is earlier than never
  CHECK(c({"LT"}).allows(at100, 99));
  CHECK_FALSE(c({"LT"}).allows(at100, 100));
  CHECK_FALSE(c({"LT"}).allows(at100, 101));
  CHECK_FALSE(c({"XX", "LT"}).allows(none, 50));
  CHECK(c({"XX", "GT"}).allows(at100, 200));
}
