// BufferedFile: appends wait in memory until sync, close or a full buffer.
#include <fcntl.h>

#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>

#include "07-fast/buffered_file.hpp"
#include "common/posix_io.hpp"
#include "common/testing/test_util.hpp"
#include "tests/support/small_filesystem.hpp"

using vkv::storage::BufferedFile;
using vkv::testing::TempDir;

namespace {

BufferedFile buffered(const std::string& path) {
  auto fd = vkv::open_fd(path, O_RDWR | O_CREAT | O_TRUNC);
  REQUIRE(fd.is_ok());
  return BufferedFile(
      std::make_unique<vkv::storage::ZeroFilledFile>(std::move(fd).value(), path, 0));
}

// The bytes of the file before its zeros.
std::string data_of(const std::string& path) {
  std::string bytes = vkv::testing::read_whole_file(path);
  bytes.erase(bytes.find_last_not_of('\0') + 1);
  return bytes;
}

}  // namespace

TEST_CASE("buffered file: appends reach the file only when synced or closed", "[ch07]") {
  TempDir dir;
  const std::string path = dir.file("000001.log");
  BufferedFile file = buffered(path);
  REQUIRE(file.append("hello ").is_ok());
  REQUIRE(file.append("world").is_ok());
  CHECK(file.size() == 11);
  CHECK(data_of(path).empty());  // the space is made (zeros), the data not written
  REQUIRE(file.sync().is_ok());
  CHECK(data_of(path) == "hello world");
  REQUIRE(file.append("!").is_ok());
  CHECK(file.size() == 12);
  REQUIRE(file.close().is_ok());  // gives back the unused space too
  CHECK(vkv::testing::read_whole_file(path) == "hello world!");
}

TEST_CASE("buffered file: a full buffer is written through, and destroying one writes it",
          "[ch07]") {
  TempDir dir;
  const std::string path = dir.file("000002.log");
  {
    BufferedFile file = buffered(path);
    REQUIRE(file.append(std::string(BufferedFile::kFlushBytes + 10, 'x')).is_ok());
    CHECK(data_of(path).size() == BufferedFile::kFlushBytes + 10);
    REQUIRE(file.append("tail").is_ok());
    CHECK(data_of(path).size() == BufferedFile::kFlushBytes + 10);
  }
  CHECK(data_of(path).size() == BufferedFile::kFlushBytes + 14);
}

TEST_CASE("buffered file: a full disk fails the append that does not fit, alone, and never "
          "the sync of what it took", "[ch07]") {
  vkv::testing::SmallFilesystem disk(1 << 20);
  if (!disk.available()) {
    WARN("cannot mount a small tmpfs here (not root?): the full-disk test checks nothing");
    return;
  }
  const std::string path = disk.file("000001.log");
  BufferedFile file = buffered(path);
  {  // fill most of the file system with a file of our own
    std::ofstream filler(disk.file("filler"), std::ios::binary);
    filler << std::string(900 << 10, 'f');
  }
  const std::string record(1000, 'r');
  std::uint64_t taken = 0;
  vkv::Status refused;
  for (int i = 0; i < 1000 && refused.is_ok(); ++i) {
    refused = file.append(record);
    if (refused.is_ok()) taken += record.size();
  }
  REQUIRE_FALSE(refused.is_ok());
  CHECK(refused.message().find("No space left on device") != std::string::npos);
  CHECK(file.size() == taken);   // nothing of the refused append
  REQUIRE(file.sync().is_ok());  // what it took had room: it reaches the disk
  CHECK(data_of(path) == std::string(taken / record.size() * record.size(), 'r'));
  std::filesystem::remove(disk.file("filler"));  // room again
  REQUIRE(file.append(record).is_ok());
  REQUIRE(file.sync().is_ok());
  CHECK(data_of(path).size() == taken + record.size());
}
