#include <fcntl.h>
#include <linux/fiemap.h>
#include <linux/fs.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <csignal>
#include <optional>
#include <string>
#include <vector>

#include "common/env.hpp"
#include "common/testing/test_util.hpp"

using vkv::Env;
using vkv::Preallocation;
using vkv::testing::TempDir;

namespace {

Env& env() { return Env::posix(); }

// Writes `bytes` to `path` through the Env and closes it.
void write_file(const std::string& path, const std::string& bytes) {
  auto f = env().new_writable_file(path);
  REQUIRE(f.is_ok());
  REQUIRE((*f)->append(bytes).is_ok());
  REQUIRE((*f)->close().is_ok());
}

// Reads the whole file through a SequentialFile, `chunk` bytes at a time.
std::string read_sequentially(const std::string& path, std::size_t chunk) {
  auto f = env().new_sequential_file(path);
  REQUIRE(f.is_ok());
  std::string all;
  std::string part;
  for (;;) {
    REQUIRE((*f)->read(chunk, &part).is_ok());
    if (part.empty()) break;
    CHECK(part.size() <= chunk);
    all += part;
  }
  return all;
}

// The size of `path` on disk (preallocated space included); fails the test if unknown.
std::uint64_t physical_size(const std::string& path) {
  auto size = vkv::Env::posix().file_size(path);
  REQUIRE(size.is_ok());
  return *size;
}

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

bool contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

}  // namespace

TEST_CASE("posix env: append, size, sync and read back", "[common]") {
  TempDir dir;
  const std::string path = dir.file("a.log");
  auto f = env().new_writable_file(path);
  REQUIRE(f.is_ok());
  CHECK((*f)->size() == 0);
  REQUIRE((*f)->append("hello ").is_ok());
  REQUIRE((*f)->append(std::string(10000, 'x')).is_ok());
  CHECK((*f)->size() == 10006);
  REQUIRE((*f)->sync().is_ok());
  REQUIRE((*f)->close().is_ok());
  CHECK_FALSE((*f)->append("more").is_ok());

  auto size = env().file_size(path);
  REQUIRE(size.is_ok());
  CHECK(*size == 10006);
  CHECK(vkv::testing::read_whole_file(path) == "hello " + std::string(10000, 'x'));
}

TEST_CASE("posix env: new_writable_file truncates an existing file", "[common]") {
  TempDir dir;
  write_file(dir.file("f"), "old content");
  write_file(dir.file("f"), "new");
  CHECK(vkv::testing::read_whole_file(dir.file("f")) == "new");
}

TEST_CASE("posix env: an appendable file continues at the end", "[common]") {
  TempDir dir;
  const std::string path = dir.file("wal");
  write_file(path, "first;");
  auto f = env().new_appendable_file(path);
  REQUIRE(f.is_ok());
  CHECK((*f)->size() == 6);
  REQUIRE((*f)->append("second").is_ok());
  CHECK((*f)->size() == 12);
  REQUIRE((*f)->close().is_ok());
  CHECK(vkv::testing::read_whole_file(path) == "first;second");

  auto fresh = env().new_appendable_file(dir.file("created"));
  REQUIRE(fresh.is_ok());
  CHECK((*fresh)->size() == 0);
  CHECK(env().file_exists(dir.file("created")));
}

TEST_CASE("posix env: preallocate makes zeros without moving size() or the appends",
          "[common]") {
  const Preallocation how = GENERATE(Preallocation::kReserve, Preallocation::kZeroFill);
  CAPTURE(how == Preallocation::kReserve ? "reserve" : "zero-fill");
  TempDir dir;
  const std::string path = dir.file("wal");
  constexpr std::uint64_t kRoom = 1 << 20;
  auto f = env().new_writable_file(path);
  REQUIRE(f.is_ok());
  REQUIRE((*f)->append("abc").is_ok());
  REQUIRE((*f)->preallocate(kRoom, how).is_ok());
  CHECK((*f)->size() == 3);              // logical: what was appended
  CHECK(physical_size(path) == kRoom);  // physical: the room made, in zeros
  REQUIRE((*f)->append("def").is_ok());  // at the logical end, not after the zeros
  CHECK((*f)->size() == 6);
  REQUIRE((*f)->preallocate(100, how).is_ok());  // less than there is: nothing happens
  REQUIRE((*f)->sync().is_ok());
  CHECK(physical_size(path) == kRoom);
  // Appends run on past the allocated end as usual.
  REQUIRE((*f)->append(std::string(kRoom, 'x')).is_ok());
  CHECK((*f)->size() == kRoom + 6);
  REQUIRE((*f)->close().is_ok());
  CHECK(vkv::testing::read_whole_file(path) == "abcdef" + std::string(kRoom, 'x'));
  CHECK_FALSE((*f)->preallocate(2 * kRoom, how).is_ok());  // closed
}

TEST_CASE("posix env: zero-filled space is written blocks, reserved space is not", "[common]") {
  TempDir dir;
  for (const Preallocation how : {Preallocation::kReserve, Preallocation::kZeroFill}) {
    const bool zero_fill = how == Preallocation::kZeroFill;
    const std::string path = dir.file(zero_fill ? "filled" : "reserved");
    auto f = env().new_writable_file(path);
    REQUIRE(f.is_ok());
    REQUIRE((*f)->append("abc").is_ok());
    REQUIRE((*f)->preallocate(1 << 20, how).is_ok());
    const std::optional<bool> unwritten = has_unwritten_extents(path);
    if (!unwritten) {
      WARN("the file system under " << dir.path() << " does not answer FIEMAP; not checked");
      return;
    }
    // Only where fallocate made any extents: some file systems preallocate by other means.
    if (zero_fill) CHECK_FALSE(*unwritten);  // no block left for a sync to convert
    if (!zero_fill && !*unwritten) WARN("fallocate made no unwritten extents here");
    REQUIRE((*f)->close().is_ok());
  }
}

TEST_CASE("posix env: close gives back unused preallocated space; the destructor does not",
          "[common]") {
  TempDir dir;
  const std::string path = dir.file("wal");
  {
    auto f = env().new_writable_file(path);
    REQUIRE(f.is_ok());
    REQUIRE((*f)->append("abc").is_ok());
    REQUIRE((*f)->preallocate(64, Preallocation::kZeroFill).is_ok());
  }  // destroyed, not closed: the zeros stay, as after a crash
  CHECK(vkv::testing::read_whole_file(path) == "abc" + std::string(61, '\0'));

  // new_appendable_file takes the file as it is: a preallocated tail counts as content (the
  // log's recovery cuts it before reopening). Appends go to the size, with no O_APPEND.
  REQUIRE(env().truncate_file(path, 3).is_ok());
  auto f = env().new_appendable_file(path);
  REQUIRE(f.is_ok());
  CHECK((*f)->size() == 3);
  REQUIRE((*f)->preallocate(4096, Preallocation::kReserve).is_ok());
  REQUIRE((*f)->append("def").is_ok());
  CHECK((*f)->size() == 6);
  CHECK(physical_size(path) == 4096);
  REQUIRE((*f)->close().is_ok());
  CHECK(vkv::testing::read_whole_file(path) == "abcdef");
}

// What a mapped file left behind when it was not closed: `expected`, then only the zeros of
// the space reserved past it.
void check_bytes_then_zeros(const std::string& path, const std::string& expected) {
  const std::string content = vkv::testing::read_whole_file(path);
  REQUIRE(content.size() >= expected.size());
  CHECK(content.substr(0, expected.size()) == expected);
  CHECK(content.find_first_not_of('\0', expected.size()) == std::string::npos);
}

// Bytes that differ from position to position, so that a piece copied to the wrong place
// shows.
std::string pattern(std::size_t n, char salt) {
  std::string s(n, '\0');
  for (std::size_t i = 0; i < n; ++i) s[i] = static_cast<char>('a' + (i * 7 + salt) % 26);
  return s;
}

TEST_CASE("posix env: a mapped file takes appends across its windows and reads back",
          "[common]") {
  TempDir dir;
  const std::string path = dir.file("mapped.log");
  auto f = env().new_mapped_file(path);
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

TEST_CASE("posix env: a mapped file makes its next window ahead and gives it back at close",
          "[common]") {
  constexpr std::size_t kWindow = 1 << 20;
  TempDir dir;
  const std::string path = dir.file("mapped.log");
  auto f = env().new_mapped_file(path);
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

TEST_CASE("posix env: a mapped file dropped with a window made ahead keeps its bytes",
          "[common]") {
  TempDir dir;
  const std::string path = dir.file("mapped.log");
  const std::string expected = pattern(700'000, 'w');
  {
    auto f = env().new_mapped_file(path);
    REQUIRE(f.is_ok());
    for (std::size_t at = 0; at < expected.size(); at += 500) {
      REQUIRE((*f)->append(std::string_view(expected).substr(at, 500)).is_ok());
    }
  }  // destroyed, not closed, while the next window was being made
  check_bytes_then_zeros(path, expected);
}

TEST_CASE("posix env: a mapped file reopened appends after its end", "[common]") {
  TempDir dir;
  const std::string path = dir.file("mapped.log");
  write_file(path, "abc");
  auto f = env().new_mapped_file(path);
  REQUIRE(f.is_ok());
  CHECK((*f)->size() == 3);
  REQUIRE((*f)->append("def").is_ok());
  REQUIRE((*f)->preallocate(8192, Preallocation::kReserve).is_ok());  // takes it as it is
  REQUIRE((*f)->append("ghi").is_ok());
  REQUIRE((*f)->close().is_ok());
  CHECK(vkv::testing::read_whole_file(path) == "abcdefghi");
}

TEST_CASE("posix env: a mapped file not closed keeps its bytes, then zeros", "[common]") {
  TempDir dir;
  const std::string path = dir.file("mapped.log");
  {
    auto f = env().new_mapped_file(path);
    REQUIRE(f.is_ok());
    REQUIRE((*f)->append("abc").is_ok());
  }  // destroyed, not closed: as after a crash, the reserved window stays, in zeros
  check_bytes_then_zeros(path, "abc");
}

TEST_CASE("posix env: what a mapped file took survives its process being killed", "[common]") {
  TempDir dir;
  const std::string path = dir.file("mapped.log");
  const std::string expected = pattern(2'500'000, 'k');  // a few windows
  const pid_t child = ::fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    // No sync, no close, no destructor: the copies are all there is.
    auto f = Env::posix().new_mapped_file(path);
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

TEST_CASE("posix env: sequential reads in chunks reach the end", "[common]") {
  TempDir dir;
  std::string content;
  for (int i = 0; i < 1000; ++i) content += std::to_string(i) + ",";
  write_file(dir.file("seq"), content);
  for (const std::size_t chunk : {1u, 7u, 4096u, 1u << 20}) {
    INFO("chunk " << chunk);
    CHECK(read_sequentially(dir.file("seq"), chunk) == content);
  }
  write_file(dir.file("empty"), "");
  CHECK(read_sequentially(dir.file("empty"), 10).empty());
}

TEST_CASE("posix env: random reads at any offset, and a short read is corruption", "[common]") {
  TempDir dir;
  write_file(dir.file("r"), "0123456789");
  auto f = env().new_random_access_file(dir.file("r"));
  REQUIRE(f.is_ok());
  CHECK((*f)->size() == 10);
  std::string out;
  REQUIRE((*f)->read(3, 4, &out).is_ok());
  CHECK(out == "3456");
  REQUIRE((*f)->read(0, 10, &out).is_ok());
  CHECK(out == "0123456789");
  REQUIRE((*f)->read(10, 0, &out).is_ok());
  CHECK(out.empty());

  const vkv::Status short_read = (*f)->read(8, 5, &out);
  CHECK(short_read.is_corruption());
  CHECK(contains(short_read.message(), dir.file("r")));
  CHECK((*f)->read(100, 1, &out).is_corruption());
}

TEST_CASE("posix env: rename replaces the target and remove removes", "[common]") {
  TempDir dir;
  write_file(dir.file("tmp"), "new");
  write_file(dir.file("CURRENT"), "old");
  REQUIRE(env().rename_file(dir.file("tmp"), dir.file("CURRENT")).is_ok());
  CHECK_FALSE(env().file_exists(dir.file("tmp")));
  CHECK(vkv::testing::read_whole_file(dir.file("CURRENT")) == "new");

  REQUIRE(env().remove_file(dir.file("CURRENT")).is_ok());
  CHECK_FALSE(env().file_exists(dir.file("CURRENT")));
  const vkv::Status again = env().remove_file(dir.file("CURRENT"));
  CHECK(again.is_not_found());
  CHECK(contains(again.message(), dir.file("CURRENT")));

  const vkv::Status missing = env().rename_file(dir.file("nope"), dir.file("x"));
  CHECK_FALSE(missing.is_ok());
  CHECK(contains(missing.message(), dir.file("nope")));
}

TEST_CASE("posix env: truncate cuts a file down", "[common]") {
  TempDir dir;
  write_file(dir.file("t"), "0123456789");
  REQUIRE(env().truncate_file(dir.file("t"), 4).is_ok());
  CHECK(vkv::testing::read_whole_file(dir.file("t")) == "0123");
  CHECK(env().file_size(dir.file("t")).value() == 4);
  CHECK_FALSE(env().truncate_file(dir.file("missing"), 0).is_ok());
}

TEST_CASE("posix env: list_dir, create_dir and sync_dir", "[common]") {
  TempDir dir;
  REQUIRE(env().create_dir(dir.file("sub")).is_ok());
  REQUIRE(env().create_dir(dir.file("sub")).is_ok());  // idempotent
  write_file(dir.file("a"), "1");
  write_file(dir.file("b"), "2");
  REQUIRE(env().sync_dir(dir.path()).is_ok());

  auto names = env().list_dir(dir.path());
  REQUIRE(names.is_ok());
  std::sort(names->begin(), names->end());
  CHECK(*names == std::vector<std::string>{"a", "b", "sub"});

  auto empty = env().list_dir(dir.file("sub"));
  REQUIRE(empty.is_ok());
  CHECK(empty->empty());

  CHECK_FALSE(env().create_dir(dir.file("a")).is_ok());  // a file is in the way
  CHECK_FALSE(env().create_dir(dir.file("no/such/parent")).is_ok());
  CHECK_FALSE(env().list_dir(dir.file("missing")).is_ok());
  CHECK_FALSE(env().sync_dir(dir.file("missing")).is_ok());
}

TEST_CASE("posix env: file_exists and file_size", "[common]") {
  TempDir dir;
  CHECK_FALSE(env().file_exists(dir.file("f")));
  write_file(dir.file("f"), "abc");
  CHECK(env().file_exists(dir.file("f")));
  CHECK(env().file_size(dir.file("f")).value() == 3);
  const auto missing = env().file_size(dir.file("g"));
  REQUIRE_FALSE(missing.is_ok());
  CHECK(missing.status().is_not_found());
}

TEST_CASE("posix env: a lock is exclusive, also within one process", "[common]") {
  TempDir dir;
  const std::string path = dir.file("LOCK");
  {
    auto first = env().lock_file(path);
    REQUIRE(first.is_ok());
    CHECK(env().file_exists(path));

    auto second = env().lock_file(path);
    REQUIRE_FALSE(second.is_ok());
    CHECK(second.status().code() == vkv::StatusCode::kBusy);
    CHECK(second.status().message() == "lock " + path + ": already held by another process");
  }  // `first` releases the lock here
  auto again = env().lock_file(path);
  CHECK(again.is_ok());
}

TEST_CASE("posix env: errors name the operation, the path and the reason", "[common]") {
  TempDir dir;
  const std::string path = dir.file("no-such-dir/file");
  auto w = env().new_writable_file(path);
  REQUIRE_FALSE(w.is_ok());
  CHECK(w.status().message() == "open " + path + ": No such file or directory");

  auto r = env().new_random_access_file(path);
  REQUIRE_FALSE(r.is_ok());
  CHECK(r.status().is_not_found());
  CHECK(contains(r.status().to_string(), path));

  auto is_dir = env().new_writable_file(dir.path());
  REQUIRE_FALSE(is_dir.is_ok());
  CHECK(is_dir.status().message() == "open " + dir.path() + ": Is a directory");

  if (::geteuid() != 0) {  // root ignores file permissions
    write_file(dir.file("ro"), "x");
    REQUIRE(::chmod(dir.file("ro").c_str(), 0400) == 0);
    auto denied = env().new_appendable_file(dir.file("ro"));
    REQUIRE_FALSE(denied.is_ok());
    CHECK(denied.status().code() == vkv::StatusCode::kIoError);
    CHECK(denied.status().message() == "open " + dir.file("ro") + ": Permission denied");
  }
}
