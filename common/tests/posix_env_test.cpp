#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "common/env.hpp"
#include "common/testing/test_util.hpp"

using vkv::Env;
using vkv::testing::TempDir;
using vkv::testing::contains;

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

TEST_CASE("posix env: remove_dir removes an empty directory only", "[common]") {
  TempDir dir;
  REQUIRE(env().create_dir(dir.file("sub")).is_ok());
  write_file(dir.file("sub/a"), "1");
  CHECK_FALSE(env().remove_dir(dir.file("sub")).is_ok());  // not empty
  REQUIRE(env().remove_file(dir.file("sub/a")).is_ok());
  REQUIRE(env().remove_dir(dir.file("sub")).is_ok());
  CHECK_FALSE(env().file_exists(dir.file("sub")));
  CHECK_FALSE(env().remove_dir(dir.file("sub")).is_ok());  // gone
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
