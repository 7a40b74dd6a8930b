// ScanCursors: a cursor is taken once, the table stays bounded, numbers are what clients read.
#include <catch2/catch.hpp>

#include "09-resp/scan_cursors.hpp"

using vkv::engine::kMaxScanCursorBytes;
using vkv::engine::kMaxScanCursors;
using vkv::engine::ScanCursors;

TEST_CASE("scan cursors: a cursor gives its key back once", "[ch09]") {
  ScanCursors cursors(5);
  const auto a = cursors.save("apple");
  const auto b = cursors.save("banana");
  CHECK(a == 5);
  CHECK(b == 6);
  CHECK(cursors.take(b) == "banana");
  CHECK_FALSE(cursors.take(b).has_value());
  CHECK(cursors.take(a) == "apple");
  CHECK_FALSE(cursors.take(0).has_value());
  CHECK(cursors.size() == 0);
}

TEST_CASE("scan cursors: the table keeps the newest, by count and by bytes", "[ch09]") {
  ScanCursors cursors(1);
  for (std::size_t i = 0; i < kMaxScanCursors + 10; ++i) cursors.save("k" + std::to_string(i));
  CHECK(cursors.size() == kMaxScanCursors);
  CHECK_FALSE(cursors.take(1).has_value());  // the oldest went
  CHECK(cursors.take(kMaxScanCursors + 10) == "k" + std::to_string(kMaxScanCursors + 9));

  ScanCursors big(1);
  const std::string key(kMaxScanCursorBytes / 4, 'x');
  for (int i = 0; i < 10; ++i) big.save(key);
  CHECK(big.size() == 4);
}

TEST_CASE("scan cursors: a random start, never 0, within a double's exact integers", "[ch09]") {
  ScanCursors cursors;
  const auto c = cursors.save("k");
  CHECK(c != 0);
  CHECK(c < (std::uint64_t{1} << 53));
}
