// LevelManifest: chapter 5's MANIFEST with levels; reading chapter 5's as level 0; and the
// damage it refuses.
#include <catch2/catch.hpp>

#include <string>

#include "05-sstables/manifest.hpp"
#include "08-compaction/level_manifest.hpp"
#include "common/testing/test_util.hpp"

using vkv::Env;
using vkv::storage::LevelManifest;
using vkv::storage::Manifest;
using vkv::testing::TempDir;

namespace {

LevelManifest sample() {
  LevelManifest m;
  m.log_number = 41;
  m.next_file_number = 57;
  m.tables = {{44, 0}, {50, 0}, {12, 1}, {30, 1}, {7, 3}};
  return m;
}

}  // namespace

TEST_CASE("level manifest: what is encoded decodes the same", "[ch08][manifest]") {
  const LevelManifest m = sample();
  const std::string bytes = m.encode();
  CHECK(bytes.size() == 36 + 12 * m.tables.size());
  auto back = LevelManifest::decode(bytes);
  REQUIRE(back.is_ok());
  CHECK(back->log_number == 41);
  CHECK(back->next_file_number == 57);
  CHECK(back->tables == m.tables);
}

TEST_CASE("level manifest: chapter 5's MANIFEST reads as level 0, oldest first", "[ch08][manifest]") {
  Manifest flat;
  flat.log_number = 9;
  flat.next_file_number = 12;
  flat.tables = {3, 6, 8};
  auto m = LevelManifest::decode(flat.encode());
  REQUIRE(m.is_ok());
  CHECK(m->log_number == 9);
  CHECK(m->next_file_number == 12);
  CHECK(m->tables == std::vector<LevelManifest::Table>{{3, 0}, {6, 0}, {8, 0}});
}

TEST_CASE("level manifest: chapter 5's reader refuses version 2 by its version", "[ch08][manifest]") {
  auto flat = Manifest::decode(sample().encode());
  REQUIRE_FALSE(flat.is_ok());
  CHECK(flat.status().message().find("version 2") != std::string::npos);
}

TEST_CASE("level manifest: damage is refused, saying what is wrong", "[ch08][manifest]") {
  const std::string good = sample().encode();
  std::string flipped = good;
  flipped[30] ^= 0x10;
  auto bad = LevelManifest::decode(flipped);
  REQUIRE_FALSE(bad.is_ok());
  CHECK(bad.status().message().find("checksum") != std::string::npos);

  auto short_one = LevelManifest::decode(good.substr(0, 20));
  REQUIRE_FALSE(short_one.is_ok());
  CHECK(short_one.status().message().find("magic") != std::string::npos);

  LevelManifest deep = sample();
  deep.tables.push_back({99, 7});  // there is no level 7
  auto too_deep = LevelManifest::decode(deep.encode());
  REQUIRE_FALSE(too_deep.is_ok());
  CHECK(too_deep.status().message().find("level 7") != std::string::npos);
}

TEST_CASE("level manifest: written and read back through the data directory", "[ch08][manifest]") {
  TempDir tmp;
  auto none = vkv::storage::read_level_manifest(Env::posix(), tmp.path());
  REQUIRE(none.is_ok());
  CHECK_FALSE(none->has_value());
  REQUIRE(vkv::storage::write_level_manifest(Env::posix(), tmp.path(), sample()).is_ok());
  auto read = vkv::storage::read_level_manifest(Env::posix(), tmp.path());
  REQUIRE(read.is_ok());
  REQUIRE(read->has_value());
  CHECK((*read)->tables == sample().tables);
}
