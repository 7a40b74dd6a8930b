// MappedFile: the log file under never and everysec, whose appends are copies into a map.
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <csignal>
#include <string>
#include <vector>

#include "07-fast/fast_log_env.hpp"
#include "07-fast/mapped_file.hpp"
#include "07-fast/tests/file_checks.hpp"
#include "common/testing/test_util.hpp"

using vkv::storage::FastLogEnv;
using vkv::storage::MappedFile;
using vkv::storage::SyncPolicy;
using vkv::testing::check_bytes_then_zeros;
using vkv::testing::pattern;
using vkv::testing::physical_size;
using vkv::testing::TempDir;

namespace {

// A mapped log file at `path`, through the Env that chapter 7 hands the store: new and
// empty, or (not `truncate`) appended to after its end.
vkv::Result<std::unique_ptr<vkv::WritableFile>> open_mapped(const std::string& path,
                                                            bool truncate = true) {
  static FastLogEnv env(SyncPolicy::kNever);
  auto f = truncate ? env.new_writable_file(path) : env.new_appendable_file(path);
  if (f.is_ok()) REQUIRE(dynamic_cast<MappedFile*>(f->get()) != nullptr);
  return f;
}

}  // namespace

TEST_CASE("mapped file: takes appends across its windows and reads back",
          "[ch07]") {
  TempDir dir;
  const std::string path = dir.file("000001.log");
  auto f = open_mapped(path);
  REQUIRE(f.is_ok());
  CHECK((*f)->size() == 0);
  // Small records, then one larger than a window (1 MiB), then small ones again.
  std::vector<std::string> records;
  for (int i = 0; i < 3000; ++i) records.push_back(pattern(100 + i % 50, static_cast<char>(i)));
  records.push_back(pattern(3 << 20, 'x'));
  for (int i = 0; i < 3000; ++i) records.push_back(pattern(1 + i % 300, static_cast<char>(i)));
  std::string expected;
  for (const std::string& r : records) {
    REQUIRE((*f)->append(r).is_ok());
    expected += r;
  }
  CHECK((*f)->size() == expected.size());
  CHECK(physical_size(path) >= expected.size());  // the window's space runs ahead
  REQUIRE((*f)->sync().is_ok());
  REQUIRE((*f)->close().is_ok());
  CHECK(physical_size(path) == expected.size());  // close gave the space back
  CHECK(vkv::testing::read_whole_file(path) == expected);
  CHECK_FALSE((*f)->append("more").is_ok());  // closed
  CHECK_FALSE((*f)->sync().is_ok());
}

TEST_CASE("mapped file: makes its next window ahead and gives it back at close",
          "[ch07]") {
  constexpr std::size_t kWindow = MappedFile::kWindowBytes;
  TempDir dir;
  const std::string path = dir.file("000001.log");
  auto f = open_mapped(path);
  REQUIRE(f.is_ok());
  std::string expected;
  auto append_upto = [&](std::size_t total) {
    while (expected.size() < total) {
      const std::string piece = pattern(1000, static_cast<char>(expected.size() / 1000));
      REQUIRE((*f)->append(piece).is_ok());
      expected += piece;
    }
  };
  append_upto(kWindow / 2 - 1000);
  CHECK(physical_size(path) == kWindow);  // the first window only
  append_upto(kWindow / 2 + 1000);
  CHECK(physical_size(path) == 2 * kWindow);  // past half way: the next one is on its way
  append_upto(kWindow + kWindow / 4);          // into the window made ahead
  append_upto(2 * kWindow + kWindow / 2 + 1000);
  CHECK(physical_size(path) == 4 * kWindow);
  REQUIRE((*f)->close().is_ok());
  CHECK(physical_size(path) == expected.size());  // the window made ahead is given back
  CHECK(vkv::testing::read_whole_file(path) == expected);
}

TEST_CASE("mapped file: dropped with a window made ahead keeps its bytes",
          "[ch07]") {
  TempDir dir;
  const std::string path = dir.file("000001.log");
  const std::string expected = pattern(700'000, 'w');
  {
    auto f = open_mapped(path);
    REQUIRE(f.is_ok());
    for (std::size_t at = 0; at < expected.size(); at += 500) {
      REQUIRE((*f)->append(std::string_view(expected).substr(at, 500)).is_ok());
    }
  }  // destroyed, not closed, while the next window was being made
  check_bytes_then_zeros(path, expected);
}

TEST_CASE("mapped file: reopened appends after its end", "[ch07]") {
  TempDir dir;
  const std::string path = dir.file("000001.log");
  vkv::testing::write_whole_file(path, "abc");
  auto f = open_mapped(path, /*truncate=*/false);
  REQUIRE(f.is_ok());
  CHECK((*f)->size() == 3);
  REQUIRE((*f)->append("def").is_ok());
  REQUIRE((*f)->append("ghi").is_ok());
  REQUIRE((*f)->close().is_ok());
  CHECK(vkv::testing::read_whole_file(path) == "abcdefghi");
}

TEST_CASE("mapped file: not closed keeps its bytes, then zeros", "[ch07]") {
  TempDir dir;
  const std::string path = dir.file("000001.log");
  {
    auto f = open_mapped(path);
    REQUIRE(f.is_ok());
    REQUIRE((*f)->append("abc").is_ok());
  }  // destroyed, not closed: as after a crash, the reserved window stays, in zeros
  check_bytes_then_zeros(path, "abc");
}

TEST_CASE("mapped file: what it took survives its process being killed", "[ch07]") {
  TempDir dir;
  const std::string path = dir.file("000001.log");
  const std::string expected = pattern(2'500'000, 'k');  // a few windows
  const pid_t child = ::fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    // No sync, no close, no destructor: the copies are all there is.
    auto f = FastLogEnv(SyncPolicy::kNever).new_writable_file(path);
    if (!f.is_ok()) ::_exit(2);
    for (std::size_t at = 0; at < expected.size(); at += 1000) {
      if (!(*f)->append(std::string_view(expected).substr(at, 1000)).is_ok()) ::_exit(3);
    }
    ::raise(SIGKILL);
    ::_exit(4);
  }
  int status = 0;
  REQUIRE(::waitpid(child, &status, 0) == child);
  REQUIRE(WIFSIGNALED(status));
  CHECK(WTERMSIG(status) == SIGKILL);
  check_bytes_then_zeros(path, expected);
}

