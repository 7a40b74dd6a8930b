// Checks on what a fast log file left on disk, shared by chapter 7's tests.
#pragma once

#include <catch2/catch.hpp>
#include <cstdint>
#include <string>

#include "common/env.hpp"
#include "common/testing/test_util.hpp"

namespace vkv::testing {

/// The size of `path` on disk (the space made ahead included); fails the test if unknown.
inline std::uint64_t physical_size(const std::string& path) {
  auto size = Env::posix().file_size(path);
  REQUIRE(size.is_ok());
  return *size;
}

/// Checks that `path` holds `expected`, then only zeros: what a file that made its space
/// ahead leaves when it is not closed.
inline void check_bytes_then_zeros(const std::string& path, const std::string& expected) {
  const std::string content = read_whole_file(path);
  REQUIRE(content.size() >= expected.size());
  CHECK(content.substr(0, expected.size()) == expected);
  CHECK(content.find_first_not_of('\0', expected.size()) == std::string::npos);
}

/// `n` bytes that differ from position to position, so that a piece copied to the wrong
/// place shows.
inline std::string pattern(std::size_t n, char salt) {
  std::string s(n, '\0');
  for (std::size_t i = 0; i < n; ++i) s[i] = static_cast<char>('a' + (i * 7 + salt) % 26);
  return s;
}

}  // namespace vkv::testing
