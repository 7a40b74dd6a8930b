#include <catch2/catch.hpp>

#include "common/status.hpp"

using vkv::Result;
using vkv::Status;

namespace {

Result<int> half(int n) {
  if (n % 2 != 0) return Status::invalid_argument("odd: " + std::to_string(n));
  return n / 2;
}

Status twice_ok(bool fail_first) {
  VKV_RETURN_IF_ERROR(fail_first ? Status::io_error("first") : Status::ok());
  return Status::corruption("second");
}

}  // namespace

TEST_CASE("a status says its kind and message", "[common]") {
  CHECK(Status::ok().is_ok());
  CHECK(Status().to_string() == "ok");
  CHECK(Status::io_error("open /x: Permission denied").to_string() ==
        "IO error: open /x: Permission denied");
  CHECK(Status::corruption("bad crc").is_corruption());
  CHECK(Status::not_found("k").is_not_found());
  CHECK(Status::busy("lock").code() == vkv::StatusCode::kBusy);
}

TEST_CASE("a result holds a value or the reason there is none", "[common]") {
  auto good = half(8);
  REQUIRE(good.is_ok());
  CHECK(*good == 4);
  auto bad = half(3);
  REQUIRE_FALSE(bad.is_ok());
  CHECK(bad.status().message() == "odd: 3");
}

TEST_CASE("VKV_RETURN_IF_ERROR returns the first failure", "[common]") {
  CHECK(twice_ok(true).message() == "first");
  CHECK(twice_ok(false).message() == "second");
}

TEST_CASE("a status given context keeps its kind", "[common]") {
  const Status s = Status::corruption("bad block").with_context("reading 000007.sst");
  CHECK(s.is_corruption());
  CHECK(s.message() == "reading 000007.sst: bad block");
  CHECK(Status::ok().with_context("anything").is_ok());
  CHECK(Status::busy("held").with_context("x").code() == vkv::StatusCode::kBusy);
}
