// The MANIFEST: round trip, every flipped bit detected, atomic replacement.
#include <catch2/catch.hpp>

#include <string>

#include "common/coding.hpp"
#include "common/crc32c.hpp"
#include "common/env.hpp"
#include "common/fault_injection_env.hpp"
#include "05-sstables/manifest.hpp"
#include "common/testing/test_util.hpp"

using vkv::Env;
using vkv::storage::Manifest;
using vkv::storage::read_manifest;
using vkv::storage::write_manifest;
using vkv::testing::TempDir;

namespace {

Manifest sample() {
  Manifest m;
  m.log_number = 12;
  m.next_file_number = 14;
  m.tables = {3, 5, 9, 13};
  return m;
}

bool same(const Manifest& a, const Manifest& b) {
  return a.log_number == b.log_number && a.next_file_number == b.next_file_number &&
         a.tables == b.tables;
}

}  // namespace

TEST_CASE("manifest: encode and decode round-trip", "[ch05][manifest]") {
  for (const Manifest& m : {Manifest{}, sample()}) {
    const std::string bytes = m.encode();
    CHECK(bytes.size() == 36 + 8 * m.tables.size());
    CHECK(bytes.substr(0, 8) == "vkvMANIF");
    auto back = Manifest::decode(bytes);
    REQUIRE(back.is_ok());
    CHECK(same(*back, m));
  }
}

TEST_CASE("manifest: a flipped bit anywhere, or a cut, is detected", "[ch05][manifest]") {
  const std::string good = sample().encode();
  for (std::size_t i = 0; i < good.size(); ++i) {
    for (int bit = 0; bit < 8; ++bit) {
      std::string bad = good;
      bad[i] = static_cast<char>(bad[i] ^ (1 << bit));
      INFO("byte " << i << " bit " << bit);
      auto m = Manifest::decode(bad);
      REQUIRE_FALSE(m.is_ok());
      CHECK(m.status().is_corruption());
    }
  }
  for (std::size_t n = 0; n < good.size(); ++n) {
    CHECK_FALSE(Manifest::decode(good.substr(0, n)).is_ok());
  }
}

TEST_CASE("manifest: read gives nothing when missing, the file's name when corrupt",
          "[ch05][manifest]") {
  TempDir tmp;
  auto none = read_manifest(Env::posix(), tmp.path());
  REQUIRE(none.is_ok());
  CHECK_FALSE(none->has_value());

  REQUIRE(write_manifest(Env::posix(), tmp.path(), sample()).is_ok());
  auto read = read_manifest(Env::posix(), tmp.path());
  REQUIRE(read.is_ok());
  REQUIRE(read->has_value());
  CHECK(same(**read, sample()));
  CHECK_FALSE(Env::posix().file_exists(tmp.file("MANIFEST.tmp")));

  std::string bytes = vkv::testing::read_whole_file(tmp.file("MANIFEST"));
  bytes[20] ^= 1;
  vkv::testing::write_whole_file(tmp.file("MANIFEST"), bytes);
  auto bad = read_manifest(Env::posix(), tmp.path());
  REQUIRE_FALSE(bad.is_ok());
  CHECK(bad.status().to_string().rfind("corruption: " + tmp.file("MANIFEST") + ": checksum mismatch", 0) == 0);

  // A future version, with a checksum that matches it, is refused by its number.
  std::string v2 = sample().encode();
  v2[8] = 2;
  v2.resize(v2.size() - 4);
  vkv::put_fixed32(&v2, vkv::crc32c::mask(vkv::crc32c::value(v2)));
  auto versioned = Manifest::decode(v2);
  REQUIRE_FALSE(versioned.is_ok());
  CHECK(versioned.status().message() ==
        "unsupported MANIFEST version 2 (this program reads version 1)");
}

TEST_CASE("manifest: a crash at any step of write_manifest leaves the old one or the new one",
          "[ch05][manifest]") {
  Manifest next = sample();
  next.tables.push_back(15);
  next.log_number = 16;
  next.next_file_number = 17;
  for (std::uint64_t k = 0; k < 8; ++k) {
    INFO("failing from op " << k + 1);
    TempDir tmp;
    REQUIRE(write_manifest(Env::posix(), tmp.path(), sample()).is_ok());
    vkv::FaultInjectionEnv env;
    env.fail_after(k);
    const bool ok = write_manifest(env, tmp.path(), next).is_ok();
    REQUIRE(env.crash().is_ok());
    auto read = read_manifest(Env::posix(), tmp.path());
    REQUIRE(read.is_ok());
    REQUIRE(read->has_value());
    if (ok) {
      CHECK(same(**read, next));
    } else {
      CHECK((same(**read, sample()) || same(**read, next)));
    }
  }
}
