// ZeroFilledFile: the space of a log synced after every batch, written in zeros ahead of it.
#include <fcntl.h>
#include <linux/fiemap.h>
#include <linux/fs.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <optional>
#include <string>
#include <vector>

#include "07-fast/fast_log_env.hpp"
#include "07-fast/tests/file_checks.hpp"
#include "07-fast/zero_filled_file.hpp"
#include "common/posix_io.hpp"
#include "common/testing/test_util.hpp"

using vkv::storage::FastLogEnv;
using vkv::storage::SyncPolicy;
using vkv::storage::ZeroFilledFile;
using vkv::testing::physical_size;
using vkv::testing::TempDir;

namespace {

// Whether any extent of `path` is marked unwritten (reserved by fallocate, never written),
// by the FIEMAP ioctl; nullopt where the file system does not answer it.
std::optional<bool> has_unwritten_extents(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  REQUIRE(fd >= 0);
  constexpr unsigned kMaxExtents = 64;
  std::vector<char> buffer(sizeof(fiemap) + kMaxExtents * sizeof(fiemap_extent));
  auto* map = reinterpret_cast<fiemap*>(buffer.data());
  map->fm_start = 0;
  map->fm_length = FIEMAP_MAX_OFFSET;
  map->fm_flags = FIEMAP_FLAG_SYNC;
  map->fm_extent_count = kMaxExtents;
  const int rc = ::ioctl(fd, FS_IOC_FIEMAP, map);
  ::close(fd);
  if (rc != 0) return std::nullopt;
  for (unsigned i = 0; i < map->fm_mapped_extents; ++i) {
    if (map->fm_extents[i].fe_flags & FIEMAP_EXTENT_UNWRITTEN) return true;
  }
  return false;
}

// A zero-filled file at `path`, opened as FastLogEnv opens a log (which puts a BufferedFile
// in front of it; here the file is tested alone).
std::unique_ptr<vkv::WritableFile> open_zero_filled(const std::string& path) {
  auto fd = vkv::open_fd(path, O_RDWR | O_CREAT);
  REQUIRE(fd.is_ok());
  auto size = vkv::fd_size(fd->get(), path);
  REQUIRE(size.is_ok());
  return std::make_unique<ZeroFilledFile>(std::move(fd).value(), path, *size);
}

}  // namespace

TEST_CASE("zero-filled file: the step starts small and doubles up to its cap", "[ch07]") {
  constexpr std::uint64_t kMin = ZeroFilledFile::kMinStep;
  constexpr std::uint64_t kMax = ZeroFilledFile::kMaxStep;
  CHECK(ZeroFilledFile::next_allocation(0, 13) == kMin);          // a new log
  CHECK(ZeroFilledFile::next_allocation(kMin, kMin) == kMin);     // enough: unchanged
  CHECK(ZeroFilledFile::next_allocation(kMin, kMin + 1) == 2 * kMin);
  CHECK(ZeroFilledFile::next_allocation(2 * kMin, 2 * kMin + 1) == 4 * kMin);
  CHECK(ZeroFilledFile::next_allocation(kMax, kMax + 1) == 2 * kMax);
  CHECK(ZeroFilledFile::next_allocation(3 * kMax, 3 * kMax + 1) == 4 * kMax);  // capped
  CHECK(ZeroFilledFile::next_allocation(100, 101) == kMin);  // a reopened small log
  // A record larger than a step is covered whole.
  CHECK(ZeroFilledFile::next_allocation(kMin, 5 * kMin + 7) == 6 * kMin);
  // Doubling from a new log reaches the cap in a few steps.
  std::uint64_t allocated = 0;
  int steps = 0;
  while (allocated < kMax) {
    allocated = ZeroFilledFile::next_allocation(allocated, allocated + 1);
    ++steps;
  }
  CHECK(allocated == kMax);
  CHECK(steps == 7);  // 64 KiB, 128, 256, 512 KiB, 1, 2, 4 MiB
}

TEST_CASE("zero-filled file: the space grows in steps ahead of the appends, size() stays at "
          "the data",
          "[ch07]") {
  TempDir dir;
  const std::string path = dir.file("000001.log");
  auto f = open_zero_filled(path);
  CHECK(physical_size(path) == 0);  // nothing made before the first append
  REQUIRE(f->append("abc").is_ok());
  CHECK(f->size() == 3);                                   // logical: what was appended
  CHECK(physical_size(path) == ZeroFilledFile::kMinStep);  // physical: the room made
  REQUIRE(f->append("def").is_ok());                       // at the logical end, not after
  CHECK(f->size() == 6);
  CHECK(physical_size(path) == ZeroFilledFile::kMinStep);
  // An append that passes the end takes the file to the next whole step.
  const std::string big(ZeroFilledFile::kMaxStep + 100, 'x');
  REQUIRE(f->append(big).is_ok());
  const std::uint64_t second =
      ZeroFilledFile::next_allocation(ZeroFilledFile::kMinStep, 6 + big.size());
  CHECK(physical_size(path) == second);
  REQUIRE(f->sync().is_ok());
  REQUIRE(f->close().is_ok());
  CHECK(physical_size(path) == 6 + big.size());  // close gave the space back
  CHECK(vkv::testing::read_whole_file(path) == "abcdef" + big);
  CHECK_FALSE(f->append("more").is_ok());  // closed
}

TEST_CASE("zero-filled file: the space is written blocks, with none left unwritten", "[ch07]") {
  TempDir dir;
  const std::string path = dir.file("000001.log");
  auto f = open_zero_filled(path);
  REQUIRE(f->append(std::string(ZeroFilledFile::kMinStep + 1, 'x')).is_ok());
  const std::optional<bool> unwritten = has_unwritten_extents(path);
  if (!unwritten) {
    WARN("the file system under " << dir.path() << " does not answer FIEMAP; not checked");
    return;
  }
  CHECK_FALSE(*unwritten);  // no block left for a sync to convert
  REQUIRE(f->close().is_ok());
}

TEST_CASE("zero-filled file: not closed it keeps its zeros, and reopened it appends at its end",
          "[ch07]") {
  TempDir dir;
  const std::string path = dir.file("000001.log");
  {
    auto f = open_zero_filled(path);
    REQUIRE(f->append("abc").is_ok());
  }  // destroyed, not closed: the zeros stay, as after a crash
  vkv::testing::check_bytes_then_zeros(path, "abc");
  CHECK(physical_size(path) == ZeroFilledFile::kMinStep);

  // Replay cuts the zeros before a log is reopened; the reopened file takes it as it is.
  REQUIRE(vkv::Env::posix().truncate_file(path, 3).is_ok());
  FastLogEnv env(SyncPolicy::kAlways);
  auto f = env.new_appendable_file(path);
  REQUIRE(f.is_ok());
  CHECK((*f)->size() == 3);
  REQUIRE((*f)->append("def").is_ok());
  REQUIRE((*f)->sync().is_ok());  // the log's file is buffered: the sync writes it
  CHECK(physical_size(path) == ZeroFilledFile::kMinStep);
  REQUIRE((*f)->close().is_ok());
  CHECK(vkv::testing::read_whole_file(path) == "abcdef");
}
