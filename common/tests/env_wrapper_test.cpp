#include "common/env_wrapper.hpp"

#include <catch2/catch.hpp>
#include <string>

#include "common/testing/test_util.hpp"

using vkv::Env;
using vkv::EnvWrapper;
using vkv::testing::TempDir;

namespace {

// Overrides one call and counts it; everything else must reach the target untouched.
class CountingEnv final : public EnvWrapper {
 public:
  using EnvWrapper::EnvWrapper;
  bool file_exists(const std::string& path) override {
    ++exists_calls;
    return EnvWrapper::file_exists(path);
  }
  int exists_calls = 0;
};

}  // namespace

TEST_CASE("env wrapper: forwards every call it does not override to its target", "[common]") {
  TempDir dir;
  CountingEnv env(Env::posix());
  CHECK(&env.target() == &Env::posix());
  REQUIRE(env.create_dir(dir.file("sub")).is_ok());
  auto f = env.new_writable_file(dir.file("sub/a"));
  REQUIRE(f.is_ok());
  REQUIRE((*f)->append("abc").is_ok());
  REQUIRE((*f)->sync().is_ok());
  REQUIRE((*f)->close().is_ok());
  auto g = env.new_appendable_file(dir.file("sub/a"));
  REQUIRE(g.is_ok());
  REQUIRE((*g)->append("def").is_ok());
  REQUIRE((*g)->close().is_ok());
  REQUIRE(env.sync_dir(dir.file("sub")).is_ok());
  CHECK(env.file_size(dir.file("sub/a")).value() == 6);
  auto r = env.new_random_access_file(dir.file("sub/a"));
  REQUIRE(r.is_ok());
  std::string out;
  REQUIRE((*r)->read(2, 3, &out).is_ok());
  CHECK(out == "cde");
  auto s = env.new_sequential_file(dir.file("sub/a"));
  REQUIRE(s.is_ok());
  REQUIRE((*s)->read(100, &out).is_ok());
  CHECK(out == "abcdef");
  REQUIRE(env.rename_file(dir.file("sub/a"), dir.file("sub/b")).is_ok());
  REQUIRE(env.truncate_file(dir.file("sub/b"), 2).is_ok());
  CHECK(vkv::testing::read_whole_file(dir.file("sub/b")) == "ab");
  CHECK(env.list_dir(dir.file("sub")).value() == std::vector<std::string>{"b"});
  CHECK(env.file_exists(dir.file("sub/b")));
  CHECK(env.exists_calls == 1);
  auto lock = env.lock_file(dir.file("LOCK"));
  REQUIRE(lock.is_ok());
  CHECK(Env::posix().lock_file(dir.file("LOCK")).status().code() == vkv::StatusCode::kBusy);
  REQUIRE(env.remove_file(dir.file("sub/b")).is_ok());
  CHECK_FALSE(Env::posix().file_exists(dir.file("sub/b")));
}
