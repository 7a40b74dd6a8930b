// BufferedEnv: appends wait in memory until flush_all, sync_all, sync or close.
#include <catch2/catch.hpp>

#include "06-server/buffered_env.hpp"
#include "common/testing/test_util.hpp"

using vkv::Env;
using vkv::net::BufferedEnv;
using vkv::testing::TempDir;

namespace {

std::uint64_t size_on_disk(const std::string& path) {
  auto size = Env::posix().file_size(path);
  REQUIRE(size.is_ok());
  return *size;
}

}  // namespace

TEST_CASE("buffered env: appends reach the file only when flushed", "[ch06]") {
  TempDir dir;
  BufferedEnv env(Env::posix());
  auto file = env.new_writable_file(dir.file("log"));
  REQUIRE(file.is_ok());
  REQUIRE((*file)->append("hello ").is_ok());
  REQUIRE((*file)->append("world").is_ok());
  CHECK((*file)->size() == 11);
  CHECK(size_on_disk(dir.file("log")) == 0);
  REQUIRE(env.flush_all().is_ok());
  CHECK(size_on_disk(dir.file("log")) == 11);
  REQUIRE((*file)->append("!").is_ok());
  REQUIRE(env.sync_all().is_ok());
  CHECK(vkv::testing::read_whole_file(dir.file("log")) == "hello world!");
  REQUIRE((*file)->append("?").is_ok());
  REQUIRE((*file)->close().is_ok());
  CHECK(vkv::testing::read_whole_file(dir.file("log")) == "hello world!?");
}

TEST_CASE("buffered env: a large buffer is written through, and a destroyed file flushes", "[ch06]") {
  TempDir dir;
  BufferedEnv env(Env::posix());
  {
    auto file = env.new_appendable_file(dir.file("big"));
    REQUIRE(file.is_ok());
    REQUIRE((*file)->append(std::string(BufferedEnv::kFlushBytes + 10, 'x')).is_ok());
    CHECK(size_on_disk(dir.file("big")) == BufferedEnv::kFlushBytes + 10);
    REQUIRE((*file)->append("tail").is_ok());
  }
  CHECK(size_on_disk(dir.file("big")) == BufferedEnv::kFlushBytes + 14);
  REQUIRE(env.flush_all().is_ok());  // no open files left: nothing to do
}

TEST_CASE("buffered env: errors of the base env come through", "[ch06]") {
  TempDir dir;
  BufferedEnv env(Env::posix());
  auto file = env.new_writable_file(dir.file("missing-dir/log"));
  REQUIRE_FALSE(file.is_ok());
  CHECK(file.status().message().find("missing-dir/log") != std::string::npos);
}
