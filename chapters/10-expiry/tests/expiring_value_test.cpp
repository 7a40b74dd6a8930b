// ExpiringValue: the stored bytes of a value and its deadline, both ways, and what is not one.
#include <catch2/catch.hpp>

#include <string>

#include "10-expiry/expiring_value.hpp"

using vkv::storage::decode_expiring_value;
using vkv::storage::encode_expiring_value;
using vkv::storage::ExpiringValue;

TEST_CASE("a value with no deadline is its tag and its bytes", "[ch10]") {
  const std::string stored = encode_expiring_value(std::nullopt, "hello");
  CHECK(stored == std::string("\0hello", 6));
  auto back = decode_expiring_value(stored);
  REQUIRE(back.is_ok());
  CHECK_FALSE(back->deadline);
  CHECK(back->value == "hello");
  CHECK_FALSE(back->expired_at(0));
}

TEST_CASE("a deadline comes back exactly, whatever the value holds", "[ch10]") {
  const std::string value("\x01\0\xff binary", 10);
  for (const vkv::storage::UnixMillis deadline :
       {vkv::storage::UnixMillis{0}, vkv::storage::UnixMillis{1'767'225'600'123},
        vkv::storage::UnixMillis{-5}, INT64_MAX}) {
    const std::string stored = encode_expiring_value(deadline, value);
    CHECK(stored.size() == value.size() + 9);
    auto back = decode_expiring_value(stored);
    REQUIRE(back.is_ok());
    REQUIRE(back->deadline);
    CHECK(*back->deadline == deadline);
    CHECK(back->value == value);
  }
  CHECK(decode_expiring_value(encode_expiring_value(7, ""))->value.empty());
}

TEST_CASE("a key expires at its deadline, not before", "[ch10]") {
  const ExpiringValue v{1000, "x"};
  CHECK_FALSE(v.expired_at(999));
  CHECK(v.expired_at(1000));
  CHECK(v.expired_at(1001));
}

TEST_CASE("bytes no chapter 10 store wrote are reported, not misread", "[ch10]") {
  CHECK(decode_expiring_value("").status().is_corruption());
  CHECK(decode_expiring_value("hello").status().is_corruption());  // a chapter 9 value
  CHECK(decode_expiring_value(std::string("\x01\0\0\0", 4)).status().is_corruption());
  const auto s = decode_expiring_value("\x07x").status();
  CHECK(s.message().find("unknown expiry tag 7") != std::string::npos);
}

namespace {

// A clock that counts how often it is read.
class CountingClock final : public vkv::storage::Clock {
 public:
  explicit CountingClock(vkv::storage::UnixMillis at) : at_(at) {}
  [[nodiscard]] vkv::storage::UnixMillis now() const override {
    ++reads;
    return at_;
  }
  mutable int reads = 0;

 private:
  vkv::storage::UnixMillis at_;
};

}  // namespace

TEST_CASE("expired_values: dead once the deadline has come, and the clock read only for a "
          "deadline", "[ch10]") {
  const CountingClock clock(1000);
  const auto dead = vkv::storage::expired_values(clock);
  CHECK(dead("k", encode_expiring_value(999, "v")));
  CHECK(dead("k", encode_expiring_value(1000, "v")));
  CHECK_FALSE(dead("k", encode_expiring_value(1001, "v")));
  CHECK(clock.reads == 3);
  // No deadline, or bytes it cannot read: kept, and the clock is not asked.
  CHECK_FALSE(dead("k", encode_expiring_value(std::nullopt, "v")));
  CHECK_FALSE(dead("k", "\x07x"));
  CHECK_FALSE(dead("k", ""));
  CHECK(clock.reads == 3);
}
