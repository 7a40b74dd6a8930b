// BufferedFile: appends wait in memory until sync, close or a full buffer.
#include <catch2/catch.hpp>

#include "07-fast/buffered_file.hpp"
#include "common/testing/test_util.hpp"

using vkv::Env;
using vkv::storage::BufferedFile;
using vkv::testing::TempDir;

namespace {

std::uint64_t size_on_disk(const std::string& path) {
  auto size = Env::posix().file_size(path);
  REQUIRE(size.is_ok());
  return *size;
}

BufferedFile buffered(const std::string& path) {
  auto file = Env::posix().new_writable_file(path);
  REQUIRE(file.is_ok());
  return BufferedFile(std::move(file).value());
}

}  // namespace

TEST_CASE("buffered file: appends reach the file only when synced or closed", "[ch07]") {
  TempDir dir;
  const std::string path = dir.file("000001.log");
  BufferedFile file = buffered(path);
  REQUIRE(file.append("hello ").is_ok());
  REQUIRE(file.append("world").is_ok());
  CHECK(file.size() == 11);
  CHECK(size_on_disk(path) == 0);
  REQUIRE(file.sync().is_ok());
  CHECK(vkv::testing::read_whole_file(path) == "hello world");
  REQUIRE(file.append("!").is_ok());
  CHECK(file.size() == 12);
  REQUIRE(file.close().is_ok());
  CHECK(vkv::testing::read_whole_file(path) == "hello world!");
}

TEST_CASE("buffered file: a full buffer is written through, and destroying one writes it",
          "[ch07]") {
  TempDir dir;
  const std::string path = dir.file("000002.log");
  {
    BufferedFile file = buffered(path);
    REQUIRE(file.append(std::string(BufferedFile::kFlushBytes + 10, 'x')).is_ok());
    CHECK(size_on_disk(path) == BufferedFile::kFlushBytes + 10);
    REQUIRE(file.append("tail").is_ok());
    CHECK(size_on_disk(path) == BufferedFile::kFlushBytes + 10);
  }
  CHECK(size_on_disk(path) == BufferedFile::kFlushBytes + 14);
}
